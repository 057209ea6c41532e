// Export a dataset back to the ImageFolder layout (one folder per label) so that
// other tools (torchvision, Keras, ...) can read it. The blobs are copied byte for
// byte: export is lossless, and alpha stays as it was imported.
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { LibraryError } from './errors.ts';
import type { Library } from './library.ts';

export interface ExportOptions {
  /** Also write excluded images (default: no, like training). */
  includeExcluded?: boolean;
  /** Write unlabelled images into a folder of this name (default: leave them out). */
  unlabelledFolder?: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface ExportSummary {
  dataset: string;
  dir: string;
  written: number;
  labels: Record<string, number>;
  skipped: { unlabelled: number; excluded: number };
  cancelled: boolean;
}

const EXTENSIONS: Record<string, string[]> = {
  png: ['.png'],
  jpeg: ['.jpg', '.jpeg', '.jpe', '.jfif'],
  webp: ['.webp'],
  gif: ['.gif'],
  bmp: ['.bmp', '.dib'],
  tiff: ['.tif', '.tiff'],
};
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

/**
 * One path segment that is safe on Windows, macOS and Linux: no separators, no
 * characters Windows forbids, no control characters, no "." / "..", no reserved
 * device names, no trailing dot or space, at most 200 bytes of UTF-8.
 */
export function safeSegment(name: string, fallback = 'unnamed'): string {
  let s = name
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are what must go
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*\ufffd]/g, '_')
    .replace(/[. ]+$/, '')
    .trim();
  if (s === '' || s === '.' || s === '..') s = fallback;
  if (WINDOWS_RESERVED.test(s.split('.')[0]!)) s = `_${s}`;
  while (Buffer.byteLength(s) > 200) s = s.slice(0, -1);
  return s;
}

/** A label as a relative folder path: "animals/cat" (kept-path labels) becomes nested folders. */
export function labelFolder(label: string): string[] {
  const parts = label.split('/').map((p) => safeSegment(p, 'label'));
  return parts.length > 0 ? parts : ['label'];
}

export function exportFileName(fileName: string, format: string, sha256: string, taken: Set<string>): string {
  const ext = extname(fileName).toLowerCase();
  const known = EXTENSIONS[format] ?? [`.${format}`];
  const stem = safeSegment(known.includes(ext) ? fileName.slice(0, -ext.length) : fileName, sha256.slice(0, 12)).slice(
    0,
    150,
  );
  const suffix = known.includes(ext) ? ext : known[0]!;
  let name = `${stem}${suffix}`;
  // Same name from two source folders: keep both, told apart by their content hash.
  if (taken.has(name.toLowerCase())) name = `${stem}-${sha256.slice(0, 8)}${suffix}`;
  taken.add(name.toLowerCase());
  return name;
}

export async function exportDataset(
  library: Library,
  datasetName: string,
  dir: string,
  options: ExportOptions = {},
): Promise<ExportSummary> {
  const dataset = library.datasets.byName(datasetName);
  if (!dataset)
    throw new LibraryError('not-found', `There is no dataset "${datasetName}" in the library at ${library.dir}.`);
  const existing = await readdir(dir).catch(() => [] as string[]);
  if (existing.length > 0) {
    throw new LibraryError(
      'conflict',
      `${dir} is not empty: export into a new or empty folder so no file is overwritten.`,
    );
  }
  const labels = new Map(library.labels.list(dataset.id).map((l) => [l.id, l.name]));
  const jobs: Array<{ from: string; to: string; label: string }> = [];
  const takenByFolder = new Map<string, Set<string>>();
  const skipped = { unlabelled: 0, excluded: 0 };
  for (const row of library.images.iterate(dataset.id)) {
    if (row.excluded === 1 && !options.includeExcluded) {
      skipped.excluded++;
      continue;
    }
    const label = row.label_id === null ? undefined : labels.get(row.label_id);
    if (label === undefined && options.unlabelledFolder === undefined) {
      skipped.unlabelled++;
      continue;
    }
    const folder = label === undefined ? [safeSegment(options.unlabelledFolder!, 'unlabelled')] : labelFolder(label);
    const key = folder.join('/');
    let taken = takenByFolder.get(key);
    if (!taken) takenByFolder.set(key, (taken = new Set()));
    const blob = library.blobs.get(row.sha256)!;
    jobs.push({
      from: library.blobPath(row.sha256),
      to: join(dir, ...folder, exportFileName(row.file_name, blob.format, row.sha256, taken)),
      label: label ?? options.unlabelledFolder!,
    });
  }
  for (const key of takenByFolder.keys()) await mkdir(join(dir, ...key.split('/')), { recursive: true });
  const counts: Record<string, number> = {};
  let written = 0;
  for (const job of jobs) {
    if (options.signal?.aborted) break;
    await copyFile(job.from, job.to);
    counts[job.label] = (counts[job.label] ?? 0) + 1;
    written++;
    if (written % 500 === 0) options.onProgress?.(written, jobs.length);
  }
  options.onProgress?.(written, jobs.length);
  return { dataset: dataset.name, dir, written, labels: counts, skipped, cancelled: options.signal?.aborted ?? false };
}
