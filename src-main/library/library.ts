import { mkdirSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BlobStore } from './blob-store.ts';
import { openDatabase, type Db } from './db.ts';
import { BlobRepository } from './repositories/blobs.ts';
import { DatasetRepository } from './repositories/datasets.ts';
import { HistoryRepository } from './repositories/history.ts';
import { ImageRepository } from './repositories/images.ts';
import { ImportJobRepository } from './repositories/import-jobs.ts';
import { LabelRepository } from './repositories/labels.ts';
import { RunRepository } from './repositories/runs.ts';

export const LIBRARY_DB = 'library.db';

/** Everything that touches one entity lives in its repository; this bundles them per database. */
export class Repositories {
  readonly db: Db;
  readonly datasets: DatasetRepository;
  readonly blobs: BlobRepository;
  readonly labels: LabelRepository;
  readonly images: ImageRepository;
  readonly importJobs: ImportJobRepository;
  readonly history: HistoryRepository;
  readonly runs: RunRepository;

  constructor(db: Db) {
    this.db = db;
    this.datasets = new DatasetRepository(db);
    this.blobs = new BlobRepository(db);
    this.labels = new LabelRepository(db);
    this.images = new ImageRepository(db);
    this.importJobs = new ImportJobRepository(db);
    this.history = new HistoryRepository(db);
    this.runs = new RunRepository(db);
  }

  /** Runs `fn` in one IMMEDIATE transaction (takes the write lock up front: no upgrade deadlocks). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}

export interface OpenLibraryOptions {
  /** fsync blobs before their rows are committed (default true). */
  durable?: boolean;
}

/** A library folder: library.db + blobs/ + thumbs/ (DESIGN §5). */
export class Library extends Repositories {
  readonly dir: string;
  readonly blobStore: BlobStore;
  readonly thumbsDir: string;

  private constructor(dir: string, db: Db, options: OpenLibraryOptions) {
    super(db);
    this.dir = dir;
    this.blobStore = new BlobStore(join(dir, 'blobs'), { durable: options.durable });
    this.thumbsDir = join(dir, 'thumbs');
  }

  /** Opens the library in `dir`, creating the folder and database if needed. */
  static open(dir: string, options: OpenLibraryOptions = {}): Library {
    const root = resolve(dir);
    try {
      mkdirSync(root, { recursive: true });
    } catch (error) {
      throw new Error(
        `Cannot create the library folder ${root}: ${(error as Error).message}. Choose a writable folder.`,
        {
          cause: error,
        },
      );
    }
    const db = openDatabase(join(root, LIBRARY_DB));
    return new Library(root, db, options);
  }

  /**
   * After a crash: mark imports that never finished and remove half-written blobs.
   * Not done on every open because a second process (the CLI) may be importing right now.
   */
  recover(): { interruptedImports: number; temporaries: number } {
    return { interruptedImports: this.importJobs.markInterrupted(), temporaries: this.blobStore.removeTemporaries() };
  }

  /**
   * Deletes a dataset with its labels, images, imports and history, then the blobs
   * (and thumbnails) no other dataset uses. Rows go first, files after: a crash in
   * between leaves unreferenced files, never a row without its file.
   */
  async deleteDataset(datasetId: number): Promise<{ deleted: boolean; blobsRemoved: number }> {
    const orphans = this.transaction(() => {
      if (!this.datasets.delete(datasetId)) return null;
      const shas = this.blobs.unreferenced();
      this.blobs.deleteMany(shas);
      return shas;
    });
    if (orphans === null) return { deleted: false, blobsRemoved: 0 };
    const sizes = await readdir(this.thumbsDir).catch(() => [] as string[]);
    for (const sha of orphans) {
      this.blobStore.remove(sha);
      for (const size of sizes) {
        const dir = join(this.thumbsDir, size, sha.slice(0, 2));
        const names = await readdir(dir).catch(() => [] as string[]);
        for (const name of names) if (name.startsWith(sha)) await rm(join(dir, name), { force: true });
      }
    }
    return { deleted: true, blobsRemoved: orphans.length };
  }

  blobPath(sha256: string): string {
    return this.blobStore.path(sha256);
  }

  /** Database check plus "no row points at a missing blob". Empty list = healthy. */
  verify(): string[] {
    const problems: string[] = [];
    const integrity = this.db.pragma('integrity_check', { simple: true }) as string;
    if (integrity !== 'ok') problems.push(`integrity_check: ${integrity}`);
    const fk = this.db.pragma('foreign_key_check') as unknown[];
    if (fk.length > 0) problems.push(`foreign_key_check: ${fk.length} violations`);
    for (const sha of this.blobs.all()) {
      if (!this.blobStore.has(sha)) problems.push(`blob ${sha} is in the database but its file is missing`);
    }
    return problems;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
