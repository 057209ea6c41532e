// Which label each file gets: from a manifest (CSV/JSON mapping file → label) when
// the drop has one at its top, otherwise from the folder the file sits in (the
// ImageFolder convention), or none for files at the top of a flat folder.
import { parse as parseCsv } from 'csv-parse/sync';
import type { Rejection, SourceFile } from './source.ts';

export type LabelFrom = 'leaf' | 'path';

export interface Assignment {
  file: SourceFile;
  label: string | null;
}

export interface Layout {
  kind: 'folders' | 'flat' | 'manifest';
  /** The manifest file's path, when kind is 'manifest'. */
  manifest?: string;
  assignments: Assignment[];
  rejected: Rejection[];
}

const MANIFEST_NAME = /^(labels|manifest|annotations|classes|metadata|dataset)\.(csv|json)$/i;
const FILE_KEYS = ['file', 'filename', 'file_name', 'path', 'image', 'img', 'name', 'filepath', 'image_path'];
const LABEL_KEYS = ['label', 'class', 'category', 'class_name', 'classname', 'target', 'y'];

/** The manifest candidate at the drop's top: a well-known name, or the only .csv/.json there. */
export function findManifest(files: SourceFile[]): SourceFile | undefined {
  const top = files.filter((f) => f.folders.length === 0 && /\.(csv|json)$/i.test(f.name));
  return top.find((f) => MANIFEST_NAME.test(f.name)) ?? (top.length === 1 ? top[0] : undefined);
}

/** Parses a manifest into (relative path, label) pairs; throws with a message naming the fix. */
export function parseManifest(name: string, text: string): Array<{ file: string; label: string | null }> {
  const clean = text.replace(/^\uFEFF/, '');
  if (/\.json$/i.test(name)) {
    let data: unknown;
    try {
      data = JSON.parse(clean);
    } catch (error) {
      throw new Error(`${name} is not valid JSON (${(error as Error).message})`, { cause: error });
    }
    if (Array.isArray(data)) {
      return data.map((row, i) => {
        if (typeof row !== 'object' || row === null) throw new Error(`${name}: entry ${i} is not an object`);
        const rec = row as Record<string, unknown>;
        const fileKey = Object.keys(rec).find((k) => FILE_KEYS.includes(k.toLowerCase()));
        const labelKey = Object.keys(rec).find((k) => LABEL_KEYS.includes(k.toLowerCase()));
        if (!fileKey)
          throw new Error(`${name}: entry ${i} has no "file" field (expected one of ${FILE_KEYS.join(', ')})`);
        const label = labelKey === undefined ? null : rec[labelKey];
        return { file: String(rec[fileKey]), label: label === null || label === '' ? null : String(label) };
      });
    }
    if (typeof data === 'object' && data !== null) {
      return Object.entries(data as Record<string, unknown>).map(([file, label]) => ({
        file,
        label: label === null || label === '' ? null : String(label),
      }));
    }
    throw new Error(`${name}: expected {"file": "label", ...} or [{"file": ..., "label": ...}, ...]`);
  }
  let rows: string[][];
  try {
    rows = parseCsv(clean, { relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (error) {
    throw new Error(`${name} is not valid CSV (${(error as Error).message})`, { cause: error });
  }
  if (rows.length === 0) return [];
  const header = rows[0]!.map((c) => c.toLowerCase());
  let fileCol = header.findIndex((c) => FILE_KEYS.includes(c));
  let labelCol = header.findIndex((c) => LABEL_KEYS.includes(c));
  let body = rows.slice(1);
  if (fileCol < 0) {
    // No header: the first column is the file, the second the label.
    fileCol = 0;
    labelCol = 1;
    body = rows;
  }
  return body
    .filter((r) => (r[fileCol] ?? '') !== '')
    .map((r) => {
      const label = labelCol >= 0 ? (r[labelCol] ?? '') : '';
      return { file: r[fileCol]!, label: label === '' ? null : label };
    });
}

const normalise = (p: string) =>
  p
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');

/**
 * Decides every file's label. With a manifest, files it lists get its label (matched by
 * relative path, or by file name when that is unique), files it does not list are
 * imported unlabelled, and entries naming missing files are rejected.
 */
export async function resolveLayout(files: SourceFile[], labelFrom: LabelFrom = 'leaf'): Promise<Layout> {
  const manifestFile = findManifest(files);
  if (manifestFile) {
    const text = (await manifestFile.read()).toString('utf8');
    const entries = parseManifest(manifestFile.path, text);
    const rest = files.filter((f) => f !== manifestFile);
    const byPath = new Map(rest.map((f) => [f.path, f]));
    const byName = new Map<string, SourceFile | null>();
    for (const f of rest) byName.set(f.name, byName.has(f.name) ? null : f);
    const labelOf = new Map<SourceFile, string | null>();
    const rejected: Rejection[] = [];
    for (const entry of entries) {
      const key = normalise(entry.file);
      const file = byPath.get(key) ?? byName.get(key.split('/').at(-1)!) ?? undefined;
      if (!file) {
        rejected.push({ path: key, reason: `listed in ${manifestFile.path} but not found in the dropped files` });
        continue;
      }
      labelOf.set(file, entry.label?.trim() || null);
    }
    return {
      kind: 'manifest',
      manifest: manifestFile.path,
      assignments: rest.map((file) => ({ file, label: labelOf.get(file) ?? null })),
      rejected,
    };
  }
  const nested = files.some((f) => f.folders.length > 0);
  return {
    kind: nested ? 'folders' : 'flat',
    assignments: files.map((file) => ({ file, label: labelFromFolders(file.folders, labelFrom) })),
    rejected: [],
  };
}

export function labelFromFolders(folders: string[], labelFrom: LabelFrom): string | null {
  if (folders.length === 0) return null;
  return labelFrom === 'path' ? folders.join('/') : folders.at(-1)!;
}
