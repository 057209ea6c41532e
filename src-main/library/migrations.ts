// Numbered, forward-only schema migrations. A migration that has shipped is never
// edited: a change to the schema is a new entry at the end. Each runs in its own
// transaction together with the `user_version` bump, so a crash leaves the database
// at one version or the next, never in between.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'datasets, blobs, labels, images, import jobs, history',
    sql: `
      CREATE TABLE datasets (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        -- colour (#rrggbb) transparent pixels are flattened onto when decoding
        background  TEXT NOT NULL DEFAULT '#ffffff',
        created_at  INTEGER NOT NULL
      ) STRICT;

      -- One row per distinct file content; the bytes live at blobs/<sha[0:2]>/<sha>.
      CREATE TABLE blobs (
        sha256     TEXT PRIMARY KEY,
        size       INTEGER NOT NULL,
        format     TEXT NOT NULL,
        width      INTEGER NOT NULL,
        height     INTEGER NOT NULL,
        channels   INTEGER NOT NULL,
        has_alpha  INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      -- AUTOINCREMENT so an id, once used, never names another label: undo/redo
      -- re-creates a deleted label under its old id.
      CREATE TABLE labels (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        name        TEXT NOT NULL,
        color       TEXT NOT NULL,
        position    INTEGER NOT NULL,
        UNIQUE (dataset_id, name)
      ) STRICT;

      CREATE TABLE import_jobs (
        id          INTEGER PRIMARY KEY,
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        source      TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'cancelled', 'failed', 'interrupted')),
        started_at  INTEGER NOT NULL,
        finished_at INTEGER,
        total       INTEGER NOT NULL DEFAULT 0,
        imported    INTEGER NOT NULL DEFAULT 0,
        duplicates  INTEGER NOT NULL DEFAULT 0,
        rejected    INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      CREATE TABLE images (
        id            INTEGER PRIMARY KEY,
        dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        sha256        TEXT NOT NULL REFERENCES blobs(sha256),
        label_id      INTEGER REFERENCES labels(id) ON DELETE SET NULL,
        excluded      INTEGER NOT NULL DEFAULT 0,
        file_name     TEXT NOT NULL,
        source_path   TEXT NOT NULL,
        import_job_id INTEGER REFERENCES import_jobs(id) ON DELETE SET NULL,
        imported_at   INTEGER NOT NULL,
        UNIQUE (dataset_id, sha256)
      ) STRICT;
      CREATE INDEX images_by_label ON images(dataset_id, label_id);
      CREATE INDEX images_by_name ON images(dataset_id, file_name);
      CREATE INDEX images_by_blob ON images(sha256);

      -- Files an import refused, with the reason, for the "rejected on import" view.
      CREATE TABLE import_rejections (
        id          INTEGER PRIMARY KEY,
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        job_id      INTEGER NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
        path        TEXT NOT NULL,
        reason      TEXT NOT NULL
      ) STRICT;
      CREATE INDEX import_rejections_by_dataset ON import_rejections(dataset_id, id);

      -- The undo/redo log of labelling actions (see history.ts).
      CREATE TABLE history (
        id          INTEGER PRIMARY KEY,
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        summary     TEXT NOT NULL,
        payload     TEXT NOT NULL,
        undone      INTEGER NOT NULL DEFAULT 0,
        created_at  INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX history_by_dataset ON history(dataset_id, undone, id);
    `,
  },
  {
    version: 2,
    name: 'training runs',
    sql: `
      -- dataset_id is kept NULL (not cascaded away) when the dataset is deleted, so
      -- the run's history and files stay until the person deletes the run itself.
      CREATE TABLE runs (
        id                   TEXT PRIMARY KEY,
        dataset_id           INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
        dataset_name         TEXT NOT NULL,
        name                 TEXT NOT NULL,
        status               TEXT NOT NULL CHECK (status IN ('starting', 'training', 'paused', 'stopped', 'done', 'interrupted', 'failed')),
        status_reason        TEXT,
        dir                  TEXT NOT NULL,
        config               TEXT NOT NULL,
        created_at           INTEGER NOT NULL,
        updated_at           INTEGER NOT NULL,
        duration_ms          INTEGER NOT NULL DEFAULT 0,
        last_step            INTEGER NOT NULL DEFAULT 0,
        total_steps          INTEGER NOT NULL DEFAULT 0,
        last_checkpoint_step INTEGER,
        final_metrics        TEXT,
        thumbnail            TEXT
      ) STRICT;
      CREATE INDEX runs_by_dataset ON runs(dataset_id, created_at);
    `,
  },
  {
    version: 3,
    name: 'covering indexes for the 60,000-image grid',
    sql: `
      -- (dataset_id, rowid): pages in import order walk the index instead of sorting.
      CREATE INDEX images_by_dataset ON images(dataset_id);
      -- Per-label counts with exclusions, and label filters, from the index alone.
      DROP INDEX images_by_label;
      CREATE INDEX images_by_label ON images(dataset_id, label_id, excluded);
    `,
  },
  {
    version: 4,
    name: 'which process runs an import',
    sql: `
      -- An import left 'running' is interrupted only if its process is gone: the CLI
      -- may be importing while the studio starts.
      ALTER TABLE import_jobs ADD COLUMN pid INTEGER;
    `,
  },
  {
    version: 5,
    name: 'the backend a run trained on',
    sql: `
      -- What the trainer actually used ("wasm", "tensorflow" ...), not what was asked for.
      ALTER TABLE runs ADD COLUMN backend TEXT;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
