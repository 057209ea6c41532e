// `cgan-studio eval --run DIR [--checkpoint STEP] [--raw] [--per-label N] [--json]`:
// label fidelity and Fréchet distance of a run's generator, appended to its metrics.jsonl.
import type { Command } from 'commander';
import type { BackendRequest } from '../../engine/backend.ts';
import { CliError, createOutput } from '../output.ts';
import { integerFlag } from './train-flags.ts';

interface EvalFlags {
  run?: string;
  checkpoint?: string;
  raw?: boolean;
  perLabel?: string;
  backend?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('eval')
    .description("Judge a run's generator: label fidelity per label and overall, Fréchet distance.")
    .option('--run <dir>', 'run folder')
    .option('--checkpoint <step>', 'judge this checkpoint instead of the exported generator')
    .option('--raw', 'judge the raw generator weights instead of their moving average (EMA)')
    .option('--per-label <n>', 'generated images per label', '500')
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu', 'auto')
    .option('--json', 'print the result as one JSON line')
    .action(async (flags: EvalFlags) => {
      const out = createOutput(flags.json ?? false);
      if (!flags.run) throw new CliError('no run folder: pass --run DIR', 2);
      const perLabel = integerFlag('per-label', flags.perLabel, 10, 100_000);
      const checkpoint = integerFlag('checkpoint', flags.checkpoint, 0);
      const backend = flags.backend ?? 'auto';
      if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) {
        throw new CliError(`--backend must be one of auto, tensorflow, wasm, cpu, not "${backend}"`, 2);
      }
      // Loaded only now, so argument errors come back without starting tfjs.
      const [{ initBackend }, { evaluateRun }] = await Promise.all([
        import('../../engine/backend.ts'),
        import('../../trainer/evaluate.ts'),
      ]);
      let result;
      try {
        await initBackend(backend as BackendRequest);
        // Percentages redraw one line on a terminal and are left out of logs.
        const tty = !out.json && process.stderr.isTTY;
        const onStatus = (message: string) => {
          if (!message.endsWith('%')) out.info(tty ? `\r\u001b[K${message}` : message);
          else if (tty) process.stderr.write(`\r${message}\u001b[K`);
        };
        result = await evaluateRun(flags.run, { perLabel, checkpoint, raw: flags.raw, onStatus });
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
      const lines = [
        `Run ${flags.run}, step ${result.step} (${result.ema ? 'EMA generator' : 'raw generator'}), ${result.per_label} images per label:`,
        `  label fidelity ${pct(result.fidelity)} (classifier: ${pct(result.classifier_accuracy)} on held-out real images)`,
        ...Object.entries(result.fidelity_per_label).map(([label, v]) => `    ${label.padEnd(16)} ${pct(v)}`),
        `  Fréchet distance ${result.frechet_distance.toFixed(3)} (real vs real: ${result.frechet_floor.toFixed(3)})`,
      ];
      out.result({ ...result }, lines.join('\n'));
    });
}
