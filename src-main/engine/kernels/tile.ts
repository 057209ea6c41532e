import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo, TileAttrs } from '@tensorflow/tfjs-core';
import { asTensor } from './tensor-info.ts';

type Values = Float32Array | Int32Array | Uint8Array;

/**
 * Tile by block copies. Batch norm's gradient tiles its per-channel scale over the whole
 * activation and the discriminator tiles the label over every pixel; stock wasm does
 * that one element at a time with index arithmetic (20-40 ms per call at batch 64),
 * while copying whole rows and doubling blocks takes about a millisecond.
 */
export function tileByBlocks(stock: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { reps } = args.attrs as unknown as TileAttrs;
    if (x.dtype === 'string' || x.dtype === 'complex64' || x.shape.length === 0) {
      if (stock == null) throw new Error(`Tile: no stock kernel for ${x.dtype}`);
      return stock(args);
    }
    const source = asTensor(x).dataSync() as Values;
    const outShape = x.shape.map((size, axis) => size * reps[axis]);
    return tf.tensor(tileValues(source, x.shape, reps), outShape, x.dtype);
  };
}

export function tileValues(source: Values, shape: number[], reps: number[]): Values {
  const rank = shape.length;
  const outShape = shape.map((size, axis) => size * reps[axis]);
  // Elements per step along each axis, in the input and in the output.
  const inStride = new Array<number>(rank).fill(1);
  const outStride = new Array<number>(rank).fill(1);
  for (let axis = rank - 2; axis >= 0; axis--) {
    inStride[axis] = inStride[axis + 1] * shape[axis + 1];
    outStride[axis] = outStride[axis + 1] * outShape[axis + 1];
  }
  const Constructor = source.constructor as new (length: number) => Values;
  const out = new Constructor(outShape.reduce((a, b) => a * b, 1));
  if (out.length === 0) return out;

  // Writes the input block at `from` to the output block at `to`, then repeats it along
  // `axis` by doubling the written span (log₂(reps) copies instead of reps).
  const fill = (axis: number, from: number, to: number): void => {
    if (axis === rank - 1) {
      out.set(source.subarray(from, from + shape[axis]), to);
    } else {
      for (let i = 0; i < shape[axis]; i++) fill(axis + 1, from + i * inStride[axis], to + i * outStride[axis]);
    }
    const block = shape[axis] * (axis === rank - 1 ? 1 : outStride[axis]);
    const total = block * reps[axis];
    for (let written = block; written < total; written *= 2) {
      out.copyWithin(to + written, to, to + Math.min(written, total - written));
    }
  };
  fill(0, 0, 0);
  return out;
}
