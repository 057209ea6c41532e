// `cgan-studio export --library DIR --dataset NAME <folder>`: the dataset as an ImageFolder tree.
import type { Command } from 'commander';
import { exportDataset } from '../../library/export.ts';
import { Library } from '../../library/library.ts';
import { CliError, createOutput } from '../output.ts';
import { libraryDirOf } from './import.ts';

export function register(program: Command): void {
  program
    .command('export')
    .description('Write a dataset as one folder per label (ImageFolder layout), for other tools.')
    .argument('<folder>', 'new or empty folder to write into')
    .requiredOption('--dataset <name>', 'dataset to export')
    .option('--library <dir>', "library folder (default: the desktop app's)")
    .option('--include-excluded', 'also write images excluded from training')
    .option('--unlabelled <folder>', 'write unlabelled images into this sub-folder (default: leave them out)')
    .option('--json', 'print one JSON object with the summary on stdout')
    .action(
      async (
        folder: string,
        flags: { dataset: string; library?: string; includeExcluded?: boolean; unlabelled?: string; json?: boolean },
      ) => {
        const out = createOutput(flags.json ?? false);
        const library = Library.open(libraryDirOf(flags.library));
        try {
          const s = await exportDataset(library, flags.dataset, folder, {
            includeExcluded: flags.includeExcluded,
            unlabelledFolder: flags.unlabelled,
          });
          out.result(
            { dataset: s.dataset, dir: s.dir, written: s.written, labels: s.labels, skipped: s.skipped },
            `Wrote ${s.written} images of "${s.dataset}" to ${s.dir} (${Object.keys(s.labels).length} folders; left out ${s.skipped.unlabelled} unlabelled, ${s.skipped.excluded} excluded).`,
          );
        } catch (error) {
          throw new CliError(`export of "${flags.dataset}" failed: ${(error as Error).message}`);
        } finally {
          library.close();
        }
      },
    );
}
