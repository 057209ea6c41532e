import { z } from 'zod';
import { uploadSession } from './app.ts';
import { defineEvents, defineRequests } from './define.ts';

// The dataset library (issue 3): datasets, import, browse, labels, undo/redo, export.
// Images and thumbnails are not sent through requests: items carry `/files/...` paths
// the renderer puts in <img src> (served by the web server and the studio:// protocol).

const id = z.number().int().positive();
const datasetId = id;
const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #4e79a7');
const labelName = z.string().min(1).max(100);
/** A selection; 100,000 covers "select all" on the largest dataset we aim at. */
const imageIds = z.array(id).max(100_000);

export const datasetSummary = z.object({
  id: z.number(),
  name: z.string(),
  background: z.string(),
  createdAt: z.number(),
  images: z.number(),
  labelled: z.number(),
  excluded: z.number(),
  labels: z.number(),
});
export type DatasetSummary = z.infer<typeof datasetSummary>;

export const dataset = z.object({ id: z.number(), name: z.string(), background: z.string(), createdAt: z.number() });

export const label = z.object({
  id: z.number(),
  datasetId: z.number(),
  name: z.string(),
  color: z.string(),
  position: z.number(),
});
export type LabelInfo = z.infer<typeof label>;

export const labelWithCount = label.extend({ images: z.number(), excluded: z.number() });

export const imageFilter = z
  .object({
    /** Only this label... */
    labelId: id.optional(),
    /** ...or only images without a label. */
    unlabelled: z.boolean().optional(),
    /** true: only excluded; false: only included; absent: both. */
    excluded: z.boolean().optional(),
    /** Case-insensitive part of the file name. */
    search: z.string().max(200).optional(),
  })
  .strict();
export type ImageFilterInput = z.infer<typeof imageFilter>;

export const imageItem = z.object({
  id: z.number(),
  sha256: z.string(),
  labelId: z.number().nullable(),
  excluded: z.boolean(),
  fileName: z.string(),
  /** `/files/thumb/<sha256>`: a small image for the grid (made on first request, then cached). */
  thumbnail: z.string(),
});
export type ImageItem = z.infer<typeof imageItem>;

export const importSource = z.discriminatedUnion('type', [
  /** A folder, .zip or image file on the machine the studio runs on (Electron drop, file picker, CLI). */
  z.object({ type: z.literal('path'), path: z.string().min(1).max(4096) }),
  /** Web-mode drag-in: the files PUT to /upload/<session>/... beforehand; the folder is removed after import. */
  z.object({ type: z.literal('upload'), session: uploadSession }),
  /** The bundled Fashion-MNIST subset. */
  z.object({ type: z.literal('sample') }),
]);

export const rejection = z.object({ path: z.string(), reason: z.string() });

export const importSummary = z.object({
  dataset: z.string(),
  datasetId: z.number(),
  imported: z.number(),
  duplicates: z.number(),
  rejected: z.array(rejection),
  labels: z.record(z.string(), z.number()),
  unlabelled: z.number(),
  layout: z.enum(['folders', 'flat', 'manifest']),
  cancelled: z.boolean(),
  seconds: z.number(),
});
export type ImportSummaryInfo = z.infer<typeof importSummary>;

export const historyState = z.object({
  canUndo: z.boolean(),
  canRedo: z.boolean(),
  undoSummary: z.string().nullable(),
  redoSummary: z.string().nullable(),
});

const historyResult = z.object({
  /** What was undone or redone ("label 12 images \"cat\""), null when there was nothing. */
  summary: z.string().nullable(),
  history: historyState,
});

export const libraryRequests = defineRequests({
  'dataset-list': {
    summary: 'Every dataset of the library with its image, label and exclusion counts.',
    input: z.object({}).strict(),
    output: z.object({ datasets: z.array(datasetSummary) }),
  },
  'dataset-create': {
    summary: 'Create an empty dataset.',
    input: z.object({ name: z.string().trim().min(1).max(200), background: colour.optional() }).strict(),
    output: dataset,
  },
  'dataset-rename': {
    summary: 'Rename a dataset.',
    input: z.object({ datasetId, name: z.string().trim().min(1).max(200) }).strict(),
    output: dataset,
  },
  'dataset-set-background': {
    summary: 'Set the colour transparent pixels are flattened onto (thumbnails and training).',
    input: z.object({ datasetId, background: colour }).strict(),
    output: dataset,
  },
  'dataset-delete': {
    summary: 'Delete a dataset with its labels and history; files no other dataset uses are removed.',
    input: z.object({ datasetId }).strict(),
    output: z.object({ deleted: z.boolean(), blobsRemoved: z.number() }),
  },
  'dataset-import': {
    summary: 'Start importing a folder, .zip, upload session or the sample; progress and the summary come as events.',
    input: z
      .object({
        source: importSource,
        /** Dataset to import into (created if missing); default: the folder's name. */
        dataset: z.string().trim().min(1).max(200).optional(),
        /** 'leaf': animals/cat/x.png → "cat"; 'path': → "animals/cat". */
        labelFrom: z.enum(['leaf', 'path']).default('leaf'),
        /** For a dataset created by this import. */
        background: colour.optional(),
      })
      .strict(),
    output: z.object({ importId: z.string() }),
  },
  'dataset-import-cancel': {
    summary: 'Stop an import; what was already imported stays.',
    input: z.object({ importId: z.string() }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  'dataset-rejections': {
    summary: 'Files the latest import of each source refused, with the reasons (the "rejected on import" view).',
    input: z
      .object({
        datasetId,
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict(),
    output: z.object({
      total: z.number(),
      items: z.array(z.object({ id: z.number(), jobId: z.number(), path: z.string(), reason: z.string() })),
    }),
  },
  'dataset-export': {
    summary: 'Write the dataset as one folder per label (ImageFolder layout) into a new or empty folder.',
    input: z
      .object({
        datasetId,
        folder: z.string().min(1).max(4096),
        includeExcluded: z.boolean().default(false),
        /** Sub-folder for unlabelled images; absent: they are left out. */
        unlabelledFolder: z.string().min(1).max(100).optional(),
      })
      .strict(),
    output: z.object({
      dir: z.string(),
      written: z.number(),
      labels: z.record(z.string(), z.number()),
      skipped: z.object({ unlabelled: z.number(), excluded: z.number() }),
    }),
  },
  'label-list': {
    summary: 'The labels of a dataset in display order with per-label counts (the class-balance bar).',
    input: z.object({ datasetId }).strict(),
    output: z.object({
      labels: z.array(labelWithCount),
      total: z.number(),
      unlabelled: z.number(),
      excluded: z.number(),
    }),
  },
  'label-create': {
    summary: 'Create a label (undoable).',
    input: z.object({ datasetId, name: labelName, color: colour.optional() }).strict(),
    output: label,
  },
  'label-rename': {
    summary: 'Rename a label (undoable).',
    input: z.object({ datasetId, labelId: id, name: labelName }).strict(),
    output: label,
  },
  'label-recolour': {
    summary: "Change a label's colour (undoable).",
    input: z.object({ datasetId, labelId: id, color: colour }).strict(),
    output: label,
  },
  'label-merge': {
    summary: 'Move every image of the source labels to the target and delete the sources (undoable).',
    input: z.object({ datasetId, sourceIds: z.array(id).min(1).max(1000), targetId: id }).strict(),
    output: z.object({ moved: z.number() }),
  },
  'label-delete': {
    summary: 'Delete a label; its images become unlabelled, not deleted (undoable).',
    input: z.object({ datasetId, labelId: id }).strict(),
    output: z.object({ unlabelled: z.number() }),
  },
  'image-page': {
    summary: "One page of a dataset's images for the virtualised grid: filtered, searched, sorted.",
    input: z
      .object({
        datasetId,
        filter: imageFilter.default({}),
        sort: z.enum(['imported', 'name', 'label']).default('imported'),
        descending: z.boolean().default(false),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(2000).default(200),
      })
      .strict(),
    output: z.object({ total: z.number(), offset: z.number(), items: z.array(imageItem) }),
  },
  'image-ids': {
    summary: 'Ids of every image matching a filter ("select all in view").',
    input: z.object({ datasetId, filter: imageFilter.default({}) }).strict(),
    output: z.object({ ids: z.array(z.number()) }),
  },
  'image-detail': {
    summary: 'One image: size, format, source path, label, import date, and its full-size file.',
    input: z.object({ imageId: id }).strict(),
    output: z.object({
      id: z.number(),
      datasetId: z.number(),
      sha256: z.string(),
      labelId: z.number().nullable(),
      labelName: z.string().nullable(),
      excluded: z.boolean(),
      fileName: z.string(),
      sourcePath: z.string(),
      importedAt: z.number(),
      size: z.number(),
      format: z.string(),
      width: z.number(),
      height: z.number(),
      channels: z.number(),
      hasAlpha: z.boolean(),
      /** `/files/blob/<sha256>`: the imported bytes. */
      url: z.string(),
      thumbnail: z.string(),
    }),
  },
  'image-assign-label': {
    summary: 'Give the selected images a label, or remove their label with null (undoable).',
    input: z.object({ datasetId, imageIds, labelId: id.nullable() }).strict(),
    output: z.object({ changed: z.number() }),
  },
  'image-exclude': {
    summary: 'Exclude the selected images from training, or include them again (undoable).',
    input: z.object({ datasetId, imageIds, excluded: z.boolean() }).strict(),
    output: z.object({ changed: z.number() }),
  },
  'history-state': {
    summary: 'Whether undo/redo are possible and what they would do, for menus and buttons.',
    input: z.object({ datasetId }).strict(),
    output: historyState,
  },
  'history-undo': {
    summary: 'Undo the latest labelling action of the dataset.',
    input: z.object({ datasetId }).strict(),
    output: historyResult,
  },
  'history-redo': {
    summary: 'Redo the labelling action undone last.',
    input: z.object({ datasetId }).strict(),
    output: historyResult,
  },
});

export const libraryEvents = defineEvents({
  /** About every 100 ms while an import runs. */
  'import-progress': z.object({
    importId: z.string(),
    dataset: z.string(),
    done: z.number(),
    total: z.number(),
    imported: z.number(),
    duplicates: z.number(),
    rejected: z.number(),
    rate: z.number(),
    etaSeconds: z.number().nullable(),
  }),
  /** Exactly once per import: the summary, or the error that stopped it. */
  'import-done': z.discriminatedUnion('type', [
    z.object({ type: z.literal('done'), importId: z.string(), summary: importSummary }),
    z.object({ type: z.literal('failed'), importId: z.string(), message: z.string() }),
  ]),
  /** Something in the library changed: views showing `what` of the dataset should refetch. */
  'library-changed': z.object({
    datasetId: z.number().nullable(),
    what: z.array(z.enum(['datasets', 'labels', 'images', 'history'])),
  }),
});
