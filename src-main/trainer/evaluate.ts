import { existsSync, mkdirSync, readFileSync, rmSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildClassifier, classify, FEATURES, trainClassifier } from '../engine/eval/classifier.ts';
import { fitGaussian, frechetDistance } from '../engine/eval/frechet.ts';
import { exportLayersModel, importLayersModel } from '../engine/export.ts';
import { Rng, derivedRng } from '../engine/rng.ts';
import { generateImages } from '../engine/sampling.ts';
import { openSource } from './dataset-source.ts';
import { loadRunGenerator } from './generator-loader.ts';
import { RunFolder } from './run-folder.ts';
import { cacheKey, loadPackedImages } from './tensor-cache.ts';

// `eval`: label fidelity and a Fréchet distance for a run's generator, judged by a small
// classifier trained once per dataset + resolution and cached next to the tensor cache.

export interface EvalOptions {
  /** Generated images per label (default 500). */
  perLabel?: number;
  /** Real images compared with them (default up to 500 per label). */
  checkpoint?: number;
  raw?: boolean;
  onStatus?: (message: string) => void;
}

export interface EvalResult {
  type: 'eval';
  step: number;
  ema: boolean;
  /** Share of generated images the classifier assigns to the requested label. */
  fidelity: number;
  fidelity_per_label: Record<string, number>;
  /** Fréchet distance between classifier features of generated and real images (lower is better). */
  frechet_distance: number;
  /** The same distance between two disjoint halves of the real images: the floor to compare with. */
  frechet_floor: number;
  classifier_accuracy: number;
  per_label: number;
  time: string;
}

const CLASSIFIER_VERSION = 1;
/** Image presentations for the classifier: two passes over Fashion-MNIST-sized data; at least 20 000 (many passes) on small sets. */
const presentationsFor = (count: number) => Math.min(120_000, Math.max(20_000, count * 2));

interface ClassifierInfo {
  version: number;
  accuracy: number;
  trained: number;
  heldOut: number;
  labels: string[];
}

async function loadOrTrainClassifier(
  cacheDir: string,
  key: string,
  images: Parameters<typeof trainClassifier>[1],
  labels: string[],
  onStatus: (m: string) => void,
): Promise<{ model: tfl.LayersModel; info: ClassifierInfo }> {
  const dir = join(cacheDir, `${key}.classifier-v${CLASSIFIER_VERSION}`);
  if (existsSync(join(dir, 'info.json'))) {
    const info = JSON.parse(readFileSync(join(dir, 'info.json'), 'utf8')) as ClassifierInfo;
    const bytes = readFileSync(join(dir, 'weights.bin'));
    const model = await importLayersModel({
      modelJson: JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>,
      weights: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    });
    return { model, info };
  }
  onStatus(`training the evaluation classifier on ${images.count} real images (once per dataset)`);
  const model = buildClassifier({ imageSize: images.size, channels: images.channels, numClasses: labels.length });
  const result = await trainClassifier(model, images, {
    numClasses: labels.length,
    seed: 7,
    presentations: presentationsFor(images.count),
    onProgress: (f) => onStatus(`training the evaluation classifier: ${Math.round(f * 100)}%`),
  });
  const info: ClassifierInfo = { version: CLASSIFIER_VERSION, ...result, labels };
  const exported = await exportLayersModel(model);
  const temp = `${dir}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  writeFileSync(join(temp, 'model.json'), JSON.stringify(exported.modelJson));
  writeFileSync(join(temp, 'weights.bin'), new Uint8Array(exported.weights));
  writeFileSync(join(temp, 'info.json'), JSON.stringify(info, null, 2));
  rmSync(dir, { recursive: true, force: true });
  renameSync(temp, dir);
  return { model, info };
}

export async function evaluateRun(runDir: string, options: EvalOptions = {}): Promise<EvalResult> {
  const onStatus = options.onStatus ?? (() => undefined);
  const folder = new RunFolder(runDir);
  const manifest = folder.readManifest();
  const source = openSource(manifest.dataset.source);
  if (source.contentHash !== manifest.dataset.contentHash) {
    onStatus(`warning: dataset "${source.name}" changed since the run started; judging against its current images`);
  }
  const { config } = manifest;
  const packed = await loadPackedImages(
    source,
    config.imageSize,
    config.channels,
    source.cacheDir ?? join(folder.dir, 'cache'),
  );
  const labels = manifest.dataset.labels;
  const images = {
    size: config.imageSize,
    channels: config.channels,
    pixels: packed.pixels,
    labels: packed.labels,
    count: packed.count,
  };
  const cacheDir = source.cacheDir ?? join(folder.dir, 'cache');
  mkdirSync(cacheDir, { recursive: true });
  const { model: classifier, info } = await loadOrTrainClassifier(
    cacheDir,
    cacheKey(source.contentHash, config.imageSize, config.channels),
    images,
    labels,
    onStatus,
  );
  const generator = await loadRunGenerator(runDir, { checkpoint: options.checkpoint, raw: options.raw });
  try {
    const perLabel = options.perLabel ?? 500;
    onStatus(`generating ${perLabel} images per label`);
    const perImage = config.imageSize * config.imageSize * config.channels;
    const count = perLabel * labels.length;
    const generated = new Uint8Array(count * perImage);
    const requested = new Int32Array(count);
    const rng = derivedRng(config.seed, 'eval');
    for (let label = 0; label < labels.length; label++) {
      for (let start = 0; start < perLabel; start += 250) {
        const n = Math.min(250, perLabel - start);
        const pixels = generateImages(
          generator.model,
          generator.config,
          new Int32Array(n).fill(label),
          rng.normals(n * config.latentDim),
        );
        generated.set(pixels, (label * perLabel + start) * perImage);
        requested.fill(label, label * perLabel + start, label * perLabel + start + n);
      }
    }
    onStatus('classifying');
    const fake = classify(classifier, { size: config.imageSize, channels: config.channels, pixels: generated, count });
    const hits = new Array<number>(labels.length).fill(0);
    fake.labels.forEach((label, i) => {
      if (label === requested[i]) hits[requested[i]]++;
    });
    // Real images: up to perLabel of each label (as many as the generated ones).
    const order = new Rng(11).permutation(packed.count);
    const taken = new Array<number>(labels.length).fill(0);
    const realIndices: number[] = [];
    for (const index of order) {
      const label = packed.labels[index];
      if (taken[label] < perLabel) {
        taken[label]++;
        realIndices.push(index);
      }
    }
    const real = classify(classifier, images, realIndices);
    const fakeGaussian = fitGaussian(fake.features, count, FEATURES);
    const realGaussian = fitGaussian(real.features, realIndices.length, FEATURES);
    const half = Math.floor(realIndices.length / 2);
    const floor = frechetDistance(
      fitGaussian(real.features.subarray(0, half * FEATURES), half, FEATURES),
      fitGaussian(real.features.subarray(half * FEATURES), realIndices.length - half, FEATURES),
    );
    const result: EvalResult = {
      type: 'eval',
      step: generator.step,
      ema: generator.ema,
      fidelity: hits.reduce((a, b) => a + b, 0) / count,
      fidelity_per_label: Object.fromEntries(labels.map((name, i) => [name, hits[i] / perLabel])),
      frechet_distance: frechetDistance(fakeGaussian, realGaussian),
      frechet_floor: floor,
      classifier_accuracy: info.accuracy,
      per_label: perLabel,
      time: new Date().toISOString(),
    };
    folder.appendMetrics({ ...result });
    return result;
  } finally {
    generator.dispose();
    classifier.dispose();
  }
}
