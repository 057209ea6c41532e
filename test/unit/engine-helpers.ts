import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { resolveConfig, type GanConfig } from '../../src-main/engine/config.ts';
import type { Batch } from '../../src-main/engine/gan.ts';
import { Rng } from '../../src-main/engine/rng.ts';

/** Stock cpu backend: tiny models keep its slow gradient kernels affordable. */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** A model small enough to train a few steps on the stock cpu backend in a unit test. */
export function tinyConfig(overrides: Partial<GanConfig> = {}): GanConfig {
  return resolveConfig(
    { imageSize: 28, channels: 1, numClasses: 3 },
    { generatorWidth: 4, discriminatorWidth: 4, latentDim: 8, batchSize: 6, ...overrides },
  );
}

/** A deterministic batch of images in [-1, 1] with labels cycling through the classes. */
export function syntheticBatch(config: GanConfig, seed = 3): Batch {
  const rng = new Rng(seed);
  const per = config.imageSize * config.imageSize * config.channels;
  const images = new Float32Array(config.batchSize * per);
  for (let i = 0; i < images.length; i++) images[i] = rng.next() * 2 - 1;
  const labels = Int32Array.from({ length: config.batchSize }, (_, i) => i % config.numClasses);
  return { images, labels };
}
