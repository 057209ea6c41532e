import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetSource } from './dataset-source.ts';

// The packed, pre-decoded training images of one dataset at one resolution: count ×
// size × size × channels bytes in one file, so a run (and every later run of the same
// dataset) decodes each image once. Keyed by the dataset's content hash, so any change
// to the images or labels makes a new cache instead of a stale one.

export interface PackedImages {
  count: number;
  size: number;
  channels: 1 | 3;
  pixels: Uint8Array;
  labels: Uint16Array;
  /** True when it was read from an existing cache file. */
  fromCache: boolean;
  path: string;
}

export function cacheKey(contentHash: string, size: number, channels: number): string {
  return createHash('sha256').update(`${contentHash}:${size}:${channels}`).digest('hex').slice(0, 32);
}

/** Decoding runs on sharp's thread pool; this many in flight keeps it busy without a memory spike. */
const CONCURRENCY = 8;

export async function loadPackedImages(
  source: DatasetSource,
  size: number,
  channels: 1 | 3,
  cacheDir: string,
  onProgress?: (done: number, total: number) => void,
): Promise<PackedImages> {
  const count = source.imageLabels.length;
  const perImage = size * size * channels;
  const path = join(cacheDir, `${cacheKey(source.contentHash, size, channels)}.u8`);
  if (existsSync(path)) {
    const bytes = readFileSync(path);
    if (bytes.length === count * perImage) {
      const pixels = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return { count, size, channels, pixels, labels: source.imageLabels, fromCache: true, path };
    }
    // A wrong length is a torn or foreign file: rebuild it.
  }
  const pixels = new Uint8Array(count * perImage);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const decoded = await source.decode(index, size, channels);
      if (decoded.length !== perImage) {
        throw new Error(`image ${index} of ${source.name} decoded to ${decoded.length} bytes, expected ${perImage}`);
      }
      pixels.set(decoded, index * perImage);
      done++;
      if (onProgress && (done % 1000 === 0 || done === count)) onProgress(done, count);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, Math.max(1, count)) }, worker));
  mkdirSync(cacheDir, { recursive: true });
  // Temp file + fsync + rename: a crash leaves either no cache or a whole one.
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, pixels);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  return { count, size, channels, pixels, labels: source.imageLabels, fromCache: false, path };
}
