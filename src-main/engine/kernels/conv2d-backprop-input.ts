import * as tf from '@tensorflow/tfjs-core';
import {
  backend_util,
  type Conv2DBackpropInputAttrs,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { asTensor, requireChannelsLast } from './tensor-info.ts';

/**
 * The input gradient of a 2-D convolution, which is also the forward pass of the
 * generator's transpose convolutions. Stock wasm runs it as a scalar C++ loop (~190 ms
 * for one 64×7×7×128 → 64×14×14×64 layer); here it is one matrix product on the
 * backend's fast MatMul, which gives every (input pixel, filter tap) contribution,
 *
 *   columns[n·oh·ow, kh·kw·ci] = dy[n·oh·ow, co] · W[kh·kw·ci, co]ᵀ,
 *
 * followed by a scatter-add of those columns onto the input grid (col2im), which
 * touches each column value once.
 */
export function conv2dBackpropInputByMatMul(args: { inputs: NamedTensorInfoMap; attrs?: unknown }): TensorInfo {
  const { dy, filter, info } = backpropInputGeometry(args);
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const columns = tf.tidy(() => {
    const dyRows = tf.reshape(asTensor(dy), [-1, co]);
    const filterRows = tf.reshape(asTensor(filter), [kh * kw * ci, co]);
    return tf.matMul(dyRows, filterRows, false, true);
  });
  return columnsToInput(columns, info);
}

/** A Conv2DBackpropInput call's tensors and geometry (channels-last only). */
export function backpropInputGeometry(args: { inputs: NamedTensorInfoMap; attrs?: unknown }): {
  dy: TensorInfo;
  filter: TensorInfo;
  info: backend_util.Conv2DInfo;
} {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Conv2DBackpropInputAttrs;
  requireChannelsLast(dataFormat, 'Conv2DBackpropInput');
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  return { dy, filter, info };
}

/** Scatters the per-tap columns onto the input grid (col2im) and disposes them. */
export function columnsToInput(columns: tf.Tensor, info: backend_util.Conv2DInfo): TensorInfo {
  try {
    return tf.tensor4d(col2im(columns.dataSync() as Float32Array, info), info.inShape, 'float32');
  } finally {
    columns.dispose();
  }
}

/** Sums columns[n, oh, ow, kh, kw, ci] into dx[n, oh·s + kh − padTop, ow·s + kw − padLeft, ci]. */
export function col2im(columns: Float32Array, info: backend_util.Conv2DInfo): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const dx = new Float32Array(batchSize * inHeight * inWidth * ci);
  const tapSize = filterWidth * ci;
  const pixelSize = filterHeight * tapSize;
  let column = 0;
  for (let n = 0; n < batchSize; n++) {
    const image = n * inHeight * inWidth * ci;
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++, column += pixelSize) {
        for (let fh = 0; fh < filterHeight; fh++) {
          const ih = oh * strideHeight + fh - top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = ow * strideWidth + fw - left;
            if (iw < 0 || iw >= inWidth) continue;
            const from = column + fh * tapSize + fw * ci;
            const to = image + (ih * inWidth + iw) * ci;
            for (let c = 0; c < ci; c++) dx[to + c] += columns[from + c];
          }
        }
      }
    }
  }
  return dx;
}
