import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import type { BackendName } from '../../api/contract/app.ts';
import { matMulWithoutTransposes } from './batch-mat-mul.ts';
import { conv2dBackpropFilterByConvolution } from './conv2d-backprop-filter.ts';
import { conv2dBackpropInputByMatMul } from './conv2d-backprop-input.ts';
import { tileByBlocks } from './tile.ts';

interface ProjectKernel {
  kernelName: string;
  /** Builds the kernel; `stock` is what tfjs registered before, for kernels that wrap it. */
  make(stock: KernelFunc | undefined): KernelFunc;
}

const filterGradient: ProjectKernel = {
  kernelName: tf.Conv2DBackpropFilter,
  make: () => conv2dBackpropFilterByConvolution as KernelFunc,
};
const inputGradient: ProjectKernel = {
  kernelName: tf.Conv2DBackpropInput,
  make: () => conv2dBackpropInputByMatMul as KernelFunc,
};
const fastTile: ProjectKernel = { kernelName: tf.Tile, make: tileByBlocks };
const fastMatMul: ProjectKernel = {
  kernelName: tf.BatchMatMul,
  make: (stock) => {
    if (stock == null) throw new Error('wasm has no BatchMatMul to wrap');
    return matMulWithoutTransposes(stock);
  },
};

/**
 * The kernels this project supplies, per backend: the gradient kernels `wasm` lacks or
 * runs on its slow paths, and the ones whose stock `cpu` version is too slow to train
 * with. libtensorflow ('tensorflow') has fast native versions of all of them.
 */
const PROJECT_KERNELS: Record<BackendName, ProjectKernel[]> = {
  tensorflow: [],
  wasm: [filterGradient, inputGradient, fastMatMul, fastTile],
  cpu: [filterGradient, inputGradient, fastTile],
};

/** What was registered before the project's kernel replaced it, for tests and benchmarks. */
const stockKernels = new Map<string, KernelConfig | null>();

/** Registers the project's kernels for `backend` (idempotent); returns their names. */
export function registerProjectKernels(backend: BackendName): string[] {
  for (const kernel of PROJECT_KERNELS[backend]) {
    const key = `${backend}/${kernel.kernelName}`;
    if (stockKernels.has(key)) continue;
    const stock = tf.getKernel(kernel.kernelName, backend);
    stockKernels.set(key, stock ?? null);
    if (stock != null) tf.unregisterKernel(kernel.kernelName, backend);
    // The stock setup (wasm binds its C functions there) stays, so a backend that is
    // initialised again still works for the stock path our kernels fall back to.
    tf.registerKernel({
      kernelName: kernel.kernelName,
      backendName: backend,
      kernelFunc: kernel.make(stock?.kernelFunc),
      setupFunc: stock?.setupFunc,
      disposeFunc: stock?.disposeFunc,
    });
  }
  return PROJECT_KERNELS[backend].map((kernel) => kernel.kernelName);
}

/** The kernel tfjs itself registered for `kernelName` on `backend`, if any. */
export function stockKernel(kernelName: string, backend: BackendName): KernelConfig | undefined {
  const key = `${backend}/${kernelName}`;
  return stockKernels.has(key) ? (stockKernels.get(key) ?? undefined) : tf.getKernel(kernelName, backend);
}
