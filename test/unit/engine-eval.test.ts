import { describe, expect, it } from 'vitest';
import { fitGaussian, frechetDistance, sqrtPsd } from '../../src-main/engine/eval/frechet.ts';
import { Rng } from '../../src-main/engine/rng.ts';

function samples(count: number, dim: number, mean: number, sd: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return rng.normals(count * dim).map((v) => mean + sd * v);
}

describe('Fréchet distance', () => {
  it('is |μ1 − μ2|² + d(σ1 − σ2)² for isotropic Gaussians', () => {
    const dim = 4;
    const a = { dim, mean: new Float64Array(dim).fill(1), covariance: new Float64Array(dim * dim) };
    const b = { dim, mean: new Float64Array(dim).fill(3), covariance: new Float64Array(dim * dim) };
    for (let i = 0; i < dim; i++) {
      a.covariance[i * dim + i] = 4; // σ = 2
      b.covariance[i * dim + i] = 1; // σ = 1
    }
    expect(frechetDistance(a, b)).toBeCloseTo(dim * 4 + dim * 1, 8);
    expect(frechetDistance(a, a)).toBeCloseTo(0, 8);
  });

  it('handles full covariances: sqrtPsd squares back, distance is symmetric', () => {
    const dim = 6;
    const g1 = fitGaussian(samples(400, dim, 0, 1, 1), 400, dim);
    const root = sqrtPsd(g1.covariance, dim);
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < dim; j++) {
        let sum = 0;
        for (let k = 0; k < dim; k++) sum += root[i * dim + k] * root[k * dim + j];
        expect(sum).toBeCloseTo(g1.covariance[i * dim + j], 8);
      }
    }
    const g2 = fitGaussian(samples(400, dim, 0.5, 2, 2), 400, dim);
    expect(frechetDistance(g1, g2)).toBeCloseTo(frechetDistance(g2, g1), 6);
    expect(frechetDistance(g1, g2)).toBeGreaterThan(
      frechetDistance(g1, fitGaussian(samples(400, dim, 0, 1, 3), 400, dim)),
    );
  });
});
