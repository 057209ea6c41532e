import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Kernels receive the engine's own Tensor objects as inputs; the type only promises
 * TensorInfo. Composite kernels need the Tensor to call ops on it.
 */
export function asTensor(info: TensorInfo): tf.Tensor {
  if (info instanceof tf.Tensor) return info;
  throw new Error('a project kernel was called with a bare TensorInfo; it needs the engine to pass its Tensor');
}

export function requireChannelsLast(dataFormat: string | undefined, kernel: string): void {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernel}: the project kernel supports NHWC only, got ${dataFormat}`);
  }
}

interface WasmBackendView {
  typedArrayFromHeap(info: TensorInfo): tf.TypedArray;
}

/**
 * A float32 tensor's values without a copy where the backend allows it: a view into
 * wasm's heap (valid only until the next allocation on that backend, so read it before
 * creating any tensor), cpu's own array, or a copy elsewhere.
 */
export function peekFloat32(info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${info.dtype}`);
  const backend = tf.backend() as unknown as Partial<WasmBackendView>;
  if (tf.getBackend() === 'wasm' && typeof backend.typedArrayFromHeap === 'function') {
    return backend.typedArrayFromHeap(info) as Float32Array;
  }
  return asTensor(info).dataSync() as Float32Array;
}
