import * as tf from '@tensorflow/tfjs-core';

// tfjs-core's Node bundle does not register the chained tensor methods (x.split(),
// x.reshape(), ...), and some of its own gradient functions call them (GatherV2's, for
// DiffAugment's translation). The package that normally registers them is ESM-only
// with directory imports Node refuses, so this module does the same job: each method
// delegates to the tf function of the same name, with tfjs's special cases.

type AnyOp = (...args: unknown[]) => tf.Tensor;
const ops = tf as unknown as Record<string, AnyOp | undefined>;

const SAME_NAME = `abs acos acosh add all any argMax argMin asin asinh atan atan2 atanh avgPool batchToSpaceND
  batchNorm broadcastTo cast ceil clipByValue conv1d conv2d conv2dTranspose cos cosh cumprod cumsum depthToSpace
  depthwiseConv2d dilation2d div divNoNan dot elu equal erf euclideanNorm exp expandDims expm1 fft floor floorDiv
  gather greater greaterEqual ifft irfft isFinite isInf isNaN leakyRelu less lessEqual localResponseNormalization
  log log1p logSigmoid logSoftmax logSumExp logicalAnd logicalNot logicalOr logicalXor matMul max maxPool maximum
  mean min minimum mirrorPad mod mul neg norm notEqual oneHot onesLike pad pool pow prelu prod reciprocal relu relu6
  reshape resizeBilinear resizeNearestNeighbor reverse rfft round rsqrt selu separableConv2d sigmoid sign sin sinh
  slice softmax softplus spaceToBatchND split sqrt square squaredDifference squeeze step stridedSlice sub sum tan
  tanh tile topk transpose unique unsortedSegmentSum unstack zerosLike`.split(/\s+/);

type Method = (this: tf.Tensor, ...args: unknown[]) => unknown;

const SPECIAL: Record<string, Method> = {
  as1D() {
    return tf.reshape(this, [this.size]);
  },
  flatten() {
    return tf.reshape(this, [this.size]);
  },
  as2D(rows, columns) {
    return tf.reshape(this, [rows as number, columns as number]);
  },
  as3D(rows, columns, depth) {
    return tf.reshape(this, [rows as number, columns as number, depth as number]);
  },
  as4D(rows, columns, depth, depth2) {
    return tf.reshape(this, [rows as number, columns as number, depth as number, depth2 as number]);
  },
  asScalar() {
    return tf.reshape(this, []);
  },
  asType(dtype) {
    return tf.cast(this, dtype as tf.DataType);
  },
  toFloat() {
    return tf.cast(this, 'float32');
  },
  toInt() {
    return tf.cast(this, 'int32');
  },
  toBool() {
    return tf.cast(this, 'bool');
  },
  reshapeAs(other) {
    return tf.reshape(this, (other as tf.Tensor).shape);
  },
  concat(others, axis) {
    const rest = others instanceof tf.Tensor ? [others] : (others as tf.Tensor[]);
    return tf.concat([this, ...rest], axis as number | undefined);
  },
  stack(others, axis) {
    const rest = others instanceof tf.Tensor ? [others] : (others as tf.Tensor[]);
    return tf.stack([this, ...rest], axis as number | undefined);
  },
  where(condition, other) {
    return tf.where(condition as tf.Tensor, this, other as tf.Tensor);
  },
};

let registered = false;

/** Idempotent; methods tfjs already has (another copy registered them) are left alone. */
export function registerChainedOps(): void {
  if (registered) return;
  registered = true;
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  for (const name of SAME_NAME) {
    const op = ops[name];
    if (op === undefined || name in proto) continue;
    proto[name] = function (this: tf.Tensor, ...args: unknown[]) {
      this.throwIfDisposed();
      return op(this, ...args);
    };
  }
  for (const [name, method] of Object.entries(SPECIAL)) {
    if (name in proto) continue;
    proto[name] = function (this: tf.Tensor, ...args: unknown[]) {
      this.throwIfDisposed();
      return method.apply(this, args);
    };
  }
}

registerChainedOps();
