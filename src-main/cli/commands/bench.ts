import type { Command } from 'commander';
import { CliError } from '../output.ts';

export function register(program: Command): void {
  program
    .command('bench')
    .description('Measure training speed per backend, kernels, import and generator latency (the same as npm run bench).')
    .option('--backend <name>', 'only this backend: tensorflow, wasm or cpu')
    .option('--only <sections>', 'comma-separated sections, e.g. train,kernels')
    .option('--quick', 'smaller sizes, for a smoke run')
    .option('--json', 'one JSON object per line')
    .action(async (flags: { backend?: string; only?: string; quick?: boolean; json?: boolean }) => {
      // Loaded on use: the bench sections pull in a browser driver and datasets.
      const { runBench } = await import('../../../bench/run.ts');
      try {
        await runBench({
          only: flags.only?.split(',').map((s) => s.trim()),
          backend: flags.backend,
          quick: flags.quick ?? false,
          json: flags.json ?? false,
        });
      } catch (error) {
        throw new CliError((error as Error).message);
      }
    });
}
