import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffAugment } from '../../src-main/engine/augment.ts';
import { Gan } from '../../src-main/engine/gan.ts';
import { allVariables } from '../../src-main/engine/models.ts';
import { Rng } from '../../src-main/engine/rng.ts';
import { renderSampleGrid } from '../../src-main/engine/sampling.ts';
import { deserializeGan, serializeGan } from '../../src-main/engine/state.ts';
import { exportLayersModel, importLayersModel } from '../../src-main/engine/export.ts';
import { syntheticBatch, tinyConfig, useCpu } from './engine-helpers.ts';

beforeAll(useCpu);

function snapshot(gan: Gan): Float32Array[] {
  return [
    ...allVariables(gan.generator),
    ...allVariables(gan.discriminator),
    ...(gan.emaGenerator ? allVariables(gan.emaGenerator) : []),
    ...gan.generatorOptimizer.stateTensors(),
    ...gan.discriminatorOptimizer.stateTensors(),
  ].map((v) => v.dataSync() as Float32Array);
}

describe('training step', () => {
  it('keeps tf.memory().numTensors flat across steps, reports and grids', () => {
    const config = tinyConfig({ augment: ['translation', 'color', 'cutout'], gridColumns: 2 });
    const gan = new Gan(config);
    const batch = syntheticBatch(config);
    gan.trainStep(batch);
    gan.readFigures();
    renderSampleGrid(gan.samplingGenerator, config);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      gan.trainStep(batch);
      gan.readFigures();
      renderSampleGrid(gan.samplingGenerator, config);
      gan.weightsFinite();
    }
    expect(tf.memory().numTensors).toBe(before);
    gan.dispose();
  });

  it('reports finite figures and changes every trainable weight', () => {
    const config = tinyConfig();
    const gan = new Gan(config);
    const before = gan.generator.trainableWeights.map((w) => w.read().dataSync().slice());
    gan.trainStep(syntheticBatch(config));
    gan.trainStep(syntheticBatch(config, 4));
    const figures = gan.readFigures();
    expect(figures.steps).toBe(2);
    expect(figures.finite).toBe(true);
    expect(figures.dReal).toBeGreaterThan(0);
    expect(figures.dReal).toBeLessThan(1);
    expect(figures.dLoss).toBeGreaterThan(0);
    gan.generator.trainableWeights.forEach((w, i) => expect(w.read().dataSync()).not.toEqual(before[i]));
    expect(gan.readFigures().steps).toBe(0);
    gan.dispose();
  });

  it('flags NaN losses', () => {
    const config = tinyConfig();
    const gan = new Gan(config);
    const batch = syntheticBatch(config);
    batch.images[0] = NaN;
    gan.trainStep(batch);
    expect(gan.readFigures().finite).toBe(false);
    gan.dispose();
  });

  it('keeps an exponential moving average of G (with warm-up)', () => {
    const config = tinyConfig({ emaDecay: 0.999 });
    const gan = new Gan(config);
    const initial = allVariables(gan.generator).map((v) => v.dataSync().slice());
    expect(allVariables(gan.emaGenerator!).map((v) => v.dataSync())).toEqual(initial);
    gan.trainStep(syntheticBatch(config));
    // At step 0 the warm-up decay is min(0.999, 1/10) = 0.1.
    const after = allVariables(gan.generator).map((v) => v.dataSync());
    allVariables(gan.emaGenerator!).forEach((v, i) => {
      const ema = v.dataSync();
      for (let j = 0; j < ema.length; j += 7) expect(ema[j]).toBeCloseTo(0.1 * initial[i][j] + 0.9 * after[i][j], 5);
    });
    expect(new Gan(tinyConfig({ emaDecay: 0 })).emaGenerator).toBeNull();
    gan.dispose();
  });

  it('starts identically from the same seed', () => {
    const a = new Gan(tinyConfig({ seed: 9 }));
    const b = new Gan(tinyConfig({ seed: 9 }));
    const c = new Gan(tinyConfig({ seed: 10 }));
    expect(snapshot(a)).toEqual(snapshot(b));
    expect(snapshot(a)[0]).not.toEqual(snapshot(c)[0]);
    [a, b, c].forEach((g) => g.dispose());
  });
});

describe('serialisation', () => {
  it('round-trips the whole state and resumes bit-exactly', async () => {
    const config = tinyConfig({ augment: ['translation', 'cutout'] });
    const batches = [1, 2, 3, 4].map((s) => syntheticBatch(config, s));
    const straight = new Gan(config);
    for (const b of batches) straight.trainStep(b);

    const first = new Gan(config);
    first.trainStep(batches[0]);
    first.trainStep(batches[1]);
    const saved = await serializeGan(first);
    // Through JSON, as the trainer writes it.
    const restored = deserializeGan({ state: JSON.parse(JSON.stringify(saved.state)), data: saved.data.slice(0) });
    expect(snapshot(restored)).toEqual(snapshot(first));
    expect(restored.step).toBe(2);
    restored.trainStep(batches[2]);
    restored.trainStep(batches[3]);
    expect(snapshot(restored)).toEqual(snapshot(straight));
    [straight, first, restored].forEach((g) => g.dispose());
  });

  it('refuses a state whose shapes do not fit the model', async () => {
    const gan = new Gan(tinyConfig());
    const saved = await serializeGan(gan);
    expect(() => deserializeGan(saved, tinyConfig({ generatorWidth: 8 }))).toThrow(/shape/);
    gan.dispose();
  });

  it('exports G as a layers model that loads back with the same outputs', async () => {
    const config = tinyConfig();
    const gan = new Gan(config);
    gan.trainStep(syntheticBatch(config));
    const exported = await exportLayersModel(gan.samplingGenerator);
    expect(exported.modelJson.format).toBe('layers-model');
    const loaded = await importLayersModel(exported);
    tf.tidy(() => {
      const z = tf.randomNormal([2, config.latentDim]);
      const y = tf.cast(tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3), 'float32');
      const a = (gan.samplingGenerator.predict([z, y]) as tf.Tensor).dataSync();
      const b = (loaded.predict([z, y]) as tf.Tensor).dataSync();
      expect(Array.from(b)).toEqual(Array.from(a));
    });
    loaded.dispose();
    gan.dispose();
  });
});

describe('DiffAugment', () => {
  const shape = [4, 28, 28, 1] as [number, number, number, number];

  it('keeps shapes, is reproducible from the RNG state and lets gradients through', () => {
    const x = tf.randomUniform(shape, -1, 1);
    for (const policy of ['translation', 'color', 'cutout'] as const) {
      const a = tf.tidy(() => diffAugment(x as tf.Tensor4D, [policy], new Rng(1)));
      const b = tf.tidy(() => diffAugment(x as tf.Tensor4D, [policy], new Rng(1)));
      expect(a.shape).toEqual(shape);
      expect(a.dataSync()).toEqual(b.dataSync());
      const grad = tf.grad((input: tf.Tensor) => tf.sum(diffAugment(input as tf.Tensor4D, [policy], new Rng(1))))(x);
      expect(tf.sum(tf.abs(grad)).dataSync()[0]).toBeGreaterThan(0);
      tf.dispose([a, b, grad]);
    }
    x.dispose();
  });

  it('translation only moves pixels and fills with 0; cutout zeroes a quarter at most', () => {
    const x = tf.fill(shape, 0.5);
    const moved = tf.tidy(() => diffAugment(x as tf.Tensor4D, ['translation'], new Rng(3)));
    const values = new Set(Array.from(moved.dataSync()).map((v) => Math.round(v * 1000) / 1000));
    expect([...values].every((v) => v === 0 || v === 0.5)).toBe(true);
    const cut = tf.tidy(() => diffAugment(x as tf.Tensor4D, ['cutout'], new Rng(3)));
    const zeros = Array.from(cut.dataSync()).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(0);
    expect(zeros).toBeLessThanOrEqual(4 * 14 * 14);
    tf.dispose([x, moved, cut]);
  });

  it('colour shifts brightness and contrast per image, within a bounded range', () => {
    const x = tf.randomUniform(shape, -1, 1);
    const y = tf.tidy(() => diffAugment(x as tf.Tensor4D, ['color'], new Rng(2)));
    const max = tf.max(tf.abs(y)).dataSync()[0];
    expect(max).toBeLessThan(1 * 1.5 + 0.5 + 1e-5 + 1);
    expect(y.dataSync()).not.toEqual(x.dataSync());
    tf.dispose([x, y]);
  });
});
