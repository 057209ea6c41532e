import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AUGMENT_BELOW_PER_CLASS,
  IMAGE_SIZES,
  defaultConfig,
  imageSizeFor,
  resolveConfig,
} from '../../src-main/engine/config.ts';
import { baseSide, buildDiscriminator, buildGenerator, doublings } from '../../src-main/engine/models.ts';
import { useCpu } from './engine-helpers.ts';

beforeAll(useCpu);

describe('model builders', () => {
  for (const imageSize of IMAGE_SIZES) {
    for (const channels of [1, 3] as const) {
      it(`G and D fit ${imageSize} px × ${channels} channel(s)`, () => {
        const config = resolveConfig(
          { imageSize, channels, numClasses: 5 },
          { generatorWidth: 4, discriminatorWidth: 4, maxWidth: 16 },
        );
        const g = buildGenerator(config);
        const d = buildDiscriminator(config);
        tf.tidy(() => {
          const z = tf.randomNormal([2, config.latentDim]);
          const y = tf.cast(tf.oneHot(tf.tensor1d([0, 4], 'int32'), 5), 'float32');
          const image = g.predict([z, y]) as tf.Tensor;
          expect(image.shape).toEqual([2, imageSize, imageSize, channels]);
          // tanh output
          expect(tf.max(tf.abs(image)).dataSync()[0]).toBeLessThanOrEqual(1);
          const logit = d.predict([image, y]) as tf.Tensor;
          expect(logit.shape).toEqual([2, 1]);
        });
        expect(g.inputs.map((i) => i.shape)).toEqual([
          [null, config.latentDim],
          [null, 5],
        ]);
        g.dispose();
        d.dispose();
      });
    }
  }

  it('follows the lecture: 7×7 base for 28 px, 4×4 otherwise, one doubling per transpose block', () => {
    expect([baseSide(28), doublings(28)]).toEqual([7, 2]);
    expect([baseSide(32), doublings(32)]).toEqual([4, 3]);
    expect([baseSide(64), doublings(64)]).toEqual([4, 4]);
    expect([baseSide(128), doublings(128)]).toEqual([4, 5]);
    const g = buildGenerator(defaultConfig({ imageSize: 28, channels: 1, numClasses: 10 }));
    const kinds = g.layers.map((l) => l.getClassName());
    expect(kinds.filter((k) => k === 'Conv2DTranspose')).toHaveLength(2);
    expect(kinds).toContain('BatchNormalization');
    expect(g.layers[3].getClassName()).toBe('Dense');
    const d = buildDiscriminator(defaultConfig({ imageSize: 28, channels: 1, numClasses: 10 }));
    expect(d.layers.filter((l) => l.getClassName() === 'LeakyReLU')).toHaveLength(2);
    // The label reaches D as one-hot maps concatenated to the image channels.
    const concat = d.layers.find((l) => l.getClassName() === 'Concatenate');
    expect(concat?.outputShape).toEqual([null, 28, 28, 11]);
    g.dispose();
    d.dispose();
  });
});

describe('config', () => {
  it('has the lecture defaults', () => {
    const c = defaultConfig({ imageSize: 28, channels: 1, numClasses: 10 });
    expect(c).toMatchObject({
      latentDim: 100,
      batchSize: 64,
      generatorLearningRate: 2e-4,
      discriminatorLearningRate: 2e-4,
      beta1: 0.5,
    });
    expect(c.augment).toEqual([]);
  });

  it('turns DiffAugment on for small classes', () => {
    expect(
      defaultConfig({ imageSize: 64, channels: 3, numClasses: 2, smallestClass: AUGMENT_BELOW_PER_CLASS - 1 }).augment,
    ).toEqual(['translation', 'color', 'cutout']);
  });

  it('sizes widths per resolution and validates overrides', () => {
    expect(defaultConfig({ imageSize: 128, channels: 3, numClasses: 2 }).generatorWidth).toBeLessThan(
      defaultConfig({ imageSize: 28, channels: 1, numClasses: 2 }).generatorWidth,
    );
    expect(() => resolveConfig({ imageSize: 28, channels: 1, numClasses: 2 }, { batchSize: 0 })).toThrow();
    expect(() => resolveConfig({ imageSize: 28, channels: 1, numClasses: 2 }, { bogus: 1 } as never)).toThrow();
    expect(resolveConfig({ imageSize: 28, channels: 1, numClasses: 2 }, { batchSize: undefined }).batchSize).toBe(64);
  });

  it('maps image sides to supported sizes', () => {
    expect([imageSizeFor(20), imageSizeFor(28), imageSizeFor(30), imageSizeFor(50), imageSizeFor(500)]).toEqual([
      28, 28, 32, 64, 128,
    ]);
  });
});
