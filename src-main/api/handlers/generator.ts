// The generator explorer's handlers (issue 6). No tensor code here (DESIGN §3): the
// renderer generates, these only keep its latent directions with the run, write the
// PNGs it made into a folder, and add them to a dataset with their provenance.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { latentDirection } from '../contract/generator.ts';
import { StudioError } from '../envelope.ts';
import { safeJoin } from '../files.ts';
import type { HandlerRegistry } from '../registry.ts';
import type { StudioServices } from '../studio.ts';
import { checkImage, type CheckedImage } from '../../library/import/decode.ts';
import { RejectedFile } from '../../library/import/probe.ts';
import { writeFileAtomic } from '../../trainer/run-folder.ts';

type WeightsKey = { checkpoint: number | null; ema: boolean };

/** Where a run keeps what the explorer derived from one set of its weights. */
function directionsPath(runDir: string, weights: WeightsKey): string {
  const name = `${weights.checkpoint === null ? 'generator' : `step-${weights.checkpoint}`}-${weights.ema ? 'ema' : 'raw'}`;
  return join(runDir, 'explorer', `directions-${name}.json`);
}

/** The generator file the directions were computed from: when it changes, they are stale. */
function weightsStamp(runDir: string, weights: WeightsKey): string {
  const file =
    weights.checkpoint === null
      ? join(runDir, 'generator', 'weights.bin')
      : join(runDir, 'checkpoints', String(weights.checkpoint), 'weights.bin');
  if (!existsSync(file)) return 'missing';
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * How a synthetic image is recorded: the images table has no provenance columns, so
 * the source path says where it came from in one line a person can read and a program
 * can parse: synthetic:run/<runId>/<weights>?label=<label>&seed=<seed>[&edited=1].
 */
export function syntheticSource(
  runId: string,
  weights: WeightsKey,
  label: string,
  seed: number,
  edited: boolean,
): string {
  const which = `${weights.checkpoint === null ? 'generator' : `step-${weights.checkpoint}`}/${weights.ema ? 'ema' : 'raw'}`;
  const query = new URLSearchParams({ label, seed: String(seed) });
  if (edited) query.set('edited', '1');
  return `synthetic:run/${runId}/${which}?${query.toString()}`;
}

export function registerGeneratorHandlers(registry: HandlerRegistry, services: StudioServices): void {
  const library = services.library;

  const runDir = (runId: string): string => {
    const run = library.runs.get(runId);
    if (!run) throw new StudioError('not-found', `There is no run ${runId}; it may have been deleted.`);
    return run.dir;
  };

  registry.register('generator-directions', ({ runId, weights }) => {
    const dir = runDir(runId);
    const path = directionsPath(dir, weights);
    if (!existsSync(path)) return { directions: null };
    try {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as { stamp: string; directions: unknown };
      if (saved.stamp !== weightsStamp(dir, weights)) return { directions: null };
      return {
        directions: (saved.directions as Array<z.infer<typeof latentDirection>>).map((d) => latentDirection.parse(d)),
      };
    } catch {
      return { directions: null }; // damaged: computed again
    }
  });

  registry.register('generator-directions-save', ({ runId, weights, directions }) => {
    const dir = runDir(runId);
    const path = directionsPath(dir, weights);
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, JSON.stringify({ stamp: weightsStamp(dir, weights), directions }));
    return { saved: true as const };
  });

  registry.register('generator-save-files', async ({ folder, files, manifest }) => {
    const dir = resolve(folder);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new StudioError(
        'invalid-input',
        `Cannot create the folder ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'}): choose a folder you can write to.`,
      );
    }
    let written = 0;
    let skipped = 0;
    for (const file of files) {
      const path = safeJoin(dir, file.path);
      if (!path || !file.path.toLowerCase().endsWith('.png')) {
        throw new StudioError('invalid-input', `"${file.path}" is not a .png path inside ${dir}.`);
      }
      if (existsSync(path)) {
        skipped += 1;
        continue;
      }
      mkdirSync(dirname(path), { recursive: true });
      await writeFile(path, Buffer.from(file.pngBase64, 'base64'), { flag: 'wx' });
      written += 1;
    }
    if (manifest?.length) {
      await appendFile(join(dir, 'manifest.jsonl'), manifest.map((line) => `${JSON.stringify(line)}\n`).join(''));
    }
    return { dir, written, skipped };
  });

  registry.register('generator-add-to-dataset', async ({ dataset, runId, weights, images }) => {
    const run = library.runs.get(runId);
    if (!run) throw new StudioError('not-found', `There is no run ${runId}; it may have been deleted.`);
    const checked: Array<{ image: (typeof images)[number]; sha256: string; info: CheckedImage; size: number }> = [];
    for (const image of images) {
      const bytes = new Uint8Array(Buffer.from(image.pngBase64, 'base64'));
      let info: CheckedImage;
      try {
        info = await checkImage(bytes);
      } catch (error) {
        if (error instanceof RejectedFile)
          throw new StudioError('invalid-input', `A generated image is not a valid PNG: ${error.message}`);
        throw error;
      }
      if (info.format !== 'png') throw new StudioError('invalid-input', 'Generated images must be PNG.');
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      // The file is on disk before the row that points at it commits (as in import).
      if (!library.blobStore.has(sha256)) library.blobStore.writeSync(sha256, bytes);
      checked.push({ image, sha256, info, size: bytes.length });
    }
    library.blobStore.flush();
    const now = Date.now();
    const result = library.transaction(() => {
      const ds =
        'id' in dataset
          ? library.datasets.get(dataset.id)
          : (library.datasets.byName(dataset.name) ?? library.datasets.create(dataset.name));
      if (!ds)
        throw new StudioError(
          'not-found',
          `There is no dataset ${'id' in dataset ? dataset.id : ''}; it may have been deleted.`,
        );
      const jobId = library.importJobs.start(ds.id, `synthetic:run/${runId} (${run.name})`);
      let added = 0;
      let duplicates = 0;
      for (const { image, sha256, info, size } of checked) {
        library.blobs.insert({
          sha256,
          size,
          format: 'png',
          width: info.width,
          height: info.height,
          channels: info.channels,
          has_alpha: info.hasAlpha ? 1 : 0,
        });
        const label = library.labels.ensure(ds.id, image.label);
        const inserted = library.images.insert({
          dataset_id: ds.id,
          sha256,
          label_id: label.id,
          file_name: `synthetic-${image.label.replace(/[^\w.-]+/g, '_')}-${image.seed}${image.edited ? '-edited' : ''}.png`,
          source_path: syntheticSource(runId, weights, image.label, image.seed, image.edited),
          import_job_id: jobId,
          imported_at: now,
        });
        if (inserted) added += 1;
        else duplicates += 1;
      }
      library.importJobs.progress(jobId, { total: checked.length, imported: added, duplicates, rejected: 0 });
      library.importJobs.finish(jobId, 'done');
      return { datasetId: ds.id, added, duplicates };
    });
    services.events.emit('library-changed', { datasetId: result.datasetId, what: ['datasets', 'labels', 'images'] });
    return result;
  });
}
