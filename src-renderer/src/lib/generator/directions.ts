import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../../../src-main/engine/rng.ts';
import { symmetricEigen } from './eigen.ts';
import type { LoadedGenerator } from './model.ts';

// The latent directions that change the picture most: the top eigenvectors of
// M = E[Jᵀ J], J the Jacobian of the generator's pixels with respect to z, averaged
// over the prior and every label. Moving z by one unit along eigenvector k changes the
// image by √λₖ (in pixel L2, to first order), so they come first as "direction" sliders.
//
// Jᵀ J is estimated without forming J: for a random pixel-space vector r ~ N(0, I),
// g = Jᵀ r = ∇z ⟨G(z), r⟩ has E[g gᵀ] = Jᵀ J, and one backward pass gives g for a whole
// batch. A few hundred samples pin down the leading directions of a 100-d latent.

export interface LatentDirection {
  /** Unit vector in latent space. */
  vector: Float32Array;
  /** Share of the generator's total response along this direction, in [0, 1]. */
  share: number;
}

export interface DirectionOptions {
  samples?: number;
  batch?: number;
  keep?: number;
  /** Called between batches with the fraction done; awaited, so a caller can yield to the UI. */
  onProgress?: (fraction: number) => Promise<void> | void;
}

export async function computeDirections(
  generator: LoadedGenerator,
  options: DirectionOptions = {},
): Promise<LatentDirection[]> {
  const { latentDim: d, labels } = generator.info;
  const samples = options.samples ?? Math.min(512, Math.max(128, 3 * d));
  const batch = options.batch ?? 32;
  const keep = Math.min(options.keep ?? 8, d);
  const pixels = generator.info.imageSize ** 2 * generator.info.channels;
  const rng = new Rng('latent-directions');
  const m = new Float64Array(d * d);
  for (let done = 0; done < samples; done += batch) {
    const n = Math.min(batch, samples - done);
    const z = rng.normals(n * d);
    const y = new Float32Array(n * labels.length);
    for (let i = 0; i < n; i++) y[i * labels.length + rng.int(labels.length)] = 1;
    const r = rng.normals(n * pixels);
    const grads = tf.tidy(() => {
      const yT = tf.tensor2d(y, [n, labels.length]);
      const rT = tf.tensor(r, [n, generator.info.imageSize, generator.info.imageSize, generator.info.channels]);
      const response = (zT: tf.Tensor) => tf.sum(tf.mul(generator.forward(zT, yT), rT)) as tf.Scalar;
      return tf.grad(response)(tf.tensor2d(z, [n, d]));
    });
    const g = (await grads.data()) as Float32Array;
    grads.dispose();
    for (let s = 0; s < n; s++) {
      const row = s * d;
      for (let i = 0; i < d; i++) {
        const gi = g[row + i];
        for (let j = i; j < d; j++) m[i * d + j] += gi * g[row + j];
      }
    }
    await options.onProgress?.((done + n) / samples);
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) m[i * d + j] = m[j * d + i];
  const pairs = symmetricEigen(m, d);
  const total = pairs.reduce((sum, p) => sum + Math.max(0, p.value), 0) || 1;
  return pairs
    .slice(0, keep)
    .map((p) => ({ vector: Float32Array.from(p.vector), share: Math.max(0, p.value) / total }));
}
