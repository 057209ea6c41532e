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
