// `cgan-studio train --library DIR --dataset NAME --run DIR [--epochs N | --steps N] [--size PX]
//  [--batch B] [--backend auto|tensorflow|wasm|cpu] [--seed S] [--resume] [--json]`
// Forks the trainer process and relays its events: a progress bar for people, JSON lines with --json.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { BackendRequest } from '../../engine/backend.ts';
import { ganConfigSchema, type GanConfig } from '../../engine/config.ts';
import { forkTrainer, TrainerRequestError } from '../../trainer/client.ts';
import type { SourceSpec } from '../../trainer/dataset-source.ts';
import type { StartOptions, StartedValue, TrainerEvent } from '../../trainer/protocol.ts';
import { CliError, createOutput, type Output } from '../output.ts';
import { integerFlag, libraryDir } from './train-flags.ts';

interface TrainFlags {
  library?: string;
  dataset?: string;
  run?: string;
  epochs?: string;
  steps?: string;
  size?: string;
  batch?: string;
  backend?: string;
  seed?: string;
  resume?: boolean;
  force?: boolean;
  json?: boolean;
  images?: string;
  fashionMnist?: string | boolean;
  set?: string[];
  sampleEvery?: string;
  checkpointEvery?: string;
  progressEvery?: string;
}

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'];

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--set key=value` overrides of any config field, validated against the schema. */
function parseOverrides(pairs: string[]): Partial<GanConfig> {
  const shape = ganConfigSchema.shape as Record<string, unknown>;
  const overrides: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = at > 0 ? pair.slice(0, at) : '';
    if (!key || !(key in shape)) {
      throw new CliError(`--set expects KEY=VALUE with KEY one of ${Object.keys(shape).join(', ')}; got "${pair}"`, 2);
    }
    const raw = pair.slice(at + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    overrides[key] = value;
  }
  const parsed = ganConfigSchema.partial().safeParse(overrides);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`--set ${issue.path.join('.')}: ${issue.message}`, 2);
  }
  return parsed.data;
}

export function buildStartOptions(flags: TrainFlags): StartOptions {
  if (!flags.run) throw new CliError('no run folder: pass --run DIR', 2);
  let source: SourceSpec;
  if (flags.images) {
    source = { kind: 'folder', dir: resolve(flags.images) };
  } else if (flags.fashionMnist !== undefined) {
    const limit =
      typeof flags.fashionMnist === 'string' ? integerFlag('fashion-mnist', flags.fashionMnist, 1) : undefined;
    source = { kind: 'fashion-mnist', split: 'train', limit };
  } else {
    const library = libraryDir(flags.library);
    if (!flags.dataset) throw new CliError('no dataset: pass --dataset NAME', 2);
    // Absolute, because config.json keeps it for --resume and eval from any folder.
    source = { kind: 'library', libraryDir: resolve(library), datasetName: flags.dataset };
  }
  if (flags.epochs !== undefined && flags.steps !== undefined) {
    throw new CliError('pass either --epochs or --steps, not both', 2);
  }
  if (flags.backend !== undefined && !BACKENDS.includes(flags.backend)) {
    throw new CliError(`--backend must be one of ${BACKENDS.join(', ')}, not "${flags.backend}"`, 2);
  }
  const config: Partial<GanConfig> = parseOverrides(flags.set ?? []);
  const batch = integerFlag('batch', flags.batch, 1, 4096);
  const seed = integerFlag('seed', flags.seed, 0, 0xffffffff);
  const sampleEvery = integerFlag('sample-every', flags.sampleEvery, 1);
  const checkpointEvery = integerFlag('checkpoint-every', flags.checkpointEvery, 1);
  const progressEvery = integerFlag('progress-every', flags.progressEvery, 1);
  if (batch !== undefined) config.batchSize = batch;
  if (seed !== undefined) config.seed = seed;
  if (sampleEvery !== undefined) config.sampleInterval = sampleEvery;
  if (checkpointEvery !== undefined) config.checkpointInterval = checkpointEvery;
  if (progressEvery !== undefined) config.progressInterval = progressEvery;
  if (flags.resume) {
    for (const [flag, value] of [
      ['--size', flags.size],
      ['--batch', flags.batch],
      ['--seed', flags.seed],
    ] as const) {
      if (value !== undefined) throw new CliError(`${flag} cannot change when resuming: the run keeps its settings`, 2);
    }
  }
  return {
    runDir: resolve(flags.run),
    source,
    config,
    size: integerFlag('size', flags.size, 1, 4096),
    epochs: integerFlag('epochs', flags.epochs, 1),
    steps: integerFlag('steps', flags.steps, 1),
    backend: (flags.backend ?? 'auto') as BackendRequest,
    resume: flags.resume ?? false,
    force: flags.force ?? false,
  };
}

function bar(step: number, total: number, event: Extract<TrainerEvent, { type: 'progress' }>): string {
  const width = 28;
  const filled = Math.round((Math.min(step, total) / Math.max(1, total)) * width);
  const eta = Number.isFinite(event.eta_s) ? `${Math.ceil(event.eta_s)}s` : '?';
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] step ${step}/${total} epoch ${event.epoch + 1} ` +
    `D ${event.d_loss.toFixed(3)} G ${event.g_loss.toFixed(3)} D(x) ${event.d_real.toFixed(2)} D(G(z)) ${event.d_fake.toFixed(2)} ` +
    `${event.images_per_s.toFixed(0)} img/s ETA ${eta}`
  );
}

function describeStart(s: StartedValue): string {
  const c = s.config;
  const left = [
    s.dataset.unlabelled ? `${s.dataset.unlabelled} unlabelled` : '',
    s.dataset.excluded ? `${s.dataset.excluded} excluded` : '',
  ].filter(Boolean);
  const kind = c.numClasses === 1 ? 'one label: unconditional GAN' : `${c.numClasses} labels`;
  return [
    `Training on "${s.dataset.name}": ${s.dataset.images} images, ${kind}` +
      (left.length ? ` (left out: ${left.join(', ')})` : ''),
    `  ${c.imageSize}×${c.imageSize}×${c.channels}, batch ${c.batchSize}, latent ${c.latentDim}, EMA ${c.emaDecay || 'off'}, ` +
      `augment ${c.augment.join('+') || 'off'}, steps ${s.startStep}→${s.totalSteps} (${s.stepsPerEpoch}/epoch)`,
    `  backend ${s.backend}: ${s.backendDetail}`,
    `  run folder ${s.runDir}${s.dataset.cached ? '' : ' (image cache built)'}`,
  ].join('\n');
}

async function train(flags: TrainFlags, out: Output): Promise<void> {
  const options = buildStartOptions(flags);
  const trainer = forkTrainer();
  const tty = !out.json && process.stderr.isTTY;
  let total = 0;
  let lastStep = 0;
  let lastLine = 0;
  let barShown = false;
  const clearBar = () => {
    if (barShown) process.stderr.write('\r\u001b[K');
    barShown = false;
  };
  const say = (text: string) => {
    clearBar();
    out.info(text);
  };

  let settle: (
    result: { ok: true; steps: number; seconds: number; reason: string } | { ok: false; message: string },
  ) => void = () => undefined;
  const finished = new Promise<Parameters<typeof settle>[0]>((resolve) => (settle = resolve));

  trainer.onEvent((event) => {
    switch (event.type) {
      case 'progress':
        lastStep = event.step;
        total = event.totalSteps;
        out.event('progress', {
          step: event.step,
          epoch: event.epoch,
          d_loss: event.d_loss,
          g_loss: event.g_loss,
          images_per_s: event.images_per_s,
          eta_s: event.eta_s,
        });
        if (tty) {
          process.stderr.write(`\r${bar(event.step, total, event)}\u001b[K`);
          barShown = true;
        } else if (!out.json && Date.now() - lastLine > 30_000) {
          lastLine = Date.now();
          out.info(bar(event.step, total, event));
        }
        break;
      case 'sample-grid':
        out.event('sample-grid', { step: event.step, path: event.path });
        break;
      case 'checkpoint':
        lastStep = event.step;
        out.event('checkpoint', { step: event.step, path: event.path });
        say(`checkpoint at step ${event.step}: ${event.path}`);
        break;
      case 'warning':
        out.event('warning', { message: event.message });
        say(`warning: ${event.message}`);
        break;
      case 'status':
        if (event.message && !out.json) say(event.message);
        break;
      case 'done':
        out.event('done', { steps: event.steps, seconds: event.seconds });
        settle({ ok: true, steps: event.steps, seconds: event.seconds, reason: event.reason });
        break;
      case 'error':
        settle({ ok: false, message: event.message });
        break;
    }
  });
  trainer.onExit((exit) => {
    const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
    settle({
      ok: false,
      message: `the trainer process ${how} at step ${lastStep}; continue from the last checkpoint with --resume`,
    });
  });

  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      say('stopping after this step (writing a checkpoint); press Ctrl-C again to abort');
      trainer.request('stop', {}).catch(() => undefined);
    } else {
      trainer.kill('SIGKILL');
    }
  };
  process.on('SIGINT', onSigint);
  try {
    let started: StartedValue;
    try {
      started = await trainer.request('start', { options });
    } catch (error) {
      const message = error instanceof TrainerRequestError ? error.message : String(error);
      throw new CliError(message, error instanceof TrainerRequestError && error.code === 'bad-request' ? 2 : 1);
    }
    total = started.totalSteps;
    lastStep = started.startStep;
    out.event('started', {
      run: started.runDir,
      dataset: started.dataset.name,
      labels: started.dataset.labels,
      images: started.dataset.images,
      unlabelled: started.dataset.unlabelled,
      excluded: started.dataset.excluded,
      backend: started.backend,
      start_step: started.startStep,
      total_steps: started.totalSteps,
      trainer_pid: trainer.pid,
    });
    say(describeStart(started));
    const result = await finished;
    clearBar();
    if (!result.ok) throw new CliError(result.message);
    const verb = result.reason === 'stopped' ? 'Stopped' : 'Finished';
    say(
      `${verb} at step ${result.steps} in ${result.seconds.toFixed(1)} s. Samples: ${started.runDir}/samples, generator: ${started.runDir}/generator`,
    );
  } finally {
    process.off('SIGINT', onSigint);
    clearBar();
    // Closing the channel ends the trainer; it is idle by now, or being killed.
    await trainer.close();
  }
}

export function register(program: Command): void {
  program
    .command('train')
    .description('Train a conditional GAN on a library dataset (one run folder per run).')
    .option('--library <dir>', "library folder (default: CGAN_STUDIO_LIBRARY or the desktop app's library)")
    .option('--dataset <name>', 'dataset of the library to train on')
    .option('--run <dir>', 'run folder: config, checkpoints, samples, metrics, exported generator')
    .option('--epochs <n>', 'train this many epochs in all (default 5)')
    .option('--steps <n>', 'train this many steps in all, instead of --epochs')
    .option('--size <px>', 'image side: 28, 32, 64 or 128 (default: from the images)')
    .option('--batch <b>', 'batch size (default: per image size, 64 at 28 px)')
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu', 'auto')
    .option('--seed <s>', 'random seed (same seed, same run)')
    .option('--resume', 'continue the run in --run from its latest checkpoint')
    .option('--force', 'with --resume: continue although the dataset changed')
    .option('--json', 'JSON lines on stdout, each with a type')
    .option('--images <dir>', 'train on a folder of <label>/<image> instead of a library dataset')
    .option('--fashion-mnist [count]', "train on Fashion-MNIST's idx files (the first COUNT images)")
    .option('--set <key=value>', 'set any config field (repeatable), e.g. --set generatorWidth=32', collect)
    .option('--sample-every <n>', 'steps between sample grids')
    .option('--checkpoint-every <n>', 'steps between checkpoints')
    .option('--progress-every <n>', 'steps between progress reports')
    .action(async (flags: TrainFlags) => {
      await train(flags, createOutput(flags.json ?? false));
    });
}
