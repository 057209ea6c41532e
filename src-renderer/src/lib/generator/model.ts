import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { releaseCachedFilters } from './kernels.ts';
import { generatorInfo, type GeneratorInfoDoc } from '../../../../src-main/api/contract/generator.ts';

// A run's generator in this window: the exported tfjs layers model, optionally with the
// weights of another checkpoint (EMA or raw) put into the same topology, and the one
// function that turns latents + label vectors into RGBA pixels.

export interface WeightsChoice {
  /** null: the exported generator (generator/); a number: that checkpoint's weights. */
  checkpoint: number | null;
  /** Checkpoints hold both G and its EMA; the export holds whichever the trainer sampled with. */
  ema: boolean;
}

/** The files of one generator; `fetchFile(path)` reads a path inside the run folder. */
export type FetchFile = (path: string) => Promise<Response>;

export class LoadedGenerator {
  readonly info: GeneratorInfoDoc;
  readonly model: tfl.LayersModel;
  readonly weights: WeightsChoice;

  constructor(info: GeneratorInfoDoc, model: tfl.LayersModel, weights: WeightsChoice) {
    this.info = info;
    this.model = model;
    this.weights = weights;
  }

  get pixelsPerImage(): number {
    return this.info.imageSize * this.info.imageSize;
  }

  /** G(z, y) in inference mode (batch norm uses its moving statistics). */
  forward(z: tf.Tensor, y: tf.Tensor): tf.Tensor {
    return this.model.apply([z, y], { training: false }) as tf.Tensor;
  }

  /**
   * `count` images as RGBA bytes, one after another. latents: count × latentDim;
   * labels: count × numLabels (one-hot or a soft mix).
   */
  render(latents: Float32Array, labels: Float32Array, count: number): Uint8ClampedArray<ArrayBuffer> {
    const { latentDim, labels: names } = this.info;
    const output = tf.tidy(() =>
      this.forward(tf.tensor2d(latents, [count, latentDim]), tf.tensor2d(labels, [count, names.length])),
    );
    try {
      return toRgba(output.dataSync() as Float32Array, this.info.channels);
    } finally {
      output.dispose();
    }
  }

  dispose(): void {
    releaseCachedFilters(this.model.weights.map((w) => w.read().dataId));
    this.model.dispose();
  }
}

/**
 * tanh output → bytes exactly as the engine does it (round((v + 1) · 127.5), clipped,
 * ties to even like tf.round), so a PNG saved here equals the CLI's for the same z.
 */
export function toRgba(values: Float32Array, channels: 1 | 3): Uint8ClampedArray<ArrayBuffer> {
  const pixels = values.length / channels;
  const out = new Uint8ClampedArray(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) out[p * 4 + c] = toByte(values[p * channels + (channels === 1 ? 0 : c)]);
    out[p * 4 + 3] = 255;
  }
  return out;
}

function toByte(v: number): number {
  const x = Math.min(255, Math.max(0, (v + 1) * 127.5));
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

async function readOk(fetchFile: FetchFile, path: string): Promise<Response> {
  const response = await fetchFile(path);
  if (!response.ok) {
    throw new Error(
      response.status === 404
        ? `The run has no ${path}: train until its first checkpoint, or pick another run.`
        : `Could not read ${path} of the run (HTTP ${response.status}).`,
    );
  }
  return response;
}

interface ModelJson {
  modelTopology: tf.io.ModelArtifacts['modelTopology'];
  weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }>;
}

interface CheckpointState {
  trainer: { step: number; labels: string[] };
  gan: {
    config: { latentDim: number; imageSize: number; channels: 1 | 3; seed: number; emaDecay: number };
    tensors: Array<{ group: string; index: number; name: string; shape: number[]; offset: number }>;
  };
}

/** Builds the model from in-memory artefacts (also what the exported page does). */
export function modelFromArtifacts(modelJson: ModelJson, weightData: ArrayBuffer): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
      weightData,
    }),
  );
}

export async function loadGenerator(fetchFile: FetchFile, weights: WeightsChoice): Promise<LoadedGenerator> {
  const [infoDoc, modelJson, exportedWeights] = await Promise.all([
    readOk(fetchFile, 'generator/generator.json').then((r) => r.json() as Promise<unknown>),
    readOk(fetchFile, 'generator/model.json').then((r) => r.json() as Promise<ModelJson>),
    readOk(fetchFile, 'generator/weights.bin').then((r) => r.arrayBuffer()),
  ]);
  const exportedInfo = generatorInfo.parse(infoDoc);
  const model = await modelFromArtifacts(modelJson, exportedWeights);
  if (weights.checkpoint === null)
    return new LoadedGenerator(exportedInfo, model, { checkpoint: null, ema: exportedInfo.ema });
  try {
    const base = `checkpoints/${weights.checkpoint}`;
    const [state, data] = await Promise.all([
      readOk(fetchFile, `${base}/state.json`).then((r) => r.json() as Promise<CheckpointState>),
      readOk(fetchFile, `${base}/weights.bin`).then((r) => r.arrayBuffer()),
    ]);
    const group = weights.ema ? 'ema' : 'generator';
    const entries = state.gan.tensors.filter((t) => t.group === group).sort((a, b) => a.index - b.index);
    if (entries.length !== model.weights.length) {
      throw new Error(
        weights.ema && entries.length === 0
          ? `Checkpoint ${weights.checkpoint} has no EMA weights (the run trained without EMA): choose the raw weights.`
          : `Checkpoint ${weights.checkpoint} does not fit this run's generator (${entries.length} tensors, the model has ${model.weights.length}).`,
      );
    }
    const values = new Float32Array(data);
    const tensors = entries.map((entry, i) => {
      const expected = model.weights[i].shape.join('×');
      if (entry.shape.join('×') !== expected) {
        throw new Error(
          `Checkpoint ${weights.checkpoint}: ${entry.name} is ${entry.shape.join('×')}, the model expects ${expected}.`,
        );
      }
      const size = entry.shape.reduce((a, b) => a * b, 1);
      return tf.tensor(values.subarray(entry.offset, entry.offset + size), entry.shape);
    });
    model.setWeights(tensors);
    tf.dispose(tensors);
    const info: GeneratorInfoDoc = {
      ...exportedInfo,
      labels: state.trainer.labels,
      step: state.trainer.step,
      ema: weights.ema,
    };
    return new LoadedGenerator(info, model, weights);
  } catch (error) {
    model.dispose();
    throw error;
  }
}
