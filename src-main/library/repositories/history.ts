import type { Db } from '../db.ts';

export interface HistoryRow {
  id: number;
  dataset_id: number;
  kind: string;
  summary: string;
  payload: string;
  undone: number;
  created_at: number;
}

export interface HistoryEntry<P = unknown> {
  id: number;
  datasetId: number;
  kind: string;
  summary: string;
  payload: P;
  undone: boolean;
  createdAt: number;
}

function toEntry(row: HistoryRow): HistoryEntry {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    kind: row.kind,
    summary: row.summary,
    payload: JSON.parse(row.payload) as unknown,
    undone: row.undone === 1,
    createdAt: row.created_at,
  };
}

/**
 * The persisted undo log of one dataset: a linear list with a cursor. Entries not
 * undone are the undo stack (newest on top), undone ones the redo stack (oldest on top).
 */
export class HistoryRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Records a new action; like every editor, it drops whatever could have been redone. */
  push(datasetId: number, kind: string, summary: string, payload: unknown): number {
    this.#db.prepare('DELETE FROM history WHERE dataset_id = ? AND undone = 1').run(datasetId);
    return Number(
      this.#db
        .prepare('INSERT INTO history (dataset_id, kind, summary, payload, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(datasetId, kind, summary, JSON.stringify(payload), Date.now()).lastInsertRowid,
    );
  }

  /** The action undo would revert. */
  lastDone(datasetId: number): HistoryEntry | undefined {
    const row = this.#db
      .prepare<[number], HistoryRow>(
        'SELECT * FROM history WHERE dataset_id = ? AND undone = 0 ORDER BY id DESC LIMIT 1',
      )
      .get(datasetId);
    return row && toEntry(row);
  }

  /** The action redo would re-apply. */
  firstUndone(datasetId: number): HistoryEntry | undefined {
    const row = this.#db
      .prepare<[number], HistoryRow>('SELECT * FROM history WHERE dataset_id = ? AND undone = 1 ORDER BY id LIMIT 1')
      .get(datasetId);
    return row && toEntry(row);
  }

  setUndone(id: number, undone: boolean, payload?: unknown): void {
    if (payload === undefined) {
      this.#db.prepare('UPDATE history SET undone = ? WHERE id = ?').run(undone ? 1 : 0, id);
    } else {
      this.#db
        .prepare('UPDATE history SET undone = ?, payload = ? WHERE id = ?')
        .run(undone ? 1 : 0, JSON.stringify(payload), id);
    }
  }

  /** Old entries beyond `keep` are forgotten so the log cannot grow without end. */
  trim(datasetId: number, keep: number): void {
    this.#db
      .prepare(
        `DELETE FROM history WHERE dataset_id = ? AND undone = 0 AND id NOT IN
           (SELECT id FROM history WHERE dataset_id = ? AND undone = 0 ORDER BY id DESC LIMIT ?)`,
      )
      .run(datasetId, datasetId, keep);
  }

  list(datasetId: number, limit = 50): HistoryEntry[] {
    return this.#db
      .prepare<[number, number], HistoryRow>('SELECT * FROM history WHERE dataset_id = ? ORDER BY id DESC LIMIT ?')
      .all(datasetId, limit)
      .map(toEntry);
  }
}
