import * as tf from '@tensorflow/tfjs-core';
import { type KernelFunc, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { matMulWithoutTransposes } from '../../../../src-main/engine/kernels/batch-mat-mul.ts';
import { backpropInputGeometry, columnsToInput } from '../../../../src-main/engine/kernels/conv2d-backprop-input.ts';
import { asTensor } from '../../../../src-main/engine/kernels/tensor-info.ts';

// The generator's transpose convolutions are Conv2DBackpropInput, which stock wasm and
// cpu run as scalar loops (tens of ms for one 64 px image). The engine's approach (one
// matrix product giving every (pixel, tap) contribution, then col2im, which is the
// engine's own code) is used here too, with one change for inference: the product needs
// the filter as [outC, kh·kw·inC], and transposing it on every frame cost more than
// the product itself. A generator's filters are constant between weight loads, so each
// filter is transposed once and kept, keyed by its data (a weight load gives new data).

const MAX_CACHED = 64;
const transposed = new Map<object, tf.Tensor2D>();

function transposedFilter(filter: TensorInfo, rows: number, columns: number): tf.Tensor2D {
  let kept = transposed.get(filter.dataId);
  if (!kept) {
    // kept: the layer calling this runs in a tidy that would dispose it.
    kept = tf.keep(tf.tidy(() => tf.transpose(tf.reshape(asTensor(filter), [rows, columns])) as tf.Tensor2D));
    transposed.set(filter.dataId, kept);
    if (transposed.size > MAX_CACHED) {
      const [oldest] = transposed.keys();
      transposed.get(oldest)?.dispose();
      transposed.delete(oldest);
    }
  }
  return kept;
}

function transposeConvolution(args: { inputs: NamedTensorInfoMap; attrs?: unknown }): TensorInfo {
  const { dy, filter, info } = backpropInputGeometry(args);
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const filterT = transposedFilter(filter, kh * kw * ci, co);
  return columnsToInput(
    tf.tidy(() => tf.matMul(tf.reshape(asTensor(dy), [-1, co]), filterT)),
    info,
  );
}

/** Drops the kept copies of these tensors' filters (a generator being disposed). */
export function releaseCachedFilters(dataIds: readonly object[]): void {
  for (const id of dataIds) {
    transposed.get(id)?.dispose();
    transposed.delete(id);
  }
}

let registered = false;

function replace(kernelName: string, backendName: string, make: (stock: KernelFunc) => KernelFunc): void {
  const stock = tf.getKernel(kernelName, backendName);
  if (!stock) return;
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...stock, kernelFunc: make(stock.kernelFunc) });
}

export function registerFastTransposeConvolution(): void {
  if (registered) return;
  registered = true;
  for (const backend of ['wasm', 'cpu'])
    replace(tf.Conv2DBackpropInput, backend, () => transposeConvolution as KernelFunc);
  // Gradients (the latent directions) still meet transposed products: keep them on XNNPACK.
  replace(tf.BatchMatMul, 'wasm', (stock) => matMulWithoutTransposes(stock));
}
