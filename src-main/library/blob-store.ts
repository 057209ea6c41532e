import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Content-addressed copies of imported files: blobs/<first two hex digits>/<sha256>.
 * A blob is written to a temporary name in its final folder and renamed into place,
 * so a file under its sha256 name is always complete; a killed import leaves at most
 * a `.tmp-*` file, which the next open removes.
 */
export class BlobStore {
  readonly root: string;
  /** fsync each blob before it is renamed into place: survives power loss, costs some speed. */
  readonly durable: boolean;

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
   * Puts the bytes in place under their hash; resolves once the file is complete.
   * Callers skip blobs the database already lists; an orphan left by a killed import
   * is simply replaced (same name, same bytes).
   */
  async write(sha256: string, bytes: Uint8Array): Promise<void> {
    const final = this.path(sha256);
    const tmp = join(this.root, sha256.slice(0, 2), `.tmp-${sha256.slice(0, 16)}-${randomBytes(4).toString('hex')}`);
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(bytes);
      if (this.durable) await handle.datasync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, final);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
  }

  /** Leftovers of a killed write. */
  removeTemporaries(): number {
    let removed = 0;
    for (const prefix of readdirSync(this.root)) {
      const dir = join(this.root, prefix);
      if (!statSync(dir).isDirectory()) continue;
      for (const name of readdirSync(dir)) {
        if (!name.startsWith('.tmp-')) continue;
        try {
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
