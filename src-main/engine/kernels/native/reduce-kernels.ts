import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, MeanAttrs, SumAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { peekFloat32 } from '../tensor-info.ts';
import type { OnnxGraph, OnnxRuntime } from './onnx-runtime.ts';

/** Below this many elements a native call costs more than it saves. */
const NATIVE_FROM = 1 << 16;

/**
 * Sum and Mean of large float32 tensors (batch norm's statistics and gradients, per
 * channel over batch × height × width): ONNX ReduceSum/ReduceMean, vectorised and
 * threaded, read in place. Stock wasm first transposes the reduced axes to the end,
 * a full copy of the activation.
 */
export function nativeReduce(kind: 'ReduceSum' | 'ReduceMean', runtime: OnnxRuntime, stock: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as SumAttrs | MeanAttrs;
    const size = x.shape.reduce((a, b) => a * b, 1);
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    // No axes means "reduce nothing" to tfjs but "reduce everything" to opset 11.
    if (x.dtype !== 'float32' || size < NATIVE_FROM || axes.length === 0) return stock(args);
    const outShape = x.shape.map((s, i) => (axes.includes(i) ? 1 : s));
    const key = `${kind}|${x.shape}|${axes}`;
    const graph = (): OnnxGraph => ({
      // Opset 11: axes is still an attribute (an input from opset 13/18 on).
      opset: 11,
      nodes: [
        {
          op: kind,
          inputs: ['x'],
          outputs: ['y'],
          attributes: [
            { name: 'axes', ints: axes },
            { name: 'keepdims', int: 1 },
          ],
        },
      ],
      inputs: [['x', x.shape]],
      output: ['y', outShape],
    });
    const values = runtime.run(key, graph, [peekFloat32(x)]);
    return tf.tensor(values, keepDims ? outShape : x.shape.filter((_, i) => !axes.includes(i)), 'float32');
  };
}
