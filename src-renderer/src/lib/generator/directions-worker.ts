/// <reference lib="webworker" />
// Computes the latent directions off the window's thread: a few hundred forward and
// backward passes would otherwise stall slider drags for seconds after a generator
// opens. Same tfjs backend and kernels as the window, own copy of the model.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { computeDirections } from './directions.ts';
import { registerFastTransposeConvolution } from './kernels.ts';
import { LoadedGenerator } from './model.ts';
import type { DirectionsReply, DirectionsRequest } from './directions-protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: DirectionsReply) => scope.postMessage(message);

scope.onmessage = async ({ data }: MessageEvent<DirectionsRequest>) => {
  try {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': new URL(wasmPlain, data.base).href,
      'tfjs-backend-wasm-simd.wasm': new URL(wasmSimd, data.base).href,
      'tfjs-backend-wasm-threaded-simd.wasm': new URL(wasmThreaded, data.base).href,
    });
    registerFastTransposeConvolution();
    if (!(await tf.setBackend('wasm').catch(() => false))) await tf.setBackend('cpu');
    const model = await tfl.loadLayersModel(tf.io.fromMemory(data.artifacts));
    const generator = new LoadedGenerator(data.info, model, { checkpoint: null, ema: data.info.ema });
    const directions = await computeDirections(generator, {
      onProgress: (fraction) => post({ type: 'progress', fraction }),
    });
    post({ type: 'done', directions: directions.map((d) => ({ vector: d.vector, share: d.share })) });
    generator.dispose();
  } catch (error) {
    post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
};
