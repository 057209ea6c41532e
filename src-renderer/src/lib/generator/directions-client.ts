/// <reference types="vite/client" />
import * as tf from '@tensorflow/tfjs-core';
import { computeDirections, type LatentDirection } from './directions.ts';
import type { DirectionsReply, DirectionsRequest } from './directions-protocol.ts';
import type { LoadedGenerator } from './model.ts';

// The window's side of the directions worker.

/** The generator's topology and current weights, as tfjs would save them (for the worker). */
export async function artifactsOf(generator: LoadedGenerator): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | null = null;
  await generator.model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured) throw new Error('the generator could not be serialised');
  return captured;
}

/**
 * computeDirections in a worker, so the window keeps drawing; falls back to slices on
 * this thread where a worker cannot start.
 */
export async function computeDirectionsInWorker(
  generator: LoadedGenerator,
  onProgress: (fraction: number) => void,
): Promise<LatentDirection[]> {
  let worker: Worker;
  try {
    const { default: DirectionsWorker } = await import('./directions-worker.ts?worker');
    worker = new DirectionsWorker();
  } catch (error) {
    console.warn('no worker for the latent directions; computing them between frames:', error);
    return computeDirections(generator, {
      batch: 8,
      onProgress: async (fraction) => {
        onProgress(fraction);
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
    });
  }
  try {
    const request: DirectionsRequest = {
      info: generator.info,
      artifacts: await artifactsOf(generator),
      base: location.href,
    };
    return await new Promise<LatentDirection[]>((resolve, reject) => {
      worker.onmessage = ({ data }: MessageEvent<DirectionsReply>) => {
        if (data.type === 'progress') onProgress(data.fraction);
        else if (data.type === 'done') resolve(data.directions);
        else reject(new Error(data.message));
      };
      worker.onerror = (event) => reject(new Error(event.message || 'the directions worker failed'));
      worker.postMessage(request);
    });
  } finally {
    worker.terminate();
  }
}
