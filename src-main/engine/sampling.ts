import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { GanConfig } from './config.ts';
import { labelInput } from './models.ts';
import { derivedRng } from './rng.ts';

// Turning a generator into pixels: batches of images for given labels and latents, and
// the sample grid (fixed z, one row per label, the same z down each column so a column
// shows one "pose" across labels).

type SamplingShape = Pick<GanConfig, 'imageSize' | 'channels' | 'numClasses' | 'latentDim'>;

/** Images as uint8, batch × size × size × channels, from the generator in inference mode. */
export function generateImages(
  generator: tfl.LayersModel,
  shape: SamplingShape,
  labels: Int32Array,
  latents: Float32Array,
): Uint8Array {
  const count = labels.length;
  if (latents.length !== count * shape.latentDim) {
    throw new Error(`expected ${count * shape.latentDim} latent values for ${count} images, got ${latents.length}`);
  }
  const pixels = tf.tidy(() => {
    const z = tf.tensor2d(latents, [count, shape.latentDim]);
    const y = labelInput(labels, shape.numClasses);
    const images = generator.predict([z, y]) as tf.Tensor;
    // tanh's [-1, 1] → [0, 255], rounded.
    return tf.cast(tf.round(tf.clipByValue(tf.mul(tf.add(images, 1), 127.5), 0, 255)), 'int32');
  });
  const values = Uint8Array.from(pixels.dataSync());
  pixels.dispose();
  return values;
}

/** The grid's latents: fixed by the run seed, so every grid of a run is comparable. */
export function gridLatents(config: Pick<GanConfig, 'seed' | 'latentDim' | 'gridColumns'>): Float32Array {
  return derivedRng(config.seed, 'sample-grid').normals(config.gridColumns * config.latentDim);
}

export interface SampleGrid {
  width: number;
  height: number;
  channels: 1 | 3;
  /** height × width × channels, row-major. */
  pixels: Uint8Array;
  /** Per label (row): mean over pixels of the standard deviation across the row's images, in [0, 1]. */
  variety: number[];
}

const GAP = 2;

export function renderSampleGrid(
  generator: tfl.LayersModel,
  config: SamplingShape & Pick<GanConfig, 'seed' | 'gridColumns'>,
): SampleGrid {
  const { imageSize: size, channels, gridColumns: columns, numClasses: rows } = config;
  const latents = gridLatents(config);
  const width = columns * size + (columns - 1) * GAP;
  const height = rows * size + (rows - 1) * GAP;
  const pixels = new Uint8Array(width * height * channels).fill(255);
  const variety: number[] = [];
  for (let row = 0; row < rows; row++) {
    const images = generateImages(generator, config, new Int32Array(columns).fill(row), latents);
    variety.push(rowVariety(images, columns, size * size * channels));
    for (let col = 0; col < columns; col++) {
      for (let y = 0; y < size; y++) {
        const from = (col * size + y) * size * channels;
        const to = ((row * (size + GAP) + y) * width + col * (size + GAP)) * channels;
        pixels.set(images.subarray(from, from + size * channels), to);
      }
    }
  }
  return { width, height, channels, pixels, variety };
}

/** Mean per-pixel standard deviation across `count` images (uint8), scaled to [0, 1]. */
export function rowVariety(images: Uint8Array, count: number, pixelsPerImage: number): number {
  if (count < 2) return 0;
  let total = 0;
  for (let p = 0; p < pixelsPerImage; p++) {
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < count; i++) {
      const v = images[i * pixelsPerImage + p] / 255;
      sum += v;
      squares += v * v;
    }
    const mean = sum / count;
    total += Math.sqrt(Math.max(0, squares / count - mean * mean));
  }
  return total / pixelsPerImage;
}
