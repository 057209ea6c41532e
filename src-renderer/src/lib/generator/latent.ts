import { Rng } from '../../../../src-main/engine/rng.ts';

// Latent vectors in the units of the prior the generator was trained with: z ~ N(0, I),
// so a value is a number of standard deviations. A seed names one z exactly (the
// engine's sfc32 generator), which is what makes a seed typed in the studio, in the CLI
// and in an exported page draw the same picture.

/** The slider range: ±3σ covers 99.7 % of what the prior draws. */
export const SIGMA_LIMIT = 3;
export const MAX_SEED = 0xffffffff;

/**
 * z for a seed. With truncation t > 0 every component beyond ±t is redrawn (the
 * truncation trick: values nearer the mode give more typical, less varied images).
 */
export function latentForSeed(seed: number, latentDim: number, truncation = 0): Float32Array {
  return new Rng(seed >>> 0).normals(latentDim, truncation);
}

export function randomSeed(): number {
  const words = new Uint32Array(1);
  crypto.getRandomValues(words);
  return words[0];
}

/** Clamp every component to the slider range. */
export function clampToSliders(z: Float32Array): Float32Array {
  return z.map((v) => Math.max(-SIGMA_LIMIT, Math.min(SIGMA_LIMIT, v)));
}

export function lerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  return a.map((v, i) => v + (b[i] - v) * t);
}

/**
 * Spherical interpolation: under a Gaussian prior the straight line between two draws
 * passes through low-norm, atypical latents; the great circle keeps the norm typical.
 */
export function slerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const cos = dot / (Math.sqrt(na * nb) || 1);
  const omega = Math.acos(Math.max(-1, Math.min(1, cos)));
  if (omega < 1e-4) return lerp(a, b, t);
  const sin = Math.sin(omega);
  const wa = Math.sin((1 - t) * omega) / sin;
  const wb = Math.sin(t * omega) / sin;
  return a.map((v, i) => wa * v + wb * b[i]);
}

/** The one-hot label, or a soft mix (1 − t)·a + t·b of two labels. */
export function labelVector(numLabels: number, a: number, b = a, t = 0): Float32Array {
  const y = new Float32Array(numLabels);
  y[a] += 1 - t;
  y[b] += t;
  return y;
}

/** Evenly spaced t in [0, 1], both ends included. */
export function steps(count: number): number[] {
  if (count <= 1) return [0];
  return Array.from({ length: count }, (_, i) => i / (count - 1));
}

/** Coefficient of z along a unit direction. */
export function project(z: Float32Array, direction: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += z[i] * direction[i];
  return sum;
}

/** z with its coefficient along the unit `direction` set to `value`; the rest unchanged. */
export function setAlong(z: Float32Array, direction: Float32Array, value: number): Float32Array {
  const delta = value - project(z, direction);
  return z.map((v, i) => v + delta * direction[i]);
}
