import { afterAll, describe, expect, it } from 'vitest';
import { MAX_SESSIONS, OnnxRuntime } from '../../src-main/engine/kernels/native/onnx-runtime.ts';

// onnxruntime-node is optional; without it there is no runtime to test.
const runtime = await OnnxRuntime.load(1);

describe.skipIf(typeof runtime === 'string')('OnnxRuntime', () => {
  const native = runtime as OnnxRuntime;
  afterAll(() => native.dispose());

  const gemm = (rows: number) => () => ({
    nodes: [{ op: 'Gemm', inputs: ['a', 'b'], outputs: ['c'], attributes: [{ name: 'transB', int: 1 }] }],
    inputs: [
      ['a', [rows, 3]],
      ['b', [2, 3]],
    ] as [string, number[]][],
    output: ['c', [rows, 2]] as [string, number[]],
  });

  it('runs a written one-node model: a·bᵀ', () => {
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float32Array.from([1, 0, -1, 0.5, 0.5, 0.5]);
    expect(Array.from(native.run('gemm-2', gemm(2), [a, b]))).toEqual([-2, 3, -2, 7.5]);
  });

  it('keeps a bounded number of sessions, dropping the least recently used', () => {
    const b = new Float32Array(6).fill(1);
    for (let rows = 1; rows <= MAX_SESSIONS + 10; rows++) {
      const out = native.run(`gemm-${rows}`, gemm(rows), [new Float32Array(rows * 3).fill(2), b]);
      expect(out.length).toBe(rows * 2);
      expect(out[0]).toBe(6);
    }
    expect(native.sessionCount).toBe(MAX_SESSIONS);
  });
});
