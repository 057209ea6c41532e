// The Train view's state: the run history, the opened run (kept live by the run events),
// the start form's draft and the comparison. Lives for the whole window, not just while
// the Train view shows, so a run that dies is announced wherever the person is, and
// closing the window while a run trains asks first.
import type { RequestInput, RequestOutput } from '../../../src-main/api/contract/index.ts';
import type { RunOverrides, RunStatusName, RunSummary } from '../../../src-main/api/contract/runs.ts';
import { studio } from '../lib/api/client.ts';
import { notices } from './notices.svelte.ts';
import { RunDetail } from './runs-detail.svelte.ts';

const LAST_RUN = 'cgan-studio.train.run';
const ACTIVE: readonly RunStatusName[] = ['starting', 'training', 'paused'];

export type RunPlan = RequestOutput<'run-plan'>;
export type StartInput = RequestInput<'run-start'>;
export type Panel = 'run' | 'new' | 'compare';

/** What the start form opens with: empty, or a finished run's settings ("Duplicate config"). */
export interface StartDraft {
  datasetId: number | null;
  config: RunOverrides;
  epochs?: number;
  steps?: number;
  /** Name of the run it was copied from. */
  from?: string;
}

export function isActive(status: RunStatusName): boolean {
  return ACTIVE.includes(status);
}

/** Config keys a person may set when starting a run (the contract's overrides). */
const OVERRIDE_KEYS = [
  'imageSize',
  'channels',
  'latentDim',
  'generatorWidth',
  'discriminatorWidth',
  'batchSize',
  'generatorLearningRate',
  'discriminatorLearningRate',
  'beta1',
  'emaDecay',
  'augment',
  'realLabel',
  'classBalanced',
  'seed',
  'progressInterval',
  'sampleInterval',
  'checkpointInterval',
] as const satisfies readonly (keyof RunOverrides)[];

function overridesOf(config: Record<string, unknown>): RunOverrides {
  const out: Record<string, unknown> = {};
  for (const key of OVERRIDE_KEYS) if (config[key] !== undefined) out[key] = config[key];
  return out as RunOverrides;
}

class Runs {
  list = $state<RunSummary[]>([]);
  loaded = $state(false);
  selectedId = $state<string | null>(null);
  panel = $state<Panel>('run');
  detail = $state<RunDetail | null>(null);
  draft = $state<StartDraft>({ datasetId: null, config: {} });
  /** Bumped when a new draft replaces the form's fields. */
  draftVersion = $state(0);
  compare = $state<[string | null, string | null]>([null, null]);
  /** Runs with a request in flight (buttons disable while it runs). */
  busy = $state<Record<string, string>>({});

  readonly training = $derived(this.list.filter((r) => isActive(r.status)));
  readonly selected = $derived(this.list.find((r) => r.id === this.selectedId) ?? null);

  async load(): Promise<void> {
    try {
      this.list = await studio.call('run-list', {});
    } catch (error) {
      notices.error(error);
      return;
    } finally {
      this.loaded = true;
    }
    if (this.selectedId === null || !this.list.some((r) => r.id === this.selectedId)) {
      const remembered = localStorage.getItem(LAST_RUN);
      const pick = this.list.find((r) => r.id === remembered) ?? this.training[0] ?? this.list[0];
      if (pick) await this.open(pick.id);
      else this.selectedId = null;
    } else if (this.detail) {
      await this.open(this.detail.id);
    }
  }

  /**
   * Hands a run event to the opened run. Events that arrive while that run's history is
   * still being read are kept and replayed on it, so no point falls between the two.
   * Returns whether the opened (or opening) run took it.
   */
  #toDetail(runId: string, apply: (detail: RunDetail) => void): boolean {
    if (this.#opening?.id === runId) this.#opening.pending.push(apply);
    else if (this.detail?.id === runId) apply(this.detail);
    else return false;
    return true;
  }

  #opening: { id: string; pending: Array<(detail: RunDetail) => void> } | null = null;

  async open(runId: string): Promise<void> {
    this.selectedId = runId;
    this.panel = 'run';
    localStorage.setItem(LAST_RUN, runId);
    const opening = { id: runId, pending: [] as Array<(detail: RunDetail) => void> };
    this.#opening = opening;
    try {
      const data = await studio.call('run-get', { runId });
      if (this.selectedId !== runId || this.#opening !== opening) return;
      const detail = new RunDetail(data);
      for (const apply of opening.pending) apply(detail);
      this.detail = detail;
      void this.detail.loadLabels();
    } catch (error) {
      notices.error(error);
    } finally {
      if (this.#opening === opening) this.#opening = null;
    }
  }

  newRun(draft: StartDraft = { datasetId: this.draft.datasetId, config: {} }): void {
    this.draft = draft;
    this.draftVersion++;
    this.panel = 'new';
  }

  duplicate(run: RunSummary): void {
    const steps = run.totalSteps > 0 ? run.totalSteps : undefined;
    this.newRun({ datasetId: run.datasetId, config: overridesOf(run.config), steps, from: run.name });
  }

  openCompare(a: string | null = this.selectedId, b?: string | null): void {
    const other = b ?? this.list.find((r) => r.id !== a)?.id ?? null;
    this.compare = [a, other];
    this.panel = 'compare';
  }

  #upsert(summary: RunSummary): RunStatusName | null {
    const index = this.list.findIndex((r) => r.id === summary.id);
    const before = index >= 0 ? this.list[index].status : null;
    if (index >= 0) this.list[index] = summary;
    else this.list = [summary, ...this.list].sort((a, b) => b.createdAt - a.createdAt);
    if (this.detail?.id === summary.id) this.detail.run = summary;
    return before;
  }

  #patch(runId: string, changes: Partial<RunSummary>): void {
    const index = this.list.findIndex((r) => r.id === runId);
    if (index >= 0) this.list[index] = { ...this.list[index], ...changes };
  }

  /** Subscribes to the run events and guards the window's close. Returns the unsubscribe function. */
  listen(): () => void {
    const offs = [
      studio.on('run-status', (summary) => {
        const before = this.#upsert(summary);
        if (before === summary.status) return;
        if (summary.status === 'interrupted') {
          notices.push(
            'warning',
            `"${summary.name}" was interrupted: ${summary.statusReason ?? 'the trainer stopped'}.`,
            10_000,
          );
        } else if (summary.status === 'failed' && before !== null) {
          notices.push('error', `"${summary.name}" failed: ${summary.statusReason ?? 'unknown error'}`);
        } else if (summary.status === 'done' && before !== null) {
          notices.push('success', `"${summary.name}" finished ${summary.lastStep.toLocaleString()} steps.`);
        }
      }),
      studio.on('run-progress', (event) => {
        this.#patch(event.runId, { lastStep: event.step, totalSteps: event.totalSteps });
        this.#toDetail(event.runId, (d) => d.addProgress(event));
      }),
      studio.on('run-sample-grid', ({ runId, step, path }) => {
        this.#patch(runId, { thumbnail: path });
        this.#toDetail(runId, (d) => d.addGrid({ step, path }));
      }),
      studio.on('run-checkpoint', ({ runId, step }) => {
        this.#patch(runId, { lastCheckpointStep: step });
        this.#toDetail(runId, (d) => d.addCheckpoint(step));
      }),
      studio.on('run-warning', ({ runId, step, message }) => {
        if (!this.#toDetail(runId, (d) => d.addWarning({ step, message })))
          notices.push('warning', `${this.list.find((r) => r.id === runId)?.name ?? runId}: ${message}`);
      }),
      studio.on('run-evaluation', ({ runId, ...evaluation }) => {
        this.#toDetail(runId, (d) => d.addEvaluation(evaluation));
      }),
      // Events missed while the connection was down: read the history again.
      studio.transport.onStatus((connected) => {
        if (connected) void this.load();
      }),
    ];
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (this.training.length === 0) return;
      event.preventDefault();
      // Older Chromium (and Electron) need returnValue set to show the prompt.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      for (const off of offs) off();
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }

  async #act<T>(runId: string, what: string, fn: () => Promise<T>): Promise<T | null> {
    if (this.busy[runId]) return null;
    this.busy[runId] = what;
    try {
      return await fn();
    } catch (error) {
      notices.error(error);
      return null;
    } finally {
      delete this.busy[runId];
    }
  }

  async #summary(runId: string, what: string, fn: () => Promise<RunSummary>): Promise<boolean> {
    const summary = await this.#act(runId, what, fn);
    if (summary) this.#upsert(summary);
    return summary !== null;
  }

  async start(input: StartInput): Promise<boolean> {
    try {
      const summary = await studio.call('run-start', input);
      this.#upsert(summary);
      await this.open(summary.id);
      return true;
    } catch (error) {
      notices.error(error);
      return false;
    }
  }

  pause = (runId: string) => this.#summary(runId, 'pausing', () => studio.call('run-pause', { runId }));
  resume = (runId: string) => this.#summary(runId, 'resuming', () => studio.call('run-resume', { runId }));
  stop = (runId: string) => this.#summary(runId, 'stopping', () => studio.call('run-stop', { runId }));
  continueRun = (runId: string, force = false) =>
    this.#summary(runId, 'continuing', () => studio.call('run-continue', { runId, force }));

  async togglePause(run: RunSummary): Promise<void> {
    if (run.status === 'training') await this.pause(run.id);
    else if (run.status === 'paused') await this.resume(run.id);
  }

  async checkpoint(runId: string): Promise<void> {
    const result = await this.#act(runId, 'saving', () => studio.call('run-checkpoint', { runId }));
    if (result) notices.push('success', `Checkpoint saved at step ${result.step.toLocaleString()}.`);
  }

  setSampleInterval = (runId: string, steps: number) =>
    this.#summary(runId, 'saving', () => studio.call('run-set-sample-interval', { runId, steps }));

  async rename(runId: string, name: string): Promise<boolean> {
    try {
      this.#upsert(await studio.call('run-rename', { runId, name }));
      return true;
    } catch (error) {
      notices.error(error);
      return false;
    }
  }

  async remove(runId: string): Promise<void> {
    const done = await this.#act(runId, 'deleting', () => studio.call('run-delete', { runId }));
    if (!done) return;
    this.list = this.list.filter((r) => r.id !== runId);
    if (this.selectedId === runId) {
      this.selectedId = null;
      this.detail = null;
      localStorage.removeItem(LAST_RUN);
      const next = this.list[0];
      if (next) await this.open(next.id);
    }
    this.compare = this.compare.map((id) => (id === runId ? null : id)) as [string | null, string | null];
  }

  async evaluate(runId: string, checkpoint?: number): Promise<void> {
    const evaluation = await this.#act(runId, 'evaluating', () => studio.call('run-evaluate', { runId, checkpoint }));
    if (evaluation && this.detail?.id === runId) this.detail.addEvaluation(evaluation);
  }
}

export const runs = new Runs();
