import { backend_util, util } from '@tensorflow/tfjs-core';
import type {
  ConcatAttrs,
  DataType,
  KernelBackend,
  KernelFunc,
  SplitVAttrs,
  TensorInfo,
  TypedArray,
} from '@tensorflow/tfjs-core';

// Concat and SplitV along an inner axis: the discriminator stacks ten label maps onto
// a one-channel image (and its gradient splits them off again). Stock wasm copies each
// pixel's 1 and 10 channels with a subarray().set() call apiece, 100k calls per batch;
// short rows are copied element by element here, long ones still with set().

interface WasmHeap extends KernelBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): TypedArray;
}

const SET_FROM = 32;

function copyRows(
  from: TypedArray,
  fromStart: number,
  fromStride: number,
  to: TypedArray,
  toStart: number,
  toStride: number,
  rows: number,
  width: number,
): void {
  for (let r = 0, f = fromStart, t = toStart; r < rows; r++, f += fromStride, t += toStride) {
    if (width >= SET_FROM) to.set(from.subarray(f, f + width), t);
    else for (let k = 0; k < width; k++) to[t + k] = from[f + k];
  }
}

const copyable = (info: TensorInfo): boolean => info.dtype !== 'string' && info.dtype !== 'complex64';

export function concatByRows(stock: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const inputs = Object.values(args.inputs) as TensorInfo[];
    const { axis } = args.attrs as unknown as ConcatAttrs;
    const backend = args.backend as WasmHeap;
    const parts = inputs.filter((t) => util.sizeFromShape(t.shape) > 0);
    if (parts.length < 2 || !parts.every(copyable) || typeof backend.makeOutput !== 'function') {
      if (stock == null) throw new Error('Concat: no stock kernel for this case');
      return stock(args);
    }
    const $axis = util.parseAxisParam(axis, parts[0].shape)[0];
    const outShape = backend_util.computeOutShape(
      inputs.map((t) => t.shape),
      $axis,
    );
    const rows = util.sizeFromShape(parts[0].shape.slice(0, $axis));
    const widths = parts.map((t) => util.sizeFromShape(t.shape.slice($axis)));
    const rowWidth = widths.reduce((a, b) => a + b, 0);
    const out = backend.makeOutput(outShape, parts[0].dtype);
    // Views only after the last allocation: growing wasm memory would detach them.
    const outValues = backend.typedArrayFromHeap(out);
    let offset = 0;
    parts.forEach((part, i) => {
      copyRows(backend.typedArrayFromHeap(part), 0, widths[i], outValues, offset, rowWidth, rows, widths[i]);
      offset += widths[i];
    });
    return out;
  };
}

export function splitByRows(stock: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
    const backend = args.backend as WasmHeap;
    if (!copyable(x) || typeof backend.makeOutput !== 'function') {
      if (stock == null) throw new Error('SplitV: no stock kernel for this case');
      return stock(args);
    }
    const $axis = util.parseAxisParam(axis, x.shape)[0];
    const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, $axis);
    const rows = util.sizeFromShape(x.shape.slice(0, $axis));
    const inner = util.sizeFromShape(x.shape.slice($axis + 1));
    const outs = sizes.map((size) =>
      backend.makeOutput(
        x.shape.map((s, i) => (i === $axis ? size : s)),
        x.dtype,
      ),
    );
    const from = backend.typedArrayFromHeap(x);
    let offset = 0;
    outs.forEach((out, i) => {
      const width = sizes[i] * inner;
      if (width > 0)
        copyRows(from, offset, x.shape[$axis] * inner, backend.typedArrayFromHeap(out), 0, width, rows, width);
      offset += width;
    });
    return outs;
  };
}
