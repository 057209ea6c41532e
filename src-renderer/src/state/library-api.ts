// The library requests of the contract, shaped the way the Library view uses them.
// One place maps the view's ideas (a selection that may be "everything in view", a
// query) onto the contract's inputs.
import type { RequestOutput } from '../../../src-main/api/contract/index.ts';
import { FILES_PREFIX } from '../../../src-main/api/wire.ts';
import { studio } from '../lib/api/client.ts';
import type { GridImage, ImageFilter, ImageQuery } from '../views/library/types.ts';
import type { SelectionTarget } from './library-selection.svelte.ts';

export type DatasetSummary = RequestOutput<'dataset-list'>['datasets'][number];
export type LabelWithCount = RequestOutput<'label-list'>['labels'][number];
export type HistoryState = RequestOutput<'history-state'>;
export type ImageDetail = RequestOutput<'image-detail'>;
export type Rejection = RequestOutput<'dataset-rejections'>['items'][number];
export type ExportResult = RequestOutput<'dataset-export'>;

export interface LibraryCounts {
  images: number;
  unlabelled: number;
  excluded: number;
  rejected: number;
}

/** `/files/thumb/...` from the server → a URL for <img src> on this transport. */
export function fileUrl(path: string): string {
  return studio.fileUrl(path.startsWith(FILES_PREFIX) ? path.slice(FILES_PREFIX.length) : path.replace(/^\//, ''));
}

function filterOf(query: ImageFilter): ImageFilter {
  const filter: ImageFilter = {};
  if (query.labelId !== undefined) filter.labelId = query.labelId;
  if (query.unlabelled) filter.unlabelled = true;
  if (query.excluded !== undefined) filter.excluded = query.excluded;
  if (query.search) filter.search = query.search;
  return filter;
}

/** The ids an action applies to: explicit ones, or everything the query matches minus the exceptions. */
async function resolveIds(datasetId: number, query: ImageQuery, target: SelectionTarget): Promise<number[]> {
  if (target.kind === 'ids') return target.ids;
  const { ids } = await studio.call('image-ids', { datasetId, filter: filterOf(query) });
  if (target.except.length === 0) return ids;
  const except = new Set(target.except);
  return ids.filter((id) => !except.has(id));
}

export const libraryApi = {
  async datasets(): Promise<DatasetSummary[]> {
    return (await studio.call('dataset-list', {})).datasets;
  },
  createDataset: (name: string) => studio.call('dataset-create', { name }),
  renameDataset: (datasetId: number, name: string) => studio.call('dataset-rename', { datasetId, name }),
  deleteDataset: (datasetId: number) => studio.call('dataset-delete', { datasetId }),

  async labels(datasetId: number): Promise<{ labels: LabelWithCount[]; counts: LibraryCounts }> {
    const [list, rejections] = await Promise.all([
      studio.call('label-list', { datasetId }),
      studio.call('dataset-rejections', { datasetId, offset: 0, limit: 1 }),
    ]);
    return {
      labels: list.labels,
      counts: { images: list.total, unlabelled: list.unlabelled, excluded: list.excluded, rejected: rejections.total },
    };
  },
  history: (datasetId: number) => studio.call('history-state', { datasetId }),

  async page(query: ImageQuery, offset: number, limit: number): Promise<{ total: number; items: GridImage[] }> {
    const { total, items } = await studio.call('image-page', {
      datasetId: query.datasetId,
      filter: filterOf(query),
      sort: query.sort,
      descending: query.descending,
      offset,
      limit,
    });
    return { total, items };
  },
  detail: (imageId: number) => studio.call('image-detail', { imageId }),
  rejections: (datasetId: number, offset: number, limit: number) =>
    studio.call('dataset-rejections', { datasetId, offset, limit }),

  async assign(datasetId: number, query: ImageQuery, target: SelectionTarget, labelId: number | null) {
    const imageIds = await resolveIds(datasetId, query, target);
    return studio.call('image-assign-label', { datasetId, imageIds, labelId });
  },
  async exclude(datasetId: number, query: ImageQuery, target: SelectionTarget, excluded: boolean) {
    const imageIds = await resolveIds(datasetId, query, target);
    return studio.call('image-exclude', { datasetId, imageIds, excluded });
  },
  async undo(datasetId: number): Promise<string | null> {
    return (await studio.call('history-undo', { datasetId })).summary;
  },
  async redo(datasetId: number): Promise<string | null> {
    return (await studio.call('history-redo', { datasetId })).summary;
  },

  createLabel: (datasetId: number, name: string, color?: string) =>
    studio.call('label-create', color === undefined ? { datasetId, name } : { datasetId, name, color }),
  renameLabel: (datasetId: number, labelId: number, name: string) =>
    studio.call('label-rename', { datasetId, labelId, name }),
  recolourLabel: (datasetId: number, labelId: number, color: string) =>
    studio.call('label-recolour', { datasetId, labelId, color }),
  mergeLabels: (datasetId: number, sourceIds: number[], targetId: number) =>
    studio.call('label-merge', { datasetId, sourceIds, targetId }),
  deleteLabel: (datasetId: number, labelId: number) => studio.call('label-delete', { datasetId, labelId }),

  exportDataset: (datasetId: number, folder: string, includeExcluded: boolean) =>
    studio.call('dataset-export', { datasetId, folder, includeExcluded }),
};
