// Every drop layout the importer understands, on real files: flat folders, nested
// class folders (leaf or full path), CSV and JSON manifests, and .zip archives of
// them, including archive entries that must never be extracted.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPath } from '../../src-main/library/import/importer.ts';
import { Library } from '../../src-main/library/library.ts';
import { sampleArchivePath } from '../../src-main/library/sample.ts';
import { loadTrainingSet } from '../../src-main/library/training-set.ts';
import { writeZip } from '../../src-main/library/zip-writer.ts';
import { grayPng, write } from '../fixtures/library/images.ts';

let tmp: string;
let library: Library;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'cgan-import-layouts-'));
  library = Library.open(join(tmp, 'library'), { durable: false });
});
afterAll(() => {
  library.close();
  rmSync(tmp, { recursive: true, force: true });
});

let seed = 10_000;
const png = () => grayPng(seed++);

describe('layouts', () => {
  it('a flat folder imports unlabelled', async () => {
    const dir = join(tmp, 'flat');
    for (let i = 0; i < 5; i++) write(join(dir, `${i}.png`), png());
    const s = await importPath(library, dir, { dataset: 'flat' });
    expect(s).toMatchObject({ imported: 5, layout: 'flat', labels: {}, unlabelled: 5 });
  });

  it('nested class folders: leaf folder by default, the whole path with labelFrom "path"', async () => {
    const dir = join(tmp, 'nested');
    for (let i = 0; i < 3; i++) write(join(dir, 'animals/cat', `${i}.png`), png());
    for (let i = 0; i < 2; i++) write(join(dir, 'plants/cat', `${i}.png`), png());
    for (let i = 0; i < 4; i++) write(join(dir, 'animals/dog', `${i}.png`), png());
    expect((await importPath(library, dir, { dataset: 'leaf' })).labels).toEqual({ cat: 5, dog: 4 });
    expect((await importPath(library, dir, { dataset: 'path', labelFrom: 'path' })).labels).toEqual({
      'animals/cat': 3,
      'animals/dog': 4,
      'plants/cat': 2,
    });
  });

  it('a CSV manifest maps files to labels; unlisted files come in unlabelled; missing ones are rejected', async () => {
    const dir = join(tmp, 'csv');
    for (let i = 0; i < 6; i++) write(join(dir, 'images', `img${i}.png`), png());
    write(
      join(dir, 'labels.csv'),
      'filename,label\nimages/img0.png,shirt\nimages/img1.png,shirt\nimg2.png,shoe\nimages/img3.png,shoe\nimages/img4.png,\nimages/missing.png,shoe\n',
    );
    const s = await importPath(library, dir, { dataset: 'csv' });
    expect(s.layout).toBe('manifest');
    expect(s.labels).toEqual({ shirt: 2, shoe: 2 });
    expect(s.unlabelled).toBe(2);
    expect(s.rejected).toEqual([
      { path: 'images/missing.png', reason: expect.stringMatching(/listed in labels.csv but not found/) },
    ]);
  });

  it('a JSON manifest, as an object or as a list of records', async () => {
    const dir = join(tmp, 'json');
    for (let i = 0; i < 3; i++) write(join(dir, `${i}.png`), png());
    write(join(dir, 'manifest.json'), JSON.stringify({ '0.png': 'a', '1.png': 'b', '2.png': 'a' }));
    expect((await importPath(library, dir, { dataset: 'json-object' })).labels).toEqual({ a: 2, b: 1 });
    const dir2 = join(tmp, 'json2');
    for (let i = 0; i < 2; i++) write(join(dir2, `${i}.png`), png());
    write(
      join(dir2, 'labels.json'),
      JSON.stringify([
        { file: '0.png', class: 'x' },
        { path: '1.png', label: 'y' },
      ]),
    );
    expect((await importPath(library, dir2, { dataset: 'json-list' })).labels).toEqual({ x: 1, y: 1 });
  });

  it('a .zip of class folders, wrapped in one top folder, with entries that must not be extracted', async () => {
    const zip = join(tmp, 'clothes.zip');
    const nonUtf8 = Buffer.concat([Buffer.from('clothes/shirt/caf'), Buffer.from([0xe9]), Buffer.from('.PNG')]);
    writeZip(zip, [
      { name: 'clothes/shirt/a.png', data: png() },
      { name: 'clothes/shirt/b.png', data: png() },
      { name: nonUtf8, data: png() },
      { name: 'clothes/shoe/c.png', data: png() },
      { name: 'clothes/shoe/d.png', data: Buffer.alloc(0) },
      { name: 'clothes/../../evil.png', data: png() },
      { name: 'clothes/shoe/link.png', data: Buffer.from('/etc/passwd'), unixMode: 0o120777 },
    ]);
    const s = await importPath(library, zip);
    expect(s.dataset).toBe('clothes');
    expect(s.labels).toEqual({ shirt: 3, shoe: 1 });
    expect(s.rejected.map((r) => r.path).sort()).toEqual([
      'clothes/../../evil.png',
      'clothes/shoe/link.png',
      'shoe/d.png',
    ]);
    expect(s.rejected.find((r) => r.path.includes('evil'))!.reason).toMatch(/outside the archive/);
  });

  it('a damaged archive entry is rejected, the rest of the archive imports', async () => {
    const zip = join(tmp, 'damaged.zip');
    const noise = Buffer.from(new Uint8Array(4000).map((_, i) => (i * 2654435761) >>> 24)); // incompressible: stored as is
    const good = png();
    writeZip(zip, [
      { name: 'wrap/k/noise.png', data: noise },
      { name: 'wrap/k/good.png', data: good },
    ]);
    const bytes = readFileSync(zip);
    bytes[30 + 'wrap/k/noise.png'.length + 100] ^= 0xff; // inside the first entry's data
    writeFileSync(zip, bytes);
    const s = await importPath(library, zip, { dataset: 'damaged' });
    expect(s.labels).toEqual({ k: 1 });
    expect(s.rejected).toEqual([
      { path: 'k/noise.png', reason: expect.stringMatching(/damaged archive entry.*CRC-32/) },
    ]);
  });

  it('the bundled sample imports as ten balanced classes and becomes a training set', async () => {
    const s = await importPath(library, sampleArchivePath(), { dataset: 'sample' });
    expect(s.rejected).toEqual([]);
    expect(Object.keys(s.labels)).toHaveLength(10);
    expect(new Set(Object.values(s.labels))).toEqual(new Set([300]));
    const set = loadTrainingSet(library.dir, 'sample');
    expect(set.images).toHaveLength(3000);
    expect(set.labels[0]).toBe('T-shirt-top');
  });

  it('cancellation stops early and keeps what was committed consistent', async () => {
    const dir = join(tmp, 'many');
    for (let i = 0; i < 400; i++) write(join(dir, 'k', `${i}.png`), png());
    const controller = new AbortController();
    let calls = 0;
    const s = await importPath(library, dir, {
      dataset: 'cancel',
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        calls++;
        expect(p.done).toBeLessThanOrEqual(p.total);
        if (p.done >= 50) controller.abort();
      },
    });
    expect(calls).toBeGreaterThan(1);
    expect(s.cancelled).toBe(true);
    expect(s.imported).toBeLessThan(400);
    expect(library.verify()).toEqual([]);
    const again = await importPath(library, dir, { dataset: 'cancel' });
    expect(again.imported + s.imported).toBe(400);
  });
});
