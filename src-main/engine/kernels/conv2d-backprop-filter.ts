import * as tf from '@tensorflow/tfjs-core';
import {
  backend_util,
  type Conv2DBackpropFilterAttrs,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { asTensor, requireChannelsLast } from './tensor-info.ts';

/**
 * The filter gradient of a 2-D convolution, written as one more convolution so the
 * backend's fast Conv2D (XNNPACK on wasm) does the work:
 *
 *   dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·s + kh − padTop, ow·s + kw − padLeft, ci] · dy[n, oh, ow, co]
 *
 * is a stride-1 convolution of x seen as [ci, H, W, n] (channels become the batch, the
 * batch becomes the channels) with dy seen as a filter [oh, ow, n, co] dilated by the
 * forward stride. Its output [ci, kh, kw, co] is dW up to a transpose.
 */
export function conv2dBackpropFilterByConvolution(args: { inputs: NamedTensorInfoMap; attrs?: unknown }): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  requireChannelsLast(dataFormat, 'Conv2DBackpropFilter');
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { top, left } = info.padInfo;
  // Rows/columns of padding after the input that the dilated dy filter reaches. Negative
  // when a `valid` convolution never read the last rows: those are cropped instead.
  const bottom = (info.outHeight - 1) * info.strideHeight + info.filterHeight - info.inHeight - top;
  const right = (info.outWidth - 1) * info.strideWidth + info.filterWidth - info.inWidth - left;
  return tf.tidy(() => {
    let input = asTensor(x) as tf.Tensor4D;
    if (bottom < 0 || right < 0) {
      input = tf.slice(
        input,
        [0, 0, 0, 0],
        [-1, info.inHeight + Math.min(bottom, 0), info.inWidth + Math.min(right, 0), -1],
      );
    }
    const channelsAsBatch = tf.transpose(input, [3, 1, 2, 0]);
    const dyAsFilter = tf.transpose(asTensor(dy) as tf.Tensor4D, [1, 2, 0, 3]);
    const padding: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [top, Math.max(bottom, 0)],
      [left, Math.max(right, 0)],
      [0, 0],
    ];
    const perInChannel = tf.conv2d(channelsAsBatch, dyAsFilter, 1, padding, 'NHWC', [
      info.strideHeight,
      info.strideWidth,
    ]);
    return tf.transpose(perInChannel, [1, 2, 0, 3]);
  });
}
