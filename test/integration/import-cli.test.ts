// The CLI importing a folder nobody prepared for it: every bad file reported, every
// good one imported with the right label, re-import changes nothing, export round-trips.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src-main/library/library.ts';
import { makeMessyFolder, type MessyFolder } from '../fixtures/library/images.ts';
import { lastJson, runCli } from './library-cli.ts';

let tmp: string;
let messy: MessyFolder;
let libraryDir: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cgan-import-cli-'));
  mkdirSync(join(tmp, 'outside'));
  messy = await makeMessyFolder(join(tmp, 'drop'), join(tmp, 'outside'));
  libraryDir = join(tmp, 'library');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function snapshot(dir: string) {
  const library = Library.open(dir);
  try {
    const dataset = library.datasets.byName('animals')!;
    return {
      images: library.images.page({ datasetId: dataset.id, offset: 0, limit: 1000 }).map((i) => [i.sha256, i.labelId]),
      labels: library.labels.listWithCounts(dataset.id),
      blobs: library.blobs.all().length,
      problems: library.verify(),
    };
  } finally {
    library.close();
  }
}

describe('cgan-studio import --json', () => {
  it('imports the good files with their folder labels and rejects every bad one with a reason', async () => {
    const run = await runCli(['import', messy.root, '--library', libraryDir, '--dataset', 'animals', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const result = lastJson(run) as {
      dataset: string;
      imported: number;
      duplicates: number;
      rejected: Array<{ path: string; reason: string }>;
      labels: Record<string, number>;
    };
    expect(result.dataset).toBe('animals');
    expect(result.imported).toBe(messy.expectedImported);
    expect(result.duplicates).toBe(messy.expectedDuplicates);
    expect(result.labels).toEqual(messy.expectedLabels);
    expect(result.rejected.map((r) => r.path).sort()).toEqual(messy.expectedRejected);
    for (const r of result.rejected) expect(r.reason.length).toBeGreaterThan(5);
    const reasonOf = (p: string) => result.rejected.find((r) => r.path === p)!.reason;
    expect(reasonOf('cat/empty.png')).toMatch(/empty/);
    expect(reasonOf('cat/bomb.png')).toMatch(/too large.*before decoding/);
    expect(reasonOf('cat/truncated.png')).toMatch(/truncated/);
    expect(reasonOf('dog/notes.png')).toMatch(/not an image/);
    expect(reasonOf('dog/outside.png')).toMatch(/outside the dropped folder/);
    expect(reasonOf('cat/loop')).toMatch(/loop/);
    expect(snapshot(libraryDir).problems).toEqual([]);
  });

  it('shows a name that is not UTF-8 with a replacement character', () => {
    const library = Library.open(libraryDir);
    try {
      const dataset = library.datasets.byName('animals')!;
      const hits = library.images.page({ datasetId: dataset.id, search: 'caf\ufffd', offset: 0, limit: 10 });
      expect(hits.map((h) => h.fileName)).toEqual(['caf\ufffd.png']);
    } finally {
      library.close();
    }
  });

  it('changes nothing when the same folder is imported again', async () => {
    const before = snapshot(libraryDir);
    const run = await runCli(['import', messy.root, '--library', libraryDir, '--dataset', 'animals', '--json']);
    const result = lastJson(run);
    expect(result.imported).toBe(0);
    expect(result.duplicates).toBe(messy.expectedImported + messy.expectedDuplicates);
    expect(result.labels).toEqual(messy.expectedLabels);
    expect(snapshot(libraryDir)).toEqual(before);
  });

  it('exports to an ImageFolder tree that imports back to the same counts', async () => {
    const out = join(tmp, 'exported');
    const exported = await runCli(['export', out, '--library', libraryDir, '--dataset', 'animals', '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    const back = lastJson(await runCli(['import', out, '--library', libraryDir, '--dataset', 'round-trip', '--json']));
    expect(back.labels).toEqual(messy.expectedLabels);
    expect(back.rejected).toEqual([]);
  });

  it('fails with a message naming the path when it does not exist', async () => {
    const run = await runCli(['import', join(tmp, 'nope'), '--library', libraryDir, '--json']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(join(tmp, 'nope'));
  });
});
