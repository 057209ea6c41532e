import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, LeakyReluAttrs, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/**
 * LeakyReLU's gradient as dy · step(x, α) (step is 1 above zero, α elsewhere): two
 * passes over the activation. tfjs's own, where(x > 0, dy, dy · α), makes three plus a
 * boolean mask; D's LeakyReLUs are differentiated three times a training step. Same
 * values, except that a NaN input now gives a NaN gradient instead of dy · α.
 */
export const leakyReluGradient: GradConfig = {
  kernelName: tf.LeakyRelu,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs?: NamedAttrMap) => {
    const [x] = saved;
    const { alpha } = attrs as unknown as LeakyReluAttrs;
    return { x: () => tf.mul(dy as Tensor, tf.step(x, alpha)) };
  },
};
