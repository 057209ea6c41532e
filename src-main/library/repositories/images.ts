import type { Db } from '../db.ts';

export interface ImageRow {
  id: number;
  dataset_id: number;
  sha256: string;
  label_id: number | null;
  excluded: number;
  file_name: string;
  source_path: string;
  import_job_id: number | null;
  imported_at: number;
}

export interface NewImage {
  dataset_id: number;
  sha256: string;
  label_id: number | null;
  file_name: string;
  source_path: string;
  import_job_id: number | null;
  imported_at: number;
}

export interface Image {
  id: number;
  datasetId: number;
  sha256: string;
  labelId: number | null;
  excluded: boolean;
  fileName: string;
  sourcePath: string;
  importedAt: number;
}

export interface ImageDetail extends Image {
  labelName: string | null;
  size: number;
  format: string;
  width: number;
  height: number;
  channels: number;
  hasAlpha: boolean;
}

/** Which images a grid shows. `label` and `unlabelled` are exclusive; `excluded` narrows either. */
export interface ImageFilter {
  /** Only images with this label id. */
  labelId?: number;
  /** Only images without a label. */
  unlabelled?: boolean;
  /** true: only excluded; false: only included; absent: both. */
  excluded?: boolean;
  /** Case-insensitive substring of the file name. */
  search?: string;
}

export type ImageSort = 'imported' | 'name' | 'label';

export interface ImagePageQuery extends ImageFilter {
  datasetId: number;
  sort?: ImageSort;
  descending?: boolean;
  offset: number;
  limit: number;
}

export function toImage(row: ImageRow): Image {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    sha256: row.sha256,
    labelId: row.label_id,
    excluded: row.excluded === 1,
    fileName: row.file_name,
    sourcePath: row.source_path,
    importedAt: row.imported_at,
  };
}

/** ids travel into SQL as one JSON array: one statement for 10,000 ids, no variable limit. */
const idsJson = (ids: readonly number[]): string => JSON.stringify(ids);

export class ImageRepository {
  readonly #db: Db;
  readonly #insert;
  readonly #hasSha;
  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare<[NewImage]>(
      `INSERT OR IGNORE INTO images (dataset_id, sha256, label_id, file_name, source_path, import_job_id, imported_at)
       VALUES (@dataset_id, @sha256, @label_id, @file_name, @source_path, @import_job_id, @imported_at)`,
    );
    this.#hasSha = db.prepare<[number, string], { id: number }>(
      'SELECT id FROM images WHERE dataset_id = ? AND sha256 = ?',
    );
  }

  /** Returns false when the dataset already holds these bytes (a duplicate). Call in a transaction. */
  insert(image: NewImage): boolean {
    return this.#insert.run(image).changes > 0;
  }

  hasSha(datasetId: number, sha256: string): boolean {
    return this.#hasSha.get(datasetId, sha256) !== undefined;
  }

  /** Every sha256 already in the dataset, to skip known files before decoding them. */
  shas(datasetId: number): Set<string> {
    const set = new Set<string>();
    const stmt = this.#db.prepare<[number], string>('SELECT sha256 FROM images WHERE dataset_id = ?').pluck();
    for (const sha of stmt.iterate(datasetId)) set.add(sha);
    return set;
  }

  get(id: number): Image | undefined {
    const row = this.#db.prepare<[number], ImageRow>('SELECT * FROM images WHERE id = ?').get(id);
    return row && toImage(row);
  }

  detail(id: number): ImageDetail | undefined {
    const row = this.#db
      .prepare<[number], ImageRow & { label_name: string | null } & Omit<BlobColumns, 'sha256'>>(
        `SELECT i.*, l.name AS label_name, b.size, b.format, b.width, b.height, b.channels, b.has_alpha
         FROM images i JOIN blobs b ON b.sha256 = i.sha256 LEFT JOIN labels l ON l.id = i.label_id
         WHERE i.id = ?`,
      )
      .get(id);
    if (!row) return undefined;
    return {
      ...toImage(row),
      labelName: row.label_name,
      size: row.size,
      format: row.format,
      width: row.width,
      height: row.height,
      channels: row.channels,
      hasAlpha: row.has_alpha === 1,
    };
  }

  count(datasetId: number, filter: ImageFilter = {}): number {
    const { where, params } = buildWhere(datasetId, filter);
    return this.#db.prepare(`SELECT count(*) AS n FROM images i WHERE ${where}`).pluck().get(params) as number;
  }

  page(query: ImagePageQuery): Image[] {
    const { where, params } = buildWhere(query.datasetId, query);
    const dir = query.descending ? 'DESC' : 'ASC';
    // Label order is creation order (positions are handed out increasing, like ids,
    // and restored labels keep both), so sorting by label_id needs no join.
    const order =
      query.sort === 'name'
        ? `i.file_name ${dir}, i.id ${dir}`
        : query.sort === 'label'
          ? `i.label_id IS NULL, i.label_id ${dir}, i.id ${dir}`
          : `i.id ${dir}`;
    // Two steps: the OFFSET skips index entries only (the inner query is covered by
    // an index), and whole rows are read for the page itself.
    return this.#db
      .prepare<Record<string, unknown>, ImageRow>(
        `SELECT i.* FROM images i WHERE i.id IN (
           SELECT i.id FROM images i WHERE ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset
         ) ORDER BY ${order}`,
      )
      .all({ ...params, limit: query.limit, offset: query.offset })
      .map(toImage);
  }

  /** Ids matching a filter: "select all in view" without sending 60,000 ids to the renderer first. */
  ids(datasetId: number, filter: ImageFilter = {}): number[] {
    const { where, params } = buildWhere(datasetId, filter);
    return this.#db.prepare(`SELECT i.id FROM images i WHERE ${where} ORDER BY i.id`).pluck().all(params) as number[];
  }

  /** Current label of each image, grouped: what undo needs to put back. Unknown ids are left out. */
  labelsOf(datasetId: number, ids: readonly number[]): Array<{ id: number; label_id: number | null }> {
    return this.#db
      .prepare<[number, string], { id: number; label_id: number | null }>(
        `SELECT id, label_id FROM images WHERE dataset_id = ? AND id IN (SELECT value FROM json_each(?))`,
      )
      .all(datasetId, idsJson(ids));
  }

  excludedOf(datasetId: number, ids: readonly number[]): Array<{ id: number; excluded: number }> {
    return this.#db
      .prepare<[number, string], { id: number; excluded: number }>(
        `SELECT id, excluded FROM images WHERE dataset_id = ? AND id IN (SELECT value FROM json_each(?))`,
      )
      .all(datasetId, idsJson(ids));
  }

  setLabel(datasetId: number, ids: readonly number[], labelId: number | null): number {
    return this.#db
      .prepare(`UPDATE images SET label_id = ? WHERE dataset_id = ? AND id IN (SELECT value FROM json_each(?))`)
      .run(labelId, datasetId, idsJson(ids)).changes;
  }

  setExcluded(datasetId: number, ids: readonly number[], excluded: boolean): number {
    return this.#db
      .prepare(`UPDATE images SET excluded = ? WHERE dataset_id = ? AND id IN (SELECT value FROM json_each(?))`)
      .run(excluded ? 1 : 0, datasetId, idsJson(ids)).changes;
  }

  withLabel(labelId: number): number[] {
    return this.#db.prepare('SELECT id FROM images WHERE label_id = ? ORDER BY id').pluck().all(labelId) as number[];
  }

  moveLabel(fromLabelId: number, toLabelId: number): number {
    return this.#db.prepare('UPDATE images SET label_id = ? WHERE label_id = ?').run(toLabelId, fromLabelId).changes;
  }

  unlabelledCount(datasetId: number): number {
    return this.count(datasetId, { unlabelled: true });
  }

  /** For training sets and export: every image with its blob and label, in id order. */
  *iterate(
    datasetId: number,
  ): IterableIterator<{ id: number; sha256: string; label_id: number | null; excluded: number; file_name: string }> {
    yield* this.#db
      .prepare<[number], { id: number; sha256: string; label_id: number | null; excluded: number; file_name: string }>(
        'SELECT id, sha256, label_id, excluded, file_name FROM images WHERE dataset_id = ? ORDER BY id',
      )
      .iterate(datasetId);
  }
}

interface BlobColumns {
  sha256: string;
  size: number;
  format: string;
  width: number;
  height: number;
  channels: number;
  has_alpha: number;
}

function buildWhere(datasetId: number, filter: ImageFilter): { where: string; params: Record<string, unknown> } {
  const clauses = ['i.dataset_id = @datasetId'];
  const params: Record<string, unknown> = { datasetId };
  if (filter.labelId !== undefined) {
    clauses.push('i.label_id = @labelId');
    params.labelId = filter.labelId;
  } else if (filter.unlabelled) {
    clauses.push('i.label_id IS NULL');
  }
  if (filter.excluded !== undefined) {
    clauses.push('i.excluded = @excluded');
    params.excluded = filter.excluded ? 1 : 0;
  }
  if (filter.search) {
    // instr(lower()) instead of LIKE: no escaping of % and _ typed by the person.
    clauses.push('instr(lower(i.file_name), @search) > 0');
    params.search = filter.search.toLowerCase();
  }
  return { where: clauses.join(' AND '), params };
}
