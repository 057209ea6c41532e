import { z } from 'zod';
import { ganConfigSchema } from './config.ts';

// The checkpoint format, apart from the code that reads and writes tensors: hosts that only
// list or validate checkpoints (the studio's main process) import this without loading tfjs.

export const GROUPS = ['generator', 'discriminator', 'ema', 'adam-g-m', 'adam-g-v', 'adam-d-m', 'adam-d-v'] as const;
export type Group = (typeof GROUPS)[number];

const tensorEntry = z.object({
  group: z.enum(GROUPS),
  /** Position within its group (the model's stable weight order). */
  index: z.number().int().min(0),
  name: z.string(),
  shape: z.array(z.number().int().min(0)),
  /** Offset in float32 elements into the data buffer. */
  offset: z.number().int().min(0),
});

export const ganStateSchema = z.object({
  format: z.literal('cgan-studio-gan-state'),
  version: z.literal(1),
  config: ganConfigSchema,
  step: z.number().int().min(0),
  rng: z.object({
    words: z.tuple([z.number(), z.number(), z.number(), z.number()]),
    spare: z.number().nullable(),
  }),
  optimizerSteps: z.object({ generator: z.number().int().min(0), discriminator: z.number().int().min(0) }),
  tensors: z.array(tensorEntry),
});

export type GanState = z.infer<typeof ganStateSchema>;

export interface SerializedGan {
  state: GanState;
  /** Every tensor's float32 values, one after another, at the offsets in state.tensors. */
  data: ArrayBuffer;
}
