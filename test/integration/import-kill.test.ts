// kill -9 in the middle of an import: the database must pass its integrity check,
// no row may point at a missing blob, and a re-run must complete the import.
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fashionMnistAvailable, writeFashionMnistImageFolder } from '../../src-main/library/fashion-mnist.ts';
import { Library } from '../../src-main/library/library.ts';
import { grayPng, write } from '../fixtures/library/images.ts';
import { lastJson, runCli, startCli } from './library-cli.ts';

const PER_CLASS = 500;
let tmp: string;
let drop: string;
let total: number;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'cgan-import-kill-'));
  drop = join(tmp, 'drop');
  if (fashionMnistAvailable()) {
    total = writeFashionMnistImageFolder(drop, 'train', { perClass: PER_CLASS }).count;
  } else {
    // Without Debian's dataset package: synthetic images, same shape of problem.
    total = 0;
    for (let c = 0; c < 10; c++)
      for (let i = 0; i < PER_CLASS; i++) write(join(drop, `class-${c}`, `${i}.png`), grayPng(++total, 28));
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function committedImages(dbPath: string): number {
  if (!existsSync(dbPath)) return 0;
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT count(*) FROM images').pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0; // schema not there yet
  }
}

it('survives kill -9 mid-import and a re-run completes it', async () => {
  const libraryDir = join(tmp, 'library');
  const child = startCli(['import', drop, '--library', libraryDir, '--dataset', 'fm', '--json']);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let committed = 0;
  // Up to two minutes for the first 500 rows: on a loaded machine the CLI starts slowly.
  for (let i = 0; i < 2400 && committed < 500; i++) {
    await sleep(50);
    committed = committedImages(join(libraryDir, 'library.db'));
  }
  expect(committed).toBeGreaterThan(0);
  child.kill('SIGKILL');
  await exited;

  const afterKill = Library.open(libraryDir);
  try {
    expect(afterKill.verify()).toEqual([]);
    const dataset = afterKill.datasets.byName('fm')!;
    const kept = afterKill.images.count(dataset.id);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(total); // it really was killed in the middle
    expect(afterKill.recover().interruptedImports).toBe(1);
  } finally {
    afterKill.close();
  }

  const rerun = await runCli(['import', drop, '--library', libraryDir, '--dataset', 'fm', '--json']);
  expect(rerun.code, rerun.stderr).toBe(0);
  const result = lastJson(rerun) as { imported: number; duplicates: number; labels: Record<string, number> };
  expect(result.imported + result.duplicates).toBe(total);
  expect(Object.values(result.labels)).toEqual(new Array(10).fill(PER_CLASS));

  const done = Library.open(libraryDir);
  try {
    expect(done.verify()).toEqual([]);
    expect(done.images.count(done.datasets.byName('fm')!.id)).toBe(total);
  } finally {
    done.close();
  }
});
