// Issue 7's figures: the 28 px Fashion-MNIST reference configuration (the lecture's
// cDCGAN, batch 64, one D and one G update per step) per available backend: training
// images/s, ms per step, peak memory, where the step's time goes, generator latency.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../src-main/api/contract/app.ts';
import { availableBackends } from '../src-main/engine/backend-detect.ts';
import { initBackend } from '../src-main/engine/backend.ts';
import { resolveConfig } from '../src-main/engine/config.ts';
import { Gan, type Batch } from '../src-main/engine/gan.ts';
import { fashionMnistAvailable, loadFashionMnist } from '../src-main/library/fashion-mnist.ts';
import type { BenchSection } from './section.ts';

const BATCH = 64;
const CONFIG_NAME = 'fashion-mnist 28px cDCGAN, batch 64, 1 D + 1 G step, no EMA/augmentation';

/** Timed steps per backend (after two warm-up steps): the cpu backend is far slower. */
const STEPS: Record<BackendName, number> = { tensorflow: 20, wasm: 10, cpu: 3 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Batches cut from Fashion-MNIST's training images, scaled to [-1, 1] once. */
function fashionBatches(count: number): Batch[] {
  const data = loadFashionMnist('train');
  const pixels = 28 * 28;
  return Array.from({ length: count }, (_, b) => {
    const images = new Float32Array(BATCH * pixels);
    const labels = new Int32Array(BATCH);
    for (let i = 0; i < BATCH; i++) {
      const index = (b * BATCH + i) % data.count;
      labels[i] = data.labels[index];
      for (let p = 0; p < pixels; p++) images[i * pixels + p] = data.pixels[index * pixels + p] / 127.5 - 1;
    }
    return { images, labels };
  });
}

/**
 * Exclusive milliseconds per kernel name over `run`. tf.profile counts a kernel that
 * calls other kernels (the project's composite ones do) twice, so this times every
 * runKernel with a stack and charges each call only for its own share. wasm and cpu
 * run synchronously, so wall time around the call is the kernel's time.
 */
function timeByKernel(run: () => void): Map<string, number> {
  const engine = tf.engine() as unknown as { runKernel: (...args: unknown[]) => unknown };
  const original = engine.runKernel;
  const totals = new Map<string, number>();
  const childTime: number[] = [];
  engine.runKernel = function (this: unknown, ...args: unknown[]) {
    childTime.push(0);
    const start = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      const inclusive = performance.now() - start;
      const children = childTime.pop() ?? 0;
      if (childTime.length > 0) childTime[childTime.length - 1] += inclusive;
      const name = String(args[0]);
      totals.set(name, (totals.get(name) ?? 0) + inclusive - children);
    }
  };
  try {
    run();
  } finally {
    engine.runKernel = original;
  }
  return totals;
}

function generateMs(gan: Gan, count: number, repeats: number): number {
  const times: number[] = [];
  for (let i = 0; i < repeats + 1; i++) {
    const start = performance.now();
    tf.tidy(() => {
      const z = tf.randomNormal([count, gan.config.latentDim]);
      const label = tf.oneHot(tf.fill([count], 3, 'int32') as tf.Tensor1D, gan.config.numClasses);
      const images = gan.samplingGenerator.predict([z, tf.cast(label, 'float32')]) as tf.Tensor;
      images.dataSync();
    });
    if (i > 0) times.push(performance.now() - start);
  }
  return median(times);
}

export const trainSection: BenchSection = {
  name: 'train',
  description:
    'training images/s, ms per step, peak memory, time per kernel and generator latency per backend (28 px Fashion-MNIST, batch 64)',
  async run(options) {
    if (!fashionMnistAvailable()) {
      console.error('train: Fashion-MNIST idx files not found; install Debian package dataset-fashion-mnist');
      return;
    }
    const backends = (options.backend ? [options.backend] : availableBackends()) as BackendName[];
    // Each backend with and without the native kernels, except plain-JS cpu without
    // them (over a minute a step), which runs only when asked for by name.
    const variants: { backend: BackendName; native: boolean }[] = [];
    for (const backend of backends) {
      variants.push({ backend, native: backend !== 'tensorflow' });
      if (backend === 'wasm' || (backend === 'cpu' && options.backend === 'cpu'))
        variants.push({ backend, native: false });
    }
    for (const { backend, native } of variants) {
      const chosen = await initBackend(backend, { nativeKernels: native });
      const nativeLoaded = chosen.nativeKernels;
      // Without onnxruntime-node both variants are the same: run it once.
      const portableFollows = variants.some((v) => v.backend === backend && !v.native);
      if (native && !nativeLoaded && portableFollows) continue;
      const steps = options.quick ? 2 : STEPS[backend];
      const batches = fashionBatches(steps + 3);
      const config = resolveConfig(
        { imageSize: 28, channels: 1, numClasses: 10 },
        { batchSize: BATCH, emaDecay: 0, augment: [] },
      );
      const gan = new Gan(config);
      const times: number[] = [];
      const cpuTimes: number[] = [];
      for (let i = 0; i < steps + 2; i++) {
        const start = performance.now();
        const cpuStart = process.cpuUsage();
        gan.trainStep(batches[i]);
        await tf.ready();
        const cpu = process.cpuUsage(cpuStart);
        if (i >= 2) {
          times.push(performance.now() - start);
          cpuTimes.push((cpu.user + cpu.system) / 1000);
        }
      }
      const tensorsBefore = tf.memory().numTensors;
      const split = timeByKernel(() => gan.trainStep(batches[steps + 2]));
      const leaked = tf.memory().numTensors - tensorsBefore;
      gan.readFigures();
      const msPerStep = median(times);
      const result = {
        backend,
        native_kernels: nativeLoaded,
        detail: chosen.detail,
        config: CONFIG_NAME,
        steps: times.length,
        train_images_per_s: Math.round((BATCH * 1000) / msPerStep),
        ms_per_step: Math.round(msPerStep),
        // CPU time of this process (all its threads) per step: on a shared machine a
        // steadier measure of the work than wall time.
        cpu_ms_per_step: Math.round(median(cpuTimes)),
        peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
        generate_ms_1: Number(generateMs(gan, 1, 9).toFixed(2)),
        generate_ms_100: Number(generateMs(gan, 100, 5).toFixed(1)),
        tensors_leaked_per_step: leaked,
        kernel_ms: Object.fromEntries(
          [...split.entries()]
            .sort((a, b) => b[1] - a[1])
            .filter(([, ms]) => ms >= 0.5)
            .map(([k, ms]) => [k, Number(ms.toFixed(1))]),
        ),
      };
      gan.dispose();
      if (options.json) {
        console.log(JSON.stringify(result));
        continue;
      }
      console.log(`${backend}${nativeLoaded ? ' + native kernels' : ''}: ${chosen.detail}`);
      console.log(
        `  ${result.train_images_per_s} images/s, ${result.ms_per_step} ms/step (median of ${result.steps}; ${result.cpu_ms_per_step} ms of CPU), peak RSS ${result.peak_rss_mb} MB, ` +
          `${(result.train_images_per_s / 300).toFixed(2)}× the PyTorch 1-thread bar (300 images/s)`,
      );
      console.log(`  generator: ${result.generate_ms_1} ms for 1 image, ${result.generate_ms_100} ms for 100`);
      const total = [...split.values()].reduce((a, b) => a + b, 0);
      console.log(`  one step by kernel (exclusive ms, ${total.toFixed(0)} ms in kernels):`);
      for (const [kernel, ms] of Object.entries(result.kernel_ms).slice(0, 14)) {
        console.log(
          `    ${kernel.padEnd(22)} ${ms.toFixed(1).padStart(7)} ms  ${((100 * ms) / total).toFixed(0).padStart(3)} %`,
        );
      }
    }
  },
};
