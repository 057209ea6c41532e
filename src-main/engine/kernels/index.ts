import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import type { BackendName } from '../../api/contract/app.ts';
import { conv2dBackpropFilterByConvolution } from './conv2d-backprop-filter.ts';

/**
 * The kernels this project supplies, per backend: the gradient kernels `wasm` lacks and
 * the ones whose stock `cpu` version is too slow to train with. libtensorflow
 * ('tensorflow') has fast native versions of all of them.
 */
const PROJECT_KERNELS: Record<BackendName, Omit<KernelConfig, 'backendName'>[]> = {
  tensorflow: [],
  wasm: [{ kernelName: tf.Conv2DBackpropFilter, kernelFunc: conv2dBackpropFilterByConvolution as KernelConfig['kernelFunc'] }],
  cpu: [{ kernelName: tf.Conv2DBackpropFilter, kernelFunc: conv2dBackpropFilterByConvolution as KernelConfig['kernelFunc'] }],
};

/** What was registered before the project's kernel replaced it, for tests and benchmarks. */
const stockKernels = new Map<string, KernelConfig | null>();

/** Registers the project's kernels for `backend` (idempotent); returns their names. */
export function registerProjectKernels(backend: BackendName): string[] {
  const names: string[] = [];
  for (const kernel of PROJECT_KERNELS[backend]) {
    const key = `${backend}/${kernel.kernelName}`;
    if (!stockKernels.has(key)) {
      stockKernels.set(key, tf.getKernel(kernel.kernelName, backend) ?? null);
      if (stockKernels.get(key) != null) tf.unregisterKernel(kernel.kernelName, backend);
      tf.registerKernel({ ...kernel, backendName: backend });
    }
    names.push(kernel.kernelName);
  }
  return names;
}

/** The kernel tfjs itself registered for `kernelName` on `backend`, if any. */
export function stockKernel(kernelName: string, backend: BackendName): KernelConfig | undefined {
  const key = `${backend}/${kernelName}`;
  return stockKernels.has(key) ? (stockKernels.get(key) ?? undefined) : tf.getKernel(kernelName, backend);
}
