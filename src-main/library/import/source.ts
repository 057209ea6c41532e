// What a dropped folder or archive contains: a flat list of candidate files with
// their paths relative to the drop, plus the entries refused before reading a byte
// (symlink loops, links leading outside, sockets, unsafe archive paths).
//
// Directory entries are read as Buffers so that names that are not valid UTF-8 still
// open; they are shown to people with replacement characters.
import { readFileSync } from 'node:fs';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';

export interface SourceFile {
  /** Path relative to the dropped folder, '/'-separated, as shown to people. */
  path: string;
  /** The folders of `path`, outermost first (no file name). */
  folders: string[];
  /** The file name, as shown to people. */
  name: string;
  read(): Promise<Buffer>;
}

export interface Rejection {
  path: string;
  reason: string;
}

export interface Source {
  /** What was dropped, for the import log. */
  description: string;
  files: SourceFile[];
  rejected: Rejection[];
  close(): Promise<void>;
}

/** Archive entries above this are refused: a zip bomb must not fill the disk or memory. */
export const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

const SEP = Buffer.from(sep);
const show = (name: Buffer): string => name.toString('utf8');

/** Opens a folder, a .zip, or a single image file as a Source. */
export async function openSource(path: string, options: { blockingIo?: boolean } = {}): Promise<Source> {
  const readRegularFile = reader(options.blockingIo ?? false);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `${path} does not exist: check the path and try again.`
        : `Cannot read ${path} (${code ?? (error as Error).message}): check its permissions.`,
      { cause: error },
    );
  }
  if (info.isDirectory()) return scanFolder(path, readRegularFile);
  if (info.isFile() && /\.zip$/i.test(path)) return scanZip(path);
  if (info.isFile()) {
    const name = basename(path);
    return {
      description: path,
      files: [{ path: name, folders: [], name, read: () => readRegularFile(Buffer.from(path)) }],
      rejected: [],
      close: async () => {},
    };
  }
  throw new Error(`${path} is neither a folder, a .zip nor a file: drop a folder of images or a .zip archive.`);
}

/**
 * Reads a file the scan found to be regular (never a FIFO, which would block).
 * With `blocking`, synchronously (less CPU per small file, but the event loop waits);
 * otherwise through the libuv pool (see ImportOptions.blockingIo).
 */
function reader(blocking: boolean): (path: Buffer) => Promise<Buffer> {
  if (!blocking) return (path) => readFile(path);
  return (path) => {
    try {
      return Promise.resolve(readFileSync(path));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
}

/** A folder of the walk, shared by the files in it. */
interface Folder {
  path: Buffer;
  shown: string[];
}

/**
 * A file found in a folder, kept small (a 60,000-file drop is listed before it is
 * imported): its folder is shared, its name is kept as a latin1 string (one byte per
 * byte, so names that are not UTF-8 survive exactly), and everything else is derived.
 */
class FolderFile implements SourceFile {
  readonly #folder: Folder;
  readonly #raw: string;
  readonly #read: (path: Buffer) => Promise<Buffer>;
  constructor(folder: Folder, name: Buffer, read: (path: Buffer) => Promise<Buffer>) {
    this.#folder = folder;
    this.#raw = name.toString('latin1');
    this.#read = read;
  }
  get name(): string {
    return show(Buffer.from(this.#raw, 'latin1'));
  }
  get folders(): string[] {
    return this.#folder.shown;
  }
  get path(): string {
    return [...this.#folder.shown, this.name].join('/');
  }
  read(): Promise<Buffer> {
    return this.#read(Buffer.concat([this.#folder.path, SEP, Buffer.from(this.#raw, 'latin1')]));
  }
}

async function scanFolder(root: string, readRegularFile: (path: Buffer) => Promise<Buffer>): Promise<Source> {
  const files: SourceFile[] = [];
  const rejected: Rejection[] = [];
  const rootReal = await realpath(root);
  const rootRealBuf = Buffer.from(rootReal);
  const inside = (real: string) =>
    real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);

  // `shown` are the display segments; `chain` the real paths of the folders we are in (loop check).
  async function walk(dir: Buffer, shown: string[], chain: Set<string>): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      rejected.push({
        path: shown.join('/') || '.',
        reason: `folder cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      });
      return;
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    const folder: Folder = { path: dir, shown };
    for (const entry of entries) {
      const full = Buffer.concat([dir, SEP, entry.name]);
      const name = show(entry.name);
      const rel = [...shown, name].join('/');
      if (entry.isSymbolicLink()) {
        let real: string;
        try {
          real = await realpath(full, { encoding: 'buffer' }).then(show);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          rejected.push({
            path: rel,
            reason:
              code === 'ELOOP'
                ? 'symbolic link loop (not followed)'
                : code === 'ENOENT'
                  ? 'broken symbolic link: its target does not exist'
                  : `symbolic link cannot be resolved (${code})`,
          });
          continue;
        }
        if (!inside(real)) {
          rejected.push({ path: rel, reason: 'symbolic link pointing outside the dropped folder (not followed)' });
          continue;
        }
        const target = await stat(full).catch(() => undefined);
        if (target?.isDirectory()) {
          if (chain.has(real)) {
            rejected.push({
              path: rel,
              reason: 'symbolic link loop: it points to a folder that contains it (not followed)',
            });
            continue;
          }
          await walk(full, [...shown, name], new Set([...chain, real]));
          continue;
        }
        if (target?.isFile()) {
          files.push(new FolderFile(folder, entry.name, readRegularFile));
          continue;
        }
        rejected.push({ path: rel, reason: 'symbolic link to something that is not a regular file' });
        continue;
      }
      if (entry.isDirectory()) {
        const real = await realpath(full, { encoding: 'buffer' }).then(show, () => rel);
        await walk(full, [...shown, name], new Set([...chain, real]));
      } else if (entry.isFile() && /\.zip$/i.test(name)) {
        const nested = await nestedZip(full, rel, shown, name);
        files.push(...nested.files);
        rejected.push(...nested.rejected);
        if (nested.zip) archives.push(nested.zip);
      } else if (entry.isFile()) {
        files.push(new FolderFile(folder, entry.name, readRegularFile));
      } else {
        rejected.push({ path: rel, reason: 'not a regular file (device, socket or pipe)' });
      }
    }
  }

  const archives: yauzl.ZipFile[] = [];
  await walk(rootRealBuf, [], new Set([rootReal]));
  return {
    description: root,
    files,
    rejected,
    close: async () => {
      for (const zip of archives) zip.close();
    },
  };
}

/** Why an archive entry's path is unsafe to treat as relative, or undefined when it is fine. */
export function unsafeArchivePath(path: string): string | undefined {
  if (path.includes('\0')) return 'its name contains a NUL byte';
  if (/^[/\\]/.test(path) || /^[A-Za-z]:/.test(path)) return 'absolute path in the archive';
  const parts = path.split(/[/\\]/);
  if (parts.includes('..')) return 'path leads outside the archive ("..")';
  return undefined;
}

/** Splits an archive path into display segments (empty and "." parts dropped). */
export function archiveSegments(path: string): string[] {
  return path.split(/[/\\]/).filter((p) => p !== '' && p !== '.');
}

/** Archives up to this size are read into memory once: entries then cost no file I/O each. */
export const IN_MEMORY_ZIP_BYTES = 512 * 1024 * 1024;

function openZip(path: string, bytes: Buffer | undefined): Promise<yauzl.ZipFile> {
  const options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true };
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, zip?: yauzl.ZipFile) => (error || !zip ? reject(error) : resolve(zip));
    if (bytes) yauzl.fromBuffer(bytes, options, done);
    else yauzl.open(path, options, done);
  });
}

/**
 * An entry's bytes straight from the in-memory archive: local header, then stored or
 * deflated data, checked against the central directory's size and CRC-32.
 */
export function extractEntry(zip: Buffer, entry: yauzl.Entry): Buffer {
  const at = entry.relativeOffsetOfLocalHeader;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== 0x04034b50) throw new Error('bad local header');
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > zip.length) throw new Error('entry data runs past the end of the archive');
  const data = zip.subarray(start, end);
  let bytes: Buffer;
  if (entry.compressionMethod === 0) bytes = data;
  else if (entry.compressionMethod === 8) {
    bytes = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
  } else throw new Error(`unsupported compression method ${entry.compressionMethod}`);
  if (bytes.length !== entry.uncompressedSize) throw new Error('entry size does not match the directory');
  if (crc32(bytes) !== entry.crc32) throw new Error('entry checksum (CRC-32) mismatch');
  return bytes;
}

async function scanZip(path: string): Promise<Source> {
  const size = (await stat(path)).size;
  const bytes = size <= IN_MEMORY_ZIP_BYTES ? await readFile(path) : undefined;
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path, bytes);
  } catch (error) {
    throw new Error(
      `${path} is not a readable .zip archive (${(error as Error).message}): re-create the archive or drop the folder instead.`,
      { cause: error },
    );
  }
  const { files, rejected } = await zipContents(zip, bytes, basename(path), true);
  return { description: path, files, rejected, close: async () => zip.close() };
}

/**
 * A .zip found inside a dropped folder is treated like a folder named after it
 * (`more.zip` → `more/`), so a drop may mix folders and archives. Its entries' paths
 * are shown as `<folder>/more.zip/<entry>`.
 */
async function nestedZip(
  full: Buffer,
  rel: string,
  folders: string[],
  name: string,
): Promise<{ files: SourceFile[]; rejected: Rejection[]; zip?: yauzl.ZipFile }> {
  const size = (await stat(full)).size;
  if (size > IN_MEMORY_ZIP_BYTES) {
    return {
      files: [],
      rejected: [{ path: rel, reason: 'archive inside a folder is larger than 512 MiB: drop it on its own' }],
    };
  }
  const bytes = await readFile(full);
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip('', bytes);
  } catch (error) {
    return {
      files: [],
      rejected: [{ path: rel, reason: `not a readable .zip archive (${(error as Error).message})` }],
    };
  }
  const inner = await zipContents(zip, bytes, name, false);
  const stem = name.replace(/\.zip$/i, '') || name;
  return {
    zip,
    files: inner.files.map((f) => ({ ...f, path: `${rel}/${f.path}`, folders: [...folders, stem, ...f.folders] })),
    rejected: inner.rejected.map((r) => ({ path: `${rel}/${r.path}`, reason: r.reason })),
  };
}

async function zipContents(
  zip: yauzl.ZipFile,
  bytes: Buffer | undefined,
  displayName: string,
  unwrap: boolean,
): Promise<{ files: SourceFile[]; rejected: Rejection[] }> {
  const files: SourceFile[] = [];
  const rejected: Rejection[] = [];
  const entries: Array<{ entry: yauzl.Entry; segments: string[] }> = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      const raw = entry.fileName as unknown as Buffer;
      // Bit 11 says UTF-8; many tools write UTF-8 without it, so decode as UTF-8 either way.
      const name = raw.toString('utf8');
      const problem = unsafeArchivePath(name);
      if (problem) {
        rejected.push({ path: name, reason: `${problem} (not extracted)` });
      } else if (!name.endsWith('/')) {
        const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
        if (mode === 0o120000) rejected.push({ path: name, reason: 'symbolic link inside the archive (not followed)' });
        else if ((entry.generalPurposeBitFlag & 1) !== 0)
          rejected.push({ path: name, reason: 'encrypted archive entry' });
        else if (entry.uncompressedSize > MAX_ENTRY_BYTES) {
          rejected.push({
            path: name,
            reason: `archive entry too large (${entry.uncompressedSize} bytes uncompressed)`,
          });
        } else entries.push({ entry, segments: archiveSegments(name) });
      }
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  }).catch((error: unknown) => {
    rejected.push({
      path: displayName,
      reason: `archive is damaged after some entries (${(error as Error).message})`,
    });
  });

  // A dropped zip of a folder wraps everything in that folder: look inside it, as if
  // the folder itself had been dropped. (Inside a folder the archive's name already
  // stands for that folder, so nothing is unwrapped there.)
  const tops = new Set(entries.map((e) => (e.segments.length > 1 ? e.segments[0] : '')));
  const strip = unwrap && tops.size === 1 && !tops.has('') ? 1 : 0;
  for (const { entry, segments } of entries) {
    const kept = segments.slice(strip);
    if (kept.length === 0) continue;
    files.push({
      path: kept.join('/'),
      folders: kept.slice(0, -1),
      name: kept.at(-1)!,
      read: bytes
        ? () => {
            try {
              return Promise.resolve(extractEntry(bytes, entry));
            } catch (error) {
              return Promise.reject(new Error(`damaged archive entry: ${(error as Error).message}`));
            }
          }
        : () => readZipEntry(zip, entry),
    });
  }
  return { files, rejected };
}

function readZipEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(error);
      const chunks: Buffer[] = [];
      (stream as Readable).on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
      stream.on('error', reject);
    });
  });
}

/**
 * Where a web-mode upload really starts: the browser sends paths relative to what was
 * dropped, so one dropped folder arrives as `<upload>/<folder>/...` and one dropped
 * archive as `<upload>/<name>.zip`. Importing that single entry makes labels, dataset
 * names and rejected paths come out as they do when the same thing is dropped in
 * Electron or given to the CLI.
 */
export async function uploadRoot(folder: string): Promise<string> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  if (entries.length !== 1) return folder;
  const only = entries[0]!;
  if (only.isDirectory() || (only.isFile() && /\.zip$/i.test(only.name))) return join(folder, only.name);
  return folder;
}
