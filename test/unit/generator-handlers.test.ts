import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudio, type Studio } from '../../src-main/api/studio.ts';
import { makeFixtureRun, type FixtureRun } from '../e2e/generate-fixture.ts';

// The explorer's server side: directions kept per set of weights (and dropped when the
// weights change), PNGs written into a folder, pictures added to a dataset with their
// provenance. Real files, a real library, the real registry.

const ctx = { transport: 'test', clientId: 'unit' } as const;
let library: string;
let out: string;
let studio: Studio;
let run: FixtureRun;

async function png(value: number): Promise<string> {
  const bytes = await sharp(Buffer.alloc(4 * 4 * 3, value), { raw: { width: 4, height: 4, channels: 3 } })
    .png()
    .toBuffer();
  return bytes.toString('base64');
}

async function call(name: string, input: unknown): Promise<Record<string, unknown>> {
  const result = await studio.registry.dispatch(name, input, ctx);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as Record<string, unknown>;
}

beforeAll(async () => {
  library = mkdtempSync(join(tmpdir(), 'cgan-generator-handlers-'));
  out = mkdtempSync(join(tmpdir(), 'cgan-generator-out-'));
  run = await makeFixtureRun(library, 28, 1);
  studio = createStudio({ transport: 'web', libraryPath: library });
});

afterAll(async () => {
  await studio?.close();
  rmSync(library, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

describe('generator handlers', () => {
  it('keeps latent directions per set of weights and forgets them when the weights change', async () => {
    const weights = { checkpoint: null, ema: true };
    expect(await call('generator-directions', { runId: run.runId, weights })).toEqual({ directions: null });
    const directions = [{ vector: [1, 0, 0], share: 0.5 }];
    await call('generator-directions-save', { runId: run.runId, weights, directions });
    expect(await call('generator-directions', { runId: run.runId, weights })).toEqual({ directions });
    // Another checkpoint has its own.
    expect(await call('generator-directions', { runId: run.runId, weights: { checkpoint: 100, ema: false } })).toEqual({
      directions: null,
    });
    // A new export replaces generator/weights.bin: the kept directions no longer describe it.
    const file = join(run.dir, 'generator', 'weights.bin');
    const bytes = readFileSync(file);
    bytes[0] ^= 0xff;
    writeFileSync(file, bytes);
    expect(await call('generator-directions', { runId: run.runId, weights })).toEqual({ directions: null });
  });

  it('writes PNGs into a folder, never over an existing file, and refuses paths that leave it', async () => {
    const folder = join(out, 'batch');
    const files = [
      { path: 'circle/seed-1.png', pngBase64: await png(10) },
      { path: 'square/seed-1.png', pngBase64: await png(20) },
    ];
    const first = await call('generator-save-files', { folder, files, manifest: [{ seed: 1 }, { seed: 1 }] });
    expect(first).toEqual({ dir: folder, written: 2, skipped: 0 });
    expect(
      (
        await sharp(join(folder, 'square', 'seed-1.png'))
          .raw()
          .toBuffer()
      )[0],
    ).toBe(20);
    expect(await call('generator-save-files', { folder, files })).toMatchObject({ written: 0, skipped: 2 });
    expect(readFileSync(join(folder, 'manifest.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    const escape = await studio.registry.dispatch(
      'generator-save-files',
      { folder, files: [{ path: '../outside.png', pngBase64: await png(1) }] },
      ctx,
    );
    expect(escape.ok).toBe(false);
    expect(existsSync(join(out, 'outside.png'))).toBe(false);
  });

  it('adds pictures to a dataset as synthetic, recording run, weights, label and seed', async () => {
    const images = [
      { label: 'circle', seed: 5, pngBase64: await png(30) },
      { label: 'triangle', seed: 6, edited: true, pngBase64: await png(40) },
    ];
    const added = await call('generator-add-to-dataset', {
      dataset: { name: 'synthetic shapes' },
      runId: run.runId,
      weights: { checkpoint: 200, ema: false },
      images,
    });
    expect(added).toMatchObject({ added: 2, duplicates: 0 });
    const again = await call('generator-add-to-dataset', {
      dataset: { id: added.datasetId },
      runId: run.runId,
      weights: { checkpoint: 200, ema: false },
      images: images.slice(0, 1),
    });
    expect(again).toMatchObject({ added: 0, duplicates: 1 });
    const page = (await call('image-page', { datasetId: added.datasetId })) as {
      items: Array<{ id: number; fileName: string }>;
    };
    expect(page.items.map((i) => i.fileName).sort()).toEqual([
      'synthetic-circle-5.png',
      'synthetic-triangle-6-edited.png',
    ]);
    const detail = await call('image-detail', { imageId: page.items.find((i) => i.fileName.includes('triangle'))!.id });
    expect(detail).toMatchObject({
      labelName: 'triangle',
      format: 'png',
      sourcePath: 'synthetic:run/fixture-run/step-200/raw?label=triangle&seed=6&edited=1',
    });
    const broken = await studio.registry.dispatch(
      'generator-add-to-dataset',
      {
        dataset: { id: added.datasetId },
        runId: run.runId,
        weights: { checkpoint: null, ema: true },
        images: [{ label: 'x', seed: 1, pngBase64: 'AAAA' }],
      },
      ctx,
    );
    expect(broken.ok).toBe(false);
  });
});
