import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LibraryTooNewError, migrate, openDatabase, schemaVersion } from '../../../src-main/library/db.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src-main/library/migrations.ts';

describe('migrations', () => {
  it('bring a new database to the latest version with the pragmas the design asks for', () => {
    const db = openDatabase(':memory:');
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('trusted_schema', { simple: true })).toBe(0);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(
      expect.arrayContaining(['blobs', 'datasets', 'history', 'images', 'import_jobs', 'import_rejections', 'labels']),
    );
    db.close();
  });

  it('are numbered 1, 2, 3... with no gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('use WAL on a file database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cgan-mig-'));
    const db = openDatabase(join(dir, 'library.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are idempotent: opening again runs nothing', () => {
    const db = openDatabase(':memory:');
    migrate(db, ':memory:');
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('refuse a database written by a newer studio, saying what to do', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    expect(() => migrate(db, '/some/library.db')).toThrow(LibraryTooNewError);
    expect(() => migrate(db, '/some/library.db')).toThrow(/\/some\/library\.db.*Update cGAN Studio/);
    db.close();
  });

  it('roll a failing migration back entirely, version included', () => {
    const db = new Database(':memory:');
    const broken = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, name: 'broken', sql: 'CREATE TABLE half_done (x); SELECT * FROM no_such_table;' },
    ];
    expect(() => migrate(db, ':memory:', broken)).toThrow(/no_such_table/);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
    db.close();
  });
});
