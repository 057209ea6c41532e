import { join } from 'node:path';
import { initBackend } from '../engine/backend.ts';
import { IMAGE_SIZES, imageSizeFor, resolveConfig, type GanConfig, type ImageSize } from '../engine/config.ts';
import { exportLayersModel } from '../engine/export.ts';
import { Gan } from '../engine/gan.ts';
import { checkFigures, labelsWithoutVariety } from '../engine/health.ts';
import { renderSampleGrid, rowVariety } from '../engine/sampling.ts';
import { deserializeGan, serializeGan } from '../engine/state.ts';
import { BatchPipeline, BatchPlan } from './batches.ts';
import { DatasetError, openSource, type DatasetSource } from './dataset-source.ts';
import { encodePng } from './png.ts';
import type { ErrorCode, StartOptions, StartedValue, TrainerEvent } from './protocol.ts';
import { RunFolder, RunFolderError, type GeneratorInfo, type RunManifest } from './run-folder.ts';
import { loadPackedImages, type PackedImages } from './tensor-cache.ts';

// One training run inside the trainer process: prepares data, model and folder, then
// runs the step loop, answering control requests between steps.

export class TrainerFailure extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const DEFAULT_EPOCHS = 5;
const VARIETY_GRACE_STEPS = 500;

type Emit = (event: TrainerEvent) => void;

let backendPromise: ReturnType<typeof initBackend> | null = null;

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

  private constructor(init: {
    started: StartedValue;
    gan: Gan;
    folder: RunFolder;
    plan: BatchPlan;
    labels: string[];
    contentHash: string;
    datasetName: string;
    realVariety: number[];
    emit: Emit;
  }) {
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

  /** Everything that can fail before training starts fails here, with a code and a message for people. */
  static async prepare(options: StartOptions, emit: Emit): Promise<TrainingSession> {
    const folder = new RunFolder(options.runDir);
    const validate = () => {
      if (options.size !== undefined && !(IMAGE_SIZES as readonly number[]).includes(options.size)) {
        throw new TrainerFailure('bad-request', `--size must be one of ${IMAGE_SIZES.join(', ')}, not ${options.size}`);
      }
      for (const [name, value] of [
        ['epochs', options.epochs],
        ['steps', options.steps],
      ] as const) {
        if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
          throw new TrainerFailure('bad-request', `--${name} must be a whole number ≥ 1, not ${value}`);
        }
      }
    };
    validate();

    // The run folder first: the cheapest checks and the clearest messages.
    let manifest: RunManifest | null = null;
    try {
      folder.ensureWritable();
      if (folder.hasManifest()) manifest = folder.readManifest();
    } catch (error) {
      throw new TrainerFailure('run-folder', (error as Error).message);
    }
    if (manifest && !options.resume) {
      throw new TrainerFailure(
        'run-folder',
        `The run folder ${folder.dir} already holds a run of dataset "${manifest.dataset.name}": add --resume to continue it, or choose an empty folder.`,
      );
    }
    if (!manifest && options.resume) {
      throw new TrainerFailure('run-folder', `Nothing to resume: ${folder.dir} holds no run (no config.json).`);
    }

    emit({ type: 'status', status: 'preparing', message: 'reading the dataset' });
    let source: DatasetSource;
    try {
      source = openSource(options.source);
    } catch (error) {
      throw new TrainerFailure(error instanceof DatasetError ? 'dataset' : 'internal', (error as Error).message);
    }
    if (manifest) {
      if (manifest.dataset.name !== source.name) {
        throw new TrainerFailure(
          'run-folder',
          `The run folder ${folder.dir} belongs to dataset "${manifest.dataset.name}", not "${source.name}": choose another run folder.`,
        );
      }
      if (manifest.dataset.contentHash !== source.contentHash && !options.force) {
        throw new TrainerFailure(
          'dataset',
          `Dataset "${source.name}" changed since run ${folder.dir} started (images or labels differ): ` +
            'start a new run, or add --force to continue training on the changed data.',
        );
      }
      if (options.force && manifest.dataset.labels.join('\n') !== source.labels.join('\n')) {
        throw new TrainerFailure(
          'dataset',
          `Dataset "${source.name}" now has labels ${source.labels.join(', ')} instead of ${manifest.dataset.labels.join(', ')}: ` +
            'a trained generator cannot change its labels; start a new run.',
        );
      }
    }
    if (source.imageLabels.length === 0) {
      throw new TrainerFailure(
        'dataset',
        `Dataset "${source.name}" has no labelled images to train on (${source.unlabelled} unlabelled, ${source.excluded} excluded): label some images first.`,
      );
    }

    let config: GanConfig;
    if (manifest) {
      // A resumed run keeps its models; only the schedule may change.
      const schedule = ['progressInterval', 'sampleInterval', 'checkpointInterval', 'keepCheckpoints'] as const;
      const changes = Object.fromEntries(
        schedule.flatMap((k) => (options.config?.[k] !== undefined ? [[k, options.config[k]]] : [])),
      );
      config = { ...manifest.config, ...changes };
    } else {
      const probe = await source.probe();
      const imageSize = (options.size ?? imageSizeFor(probe.side)) as ImageSize;
      const counts = new Array<number>(source.labels.length).fill(0);
      for (const label of source.imageLabels) counts[label]++;
      try {
        config = resolveConfig(
          {
            imageSize,
            channels: probe.colour ? 3 : 1,
            numClasses: source.labels.length,
            smallestClass: Math.min(...counts),
          },
          options.config,
        );
      } catch (error) {
        throw new TrainerFailure('bad-request', `Invalid training settings: ${(error as Error).message}`);
      }
    }

    emit({ type: 'status', status: 'preparing', message: 'starting the compute backend' });
    let backend;
    try {
      backendPromise ??= initBackend(options.backend ?? 'auto');
      backend = await backendPromise;
    } catch (error) {
      backendPromise = null;
      throw new TrainerFailure('backend', (error as Error).message);
    }

    emit({ type: 'status', status: 'preparing', message: 'decoding images' });
    let packed: PackedImages;
    try {
      packed = await loadPackedImages(
        source,
        config.imageSize,
        config.channels,
        source.cacheDir ?? join(folder.dir, 'cache'),
        (done, total) => emit({ type: 'status', status: 'preparing', message: `decoding images ${done}/${total}` }),
      );
    } catch (error) {
      throw new TrainerFailure(
        'dataset',
        `Could not decode the images of "${source.name}": ${(error as Error).message}`,
      );
    }
    const plan = new BatchPlan(packed, {
      batchSize: config.batchSize,
      seed: config.seed,
      classBalanced: config.classBalanced,
      numClasses: config.numClasses,
    });
    const totalSteps =
      options.steps ??
      (options.epochs !== undefined
        ? options.epochs * plan.stepsPerEpoch
        : (manifest?.totalSteps ?? DEFAULT_EPOCHS * plan.stepsPerEpoch));

    let gan: Gan;
    let startStep = 0;
    const latest = folder.latestCheckpoint();
    if (manifest && latest !== null) {
      try {
        const { serialized } = folder.readCheckpoint(latest);
        gan = deserializeGan(serialized, config);
      } catch (error) {
        throw new TrainerFailure(
          'run-folder',
          `Cannot resume from checkpoint ${latest} of ${folder.dir}: ${(error as Error).message}`,
        );
      }
      startStep = gan.step;
      folder.truncateMetricsAfter(startStep);
    } else {
      gan = new Gan(config);
      if (manifest) folder.truncateMetricsAfter(0);
    }

    folder.writeManifest({
      format: 'cgan-studio-run',
      version: 1,
      createdAt: manifest?.createdAt ?? new Date().toISOString(),
      dataset: {
        name: source.name,
        source: options.source,
        labels: source.labels,
        contentHash: source.contentHash,
        images: source.imageLabels.length,
        unlabelled: source.unlabelled,
        excluded: source.excluded,
      },
      config,
      totalSteps,
      stepsPerEpoch: plan.stepsPerEpoch,
    });

    const perImage = config.imageSize * config.imageSize * config.channels;
    const realVariety = source.labels.map((_, label) => {
      const members: number[] = [];
      for (let i = 0; i < packed.count && members.length < config.gridColumns; i++)
        if (packed.labels[i] === label) members.push(i);
      const images = new Uint8Array(members.length * perImage);
      members.forEach((index, j) =>
        images.set(packed.pixels.subarray(index * perImage, (index + 1) * perImage), j * perImage),
      );
      return rowVariety(images, members.length, perImage);
    });

    return new TrainingSession({
      started: {
        runDir: folder.dir,
        backend: backend.name,
        backendDetail: backend.detail,
        config,
        dataset: {
          name: source.name,
          labels: source.labels,
          images: source.imageLabels.length,
          unlabelled: source.unlabelled,
          excluded: source.excluded,
          cached: packed.fromCache,
        },
        startStep,
        totalSteps,
        stepsPerEpoch: plan.stepsPerEpoch,
      },
      gan,
      folder,
      plan,
      labels: source.labels,
      contentHash: source.contentHash,
      datasetName: source.name,
      realVariety,
      emit,
    });
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

export { RunFolderError };
