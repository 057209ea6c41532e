// The Fréchet distance between two Gaussians fitted to feature sets (as in FID, on the
// built-in classifier's features instead of Inception's):
//   |μ1 − μ2|² + tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^½)
// with tr (Σ1 Σ2)^½ = Σ √λ of the symmetric PSD matrix Σ1^½ Σ2 Σ1^½. Plain float64 JS:
// at 128 dimensions a Jacobi eigen-decomposition is a few milliseconds.

export interface Gaussian {
  dim: number;
  mean: Float64Array;
  /** dim × dim, row-major. */
  covariance: Float64Array;
}

export function fitGaussian(features: Float32Array, count: number, dim: number): Gaussian {
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let d = 0; d < dim; d++) mean[d] += features[i * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= count;
  const covariance = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dim; d++) centred[d] = features[i * dim + d] - mean[d];
    for (let a = 0; a < dim; a++) {
      const ca = centred[a];
      if (ca === 0) continue;
      for (let b = a; b < dim; b++) covariance[a * dim + b] += ca * centred[b];
    }
  }
  const denominator = Math.max(1, count - 1);
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = covariance[a * dim + b] / denominator;
      covariance[a * dim + b] = v;
      covariance[b * dim + a] = v;
    }
  }
  return { dim, mean, covariance };
}

/** Eigenvalues and eigenvectors (columns of `vectors`) of a symmetric matrix, by cyclic Jacobi rotations. */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
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
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}

function multiply(x: Float64Array, y: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const xik = x[i * n + k];
      if (xik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += xik * y[k * n + j];
    }
  }
  return out;
}

/** Square root of a symmetric PSD matrix (negative eigenvalues from round-off clamp to 0). */
export function sqrtPsd(matrix: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const scaled = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) scaled[i * n + j] = vectors[i * n + j] * Math.sqrt(Math.max(0, values[j]));
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += scaled[i * n + k] * vectors[j * n + k];
      out[i * n + j] = sum;
    }
  }
  return out;
}

export function frechetDistance(a: Gaussian, b: Gaussian): number {
  const n = a.dim;
  let meanTerm = 0;
  for (let d = 0; d < n; d++) meanTerm += (a.mean[d] - b.mean[d]) ** 2;
  let traceA = 0;
  let traceB = 0;
  for (let d = 0; d < n; d++) {
    traceA += a.covariance[d * n + d];
    traceB += b.covariance[d * n + d];
  }
  const rootA = sqrtPsd(a.covariance, n);
  const inner = multiply(multiply(rootA, b.covariance, n), rootA, n);
  // Symmetrise against round-off before the eigen-decomposition.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const m = (inner[i * n + j] + inner[j * n + i]) / 2;
      inner[i * n + j] = m;
      inner[j * n + i] = m;
    }
  }
  const { values } = symmetricEigen(inner, n);
  let traceRoot = 0;
  for (const value of values) traceRoot += Math.sqrt(Math.max(0, value));
  return Math.max(0, meanTerm + traceA + traceB - 2 * traceRoot);
}
