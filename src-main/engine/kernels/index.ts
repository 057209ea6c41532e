import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import type { BackendName } from '../../api/contract/app.ts';
import { matMulWithoutTransposes } from './batch-mat-mul.ts';
import { conv2dBackpropFilterByConvolution } from './conv2d-backprop-filter.ts';
import { conv2dBackpropInputByMatMul } from './conv2d-backprop-input.ts';
import {
  nativeConv2D,
  nativeConv2DBackpropFilter,
  nativeConv2DBackpropInput,
  nativeMatMul,
} from './native/conv-kernels.ts';
import type { OnnxRuntime } from './native/onnx-runtime.ts';
import { nativeReduce } from './native/reduce-kernels.ts';
import { concatByRows, splitByRows } from './channel-copies.ts';
import { identityWithoutCopy } from './identity.ts';
import { leakyReluGradient } from './leaky-relu-gradient.ts';
import { tileByBlocks } from './tile.ts';

/** Builds a kernel from what tfjs registered before (for kernels that wrap or fall back to it). */
type KernelMaker = (stock: KernelFunc | undefined) => KernelFunc;

function requireStock(name: string, stock: KernelFunc | undefined): KernelFunc {
  if (stock == null) throw new Error(`the backend has no stock ${name} kernel to build on`);
  return stock;
}

/**
 * The kernels this project supplies, per backend: the gradient kernels `wasm` lacks or
 * runs on its slow paths, and the ones whose stock `cpu` version is too slow to train
 * with. libtensorflow ('tensorflow') has fast native versions of all of them.
 */
function portableKernels(backend: BackendName): Record<string, KernelMaker> {
  if (backend === 'tensorflow') return {};
  const kernels: Record<string, KernelMaker> = {
    [tf.Conv2DBackpropFilter]: () => conv2dBackpropFilterByConvolution as KernelFunc,
    [tf.Conv2DBackpropInput]: () => conv2dBackpropInputByMatMul as KernelFunc,
    [tf.Tile]: tileByBlocks,
  };
  if (backend === 'wasm') {
    kernels[tf.BatchMatMul] = (stock) => matMulWithoutTransposes(requireStock('BatchMatMul', stock));
    kernels[tf.Identity] = identityWithoutCopy;
    kernels[tf.Concat] = concatByRows;
    kernels[tf.SplitV] = splitByRows;
  }
  return kernels;
}

/**
 * With ONNX Runtime loaded, convolutions, matrix products and large reductions go to
 * its native CPU kernels; each falls back to the portable (or stock) kernel for the
 * cases it does not cover.
 */
function nativeKernels(runtime: OnnxRuntime, portable: Record<string, KernelMaker>): Record<string, KernelMaker> {
  const portableOr = (name: string, stock: KernelFunc | undefined) =>
    portable[name]?.(stock) ?? requireStock(name, stock);
  return {
    [tf.Conv2D]: (stock) => nativeConv2D(runtime, stock),
    [tf.FusedConv2D]: (stock) => nativeConv2D(runtime, stock),
    [tf.Conv2DBackpropInput]: (stock) => nativeConv2DBackpropInput(runtime, portableOr(tf.Conv2DBackpropInput, stock)),
    [tf.Conv2DBackpropFilter]: (stock) =>
      nativeConv2DBackpropFilter(runtime, portableOr(tf.Conv2DBackpropFilter, stock)),
    [tf.BatchMatMul]: (stock) => nativeMatMul(runtime, portableOr(tf.BatchMatMul, stock)),
    [tf.Sum]: (stock) => nativeReduce('ReduceSum', runtime, portableOr(tf.Sum, stock)),
    [tf.Mean]: (stock) => nativeReduce('ReduceMean', runtime, portableOr(tf.Mean, stock)),
  };
}

/** What tfjs registered before the project replaced it, per `backend/kernelName`. */
const stockKernels = new Map<string, KernelConfig | null>();

function install(backend: BackendName, kernelName: string, make: KernelMaker): void {
  const key = `${backend}/${kernelName}`;
  if (!stockKernels.has(key)) stockKernels.set(key, tf.getKernel(kernelName, backend) ?? null);
  const stock = stockKernels.get(key) ?? undefined;
  if (tf.getKernel(kernelName, backend) != null) tf.unregisterKernel(kernelName, backend);
  // The stock setup (wasm binds its C functions there) stays, so a backend that is
  // initialised again still works for the stock paths our kernels fall back to.
  tf.registerKernel({
    kernelName,
    backendName: backend,
    kernelFunc: make(stock?.kernelFunc),
    setupFunc: stock?.setupFunc,
    disposeFunc: stock?.disposeFunc,
  });
}

/**
 * Registers the project's kernels for `backend`, with `runtime`'s native kernels on top
 * when given (calling again without it goes back to the portable set); returns the
 * names of the kernels now replaced.
 */
export function registerProjectKernels(backend: BackendName, runtime?: OnnxRuntime): string[] {
  // Gradients are registered for every backend at once; this one only saves passes, so
  // it is set with the kernels of the backends it was measured on.
  if (backend !== 'tensorflow') tf.registerGradient(leakyReluGradient);
  const portable = portableKernels(backend);
  const chosen =
    runtime != null && backend !== 'tensorflow' ? { ...portable, ...nativeKernels(runtime, portable) } : portable;
  // Restore kernels a previous, native registration replaced and this one does not.
  for (const key of stockKernels.keys()) {
    const [keyBackend, kernelName] = key.split('/');
    if (keyBackend === backend && !(kernelName in chosen)) {
      const stock = stockKernels.get(key);
      tf.unregisterKernel(kernelName, backend);
      if (stock != null) tf.registerKernel(stock);
      stockKernels.delete(key);
    }
  }
  for (const [kernelName, make] of Object.entries(chosen)) install(backend, kernelName, make);
  return Object.keys(chosen);
}

/** The kernel tfjs itself registered for `kernelName` on `backend`, if any. */
export function stockKernel(kernelName: string, backend: BackendName): KernelConfig | undefined {
  const key = `${backend}/${kernelName}`;
  return stockKernels.has(key) ? (stockKernels.get(key) ?? undefined) : tf.getKernel(kernelName, backend);
}
