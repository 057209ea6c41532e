// Bringing pictures in: a drop anywhere on the window, the folder picker or the bundled
// sample. In Electron the dropped paths go straight to the importer; in web mode every
// file is first uploaded with its path relative to what was dropped (so folder names,
// and with them the labels, survive), then the upload session is imported. Progress
// and the summary arrive as events; imports run one at a time, in the order given.
import type { EventPayload, RequestInput } from '../../../src-main/api/contract/index.ts';
import type { ImportSummaryInfo } from '../../../src-main/api/contract/library.ts';
import { studio } from '../lib/api/client.ts';
import type { Drop, DroppedFile } from '../lib/drop.ts';
import { library } from './library.svelte.ts';
import { notices } from './notices.svelte.ts';

type Source = RequestInput<'dataset-import'>['source'];
type Progress = EventPayload<'import-progress'>;
type Done = EventPayload<'import-done'>;

export interface UploadProgress {
  done: number;
  total: number;
  bytes: number;
  totalBytes: number;
  etaSeconds: number | null;
}

interface PlannedImport {
  /** What the person sees: "fashion", "3 files", "the sample dataset". */
  title: string;
  dataset?: string;
  /** Web mode: files to upload first. */
  files?: DroppedFile[];
  source?: Source;
}

export interface FinishedImport {
  title: string;
  summary: ImportSummaryInfo;
}

const UPLOAD_CONCURRENCY = 6;

function sessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Dropped loose files (no folder) are added to the open dataset rather than a new one. */
function looseDataset(): string | undefined {
  return library.current?.name;
}

class Importer {
  phase = $state<'idle' | 'uploading' | 'importing'>('idle');
  title = $state('');
  /** "2 of 3" when several things were dropped. */
  step = $state<{ index: number; count: number } | null>(null);
  upload = $state<UploadProgress | null>(null);
  progress = $state<Progress | null>(null);
  /** Summaries of the imports since the summary was last closed. */
  finished = $state<FinishedImport[]>([]);
  showSummary = $state(false);
  cancelling = $state(false);

  #importId: string | null = null;
  #cancelled = false;
  #waiting = new Map<string, (done: Done) => void>();
  #early = new Map<string, Done>();

  get running(): boolean {
    return this.phase !== 'idle';
  }

  /** Subscribes to the import events. Returns the unsubscribe function. */
  listen(): () => void {
    // Imported batches are committed as they go: show them arriving, a refresh every few seconds.
    let lastRefresh = 0;
    const offProgress = studio.on('import-progress', (progress) => {
      if (progress.importId !== this.#importId) return;
      this.progress = progress;
      const now = performance.now();
      if (now - lastRefresh > 2000 && progress.imported > 0) {
        lastRefresh = now;
        void library.changed(null);
      }
    });
    const offDone = studio.on('import-done', (done) => {
      const resolve = this.#waiting.get(done.importId);
      if (resolve) resolve(done);
      else this.#early.set(done.importId, done);
    });
    return () => {
      offProgress();
      offDone();
    };
  }

  sample(): Promise<void> {
    return this.run([{ title: 'the sample dataset', source: { type: 'sample' } }]);
  }

  /** A drop anywhere on the window. */
  async fromDrop(drop: Drop): Promise<void> {
    if (this.running) {
      notices.push('warning', 'An import is already running: wait for it to finish, or cancel it first.');
      return;
    }
    if (studio.transport.kind === 'electron') {
      const planned: PlannedImport[] = [];
      for (const root of drop.roots) {
        const path = studio.transport.pathForFile(root);
        if (!path) continue;
        const isFolderOrZip = root.type === '' || /\.zip$/i.test(root.name);
        planned.push({ title: root.name, source: { type: 'path', path }, dataset: isFolderOrZip ? undefined : looseDataset() });
      }
      return this.run(planned);
    }
    this.phase = 'uploading';
    this.title = 'the dropped files';
    let files: DroppedFile[];
    try {
      files = await drop.walk();
    } catch (error) {
      this.phase = 'idle';
      notices.error(error);
      return;
    }
    this.phase = 'idle';
    return this.run([this.#webPlan(files)]);
  }

  /** The folder picker (`<input type=file webkitdirectory>`). */
  fromFileList(list: FileList | null): Promise<void> {
    const files = Array.from(list ?? []);
    if (files.length === 0) return Promise.resolve();
    if (this.running) {
      notices.push('warning', 'An import is already running: wait for it to finish, or cancel it first.');
      return Promise.resolve();
    }
    const withPaths = files.map((file) => ({ file, relativePath: file.webkitRelativePath || file.name }));
    if (studio.transport.kind === 'electron') {
      // The chosen folder on disk: the first file's path minus its path inside the folder.
      const first = withPaths[0]!;
      const full = studio.transport.pathForFile(first.file);
      if (full) {
        const inside = first.relativePath.split('/').slice(1).join('/');
        const root = full.slice(0, full.length - inside.length).replace(/[/\\]$/, '');
        return this.run([{ title: first.relativePath.split('/')[0] ?? 'folder', source: { type: 'path', path: root } }]);
      }
    }
    return this.run([this.#webPlan(withPaths)]);
  }

  #webPlan(files: DroppedFile[]): PlannedImport {
    const roots = new Set(files.map((f) => f.relativePath.split('/')[0]));
    const single = roots.size === 1 && files.some((f) => f.relativePath.includes('/')) ? [...roots][0]! : null;
    const zip = files.length === 1 && /\.zip$/i.test(files[0]!.relativePath) ? files[0]!.relativePath : null;
    return {
      title: single ?? zip ?? `${files.length.toLocaleString()} file${files.length === 1 ? '' : 's'}`,
      // One folder (or zip): a dataset named after it, like the CLI (the server would name
      // it after the upload session). Loose files: the open dataset.
      dataset: single ?? zip?.replace(/\.zip$/i, '') ?? looseDataset() ?? 'Imported images',
      files,
    };
  }

  async run(planned: PlannedImport[]): Promise<void> {
    if (planned.length === 0) return;
    if (this.running) {
      notices.push('warning', 'An import is already running: wait for it to finish, or cancel it first.');
      return;
    }
    this.#cancelled = false;
    this.cancelling = false;
    let lastDataset: number | null = null;
    try {
      for (const [index, item] of planned.entries()) {
        if (this.#cancelled) break;
        this.title = item.title;
        this.step = planned.length > 1 ? { index: index + 1, count: planned.length } : null;
        const summary = await this.#one(item);
        if (summary) {
          this.finished = [...this.finished, { title: item.title, summary }];
          lastDataset = summary.datasetId;
        }
      }
    } finally {
      this.phase = 'idle';
      this.upload = null;
      this.progress = null;
      this.step = null;
      this.#importId = null;
      this.cancelling = false;
    }
    if (lastDataset !== null) {
      await library.loadDatasets();
      library.open(lastDataset);
      await library.changed(lastDataset);
    }
    if (this.finished.length > 0) this.showSummary = true;
  }

  async #one(item: PlannedImport): Promise<ImportSummaryInfo | null> {
    let source = item.source;
    if (item.files) {
      if (item.files.length === 0) {
        notices.push('warning', `Nothing to import in ${item.title}: it holds no files.`);
        return null;
      }
      const session = sessionId();
      const uploaded = await this.#upload(session, item.files);
      if (!uploaded) {
        // What did arrive would otherwise stay in the library's upload folder.
        void studio.request('upload-discard', { session });
        if (this.#cancelled) notices.push('info', `Import of ${item.title} cancelled while uploading: nothing was imported.`);
        return null;
      }
      source = { type: 'upload', session };
    }
    if (!source) return null;
    this.phase = 'importing';
    this.progress = null;
    let importId: string;
    try {
      ({ importId } = await studio.call('dataset-import', {
        source,
        ...(item.dataset ? { dataset: item.dataset } : {}),
      }));
    } catch (error) {
      notices.error(error);
      return null;
    }
    this.#importId = importId;
    if (this.#cancelled) void studio.request('dataset-import-cancel', { importId });
    const done = await this.#doneOf(importId);
    if (done.type === 'failed') {
      notices.push('error', `Import of ${item.title} failed: ${done.message}`);
      return null;
    }
    return done.summary;
  }

  #doneOf(importId: string): Promise<Done> {
    const early = this.#early.get(importId);
    if (early) {
      this.#early.delete(importId);
      return Promise.resolve(early);
    }
    return new Promise((resolve) => {
      this.#waiting.set(importId, (done) => {
        this.#waiting.delete(importId);
        resolve(done);
      });
    });
  }

  /** Web mode: PUTs every file to the upload session, a few at a time. False when cancelled or failed. */
  async #upload(session: string, files: DroppedFile[]): Promise<boolean> {
    this.phase = 'uploading';
    const totalBytes = files.reduce((sum, f) => sum + f.file.size, 0);
    const started = performance.now();
    const state: UploadProgress = { done: 0, total: files.length, bytes: 0, totalBytes, etaSeconds: null };
    this.upload = { ...state };
    let next = 0;
    let failure: unknown = null;
    let lastPaint = 0;
    const worker = async () => {
      while (next < files.length && !this.#cancelled && failure === null) {
        const { file, relativePath } = files[next++]!;
        try {
          await studio.transport.upload(session, relativePath, file);
        } catch (error) {
          failure = new Error(`Could not upload ${relativePath}: ${error instanceof Error ? error.message : String(error)}`);
          return;
        }
        state.done++;
        state.bytes += file.size;
        const now = performance.now();
        if (now - lastPaint > 80 || state.done === state.total) {
          lastPaint = now;
          const seconds = (now - started) / 1000;
          const rate = state.bytes / Math.max(seconds, 0.001);
          state.etaSeconds = state.bytes > 0 && seconds > 0.5 ? (totalBytes - state.bytes) / rate : null;
          this.upload = { ...state };
        }
      }
    };
    await Promise.all(Array.from({ length: UPLOAD_CONCURRENCY }, worker));
    if (failure !== null) {
      notices.error(failure);
      return false;
    }
    return !this.#cancelled;
  }

  async cancel(): Promise<void> {
    this.#cancelled = true;
    this.cancelling = true;
    if (this.#importId) {
      const result = await studio.request('dataset-import-cancel', { importId: this.#importId });
      if (!result.ok) notices.push('error', result.error.message);
    }
  }

  closeSummary(): void {
    this.showSummary = false;
    this.finished = [];
  }
}

export const importer = new Importer();
