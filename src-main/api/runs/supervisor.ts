import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Library } from '../../library/library.ts';
import type { Run, RunUpdate } from '../../library/repositories/runs.ts';
import type { StartOptions, TrainerEvent } from '../../trainer/protocol.ts';
import { RunFolder } from '../../trainer/run-folder.ts';
import type { RunOverrides, RunSummary } from '../contract/runs.ts';
import { StudioError } from '../envelope.ts';
import type { EventBus } from '../events.ts';
import { TrainerRequestError, type TrainerClient } from '../../trainer/client.ts';
import type { TrainerRequestType } from '../../trainer/protocol.ts';
import { describeExit, type TrainerLauncher } from './trainer-process.ts';

// Owns every training run of this studio process: spawns a trainer process per run,
// relays its events to windows and to the run history, and notices when it dies.

interface ActiveRun {
  client: TrainerClient;
  /** When the current stretch of training began (null while paused or preparing). */
  trainingSince: number | null;
  durationMs: number;
  lastStep: number;
  /** Set once the trainer said `done` or `error`: its exit is then expected. */
  ended: boolean;
  /** The latest progress figures: the run's final metrics when it ends. */
  last: Record<string, number> | null;
}

export interface StartRequest {
  datasetId: number;
  name?: string;
  epochs?: number;
  steps?: number;
  backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  config: RunOverrides;
}

/** How long each trainer request may take before the studio gives up on it. */
const TIMEOUTS: Record<TrainerRequestType, number> = {
  // Starting may decode a whole dataset into the tensor cache first.
  start: 30 * 60_000,
  stop: 10 * 60_000,
  'checkpoint-now': 5 * 60_000,
  pause: 5 * 60_000,
  resume: 60_000,
  'set-sample-interval': 60_000,
  // Trains the classifier on first use for a dataset.
  evaluate: 30 * 60_000,
  shutdown: 10 * 60_000,
};

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `run-${stamp}-${randomBytes(3).toString('hex')}`;
}

export class RunSupervisor {
  readonly #library: Library;
  readonly #events: EventBus;
  readonly #launch: TrainerLauncher;
  readonly #runsDir: string;
  readonly #active = new Map<string, ActiveRun>();

  constructor(options: { library: Library; events: EventBus; launch: TrainerLauncher; runsDir: string }) {
    this.#library = options.library;
    this.#events = options.events;
    this.#launch = options.launch;
    this.#runsDir = options.runsDir;
    // No trainer survives the studio: runs that claimed to train were cut off.
    this.#library.runs.markInterrupted('the studio closed while this run trained: resume it from its last checkpoint');
  }

  summary(run: Run): RunSummary {
    const folder = new RunFolder(run.dir);
    return {
      id: run.id,
      name: run.name,
      datasetId: run.datasetId,
      datasetName: run.datasetName,
      status: run.status,
      statusReason: run.statusReason,
      createdAt: run.createdAt,
      updatedAt: run.updatedAt,
      durationMs: this.#liveDuration(run),
      lastStep: run.lastStep,
      totalSteps: run.totalSteps,
      lastCheckpointStep: run.lastCheckpointStep,
      thumbnail: run.thumbnail,
      config: run.config,
      finalMetrics: run.finalMetrics,
      hasGenerator: existsSync(join(folder.generatorDir, 'model.json')),
      backend: run.backend,
    };
  }

  #liveDuration(run: Run): number {
    const active = this.#active.get(run.id);
    return active ? this.#elapsed(active) : run.durationMs;
  }

  get(runId: string): Run {
    const run = this.#library.runs.get(runId);
    if (!run) throw new StudioError('not-found', `There is no run "${runId}"; it may have been deleted.`);
    return run;
  }

  #update(runId: string, changes: RunUpdate): RunSummary {
    const run = this.#library.runs.update(runId, changes);
    if (!run) throw new StudioError('not-found', `There is no run "${runId}".`);
    const summary = this.summary(run);
    this.#events.emit('run-status', summary);
    return summary;
  }

  list(): RunSummary[] {
    return this.#library.runs.list().map((run) => this.summary(run));
  }

  isActive(runId: string): boolean {
    return this.#active.has(runId);
  }

  /** The runs whose trainer is alive, in words for a "quit anyway?" question. */
  busy(): string[] {
    return [...this.#active.entries()]
      .filter(([, active]) => !active.ended)
      .map(([id]) => `“${this.#library.runs.get(id)?.name ?? id}” is training`);
  }

  async start(request: StartRequest): Promise<RunSummary> {
    const dataset = this.#library.datasets.get(request.datasetId);
    if (!dataset)
      throw new StudioError('not-found', `There is no dataset ${request.datasetId}; it may have been deleted.`);
    const id = newRunId();
    const dir = join(this.#runsDir, id);
    const count = this.#library.runs.list().filter((r) => r.datasetId === dataset.id).length;
    this.#library.runs.create({
      id,
      datasetId: dataset.id,
      datasetName: dataset.name,
      name: request.name ?? `${dataset.name} #${count + 1}`,
      dir,
      config: request.config,
      totalSteps: 0,
    });
    const { imageSize, ...config } = request.config;
    return this.#launchRun(id, {
      runDir: dir,
      source: { kind: 'library', libraryDir: this.#library.dir, datasetName: dataset.name },
      config,
      size: imageSize,
      epochs: request.epochs,
      steps: request.steps,
      backend: request.backend,
    });
  }

  /** Resume a stopped, interrupted or failed run from its last checkpoint. */
  async continueRun(runId: string, force: boolean, extraEpochs?: number): Promise<RunSummary> {
    const run = this.get(runId);
    if (this.#active.has(runId)) throw new StudioError('conflict', `"${run.name}" is already training.`);
    const folder = new RunFolder(run.dir);
    if (folder.latestCheckpoint() === null) {
      throw new StudioError('conflict', `"${run.name}" has no checkpoint to resume from yet: start a new run instead.`);
    }
    const manifest = folder.readManifest();
    const epochs = extraEpochs ? manifest.totalSteps / manifest.stepsPerEpoch + extraEpochs : undefined;
    return this.#launchRun(runId, {
      runDir: run.dir,
      source: manifest.dataset.source,
      epochs,
      resume: true,
      force,
    });
  }

  async #launchRun(runId: string, options: StartOptions): Promise<RunSummary> {
    const run = this.get(runId);
    const hosted = this.#launch();
    const active: ActiveRun = {
      client: hosted.client,
      trainingSince: null,
      durationMs: run.durationMs,
      lastStep: run.lastStep,
      ended: false,
      last: null,
    };
    hosted.client.onEvent((event) => this.#onEvent(runId, active, event));
    hosted.client.onExit((exit) => this.#onExit(runId, active, describeExit(exit, hosted.stderrTail())));
    this.#active.set(runId, active);
    this.#update(runId, { status: 'starting', statusReason: null });
    try {
      const started = await active.client.request('start', { options }, TIMEOUTS.start);
      return this.#update(runId, {
        status: 'training',
        totalSteps: started.totalSteps,
        lastStep: started.startStep,
        backend: started.backend,
        config: started.config as unknown as Record<string, unknown>,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      active.ended = true;
      active.client.kill();
      this.#active.delete(runId);
      this.#update(runId, { status: 'failed', statusReason: message });
      const code = error instanceof TrainerRequestError && error.code === 'dataset' ? 'conflict' : 'unavailable';
      throw new StudioError(code, `Could not start "${run.name}": ${message}`);
    }
  }

  #elapsed(active: ActiveRun): number {
    return active.durationMs + (active.trainingSince === null ? 0 : Date.now() - active.trainingSince);
  }

  /** The last progress figures merged over what the run already had (e.g. an evaluation). */
  #finalMetrics(runId: string, active: ActiveRun): Record<string, unknown> | undefined {
    if (!active.last) return undefined;
    return { ...(this.#library.runs.get(runId)?.finalMetrics ?? {}), ...active.last };
  }

  #stretchEnds(active: ActiveRun): void {
    if (active.trainingSince !== null) {
      active.durationMs += Date.now() - active.trainingSince;
      active.trainingSince = null;
    }
  }

  #onEvent(runId: string, active: ActiveRun, event: TrainerEvent): void {
    switch (event.type) {
      case 'progress':
        active.lastStep = event.step;
        active.last = {
          dLoss: event.d_loss,
          gLoss: event.g_loss,
          dReal: event.d_real,
          dFake: event.d_fake,
          imagesPerSec: event.images_per_s,
        };
        // Saved with every report, so a studio killed mid-run still knows how long it trained.
        this.#library.runs.update(runId, {
          lastStep: event.step,
          totalSteps: event.totalSteps,
          durationMs: this.#elapsed(active),
        });
        this.#events.emit('run-progress', {
          runId,
          step: event.step,
          epoch: event.epoch,
          totalSteps: event.totalSteps,
          dLoss: event.d_loss,
          gLoss: event.g_loss,
          dReal: event.d_real,
          dFake: event.d_fake,
          imagesPerSec: event.images_per_s,
          etaSec: event.eta_s,
        });
        return;
      case 'sample-grid': {
        const path = `run/${runId}/samples/${event.step}.png`;
        this.#library.runs.update(runId, { thumbnail: path });
        this.#events.emit('run-sample-grid', { runId, step: event.step, path });
        return;
      }
      case 'checkpoint':
        this.#library.runs.update(runId, { lastCheckpointStep: event.step });
        this.#events.emit('run-checkpoint', { runId, step: event.step });
        return;
      case 'warning':
        this.#events.emit('run-warning', { runId, step: active.lastStep, message: event.message });
        return;
      case 'status':
        if (event.status === 'training') {
          active.trainingSince ??= Date.now();
          this.#update(runId, { status: 'training' });
        } else if (event.status === 'paused') {
          this.#stretchEnds(active);
          this.#update(runId, { status: 'paused', durationMs: active.durationMs });
        }
        return;
      case 'done':
        active.ended = true;
        // One trainer per run: an idle trainer only holds memory, so let it exit.
        void active.client.close();
        this.#stretchEnds(active);
        this.#update(runId, {
          status: event.reason === 'finished' ? 'done' : 'stopped',
          statusReason: null,
          lastStep: event.steps,
          durationMs: active.durationMs,
          finalMetrics: this.#finalMetrics(runId, active),
        });
        return;
      case 'error':
        active.ended = true;
        void active.client.close();
        this.#stretchEnds(active);
        this.#update(runId, {
          status: 'failed',
          statusReason: event.message,
          durationMs: active.durationMs,
          finalMetrics: this.#finalMetrics(runId, active),
        });
        return;
    }
  }

  #onExit(runId: string, active: ActiveRun, reason: string): void {
    this.#active.delete(runId);
    if (active.ended) return;
    this.#stretchEnds(active);
    const folder = new RunFolder(this.get(runId).dir);
    const checkpoint = folder.latestCheckpoint();
    this.#update(runId, {
      status: 'interrupted',
      statusReason: checkpoint === null ? `${reason}; no checkpoint was written yet` : reason,
      durationMs: active.durationMs,
      finalMetrics: this.#finalMetrics(runId, active),
      lastCheckpointStep: checkpoint,
    });
  }

  #client(runId: string): ActiveRun {
    const active = this.#active.get(runId);
    if (!active) {
      const run = this.get(runId);
      throw new StudioError('conflict', `"${run.name}" is not training (it is ${run.status}).`);
    }
    return active;
  }

  async #command<T extends Exclude<TrainerRequestType, 'start'>>(
    runId: string,
    type: T,
    fields: Parameters<TrainerClient['request']>[1] = {},
  ) {
    const active = this.#client(runId);
    try {
      return await active.client.request(type, fields as never, TIMEOUTS[type]);
    } catch (error) {
      if (error instanceof TrainerRequestError) {
        throw new StudioError(
          error.code === 'not-running' || error.code === 'busy' ? 'conflict' : 'unavailable',
          error.message,
        );
      }
      throw error;
    }
  }

  async pause(runId: string): Promise<RunSummary> {
    await this.#command(runId, 'pause');
    const active = this.#active.get(runId);
    if (active) this.#stretchEnds(active);
    return this.#update(runId, { status: 'paused', durationMs: active?.durationMs });
  }

  async resume(runId: string): Promise<RunSummary> {
    await this.#command(runId, 'resume');
    const active = this.#active.get(runId);
    if (active) active.trainingSince ??= Date.now();
    return this.#update(runId, { status: 'training' });
  }

  async stop(runId: string): Promise<RunSummary> {
    const active = this.#client(runId);
    await this.#command(runId, 'stop');
    await active.client.exit();
    return this.summary(this.get(runId));
  }

  async checkpoint(runId: string): Promise<{ step: number }> {
    const { step } = await this.#command(runId, 'checkpoint-now');
    return { step };
  }

  async setSampleInterval(runId: string, steps: number): Promise<RunSummary> {
    await this.#command(runId, 'set-sample-interval', { steps });
    const run = this.get(runId);
    return this.#update(runId, { config: { ...run.config, sampleInterval: steps } });
  }

  rename(runId: string, name: string): RunSummary {
    this.get(runId);
    return this.#update(runId, { name });
  }

  async delete(runId: string): Promise<void> {
    const run = this.get(runId);
    if (this.#active.has(runId))
      throw new StudioError('conflict', `"${run.name}" is training: stop it before deleting it.`);
    // The folder goes only if it is one of ours: never delete a folder outside the runs dir.
    if (run.dir.startsWith(this.#runsDir)) await rm(run.dir, { recursive: true, force: true });
    this.#library.runs.delete(runId);
  }

  /**
   * The built-in evaluation, in a trainer process of its own (tensor work never runs
   * here, and a training run keeps its pace). Appended to the run's metrics.jsonl.
   */
  async evaluate(runId: string, checkpoint?: number): Promise<Record<string, unknown>> {
    const run = this.get(runId);
    const { client } = this.#launch();
    try {
      const result = await client.request('evaluate', { runDir: run.dir, checkpoint }, TIMEOUTS.evaluate);
      // The latest evaluation joins the run's headline figures in the history.
      this.#update(runId, {
        finalMetrics: {
          ...(this.get(runId).finalMetrics ?? {}),
          fidelity: result.fidelity,
          frechetDistance: result.frechet_distance,
          evaluatedStep: result.step,
        },
      });
      return { ...result };
    } catch (error) {
      throw new StudioError('unavailable', `Could not evaluate "${run.name}": ${(error as Error).message}`);
    } finally {
      await client.close();
    }
  }

  /** Sample grids written so far, ascending. */
  grids(run: Run): Array<{ step: number; path: string }> {
    const dir = new RunFolder(run.dir).samplesDir;
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .map((name) => /^(\d+)\.png$/.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b)
      .map((step) => ({ step, path: `run/${run.id}/samples/${step}.png` }));
  }

  /** Studio shutdown: every trainer writes a checkpoint and stops (killed if it takes too long). */
  async stopAll(timeoutMs = 60_000): Promise<void> {
    await Promise.all(
      [...this.#active.entries()].map(async ([runId, active]) => {
        // A run that already ended only has to finish exiting.
        const stopped = active.ended ? active.client.exit() : this.stop(runId).catch(() => undefined);
        const timer = new Promise((resolve) => setTimeout(resolve, timeoutMs));
        const outcome = await Promise.race([stopped.then(() => 'stopped'), timer.then(() => 'late')]);
        if (outcome === 'late') {
          active.client.kill('SIGKILL');
          await active.client.exit();
        }
      }),
    );
  }
}
