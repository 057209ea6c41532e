import { describe, expect, it } from 'vitest';
import { BatchPlan } from '../../src-main/trainer/batches.ts';
import type { PackedImages } from '../../src-main/trainer/tensor-cache.ts';

function packed(labels: number[]): PackedImages {
  const pixels = Uint8Array.from(labels.flatMap((_, i) => new Array<number>(4).fill(i % 256)));
  return {
    count: labels.length,
    size: 2,
    channels: 1,
    pixels,
    labels: Uint16Array.from(labels),
    fromCache: false,
    path: '',
  };
}

describe('batch plan', () => {
  // 30 images of label 0, 6 of label 1: imbalanced.
  const images = packed([...new Array<number>(30).fill(0), ...new Array<number>(6).fill(1)]);

  it('draws class-balanced batches when asked', () => {
    const plan = new BatchPlan(images, { batchSize: 8, seed: 1, classBalanced: true, numClasses: 2 });
    for (let step = 0; step < 8; step++) {
      const { labels } = plan.indicesFor(step);
      expect(labels.filter((l) => l === 1)).toHaveLength(4);
    }
  });

  it('visits every image once per epoch otherwise, in a seeded order', () => {
    const plan = new BatchPlan(images, { batchSize: 6, seed: 1, classBalanced: false, numClasses: 2 });
    expect(plan.stepsPerEpoch).toBe(6);
    const seen = Array.from({ length: 6 }, (_, s) => [...plan.indicesFor(s).indices]).flat();
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 36 }, (_, i) => i));
    const nextEpoch = [...plan.indicesFor(6).indices];
    expect(nextEpoch).not.toEqual([...plan.indicesFor(0).indices]);
  });

  it('gives the same batch for the same step, whatever was asked before (resume)', () => {
    const a = new BatchPlan(images, { batchSize: 8, seed: 4, classBalanced: true, numClasses: 2 });
    const b = new BatchPlan(images, { batchSize: 8, seed: 4, classBalanced: true, numClasses: 2 });
    a.batchFor(0);
    a.batchFor(9);
    expect(a.batchFor(13)).toEqual(b.batchFor(13));
    const batch = b.batchFor(0);
    expect(Math.min(...batch.images)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...batch.images)).toBeLessThanOrEqual(1);
  });
});
