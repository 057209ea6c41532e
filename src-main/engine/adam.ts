import * as tf from '@tensorflow/tfjs-core';

// Adam with its whole state in the open (moments + step count), because tfjs's
// AdamOptimizer recomputes its bias-correction terms with pow() on setWeights, which
// differs in the last bits from the running product it keeps while training: a resumed
// run would drift from the uninterrupted one. Here the correction is computed in
// float64 from the step count each time, so save/restore is exact.

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon?: number;
}

export class Adam {
  readonly settings: Required<AdamSettings>;
  readonly variables: tf.Variable[];
  readonly m: tf.Variable[];
  readonly v: tf.Variable[];
  step = 0;

  constructor(variables: tf.Variable[], settings: AdamSettings) {
    this.settings = { epsilon: 1e-7, ...settings };
    this.variables = variables;
    this.m = tf.tidy(() => variables.map((x) => tf.variable(tf.zerosLike(x), false)));
    this.v = tf.tidy(() => variables.map((x) => tf.variable(tf.zerosLike(x), false)));
  }

  /** One update from gradients given in the same order as `variables`. Call inside tf.tidy. */
  apply(gradients: tf.Tensor[]): void {
    const { learningRate, beta1, beta2, epsilon } = this.settings;
    this.step += 1;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    const stepSize = tf.scalar((learningRate * Math.sqrt(correction2)) / correction1);
    const b1 = tf.scalar(beta1);
    const b2 = tf.scalar(beta2);
    const oneMinusB1 = tf.scalar(1 - beta1);
    const oneMinusB2 = tf.scalar(1 - beta2);
    const eps = tf.scalar(epsilon * Math.sqrt(correction2));
    this.variables.forEach((variable, i) => {
      const g = gradients[i];
      const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, oneMinusB1));
      const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), oneMinusB2));
      this.m[i].assign(m);
      this.v[i].assign(v);
      variable.assign(tf.sub(variable, tf.div(tf.mul(m, stepSize), tf.add(tf.sqrt(v), eps))));
    });
  }

  /** The moments, in variable order: m then v. */
  stateTensors(): tf.Variable[] {
    return [...this.m, ...this.v];
  }

  dispose(): void {
    for (const t of this.stateTensors()) t.dispose();
  }
}
