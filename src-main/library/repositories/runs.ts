import type { Db } from '../db.ts';

// The run history (issue 5): one row per training run, whatever process trained it.
// The run's files (checkpoints, samples, metrics) live in its folder; this row is what
// lists, compares and resumes need without opening them.

export const RUN_STATUSES = ['starting', 'training', 'paused', 'stopped', 'done', 'interrupted', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

interface RunRow {
  id: string;
  dataset_id: number | null;
  dataset_name: string;
  name: string;
  status: RunStatus;
  status_reason: string | null;
  dir: string;
  config: string;
  created_at: number;
  updated_at: number;
  duration_ms: number;
  last_step: number;
  total_steps: number;
  last_checkpoint_step: number | null;
  final_metrics: string | null;
  thumbnail: string | null;
  backend: string | null;
}

export interface Run {
  id: string;
  datasetId: number | null;
  datasetName: string;
  name: string;
  status: RunStatus;
  /** Why it stopped, failed or was interrupted, in words for the person. */
  statusReason: string | null;
  dir: string;
  config: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  /** Time spent training, pauses excluded. */
  durationMs: number;
  lastStep: number;
  totalSteps: number;
  lastCheckpointStep: number | null;
  finalMetrics: Record<string, unknown> | null;
  /** Run-relative path of the latest sample grid. */
  thumbnail: string | null;
  /** The compute backend the trainer used last. */
  backend: string | null;
}

function toRun(row: RunRow): Run {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    datasetName: row.dataset_name,
    name: row.name,
    status: row.status,
    statusReason: row.status_reason,
    dir: row.dir,
    config: JSON.parse(row.config) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    durationMs: row.duration_ms,
    lastStep: row.last_step,
    totalSteps: row.total_steps,
    lastCheckpointStep: row.last_checkpoint_step,
    finalMetrics: row.final_metrics === null ? null : (JSON.parse(row.final_metrics) as Record<string, unknown>),
    thumbnail: row.thumbnail,
    backend: row.backend,
  };
}

export interface NewRun {
  id: string;
  datasetId: number;
  datasetName: string;
  name: string;
  dir: string;
  config: Record<string, unknown>;
  totalSteps: number;
}

export type RunUpdate = Partial<
  Pick<
    Run,
    | 'status'
    | 'statusReason'
    | 'name'
    | 'durationMs'
    | 'lastStep'
    | 'totalSteps'
    | 'lastCheckpointStep'
    | 'finalMetrics'
    | 'thumbnail'
    | 'config'
    | 'backend'
  >
>;

const COLUMNS: Record<keyof RunUpdate, string> = {
  status: 'status',
  statusReason: 'status_reason',
  name: 'name',
  durationMs: 'duration_ms',
  lastStep: 'last_step',
  totalSteps: 'total_steps',
  lastCheckpointStep: 'last_checkpoint_step',
  finalMetrics: 'final_metrics',
  thumbnail: 'thumbnail',
  config: 'config',
  backend: 'backend',
};

export class RunRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  create(run: NewRun, now = Date.now()): Run {
    this.#db
      .prepare(
        `INSERT INTO runs (id, dataset_id, dataset_name, name, status, dir, config, created_at, updated_at, total_steps)
         VALUES (?, ?, ?, ?, 'starting', ?, ?, ?, ?, ?)`,
      )
      .run(run.id, run.datasetId, run.datasetName, run.name, run.dir, JSON.stringify(run.config), now, now, run.totalSteps);
    return this.get(run.id)!;
  }

  get(id: string): Run | undefined {
    const row = this.#db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?').get(id);
    return row && toRun(row);
  }

  list(): Run[] {
    return this.#db.prepare<[], RunRow>('SELECT * FROM runs ORDER BY created_at DESC').all().map(toRun);
  }

  update(id: string, changes: RunUpdate, now = Date.now()): Run | undefined {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [key, value] of Object.entries(changes) as Array<[keyof RunUpdate, unknown]>) {
      if (value === undefined) continue;
      sets.push(`${COLUMNS[key]} = ?`);
      values.push(key === 'finalMetrics' || key === 'config' ? (value === null ? null : JSON.stringify(value)) : value);
    }
    sets.push('updated_at = ?');
    values.push(now);
    this.#db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
    return this.get(id);
  }

  delete(id: string): boolean {
    return this.#db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
  }

  /** After a crash of the whole studio: runs that claimed to be training are not any more. */
  markInterrupted(reason: string): number {
    return this.#db
      .prepare(
        `UPDATE runs SET status = 'interrupted', status_reason = ?, updated_at = ?
         WHERE status IN ('starting', 'training', 'paused')`,
      )
      .run(reason, Date.now()).changes;
  }
}
