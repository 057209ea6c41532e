import type { Db } from '../db.ts';

/** What a run's defaults are derived from: the images' sizes and colour (issue 5 point 1). */
export interface DatasetShapeStats {
  /** Labelled, included images. */
  images: number;
  /** The median of each image's longer side, in pixels (0 without images). */
  medianSide: number;
  /** True when any training image has colour (3 or 4 channels). */
  colour: boolean;
}

export function datasetShapeStats(db: Db, datasetId: number): DatasetShapeStats {
  const rows = db
    .prepare<[number], { side: number; channels: number }>(
      `SELECT max(b.width, b.height) AS side, b.channels AS channels
       FROM images i JOIN blobs b ON b.sha256 = i.sha256
       WHERE i.dataset_id = ? AND i.label_id IS NOT NULL AND i.excluded = 0`,
    )
    .all(datasetId);
  const sides = rows.map((r) => r.side).sort((a, b) => a - b);
  return {
    images: rows.length,
    medianSide: sides.length ? sides[Math.floor(sides.length / 2)] : 0,
    colour: rows.some((r) => r.channels >= 3),
  };
}
