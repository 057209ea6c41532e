// The seam between the library and the trainer: what a training run needs to know
// about a dataset, and nothing about SQLite. The library implements `loadTrainingSet`;
// the trainer builds its packed tensor cache from it (DESIGN §5).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LIBRARY_DB, Library } from './library.ts';

export interface TrainingImage {
  /** Absolute path of the content-addressed blob. */
  blobPath: string;
  sha256: string;
  /** Index into TrainingSet.labels. */
  labelIndex: number;
}

export interface TrainingSet {
  datasetId: number;
  datasetName: string;
  /** Label names in a stable order (the order the user sees); one-hot index = position. */
  labels: string[];
  images: TrainingImage[];
  /** Images left out because they have no label. */
  unlabelled: number;
  /** Images left out because the user excluded them from training. */
  excluded: number;
  /** Changes whenever the set of (image bytes, label) pairs changes: keys the tensor cache and guards --resume. */
  contentHash: string;
  /**
   * #rrggbb that transparent pixels are flattened onto (the dataset's setting; part of
   * contentHash). Optional so that hand-built TrainingSets in tests stay valid.
   */
  background?: string;
}

/**
 * Reads the dataset `datasetName` of the library in `libraryDir`: labelled, included
 * images only, in label order then import order. Labels without any training image
 * are left out, so every one-hot index has examples.
 */
export function loadTrainingSet(libraryDir: string, datasetName: string): TrainingSet {
  const dir = resolve(libraryDir);
  if (!existsSync(join(dir, LIBRARY_DB))) {
    throw new Error(
      `No library at ${dir} (no ${LIBRARY_DB}): import images first with "cgan-studio import <folder> --library ${libraryDir}".`,
    );
  }
  const library = Library.open(dir);
  try {
    return trainingSetOf(library, datasetName);
  } finally {
    library.close();
  }
}

export function trainingSetOf(library: Library, datasetName: string): TrainingSet {
  const dataset = library.datasets.byName(datasetName);
  if (!dataset) {
    const known = library.datasets.list().map((d) => d.name);
    throw new Error(
      `The library at ${library.dir} has no dataset "${datasetName}"` +
        (known.length
          ? `; it has: ${known.map((n) => `"${n}"`).join(', ')}.`
          : '; it has no datasets yet: import some images first.'),
    );
  }
  // One read transaction: a concurrent relabel cannot give us half of each state.
  return library.db.transaction(() => {
    const allLabels = library.labels.list(dataset.id);
    let unlabelled = 0;
    let excluded = 0;
    const byLabel = new Map<number, Array<{ sha256: string }>>();
    for (const row of library.images.iterate(dataset.id)) {
      if (row.label_id === null) {
        unlabelled++;
        continue;
      }
      if (row.excluded === 1) {
        excluded++;
        continue;
      }
      let list = byLabel.get(row.label_id);
      if (!list) byLabel.set(row.label_id, (list = []));
      list.push({ sha256: row.sha256 });
    }
    const labels: string[] = [];
    const images: TrainingImage[] = [];
    const hash = createHash('sha256');
    hash.update(`cgan-studio training set v1\nbackground ${dataset.background}\n`);
    for (const label of allLabels) {
      const members = byLabel.get(label.id);
      if (!members || members.length === 0) continue;
      const labelIndex = labels.length;
      labels.push(label.name);
      // Hash the (bytes, label) pairs in a canonical order so the order of import
      // does not change the hash, but any relabel, rename or reorder does.
      const shas = members.map((m) => m.sha256).sort();
      hash.update(`label ${labelIndex} ${JSON.stringify(label.name)} ${shas.length}\n`);
      for (const sha of shas) hash.update(sha);
      hash.update('\n');
      for (const m of members) images.push({ blobPath: library.blobPath(m.sha256), sha256: m.sha256, labelIndex });
    }
    return {
      datasetId: dataset.id,
      datasetName: dataset.name,
      labels,
      images,
      unlabelled,
      excluded,
      contentHash: hash.digest('hex'),
      background: dataset.background,
    };
  })();
}
