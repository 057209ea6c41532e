// Thumbnails: small browser-readable images are served as they are; others are made
// once (alpha flattened onto the dataset's background) and then read from the cache.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importPath } from '../../../src-main/library/import/importer.ts';
import { Library } from '../../../src-main/library/library.ts';
import { THUMBNAIL_SIZE, thumbnailFor } from '../../../src-main/library/thumbnails.ts';
import { bmp, grayPng, write } from '../../fixtures/library/images.ts';

let tmp: string;
let library: Library;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cgan-thumbs-'));
  const drop = join(tmp, 'drop');
  write(join(drop, 'small.png'), grayPng(1, 28));
  // 300 × 300: the left half transparent red, the right half opaque blue.
  const px = Buffer.alloc(300 * 300 * 4);
  for (let i = 0; i < 300 * 300; i++) px.set(i % 300 < 150 ? [255, 0, 0, 0] : [0, 0, 255, 255], i * 4);
  write(
    join(drop, 'big-alpha.png'),
    await sharp(px, { raw: { width: 300, height: 300, channels: 4 } })
      .png()
      .toBuffer(),
  );
  write(
    join(drop, 'old.bmp'),
    bmp(40, 30, (x, y) => [x * 6, y * 8, 50, 255]),
  );
  library = Library.open(join(tmp, 'lib'), { durable: false });
  await importPath(library, drop, { dataset: 'thumbs', background: '#00ff00' });
});
afterAll(() => {
  library.close();
  rmSync(tmp, { recursive: true, force: true });
});

const shaOf = (name: string) => {
  const id = library.datasets.byName('thumbs')!.id;
  return library.images.page({ datasetId: id, search: name, offset: 0, limit: 1 })[0]!.sha256;
};

it('serves a small PNG as it is', async () => {
  const sha = shaOf('small.png');
  expect(await thumbnailFor(library, sha)).toEqual({ path: library.blobPath(sha), mimeType: 'image/png' });
});

it('makes a large image with alpha into a cached WebP on the dataset background', async () => {
  const sha = shaOf('big-alpha.png');
  const first = await thumbnailFor(library, sha);
  expect(first.mimeType).toBe('image/webp');
  const meta = await sharp(first.path).metadata();
  expect(Math.max(meta.width!, meta.height!)).toBe(THUMBNAIL_SIZE);
  const { data } = await sharp(first.path).raw().toBuffer({ resolveWithObject: true });
  // The top-left pixel was fully transparent: it shows the dataset's green background.
  expect([data[0]! < 40, data[1]! > 200, data[2]! < 40]).toEqual([true, true, true]);
  const made = statSync(first.path).mtimeMs;
  const second = await thumbnailFor(library, sha);
  expect(second.path).toBe(first.path);
  expect(statSync(second.path).mtimeMs).toBe(made);
});

it('gives BMPs (which browsers may not show) a WebP thumbnail', async () => {
  const thumb = await thumbnailFor(library, shaOf('old.bmp'));
  expect(thumb.mimeType).toBe('image/webp');
  expect((await sharp(thumb.path).metadata()).width).toBe(40);
});
