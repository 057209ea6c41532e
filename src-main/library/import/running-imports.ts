// Imports started from a window run in the background: each gets an id the window
// can cancel by, and reports through callbacks (the handler turns them into events).
import { randomUUID } from 'node:crypto';
import type { Library } from '../library.ts';
import { importPath, type ImportOptions, type ImportProgress, type ImportSummary } from './importer.ts';

export interface ImportCallbacks {
  onProgress(importId: string, progress: ImportProgress): void;
  onDone(importId: string, summary: ImportSummary): void;
  onFailed(importId: string, error: Error): void;
  /** After done or failed: e.g. remove a web upload folder. */
  cleanup?(): Promise<void>;
}

export class RunningImports {
  readonly #running = new Map<string, { controller: AbortController; finished: Promise<void> }>();
  readonly #library: Library;
  constructor(library: Library) {
    this.#library = library;
  }

  start(path: string, options: Omit<ImportOptions, 'signal' | 'onProgress'>, callbacks: ImportCallbacks): string {
    const importId = randomUUID();
    const controller = new AbortController();
    const finished = (async () => {
      let outcome: { summary: ImportSummary } | { error: Error };
      try {
        const summary = await importPath(this.#library, path, {
          ...options,
          signal: controller.signal,
          onProgress: (p) => callbacks.onProgress(importId, p),
        });
        outcome = { summary };
      } catch (error) {
        outcome = { error: error instanceof Error ? error : new Error(String(error)) };
      }
      this.#running.delete(importId);
      // Clean up first, so whoever hears "done" finds the upload folder already gone.
      await callbacks.cleanup?.().catch(() => undefined);
      if ('summary' in outcome) callbacks.onDone(importId, outcome.summary);
      else callbacks.onFailed(importId, outcome.error);
    })();
    this.#running.set(importId, { controller, finished });
    return importId;
  }

  cancel(importId: string): boolean {
    const job = this.#running.get(importId);
    if (!job) return false;
    job.controller.abort();
    return true;
  }

  /** Cancels everything and waits until each import has committed what it had. */
  async stopAll(): Promise<void> {
    const jobs = [...this.#running.values()];
    for (const job of jobs) job.controller.abort();
    await Promise.all(jobs.map((j) => j.finished));
  }
}
