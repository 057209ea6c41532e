import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers tfjs-core's gradient functions, as it does for the engine.
import '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../../src-main/engine/backend-detect.ts';
import { initBackend } from '../../src-main/engine/backend.ts';

describe('initBackend', () => {
  it('makes an explicit backend current and registers the project kernels for it', async () => {
    const chosen = await initBackend('wasm', { nativeKernels: false });
    expect(chosen.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(chosen.detail).toContain('Conv2DBackpropFilter');
    // Stock wasm has no filter gradient at all; the project's is registered.
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeDefined();
  });

  it('auto takes the best backend that is installed', async () => {
    const chosen = await initBackend('auto');
    expect(chosen.name).toBe(availableBackends()[0]);
    expect(tf.getBackend()).toBe(chosen.name);
  });

  it.skipIf(availableBackends().includes('tensorflow'))(
    'names the backend and the fix when an explicit backend cannot start',
    async () => {
      await expect(initBackend('tensorflow')).rejects.toThrow(
        /'tensorflow' compute backend.*npm install @tensorflow\/tfjs-node-gpu/s,
      );
    },
  );
});

/**
 * The ops of one cDCGAN training step at toy size: G (dense → reshape → transpose
 * convolution + batch norm + ReLU → tanh) and D (label maps concatenated as channels →
 * strided convolution + LeakyReLU → dense logit), BCE on logits. Returns the gradients
 * of D's and G's losses with respect to every weight.
 */
function ganGradients(seed: number): Float32Array[] {
  return tf.tidy(() => {
    const w = (shape: number[], i: number) => tf.variable(tf.randomNormal(shape, 0, 0.2, 'float32', seed + i));
    const weights = {
      dense: w([6, 4 * 4 * 8], 1),
      gamma: w([8], 2),
      beta: w([8], 3),
      deconv: w([4, 4, 4, 8], 4),
      toImage: w([4, 4, 1, 4], 5),
      conv: w([4, 4, 3, 6], 6),
      logit: w([4 * 4 * 6, 1], 7),
    };
    const z = tf.randomNormal([3, 4], 0, 1, 'float32', seed + 8);
    const label = tf.oneHot(tf.tensor1d([0, 1, 1], 'int32'), 2);
    const real = tf.randomUniform([3, 16, 16, 1], -1, 1, 'float32', seed + 9);
    const generate = () => {
      let x = tf.reshape(tf.matMul(tf.concat([z, label], 1), weights.dense), [3, 4, 4, 8]);
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      x = tf.relu(tf.batchNorm(x, mean, variance, weights.beta, weights.gamma, 1e-3));
      x = tf.conv2dTranspose(x as tf.Tensor4D, weights.deconv as tf.Tensor4D, [3, 8, 8, 4], 2, 'same');
      return tf.tanh(
        tf.conv2dTranspose(tf.relu(x) as tf.Tensor4D, weights.toImage as tf.Tensor4D, [3, 16, 16, 1], 2, 'same'),
      );
    };
    const discriminate = (image: tf.Tensor) => {
      const maps = tf.tile(tf.reshape(label, [3, 1, 1, 2]), [1, 16, 16, 1]);
      let x = tf.conv2d(tf.concat([image, maps], 3) as tf.Tensor4D, weights.conv as tf.Tensor4D, 4, 'same');
      x = tf.leakyRelu(x, 0.2);
      return tf.matMul(tf.reshape(x, [3, -1]), weights.logit);
    };
    const ones = tf.ones([3, 1]);
    const dLoss = () =>
      tf.add(
        tf.losses.sigmoidCrossEntropy(ones, discriminate(real)),
        tf.losses.sigmoidCrossEntropy(tf.zeros([3, 1]), discriminate(generate())),
      ) as tf.Scalar;
    const gLoss = () => tf.losses.sigmoidCrossEntropy(ones, discriminate(generate())) as tf.Scalar;
    const d = tf.variableGrads(dLoss, [weights.conv, weights.logit] as tf.Variable[]);
    const g = tf.variableGrads(gLoss, [
      weights.dense,
      weights.gamma,
      weights.beta,
      weights.deconv,
      weights.toImage,
    ] as tf.Variable[]);
    const grads = [...Object.values(d.grads), ...Object.values(g.grads)].map((t) => t.dataSync() as Float32Array);
    Object.values(weights).forEach((v) => v.dispose());
    return grads;
  });
}

describe('a cGAN training step', () => {
  it('runs forward and backward on wasm with the gradients tfjs computes on cpu', async () => {
    // Reference: the cpu backend with the project's portable kernels (each is tested
    // against the stock cpu kernel in kernels.test.ts).
    await initBackend('cpu', { nativeKernels: false });
    const reference = ganGradients(7);
    for (const nativeKernels of [false, true]) {
      await initBackend('wasm', { nativeKernels });
      const before = tf.memory().numTensors;
      const grads = ganGradients(7);
      expect(tf.memory().numTensors).toBe(before);
      expect(grads.length).toBe(reference.length);
      grads.forEach((grad, i) => {
        let scale = 1e-3;
        let worst = 0;
        for (let j = 0; j < grad.length; j++) {
          scale = Math.max(scale, Math.abs(reference[i][j]));
          worst = Math.max(worst, Math.abs(grad[j] - reference[i][j]));
        }
        expect(worst, `gradient ${i}, native kernels ${nativeKernels}`).toBeLessThanOrEqual(1e-3 * scale);
      });
    }
  });
});
