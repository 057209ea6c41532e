// `cgan-studio import <path> --library DIR [--dataset NAME] [--json]` and `import --sample`.
import type { Command } from 'commander';
import { importPath, type ImportProgress, type ImportSummary } from '../../library/import/importer.ts';
import { defaultLibraryPath } from '../../api/paths.ts';
import { Library } from '../../library/library.ts';
import { SAMPLE_DATASET, sampleArchivePath } from '../../library/sample.ts';
import { CliError, createOutput } from '../output.ts';

interface ImportFlags {
  library?: string;
  dataset?: string;
  json?: boolean;
  sample?: boolean;
  keepPath?: boolean;
  background?: string;
  maxPixels?: string;
  fsync: boolean;
}

/** --library, else the library the desktop app uses (CGAN_STUDIO_LIBRARY or the user-data folder). */
export function libraryDirOf(flag: string | undefined): string {
  return flag ?? defaultLibraryPath();
}

function bar(p: ImportProgress): string {
  const width = 30;
  const fraction = p.total > 0 ? p.done / p.total : 1;
  const filled = Math.round(fraction * width);
  const eta = p.etaSeconds === null ? '' : ` ETA ${Math.ceil(p.etaSeconds)}s`;
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} ` +
    `(${p.imported} new, ${p.duplicates} dup, ${p.rejected} rejected) ${Math.round(p.rate)}/s${eta}`
  );
}

/** Progress into a log file or pipe: one line every `ms`, not a redraw per tick. */
function logEvery(ms: number, write: (p: ImportProgress) => void): (p: ImportProgress) => void {
  let last = performance.now();
  return (p) => {
    const now = performance.now();
    if (now - last < ms) return;
    last = now;
    write(p);
  };
}

function describe(s: ImportSummary): string {
  const lines = [
    `${s.cancelled ? 'Cancelled: ' : ''}dataset "${s.dataset}": ${s.imported} imported, ${s.duplicates} duplicate${s.duplicates === 1 ? '' : 's'}, ${s.rejected.length} rejected (${s.seconds.toFixed(1)} s)`,
  ];
  for (const [label, count] of Object.entries(s.labels)) lines.push(`  ${label}: ${count}`);
  if (s.unlabelled > 0) lines.push(`  (unlabelled): ${s.unlabelled}`);
  if (s.rejected.length > 0) {
    lines.push('Rejected:');
    for (const r of s.rejected) lines.push(`  ${r.path}: ${r.reason}`);
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('import')
    .description('Import a folder, .zip or manifest of labelled images into a dataset of the library.')
    .argument('[path]', 'folder (one sub-folder per label, or flat), .zip, or folder with labels.csv/.json')
    .option('--library <dir>', "library folder, created if missing (default: the desktop app's)")
    .option('--dataset <name>', 'dataset to import into (created if missing; default: the folder name)')
    .option('--sample', 'import the bundled Fashion-MNIST sample')
    .option('--keep-path', 'label = the whole folder path (animals/cat), not just the last folder (cat)')
    .option('--background <#rrggbb>', 'colour transparent pixels are flattened onto (new datasets)')
    .option('--max-pixels <n>', 'refuse images whose header claims more pixels than this')
    .option('--no-fsync', 'do not fsync each blob (faster; a power cut may lose the last files)')
    .option('--json', 'print one JSON object with the summary on stdout')
    .action(async (path: string | undefined, flags: ImportFlags) => {
      const out = createOutput(flags.json ?? false);
      if (!path && !flags.sample) throw new CliError('give a folder or .zip to import, or --sample.', 2);
      if (path && flags.sample) throw new CliError('give either a path or --sample, not both.', 2);
      if (flags.background !== undefined && !/^#[0-9a-f]{6}$/i.test(flags.background)) {
        throw new CliError(`--background ${flags.background}: use a colour like #ffffff.`, 2);
      }
      const maxPixels = flags.maxPixels === undefined ? undefined : Number(flags.maxPixels);
      if (maxPixels !== undefined && !(maxPixels > 0))
        throw new CliError(`--max-pixels ${flags.maxPixels}: give a positive number.`, 2);
      const source = flags.sample ? sampleArchivePath() : path!;
      const library = Library.open(libraryDirOf(flags.library), { durable: flags.fsync });
      // Imports whose process died (killed, crashed) are marked so; this one will finish them.
      library.recover();
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      const tty = !out.json && process.stderr.isTTY;
      try {
        const summary = await importPath(library, source, {
          dataset: flags.dataset ?? (flags.sample ? SAMPLE_DATASET : undefined),
          labelFrom: flags.keepPath ? 'path' : 'leaf',
          background: flags.background,
          maxPixels,
          signal: controller.signal,
          onProgress: tty
            ? (p) => process.stderr.write(`\r${bar(p)}\u001b[K`)
            : out.json
              ? undefined
              : logEvery(5000, (p) => process.stderr.write(`${bar(p)}\n`)),
        });
        if (tty) process.stderr.write('\n');
        out.result(
          {
            dataset: summary.dataset,
            imported: summary.imported,
            duplicates: summary.duplicates,
            rejected: summary.rejected,
            labels: summary.labels,
            unlabelled: summary.unlabelled,
            ...(summary.cancelled ? { cancelled: true } : {}),
          },
          describe(summary),
        );
        if (summary.cancelled) process.exitCode = 130;
      } catch (error) {
        if (tty) process.stderr.write('\n');
        throw new CliError(`import of ${source} failed: ${(error as Error).message}`);
      } finally {
        process.off('SIGINT', onSignal);
        library.close();
      }
    });
}
