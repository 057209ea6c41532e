import type { Db } from '../db.ts';

export interface BlobRow {
  sha256: string;
  size: number;
  format: string;
  width: number;
  height: number;
  channels: number;
  has_alpha: number;
}

export class BlobRepository {
  readonly #db: Db;
  readonly #insert;
  readonly #get;
  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare<[BlobRow]>(
      `INSERT OR IGNORE INTO blobs (sha256, size, format, width, height, channels, has_alpha)
       VALUES (@sha256, @size, @format, @width, @height, @channels, @has_alpha)`,
    );
    this.#get = db.prepare<[string], BlobRow>('SELECT * FROM blobs WHERE sha256 = ?');
  }

  /** Call inside the caller's transaction, after the blob file is safely on disk. */
  insert(row: BlobRow): void {
    this.#insert.run(row);
  }

  get(sha256: string): BlobRow | undefined {
    return this.#get.get(sha256);
  }

  /** Blobs no image refers to any more (after a dataset is deleted): their files may go. */
  unreferenced(): string[] {
    return this.#db
      .prepare<[], { sha256: string }>(
        'SELECT sha256 FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM images i WHERE i.sha256 = b.sha256)',
      )
      .all()
      .map((r) => r.sha256);
  }

  deleteMany(shas: string[]): void {
    this.#db.prepare('DELETE FROM blobs WHERE sha256 IN (SELECT value FROM json_each(?))').run(JSON.stringify(shas));
  }

  all(): string[] {
    return this.#db
      .prepare<[], { sha256: string }>('SELECT sha256 FROM blobs')
      .all()
      .map((r) => r.sha256);
  }
}
