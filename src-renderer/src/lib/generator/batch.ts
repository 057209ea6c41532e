import { labelVector, latentForSeed } from './latent.ts';
import type { LoadedGenerator } from './model.ts';
import { blobToBase64, pngBlob } from './raster.ts';

// N pictures per label, each from its own seed (base, base + 1, ...), the same seeds for
// every label, so picture k of every label shares its z like a column of the grid.

export interface GeneratedPng {
  label: string;
  labelIndex: number;
  seed: number;
  pngBase64: string;
}

export async function* generatePerLabel(
  generator: LoadedGenerator,
  perLabel: number,
  baseSeed: number,
  truncation: number,
  chunk = 32,
): AsyncGenerator<GeneratedPng[]> {
  const { latentDim: d, labels, imageSize: size } = generator.info;
  for (let l = 0; l < labels.length; l++) {
    for (let start = 0; start < perLabel; start += chunk) {
      const count = Math.min(chunk, perLabel - start);
      const latents = new Float32Array(count * d);
      const ys = new Float32Array(count * labels.length);
      const seeds: number[] = [];
      for (let i = 0; i < count; i++) {
        const seed = (baseSeed + start + i) % 0x100000000;
        seeds.push(seed);
        latents.set(latentForSeed(seed, d, truncation), i * d);
        ys.set(labelVector(labels.length, l), i * labels.length);
      }
      const pixels = generator.render(latents, ys, count);
      const cell = size * size * 4;
      const out: GeneratedPng[] = [];
      for (let i = 0; i < count; i++) {
        const blob = await pngBlob({ width: size, height: size, data: pixels.slice(i * cell, (i + 1) * cell) });
        out.push({ label: labels[l], labelIndex: l, seed: seeds[i], pngBase64: await blobToBase64(blob) });
      }
      yield out;
    }
  }
}

/** A file name safe on every OS for a label folder. */
export function safeName(name: string): string {
  const printable = Array.from(name, (c) => (c.charCodeAt(0) < 32 ? '_' : c)).join('');
  return printable.replace(/[<>:"/\\|?*]+/g, '_').replace(/^\.+/, '_') || 'label';
}
