// Eigen-decomposition of a small symmetric matrix (the latent directions' covariance,
// latentDim × latentDim) by cyclic Jacobi rotations: exact to float64 precision,
// no dependency, and fast enough for the latent sizes the studio trains (≤ 512).
import { symmetricEigen as jacobiEigen } from '../../../../src-main/engine/eval/frechet.ts';

export interface EigenPair {
  value: number;
  /** Unit length; sign fixed so the largest-magnitude component is positive. */
  vector: Float64Array;
}

/** All eigenpairs of the symmetric n×n `matrix` (row-major), largest eigenvalue first. */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): EigenPair[] {
  const a = Float64Array.from(matrix);
  if (a.length !== n * n) throw new Error(`expected a ${n}×${n} matrix, got ${a.length} values`);
  // The engine's Jacobi rotations (also behind the Fréchet distance): one implementation.
  const { values, vectors } = jacobiEigen(a, n);
  const pairs: EigenPair[] = [];
  for (let j = 0; j < n; j++) {
    const vector = new Float64Array(n);
    let largest = 0;
    for (let i = 0; i < n; i++) {
      vector[i] = vectors[i * n + j];
      if (Math.abs(vector[i]) > Math.abs(largest)) largest = vector[i];
    }
    if (largest < 0) for (let i = 0; i < n; i++) vector[i] = -vector[i];
    pairs.push({ value: values[j], vector });
  }
  return pairs.sort((x, y) => y.value - x.value);
}
