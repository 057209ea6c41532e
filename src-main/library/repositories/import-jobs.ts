import type { Db } from '../db.ts';

export type ImportStatus = 'running' | 'done' | 'cancelled' | 'failed' | 'interrupted';

export interface ImportJobRow {
  id: number;
  dataset_id: number;
  source: string;
  status: ImportStatus;
  started_at: number;
  finished_at: number | null;
  total: number;
  imported: number;
  duplicates: number;
  rejected: number;
}

export interface ImportJob {
  id: number;
  datasetId: number;
  source: string;
  status: ImportStatus;
  startedAt: number;
  finishedAt: number | null;
  total: number;
  imported: number;
  duplicates: number;
  rejected: number;
}

export interface Rejection {
  id: number;
  jobId: number;
  path: string;
  reason: string;
}

function toJob(row: ImportJobRow): ImportJob {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    source: row.source,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    total: row.total,
    imported: row.imported,
    duplicates: row.duplicates,
    rejected: row.rejected,
  };
}

export class ImportJobRepository {
  readonly #db: Db;
  readonly #addRejection;
  constructor(db: Db) {
    this.#db = db;
    this.#addRejection = db.prepare(
      'INSERT INTO import_rejections (dataset_id, job_id, path, reason) VALUES (?, ?, ?, ?)',
    );
  }

  start(datasetId: number, source: string): number {
    return Number(
      this.#db
        .prepare("INSERT INTO import_jobs (dataset_id, source, status, started_at, pid) VALUES (?, ?, 'running', ?, ?)")
        .run(datasetId, source, Date.now(), process.pid).lastInsertRowid,
    );
  }

  progress(id: number, counts: { total: number; imported: number; duplicates: number; rejected: number }): void {
    this.#db
      .prepare('UPDATE import_jobs SET total = ?, imported = ?, duplicates = ?, rejected = ? WHERE id = ?')
      .run(counts.total, counts.imported, counts.duplicates, counts.rejected, id);
  }

  finish(id: number, status: Exclude<ImportStatus, 'running'>): void {
    this.#db.prepare('UPDATE import_jobs SET status = ?, finished_at = ? WHERE id = ?').run(status, Date.now(), id);
  }

  /**
   * Jobs still 'running' whose process is gone were killed: say so instead of
   * pretending. (A process id reused since is mistaken for the importer: the job then
   * stays 'running' until the next check, which is harmless.)
   */
  markInterrupted(): number {
    const running = this.#db
      .prepare<[], { id: number; pid: number | null }>("SELECT id, pid FROM import_jobs WHERE status = 'running'")
      .all();
    const dead = running.filter((job) => job.pid === null || !processAlive(job.pid)).map((job) => job.id);
    if (dead.length === 0) return 0;
    return this.#db
      .prepare(
        "UPDATE import_jobs SET status = 'interrupted', finished_at = ? WHERE id IN (SELECT value FROM json_each(?))",
      )
      .run(Date.now(), JSON.stringify(dead)).changes;
  }

  get(id: number): ImportJob | undefined {
    const row = this.#db.prepare<[number], ImportJobRow>('SELECT * FROM import_jobs WHERE id = ?').get(id);
    return row && toJob(row);
  }

  list(datasetId: number): ImportJob[] {
    return this.#db
      .prepare<[number], ImportJobRow>('SELECT * FROM import_jobs WHERE dataset_id = ? ORDER BY id DESC')
      .all(datasetId)
      .map(toJob);
  }

  /** Call inside the batch's transaction. */
  addRejection(datasetId: number, jobId: number, path: string, reason: string): void {
    this.#addRejection.run(datasetId, jobId, path, reason);
  }

  /** Rejections of the dataset's most recent import of each source, newest first. */
  rejections(datasetId: number, offset = 0, limit = 200): { total: number; items: Rejection[] } {
    const latestJobs = `SELECT max(id) FROM import_jobs WHERE dataset_id = @datasetId GROUP BY source`;
    const total = this.#db
      .prepare(`SELECT count(*) FROM import_rejections WHERE dataset_id = @datasetId AND job_id IN (${latestJobs})`)
      .pluck()
      .get({ datasetId }) as number;
    const items = this.#db
      .prepare<Record<string, number>, { id: number; job_id: number; path: string; reason: string }>(
        `SELECT id, job_id, path, reason FROM import_rejections
         WHERE dataset_id = @datasetId AND job_id IN (${latestJobs})
         ORDER BY job_id DESC, id LIMIT @limit OFFSET @offset`,
      )
      .all({ datasetId, limit, offset })
      .map((r) => ({ id: r.id, jobId: r.job_id, path: r.path, reason: r.reason }));
    return { total, items };
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
