import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Adam } from './adam.ts';
import './chained-ops.ts';
import { diffAugment } from './augment.ts';
import type { GanConfig } from './config.ts';
import {
  allVariables,
  buildDiscriminator,
  buildGenerator,
  initializeWeights,
  labelInput,
  trainableVariables,
} from './models.ts';
import { derivedRng, type Rng } from './rng.ts';

/** One batch of real images, already scaled to [-1, 1], and their label indices. */
export interface Batch {
  /** batch × size × size × channels, row-major, in [-1, 1]. */
  images: Float32Array;
  labels: Int32Array;
}

/** Means over the steps since the last read. */
export interface StepFigures {
  steps: number;
  dLoss: number;
  gLoss: number;
  /** Mean D(x): D's probability that a real image is real. */
  dReal: number;
  /** Mean D(G(z)): D's probability that a fake image is real. */
  dFake: number;
  /** False when any of the losses was NaN or ±Inf in any of those steps. */
  finite: boolean;
}

/**
 * The conditional GAN being trained: G, D, the EMA copy of G, both optimisers and the
 * RNG. Owns all their tensors; call dispose() when done. Environment-free: the trainer
 * feeds it batches and persists its state.
 */
export class Gan {
  readonly config: GanConfig;
  readonly generator: tfl.LayersModel;
  readonly discriminator: tfl.LayersModel;
  /** G's exponential moving average, or null when emaDecay is 0. */
  readonly emaGenerator: tfl.LayersModel | null;
  readonly generatorOptimizer: Adam;
  readonly discriminatorOptimizer: Adam;
  rng: Rng;
  step = 0;
  /** Running sums of [dLoss, gLoss, D(x), D(G(z))] since the last readFigures(). */
  private readonly sums: tf.Variable;
  private summedSteps = 0;

  constructor(config: GanConfig) {
    this.config = config;
    const init = derivedRng(config.seed, 'weights');
    this.generator = buildGenerator(config);
    this.discriminator = buildDiscriminator(config);
    initializeWeights(this.generator, init);
    initializeWeights(this.discriminator, init);
    this.emaGenerator = config.emaDecay > 0 ? buildGenerator(config) : null;
    if (this.emaGenerator) copyWeights(this.generator, this.emaGenerator);
    const adam = (learningRate: number) => ({ learningRate, beta1: config.beta1, beta2: config.beta2 });
    this.generatorOptimizer = new Adam(trainableVariables(this.generator), adam(config.generatorLearningRate));
    this.discriminatorOptimizer = new Adam(
      trainableVariables(this.discriminator),
      adam(config.discriminatorLearningRate),
    );
    this.rng = derivedRng(config.seed, 'training');
    this.sums = tf.tidy(() => tf.variable(tf.zeros([4]), false));
  }

  /** The generator to sample from: the EMA copy when there is one. */
  get samplingGenerator(): tfl.LayersModel {
    return this.emaGenerator ?? this.generator;
  }

  /**
   * One discriminator update then one generator update on this batch (the lecture's
   * alternating scheme). Reads nothing back from the device: the figures stay in a
   * running sum until readFigures().
   */
  trainStep(batch: Batch): void {
    const { config } = this;
    const size = batch.labels.length;
    const latent = this.rng.normals(size * config.latentDim);
    const kept: tf.Tensor[] = [];
    tf.tidy(() => {
      const real = tf.tensor4d(batch.images, [size, config.imageSize, config.imageSize, config.channels]);
      const label = labelInput(batch.labels, config.numClasses);
      const z = tf.tensor2d(latent, [size, config.latentDim]);
      const augment = (x: tf.Tensor4D) => (config.augment.length > 0 ? diffAugment(x, config.augment, this.rng) : x);
      const realTarget = tf.fill([size, 1], config.realLabel);
      const ones = tf.ones([size, 1]);
      const zeros = tf.zeros([size, 1]);

      // D: real → realLabel (one-sided smoothing), G(z) → 0. G's output is a constant here.
      const fake = this.generator.apply([z, label], { training: true }) as tf.Tensor4D;
      const realSeen = augment(real);
      const fakeSeen = augment(fake);
      const d = tf.variableGrads(() => {
        const realLogits = this.discriminator.apply([realSeen, label], { training: true }) as tf.Tensor;
        const fakeLogits = this.discriminator.apply([fakeSeen, label], { training: true }) as tf.Tensor;
        kept.push(tf.keep(tf.mean(tf.sigmoid(realLogits))), tf.keep(tf.mean(tf.sigmoid(fakeLogits))));
        return tf.add(
          tf.losses.sigmoidCrossEntropy(realTarget, realLogits),
          tf.losses.sigmoidCrossEntropy(zeros, fakeLogits),
        ) as tf.Scalar;
      }, this.discriminatorOptimizer.variables);
      this.discriminatorOptimizer.apply(this.discriminatorOptimizer.variables.map((v) => d.grads[v.name]));

      // G: non-saturating loss, -log D(G(z)), against the D just updated.
      const g = tf.variableGrads(() => {
        const generated = this.generator.apply([z, label], { training: true }) as tf.Tensor4D;
        const logits = this.discriminator.apply([augment(generated), label], { training: true }) as tf.Tensor;
        return tf.losses.sigmoidCrossEntropy(ones, logits) as tf.Scalar;
      }, this.generatorOptimizer.variables);
      this.generatorOptimizer.apply(this.generatorOptimizer.variables.map((v) => g.grads[v.name]));

      this.updateEma();
      this.sums.assign(tf.add(this.sums, tf.stack([d.value, g.value, kept[0], kept[1]])));
    });
    for (const t of kept) t.dispose();
    this.step += 1;
    this.summedSteps += 1;
  }

  /** Warm-up as in common EMA practice: early on, average over the few steps there are. */
  private updateEma(): void {
    if (!this.emaGenerator) return;
    const decay = Math.min(this.config.emaDecay, (1 + this.step) / (10 + this.step));
    const source = allVariables(this.generator);
    const target = allVariables(this.emaGenerator);
    const keep = tf.scalar(decay);
    const take = tf.scalar(1 - decay);
    // Inside trainStep's tidy, so the scalars go with it.
    target.forEach((t, i) => t.assign(tf.add(tf.mul(t, keep), tf.mul(source[i], take))));
  }

  /** The means since the last call (one device read), then resets the sums. */
  readFigures(): StepFigures {
    const steps = this.summedSteps;
    const [dSum, gSum, realSum, fakeSum] = this.sums.dataSync();
    tf.tidy(() => this.sums.assign(tf.zeros([4])));
    this.summedSteps = 0;
    const n = Math.max(1, steps);
    const finite = [dSum, gSum, realSum, fakeSum].every(Number.isFinite);
    return { steps, dLoss: dSum / n, gLoss: gSum / n, dReal: realSum / n, dFake: fakeSum / n, finite };
  }

  /** Whether every weight of G and D is finite (a NaN can hide in weights before a loss shows it). */
  weightsFinite(): boolean {
    const variables = [...allVariables(this.generator), ...allVariables(this.discriminator)];
    const bad = tf.tidy(() =>
      tf.addN(variables.map((v) => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(v)), 'float32')))).dataSync(),
    );
    return bad[0] === 0;
  }

  dispose(): void {
    this.generator.dispose();
    this.discriminator.dispose();
    this.emaGenerator?.dispose();
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
    this.sums.dispose();
  }
}

export function copyWeights(from: tfl.LayersModel, to: tfl.LayersModel): void {
  const source = allVariables(from);
  allVariables(to).forEach((t, i) => t.assign(source[i]));
}
