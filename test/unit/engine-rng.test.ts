import { describe, expect, it } from 'vitest';
import { Rng, derivedRng } from '../../src-main/engine/rng.ts';

describe('Rng', () => {
  it('gives the same sequence for the same seed and different ones otherwise', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const seqA = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(seqA);
  });

  it('continues exactly from a saved state, including a pending Box-Muller value', () => {
    const rng = new Rng(7);
    rng.normals(3); // odd count: one spare normal is pending
    const saved = rng.getState();
    const expected = [...rng.normals(5), rng.next(), rng.int(10)];
    const restored = Rng.fromState(saved.words, saved.spare);
    expect([...restored.normals(5), restored.next(), restored.int(10)]).toEqual(expected);
  });

  it('draws standard normals and valid permutations', () => {
    const values = new Rng(1).normals(20_000);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const truncated = new Rng(1).normals(5000, 1.5);
    expect(Math.max(...truncated.map(Math.abs))).toBeLessThanOrEqual(1.5);
    const p = new Rng(5).permutation(100);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('derives independent, reproducible streams per purpose', () => {
    expect(derivedRng(1, 'epoch:0').next()).toBe(derivedRng(1, 'epoch:0').next());
    expect(derivedRng(1, 'epoch:0').next()).not.toBe(derivedRng(1, 'epoch:1').next());
  });
});
