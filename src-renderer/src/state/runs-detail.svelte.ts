import type { EventPayload, RequestOutput } from '../../../src-main/api/contract/index.ts';
import type { Evaluation, ProgressPoint, RunSummary } from '../../../src-main/api/contract/runs.ts';
import { studio } from '../lib/api/client.ts';

export type RunData = RequestOutput<'run-get'>;
export interface SampleGrid {
  step: number;
  path: string;
}
export interface EngineWarning {
  step: number;
  message: string;
}

/**
 * One opened run: its history from `run-get`, then kept current by the run events.
 * Loss points are many and only charts read them, so they live in a plain array that
 * charts append from; `progressVersion` tells them (and the figures) that it grew.
 */
export class RunDetail {
  readonly id: string;
  run = $state() as RunSummary;
  /** Not reactive on purpose: read it when `progressVersion` changes. */
  readonly progress: ProgressPoint[] = [];
  progressVersion = $state(0);
  /** Counts the times `progress` lost its tail (read with `progressVersion`). */
  rewinds = 0;
  latest = $state<ProgressPoint | null>(null);
  grids = $state<SampleGrid[]>([]);
  checkpoints = $state<number[]>([]);
  warnings = $state<EngineWarning[]>([]);
  evaluations = $state<Evaluation[]>([]);
  /** The labels in sample-grid row order (from the run folder's config.json). */
  labels = $state<string[]>([]);

  constructor(data: RunData) {
    this.id = data.run.id;
    this.run = data.run;
    this.progress.push(...data.progress);
    this.latest = data.progress.at(-1) ?? null;
    this.grids = data.grids;
    this.checkpoints = data.checkpoints;
    this.warnings = data.warnings;
    this.evaluations = data.evaluations;
  }

  /** Reads the row labels once the trainer has written the run's config.json. */
  async loadLabels(): Promise<void> {
    if (this.labels.length > 0) return;
    try {
      const response = await fetch(studio.fileUrl(`run/${this.id}/config.json`));
      if (!response.ok) return;
      const manifest = (await response.json()) as { dataset?: { labels?: unknown } };
      const labels = manifest.dataset?.labels;
      if (Array.isArray(labels)) this.labels = labels.map(String);
    } catch {
      // Row labels are a nicety: the grid shows without them.
    }
  }

  addProgress(event: EventPayload<'run-progress'>): void {
    const { runId: _runId, totalSteps, ...point } = event;
    // A run resumed from a checkpoint repeats the steps after it: those points are replaced.
    if (this.progress.length && this.progress[this.progress.length - 1].step >= point.step) {
      while (this.progress.length && this.progress[this.progress.length - 1].step >= point.step) this.progress.pop();
      this.rewinds++;
    }
    this.progress.push(point);
    this.latest = point;
    this.progressVersion++;
    this.run = { ...this.run, lastStep: point.step, totalSteps };
  }

  addGrid(grid: SampleGrid): void {
    void this.loadLabels();
    this.grids = [...this.grids.filter((g) => g.step < grid.step), grid];
    this.run = { ...this.run, thumbnail: grid.path };
  }

  addCheckpoint(step: number): void {
    if (!this.checkpoints.includes(step)) this.checkpoints = [...this.checkpoints, step].sort((a, b) => a - b);
    this.run = { ...this.run, lastCheckpointStep: step };
  }

  addWarning(warning: EngineWarning): void {
    if (this.warnings.some((w) => w.step === warning.step && w.message === warning.message)) return;
    this.warnings = [...this.warnings, warning];
  }

  addEvaluation(evaluation: Evaluation): void {
    this.evaluations = [...this.evaluations.filter((e) => e.at !== evaluation.at), evaluation];
  }
}
