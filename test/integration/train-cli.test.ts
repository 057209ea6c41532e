import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY, cli, errorLine, startCli, writeShapes } from './train-helpers.ts';

// The CLI as a subprocess on a real library: import a small synthetic dataset, train,
// checkpoint, kill -9 the trainer, resume, sample, evaluate, and refuse bad input.

const LABELS = ['disc', 'square', 'stripes'];
let work: string;
let library: string;
let images: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cgan-train-'));
  images = join(work, 'shapes');
  library = join(work, 'library');
  await writeShapes(images, LABELS, 24);
  const imported = await cli(['import', images, '--library', library, '--dataset', 'shapes', '--json']);
  expect(imported.code, imported.stderr).toBe(0);
  await tf.setBackend('cpu');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const train = (run: string, ...extra: string[]) => [
  'train',
  '--library',
  library,
  '--dataset',
  'shapes',
  '--run',
  run,
  '--json',
  ...TINY,
  ...extra,
];

describe('train', () => {
  it('trains, reports, checkpoints, writes samples, metrics and the exported generator', async () => {
    const run = join(work, 'run-a');
    const result = await cli(
      train(run, '--steps', '12', '--checkpoint-every', '6', '--sample-every', '6', '--progress-every', '3'),
    );
    expect(result.code, result.stderr).toBe(0);
    const types = result.lines.map((l) => l.type);
    expect(types[0]).toBe('started');
    expect(types.at(-1)).toBe('done');
    const progress = result.lines.filter((l) => l.type === 'progress');
    expect(progress.map((l) => l.step)).toEqual([3, 6, 9, 12]);
    for (const line of progress) {
      expect(Object.keys(line).sort()).toEqual(['d_loss', 'epoch', 'eta_s', 'g_loss', 'images_per_s', 'step', 'type']);
      expect(Number.isFinite(line.d_loss)).toBe(true);
      expect(line.images_per_s).toBeGreaterThan(0);
    }
    expect(progress.at(-1)!.eta_s).toBe(0);
    expect(result.lines.filter((l) => l.type === 'sample-grid').map((l) => l.step)).toEqual([6, 12]);
    expect(result.lines.filter((l) => l.type === 'checkpoint').map((l) => [l.step, l.path])).toEqual([
      [6, join(run, 'checkpoints', '6')],
      [12, join(run, 'checkpoints', '12')],
    ]);
    expect(result.lines.at(-1)).toMatchObject({ type: 'done', steps: 12 });
    expect(result.lines[0]).toMatchObject({ labels: LABELS, images: 72, total_steps: 12, start_step: 0 });

    const manifest = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
    expect(manifest.dataset).toMatchObject({ name: 'shapes', labels: LABELS, images: 72 });
    expect(manifest.config).toMatchObject({
      imageSize: 28,
      channels: 1,
      numClasses: 3,
      batchSize: 12,
      generatorWidth: 8,
    });
    expect(readdirSync(join(run, 'checkpoints')).sort()).toEqual(['12', '6']);
    expect(readdirSync(join(run, 'checkpoints', '12')).sort()).toEqual(['state.json', 'weights.bin']);
    const grid = await sharp(join(run, 'samples', '12.png')).metadata();
    // One row per label, gridColumns columns, 2 px gaps.
    expect([grid.width, grid.height]).toEqual([4 * 28 + 3 * 2, 3 * 28 + 2 * 2]);
    const metrics = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.filter((m) => m.type === 'progress')).toHaveLength(4);

    // The renderer's view of generator/: model.json + weights.bin + generator.json.
    const info = JSON.parse(readFileSync(join(run, 'generator', 'generator.json'), 'utf8'));
    expect(info).toMatchObject({
      latentDim: 16,
      labels: LABELS,
      imageSize: 28,
      channels: 1,
      inputs: ['z', 'label'],
      ema: true,
      step: 12,
    });
    expect(JSON.parse(readFileSync(join(run, 'generator', 'labels.json'), 'utf8'))).toEqual(LABELS);
    const modelJson = JSON.parse(readFileSync(join(run, 'generator', 'model.json'), 'utf8'));
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    const weights = readFileSync(join(run, 'generator', 'weights.bin'));
    const model = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest[0].weights,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
    const out = model.predict([tf.randomNormal([2, 16]), tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3)]) as tf.Tensor;
    expect(out.shape).toEqual([2, 28, 28, 1]);
  });

  it('survives kill -9 of the trainer: --resume continues exactly where the checkpoint left off', async () => {
    const steps = [
      '--steps',
      '120',
      '--checkpoint-every',
      '10',
      '--sample-every',
      '1000',
      '--progress-every',
      '10',
      '--seed',
      '3',
    ];
    const straight = join(work, 'run-straight');
    const reference = await cli(train(straight, ...steps));
    expect(reference.code, reference.stderr).toBe(0);

    const crashed = join(work, 'run-crashed');
    let killedAt = -1;
    let trainerPid = 0;
    const { done } = startCli(train(crashed, ...steps), (line) => {
      if (line.type === 'started') trainerPid = line.trainer_pid as number;
      if (line.type === 'checkpoint' && killedAt < 0) {
        killedAt = line.step as number;
        process.kill(trainerPid, 'SIGKILL');
      }
    });
    const interrupted = await done;
    expect(killedAt).toBeGreaterThan(0);
    expect(interrupted.code).not.toBe(0);
    expect(errorLine(interrupted)).toMatch(/killed \(SIGKILL\).*--resume/);
    expect(interrupted.lines.some((l) => l.type === 'done')).toBe(false);

    const resumed = await cli([
      'train',
      '--library',
      library,
      '--dataset',
      'shapes',
      '--run',
      crashed,
      '--resume',
      '--json',
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const started = resumed.lines[0];
    expect(started.start_step).toBeGreaterThanOrEqual(killedAt);
    expect(started.start_step).toBeLessThan(120);
    expect(resumed.lines.at(-1)).toMatchObject({ type: 'done', steps: 120 });
    // Bit-identical to the run that was never interrupted.
    expect(
      readFileSync(join(crashed, 'checkpoints', '120', 'weights.bin')).equals(
        readFileSync(join(straight, 'checkpoints', '120', 'weights.bin')),
      ),
    ).toBe(true);
    const progressSteps = readFileSync(join(crashed, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((m) => m.type === 'progress')
      .map((m) => m.step as number);
    expect(progressSteps).toEqual([...progressSteps].sort((a, b) => a - b));
    expect(new Set(progressSteps).size).toBe(progressSteps.length);
  });

  it('trains a single-label dataset as an unconditional GAN', async () => {
    const single = join(work, 'single');
    await writeShapes(single, ['only'], 12, 5);
    const result = await cli([
      'train',
      '--images',
      single,
      '--run',
      join(work, 'run-single'),
      '--steps',
      '2',
      '--json',
      ...TINY,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.lines[0]).toMatchObject({ labels: ['only'] });
    expect(result.lines.at(-1)).toMatchObject({ type: 'done', steps: 2 });
  });
});

describe('sample and eval', () => {
  it('writes N images per label as OUT/<label>/<n>.png, reproducibly', async () => {
    const run = join(work, 'run-a');
    const out = join(work, 'samples');
    const all = await cli(['sample', '--run', run, '--count', '3', '--out', out, '--json']);
    expect(all.code, all.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([...LABELS].sort());
    for (const label of LABELS) expect(readdirSync(join(out, label)).sort()).toEqual(['0.png', '1.png', '2.png']);
    const meta = await sharp(join(out, 'disc', '0.png')).metadata();
    expect([meta.width, meta.height]).toEqual([28, 28]);

    const one = join(work, 'samples-one');
    const args = [
      'sample',
      '--run',
      run,
      '--count',
      '2',
      '--label',
      'square',
      '--seed',
      '5',
      '--truncation',
      '1.5',
      '--checkpoint',
      '6',
    ];
    expect((await cli([...args, '--out', one])).code).toBe(0);
    expect(readdirSync(one)).toEqual(['square']);
    const again = join(work, 'samples-again');
    expect((await cli([...args, '--out', again])).code).toBe(0);
    expect(readFileSync(join(again, 'square', '1.png')).equals(readFileSync(join(one, 'square', '1.png')))).toBe(true);

    const bad = await cli(['sample', '--run', run, '--count', '2', '--label', 'nope', '--out', one]);
    expect(bad.code).not.toBe(0);
    expect(errorLine(bad)).toMatch(/no label "nope"/);
  });

  it('evaluates label fidelity and Fréchet distance, appended to metrics.jsonl', async () => {
    const run = join(work, 'run-a');
    const result = await cli(['eval', '--run', run, '--per-label', '20', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const evaluation = result.lines.find((l) => l.type === 'eval')!;
    expect(evaluation.fidelity).toBeGreaterThanOrEqual(0);
    expect(evaluation.fidelity).toBeLessThanOrEqual(1);
    expect(Object.keys(evaluation.fidelity_per_label as object)).toEqual(LABELS);
    expect(evaluation.frechet_distance).toBeGreaterThanOrEqual(0);
    expect(evaluation.classifier_accuracy).toBeGreaterThanOrEqual(0);
    expect(evaluation.classifier_accuracy).toBeLessThanOrEqual(1);
    const metrics = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.at(-1)).toMatchObject({ type: 'eval', step: 12 });
  });
});

describe('bad input: one line, non-zero exit', () => {
  it('rejects malformed flags', async () => {
    const run = join(work, 'run-bad');
    for (const [args, pattern] of [
      [train(run, '--steps', 'abc'), /--steps must be a whole number/],
      [train(run, '--steps', '5', '--epochs', '1'), /either --epochs or --steps/],
      [train(run, '--size', '48'), /--size must be one of 28, 32, 64, 128/],
      [train(run, '--backend', 'gpu'), /--backend must be one of/],
      [['train', '--library', library, '--run', run], /no dataset/],
    ] as const) {
      const result = await cli([...args]);
      expect(result.code).not.toBe(0);
      expect(errorLine(result)).toMatch(pattern);
      expect(errorLine(result).split('\n')).toHaveLength(1);
    }
  });

  it('names a missing dataset, an empty one and an unwritable run folder', async () => {
    const missing = await cli([
      'train',
      '--library',
      library,
      '--dataset',
      'nope',
      '--run',
      join(work, 'run-x'),
      '--json',
    ]);
    expect(missing.code).not.toBe(0);
    expect(errorLine(missing)).toMatch(/no dataset "nope"/);

    const empty = join(work, 'empty');
    mkdirSync(join(empty, 'a'), { recursive: true });
    const none = await cli(['train', '--images', empty, '--run', join(work, 'run-empty')]);
    expect(errorLine(none)).toMatch(/no labelled images/);

    writeFileSync(join(work, 'a-file'), '');
    const unwritable = await cli(train(join(work, 'a-file', 'run')));
    expect(unwritable.code).not.toBe(0);
    expect(errorLine(unwritable)).toMatch(/Cannot write to the run folder/);
  });

  it('stops a run whose losses become NaN without writing a bad checkpoint', async () => {
    const run = join(work, 'run-nan');
    const result = await cli(
      train(
        run,
        '--steps',
        '20',
        '--progress-every',
        '1',
        '--set',
        'generatorLearningRate=1e30',
        '--set',
        'discriminatorLearningRate=1e30',
      ),
    );
    expect(result.code).not.toBe(0);
    expect(errorLine(result)).toMatch(/NaN or infinite.*no checkpoint had been written yet/);
    expect(existsSync(join(run, 'checkpoints'))).toBe(false);
  });

  it('refuses a run folder of another dataset, and a changed dataset unless --force', async () => {
    const other = await cli(['train', '--images', images, '--run', join(work, 'run-a'), '--resume']);
    expect(errorLine(other)).toMatch(/belongs to dataset "shapes"/);
    const again = await cli(train(join(work, 'run-a'), '--steps', '2'));
    expect(errorLine(again)).toMatch(/already holds a run.*--resume/);

    const changing = join(work, 'changing');
    await writeShapes(changing, ['a', 'b'], 12, 9);
    const run = join(work, 'run-changing');
    expect((await cli(['train', '--images', changing, '--run', run, '--steps', '2', ...TINY])).code).toBe(0);
    copyFileSync(join(changing, 'a', '0.png'), join(changing, 'a', 'copy.png'));
    appendFileSync(join(changing, 'a', 'copy.png'), Buffer.from([0]));
    const refused = await cli(['train', '--images', changing, '--run', run, '--resume', '--steps', '4']);
    expect(errorLine(refused)).toMatch(/changed since run .* started.*--force/);
    const forced = await cli([
      'train',
      '--images',
      changing,
      '--run',
      run,
      '--resume',
      '--steps',
      '4',
      '--force',
      '--json',
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.lines.at(-1)).toMatchObject({ type: 'done', steps: 4 });
    expect(existsSync(join(run, 'checkpoints', '4'))).toBe(true);
  });
});
