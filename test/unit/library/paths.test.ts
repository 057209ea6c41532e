// Path sanitising: archive entries that would escape, export names unsafe on some OS.
import { describe, expect, it } from 'vitest';
import { exportFileName, labelFolder, safeSegment } from '../../../src-main/library/export.ts';
import { archiveSegments, unsafeArchivePath } from '../../../src-main/library/import/source.ts';
import { labelFromFolders, parseManifest } from '../../../src-main/library/import/layout.ts';

describe('archive paths', () => {
  it('refuses paths that leave the archive or are absolute', () => {
    expect(unsafeArchivePath('../evil.png')).toMatch(/outside/);
    expect(unsafeArchivePath('a/../../evil.png')).toMatch(/outside/);
    expect(unsafeArchivePath('a\\..\\evil.png')).toMatch(/outside/);
    expect(unsafeArchivePath('/etc/passwd')).toMatch(/absolute/);
    expect(unsafeArchivePath('C:/x.png')).toMatch(/absolute/);
    expect(unsafeArchivePath('cat/..hidden.png')).toBeUndefined();
    expect(archiveSegments('./cat//a.png')).toEqual(['cat', 'a.png']);
  });
});

describe('export names', () => {
  it('makes any label or file name a safe path segment', () => {
    expect(safeSegment('a/b\\c:d*e?f"g<h>i|j')).toBe('a_b_c_d_e_f_g_h_i_j');
    expect(safeSegment('..')).toBe('unnamed');
    expect(safeSegment('CON')).toBe('_CON');
    expect(safeSegment('nul.txt')).toBe('_nul.txt');
    expect(safeSegment('trailing. ')).toBe('trailing');
    expect(safeSegment('caf\ufffd')).toBe('caf_');
    expect(Buffer.byteLength(safeSegment('é'.repeat(300)))).toBeLessThanOrEqual(200);
    expect(labelFolder('animals/cat')).toEqual(['animals', 'cat']);
  });

  it('keeps a known extension, adds the right one otherwise, and never overwrites', () => {
    const taken = new Set<string>();
    expect(exportFileName('a.JPG', 'jpeg', 'ab'.repeat(32), taken)).toBe('a.jpg');
    expect(exportFileName('a.jpg', 'jpeg', 'cd'.repeat(32), taken)).toBe('a-cdcdcdcd.jpg');
    expect(exportFileName('picture', 'png', 'ef'.repeat(32), taken)).toBe('picture.png');
  });
});

describe('labels from layout', () => {
  it('uses the leaf folder, or the whole path', () => {
    expect(labelFromFolders([], 'leaf')).toBeNull();
    expect(labelFromFolders(['animals', 'cat'], 'leaf')).toBe('cat');
    expect(labelFromFolders(['animals', 'cat'], 'path')).toBe('animals/cat');
  });
  it('parses CSV with or without a header, and JSON objects or lists', () => {
    expect(parseManifest('l.csv', 'a.png,cat\nb.png,dog\n')).toEqual([
      { file: 'a.png', label: 'cat' },
      { file: 'b.png', label: 'dog' },
    ]);
    expect(parseManifest('l.csv', '\uFEFFclass,path\ncat,"x, y.png"\n')).toEqual([{ file: 'x, y.png', label: 'cat' }]);
    expect(parseManifest('l.json', '{"a.png": "cat", "b.png": null}')).toEqual([
      { file: 'a.png', label: 'cat' },
      { file: 'b.png', label: null },
    ]);
    expect(() => parseManifest('l.json', '{oops')).toThrow(/l.json is not valid JSON/);
  });
});
