import type { Db } from '../db.ts';

export interface DatasetRow {
  id: number;
  name: string;
  background: string;
  created_at: number;
}

export interface Dataset {
  id: number;
  name: string;
  /** #rrggbb that transparent pixels are flattened onto. */
  background: string;
  createdAt: number;
}

export interface DatasetSummary extends Dataset {
  images: number;
  labelled: number;
  excluded: number;
  labels: number;
}

function toDataset(row: DatasetRow): Dataset {
  return { id: row.id, name: row.name, background: row.background, createdAt: row.created_at };
}

export class DatasetRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  list(): DatasetSummary[] {
    const rows = this.#db
      .prepare<[], DatasetRow & { images: number; labelled: number; excluded: number; labels: number }>(
        // One pass over the (dataset_id, label_id, excluded) index for all three counts.
        `SELECT d.*, count(i.dataset_id) AS images, count(i.label_id) AS labelled,
           coalesce(sum(i.excluded), 0) AS excluded,
           (SELECT count(*) FROM labels l WHERE l.dataset_id = d.id) AS labels
         FROM datasets d LEFT JOIN images i INDEXED BY images_by_label ON i.dataset_id = d.id
         GROUP BY d.id ORDER BY d.name`,
      )
      .all();
    return rows.map((r) => ({
      ...toDataset(r),
      images: r.images,
      labelled: r.labelled,
      excluded: r.excluded,
      labels: r.labels,
    }));
  }

  get(id: number): Dataset | undefined {
    const row = this.#db.prepare<[number], DatasetRow>('SELECT * FROM datasets WHERE id = ?').get(id);
    return row && toDataset(row);
  }

  byName(name: string): Dataset | undefined {
    const row = this.#db.prepare<[string], DatasetRow>('SELECT * FROM datasets WHERE name = ?').get(name);
    return row && toDataset(row);
  }

  create(name: string, background = '#ffffff'): Dataset {
    const now = Date.now();
    const info = this.#db
      .prepare('INSERT INTO datasets (name, background, created_at) VALUES (?, ?, ?)')
      .run(name, background, now);
    return { id: Number(info.lastInsertRowid), name, background, createdAt: now };
  }

  /** The dataset called `name`, created if it does not exist yet. */
  ensure(name: string, background?: string): Dataset {
    return this.byName(name) ?? this.create(name, background);
  }

  /** The background of the (first) dataset holding a blob: thumbnails look like training will see them. */
  backgroundOfBlob(sha256: string): string {
    return (
      (this.#db
        .prepare('SELECT d.background FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE i.sha256 = ? LIMIT 1')
        .pluck()
        .get(sha256) as string | undefined) ?? '#ffffff'
    );
  }

  rename(id: number, name: string): void {
    this.#db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(name, id);
  }

  setBackground(id: number, background: string): void {
    this.#db.prepare('UPDATE datasets SET background = ? WHERE id = ?').run(background, id);
  }

  /** Deletes the dataset and (by cascade) its images, labels, jobs and history. Blobs stay until `gc`. */
  delete(id: number): boolean {
    return this.#db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
  }
}
