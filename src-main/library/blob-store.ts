import { randomBytes } from 'node:crypto';
import { execFile, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Content-addressed copies of imported files: blobs/<first two hex digits>/<sha256>.
 * A blob is written to a temporary name in its final folder and renamed into place,
 * so a file under its sha256 name is always complete; a killed import leaves at most
 * a `.tmp-*` file, which the next open removes.
 */
export class BlobStore {
  readonly root: string;
  /** Make blobs durable (`flush`) before their rows commit: survives power loss, costs some speed. */
  readonly durable: boolean;
  #unsynced: string[] = [];

  constructor(root: string, options: { durable?: boolean } = {}) {
    this.root = root;
    this.durable = options.durable ?? true;
    mkdirSync(root, { recursive: true });
    // The 256 fan-out folders up front: no mkdir race between concurrent writers.
    for (let i = 0; i < 256; i++) mkdirSync(join(root, i.toString(16).padStart(2, '0')), { recursive: true });
  }

  path(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`"${sha256}" is not a sha256 hex digest`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  has(sha256: string): boolean {
    return existsSync(this.path(sha256));
  }

  /**
   * Puts the bytes in place under their hash, synchronously: for files of a few
   * kilobytes this costs less CPU than the libuv pool, but blocks the event loop.
   * Callers skip blobs the database already lists; an orphan left by a killed import
   * is simply replaced (same name, same bytes). Call `flush()` before committing rows.
   */
  writeSync(sha256: string, bytes: Uint8Array): void {
    const final = this.path(sha256);
    const tmp = join(this.root, sha256.slice(0, 2), `.tmp-${sha256.slice(0, 16)}-${randomBytes(4).toString('hex')}`);
    try {
      writeFileSync(tmp, bytes);
      renameSync(tmp, final);
    } catch (error) {
      rmSync(tmp, { force: true });
      throw error;
    }
    if (this.durable) this.#unsynced.push(final);
  }

  /** Like writeSync through the libuv pool: slower, but never blocks the event loop (Electron's main process). */
  async write(sha256: string, bytes: Uint8Array): Promise<void> {
    const final = this.path(sha256);
    const tmp = join(this.root, sha256.slice(0, 2), `.tmp-${sha256.slice(0, 16)}-${randomBytes(4).toString('hex')}`);
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, final);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    if (this.durable) this.#unsynced.push(final);
  }

  /** flush() without blocking the event loop. */
  async flushAsync(): Promise<void> {
    if (this.#unsynced.length === 0) return;
    const paths = this.#unsynced;
    this.#unsynced = [];
    if (process.platform === 'linux') {
      const synced = await new Promise<boolean>((resolve) =>
        execFile('sync', ['-f', this.root], (error) => resolve(error === null)),
      );
      if (synced) return;
    }
    const dirs = new Set(paths.map((p) => dirname(p)));
    await Promise.all([...paths, ...dirs].map((p) => fsyncPathAsync(p)));
  }

  /**
   * Makes every blob written since the last flush durable (survives a power cut), so
   * the rows committed next cannot outlive their files. On Linux one syncfs of the
   * library's file system (`sync -f`) does it for the whole batch: one journal commit
   * instead of one fsync, about 1 ms each here, per file. Elsewhere, or if that
   * fails, each file and its folder are fsynced.
   */
  flush(): void {
    if (this.#unsynced.length === 0) return;
    const paths = this.#unsynced;
    this.#unsynced = [];
    if (process.platform === 'linux' && spawnSync('sync', ['-f', this.root], { stdio: 'ignore' }).status === 0) return;
    const dirs = new Set<string>();
    for (const path of paths) {
      fsyncPath(path);
      dirs.add(dirname(path));
    }
    for (const dir of dirs) fsyncPath(dir);
  }

  /** Leftovers of a killed write. */
  removeTemporaries(olderThanMs = 10 * 60_000): number {
    let removed = 0;
    // Young ones may belong to an import running right now in another process (the CLI).
    const cutoff = Date.now() - olderThanMs;
    for (const prefix of readdirSync(this.root)) {
      const dir = join(this.root, prefix);
      if (!statSync(dir).isDirectory()) continue;
      for (const name of readdirSync(dir)) {
        if (!name.startsWith('.tmp-')) continue;
        try {
          if (statSync(join(dir, name)).mtimeMs > cutoff) continue;
          unlinkSync(join(dir, name));
          removed++;
        } catch {
          // another process may be finishing it
        }
      }
    }
    return removed;
  }

  remove(sha256: string): void {
    try {
      unlinkSync(this.path(sha256));
    } catch {
      // already gone
    }
  }
}

function fsyncPath(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // Folders cannot be opened for fsync on Windows; the file's own fsync still holds.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function fsyncPathAsync(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // as in fsyncPath
  }
}
