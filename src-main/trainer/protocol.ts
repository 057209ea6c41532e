import type { BackendRequest } from '../engine/backend.ts';
import type { GanConfig } from '../engine/config.ts';
import type { SourceSpec } from './dataset-source.ts';
import type { EvalResult } from './evaluate.ts';

// The messages between a host (Electron main, the web server, the CLI) and the trainer
// process. Every message has a `type`. Requests carry an `id`; the trainer answers each
// with exactly one `reply` of the same id. Events carry no id and may come at any time.

export interface StartOptions {
  runDir: string;
  source: SourceSpec;
  /** Config fields to set instead of the defaults for the data (new runs only, except intervals). */
  config?: Partial<GanConfig>;
  /** Image side in pixels (28, 32, 64 or 128); default: from the images. */
  size?: number;
  /** How long to train, counted from step 0; default 5 epochs. Steps wins over epochs. */
  epochs?: number;
  steps?: number;
  backend?: BackendRequest;
  /** Continue the run in runDir from its latest checkpoint. */
  resume?: boolean;
  /** Resume even though the dataset changed since the checkpoint. */
  force?: boolean;
}

export type TrainerRequest =
  | { type: 'start'; id: number; options: StartOptions }
  | { type: 'pause'; id: number }
  | { type: 'resume'; id: number }
  /** Finishes the current step, writes a checkpoint, the generator and a last grid, then ends with `done`. */
  | { type: 'stop'; id: number }
  | { type: 'checkpoint-now'; id: number }
  | { type: 'set-sample-interval'; id: number; steps: number }
  /** Stops a run if one trains (with its final checkpoint), answers, then the process exits. */
  | { type: 'shutdown'; id: number }
  /** Built-in evaluation of a run's generator (not while this trainer trains); appended to its metrics.jsonl. */
  | { type: 'evaluate'; id: number; runDir: string; checkpoint?: number; raw?: boolean; perLabel?: number };

export type TrainerRequestType = TrainerRequest['type'];

export interface StartedValue {
  runDir: string;
  backend: string;
  backendDetail: string;
  config: GanConfig;
  dataset: { name: string; labels: string[]; images: number; unlabelled: number; excluded: number; cached: boolean };
  startStep: number;
  totalSteps: number;
  stepsPerEpoch: number;
}

/** What each request's reply carries when it succeeds. */
export interface ReplyValues {
  start: StartedValue;
  pause: { step: number };
  resume: { step: number };
  stop: { step: number };
  'checkpoint-now': { step: number; path: string };
  'set-sample-interval': { steps: number };
  evaluate: EvalResult;
  shutdown: { step: number | null };
}

export type ErrorCode =
  'bad-request' | 'busy' | 'not-running' | 'dataset' | 'run-folder' | 'backend' | 'not-finite' | 'internal';

export type TrainerReply =
  | { type: 'reply'; id: number; ok: true; value: ReplyValues[TrainerRequestType] }
  | { type: 'reply'; id: number; ok: false; error: { code: ErrorCode; message: string } };

export interface ProgressEvent {
  type: 'progress';
  step: number;
  epoch: number;
  totalSteps: number;
  d_loss: number;
  g_loss: number;
  /** Mean D(x) and D(G(z)) over the steps since the last progress event. */
  d_real: number;
  d_fake: number;
  images_per_s: number;
  eta_s: number;
}

export type TrainerEvent =
  | ProgressEvent
  | { type: 'sample-grid'; step: number; path: string; labels: string[]; variety: number[] }
  | { type: 'checkpoint'; step: number; path: string }
  | { type: 'warning'; code: 'd-collapse' | 'no-variety' | 'data'; message: string }
  | { type: 'status'; status: 'preparing' | 'training' | 'paused' | 'evaluating'; message?: string }
  | { type: 'done'; steps: number; seconds: number; reason: 'finished' | 'stopped' }
  /** The run ended abnormally (NaN/Inf loss, an exception); the last good checkpoint stays. */
  | { type: 'error'; code: ErrorCode; message: string; step: number | null };

export type TrainerMessage = TrainerReply | TrainerEvent;
