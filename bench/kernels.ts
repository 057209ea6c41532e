// Milliseconds per call of the heavy kernels of one 28 px DCGAN training step (batch 64),
// the project's kernel next to the stock tfjs one, per backend. Medians: this machine's
// two cores are shared, single runs are noise.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../src-main/api/contract/app.ts';
import { availableBackends } from '../src-main/engine/backend-detect.ts';
import { initBackend } from '../src-main/engine/backend.ts';
import { stockKernel } from '../src-main/engine/kernels/index.ts';
import type { BenchSection } from './section.ts';

type Shape4 = [number, number, number, number];

interface KernelCase {
  /** Which layer of the 28 px model needs this call. */
  layer: string;
  kernel: string;
  inputs: Record<string, number[]>;
  attrs: Record<string, unknown>;
}

function conv(layer: string, x: Shape4, filter: Shape4): KernelCase[] {
  const info = tf.backend_util.computeConv2DInfo(x, filter, 2, 1, 'same');
  const common = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC' };
  return [
    { layer, kernel: tf.Conv2D, inputs: { x, filter }, attrs: { ...common, dilations: 1 } },
    {
      layer,
      kernel: tf.Conv2DBackpropInput,
      inputs: { dy: info.outShape, filter },
      attrs: { ...common, inputShape: x },
    },
    {
      layer,
      kernel: tf.Conv2DBackpropFilter,
      inputs: { x, dy: info.outShape },
      attrs: { ...common, filterShape: filter },
    },
  ];
}

function matMul(layer: string, a: number[], b: number[], transposeA: boolean, transposeB: boolean): KernelCase {
  return { layer, kernel: tf.BatchMatMul, inputs: { a, b }, attrs: { transposeA, transposeB } };
}

/** The reference configuration's layers: D 28→14→7 (64, 128 wide), G 7→14→28 (transposed). */
export function referenceCases(batch: number): KernelCase[] {
  return [
    ...conv('D conv 1 (28×28×11 → 64)', [batch, 28, 28, 11], [4, 4, 11, 64]),
    ...conv('D conv 2 / G deconv 1 (14×14×64 ↔ 7×7×128)', [batch, 14, 14, 64], [4, 4, 64, 128]),
    ...conv('G deconv 2 (14×14×64 → 28×28×1)', [batch, 28, 28, 1], [4, 4, 1, 64]),
    matMul('G dense forward', [batch, 110], [110, 6272], false, false),
    matMul('G dense dW = xᵀ·dy', [batch, 110], [batch, 6272], true, false),
    matMul('D dense dx = dy·Wᵀ', [batch, 1], [6272, 1], false, true),
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median ms of `run` (which returns what it allocated, disposed untimed). */
function time(repeats: number, run: () => tf.TensorInfo): number {
  const times: number[] = [];
  for (let i = 0; i < repeats + 1; i++) {
    const start = performance.now();
    const out = run();
    // wasm and cpu run synchronously; reading one value makes sure nothing is deferred.
    tf.backend().readSync(out.dataId);
    const ms = performance.now() - start;
    tf.backend().disposeData(out.dataId, true);
    if (i > 0) times.push(ms); // the first call warms caches (XNNPACK packs weights)
  }
  return median(times);
}

// The stock cpu filter/input gradients take minutes at batch 64 (the reason the
// project's exist); they are timed at batch 4 and scaled, and say so.
const SLOW_STOCK: Record<string, Set<string>> = {
  cpu: new Set([tf.Conv2DBackpropFilter, tf.Conv2DBackpropInput, tf.Conv2D]),
};

function randomInputs(c: KernelCase, batch?: number): Record<string, tf.Tensor> {
  return Object.fromEntries(
    Object.entries(c.inputs).map(([k, s]) => [
      k,
      tf.randomNormal(batch == null || k === 'filter' ? s : [batch, ...s.slice(1)]),
    ]),
  );
}

/** Median ms of whatever is registered now for each case. */
function timeRegistered(cases: KernelCase[], repeats: number): number[] {
  return cases.map((c) => {
    const inputs = randomInputs(c);
    const ms = time(repeats, () => tf.engine().runKernel(c.kernel, inputs, c.attrs as tf.NamedAttrMap) as tf.Tensor);
    tf.dispose(Object.values(inputs));
    return ms;
  });
}

/** ms of tfjs's own kernel, or null where the project does not replace it. */
function timeStock(backend: BackendName, c: KernelCase, batch: number): { ms: number; note: string } | null {
  const stock = stockKernel(c.kernel, backend)?.kernelFunc;
  if (stock == null || stock === tf.getKernel(c.kernel, backend)?.kernelFunc) return null;
  const scaled = SLOW_STOCK[backend]?.has(c.kernel) === true && batch > 4;
  const attrs = { ...c.attrs };
  if (scaled && Array.isArray(attrs.inputShape)) attrs.inputShape = [4, ...(attrs.inputShape as number[]).slice(1)];
  const inputs = randomInputs(c, scaled ? 4 : undefined);
  const ms = time(1, () => stock({ inputs, attrs: attrs as tf.NamedAttrMap, backend: tf.backend() }) as tf.TensorInfo);
  tf.dispose(Object.values(inputs));
  return scaled ? { ms: (ms * batch) / 4, note: ` (batch 4 ×${batch / 4})` } : { ms, note: '' };
}

const cell = (ms: number | null | undefined): string => (ms == null ? '—' : ms.toFixed(1)).padStart(8);

export const kernelsSection: BenchSection = {
  name: 'kernels',
  description:
    'ms per call of the 28 px DCGAN kernels at batch 64: native (ONNX Runtime), portable project kernels, stock tfjs',
  async run(options) {
    const backends = (options.backend ? [options.backend] : availableBackends()).filter(
      (b): b is BackendName => b === 'wasm' || b === 'cpu',
    );
    const batch = options.quick ? 8 : 64;
    const repeats = options.quick ? 3 : 7;
    const cases = referenceCases(batch);
    for (const backend of backends) {
      const native = (await initBackend(backend, { nativeKernels: true })).nativeKernels
        ? timeRegistered(cases, repeats)
        : null;
      await initBackend(backend, { nativeKernels: false });
      const portable = timeRegistered(cases, repeats);
      if (!options.json) console.log(`${backend}: ms per call (median)   native portable    stock`);
      cases.forEach((c, i) => {
        const stock = timeStock(backend, c, batch);
        const shapes = Object.entries(c.inputs)
          .map(([k, s]) => `${k} ${s.join('×')}`)
          .join(', ');
        const transposes = c.kernel === tf.BatchMatMul ? ` tA=${c.attrs.transposeA} tB=${c.attrs.transposeB}` : '';
        if (options.json) {
          const figures = { native_ms: native?.[i] ?? null, portable_ms: portable[i], stock_ms: stock?.ms ?? null };
          console.log(
            JSON.stringify({
              section: 'kernels',
              backend,
              batch,
              layer: c.layer,
              kernel: c.kernel,
              shapes,
              ...figures,
            }),
          );
        } else {
          const row = `${cell(native?.[i])} ${cell(portable[i])} ${cell(stock?.ms)}${stock?.note ?? ''}`;
          console.log(`  ${c.kernel.padEnd(21)} ${row}   ${c.layer}: ${shapes}${transposes}`);
        }
      });
    }
  },
};
