// The seam between the library and the trainer: what a training run needs to know
// about a dataset, and nothing about SQLite. The library implements `loadTrainingSet`;
// the trainer builds its packed tensor cache from it (DESIGN §5).

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
}
