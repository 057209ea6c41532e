// A run with an exported generator, made without training (issue 6's tests and bench):
// the engine builds the GAN, the generator's weights are redrawn at a scale that makes
// its output vary visibly (an untrained DCGAN init draws flat grey), and the run folder
// is written exactly as the trainer writes it: checkpoints/<step>/, then generator/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { resolveConfig, type ImageSize } from '../../src-main/engine/config.ts';
import { exportLayersModel } from '../../src-main/engine/export.ts';
import { Gan } from '../../src-main/engine/gan.ts';
import { Rng } from '../../src-main/engine/rng.ts';
import { serializeGan } from '../../src-main/engine/state.ts';
import { Library } from '../../src-main/library/library.ts';
import { RunFolder, type GeneratorInfo } from '../../src-main/trainer/run-folder.ts';

export const FIXTURE_LABELS = ['circle', 'square', 'triangle'];
/** The engine's default latent size, which the fixture keeps. */
const LATENT_ROWS = 100;

export interface FixtureRun {
  runId: string;
  dir: string;
  checkpoints: number[];
}

/**
 * Redraws G so its pictures look like smooth colour fields rather than the flat grey of
 * an untrained DCGAN init: the dense projection at He scale (z and the label both move
 * the 4×4 base map), and every transpose convolution a bilinear upsampling (taps 1/4,
 * 3/4 per axis) times a random channel mix, so each doubling interpolates instead of
 * adding pixel noise.
 */
function redraw(model: tfl.LayersModel, rng: Rng): void {
  const bilinear = [0.25, 0.75, 0.75, 0.25];
  for (const weight of model.weights) {
    const variable = weight.read() as tf.Variable;
    const shape = variable.shape;
    const name = weight.originalName;
    let values: Float32Array;
    if (name.endsWith('/kernel') && shape.length === 2) {
      // [latentDim + labels, units]; the label rows are stronger, so a label is a look.
      const std = Math.sqrt(2 / shape[0]);
      const labelRows = shape[0] - LATENT_ROWS;
      values = rng
        .normals(variable.size)
        .map((v, i) => v * std * (Math.floor(i / shape[1]) >= shape[0] - labelRows ? 5 : 1));
    } else if (name.endsWith('/kernel')) {
      // [kh, kw, out, in]
      const [kh, kw, out, inputs] = shape;
      const mix = rng.normals(out * inputs).map((v) => v * Math.sqrt(2 / inputs));
      values = new Float32Array(variable.size);
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++)
          for (let o = 0; o < out; o++)
            for (let i = 0; i < inputs; i++)
              values[((y * kw + x) * out + o) * inputs + i] = bilinear[y] * bilinear[x] * mix[o * inputs + i];
    } else if (name.endsWith('/gamma') || name.endsWith('/moving_variance')) {
      values = new Float32Array(variable.size).fill(1);
    } else {
      values = new Float32Array(variable.size);
    }
    tf.tidy(() => variable.assign(tf.tensor(values, shape, 'float32')));
  }
}

/**
 * Writes a "done" run into the library at `libraryDir`: checkpoints at steps 100 and 200
 * (different weights, EMA and raw), and generator/ exported from step 200's EMA weights.
 */
export async function makeFixtureRun(
  libraryDir: string,
  imageSize: ImageSize = 64,
  channels: 1 | 3 = 3,
): Promise<FixtureRun> {
  await tf.setBackend('cpu');
  const runId = 'fixture-run';
  const dir = join(libraryDir, 'runs', runId);
  mkdirSync(dir, { recursive: true });
  const folder = new RunFolder(dir);
  const config = resolveConfig({ imageSize, channels, numClasses: FIXTURE_LABELS.length }, { seed: 7 });
  const gan = new Gan(config);
  const checkpoints = [100, 200];
  try {
    for (const step of checkpoints) {
      redraw(gan.generator, new Rng(`raw-${step}`));
      if (gan.emaGenerator) redraw(gan.emaGenerator, new Rng(`ema-${step}`));
      gan.step = step;
      folder.writeCheckpoint(
        await serializeGan(gan),
        {
          step,
          epoch: 1,
          labels: FIXTURE_LABELS,
          contentHash: 'fixture',
          datasetName: 'shapes',
          savedAt: new Date().toISOString(),
        },
        5,
      );
    }
    const info: GeneratorInfo = {
      format: 'cgan-studio-generator',
      version: 1,
      model: 'model.json',
      inputs: ['z', 'label'],
      latentDim: config.latentDim,
      labels: FIXTURE_LABELS,
      imageSize: config.imageSize,
      channels: config.channels,
      outputRange: [-1, 1],
      ema: gan.emaGenerator !== null,
      step: gan.step,
      seed: config.seed,
    };
    folder.writeGenerator(await exportLayersModel(gan.samplingGenerator), info);
  } finally {
    gan.dispose();
  }
  const library = Library.open(libraryDir);
  try {
    const dataset = library.datasets.create('shapes');
    library.runs.create({
      id: runId,
      datasetId: dataset.id,
      datasetName: dataset.name,
      name: `Shapes ${imageSize} px`,
      dir,
      config: config as unknown as Record<string, unknown>,
      totalSteps: 200,
    });
    library.runs.update(runId, { status: 'done', lastStep: 200, lastCheckpointStep: 200 });
  } finally {
    library.close();
  }
  return { runId, dir, checkpoints };
}
