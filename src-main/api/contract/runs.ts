import { z } from 'zod';
import { backendName } from './app.ts';
import { defineEvents, defineRequests } from './define.ts';
import { ganConfigSchema } from '../../engine/config.ts';

// Training runs (issue 5): start, watch, pause, resume, stop, compare. The trainer
// process does the work; these requests and events are how windows see it.

export const RUN_STATUS = z.enum(['starting', 'training', 'paused', 'stopped', 'done', 'interrupted', 'failed']);
export type RunStatusName = z.infer<typeof RUN_STATUS>;

/** Run ids are also folder names and URL segments: lower-case letters, digits and dashes. */
export const RUN_ID = /^[a-z0-9-]{1,64}$/;
const runId = z.string().regex(RUN_ID, 'a run id');

export const runSummary = z.object({
  id: z.string(),
  name: z.string(),
  datasetId: z.number().nullable(),
  datasetName: z.string(),
  status: RUN_STATUS,
  statusReason: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  durationMs: z.number(),
  lastStep: z.number(),
  totalSteps: z.number(),
  lastCheckpointStep: z.number().nullable(),
  /** `/files/...` path of the latest sample grid, for thumbnails. */
  thumbnail: z.string().nullable(),
  config: z.record(z.string(), z.unknown()),
  finalMetrics: z.record(z.string(), z.unknown()).nullable(),
  /** Whether the run's exported generator exists (the Generate view can open it). */
  hasGenerator: z.boolean(),
  /** The compute backend the trainer used (null before it started). */
  backend: z.string().nullable(),
});
export type RunSummary = z.infer<typeof runSummary>;

export const progressPoint = z.object({
  step: z.number(),
  epoch: z.number(),
  dLoss: z.number(),
  gLoss: z.number(),
  /** Mean D(x) and D(G(z)) over the interval. */
  dReal: z.number(),
  dFake: z.number(),
  imagesPerSec: z.number(),
  etaSec: z.number(),
});
export type ProgressPoint = z.infer<typeof progressPoint>;

export const sampleGrid = z.object({ step: z.number(), path: z.string() });

export const evaluation = z.object({
  step: z.number(),
  /** Share of generated images the built-in classifier assigns to the requested label. */
  fidelity: z.number(),
  fidelityPerLabel: z.record(z.string(), z.number()),
  /** Fréchet distance between classifier features of generated and real images (lower is better). */
  frechetDistance: z.number(),
  /** The same distance between two halves of the real images: the best a generator can hope for. */
  frechetFloor: z.number(),
  at: z.number(),
});
export type Evaluation = z.infer<typeof evaluation>;

/** The config fields a person may set when starting a run; the engine's own schema checks them. */
const overrides = ganConfigSchema
  .pick({
    imageSize: true,
    channels: true,
    latentDim: true,
    generatorWidth: true,
    discriminatorWidth: true,
    batchSize: true,
    generatorLearningRate: true,
    discriminatorLearningRate: true,
    beta1: true,
    emaDecay: true,
    augment: true,
    realLabel: true,
    classBalanced: true,
    seed: true,
    progressInterval: true,
    sampleInterval: true,
    checkpointInterval: true,
  })
  .partial()
  .strict();
export type RunOverrides = z.infer<typeof overrides>;

export const runsRequests = defineRequests({
  'run-list': {
    summary: 'Every training run in this library, newest first.',
    input: z.object({}).strict(),
    output: z.array(runSummary),
  },
  'run-get': {
    summary: 'One run with its loss curves, sample grids, checkpoints, warnings and evaluations.',
    input: z.object({ runId }).strict(),
    output: z.object({
      run: runSummary,
      /** Label names in one-hot order: the rows of every sample grid. */
      labels: z.array(z.string()),
      progress: z.array(progressPoint),
      grids: z.array(sampleGrid),
      checkpoints: z.array(z.number()),
      warnings: z.array(z.object({ step: z.number(), message: z.string() })),
      evaluations: z.array(evaluation),
    }),
  },
  'run-plan': {
    summary: 'The suggested configuration for training on a dataset, and what to warn about first.',
    input: z.object({ datasetId: z.number().int() }).strict(),
    output: z.object({
      config: z.record(z.string(), z.unknown()),
      images: z.number(),
      labels: z.array(z.object({ name: z.string(), count: z.number() })),
      unlabelled: z.number(),
      excluded: z.number(),
      suggestedEpochs: z.number(),
      stepsPerEpoch: z.number(),
      backends: z.array(backendName),
      backend: backendName,
      warnings: z.array(z.string()),
    }),
  },
  'run-start': {
    summary: 'Start training a new run on a dataset in the trainer process.',
    input: z
      .object({
        datasetId: z.number().int(),
        name: z.string().trim().min(1).max(120).optional(),
        epochs: z.number().positive().max(10_000).optional(),
        steps: z.number().int().positive().max(10_000_000).optional(),
        backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
        config: overrides.default({}),
      })
      .strict(),
    output: runSummary,
  },
  'run-continue': {
    summary: 'Resume a stopped or interrupted run from its last checkpoint.',
    input: z
      .object({ runId, force: z.boolean().default(false), extraEpochs: z.number().positive().optional() })
      .strict(),
    output: runSummary,
  },
  'run-pause': {
    summary: 'Pause a training run after its current step.',
    input: z.object({ runId }).strict(),
    output: runSummary,
  },
  'run-resume': { summary: 'Resume a paused run.', input: z.object({ runId }).strict(), output: runSummary },
  'run-stop': {
    summary: 'Stop a run, writing a final checkpoint and exporting its generator.',
    input: z.object({ runId }).strict(),
    output: runSummary,
  },
  'run-checkpoint': {
    summary: 'Write a checkpoint of a training run now.',
    input: z.object({ runId }).strict(),
    output: z.object({ step: z.number() }),
  },
  'run-set-sample-interval': {
    summary: 'Change how many steps pass between sample grids.',
    input: z.object({ runId, steps: z.number().int().min(1).max(1_000_000) }).strict(),
    output: runSummary,
  },
  'run-rename': {
    summary: 'Rename a run.',
    input: z.object({ runId, name: z.string().trim().min(1).max(120) }).strict(),
    output: runSummary,
  },
  'run-delete': {
    summary: 'Delete a run and its files (not while it trains).',
    input: z.object({ runId }).strict(),
    output: z.object({ deleted: z.literal(true) }),
  },
  'run-evaluate': {
    summary: "Measure a run's label fidelity and Fréchet distance with the built-in classifier.",
    input: z.object({ runId, checkpoint: z.number().int().optional() }).strict(),
    output: evaluation,
  },
});

export const runsEvents = defineEvents({
  'run-status': runSummary,
  'run-progress': progressPoint.extend({ runId: z.string(), totalSteps: z.number() }),
  'run-sample-grid': sampleGrid.extend({ runId: z.string() }),
  'run-checkpoint': z.object({ runId: z.string(), step: z.number() }),
  'run-warning': z.object({ runId: z.string(), step: z.number(), message: z.string() }),
  'run-evaluation': evaluation.extend({ runId: z.string() }),
});
