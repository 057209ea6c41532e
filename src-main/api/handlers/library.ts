// The library domain's handlers: thin wrappers that validate ownership, call the
// library (which holds all SQL), translate its refusals into envelope errors, and
// tell every window what changed.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { StudioError } from '../envelope.ts';
import type { HandlerRegistry } from '../registry.ts';
import type { StudioServices } from '../studio.ts';
import { FILES_PREFIX } from '../wire.ts';
import { Curation } from '../../library/curation.ts';
import { LibraryError } from '../../library/errors.ts';
import { exportDataset } from '../../library/export.ts';
import { RunningImports } from '../../library/import/running-imports.ts';
import { uploadRoot } from '../../library/import/source.ts';
import type { Dataset } from '../../library/repositories/datasets.ts';
import { SAMPLE_DATASET, sampleArchivePath } from '../../library/sample.ts';
import { thumbnailFor } from '../../library/thumbnails.ts';

type Changed = 'datasets' | 'labels' | 'images' | 'history';

const SHA256 = /^[0-9a-f]{64}$/;
const MIME: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  bmp: 'image/bmp',
  tiff: 'image/tiff',
};

export const thumbnailUrl = (sha256: string): string => `${FILES_PREFIX}thumb/${sha256}`;
export const blobUrl = (sha256: string): string => `${FILES_PREFIX}blob/${sha256}`;

/** Runs a library call, turning its refusals into envelope errors with the same message. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof LibraryError) throw new StudioError(error.code, error.message);
    if (error instanceof Error && /UNIQUE constraint failed: datasets\.name/.test(error.message)) {
      throw new StudioError('conflict', 'A dataset with that name already exists: pick another name.');
    }
    throw error;
  }
}

export function registerLibraryHandlers(registry: HandlerRegistry, services: StudioServices): void {
  const library = services.library;
  // Imports whose process died are marked as interrupted (a re-import completes them),
  // and half-written blob files they left are removed.
  library.recover();
  const curation = new Curation(library);
  const imports = new RunningImports(library);
  services.onClose(async () => {
    await imports.stopAll();
  });

  const changed = (datasetId: number | null, ...what: Changed[]) =>
    services.events.emit('library-changed', { datasetId, what });

  const datasetOf = (datasetId: number): Dataset => {
    const ds = library.datasets.get(datasetId);
    if (!ds) throw new StudioError('not-found', `There is no dataset ${datasetId}; it may have been deleted.`);
    return ds;
  };

  services.files.register('thumb', async (rest) => {
    if (!SHA256.test(rest) || !library.blobs.get(rest)) return null;
    const thumb = await thumbnailFor(library, rest);
    return { path: thumb.path, contentType: thumb.mimeType };
  });
  services.files.register('blob', (rest) => {
    const blob = SHA256.test(rest) ? library.blobs.get(rest) : undefined;
    return blob ? { path: library.blobPath(rest), contentType: MIME[blob.format] ?? 'application/octet-stream' } : null;
  });

  registry.register('dataset-list', () => ({ datasets: library.datasets.list() }));

  registry.register('dataset-create', ({ name, background }) => {
    const ds = guarded(() => library.datasets.create(name, background));
    changed(ds.id, 'datasets');
    return ds;
  });

  registry.register('dataset-rename', ({ datasetId, name }) => {
    datasetOf(datasetId);
    guarded(() => library.datasets.rename(datasetId, name));
    changed(datasetId, 'datasets');
    return datasetOf(datasetId);
  });

  registry.register('dataset-set-background', ({ datasetId, background }) => {
    datasetOf(datasetId);
    library.datasets.setBackground(datasetId, background.toLowerCase());
    changed(datasetId, 'datasets', 'images');
    return datasetOf(datasetId);
  });

  registry.register('dataset-delete', async ({ datasetId }) => {
    const result = await library.deleteDataset(datasetId);
    if (!result.deleted)
      throw new StudioError('not-found', `There is no dataset ${datasetId}; it may have been deleted already.`);
    changed(datasetId, 'datasets', 'labels', 'images', 'history');
    return result;
  });

  registry.register('dataset-import', async ({ source, dataset, labelFrom, background }) => {
    let path: string;
    let cleanup: (() => Promise<void>) | undefined;
    let name = dataset;
    if (source.type === 'path') {
      path = source.path;
    } else if (source.type === 'upload') {
      // The web server wrote the dropped files here; they are copies, so remove them after.
      const folder = services.uploadFolder(source.session);
      if (!existsSync(folder)) {
        throw new StudioError(
          'not-found',
          `Nothing was uploaded for session ${source.session}: upload the files first.`,
        );
      }
      path = await uploadRoot(folder);
      cleanup = () => rm(folder, { recursive: true, force: true });
    } else {
      path = sampleArchivePath();
      name ??= SAMPLE_DATASET;
    }
    const importId = imports.start(
      path,
      { dataset: name, labelFrom, background },
      {
        onProgress: (id, p) =>
          services.events.emit('import-progress', {
            importId: id,
            dataset: p.dataset,
            done: p.done,
            total: p.total,
            imported: p.imported,
            duplicates: p.duplicates,
            rejected: p.rejected,
            rate: p.rate,
            etaSeconds: p.etaSeconds,
          }),
        onDone: (id, s) => {
          services.events.emit('import-done', {
            type: 'done',
            importId: id,
            summary: {
              dataset: s.dataset,
              datasetId: s.datasetId,
              imported: s.imported,
              duplicates: s.duplicates,
              rejected: s.rejected,
              labels: s.labels,
              unlabelled: s.unlabelled,
              layout: s.layout,
              cancelled: s.cancelled,
              seconds: s.seconds,
            },
          });
          changed(s.datasetId, 'datasets', 'labels', 'images');
        },
        onFailed: (id, error) =>
          services.events.emit('import-done', { type: 'failed', importId: id, message: error.message }),
        cleanup,
      },
    );
    return { importId };
  });

  registry.register('dataset-import-cancel', ({ importId }) => ({ cancelled: imports.cancel(importId) }));

  registry.register('dataset-rejections', ({ datasetId, offset, limit }) => {
    datasetOf(datasetId);
    return library.importJobs.rejections(datasetId, offset, limit);
  });

  registry.register('dataset-export', async ({ datasetId, folder, includeExcluded, unlabelledFolder }) => {
    const ds = datasetOf(datasetId);
    try {
      const s = await exportDataset(library, ds.name, folder, { includeExcluded, unlabelledFolder });
      return { dir: s.dir, written: s.written, labels: s.labels, skipped: s.skipped };
    } catch (error) {
      if (error instanceof LibraryError) throw new StudioError(error.code, error.message);
      throw new StudioError('io', `Export of "${ds.name}" to ${folder} failed: ${(error as Error).message}`);
    }
  });

  registry.register('label-list', ({ datasetId }) => {
    datasetOf(datasetId);
    return {
      labels: library.labels.listWithCounts(datasetId),
      total: library.images.count(datasetId),
      unlabelled: library.images.count(datasetId, { unlabelled: true }),
      excluded: library.images.count(datasetId, { excluded: true }),
    };
  });

  const labelAction = <T>(datasetId: number, fn: () => T, images = false): T => {
    datasetOf(datasetId);
    const result = guarded(fn);
    changed(datasetId, 'labels', 'history', ...(images ? (['images'] as const) : []));
    return result;
  };

  registry.register('label-create', ({ datasetId, name, color }) =>
    labelAction(datasetId, () => curation.createLabel(datasetId, name, color)),
  );
  registry.register('label-rename', ({ datasetId, labelId, name }) =>
    labelAction(datasetId, () => curation.renameLabel(datasetId, labelId, name)),
  );
  registry.register('label-recolour', ({ datasetId, labelId, color }) =>
    labelAction(datasetId, () => curation.recolourLabel(datasetId, labelId, color)),
  );
  registry.register('label-merge', ({ datasetId, sourceIds, targetId }) =>
    labelAction(datasetId, () => curation.mergeLabels(datasetId, sourceIds, targetId), true),
  );
  registry.register('label-delete', ({ datasetId, labelId }) =>
    labelAction(datasetId, () => curation.deleteLabel(datasetId, labelId), true),
  );

  registry.register('image-page', ({ datasetId, filter, sort, descending, offset, limit }) => {
    datasetOf(datasetId);
    const total = library.images.count(datasetId, filter);
    const items = library.images.page({ datasetId, ...filter, sort, descending, offset, limit }).map((i) => ({
      id: i.id,
      sha256: i.sha256,
      labelId: i.labelId,
      excluded: i.excluded,
      fileName: i.fileName,
      thumbnail: thumbnailUrl(i.sha256),
    }));
    return { total, offset, items };
  });

  registry.register('image-ids', ({ datasetId, filter }) => {
    datasetOf(datasetId);
    return { ids: library.images.ids(datasetId, filter) };
  });

  registry.register('image-detail', ({ imageId }) => {
    const detail = library.images.detail(imageId);
    if (!detail) throw new StudioError('not-found', `There is no image ${imageId}; its dataset may have been deleted.`);
    return { ...detail, url: blobUrl(detail.sha256), thumbnail: thumbnailUrl(detail.sha256) };
  });

  registry.register('image-assign-label', ({ datasetId, imageIds, labelId }) =>
    labelAction(datasetId, () => curation.assignLabel(datasetId, imageIds, labelId), true),
  );
  registry.register('image-exclude', ({ datasetId, imageIds, excluded }) =>
    labelAction(datasetId, () => curation.setExcluded(datasetId, imageIds, excluded), true),
  );

  registry.register('history-state', ({ datasetId }) => {
    datasetOf(datasetId);
    return curation.history(datasetId);
  });
  registry.register('history-undo', ({ datasetId }) => {
    const summary = labelAction(datasetId, () => curation.undo(datasetId), true);
    return { summary, history: curation.history(datasetId) };
  });
  registry.register('history-redo', ({ datasetId }) => {
    const summary = labelAction(datasetId, () => curation.redo(datasetId), true);
    return { summary, history: curation.history(datasetId) };
  });
}
