import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.ts';

export type Db = Database.Database;

/** The database was written by a newer studio: opening it could corrupt data we do not understand. */
export class LibraryTooNewError extends Error {
  constructor(path: string, found: number, supported: number) {
    super(
      `The library database ${path} has schema version ${found}, but this studio understands only up to ` +
        `version ${supported}. Update cGAN Studio, or choose another library folder.`,
    );
    this.name = 'LibraryTooNewError';
  }
}

/**
 * Opens (creating if needed) a library database and brings it to the current schema.
 * `path` may be ':memory:' for tests; the real migrations run either way.
 */
export function openDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  const db = new Database(path);
  try {
    // WAL: readers (the grid) never block the importer's writes. NORMAL sync is
    // crash-safe in WAL mode (a power cut may lose the last commits, never corrupt).
    if (path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('trusted_schema = OFF');
    migrate(db, path, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, path: string, migrations: readonly Migration[] = MIGRATIONS): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > latest) throw new LibraryTooNewError(path, current, latest);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      // user_version cannot be bound as a parameter; the value is our own integer.
      db.pragma(`user_version = ${Math.trunc(migration.version)}`);
    }).immediate();
  }
}

export { SCHEMA_VERSION };
