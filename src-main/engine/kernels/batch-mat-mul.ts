import * as tf from '@tensorflow/tfjs-core';
import type { BatchMatMulAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asTensor } from './tensor-info.ts';

/**
 * wasm's BatchMatMul runs XNNPACK only for a single matrix product with neither operand
 * transposed; every other case (which includes the gradients of every dense layer,
 * x·dyᵀ and dy·Wᵀ) falls to a scalar C++ loop some 20× slower. Transposing the operand
 * first is a cheap memory pass and puts the product back on XNNPACK.
 */
export function matMulWithoutTransposes(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const single = a.shape.length === 2 && b.shape.length === 2;
    if ((!transposeA && !transposeB) || !single) return stock(args);
    return tf.tidy(() => {
      const left = transposeA ? tf.transpose(asTensor(a)) : asTensor(a);
      const right = transposeB ? tf.transpose(asTensor(b)) : asTensor(b);
      return tf.matMul(left, right);
    });
  };
}
