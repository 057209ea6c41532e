import type * as tf from '@tensorflow/tfjs-core';
import type { GeneratorInfoDoc } from '../../../../src-main/api/contract/generator.ts';

/** To the directions worker: the generator (topology + its current weights) and where assets live. */
export interface DirectionsRequest {
  info: GeneratorInfoDoc;
  artifacts: tf.io.ModelArtifacts;
  /** The window's URL: the wasm asset paths are relative to it. */
  base: string;
}

export type DirectionsReply =
  | { type: 'progress'; fraction: number }
  | { type: 'done'; directions: Array<{ vector: Float32Array; share: number }> }
  | { type: 'failed'; message: string };
