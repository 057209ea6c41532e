import { defaultConfig, imageSizeFor } from '../../engine/config.ts';
import { availableBackends } from '../../engine/backend-detect.ts';
import type { Library } from '../../library/library.ts';
import { datasetShapeStats } from '../../library/repositories/dataset-stats.ts';
import { trainingSetOf } from '../../library/training-set.ts';
import type { RequestOutput } from '../contract/index.ts';
import { StudioError } from '../envelope.ts';

/** Fewer images than this in a label makes its samples unreliable. */
export const FEW_IMAGES = 20;
/** Largest / smallest label above this ratio: suggest class-balanced batches (on by default). */
export const IMBALANCE_RATIO = 5;
/** A first run should show a recognisable generator in minutes on a laptop CPU. */
const TARGET_STEPS = 3000;

/** The start form's defaults, derived from the data (issue 5 point 1), and what to warn about. */
export function planRun(library: Library, datasetId: number): RequestOutput<'run-plan'> {
  const dataset = library.datasets.get(datasetId);
  if (!dataset) throw new StudioError('not-found', `There is no dataset ${datasetId}; it may have been deleted.`);
  const set = trainingSetOf(library, dataset.name);
  const stats = datasetShapeStats(library.db, datasetId);
  const counts = set.labels.map((name) => ({ name, count: 0 }));
  for (const image of set.images) counts[image.labelIndex].count++;
  const smallest = counts.length ? Math.min(...counts.map((c) => c.count)) : 0;
  const largest = counts.length ? Math.max(...counts.map((c) => c.count)) : 0;

  const imageSize = imageSizeFor(stats.medianSide || 28);
  const config = defaultConfig({
    imageSize,
    channels: stats.colour ? 3 : 1,
    numClasses: Math.max(1, counts.length),
    smallestClass: smallest,
  });
  const stepsPerEpoch = Math.max(1, Math.ceil(set.images.length / config.batchSize));
  const suggestedEpochs = Math.min(200, Math.max(5, Math.round(TARGET_STEPS / stepsPerEpoch)));

  const warnings: string[] = [];
  if (set.images.length === 0) {
    warnings.push(`"${dataset.name}" has no labelled, included images: label some images before training.`);
  }
  if (set.unlabelled > 0) {
    warnings.push(`${set.unlabelled} image(s) have no label and will be left out of training.`);
  }
  if (set.excluded > 0) warnings.push(`${set.excluded} excluded image(s) will be left out of training.`);
  const few = counts.filter((c) => c.count < FEW_IMAGES);
  if (few.length > 0) {
    warnings.push(
      `${few.map((c) => `"${c.name}" (${c.count})`).join(', ')} ha${few.length === 1 ? 's' : 've'} fewer than ` +
        `${FEW_IMAGES} images: their samples will be poor; add images or merge labels.`,
    );
  }
  if (smallest > 0 && largest / smallest > IMBALANCE_RATIO) {
    warnings.push(
      `Strong class imbalance: the largest label has ${largest} images, the smallest ${smallest}. ` +
        'Class-balanced batches are on, so every label is trained equally often.',
    );
  }
  if (counts.length === 1) warnings.push('Only one label: this trains an unconditional GAN.');

  const backends = availableBackends();
  return {
    config: config as unknown as Record<string, unknown>,
    images: set.images.length,
    labels: counts,
    unlabelled: set.unlabelled,
    excluded: set.excluded,
    suggestedEpochs,
    stepsPerEpoch,
    backends,
    backend: backends[0] ?? 'cpu',
    warnings,
  };
}
