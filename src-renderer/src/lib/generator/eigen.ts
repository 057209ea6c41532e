// Eigen-decomposition of a small symmetric matrix (the latent directions' covariance,
// latentDim × latentDim) by cyclic Jacobi rotations: exact to float64 precision,
// no dependency, and fast enough for the latent sizes the studio trains (≤ 512).

export interface EigenPair {
  value: number;
  /** Unit length; sign fixed so the largest-magnitude component is positive. */
  vector: Float64Array;
}

/** All eigenpairs of the symmetric n×n `matrix` (row-major), largest eigenvalue first. */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): EigenPair[] {
  const a = Float64Array.from(matrix);
  if (a.length !== n * n) throw new Error(`expected a ${n}×${n} matrix, got ${a.length} values`);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const pairs: EigenPair[] = [];
  for (let j = 0; j < n; j++) {
    const vector = new Float64Array(n);
    let largest = 0;
    for (let i = 0; i < n; i++) {
      vector[i] = v[i * n + j];
      if (Math.abs(vector[i]) > Math.abs(largest)) largest = vector[i];
    }
    if (largest < 0) for (let i = 0; i < n; i++) vector[i] = -vector[i];
    pairs.push({ value: a[j * n + j], vector });
  }
  return pairs.sort((x, y) => y.value - x.value);
}
