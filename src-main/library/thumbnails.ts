// Thumbnails for the grid, made lazily on first request and cached on disk under
// thumbs/<size>/<sha prefix>/, so a 60,000-image import does not wait for 60,000
// thumbnails and a scroll through them later costs one file read each. Images that
// are already small and browser-readable are served as they are: no copy at all.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sharpOf } from './import/decode.ts';
import type { Library } from './library.ts';

export const THUMBNAIL_SIZE = 128;

export interface Thumbnail {
  path: string;
  mimeType: string;
}

const BROWSER_FORMATS: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

export async function thumbnailFor(library: Library, sha256: string, size = THUMBNAIL_SIZE): Promise<Thumbnail> {
  const blob = library.blobs.get(sha256);
  if (!blob) throw new Error(`No blob ${sha256} in the library at ${library.dir}.`);
  const direct = BROWSER_FORMATS[blob.format];
  // GIFs may be animated: the grid shows the first frame only, so they get a real thumbnail.
  if (direct && blob.format !== 'gif' && blob.width <= size && blob.height <= size && blob.has_alpha === 0) {
    return { path: library.blobPath(sha256), mimeType: direct };
  }
  const background = blob.has_alpha ? library.datasets.backgroundOfBlob(sha256) : '';
  const dir = join(library.thumbsDir, String(size), sha256.slice(0, 2));
  const path = join(dir, `${sha256}${background ? `-${background.slice(1)}` : ''}.webp`);
  try {
    await stat(path);
    return { path, mimeType: 'image/webp' };
  } catch {
    // not made yet
  }
  const bytes = await readFile(library.blobPath(sha256));
  let pipeline = sharpOf(bytes);
  if (background) pipeline = pipeline.flatten({ background });
  const out = await pipeline
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 82 })
    .toBuffer();
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, out);
  await rename(tmp, path).catch(async (error: unknown) => {
    await unlink(tmp).catch(() => undefined);
    throw error;
  });
  return { path, mimeType: 'image/webp' };
}
