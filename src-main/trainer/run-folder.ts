import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ganConfigSchema } from '../engine/config.ts';
import type { ExportedModel } from '../engine/export.ts';
import { ganStateSchema, type SerializedGan } from '../engine/state-schema.ts';

// A run is a folder (DESIGN §4):
//   config.json                 what was trained on and how (RunManifest)
//   checkpoints/<step>/         state.json + weights.bin (the whole Gan + trainer state)
//   samples/<step>.png          sample grids: one row per label, fixed z per column
//   metrics.jsonl               one JSON object per line, each with a `type`
//   generator/                  model.json + weights.bin (tfjs layers model), generator.json, labels.json
// Everything that must survive a kill -9 is written to a temp name, fsynced and renamed.

const sourceSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('library'), libraryDir: z.string(), datasetName: z.string() }),
  z.object({
    kind: z.literal('fashion-mnist'),
    split: z.enum(['train', 'test']).optional(),
    limit: z.number().int().positive().optional(),
  }),
  z.object({ kind: z.literal('folder'), dir: z.string() }),
]);

export const runManifestSchema = z.object({
  format: z.literal('cgan-studio-run'),
  version: z.literal(1),
  createdAt: z.string(),
  dataset: z.object({
    name: z.string(),
    source: sourceSpecSchema,
    labels: z.array(z.string()),
    contentHash: z.string(),
    images: z.number().int(),
    unlabelled: z.number().int(),
    excluded: z.number().int(),
  }),
  config: ganConfigSchema,
  /** Total steps the run was asked for (a resume may extend it). */
  totalSteps: z.number().int().min(0),
  stepsPerEpoch: z.number().int().min(1),
});
export type RunManifest = z.infer<typeof runManifestSchema>;

const checkpointInfoSchema = z.object({
  step: z.number().int(),
  epoch: z.number().int(),
  labels: z.array(z.string()),
  contentHash: z.string(),
  datasetName: z.string(),
  savedAt: z.string(),
});
export type CheckpointInfo = z.infer<typeof checkpointInfoSchema>;

const checkpointFileSchema = z.object({ trainer: checkpointInfoSchema, gan: ganStateSchema });

/** What generator/generator.json says: all the renderer needs to drive the model. */
export interface GeneratorInfo {
  format: 'cgan-studio-generator';
  version: 1;
  /** The tfjs layers model next to this file. */
  model: 'model.json';
  /** Inputs, in order: z [n, latentDim] ~ N(0, I) and the one-hot label [n, labels.length]. */
  inputs: ['z', 'label'];
  latentDim: number;
  labels: string[];
  imageSize: number;
  channels: 1 | 3;
  /** Output is tanh: map v to a byte with round((v + 1) * 127.5). */
  outputRange: [-1, 1];
  /** Whether the weights are the EMA of G (what samples and eval use). */
  ema: boolean;
  step: number;
  seed: number;
}

export class RunFolderError extends Error {}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeSynced(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    if (typeof data === 'string') writeSync(fd, data);
    else writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeSynced(temp, data);
  renameSync(temp, path);
}

export class RunFolder {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  get manifestPath(): string {
    return join(this.dir, 'config.json');
  }
  get checkpointsDir(): string {
    return join(this.dir, 'checkpoints');
  }
  get samplesDir(): string {
    return join(this.dir, 'samples');
  }
  get metricsPath(): string {
    return join(this.dir, 'metrics.jsonl');
  }
  get generatorDir(): string {
    return join(this.dir, 'generator');
  }

  /** Creates the folder (and parents); throws a RunFolderError naming the folder if it cannot be written. */
  ensureWritable(): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      const probe = join(this.dir, `.write-test-${process.pid}`);
      writeFileSync(probe, '');
      rmSync(probe);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new RunFolderError(
        `Cannot write to the run folder ${this.dir} (${code}): choose a folder you can write to.`,
      );
    }
  }

  hasManifest(): boolean {
    return existsSync(this.manifestPath);
  }

  readManifest(): RunManifest {
    if (!this.hasManifest()) throw new RunFolderError(`${this.dir} is not a run folder (no config.json).`);
    try {
      return runManifestSchema.parse(JSON.parse(readFileSync(this.manifestPath, 'utf8')));
    } catch (error) {
      throw new RunFolderError(`${this.manifestPath} is damaged or from another program: ${(error as Error).message}`);
    }
  }

  writeManifest(manifest: RunManifest): void {
    writeFileAtomic(this.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /** Steps of the complete checkpoints, ascending (temp folders of interrupted writes are ignored). */
  checkpointSteps(): number[] {
    if (!existsSync(this.checkpointsDir)) return [];
    return readdirSync(this.checkpointsDir)
      .filter((name) => /^\d+$/.test(name))
      .filter((name) => existsSync(join(this.checkpointsDir, name, 'state.json')))
      .map(Number)
      .sort((a, b) => a - b);
  }

  latestCheckpoint(): number | null {
    const steps = this.checkpointSteps();
    return steps.length ? steps[steps.length - 1] : null;
  }

  checkpointPath(step: number): string {
    return join(this.checkpointsDir, String(step));
  }

  /** Writes checkpoints/<step>/ atomically and keeps the newest `keep`. Returns its path. */
  writeCheckpoint(serialized: SerializedGan, info: CheckpointInfo, keep: number): string {
    mkdirSync(this.checkpointsDir, { recursive: true });
    const final = this.checkpointPath(info.step);
    const temp = join(this.checkpointsDir, `.tmp-${info.step}-${process.pid}`);
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp);
    writeSynced(join(temp, 'weights.bin'), new Uint8Array(serialized.data));
    writeSynced(join(temp, 'state.json'), JSON.stringify({ trainer: info, gan: serialized.state }));
    fsyncPath(temp);
    // A checkpoint at the same step (e.g. "checkpoint now" then stop) replaces the old one.
    if (existsSync(final)) rmSync(final, { recursive: true, force: true });
    renameSync(temp, final);
    fsyncPath(this.checkpointsDir);
    this.pruneCheckpoints(keep);
    return final;
  }

  private pruneCheckpoints(keep: number): void {
    const steps = this.checkpointSteps();
    for (const step of steps.slice(0, Math.max(0, steps.length - keep))) {
      rmSync(this.checkpointPath(step), { recursive: true, force: true });
    }
    // Leftovers of writes interrupted by a crash.
    for (const name of readdirSync(this.checkpointsDir)) {
      if (name.startsWith('.tmp-') && !name.endsWith(`-${process.pid}`)) {
        rmSync(join(this.checkpointsDir, name), { recursive: true, force: true });
      }
    }
  }

  readCheckpoint(step: number): { serialized: SerializedGan; info: CheckpointInfo } {
    const dir = this.checkpointPath(step);
    if (!existsSync(join(dir, 'state.json'))) {
      const known = this.checkpointSteps();
      throw new RunFolderError(
        `The run ${this.dir} has no checkpoint at step ${step}` +
          (known.length ? ` (it has: ${known.join(', ')}).` : ' (it has none yet).'),
      );
    }
    const parsed = checkpointFileSchema.parse(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')));
    const bytes = readFileSync(join(dir, 'weights.bin'));
    const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    return { serialized: { state: parsed.gan, data }, info: parsed.trainer };
  }

  appendMetrics(record: Record<string, unknown> & { type: string }): void {
    appendFileSync(this.metricsPath, `${JSON.stringify(record)}\n`);
  }

  /** Drops training records past `step`: after a crash they describe steps the resumed run redoes. */
  truncateMetricsAfter(step: number): void {
    if (!existsSync(this.metricsPath)) return;
    const kept = readFileSync(this.metricsPath, 'utf8')
      .split('\n')
      .filter((line) => {
        if (!line.trim()) return false;
        try {
          const record = JSON.parse(line) as { step?: number; type?: string };
          return record.type === 'eval' || record.step === undefined || record.step <= step;
        } catch {
          return false; // a line torn by the crash
        }
      });
    writeFileAtomic(this.metricsPath, kept.length ? `${kept.join('\n')}\n` : '');
  }

  readMetrics(): Array<Record<string, unknown>> {
    if (!existsSync(this.metricsPath)) return [];
    return readFileSync(this.metricsPath, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }

  writeSample(step: number, png: Uint8Array): string {
    mkdirSync(this.samplesDir, { recursive: true });
    const path = join(this.samplesDir, `${step}.png`);
    writeFileAtomic(path, png);
    return path;
  }

  /** Replaces generator/ with a new export (written beside it, then swapped in). */
  writeGenerator(exported: ExportedModel, info: GeneratorInfo): string {
    const temp = join(this.dir, `.generator-${process.pid}.tmp`);
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp, { recursive: true });
    writeSynced(join(temp, 'model.json'), JSON.stringify(exported.modelJson));
    writeSynced(join(temp, 'weights.bin'), new Uint8Array(exported.weights));
    writeSynced(join(temp, 'generator.json'), `${JSON.stringify(info, null, 2)}\n`);
    writeSynced(join(temp, 'labels.json'), `${JSON.stringify(info.labels, null, 2)}\n`);
    fsyncPath(temp);
    const old = join(this.dir, '.generator-old');
    rmSync(old, { recursive: true, force: true });
    if (existsSync(this.generatorDir)) renameSync(this.generatorDir, old);
    renameSync(temp, this.generatorDir);
    rmSync(old, { recursive: true, force: true });
    fsyncPath(this.dir);
    return this.generatorDir;
  }

  readGenerator(): { exported: ExportedModel; info: GeneratorInfo } {
    let dir = this.generatorDir;
    // A crash between the two renames of writeGenerator leaves only the old copy.
    if (!existsSync(dir) && existsSync(join(this.dir, '.generator-old'))) dir = join(this.dir, '.generator-old');
    if (!existsSync(join(dir, 'model.json'))) {
      throw new RunFolderError(`The run ${this.dir} has no exported generator yet: train until its first checkpoint.`);
    }
    const bytes = readFileSync(join(dir, 'weights.bin'));
    return {
      exported: {
        modelJson: JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>,
        weights: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      },
      info: JSON.parse(readFileSync(join(dir, 'generator.json'), 'utf8')) as GeneratorInfo,
    };
  }
}
