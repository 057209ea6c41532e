// loadTrainingSet on a real library folder: what is left out, and when the hash changes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Curation } from '../../../src-main/library/curation.ts';
import { importPath } from '../../../src-main/library/import/importer.ts';
import { Library } from '../../../src-main/library/library.ts';
import { loadTrainingSet } from '../../../src-main/library/training-set.ts';
import { grayPng, write } from '../../fixtures/library/images.ts';

let tmp: string;
let library: Library;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cgan-trainingset-'));
  const drop = join(tmp, 'drop');
  for (let i = 0; i < 6; i++) write(join(drop, 'a', `${i}.png`), grayPng(i));
  for (let i = 0; i < 4; i++) write(join(drop, 'b', `${i}.png`), grayPng(100 + i));
  for (let i = 0; i < 3; i++) write(join(drop, `loose${i}.png`), grayPng(200 + i));
  library = Library.open(join(tmp, 'lib'), { durable: false });
  await importPath(library, drop, { dataset: 'ds' });
});
afterAll(() => {
  library.close();
  rmSync(tmp, { recursive: true, force: true });
});

it('leaves out unlabelled and excluded images and counts them', () => {
  const curation = new Curation(library);
  const datasetId = library.datasets.byName('ds')!.id;
  const first = loadTrainingSet(library.dir, 'ds');
  expect(first.labels).toEqual(['a', 'b']);
  expect(first.images).toHaveLength(10);
  expect(first.unlabelled).toBe(3);
  expect(first.excluded).toBe(0);
  expect(first.images.every((i) => i.blobPath.endsWith(i.sha256))).toBe(true);

  // Same data again: same hash.
  expect(loadTrainingSet(library.dir, 'ds').contentHash).toBe(first.contentHash);

  const b = library.labels.byName(datasetId, 'b')!;
  const oneOfA = library.images.ids(datasetId, { labelId: library.labels.byName(datasetId, 'a')!.id })[0]!;
  curation.assignLabel(datasetId, [oneOfA], b.id);
  const relabelled = loadTrainingSet(library.dir, 'ds');
  expect(relabelled.contentHash).not.toBe(first.contentHash);

  curation.setExcluded(datasetId, [oneOfA], true);
  const excluded = loadTrainingSet(library.dir, 'ds');
  expect(excluded.excluded).toBe(1);
  expect(excluded.images).toHaveLength(9);
  expect(excluded.contentHash).not.toBe(relabelled.contentHash);

  curation.undo(datasetId);
  curation.undo(datasetId);
  expect(loadTrainingSet(library.dir, 'ds').contentHash).toBe(first.contentHash);
});

it('names the datasets it has when asked for one it does not', () => {
  expect(() => loadTrainingSet(library.dir, 'nope')).toThrow(/no dataset "nope".*"ds"/);
  expect(() => loadTrainingSet(join(tmp, 'empty'), 'ds')).toThrow(/No library at/);
});
