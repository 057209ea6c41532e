import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendName } from '../../src-main/api/contract/app.ts';
import { initBackend } from '../../src-main/engine/backend.ts';
import { stockKernel } from '../../src-main/engine/kernels/index.ts';
import { OnnxRuntime } from '../../src-main/engine/kernels/native/onnx-runtime.ts';

// Every project kernel against the stock `cpu` kernel tfjs ships, on random inputs.
// Small shapes keep the stock kernels (the slow ones we replace) fast enough here.

type Pad = 'same' | 'valid' | number;
interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  filter: [number, number];
  strides: [number, number];
  pad: Pad;
}

const CASES: ConvCase[] = [
  { batch: 2, height: 7, width: 9, inChannels: 3, outChannels: 5, filter: [3, 3], strides: [1, 1], pad: 'same' },
  { batch: 2, height: 7, width: 9, inChannels: 3, outChannels: 5, filter: [3, 3], strides: [1, 1], pad: 'valid' },
  { batch: 3, height: 9, width: 9, inChannels: 4, outChannels: 6, filter: [4, 4], strides: [2, 2], pad: 'same' },
  { batch: 3, height: 9, width: 11, inChannels: 4, outChannels: 6, filter: [4, 4], strides: [2, 2], pad: 'valid' },
  { batch: 1, height: 8, width: 8, inChannels: 2, outChannels: 3, filter: [5, 5], strides: [2, 2], pad: 'same' },
  { batch: 1, height: 7, width: 7, inChannels: 1, outChannels: 2, filter: [2, 2], strides: [2, 2], pad: 'valid' },
  { batch: 2, height: 10, width: 7, inChannels: 3, outChannels: 4, filter: [3, 2], strides: [2, 1], pad: 'same' },
  { batch: 1, height: 6, width: 9, inChannels: 2, outChannels: 3, filter: [3, 3], strides: [1, 2], pad: 1 },
  // The 28 px DCGAN's layer shapes, at batch 1.
  { batch: 1, height: 28, width: 28, inChannels: 11, outChannels: 8, filter: [4, 4], strides: [2, 2], pad: 'same' },
  { batch: 1, height: 14, width: 14, inChannels: 8, outChannels: 16, filter: [4, 4], strides: [2, 2], pad: 'same' },
];

const name = (c: ConvCase): string =>
  `${c.batch}×${c.height}×${c.width}×${c.inChannels} → ${c.outChannels}, filter ${c.filter.join('×')}, strides ${c.strides.join(',')}, pad ${c.pad}`;

function filterShape(c: ConvCase): [number, number, number, number] {
  return [c.filter[0], c.filter[1], c.inChannels, c.outChannels];
}

function outputShape(c: ConvCase): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo(
    [c.batch, c.height, c.width, c.inChannels],
    filterShape(c),
    c.strides,
    1,
    c.pad,
  );
  return info.outShape;
}

/** Runs tfjs's own `cpu` kernel on plain arrays, bypassing the registry the project changed. */
function stockCpu(kernelName: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.TypedArray {
  const kernel = stockKernel(kernelName, 'cpu');
  if (kernel == null) throw new Error(`tfjs has no cpu ${kernelName}`);
  const previous = tf.getBackend();
  // Both backends are initialised in beforeAll, so switching completes synchronously.
  void tf.setBackend('cpu');
  try {
    const onCpu = Object.fromEntries(
      Object.entries(inputs).map(([k, t]) => [k, tf.tensor(t.dataSync(), t.shape, t.dtype)]),
    );
    const info = kernel.kernelFunc({
      inputs: onCpu,
      attrs: attrs as tf.NamedAttrMap,
      backend: tf.backend(),
    }) as tf.TensorInfo;
    const result = tf.engine().makeTensorFromTensorInfo(info);
    const values = result.dataSync();
    result.dispose();
    Object.values(onCpu).forEach((t) => t.dispose());
    return values;
  } finally {
    void tf.setBackend(previous);
  }
}

function expectClose(actual: tf.TypedArray, expected: tf.TypedArray): void {
  expect(actual.length).toBe(expected.length);
  let scale = 1;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  // float32 sums of a few hundred products: relative error well under 1e-5 in practice.
  expect(worst).toBeLessThanOrEqual(1e-4 * scale);
}

function runOn(
  backend: BackendName,
  kernelName: string,
  inputs: Record<string, tf.Tensor>,
  attrs: object,
): tf.TypedArray {
  void tf.setBackend(backend);
  const moved = Object.fromEntries(
    Object.entries(inputs).map(([k, t]) => [k, tf.tensor(t.dataSync(), t.shape, t.dtype)]),
  );
  const result = tf.engine().runKernel(kernelName, moved, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = result.dataSync();
  result.dispose();
  Object.values(moved).forEach((t) => t.dispose());
  return values;
}

beforeAll(async () => {
  // Registers the project's portable kernels on both backends; wasm ends up current.
  await initBackend('cpu', { nativeKernels: false });
  await initBackend('wasm', { nativeKernels: false });
});

describe.each(['wasm', 'cpu'] as const)('project kernels on %s', (backend) => {
  it.each(CASES)(
    'Conv2DBackpropFilter matches stock cpu: $batch×$height×$width×$inChannels→$outChannels f$filter s$strides $pad',
    (c) => {
      const x = tf.randomNormal([c.batch, c.height, c.width, c.inChannels], 0, 1, 'float32', 1);
      const dy = tf.randomNormal(outputShape(c), 0, 1, 'float32', 2);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: filterShape(c) };
      const before = tf.memory().numTensors;
      const ours = runOn(backend, tf.Conv2DBackpropFilter, { x, dy }, attrs);
      expect(tf.memory().numTensors, `leak in ${name(c)}`).toBe(before);
      expectClose(ours, stockCpu(tf.Conv2DBackpropFilter, { x, dy }, attrs));
      tf.dispose([x, dy]);
    },
  );

  it.each(CASES)(
    'Conv2DBackpropInput matches stock cpu: $batch×$height×$width×$inChannels→$outChannels f$filter s$strides $pad',
    (c) => {
      const filter = tf.randomNormal(filterShape(c), 0, 1, 'float32', 3);
      const dy = tf.randomNormal(outputShape(c), 0, 1, 'float32', 4);
      const attrs = {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC',
        inputShape: [c.batch, c.height, c.width, c.inChannels],
      };
      const before = tf.memory().numTensors;
      const ours = runOn(backend, tf.Conv2DBackpropInput, { dy, filter }, attrs);
      expect(tf.memory().numTensors, `leak in ${name(c)}`).toBe(before);
      expectClose(ours, stockCpu(tf.Conv2DBackpropInput, { dy, filter }, attrs));
      tf.dispose([filter, dy]);
    },
  );
});

describe('BatchMatMul on wasm', () => {
  // The project's wasm BatchMatMul turns transposed products into plain ones (XNNPACK).
  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('matches stock cpu with transposeA=%s, transposeB=%s', (transposeA, transposeB) => {
    const [m, k, n] = [7, 13, 5];
    const a = tf.randomNormal(transposeA ? [k, m] : [m, k], 0, 1, 'float32', 5);
    const b = tf.randomNormal(transposeB ? [n, k] : [k, n], 0, 1, 'float32', 6);
    const attrs = { transposeA, transposeB };
    const before = tf.memory().numTensors;
    const ours = runOn('wasm', tf.BatchMatMul, { a, b }, attrs);
    expect(tf.memory().numTensors).toBe(before);
    expectClose(ours, stockCpu(tf.BatchMatMul, { a, b }, attrs));
    tf.dispose([a, b]);
  });

  it('still multiplies batches of matrices (the stock path)', () => {
    const a = tf.randomNormal([3, 4, 6], 0, 1, 'float32', 7);
    const b = tf.randomNormal([3, 5, 6], 0, 1, 'float32', 8);
    const attrs = { transposeA: false, transposeB: true };
    expectClose(runOn('wasm', tf.BatchMatMul, { a, b }, attrs), stockCpu(tf.BatchMatMul, { a, b }, attrs));
    tf.dispose([a, b]);
  });
});

describe.each(['wasm', 'cpu'] as const)('Tile on %s', (backend) => {
  it.each([
    { shape: [1, 1, 1, 5], reps: [3, 2, 4, 1] },
    { shape: [4, 1, 3], reps: [1, 7, 1] },
    { shape: [2, 3], reps: [3, 5] },
    { shape: [5], reps: [4] },
    { shape: [2, 3, 2], reps: [2, 1, 3] },
    { shape: [3, 2], reps: [1, 1] },
    { shape: [2, 0, 3], reps: [2, 2, 2] },
  ])('matches stock cpu for $shape tiled $reps', ({ shape, reps }) => {
    for (const dtype of ['float32', 'int32'] as const) {
      const x = tf.cast(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 9), 100), dtype);
      const ours = runOn(backend, tf.Tile, { x }, { reps });
      const reference = stockCpu(tf.Tile, { x }, { reps });
      expect(Array.from(ours)).toEqual(Array.from(reference));
      x.dispose();
    }
  });
});

// onnxruntime-node is an optional dependency: where it is not installed these kernels
// are never registered, and there is nothing to test.
const runtime = await OnnxRuntime.load(2);
// With a numeric pad tfjs sizes a convolution's output oddly (stock wasm and cpu even
// disagree with unequal strides); the native Conv2D hands those to the stock kernel.
const FORWARD_CASES = CASES.filter((c) => typeof c.pad !== 'number');

describe.skipIf(typeof runtime === 'string').each(['wasm', 'cpu'] as const)(
  'native (ONNX Runtime) kernels on %s',
  (backend) => {
    beforeAll(async () => {
      await initBackend('cpu', { nativeKernels: true, threads: 2 });
      await initBackend('wasm', { nativeKernels: true, threads: 2 });
    });
    afterAll(async () => {
      await initBackend('cpu', { nativeKernels: false });
      await initBackend('wasm', { nativeKernels: false });
    });

    it.each(FORWARD_CASES)(
      'Conv2D matches stock cpu: $batch×$height×$width×$inChannels→$outChannels f$filter s$strides $pad',
      (c) => {
        const x = tf.randomNormal([c.batch, c.height, c.width, c.inChannels], 0, 1, 'float32', 10);
        const filter = tf.randomNormal(filterShape(c), 0, 1, 'float32', 11);
        const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
        expectClose(runOn(backend, tf.Conv2D, { x, filter }, attrs), stockCpu(tf.Conv2D, { x, filter }, attrs));
        tf.dispose([x, filter]);
      },
    );

    it.each(FORWARD_CASES)(
      'FusedConv2D with bias matches stock cpu: $batch×$height×$width×$inChannels→$outChannels f$filter s$strides $pad',
      (c) => {
        const x = tf.randomNormal([c.batch, c.height, c.width, c.inChannels], 0, 1, 'float32', 12);
        const filter = tf.randomNormal(filterShape(c), 0, 1, 'float32', 13);
        const bias = tf.randomNormal([c.outChannels], 0, 1, 'float32', 14);
        const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: 1, activation: 'linear' };
        expectClose(
          runOn(backend, tf.FusedConv2D, { x, filter, bias }, attrs),
          stockCpu(tf.FusedConv2D, { x, filter, bias }, attrs),
        );
        tf.dispose([x, filter, bias]);
      },
    );

    it.each(CASES)(
      'Conv2DBackpropInput matches stock cpu: $batch×$height×$width×$inChannels→$outChannels f$filter s$strides $pad',
      (c) => {
        const filter = tf.randomNormal(filterShape(c), 0, 1, 'float32', 15);
        const dy = tf.randomNormal(outputShape(c), 0, 1, 'float32', 16);
        const attrs = {
          strides: c.strides,
          pad: c.pad,
          dataFormat: 'NHWC',
          inputShape: [c.batch, c.height, c.width, c.inChannels],
        };
        expectClose(
          runOn(backend, tf.Conv2DBackpropInput, { dy, filter }, attrs),
          stockCpu(tf.Conv2DBackpropInput, { dy, filter }, attrs),
        );
        tf.dispose([filter, dy]);
      },
    );

    it.each(CASES)(
      'Conv2DBackpropFilter matches stock cpu: $batch×$height×$width×$inChannels→$outChannels f$filter s$strides $pad',
      (c) => {
        const x = tf.randomNormal([c.batch, c.height, c.width, c.inChannels], 0, 1, 'float32', 17);
        const dy = tf.randomNormal(outputShape(c), 0, 1, 'float32', 18);
        const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: filterShape(c) };
        expectClose(
          runOn(backend, tf.Conv2DBackpropFilter, { x, dy }, attrs),
          stockCpu(tf.Conv2DBackpropFilter, { x, dy }, attrs),
        );
        tf.dispose([x, dy]);
      },
    );

    it.each([
      { axis: [0, 1, 2], keepDims: false },
      { axis: [2, 0, 1], keepDims: true },
      { axis: [1, 2], keepDims: false },
      { axis: [3], keepDims: true },
      { axis: null, keepDims: false },
      { axis: [], keepDims: false },
    ])('Sum and Mean match stock cpu over $axis (keepDims $keepDims)', ({ axis, keepDims }) => {
      // Large enough (≥ 2¹⁶ elements) to take the native path.
      const x = tf.randomNormal([16, 14, 14, 24], 0, 1, 'float32', 23);
      for (const kernel of [tf.Sum, tf.Mean]) {
        const attrs = { axis, keepDims };
        expectClose(runOn(backend, kernel, { x }, attrs), stockCpu(kernel, { x }, attrs));
      }
      x.dispose();
    });

    it.each([
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ])('batched BatchMatMul matches stock cpu with transposeA=%s, transposeB=%s', (transposeA, transposeB) => {
      const [batch, m, k, n] = [5, 7, 11, 6];
      const a = tf.randomNormal(transposeA ? [batch, k, m] : [batch, m, k], 0, 1, 'float32', 24);
      const b = tf.randomNormal(transposeB ? [batch, n, k] : [batch, k, n], 0, 1, 'float32', 25);
      const attrs = { transposeA, transposeB };
      expectClose(runOn(backend, tf.BatchMatMul, { a, b }, attrs), stockCpu(tf.BatchMatMul, { a, b }, attrs));
      tf.dispose([a, b]);
    });

    it.each([
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ])('BatchMatMul matches stock cpu with transposeA=%s, transposeB=%s', (transposeA, transposeB) => {
      const [m, k, n] = [9, 17, 6];
      const a = tf.randomNormal(transposeA ? [k, m] : [m, k], 0, 1, 'float32', 19);
      const b = tf.randomNormal(transposeB ? [1, n, k] : [1, k, n], 0, 1, 'float32', 20);
      const attrs = { transposeA, transposeB };
      expectClose(runOn(backend, tf.BatchMatMul, { a, b }, attrs), stockCpu(tf.BatchMatMul, { a, b }, attrs));
      tf.dispose([a, b]);
    });
  },
);

describe('Identity on wasm', () => {
  it('returns the same values, which outlive the input', () => {
    void tf.setBackend('wasm');
    const x = tf.randomNormal([3, 4], 0, 1, 'float32', 22);
    const expected = Array.from(x.dataSync());
    const before = tf.memory().numDataBuffers;
    const y = tf.engine().runKernel(tf.Identity, { x }) as tf.Tensor;
    // Shared, not copied: no new buffer on the backend.
    expect(tf.memory().numDataBuffers).toBe(before);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual(expected);
    y.dispose();
  });
});

describe('Concat and SplitV on wasm', () => {
  it.each([
    {
      shapes: [
        [2, 5, 4, 1],
        [2, 5, 4, 10],
      ],
      axis: 3,
    },
    {
      shapes: [
        [2, 5, 4, 1],
        [2, 5, 4, 10],
      ],
      axis: -1,
    },
    {
      shapes: [
        [3, 40],
        [3, 7],
        [3, 1],
      ],
      axis: 1,
    },
    {
      shapes: [
        [2, 3],
        [4, 3],
      ],
      axis: 0,
    },
    {
      shapes: [
        [2, 3, 33],
        [2, 5, 33],
      ],
      axis: 1,
    },
    {
      shapes: [
        [2, 0, 3],
        [2, 4, 3],
      ],
      axis: 1,
    },
  ])('Concat matches stock cpu for $shapes along $axis', ({ shapes, axis }) => {
    for (const dtype of ['float32', 'int32'] as const) {
      const parts = shapes.map((s, i) => tf.cast(tf.mul(tf.randomNormal(s, 0, 1, 'float32', 30 + i), 50), dtype));
      // Concat takes its inputs as an array, as tf.concat passes them.
      void tf.setBackend('wasm');
      const ours = tf.engine().runKernel(tf.Concat, parts as unknown as tf.NamedTensorMap, { axis }) as tf.Tensor;
      void tf.setBackend('cpu');
      const onCpu = parts.map((t) => tf.tensor(t.dataSync(), t.shape, t.dtype));
      const info = stockKernel(tf.Concat, 'cpu')!.kernelFunc({
        inputs: onCpu as unknown as tf.NamedTensorInfoMap,
        attrs: { axis },
        backend: tf.backend(),
      }) as tf.TensorInfo;
      const expected = tf.engine().makeTensorFromTensorInfo(info);
      expect(ours.shape).toEqual(expected.shape);
      expect(Array.from(ours.dataSync())).toEqual(Array.from(expected.dataSync()));
      void tf.setBackend('wasm');
      tf.dispose([ours, expected, ...onCpu]);
      tf.dispose(parts);
    }
  });

  it.each([
    { shape: [2, 5, 4, 11], sizes: [1, 10], axis: 3 },
    { shape: [3, 48], sizes: [40, -1], axis: 1 },
    { shape: [6, 3], sizes: [2, 0, 4], axis: 0 },
    { shape: [2, 6, 33], sizes: [3, 3], axis: -2 },
  ])('SplitV matches stock cpu for $shape into $sizes along $axis', ({ shape, sizes, axis }) => {
    void tf.setBackend('wasm');
    const x = tf.randomNormal(shape, 0, 1, 'float32', 40);
    const ours = tf.engine().runKernel(tf.SplitV, { x }, { numOrSizeSplits: sizes, axis }) as tf.Tensor[];
    void tf.setBackend('cpu');
    const onCpu = tf.tensor(x.dataSync(), x.shape);
    const reference = stockKernel(tf.SplitV, 'cpu')!.kernelFunc({
      inputs: { x: onCpu },
      attrs: { numOrSizeSplits: sizes, axis },
      backend: tf.backend(),
    }) as tf.TensorInfo[];
    expect(ours.map((t) => t.shape)).toEqual(reference.map((t) => t.shape));
    ours.forEach((t, i) => {
      const expected = tf.engine().makeTensorFromTensorInfo(reference[i]);
      expect(Array.from(t.dataSync())).toEqual(Array.from(expected.dataSync()));
      expected.dispose();
    });
    void tf.setBackend('wasm');
    tf.dispose([x, onCpu, ...ours]);
  });
});

describe.each(['wasm', 'cpu'] as const)('LeakyReLU gradient on %s', (backend) => {
  it('is dy where x > 0 and alpha · dy elsewhere', () => {
    void tf.setBackend(backend);
    const x = tf.tensor1d([-2, -0.5, 0, 0.25, 3]);
    const dy = tf.tensor1d([1, 2, 3, 4, 5]);
    const gradient = tf.grad((input: tf.Tensor) => tf.leakyRelu(input, 0.2))(x, dy);
    expectClose(gradient.dataSync(), Float32Array.from([0.2, 0.4, 0.6, 4, 5]));
    tf.dispose([x, dy, gradient]);
  });
});
