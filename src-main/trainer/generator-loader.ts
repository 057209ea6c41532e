import type * as tfl from '@tensorflow/tfjs-layers';
import type { GanConfig } from '../engine/config.ts';
import { importLayersModel } from '../engine/export.ts';
import { deserializeGan } from '../engine/state.ts';
import { RunFolder, RunFolderError } from './run-folder.ts';

// A run's generator for sampling and evaluation: the exported one (EMA weights) by
// default, or any checkpoint's EMA or raw G.

export interface LoadedGenerator {
  model: tfl.LayersModel;
  labels: string[];
  config: Pick<GanConfig, 'imageSize' | 'channels' | 'numClasses' | 'latentDim'>;
  step: number;
  ema: boolean;
  dispose(): void;
}

export async function loadRunGenerator(
  runDir: string,
  options: { checkpoint?: number; raw?: boolean } = {},
): Promise<LoadedGenerator> {
  const folder = new RunFolder(runDir);
  const manifest = folder.readManifest();
  if (options.checkpoint === undefined && !options.raw) {
    const { exported, info } = folder.readGenerator();
    const model = await importLayersModel(exported);
    return {
      model,
      labels: info.labels,
      config: {
        imageSize: info.imageSize as GanConfig['imageSize'],
        channels: info.channels,
        numClasses: info.labels.length,
        latentDim: info.latentDim,
      },
      step: info.step,
      ema: info.ema,
      dispose: () => model.dispose(),
    };
  }
  const step = options.checkpoint ?? folder.latestCheckpoint();
  if (step === null) throw new RunFolderError(`The run ${folder.dir} has no checkpoint yet.`);
  const { serialized, info } = folder.readCheckpoint(step);
  const gan = deserializeGan(serialized, manifest.config);
  const useEma = !options.raw && gan.emaGenerator !== null;
  return {
    model: useEma ? gan.samplingGenerator : gan.generator,
    labels: info.labels,
    config: gan.config,
    step,
    ema: useEma,
    dispose: () => gan.dispose(),
  };
}
