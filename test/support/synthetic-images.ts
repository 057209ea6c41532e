import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

/**
 * Writes a small ImageFolder dataset that a GAN can tell apart: per label, grayscale
 * squares of one brightness pattern with a little noise. Returns the folder.
 */
export async function writeSyntheticDataset(
  dir: string,
  options: { labels?: string[]; perLabel?: number; size?: number } = {},
): Promise<string> {
  const labels = options.labels ?? ['light', 'dark'];
  const perLabel = options.perLabel ?? 24;
  const size = options.size ?? 28;
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (const [index, label] of labels.entries()) {
    mkdirSync(join(dir, label), { recursive: true });
    for (let n = 0; n < perLabel; n++) {
      const pixels = Buffer.alloc(size * size);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          // Label i: a bar at a label-specific row band, on a dark background.
          const band = Math.floor((y * labels.length) / size) === index;
          pixels[y * size + x] = Math.max(0, Math.min(255, (band ? 220 : 20) + Math.round((random() - 0.5) * 40)));
        }
      }
      await sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(join(dir, label, `${label}-${n}.png`));
    }
  }
  return dir;
}
