import * as tf from '@tensorflow/tfjs-core';
import {
  backend_util,
  type BatchMatMulAttrs,
  type Conv2DAttrs,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type FusedConv2DAttrs,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { peekFloat32 } from '../tensor-info.ts';
import type { OnnxGraph, OnnxRuntime } from './onnx-runtime.ts';
import type { OnnxNode } from './onnx-model.ts';

// tfjs keeps images NHWC and filters HWIO; ONNX Runtime's CPU convolutions want NCHW and
// OIHW. The transposes run inside the same ONNX graph (multi-threaded, no extra call).
const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];
const HWIO_TO_OIHW = [3, 2, 0, 1];

const transpose = (input: string, output: string, perm: number[]): OnnxNode => ({
  op: 'Transpose',
  inputs: [input],
  outputs: [output],
  attributes: [{ name: 'perm', ints: perm }],
});

// Inputs are read in place (no copy on wasm or cpu); ONNX Runtime returns a fresh output array.
const values = peekFloat32;

function isChannelsLast(dataFormat: string | undefined): boolean {
  return dataFormat == null || dataFormat === 'NHWC' || dataFormat === 'channelsLast';
}

function convInfo(
  xShape: number[],
  filterShape: number[],
  attrs: {
    strides: number | [number, number];
    pad: Conv2DAttrs['pad'];
    dimRoundingMode?: Conv2DAttrs['dimRoundingMode'];
  },
  dilations: Conv2DAttrs['dilations'] = 1,
) {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}

const pads = (info: backend_util.Conv2DInfo): number[] => [
  info.padInfo.top,
  info.padInfo.left,
  info.padInfo.bottom,
  info.padInfo.right,
];

/** Conv2D and FusedConv2D (bias, no activation): ONNX Conv between two transposes. */
export function nativeConv2D(runtime: OnnxRuntime, stock: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const { x, filter, bias } = args.inputs as {
      x: TensorInfo;
      filter: TensorInfo;
      bias?: TensorInfo;
      preluActivationWeights?: TensorInfo;
    };
    const attrs = args.attrs as unknown as FusedConv2DAttrs;
    const activation = attrs.activation ?? 'linear';
    const fusedExtras = (args.inputs as Record<string, unknown>).preluActivationWeights != null;
    // A numeric pad makes tfjs size the output from the vertical stride and filter on
    // both axes (its own convention, which ONNX does not share): left to the stock kernel.
    const numericPad = typeof attrs.pad === 'number';
    if (
      !isChannelsLast(attrs.dataFormat) ||
      activation !== 'linear' ||
      fusedExtras ||
      numericPad ||
      x.dtype !== 'float32'
    ) {
      if (stock == null) throw new Error('Conv2D: no stock kernel for this case');
      return stock(args);
    }
    const info = convInfo(x.shape, filter.shape, attrs, attrs.dilations);
    const withBias = bias != null;
    const key = `conv|${x.shape}|${filter.shape}|${pads(info)}|${info.strideHeight},${info.strideWidth}|${info.dilationHeight},${info.dilationWidth}|${withBias}`;
    const graph = (): OnnxGraph => ({
      nodes: [
        transpose('x', 'x_nchw', NHWC_TO_NCHW),
        transpose('filter', 'filter_oihw', HWIO_TO_OIHW),
        {
          op: 'Conv',
          inputs: ['x_nchw', 'filter_oihw', ...(withBias ? ['bias'] : [])],
          outputs: ['y_nchw'],
          attributes: [
            { name: 'kernel_shape', ints: [info.filterHeight, info.filterWidth] },
            { name: 'strides', ints: [info.strideHeight, info.strideWidth] },
            { name: 'dilations', ints: [info.dilationHeight, info.dilationWidth] },
            { name: 'pads', ints: pads(info) },
          ],
        },
        transpose('y_nchw', 'y', NCHW_TO_NHWC),
      ],
      inputs: [
        ['x', x.shape],
        ['filter', filter.shape],
        ...(withBias ? [['bias', [info.outChannels]] as [string, number[]]] : []),
      ],
      output: ['y', info.outShape],
    });
    const inputs = [values(x), values(filter), ...(withBias ? [values(bias)] : [])];
    return tf.tensor(runtime.run(key, graph, inputs), info.outShape, 'float32');
  };
}

/** The input gradient (and the generator's transpose convolution): ONNX ConvTranspose. */
export function nativeConv2DBackpropInput(runtime: OnnxRuntime, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if (!isChannelsLast(attrs.dataFormat)) return fallback(args);
    const info = convInfo(attrs.inputShape, filter.shape, attrs);
    // ConvTranspose's output is s·(oh−1) + k − pads + output_padding; the rows a forward
    // convolution never read (valid padding) come out as output_padding, all zero there.
    const extraRows =
      info.inHeight -
      (info.strideHeight * (info.outHeight - 1) + info.filterHeight - info.padInfo.top - info.padInfo.bottom);
    const extraCols =
      info.inWidth -
      (info.strideWidth * (info.outWidth - 1) + info.filterWidth - info.padInfo.left - info.padInfo.right);
    if (extraRows < 0 || extraCols < 0 || extraRows >= info.strideHeight || extraCols >= info.strideWidth)
      return fallback(args);
    const key = `convT|${dy.shape}|${filter.shape}|${info.inShape}|${pads(info)}|${info.strideHeight},${info.strideWidth}`;
    const graph = (): OnnxGraph => ({
      nodes: [
        transpose('dy', 'dy_nchw', NHWC_TO_NCHW),
        transpose('filter', 'filter_oihw', HWIO_TO_OIHW),
        {
          op: 'ConvTranspose',
          inputs: ['dy_nchw', 'filter_oihw'],
          outputs: ['dx_nchw'],
          attributes: [
            { name: 'kernel_shape', ints: [info.filterHeight, info.filterWidth] },
            { name: 'strides', ints: [info.strideHeight, info.strideWidth] },
            { name: 'pads', ints: pads(info) },
            { name: 'output_padding', ints: [extraRows, extraCols] },
          ],
        },
        transpose('dx_nchw', 'dx', NCHW_TO_NHWC),
      ],
      inputs: [
        ['dy', dy.shape],
        ['filter', filter.shape],
      ],
      output: ['dx', info.inShape],
    });
    return tf.tensor(runtime.run(key, graph, [values(dy), values(filter)]), info.inShape, 'float32');
  };
}

/**
 * The filter gradient as one convolution (see conv2d-backprop-filter.ts): x with
 * channels as batch, convolved with dy dilated by the stride.
 */
export function nativeConv2DBackpropFilter(runtime: OnnxRuntime, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (!isChannelsLast(attrs.dataFormat)) return fallback(args);
    const info = convInfo(x.shape, attrs.filterShape, attrs);
    const { top, left } = info.padInfo;
    const bottom = (info.outHeight - 1) * info.strideHeight + info.filterHeight - info.inHeight - top;
    const right = (info.outWidth - 1) * info.strideWidth + info.filterWidth - info.inWidth - left;
    // Rows a valid convolution never read would need cropping first; rare, left to the
    // XNNPACK version.
    if (bottom < 0 || right < 0) return fallback(args);
    const key = `convW|${x.shape}|${dy.shape}|${info.filterShape}|${top},${left},${bottom},${right}|${info.strideHeight},${info.strideWidth}`;
    const graph = (): OnnxGraph => ({
      nodes: [
        transpose('x', 'x_cnhw', [3, 0, 1, 2]),
        transpose('dy', 'dy_cnhw', [3, 0, 1, 2]),
        {
          op: 'Conv',
          inputs: ['x_cnhw', 'dy_cnhw'],
          outputs: ['dw_iohw'],
          attributes: [
            { name: 'kernel_shape', ints: [info.outHeight, info.outWidth] },
            { name: 'dilations', ints: [info.strideHeight, info.strideWidth] },
            { name: 'strides', ints: [1, 1] },
            { name: 'pads', ints: [top, left, bottom, right] },
          ],
        },
        transpose('dw_iohw', 'dw', [2, 3, 0, 1]),
      ],
      inputs: [
        ['x', x.shape],
        ['dy', dy.shape],
      ],
      output: ['dw', info.filterShape],
    });
    return tf.tensor(runtime.run(key, graph, [values(x), values(dy)]), info.filterShape, 'float32');
  };
}

/**
 * Matrix products: ONNX Gemm for single products (every dense layer and its
 * gradients), MatMul for batches of equal count (DiffAugment's translation, written as
 * batched shift matrices; stock wasm runs every batched product as a scalar loop).
 */
export function nativeMatMul(runtime: OnnxRuntime, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const batchOf = (t: TensorInfo) => t.shape.slice(0, -2).reduce((p, q) => p * q, 1);
    const batch = batchOf(a);
    // Broadcasting one operand over the other's batch is left to the fallback.
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || batch !== batchOf(b)) return fallback(args);
    const [ar, ac] = a.shape.slice(-2);
    const [br, bc] = b.shape.slice(-2);
    const m = transposeA ? ac : ar;
    const n = transposeB ? br : bc;
    const outShape = [...(a.shape.length > b.shape.length ? a.shape : b.shape).slice(0, -2), m, n];
    const key = `matmul|${batch}|${ar},${ac}|${br},${bc}|${transposeA}|${transposeB}`;
    const single = (): OnnxGraph => ({
      nodes: [
        {
          op: 'Gemm',
          inputs: ['a', 'b'],
          outputs: ['c'],
          attributes: [
            { name: 'transA', int: transposeA ? 1 : 0 },
            { name: 'transB', int: transposeB ? 1 : 0 },
          ],
        },
      ],
      inputs: [
        ['a', [ar, ac]],
        ['b', [br, bc]],
      ],
      output: ['c', [m, n]],
    });
    const batched = (): OnnxGraph => ({
      nodes: [
        ...(transposeA ? [transpose('a', 'a_t', [0, 2, 1])] : []),
        ...(transposeB ? [transpose('b', 'b_t', [0, 2, 1])] : []),
        { op: 'MatMul', inputs: [transposeA ? 'a_t' : 'a', transposeB ? 'b_t' : 'b'], outputs: ['c'] },
      ],
      inputs: [
        ['a', [batch, ar, ac]],
        ['b', [batch, br, bc]],
      ],
      output: ['c', [batch, m, n]],
    });
    return tf.tensor(runtime.run(key, batch === 1 ? single : batched, [values(a), values(b)]), outShape, 'float32');
  };
}
