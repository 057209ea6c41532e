import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { GanConfig } from './config.ts';

// The lecture's conditional DCGAN, sized by the data (DESIGN §4). Pure builders: no
// data, no training loop, no randomness beyond Keras-style initialisers.

type ModelShape = Pick<
  GanConfig,
  'imageSize' | 'channels' | 'numClasses' | 'latentDim' | 'generatorWidth' | 'discriminatorWidth' | 'maxWidth'
>;

const KERNEL = 4;
/** DCGAN's initialiser: N(0, 0.02) for every conv and dense kernel. */
const init = () => tfl.initializers.randomNormal({ mean: 0, stddev: 0.02 });

/** The first feature map's side: 7 for 28 px (7 → 14 → 28), 4 otherwise (4 → 8 → ... → size). */
export function baseSide(imageSize: number): number {
  return imageSize === 28 ? 7 : 4;
}

/** Number of resolution doublings between the base map and the image. */
export function doublings(imageSize: number): number {
  return Math.round(Math.log2(imageSize / baseSide(imageSize)));
}

function width(base: number, factor: number, max: number): number {
  return Math.min(base * factor, max);
}

/**
 * G(z, y): [z ‖ one-hot y] → dense → base×base×W feature map → transpose convolutions
 * doubling the side (batch norm, ReLU) → tanh image in [-1, 1].
 * Inputs: z [batch, latentDim], label [batch, numClasses]. Output [batch, size, size, channels].
 */
export function buildGenerator(config: ModelShape): tfl.LayersModel {
  const n = doublings(config.imageSize);
  const side = baseSide(config.imageSize);
  const z = tfl.input({ shape: [config.latentDim], name: 'z' });
  const label = tfl.input({ shape: [config.numClasses], name: 'label' });
  const firstWidth = width(config.generatorWidth, 2 ** (n - 1), config.maxWidth);

  let x = tfl.layers.concatenate().apply([z, label]) as tfl.SymbolicTensor;
  x = tfl.layers
    .dense({ units: side * side * firstWidth, useBias: false, kernelInitializer: init() })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reshape({ targetShape: [side, side, firstWidth] }).apply(x) as tfl.SymbolicTensor;
  for (let i = n - 2; i >= 0; i--) {
    x = tfl.layers
      .conv2dTranspose({
        filters: width(config.generatorWidth, 2 ** i, config.maxWidth),
        kernelSize: KERNEL,
        strides: 2,
        padding: 'same',
        useBias: false,
        kernelInitializer: init(),
      })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  }
  const image = tfl.layers
    .conv2dTranspose({
      filters: config.channels,
      kernelSize: KERNEL,
      strides: 2,
      padding: 'same',
      activation: 'tanh',
      kernelInitializer: init(),
    })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [z, label], outputs: image, name: 'generator' });
}

/**
 * D(x, y): the image with the label as one-hot maps concatenated to its channels →
 * strided convolutions (LeakyReLU 0.2, batch norm after the first) → one logit.
 * Inputs: image [batch, size, size, channels], label [batch, numClasses]. Output [batch, 1].
 */
export function buildDiscriminator(config: ModelShape): tfl.LayersModel {
  const n = doublings(config.imageSize);
  const size = config.imageSize;
  const image = tfl.input({ shape: [size, size, config.channels], name: 'image' });
  const label = tfl.input({ shape: [config.numClasses], name: 'label' });
  // Tile the one-hot over every pixel with stock layers, so the model stays serialisable.
  let maps = tfl.layers.repeatVector({ n: size * size }).apply(label) as tfl.SymbolicTensor;
  maps = tfl.layers.reshape({ targetShape: [size, size, config.numClasses] }).apply(maps) as tfl.SymbolicTensor;
  let x = tfl.layers.concatenate({ axis: -1 }).apply([image, maps]) as tfl.SymbolicTensor;
  for (let i = 0; i < n; i++) {
    x = tfl.layers
      .conv2d({
        filters: width(config.discriminatorWidth, 2 ** i, config.maxWidth),
        kernelSize: KERNEL,
        strides: 2,
        padding: 'same',
        useBias: i === 0,
        kernelInitializer: init(),
      })
      .apply(x) as tfl.SymbolicTensor;
    if (i > 0) x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.leakyReLU({ alpha: 0.2 }).apply(x) as tfl.SymbolicTensor;
  }
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  const logit = tfl.layers.dense({ units: 1, kernelInitializer: init() }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [image, label], outputs: logit, name: 'discriminator' });
}

/**
 * The label input for G and D: one-hot rows [n, numClasses]. With a single label it is a
 * constant 1 (tf.oneHot refuses depth 1): the unconditional GAN.
 */
export function labelInput(labels: Int32Array, numClasses: number): tf.Tensor2D {
  if (numClasses === 1) return tf.ones([labels.length, 1]);
  return tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses), 'float32') as tf.Tensor2D;
}

/** The tf.Variables behind a model's trainable weights, in a stable order. */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Every weight (trainable and batch-norm statistics), in the model's stable order. */
export function allVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.weights.map((w) => w.read() as tf.Variable);
}

/**
 * Re-draws every weight from the run's RNG (DCGAN's N(0, 0.02) for kernels, 1 for batch
 * norm's gamma and variance, 0 for the rest), because tfjs's initialisers are not seeded
 * and the same seed must give the same run.
 */
export function initializeWeights(model: tfl.LayersModel, rng: { normals(n: number): Float32Array }): void {
  for (const weight of model.weights) {
    const variable = weight.read() as tf.Variable;
    const size = variable.size;
    const name = weight.originalName;
    let values: Float32Array;
    if (name.endsWith('/kernel')) values = rng.normals(size).map((v) => v * 0.02);
    else if (name.endsWith('/gamma') || name.endsWith('/moving_variance')) values = new Float32Array(size).fill(1);
    else values = new Float32Array(size);
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
  }
}
