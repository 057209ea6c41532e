// Import: drop → scan → labels → (read, hash, check, write blob) concurrently →
// rows in batched transactions. The order on disk is what keeps a kill -9 harmless:
// a blob file is complete (written to a temporary name, renamed) before the
// transaction that inserts its row commits, so no row ever points at a missing blob,
// and a re-run skips what was committed and finishes the rest.
import { createHash } from 'node:crypto';
import type { Library } from '../library.ts';
import type { Dataset } from '../repositories/datasets.ts';
import type { BlobRow } from '../repositories/blobs.ts';
import { checkImage } from './decode.ts';
import { resolveLayout, type LabelFrom, type Layout } from './layout.ts';
import { DEFAULT_MAX_PIXELS, RejectedFile } from './probe.ts';
import { openSource, type Rejection, type Source } from './source.ts';

export interface ImportOptions {
  /** Dataset to import into; created when missing. Default: the dropped folder's name. */
  dataset?: string;
  /** 'leaf': `animals/cat/x.png` → "cat"; 'path': → "animals/cat". */
  labelFrom?: LabelFrom;
  /** Background for a newly created dataset (#rrggbb). */
  background?: string;
  maxPixels?: number;
  /** Files read and checked at once. */
  concurrency?: number;
  signal?: AbortSignal;
  /**
   * Read and write files synchronously on the main thread instead of through the libuv
   * pool: less CPU per file, but one core only and the event loop blocks for each file
   * operation. Measured on a shared 2-core machine, neither way wins consistently; the
   * CLI and the studio use the pool. Never set it in the studio's main process.
   */
  blockingIo?: boolean;
  onProgress?: (progress: ImportProgress) => void;
  /** Minimum milliseconds between progress calls (the last one always comes). */
  progressIntervalMs?: number;
}

export interface ImportProgress {
  jobId: number;
  dataset: string;
  done: number;
  total: number;
  imported: number;
  duplicates: number;
  rejected: number;
  /** Files per second so far. */
  rate: number;
  /** Seconds left at the current rate; null until there is a rate. */
  etaSeconds: number | null;
}

export interface ImportSummary {
  dataset: string;
  datasetId: number;
  jobId: number;
  /** New images added by this import. */
  imported: number;
  /** Files skipped because their bytes were already in the dataset (or earlier in this drop). */
  duplicates: number;
  /** Paths relative to the drop, with the reason. */
  rejected: Rejection[];
  /** Images per label in the dataset after the import. */
  labels: Record<string, number>;
  /** Images without a label in the dataset after the import. */
  unlabelled: number;
  layout: Layout['kind'];
  cancelled: boolean;
  seconds: number;
}

interface Ready {
  sha256: string;
  blob: BlobRow;
  label: string | null;
  name: string;
  path: string;
}

const BATCH = 500;

export function defaultDatasetName(path: string): string {
  const base =
    path
      .replace(/[/\\]+$/, '')
      .split(/[/\\]/)
      .at(-1) ?? 'dataset';
  return base.replace(/\.zip$/i, '') || 'dataset';
}

export async function importPath(library: Library, path: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  const source = await openSource(path, { blockingIo: options.blockingIo });
  try {
    return await importSource(library, source, defaultDatasetName(path), options, started);
  } finally {
    await source.close();
  }
}

async function importSource(
  library: Library,
  source: Source,
  fallbackName: string,
  options: ImportOptions,
  started: number,
): Promise<ImportSummary> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const signal = options.signal;
  const datasetName = options.dataset?.trim() || fallbackName;

  let layout: Layout;
  try {
    layout = await resolveLayout(source.files, options.labelFrom ?? 'leaf');
  } catch (error) {
    throw new Error(
      `${source.description}: ${(error as Error).message}. Fix the manifest or remove it to use folder names as labels.`,
      {
        cause: error,
      },
    );
  }
  const rejected: Rejection[] = [...source.rejected, ...layout.rejected];

  const { dataset, jobId } = library.transaction(() => {
    const ds: Dataset = library.datasets.ensure(datasetName, options.background);
    const id = library.importJobs.start(ds.id, source.description);
    for (const r of rejected) library.importJobs.addRejection(ds.id, id, r.path, r.reason);
    return { dataset: ds, jobId: id };
  });

  const known = library.images.shas(dataset.id);
  // Labels are created up front in the order they first appear in the drop (sorted
  // folder names, manifest order), so the label order, and with it the one-hot index
  // of a training set, does not depend on which file finished checking first. Those
  // that end up with no image (every file rejected or a duplicate) are removed again.
  const labelIds = new Map(library.labels.list(dataset.id).map((l) => [l.name, l.id]));
  const createdLabels = library.transaction(() => {
    const created: number[] = [];
    for (const { label } of layout.assignments) {
      if (label === null || labelIds.has(label)) continue;
      const id = library.labels.create(dataset.id, label).id;
      labelIds.set(label, id);
      created.push(id);
    }
    return created;
  });
  const total = layout.assignments.length + rejected.length;
  let done = rejected.length;
  let imported = 0;
  let duplicates = 0;
  let pending: Ready[] = [];
  let pendingRejections: Rejection[] = [];

  const blocking = options.blockingIo ?? false;
  const flush = async () => {
    if (pending.length === 0 && pendingRejections.length === 0) return;
    const batch = pending;
    const batchRejections = pendingRejections;
    pending = [];
    pendingRejections = [];
    // Files first, then the rows that point at them. Asynchronous even with blocking
    // I/O: the other workers keep reading and checking while the file system syncs.
    await library.blobStore.flushAsync();
    const now = Date.now();
    library.transaction(() => {
      for (const item of batch) {
        let labelId: number | null = null;
        if (item.label !== null) {
          labelId = labelIds.get(item.label) ?? null;
          if (labelId === null) {
            labelId = library.labels.ensure(dataset.id, item.label).id;
            labelIds.set(item.label, labelId);
          }
        }
        library.blobs.insert(item.blob);
        const added = library.images.insert({
          dataset_id: dataset.id,
          sha256: item.sha256,
          label_id: labelId,
          file_name: item.name,
          source_path: item.path,
          import_job_id: jobId,
          imported_at: now,
        });
        if (added) imported++;
        else duplicates++; // another process imported the same bytes meanwhile
      }
      for (const r of batchRejections) library.importJobs.addRejection(dataset.id, jobId, r.path, r.reason);
      library.importJobs.progress(jobId, { total, imported, duplicates, rejected: rejected.length });
    });
  };

  let lastProgress = 0;
  const interval = options.progressIntervalMs ?? 100;
  const report = (force: boolean) => {
    if (!options.onProgress) return;
    const now = performance.now();
    if (!force && now - lastProgress < interval) return;
    lastProgress = now;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    options.onProgress({
      jobId,
      dataset: dataset.name,
      done,
      total,
      imported: imported + pending.length,
      duplicates,
      rejected: rejected.length,
      rate,
      etaSeconds: rate > 0 && done > 0 ? (total - done) / rate : null,
    });
  };
  report(true);

  const reject = (path: string, reason: string) => {
    const r = { path, reason };
    rejected.push(r);
    pendingRejections.push(r);
  };

  let next = 0;
  let lastYield = performance.now();
  const work = async () => {
    while (next < layout.assignments.length && !signal?.aborted) {
      const { file, label } = layout.assignments[next++]!;
      try {
        const bytes = await file.read();
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        if (known.has(sha256)) {
          duplicates++;
        } else {
          // Claim the hash before awaiting anything, so a second copy in this drop is a duplicate.
          known.add(sha256);
          try {
            const info = await checkImage(bytes, maxPixels);
            // Already stored for another dataset: the file is there (rows follow files),
            // unless someone deleted it by hand, in which case these bytes put it back.
            if (!library.blobs.get(sha256) || !library.blobStore.has(sha256)) {
              if (blocking) library.blobStore.writeSync(sha256, bytes);
              else await library.blobStore.write(sha256, bytes);
            }
            pending.push({
              sha256,
              label,
              name: file.name,
              path: file.path,
              blob: {
                sha256,
                size: bytes.byteLength,
                format: info.format,
                width: info.width,
                height: info.height,
                channels: info.channels,
                has_alpha: info.hasAlpha ? 1 : 0,
              },
            });
          } catch (error) {
            known.delete(sha256);
            throw error;
          }
        }
      } catch (error) {
        if (error instanceof RejectedFile) reject(file.path, error.message);
        else {
          const code = (error as NodeJS.ErrnoException).code;
          reject(file.path, code ? `cannot be read (${code})` : `cannot be imported: ${(error as Error).message}`);
        }
      }
      done++;
      if (pending.length >= BATCH) await flush();
      report(false);
      // Reads, writes and PNG checks are synchronous: give the event loop (a window's
      // requests, the progress events) a turn every few milliseconds.
      if (performance.now() - lastYield > 15) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, work));
    await flush();
  } catch (error) {
    // A database error (disk full, ...): keep what was committed, say what happened.
    library.importJobs.finish(jobId, 'failed');
    throw error;
  }
  const cancelled = signal?.aborted ?? false;
  library.transaction(() => {
    library.importJobs.progress(jobId, { total, imported, duplicates, rejected: rejected.length });
    library.importJobs.finish(jobId, cancelled ? 'cancelled' : 'done');
    for (const id of createdLabels) if (library.images.withLabel(id).length === 0) library.labels.delete(id);
  });
  report(true);

  const labels: Record<string, number> = {};
  for (const l of library.labels.listWithCounts(dataset.id)) labels[l.name] = l.images;
  return {
    dataset: dataset.name,
    datasetId: dataset.id,
    jobId,
    imported,
    duplicates,
    rejected,
    labels,
    unlabelled: library.images.unlabelledCount(dataset.id),
    layout: layout.kind,
    cancelled,
    seconds: (performance.now() - started) / 1000,
  };
}
