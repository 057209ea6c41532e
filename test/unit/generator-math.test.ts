import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-main/engine/rng.ts';
import { symmetricEigen } from '../../src-renderer/src/lib/generator/eigen.ts';
import {
  clampToSliders,
  labelVector,
  latentForSeed,
  project,
  setAlong,
  slerp,
  steps,
} from '../../src-renderer/src/lib/generator/latent.ts';
import { toRgba } from '../../src-renderer/src/lib/generator/model.ts';
import { scaleNearest, tile } from '../../src-renderer/src/lib/generator/tiling.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A random orthonormal basis (Gram-Schmidt on normals), columns in a row-major n×n array. */
function orthonormal(n: number, rng: Rng): Float64Array {
  const q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const v = Float64Array.from(rng.normals(n));
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += v[i] * q[i * n + k];
      for (let i = 0; i < n; i++) v[i] -= dot * q[i * n + k];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) q[i * n + j] = v[i] / norm;
  }
  return q;
}

describe('symmetricEigen', () => {
  it('recovers the eigenvalues and eigenvectors of Q diag(λ) Qᵀ', () => {
    const n = 12;
    const rng = new Rng(3);
    const q = orthonormal(n, rng);
    const lambda = Array.from({ length: n }, (_, i) => (n - i) ** 2);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += q[i * n + k] * lambda[k] * q[j * n + k];
    const pairs = symmetricEigen(a, n);
    pairs.forEach((pair, k) => {
      expect(pair.value).toBeCloseTo(lambda[k], 8);
      // Same vector up to sign: |⟨v, q_k⟩| = 1.
      let dot = 0;
      for (let i = 0; i < n; i++) dot += pair.vector[i] * q[i * n + k];
      expect(Math.abs(dot)).toBeCloseTo(1, 8);
    });
  });

  it('returns unit vectors, largest component positive, largest eigenvalue first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const rng = new Rng(seed);
        const b = rng.normals(n * n);
        const a = new Float64Array(n * n);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += b[i * n + k] * b[j * n + k];
        const pairs = symmetricEigen(a, n);
        for (let k = 1; k < n; k++) expect(pairs[k - 1].value).toBeGreaterThanOrEqual(pairs[k].value - 1e-9);
        for (const { vector } of pairs) {
          expect(Math.hypot(...vector)).toBeCloseTo(1, 9);
          const largest = vector.reduce((m, v) => (Math.abs(v) > Math.abs(m) ? v : m), 0);
          expect(largest).toBeGreaterThan(0);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('latents', () => {
  it('draws the engine RNG stream for a seed, the same every time', () => {
    expect(latentForSeed(42, 100)).toEqual(new Rng(42).normals(100));
    expect(latentForSeed(42, 100)).toEqual(latentForSeed(42, 100));
    expect(latentForSeed(43, 100)).not.toEqual(latentForSeed(42, 100));
  });

  it('keeps every component within ±t under truncation', () => {
    const z = latentForSeed(9, 1000, 0.7);
    expect(Math.max(...z.map(Math.abs))).toBeLessThanOrEqual(0.7);
    expect(Math.max(...clampToSliders(Float32Array.from([5, -7, 1])))).toBe(3);
  });

  it('slerps from a to b, keeping a typical norm in between', () => {
    const a = latentForSeed(1, 256);
    const b = latentForSeed(2, 256);
    expect(Array.from(slerp(a, b, 0))).toEqual(Array.from(a).map((v) => expect.closeTo(v, 5)));
    expect(Array.from(slerp(a, b, 1))).toEqual(Array.from(b).map((v) => expect.closeTo(v, 5)));
    const norm = (v: Float32Array) => Math.hypot(...v);
    expect(norm(slerp(a, b, 0.5))).toBeGreaterThan(0.95 * Math.min(norm(a), norm(b)));
    expect(steps(5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('mixes two labels softly and sets a direction coefficient exactly', () => {
    expect(Array.from(labelVector(4, 1))).toEqual([0, 1, 0, 0]);
    expect(Array.from(labelVector(4, 1, 3, 0.25))).toEqual([0, 0.75, 0, 0.25]);
    const d = new Float32Array(8);
    d[0] = d[1] = Math.SQRT1_2;
    const z = latentForSeed(5, 8);
    const moved = setAlong(z, d, 1.5);
    expect(project(moved, d)).toBeCloseTo(1.5, 5);
    // Only the component along d changed.
    for (let i = 2; i < 8; i++) expect(moved[i]).toBe(z[i]);
  });
});

describe('pixels', () => {
  it('turns tanh output into bytes exactly like the engine (tf.round, ties to even)', () => {
    const values = Float32Array.from([
      -1,
      1,
      0,
      -2,
      2,
      1 / 255,
      3 / 255,
      0.5 / 127.5 - 1,
      2.5 / 127.5 - 1,
      ...new Rng(4).normals(200).map(Math.tanh),
    ]);
    const engine = tf.tidy(() =>
      tf.cast(tf.round(tf.clipByValue(tf.mul(tf.add(tf.tensor1d(values), 1), 127.5), 0, 255)), 'int32').dataSync(),
    );
    const rgba = toRgba(values, 1);
    values.forEach((_, i) => {
      expect(rgba[i * 4]).toBe(engine[i]);
      expect(rgba[i * 4 + 1]).toBe(engine[i]);
      expect(rgba[i * 4 + 3]).toBe(255);
    });
  });

  it('tiles images with gaps and scales by whole pixel blocks', () => {
    const size = 2;
    const images = new Uint8ClampedArray(3 * size * size * 4).map((_, i) => Math.floor(i / 16) * 100 + 1);
    const grid = tile(images, size, 3, 2, 1, 0);
    expect([grid.width, grid.height]).toEqual([5, 5]);
    expect(grid.data[0]).toBe(1); // image 0
    expect(grid.data[(0 * 5 + 3) * 4]).toBe(101); // image 1, after one gap column
    expect(grid.data[(3 * 5 + 0) * 4]).toBe(201); // image 2, next row
    expect(grid.data[(2 * 5 + 0) * 4]).toBe(0); // the gap row
    const big = scaleNearest(grid, 3);
    expect([big.width, big.height]).toEqual([15, 15]);
    for (let y = 0; y < 15; y++)
      for (let x = 0; x < 15; x++)
        expect(big.data[(y * 15 + x) * 4]).toBe(grid.data[(Math.floor(y / 3) * 5 + Math.floor(x / 3)) * 4]);
  });
});

describe('latent directions', () => {
  it('are orthonormal, ordered by share, the same every time, and the first moves the picture most', async () => {
    const { buildGenerator, initializeWeights } = await import('../../src-main/engine/models.ts');
    const { LoadedGenerator } = await import('../../src-renderer/src/lib/generator/model.ts');
    const { computeDirections } = await import('../../src-renderer/src/lib/generator/directions.ts');
    const shape = {
      imageSize: 28,
      channels: 1,
      numClasses: 2,
      latentDim: 6,
      generatorWidth: 4,
      discriminatorWidth: 4,
      maxWidth: 16,
    } as const;
    const model = buildGenerator(shape);
    initializeWeights(model, { normals: (n: number) => new Rng('directions-test').normals(n).map((v) => v * 10) });
    const generator = new LoadedGenerator(
      {
        format: 'cgan-studio-generator',
        version: 1,
        model: 'model.json',
        inputs: ['z', 'label'],
        latentDim: 6,
        labels: ['a', 'b'],
        imageSize: 28,
        channels: 1,
        outputRange: [-1, 1],
        ema: false,
        step: 0,
        seed: 1,
      },
      model,
      { checkpoint: null, ema: false },
    );
    const first = await computeDirections(generator, { samples: 64, batch: 16, keep: 6 });
    const second = await computeDirections(generator, { samples: 64, batch: 16, keep: 6 });
    expect(first.map((d) => Array.from(d.vector))).toEqual(second.map((d) => Array.from(d.vector)));
    for (let a = 0; a < first.length; a++) {
      for (let b = 0; b < first.length; b++)
        expect(project(first[a].vector, first[b].vector)).toBeCloseTo(a === b ? 1 : 0, 4);
      if (a > 0) expect(first[a - 1].share).toBeGreaterThanOrEqual(first[a].share);
    }
    // A small step along the first direction changes the image more than one along the
    // last, on average over the prior (what the directions are ranked by).
    const change = (seed: number, d: Float32Array) => {
      const z = latentForSeed(seed, 6);
      const y = labelVector(2, seed % 2);
      const moved = z.map((v, i) => v + 0.05 * d[i]);
      const [base, after] = [z, moved].map((latent) =>
        tf.tidy(() => generator.forward(tf.tensor2d(latent, [1, 6]), tf.tensor2d(y, [1, 2])).dataSync()),
      );
      return Math.hypot(...after.map((v, i) => v - base[i]));
    };
    const mean = (d: Float32Array) => Array.from({ length: 16 }, (_, s) => change(s, d)).reduce((a, b) => a + b) / 16;
    expect(mean(first[0].vector)).toBeGreaterThan(mean(first[5].vector));
    generator.dispose();
  });
});
