import { exportLayersModel } from '../engine/export.ts';
import type { Gan } from '../engine/gan.ts';
import { checkFigures, labelsWithoutVariety } from '../engine/health.ts';
import { renderSampleGrid } from '../engine/sampling.ts';
import { serializeGan } from '../engine/state.ts';
import { BatchPipeline, type BatchPlan } from './batches.ts';
import { encodePng } from './png.ts';
import type { StartOptions, StartedValue, TrainerEvent } from './protocol.ts';
import { RunFolderError, type GeneratorInfo, type RunFolder } from './run-folder.ts';
import { TrainerFailure, prepareRun, type Emit, type PreparedRun } from './run-setup.ts';

// One training run inside the trainer process: the step loop, with progress, sample
// grids, checkpoints and warnings, answering control requests between steps.

const VARIETY_GRACE_STEPS = 500;

export class TrainingSession {
  readonly started: StartedValue;
  private readonly gan: Gan;
  private readonly folder: RunFolder;
  private readonly plan: BatchPlan;
  private readonly pipeline: BatchPipeline;
  private readonly labels: string[];
  private readonly contentHash: string;
  private readonly datasetName: string;
  private readonly realVariety: number[];
  private readonly emit: Emit;
  private totalSteps: number;
  private sampleInterval: number;
  private lastCheckpointStep: number;
  private lastSampleStep = -1;
  private paused = false;
  private ended = false;
  private stopRequested = false;
  private wake: (() => void) | null = null;
  private readonly pauseWaiters: Array<(step: number) => void> = [];
  private readonly checkpointWaiters: Array<{
    resolve: (v: { step: number; path: string }) => void;
    reject: (e: Error) => void;
  }> = [];
  private readonly stopWaiters: Array<(step: number) => void> = [];
  private intervalStart = performance.now();
  private collapseWarnedAt = -Infinity;
  private varietyWarned = new Set<number>();
  private readonly lowVariety: number[] = [];

  private constructor(init: PreparedRun) {
    this.started = init.started;
    this.gan = init.gan;
    this.folder = init.folder;
    this.plan = init.plan;
    this.pipeline = new BatchPipeline(init.plan);
    this.labels = init.labels;
    this.contentHash = init.contentHash;
    this.datasetName = init.datasetName;
    this.realVariety = init.realVariety;
    this.emit = init.emit;
    this.totalSteps = init.started.totalSteps;
    this.sampleInterval = init.gan.config.sampleInterval;
    this.lastCheckpointStep = init.started.startStep;
  }

  /** Prepares the run (./run-setup.ts) and returns the session that trains it. */
  static async prepare(options: StartOptions, emit: Emit): Promise<TrainingSession> {
    return new TrainingSession(await prepareRun(options, emit));
  }

  get step(): number {
    return this.gan.step;
  }

  /** The training loop. Resolves when the run finished or was stopped; throws TrainerFailure on NaN/Inf. */
  async run(): Promise<{ reason: 'finished' | 'stopped'; seconds: number }> {
    const started = performance.now();
    const { config } = this.gan;
    this.emit({ type: 'status', status: 'training' });
    this.intervalStart = performance.now();
    try {
      while (this.gan.step < this.totalSteps && !this.stopRequested) {
        const step = this.gan.step;
        const batch = this.pipeline.take(step);
        this.gan.trainStep(batch);
        // Gather the next batch before yielding: on synchronous backends this is the
        // gap between steps anyway, and it is a small fraction of a step.
        if (step + 1 < this.totalSteps) this.pipeline.prefetch(step + 1);
        const done = this.gan.step;
        if (done % config.progressInterval === 0) this.reportProgress();
        if (done % this.sampleInterval === 0) await this.writeSampleGrid();
        if (done % config.checkpointInterval === 0) await this.writeCheckpoint();
        await this.servicePending();
      }
      // The end of a run (finished or stopped): a last checkpoint, generator and grid.
      this.reportProgress();
      if (this.lastSampleStep !== this.gan.step) await this.writeSampleGrid();
      if (this.lastCheckpointStep !== this.gan.step || this.folder.latestCheckpoint() === null)
        await this.writeCheckpoint();
      const reason = this.stopRequested ? 'stopped' : 'finished';
      const seconds = (performance.now() - started) / 1000;
      return { reason, seconds };
    } catch (error) {
      const failure =
        error instanceof TrainerFailure
          ? error
          : new TrainerFailure('internal', (error as Error).stack ?? String(error));
      throw failure;
    } finally {
      // Whatever ended the run, every request waiting on it gets its one answer.
      this.ended = true;
      for (const waiter of this.stopWaiters.splice(0)) waiter(this.gan.step);
      for (const waiter of this.pauseWaiters.splice(0)) waiter(this.gan.step);
      for (const waiter of this.checkpointWaiters.splice(0)) {
        waiter.reject(new TrainerFailure('not-running', 'The run ended before the checkpoint could be written.'));
      }
    }
  }

  private async servicePending(): Promise<void> {
    // Let control messages in (and the IPC channel breathe) between steps.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.checkpointWaiters.length > 0) await this.writeCheckpoint();
    while (this.paused && !this.stopRequested) {
      for (const waiter of this.pauseWaiters.splice(0)) waiter(this.gan.step);
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
      if (this.checkpointWaiters.length > 0) await this.writeCheckpoint();
    }
  }

  pause(): Promise<number> {
    if (this.ended) return Promise.resolve(this.gan.step);
    this.paused = true;
    this.emit({ type: 'status', status: 'paused' });
    return new Promise((resolve) => this.pauseWaiters.push(resolve));
  }

  resume(): number {
    if (this.paused) {
      this.paused = false;
      // Time spent paused is not training time.
      this.intervalStart = performance.now();
      this.emit({ type: 'status', status: 'training' });
      this.wake?.();
    }
    return this.gan.step;
  }

  stop(): Promise<number> {
    if (this.ended) return Promise.resolve(this.gan.step);
    this.stopRequested = true;
    this.wake?.();
    return new Promise((resolve) => this.stopWaiters.push(resolve));
  }

  checkpointNow(): Promise<{ step: number; path: string }> {
    if (this.ended) return Promise.reject(new TrainerFailure('not-running', 'The run has ended.'));
    const promise = new Promise<{ step: number; path: string }>((resolve, reject) =>
      this.checkpointWaiters.push({ resolve, reject }),
    );
    this.wake?.();
    return promise;
  }

  setSampleInterval(steps: number): void {
    this.sampleInterval = steps;
  }

  /** Reads the figures summed since the last report (one device read) and sends them. */
  private reportProgress(): void {
    const figures = this.gan.readFigures();
    if (figures.steps === 0) return;
    const step = this.gan.step;
    const health = checkFigures(figures, this.gan.config, step);
    if (health.kind === 'not-finite') {
      throw new TrainerFailure(
        'not-finite',
        `${health.message}. The run stopped; ${this.lastGood()} Try a lower learning rate.`,
      );
    }
    const now = performance.now();
    const seconds = Math.max(1e-6, (now - this.intervalStart) / 1000);
    this.intervalStart = now;
    const imagesPerSecond = (figures.steps * this.plan.batchSize) / seconds;
    const remaining = Math.max(0, this.totalSteps - step);
    const event: TrainerEvent = {
      type: 'progress',
      step,
      epoch: this.plan.epochOf(Math.max(0, step - 1)),
      totalSteps: this.totalSteps,
      d_loss: figures.dLoss,
      g_loss: figures.gLoss,
      d_real: figures.dReal,
      d_fake: figures.dFake,
      images_per_s: imagesPerSecond,
      eta_s: (remaining * this.plan.batchSize) / imagesPerSecond,
    };
    this.emit(event);
    this.folder.appendMetrics({ ...event, time: new Date().toISOString() });
    if (health.kind === 'warning' && step - this.collapseWarnedAt >= this.gan.config.progressInterval * 10) {
      // Once per ten reports at most: a collapsed D stays collapsed for a while.
      this.collapseWarnedAt = step;
      this.warn(health.code, health.message);
    }
  }

  private lastGood(): string {
    const step = this.folder.latestCheckpoint();
    return step === null ? 'no checkpoint had been written yet.' : `its last good checkpoint (step ${step}) is kept.`;
  }

  private warn(code: 'd-collapse' | 'no-variety', message: string): void {
    this.emit({ type: 'warning', code, message });
    this.folder.appendMetrics({ type: 'warning', step: this.gan.step, code, message });
  }

  private async writeSampleGrid(): Promise<void> {
    const step = this.gan.step;
    const grid = renderSampleGrid(this.gan.samplingGenerator, this.gan.config);
    const path = this.folder.writeSample(step, await encodePng(grid.pixels, grid.width, grid.height, grid.channels));
    this.lastSampleStep = step;
    this.emit({ type: 'sample-grid', step, path, labels: this.labels, variety: grid.variety });
    this.folder.appendMetrics({ type: 'sample-grid', step, path, variety: grid.variety });
    if (this.gan.config.gridColumns < 2) return;
    // Early on (and with the EMA's warm-up) every G draws near-constant blobs: judge
    // variety only once training is under way, and only when two grids in a row agree.
    const low = new Set(step >= VARIETY_GRACE_STEPS ? labelsWithoutVariety(grid.variety, this.realVariety) : []);
    for (let label = 0; label < this.labels.length; label++) {
      this.lowVariety[label] = low.has(label) ? (this.lowVariety[label] ?? 0) + 1 : 0;
    }
    for (const label of low) {
      if (this.lowVariety[label] < 2 || this.varietyWarned.has(label)) continue;
      this.varietyWarned.add(label);
      this.warn(
        'no-variety',
        `Samples of "${this.labels[label]}" stopped varying at step ${step} (mode collapse): ` +
          'the generator draws nearly the same image for every z. Try augmentation or an earlier checkpoint.',
      );
    }
  }

  private async writeCheckpoint(): Promise<void> {
    this.reportProgress();
    if (!this.gan.weightsFinite()) {
      throw new TrainerFailure(
        'not-finite',
        `The weights became NaN or infinite by step ${this.gan.step}. The run stopped; ${this.lastGood()} Try a lower learning rate.`,
      );
    }
    const step = this.gan.step;
    const serialized = await serializeGan(this.gan);
    const path = this.folder.writeCheckpoint(
      serialized,
      {
        step,
        epoch: this.plan.epochOf(step),
        labels: this.labels,
        contentHash: this.contentHash,
        datasetName: this.datasetName,
        savedAt: new Date().toISOString(),
      },
      this.gan.config.keepCheckpoints,
    );
    await this.exportGenerator();
    this.lastCheckpointStep = step;
    this.emit({ type: 'checkpoint', step, path });
    this.folder.appendMetrics({ type: 'checkpoint', step, path });
    for (const waiter of this.checkpointWaiters.splice(0)) waiter.resolve({ step, path });
  }

  private async exportGenerator(): Promise<void> {
    const { config } = this.gan;
    const info: GeneratorInfo = {
      format: 'cgan-studio-generator',
      version: 1,
      model: 'model.json',
      inputs: ['z', 'label'],
      latentDim: config.latentDim,
      labels: this.labels,
      imageSize: config.imageSize,
      channels: config.channels,
      outputRange: [-1, 1],
      ema: this.gan.emaGenerator !== null,
      step: this.gan.step,
      seed: config.seed,
    };
    this.folder.writeGenerator(await exportLayersModel(this.gan.samplingGenerator), info);
  }

  dispose(): void {
    this.gan.dispose();
  }
}

export { RunFolderError, TrainerFailure };
