// Turns a drop of files and folders into what the importer needs: paths on disk in
// Electron, or (web mode) every file with its path relative to the dropped item.

export interface DroppedFile {
  /** e.g. "shoes/sneaker/001.png": the dropped folder's name first, so labels survive. */
  relativePath: string;
  file: File;
}

export interface Drop {
  /** The top-level dropped files and folders, as File objects (for Electron's pathForFile). */
  roots: File[];
  /** Every file under them, walked recursively (only needed in web mode). */
  walk(): Promise<DroppedFile[]>;
}

function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries returns at most ~100 entries per call: keep reading until it returns none.
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walkEntry(entry: FileSystemEntry, prefix: string, out: DroppedFile[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ relativePath: path, file });
  } else if (entry.isDirectory) {
    const children = await readAllEntries((entry as FileSystemDirectoryEntry).createReader());
    for (const child of children) await walkEntry(child, path, out);
  }
}

/** Must be called synchronously inside the drop handler: DataTransfer items expire after it returns. */
export function readDrop(transfer: DataTransfer): Drop {
  const entries: FileSystemEntry[] = [];
  const roots: File[] = [];
  for (const item of Array.from(transfer.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry();
    if (entry) entries.push(entry);
    const file = item.getAsFile();
    if (file) roots.push(file);
  }
  return {
    roots,
    async walk() {
      const out: DroppedFile[] = [];
      for (const entry of entries) await walkEntry(entry, '', out);
      return out;
    },
  };
}

export function hasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}
