import type { Db } from '../db.ts';
import { LABEL_PALETTE } from '../palette.ts';

export interface LabelRow {
  id: number;
  dataset_id: number;
  name: string;
  color: string;
  position: number;
}

export interface Label {
  id: number;
  datasetId: number;
  name: string;
  /** #rrggbb */
  color: string;
  /** Display order; also the one-hot index order of a training set. */
  position: number;
}

export interface LabelWithCount extends Label {
  images: number;
  /** Of those, how many are excluded from training. */
  excluded: number;
}


export function toLabel(row: LabelRow): Label {
  return { id: row.id, datasetId: row.dataset_id, name: row.name, color: row.color, position: row.position };
}

export class LabelRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  list(datasetId: number): Label[] {
    return this.#db
      .prepare<[number], LabelRow>('SELECT * FROM labels WHERE dataset_id = ? ORDER BY position, id')
      .all(datasetId)
      .map(toLabel);
  }

  listWithCounts(datasetId: number): LabelWithCount[] {
    return this.#db
      .prepare<[number, number], LabelRow & { images: number; excluded: number }>(
        // Counted per label_id from the (dataset_id, label_id, excluded) index, then joined.
        `WITH counts AS (
           SELECT label_id, count(*) AS images, sum(excluded) AS excluded
           FROM images WHERE dataset_id = ? AND label_id IS NOT NULL GROUP BY label_id
         )
         SELECT l.*, coalesce(c.images, 0) AS images, coalesce(c.excluded, 0) AS excluded
         FROM labels l LEFT JOIN counts c ON c.label_id = l.id
         WHERE l.dataset_id = ? ORDER BY l.position, l.id`,
      )
      .all(datasetId, datasetId)
      .map((r) => ({ ...toLabel(r), images: r.images, excluded: r.excluded }));
  }

  get(id: number): Label | undefined {
    const row = this.#db.prepare<[number], LabelRow>('SELECT * FROM labels WHERE id = ?').get(id);
    return row && toLabel(row);
  }

  byName(datasetId: number, name: string): Label | undefined {
    const row = this.#db
      .prepare<[number, string], LabelRow>('SELECT * FROM labels WHERE dataset_id = ? AND name = ?')
      .get(datasetId, name);
    return row && toLabel(row);
  }

  create(datasetId: number, name: string, color?: string): Label {
    const next = this.#db
      .prepare<[number], { position: number; count: number }>(
        'SELECT coalesce(max(position), -1) + 1 AS position, count(*) AS count FROM labels WHERE dataset_id = ?',
      )
      .get(datasetId)!;
    const chosen = color ?? LABEL_PALETTE[next.count % LABEL_PALETTE.length]!;
    const info = this.#db
      .prepare('INSERT INTO labels (dataset_id, name, color, position) VALUES (?, ?, ?, ?)')
      .run(datasetId, name, chosen, next.position);
    return { id: Number(info.lastInsertRowid), datasetId, name, color: chosen, position: next.position };
  }

  ensure(datasetId: number, name: string): Label {
    return this.byName(datasetId, name) ?? this.create(datasetId, name);
  }

  /** Puts back a deleted label under its old id (undo of a delete or merge, redo of a create). */
  restore(label: Label): void {
    this.#db
      .prepare('INSERT INTO labels (id, dataset_id, name, color, position) VALUES (?, ?, ?, ?, ?)')
      .run(label.id, label.datasetId, label.name, label.color, label.position);
  }

  rename(id: number, name: string): void {
    this.#db.prepare('UPDATE labels SET name = ? WHERE id = ?').run(name, id);
  }

  recolour(id: number, color: string): void {
    this.#db.prepare('UPDATE labels SET color = ? WHERE id = ?').run(color, id);
  }

  /** Images that carried it become unlabelled (ON DELETE SET NULL). */
  delete(id: number): void {
    this.#db.prepare('DELETE FROM labels WHERE id = ?').run(id);
  }
}
