// `cgan-studio sample --run DIR --count N [--label NAME] [--seed S] [--truncation T]
//  [--checkpoint STEP] [--raw] --out DIR`: N images per label as DIR/<label>/<n>.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { BackendRequest } from '../../engine/backend.ts';
import type { LoadedGenerator } from '../../trainer/generator-loader.ts';
import { CliError, createOutput } from '../output.ts';
import { integerFlag, numberFlag } from './train-flags.ts';

interface SampleFlags {
  run?: string;
  count?: string;
  label?: string;
  seed?: string;
  truncation?: string;
  checkpoint?: string;
  raw?: boolean;
  out?: string;
  backend?: string;
  json?: boolean;
}

/** A label as a folder name: path separators and characters Windows refuses become "_". */
export function labelFolderName(label: string): string {
  const cleaned = Array.from(label, (ch) => (ch.charCodeAt(0) < 32 || '/\\:*?"<>|'.includes(ch) ? '_' : ch))
    .join('')
    .replace(/^\.+$/, '_')
    .trim();
  return cleaned || '_';
}

/** Images per generator call: large enough to be efficient, small enough for 128 px RGB. */
const CHUNK = 64;

export function register(program: Command): void {
  program
    .command('sample')
    .description("Write N generated images per label from a run's generator.")
    .option('--run <dir>', 'run folder')
    .option('--count <n>', 'images per label')
    .option('--label <name>', 'only this label')
    .option('--seed <s>', 'seed of the latent vectors (same seed, same images)', '0')
    .option('--truncation <t>', 'redraw latent values beyond ±T (T > 0: less variety, higher quality)')
    .option('--checkpoint <step>', 'use this checkpoint instead of the exported generator')
    .option('--raw', 'use the raw generator weights instead of their moving average (EMA)')
    .option('--out <dir>', 'output folder: OUT/<label>/<n>.png')
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu', 'auto')
    .option('--json', 'print one JSON line per label and a summary')
    .action(async (flags: SampleFlags) => {
      const out = createOutput(flags.json ?? false);
      if (!flags.run) throw new CliError('no run folder: pass --run DIR', 2);
      if (!flags.out) throw new CliError('no output folder: pass --out DIR', 2);
      const count = integerFlag('count', flags.count, 1, 100_000);
      if (count === undefined) throw new CliError('how many images? pass --count N', 2);
      const seed = integerFlag('seed', flags.seed, 0, 0xffffffff) ?? 0;
      const truncation = numberFlag('truncation', flags.truncation, 1e-3, 100);
      const checkpoint = integerFlag('checkpoint', flags.checkpoint, 0);
      const backend = flags.backend ?? 'auto';
      if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) {
        throw new CliError(`--backend must be one of auto, tensorflow, wasm, cpu, not "${backend}"`, 2);
      }

      // Loaded only now, so argument errors come back without starting tfjs.
      const [{ initBackend }, { Rng }, { generateImages }, { loadRunGenerator }, { encodePng }, { writeFileAtomic }] =
        await Promise.all([
          import('../../engine/backend.ts'),
          import('../../engine/rng.ts'),
          import('../../engine/sampling.ts'),
          import('../../trainer/generator-loader.ts'),
          import('../../trainer/png.ts'),
          import('../../trainer/run-folder.ts'),
        ]);
      let generator: LoadedGenerator;
      try {
        await initBackend(backend as BackendRequest);
        generator = await loadRunGenerator(flags.run, { checkpoint, raw: flags.raw });
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      try {
        const { labels, config } = generator;
        let wanted = labels.map((name, index) => ({ name, index }));
        if (flags.label !== undefined) {
          wanted = wanted.filter((l) => l.name === flags.label);
          if (wanted.length === 0)
            throw new CliError(`the run has no label "${flags.label}"; it has: ${labels.join(', ')}`, 2);
        }
        // The same latents for every label: image n of each label shares its z ("pose").
        const latents = new Rng(seed).normals(count * config.latentDim, truncation ?? 0);
        const written: Record<string, number> = {};
        for (const label of wanted) {
          const dir = join(flags.out, labelFolderName(label.name));
          try {
            mkdirSync(dir, { recursive: true });
          } catch (error) {
            throw new CliError(
              `cannot create ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
            );
          }
          const perImage = config.imageSize * config.imageSize * config.channels;
          for (let start = 0; start < count; start += CHUNK) {
            const n = Math.min(CHUNK, count - start);
            const pixels = generateImages(
              generator.model,
              config,
              new Int32Array(n).fill(label.index),
              latents.subarray(start * config.latentDim, (start + n) * config.latentDim),
            );
            for (let i = 0; i < n; i++) {
              const png = await encodePng(
                pixels.subarray(i * perImage, (i + 1) * perImage),
                config.imageSize,
                config.imageSize,
                config.channels,
              );
              writeFileAtomic(join(dir, `${start + i}.png`), png);
            }
          }
          written[label.name] = count;
          out.event('label', { label: label.name, count, dir });
        }
        const total = count * wanted.length;
        out.result(
          { type: 'done', out: flags.out, images: total, labels: written, step: generator.step, ema: generator.ema },
          `Wrote ${total} images (${count} per label, ${wanted.length} label${wanted.length === 1 ? '' : 's'}) to ${flags.out} from step ${generator.step}${generator.ema ? ' (EMA)' : ' (raw G)'}.`,
        );
      } finally {
        generator.dispose();
      }
    });
}
