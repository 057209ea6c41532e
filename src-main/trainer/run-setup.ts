import { join } from 'node:path';
import { initBackend } from '../engine/backend.ts';
import { IMAGE_SIZES, imageSizeFor, resolveConfig, type GanConfig, type ImageSize } from '../engine/config.ts';
import { Gan } from '../engine/gan.ts';
import { rowVariety } from '../engine/sampling.ts';
import { deserializeGan } from '../engine/state.ts';
import { BatchPlan } from './batches.ts';
import { DatasetError, openSource, type DatasetSource } from './dataset-source.ts';
import type { ErrorCode, StartOptions, StartedValue, TrainerEvent } from './protocol.ts';
import { RunFolder, type RunManifest } from './run-folder.ts';
import { loadPackedImages, type PackedImages } from './tensor-cache.ts';

// Everything before the first step of a run: the run folder (new or resumed), the
// dataset and its tensor cache, the config, the backend, and the Gan (fresh or from the
// latest checkpoint). Everything that can fail before training fails here, with a code
// and a message for people.

export class TrainerFailure extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const DEFAULT_EPOCHS = 5;

export type Emit = (event: TrainerEvent) => void;

let backendPromise: ReturnType<typeof initBackend> | null = null;

export interface PreparedRun {
  started: StartedValue;
  gan: Gan;
  folder: RunFolder;
  plan: BatchPlan;
  labels: string[];
  contentHash: string;
  datasetName: string;
  /** Per label: how much real images vary (the yardstick of the no-variety warning). */
  realVariety: number[];
  emit: Emit;
}

export async function prepareRun(options: StartOptions, emit: Emit): Promise<PreparedRun> {
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
    throw new TrainerFailure('dataset', `Could not decode the images of "${source.name}": ${(error as Error).message}`);
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

  return {
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
  };
}
