import { z } from 'zod';
import { defineEvents, defineRequests } from './define.ts';

// The generator explorer (issue 6). Generation itself runs in the renderer on the run's
// exported generator (DESIGN §3), fetched from `/files/run/<runId>/generator/...`; these
// requests are for what the renderer cannot do alone: keep the latent directions it
// computed with the run, write files into a folder, and add pictures to a dataset.

const runId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'a run id');
/** Which weights: the exported generator (null) or a checkpoint's step, EMA or raw. */
const weightsKey = z.object({ checkpoint: z.number().int().min(0).nullable(), ema: z.boolean() }).strict();

/** generator/generator.json as the trainer writes it (src-main/trainer/run-folder.ts GeneratorInfo). */
export const generatorInfo = z.object({
  format: z.literal('cgan-studio-generator'),
  version: z.literal(1),
  model: z.literal('model.json'),
  inputs: z.tuple([z.literal('z'), z.literal('label')]),
  latentDim: z.number().int().min(1),
  labels: z.array(z.string()).min(1),
  imageSize: z.number().int().min(1),
  channels: z.union([z.literal(1), z.literal(3)]),
  outputRange: z.tuple([z.literal(-1), z.literal(1)]),
  ema: z.boolean(),
  step: z.number().int().min(0),
  seed: z.number().int(),
});
export type GeneratorInfoDoc = z.infer<typeof generatorInfo>;

export const latentDirection = z.object({
  /** Unit vector in latent space, latentDim long. */
  vector: z.array(z.number()).max(1024),
  /** Share of the generator's response along it. */
  share: z.number().min(0).max(1),
});

/** A PNG's bytes, base64; 2 MB covers an 8× 128 px grid. */
const pngBase64 = z
  .string()
  .max(2_800_000)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

export const generatorRequests = defineRequests({
  'generator-directions': {
    summary: "The latent directions computed for a run's weights, if any were kept.",
    input: z.object({ runId, weights: weightsKey }).strict(),
    output: z.object({ directions: z.array(latentDirection).nullable() }),
  },
  'generator-directions-save': {
    summary: "Keep the latent directions computed for a run's weights, so they are computed once per generator.",
    input: z.object({ runId, weights: weightsKey, directions: z.array(latentDirection).max(64) }).strict(),
    output: z.object({ saved: z.literal(true) }),
  },
  'generator-save-files': {
    summary: 'Write generated PNGs (and a manifest) into a folder on the machine the studio runs on.',
    input: z
      .object({
        folder: z.string().min(1).max(4096),
        /** Relative paths (label/name.png), written as given; existing files are not overwritten. */
        files: z
          .array(z.object({ path: z.string().min(1).max(400), pngBase64 }))
          .min(1)
          .max(512),
        /** Written as manifest.jsonl lines, one per file, appended. */
        manifest: z.array(z.record(z.string(), z.unknown())).max(512).optional(),
      })
      .strict(),
    output: z.object({ dir: z.string(), written: z.number(), skipped: z.number() }),
  },
  'generator-add-to-dataset': {
    summary: 'Add generated pictures to a dataset as synthetic images, recording run, weights, seed and label.',
    input: z
      .object({
        /** An existing dataset, or the name of one to create. */
        dataset: z.union([
          z.object({ id: z.number().int().positive() }),
          z.object({ name: z.string().trim().min(1).max(200) }),
        ]),
        runId,
        weights: weightsKey,
        images: z
          .array(
            z.object({
              label: z.string().min(1).max(100),
              seed: z.number().int().min(0).max(0xffffffff),
              /** Latent edits on top of the seed's z change the picture: say so in the record. */
              edited: z.boolean().default(false),
              pngBase64,
            }),
          )
          .min(1)
          .max(512),
      })
      .strict(),
    output: z.object({ datasetId: z.number(), added: z.number(), duplicates: z.number() }),
  },
});

export const generatorEvents = defineEvents({});
