import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Identity that shares the input's buffer, as Reshape already does on wasm (and as the
 * cpu backend's Identity does): stock wasm copies every tensor it passes through, and
 * the gradient tape passes whole activations through Identity dozens of times a step.
 * Tensors are immutable and buffers reference-counted, so sharing is safe.
 */
export function identityWithoutCopy(stock: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const backend = args.backend as KernelBackend & { incRef?(dataId: object): void };
    if (x.dtype === 'string' || typeof backend.incRef !== 'function') {
      if (stock == null) throw new Error('Identity: no stock kernel for this case');
      return stock(args);
    }
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
