import * as tf from '@tensorflow/tfjs-core';
import type { Augmentation } from './config.ts';
import type { Rng } from './rng.ts';

// DiffAugment (Zhao et al. 2020): differentiable colour / translation / cutout applied to
// every image D sees, real and fake, so D cannot memorise a small dataset and G still
// gets gradients through the augmentation. Random parameters come from the run's RNG
// (not tf.random*) so a resumed run augments exactly as the uninterrupted one.

const TRANSLATION_RATIO = 0.125;
const CUTOUT_RATIO = 0.5;

/** Applies the policies in DiffAugment's order (colour, translation, cutout). Call inside tf.tidy. */
export function diffAugment(images: tf.Tensor4D, policies: readonly Augmentation[], rng: Rng): tf.Tensor4D {
  let x = images;
  if (policies.includes('color')) x = color(x, rng);
  if (policies.includes('translation')) x = translation(x, rng);
  if (policies.includes('cutout')) x = cutout(x, rng);
  return x;
}

function perImage(rng: Rng, batch: number, draw: () => number): tf.Tensor4D {
  const values = new Float32Array(batch);
  for (let i = 0; i < batch; i++) values[i] = draw();
  return tf.tensor4d(values, [batch, 1, 1, 1]);
}

function color(x: tf.Tensor4D, rng: Rng): tf.Tensor4D {
  const [batch, , , channels] = x.shape;
  // Brightness: shift by U(-0.5, 0.5).
  let y: tf.Tensor4D = tf.add(
    x,
    perImage(rng, batch, () => rng.next() - 0.5),
  );
  // Saturation: scale the distance from the grey value by U(0, 2) (colour images only).
  if (channels > 1) {
    const grey = tf.mean(y, 3, true);
    y = tf.add(
      tf.mul(
        tf.sub(y, grey),
        perImage(rng, batch, () => rng.next() * 2),
      ),
      grey,
    );
  }
  // Contrast: scale the distance from the image mean by U(0.5, 1.5).
  const mean = tf.mean(y, [1, 2, 3], true);
  return tf.add(
    tf.mul(
      tf.sub(y, mean),
      perImage(rng, batch, () => rng.next() + 0.5),
    ),
    mean,
  );
}

/**
 * Shifts each image by up to 1/8 of its side, filling with 0 (mid-grey in [-1, 1]).
 * Done as two batched products with 0/1 shift matrices (rows, then columns): matMul
 * and its gradient exist on every backend, unlike gather's (wasm has no
 * UnsortedSegmentSum), and at these sizes the products are cheap.
 */
function translation(x: tf.Tensor4D, rng: Rng): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const maxShift = Math.round(Math.max(height, width) * TRANSLATION_RATIO);
  const rows = new Float32Array(batch * height * height);
  const columns = new Float32Array(batch * width * width);
  for (let b = 0; b < batch; b++) {
    const dy = rng.int(2 * maxShift + 1) - maxShift;
    const dx = rng.int(2 * maxShift + 1) - maxShift;
    // Output row r takes input row r - dy (when inside the image).
    for (let r = 0; r < height; r++) if (r - dy >= 0 && r - dy < height) rows[(b * height + r) * height + r - dy] = 1;
    for (let c = 0; c < width; c++) if (c - dx >= 0 && c - dx < width) columns[(b * width + c) * width + c - dx] = 1;
  }
  const shiftedRows = tf.matMul(
    tf.tensor3d(rows, [batch, height, height]),
    tf.reshape(x, [batch, height, width * channels]),
  );
  const byColumn = tf.reshape(tf.transpose(tf.reshape(shiftedRows, [batch, height, width, channels]), [0, 2, 1, 3]), [
    batch,
    width,
    height * channels,
  ]);
  const shifted = tf.matMul(tf.tensor3d(columns, [batch, width, width]), byColumn);
  return tf.transpose(tf.reshape(shifted, [batch, width, height, channels]), [0, 2, 1, 3]);
}

/** Zeroes a square of half the side at a random place in each image. */
function cutout(x: tf.Tensor4D, rng: Rng): tf.Tensor4D {
  const [batch, height, width] = x.shape;
  const ch = Math.round(height * CUTOUT_RATIO);
  const cw = Math.round(width * CUTOUT_RATIO);
  const mask = new Float32Array(batch * height * width).fill(1);
  for (let b = 0; b < batch; b++) {
    // DiffAugment's placement: the square's centre anywhere, clipped at the borders.
    const cy = rng.int(height + (1 - (ch % 2)));
    const cx = rng.int(width + (1 - (cw % 2)));
    const top = Math.max(0, cy - Math.floor(ch / 2));
    const left = Math.max(0, cx - Math.floor(cw / 2));
    const bottom = Math.min(height, cy - Math.floor(ch / 2) + ch);
    const right = Math.min(width, cx - Math.floor(cw / 2) + cw);
    for (let r = top; r < bottom; r++) {
      mask.fill(0, b * height * width + r * width + left, b * height * width + r * width + right);
    }
  }
  return tf.mul(x, tf.tensor4d(mask, [batch, height, width, 1]));
}
