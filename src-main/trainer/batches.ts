import type { Batch } from '../engine/gan.ts';
import { derivedRng } from '../engine/rng.ts';
import type { PackedImages } from './tensor-cache.ts';

// Which images make up the batch of a given step. Random access by step (epoch order
// is a permutation drawn from the run seed and the epoch number), so a resumed run
// needs nothing but its step to continue with exactly the batches it would have seen.

export class BatchPlan {
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  private readonly images: PackedImages;
  private readonly seed: number;
  private readonly classBalanced: boolean;
  private readonly numClasses: number;
  /** Indices of each label's images. */
  private readonly byClass: Uint32Array[];
  private cachedEpoch = -1;
  private order: Uint32Array = new Uint32Array(0);
  private classOrders: Uint32Array[] = [];

  constructor(
    images: PackedImages,
    options: { batchSize: number; seed: number; classBalanced: boolean; numClasses: number },
  ) {
    if (images.count === 0) throw new Error('no images to train on');
    this.images = images;
    this.seed = options.seed;
    this.numClasses = options.numClasses;
    this.batchSize = Math.min(options.batchSize, images.count);
    // Whole batches only: every step sees the same batch size (batch norm statistics).
    this.stepsPerEpoch = Math.max(1, Math.floor(images.count / this.batchSize));
    const lists: number[][] = Array.from({ length: options.numClasses }, () => []);
    images.labels.forEach((label, index) => lists[label].push(index));
    this.byClass = lists.map((list) => Uint32Array.from(list));
    // Balancing only makes sense when every label has images.
    this.classBalanced = options.classBalanced && this.byClass.every((list) => list.length > 0);
  }

  epochOf(step: number): number {
    return Math.floor(step / this.stepsPerEpoch);
  }

  private prepareEpoch(epoch: number): void {
    if (epoch === this.cachedEpoch) return;
    const rng = derivedRng(this.seed, `epoch:${epoch}`);
    if (this.classBalanced) {
      this.classOrders = this.byClass.map((list) => {
        const p = rng.permutation(list.length);
        return Uint32Array.from(p, (i) => list[i]);
      });
    } else {
      this.order = rng.permutation(this.images.count);
    }
    this.cachedEpoch = epoch;
  }

  /** Image indices and labels of the batch for `step`. */
  indicesFor(step: number): { indices: Uint32Array; labels: Int32Array } {
    const epoch = this.epochOf(step);
    const within = step - epoch * this.stepsPerEpoch;
    this.prepareEpoch(epoch);
    const indices = new Uint32Array(this.batchSize);
    const labels = new Int32Array(this.batchSize);
    for (let j = 0; j < this.batchSize; j++) {
      const slot = within * this.batchSize + j;
      let index: number;
      if (this.classBalanced) {
        // Labels take turns; each label walks its own shuffled list, wrapping around
        // when it has fewer images than its share of the epoch.
        const label = slot % this.numClasses;
        const list = this.classOrders[label];
        index = list[Math.floor(slot / this.numClasses) % list.length];
      } else {
        index = this.order[slot];
      }
      indices[j] = index;
      labels[j] = this.images.labels[index];
    }
    return { indices, labels };
  }

  /** The batch for `step`, scaled to [-1, 1]. */
  batchFor(step: number): Batch {
    const { indices, labels } = this.indicesFor(step);
    const perImage = this.images.size * this.images.size * this.images.channels;
    const images = new Float32Array(this.batchSize * perImage);
    const pixels = this.images.pixels;
    for (let j = 0; j < indices.length; j++) {
      const from = indices[j] * perImage;
      const to = j * perImage;
      for (let p = 0; p < perImage; p++) images[to + p] = pixels[from + p] / 127.5 - 1;
    }
    return { images, labels };
  }
}

/**
 * Keeps the next step's batch ready: it is assembled right after the current one is
 * handed out, so the training loop never waits on gathering and scaling pixels.
 */
export class BatchPipeline {
  private readonly plan: BatchPlan;
  private ready: { step: number; batch: Batch } | null = null;

  constructor(plan: BatchPlan) {
    this.plan = plan;
  }

  take(step: number): Batch {
    const batch = this.ready?.step === step ? this.ready.batch : this.plan.batchFor(step);
    this.ready = null;
    return batch;
  }

  /** Prepare `step`'s batch now (call while the device is busy or the loop is idle). */
  prefetch(step: number): void {
    if (this.ready?.step !== step) this.ready = { step, batch: this.plan.batchFor(step) };
  }
}
