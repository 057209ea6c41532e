import { z } from 'zod';

// A run's configuration: everything that shapes the models and the training loop.
// It is stored as the run's config.json, so every field has a default and the schema
// is strict: a typo in a hand-edited config is an error, not a silently ignored key.

export const IMAGE_SIZES = [28, 32, 64, 128] as const;
export type ImageSize = (typeof IMAGE_SIZES)[number];
export const AUGMENTATIONS = ['translation', 'color', 'cutout'] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];

export const ganConfigSchema = z
  .object({
    imageSize: z.union([z.literal(28), z.literal(32), z.literal(64), z.literal(128)]),
    channels: z.union([z.literal(1), z.literal(3)]),
    /** Number of labels; 1 trains an unconditional GAN (the one-hot is a constant 1). */
    numClasses: z.number().int().min(1).max(1000),
    latentDim: z.number().int().min(1).max(1024),
    /** Channels of the generator's last hidden block; earlier blocks double it. */
    generatorWidth: z.number().int().min(1).max(1024),
    /** Channels of the discriminator's first block; later blocks double it. */
    discriminatorWidth: z.number().int().min(1).max(1024),
    /** Upper bound on any layer's width, so 128 px models stay trainable on a laptop. */
    maxWidth: z.number().int().min(1).max(4096),
    batchSize: z.number().int().min(1).max(4096),
    generatorLearningRate: z.number().positive(),
    discriminatorLearningRate: z.number().positive(),
    beta1: z.number().min(0).max(1),
    beta2: z.number().min(0).max(1),
    /** Exponential moving average of G's weights, used for samples and export; 0 turns it off. */
    emaDecay: z.number().min(0).max(1),
    /** DiffAugment policies applied to real and fake images before D. */
    augment: z.array(z.enum(AUGMENTATIONS)),
    /** Target for real images in D's loss (one-sided smoothing); 1 turns it off. */
    realLabel: z.number().min(0.5).max(1),
    /** Draw every label equally often instead of in the dataset's proportions. */
    classBalanced: z.boolean(),
    seed: z.number().int().min(0).max(0xffffffff),
    progressInterval: z.number().int().min(1),
    sampleInterval: z.number().int().min(1),
    checkpointInterval: z.number().int().min(1),
    keepCheckpoints: z.number().int().min(1),
    /** Samples per label in each sample grid (columns). */
    gridColumns: z.number().int().min(1).max(64),
  })
  .strict();

export type GanConfig = z.infer<typeof ganConfigSchema>;

export interface DataShape {
  imageSize: ImageSize;
  channels: 1 | 3;
  numClasses: number;
  /** Images in the smallest class: small datasets get augmentation by default. */
  smallestClass?: number;
}

/**
 * Widths per resolution. 28 px is the lecture's MNIST-sized model (7×7×128 → 14×14×64 →
 * 28×28); larger images get one more doubling block each and narrower bases so a step
 * stays affordable on a CPU backend.
 */
const WIDTHS: Record<ImageSize, { g: number; d: number; max: number; batch: number }> = {
  28: { g: 64, d: 64, max: 256, batch: 64 },
  32: { g: 64, d: 64, max: 256, batch: 64 },
  64: { g: 32, d: 32, max: 256, batch: 64 },
  128: { g: 16, d: 16, max: 256, batch: 32 },
};

/** Below this many images in the smallest class, DiffAugment is on by default. */
export const AUGMENT_BELOW_PER_CLASS = 1000;

export function defaultConfig(shape: DataShape): GanConfig {
  const widths = WIDTHS[shape.imageSize];
  const small = shape.smallestClass !== undefined && shape.smallestClass < AUGMENT_BELOW_PER_CLASS;
  return {
    imageSize: shape.imageSize,
    channels: shape.channels,
    numClasses: shape.numClasses,
    latentDim: 100,
    generatorWidth: widths.g,
    discriminatorWidth: widths.d,
    maxWidth: widths.max,
    batchSize: widths.batch,
    generatorLearningRate: 2e-4,
    discriminatorLearningRate: 2e-4,
    beta1: 0.5,
    beta2: 0.999,
    emaDecay: 0.999,
    augment: small ? ['translation', 'color', 'cutout'] : [],
    realLabel: 0.9,
    classBalanced: true,
    seed: 1,
    progressInterval: 20,
    sampleInterval: 500,
    checkpointInterval: 1000,
    keepCheckpoints: 3,
    gridColumns: 8,
  };
}

/** Defaults for the data, overridden by whatever the caller set; validated. */
export function resolveConfig(shape: DataShape, overrides: Partial<GanConfig> = {}): GanConfig {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return ganConfigSchema.parse({ ...defaultConfig(shape), ...defined });
}

/** The nearest supported size at or above `px` (images are resized to it), capped at 128. */
export function imageSizeFor(px: number): ImageSize {
  for (const size of IMAGE_SIZES) if (px <= size) return size;
  return 128;
}
