import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '../chained-ops.ts';
import { labelInput } from '../models.ts';
import { Rng } from '../rng.ts';

// The built-in judge of a generator (issue 4 point 7): a small CNN trained once per
// dataset on its real images. Its softmax says which label a generated image looks
// like (label fidelity); its penultimate layer gives features for a Fréchet distance.

export const FEATURES = 128;

export interface ClassifierShape {
  imageSize: number;
  channels: number;
  numClasses: number;
}

/** Input: images in [-1, 1]. Outputs: [features (batch × 128), probabilities (batch × labels)]. */
export function buildClassifier(shape: ClassifierShape): tfl.LayersModel {
  const input = tfl.input({ shape: [shape.imageSize, shape.imageSize, shape.channels], name: 'image' });
  let x = input;
  // Stride-2 convolutions down to about 7×7, whatever the image size.
  let side = shape.imageSize;
  let filters = 32;
  while (side > 8) {
    x = tfl.layers
      .conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })
      .apply(x) as tfl.SymbolicTensor;
    side = Math.ceil(side / 2);
    filters = Math.min(filters * 2, 128);
  }
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dropout({ rate: 0.3 }).apply(x) as tfl.SymbolicTensor;
  const features = tfl.layers
    .dense({ units: FEATURES, activation: 'relu', name: 'features' })
    .apply(x) as tfl.SymbolicTensor;
  const probabilities = tfl.layers
    .dense({ units: shape.numClasses, activation: 'softmax', name: 'probabilities' })
    .apply(features) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: [features, probabilities], name: 'classifier' });
}

export interface LabelledImages {
  size: number;
  channels: number;
  /** count × size × size × channels bytes. */
  pixels: Uint8Array;
  labels: ArrayLike<number>;
  count: number;
}

function toInput(images: LabelledImages, indices: ArrayLike<number>): tf.Tensor4D {
  const per = images.size * images.size * images.channels;
  const data = new Float32Array(indices.length * per);
  for (let j = 0; j < indices.length; j++) {
    const from = indices[j] * per;
    for (let p = 0; p < per; p++) data[j * per + p] = images.pixels[from + p] / 127.5 - 1;
  }
  return tf.tensor4d(data, [indices.length, images.size, images.size, images.channels]);
}

/**
 * Trains on all but a held-out tenth (seeded split) for a fixed budget of image
 * presentations, and returns the accuracy on the held-out part.
 */
export async function trainClassifier(
  model: tfl.LayersModel,
  images: LabelledImages,
  options: {
    numClasses: number;
    seed: number;
    presentations: number;
    batchSize?: number;
    onProgress?: (fraction: number) => void;
  },
): Promise<{ accuracy: number; trained: number; heldOut: number }> {
  const rng = new Rng(options.seed);
  const order = rng.permutation(images.count);
  const heldOut = images.count >= 20 ? Math.max(1, Math.floor(images.count / 10)) : 0;
  const test = order.subarray(0, heldOut);
  const train = order.subarray(heldOut);
  const batchSize = Math.min(options.batchSize ?? 128, train.length);
  const optimizer = tf.train.adam(1e-3);
  const steps = Math.max(1, Math.ceil(options.presentations / batchSize));
  let perm = rng.permutation(train.length);
  let cursor = 0;
  for (let step = 0; step < steps; step++) {
    if (cursor + batchSize > train.length) {
      perm = rng.permutation(train.length);
      cursor = 0;
    }
    const indices = Uint32Array.from(perm.subarray(cursor, cursor + batchSize), (i) => train[i]);
    cursor += batchSize;
    tf.tidy(() => {
      const x = toInput(images, indices);
      const y = labelInput(
        Int32Array.from(indices, (i) => images.labels[i]),
        options.numClasses,
      );
      optimizer.minimize(() => {
        const [, probabilities] = model.apply(x, { training: true }) as tf.Tensor[];
        return tf.losses.softmaxCrossEntropy(y, tf.log(tf.add(probabilities, 1e-7))) as tf.Scalar;
      });
    });
    if (options.onProgress && step % 20 === 0) options.onProgress(step / steps);
    // Let the host's messages through during a long training.
    if (step % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  optimizer.dispose();
  let correct = 0;
  if (heldOut > 0) {
    const predicted = classify(model, images, test).labels;
    predicted.forEach((label, j) => {
      if (label === images.labels[test[j]]) correct++;
    });
  }
  return { accuracy: heldOut > 0 ? correct / heldOut : NaN, trained: train.length, heldOut };
}

/** Features and arg-max labels of the images at `indices` (all images when omitted). */
export function classify(
  model: tfl.LayersModel,
  images: Omit<LabelledImages, 'labels'>,
  indices?: ArrayLike<number>,
  chunk = 256,
): { features: Float32Array; labels: Int32Array } {
  const which = indices ?? Uint32Array.from({ length: images.count }, (_, i) => i);
  const features = new Float32Array(which.length * FEATURES);
  const labels = new Int32Array(which.length);
  for (let start = 0; start < which.length; start += chunk) {
    const slice = Array.from({ length: Math.min(chunk, which.length - start) }, (_, j) => which[start + j]);
    const [f, l] = tf.tidy(() => {
      const [feat, prob] = model.predict(toInput({ ...images, labels: [] }, slice)) as tf.Tensor[];
      return [feat, tf.argMax(prob, 1)];
    });
    features.set(f.dataSync() as Float32Array, start * FEATURES);
    labels.set(l.dataSync() as Int32Array, start);
    f.dispose();
    l.dispose();
  }
  return { features, labels };
}
