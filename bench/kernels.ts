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

export const kernelsSection: BenchSection = {
  name: 'kernels',
  description: 'ms per call of the 28 px DCGAN kernels at batch 64, project vs stock tfjs, per backend',
  async run(options) {
    const backends = (options.backend ? [options.backend] : availableBackends()).filter(
      (b): b is BackendName => b === 'wasm' || b === 'cpu',
    );
    const batch = options.quick ? 8 : 64;
    const repeats = options.quick ? 3 : 7;
    for (const backend of backends) {
      await initBackend(backend);
      for (const c of referenceCases(batch)) {
        const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, s]) => [k, tf.randomNormal(s)]));
        const project = time(
          repeats,
          () => tf.engine().runKernel(c.kernel, inputs, c.attrs as tf.NamedAttrMap) as tf.Tensor,
        );
        let stock: number | null = null;
        let stockNote = '';
        const stockFunc = stockKernel(c.kernel, backend)?.kernelFunc;
        if (stockFunc != null && stockFunc !== tf.getKernel(c.kernel, backend)?.kernelFunc) {
          let scale = 1;
          let stockInputs = inputs;
          const attrs = { ...c.attrs };
          if (SLOW_STOCK[backend]?.has(c.kernel) && batch > 4) {
            scale = batch / 4;
            stockInputs = Object.fromEntries(
              Object.entries(c.inputs).map(([k, s]) => [k, tf.randomNormal(k === 'filter' ? s : [4, ...s.slice(1)])]),
            );
            for (const key of ['inputShape', 'filterShape'] as const) {
              const shape = attrs[key] as number[] | undefined;
              if (key === 'inputShape' && shape) attrs[key] = [4, ...shape.slice(1)];
            }
            stockNote = ` (batch 4 ×${scale})`;
          }
          stock =
            scale *
            time(
              1,
              () =>
                stockFunc({
                  inputs: stockInputs,
                  attrs: attrs as tf.NamedAttrMap,
                  backend: tf.backend(),
                }) as tf.TensorInfo,
            );
          if (stockInputs !== inputs) tf.dispose(Object.values(stockInputs));
        }
        tf.dispose(Object.values(inputs));
        const shapes = Object.entries(c.inputs)
          .map(([k, s]) => `${k} ${s.join('×')}`)
          .join(', ');
        const transposes = c.kernel === tf.BatchMatMul ? ` tA=${c.attrs.transposeA} tB=${c.attrs.transposeB}` : '';
        if (options.json) {
          console.log(
            JSON.stringify({
              section: 'kernels',
              backend,
              batch,
              layer: c.layer,
              kernel: c.kernel,
              shapes,
              project_ms: project,
              stock_ms: stock,
            }),
          );
        } else {
          const stockText = stock == null ? 'stock: (none)' : `stock ${stock.toFixed(1)} ms${stockNote}`;
          console.log(
            `${backend.padEnd(5)} ${c.kernel.padEnd(21)} ${project.toFixed(1).padStart(7)} ms   ${stockText.padEnd(34)} ${c.layer}: ${shapes}${transposes}`,
          );
        }
      }
    }
  },
};
