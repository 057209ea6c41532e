import * as tf from '@tensorflow/tfjs-core';
import type { GanConfig } from './config.ts';
import { Gan } from './gan.ts';
import { allVariables } from './models.ts';
import { Rng } from './rng.ts';
import { ganStateSchema, type GanState, type Group, type SerializedGan } from './state-schema.ts';

export { ganStateSchema, type GanState, type SerializedGan } from './state-schema.ts';

// A Gan's whole state as one JSON document plus one ArrayBuffer of float32 weights, so
// the trainer can write a checkpoint as two files and a resumed run continues exactly:
// G, D, EMA G, both optimisers' moments and step counts, the step and the RNG.

function groups(gan: Gan): Record<Group, tf.Variable[]> {
  return {
    generator: allVariables(gan.generator),
    discriminator: allVariables(gan.discriminator),
    ema: gan.emaGenerator ? allVariables(gan.emaGenerator) : [],
    'adam-g-m': gan.generatorOptimizer.m,
    'adam-g-v': gan.generatorOptimizer.v,
    'adam-d-m': gan.discriminatorOptimizer.m,
    'adam-d-v': gan.discriminatorOptimizer.v,
  };
}

export async function serializeGan(gan: Gan): Promise<SerializedGan> {
  const entries: GanState['tensors'] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [group, variables] of Object.entries(groups(gan)) as Array<[Group, tf.Variable[]]>) {
    for (const [index, variable] of variables.entries()) {
      const values = (await variable.data()) as Float32Array;
      entries.push({ group, index, name: variable.name, shape: variable.shape, offset });
      chunks.push(values);
      offset += values.length;
    }
  }
  const data = new Float32Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    data.set(chunk, at);
    at += chunk.length;
  }
  const rng = gan.rng.getState();
  return {
    state: {
      format: 'cgan-studio-gan-state',
      version: 1,
      config: gan.config,
      step: gan.step,
      rng: { words: rng.words, spare: rng.spare },
      optimizerSteps: { generator: gan.generatorOptimizer.step, discriminator: gan.discriminatorOptimizer.step },
      tensors: entries,
    },
    data: data.buffer,
  };
}

/**
 * A Gan with exactly the saved state. `config` may differ from the saved one only in
 * fields that do not change the models (intervals, learning rates...); a shape mismatch
 * throws naming the tensor.
 */
export function deserializeGan(serialized: SerializedGan, config: GanConfig = serialized.state.config): Gan {
  const state = ganStateSchema.parse(serialized.state);
  const values = new Float32Array(serialized.data);
  const gan = new Gan(config);
  try {
    const targets = groups(gan);
    const seen = new Set<string>();
    for (const entry of state.tensors) {
      const variable = targets[entry.group][entry.index];
      if (!variable)
        throw new Error(`the saved state has an extra tensor ${entry.group}[${entry.index}] (${entry.name})`);
      const size = entry.shape.reduce((a, b) => a * b, 1);
      if (variable.shape.join('x') !== entry.shape.join('x')) {
        throw new Error(
          `${entry.group} tensor ${entry.name} has shape ${entry.shape.join('×')}, the model expects ${variable.shape.join('×')}`,
        );
      }
      if (entry.offset + size > values.length) throw new Error(`the weights data is truncated at ${entry.name}`);
      tf.tidy(() => variable.assign(tf.tensor(values.subarray(entry.offset, entry.offset + size), variable.shape)));
      seen.add(`${entry.group}:${entry.index}`);
    }
    for (const [group, variables] of Object.entries(targets)) {
      variables.forEach((_, index) => {
        if (!seen.has(`${group}:${index}`)) throw new Error(`the saved state lacks ${group} tensor ${index}`);
      });
    }
    gan.step = state.step;
    gan.generatorOptimizer.step = state.optimizerSteps.generator;
    gan.discriminatorOptimizer.step = state.optimizerSteps.discriminator;
    gan.rng = Rng.fromState(state.rng.words, state.rng.spare);
    return gan;
  } catch (error) {
    gan.dispose();
    throw error;
  }
}
