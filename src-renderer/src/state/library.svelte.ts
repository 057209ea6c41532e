// The Library view's state: which dataset, its labels and counts, what the grid shows
// (view, search, sort), undo/redo, and the labelling actions. Every action is saved by
// the server at once; the server then announces `library-changed`, which refreshes
// counts and the grid here (and in every other window).
import {
  libraryApi,
  type DatasetSummary,
  type HistoryState,
  type LabelWithCount,
  type LibraryCounts,
} from './library-api.ts';
import { selection, type SelectionTarget } from './library-selection.svelte.ts';
import { ImageWindow } from './library-window.svelte.ts';
import { notices } from './notices.svelte.ts';
import type { ImageFilter, ImageQuery, ImageSort, View } from '../views/library/types.ts';

const LAST_DATASET = 'cgan-studio.library.dataset';

const NO_HISTORY: HistoryState = { canUndo: false, canRedo: false, undoSummary: null, redoSummary: null };
const NO_COUNTS: LibraryCounts = { images: 0, unlabelled: 0, excluded: 0, rejected: 0 };

function plural(n: number, word: string): string {
  return `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;
}

class LibraryState {
  datasets = $state<DatasetSummary[]>([]);
  /** False until the first dataset list arrived (so the empty state does not flash). */
  loaded = $state(false);
  datasetId = $state<number | null>(null);
  labels = $state<LabelWithCount[]>([]);
  counts = $state<LibraryCounts>(NO_COUNTS);
  history = $state<HistoryState>(NO_HISTORY);

  view = $state<View>({ kind: 'all' });
  search = $state('');
  sort = $state<ImageSort>('imported');
  descending = $state(false);
  /** Keyboard focus in the grid (an index into the current query). */
  cursor = $state<number | null>(null);
  /** The image whose details are shown. */
  detailId = $state<number | null>(null);
  busy = $state(false);

  /** The latest labelling feedback toast: the next one replaces it instead of stacking up. */
  #feedback: number | null = null;

  readonly images = new ImageWindow((query, offset, limit) => libraryApi.page(query, offset, limit));

  readonly current = $derived(this.datasets.find((d) => d.id === this.datasetId) ?? null);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- rebuilt whole by $derived, never mutated
  readonly labelById = $derived(new Map(this.labels.map((l) => [l.id, l])));

  readonly filter: ImageFilter = $derived.by(() => {
    const search = this.search.trim() || undefined;
    switch (this.view.kind) {
      case 'label':
        return { labelId: this.view.labelId, search };
      case 'unlabelled':
        return { unlabelled: true, search };
      case 'excluded':
        return { excluded: true, search };
      default:
        return { search };
    }
  });

  readonly query: ImageQuery | null = $derived(
    this.datasetId === null
      ? null
      : { datasetId: this.datasetId, ...this.filter, sort: this.sort, descending: this.descending },
  );

  async loadDatasets(): Promise<void> {
    try {
      this.datasets = await libraryApi.datasets();
    } catch (error) {
      notices.error(error);
      return;
    } finally {
      this.loaded = true;
    }
    if (this.datasetId === null || !this.datasets.some((d) => d.id === this.datasetId)) {
      const remembered = Number(localStorage.getItem(LAST_DATASET));
      const pick = this.datasets.find((d) => d.id === remembered) ?? this.datasets[0];
      this.open(pick?.id ?? null);
    }
  }

  open(datasetId: number | null): void {
    if (datasetId === this.datasetId) return;
    this.datasetId = datasetId;
    this.view = { kind: 'all' };
    this.search = '';
    this.cursor = null;
    this.detailId = null;
    this.labels = [];
    this.counts = NO_COUNTS;
    this.history = NO_HISTORY;
    selection.clear();
    if (datasetId !== null) {
      localStorage.setItem(LAST_DATASET, String(datasetId));
      void this.loadLabels();
    }
  }

  async loadLabels(): Promise<void> {
    const id = this.datasetId;
    if (id === null) return;
    try {
      const [{ labels, counts }, history] = await Promise.all([libraryApi.labels(id), libraryApi.history(id)]);
      if (id !== this.datasetId) return;
      this.labels = labels;
      this.counts = counts;
      this.history = history;
      // A label filter whose label was deleted or merged away falls back to everything.
      if (this.view.kind === 'label' && !labels.some((l) => this.view.kind === 'label' && l.id === this.view.labelId)) {
        this.view = { kind: 'all' };
      }
    } catch (error) {
      notices.error(error);
    }
  }

  /** After any change in the library (here, another window, the CLI). */
  async changed(datasetId: number | null): Promise<void> {
    await this.loadDatasets();
    if (datasetId === null || datasetId === this.datasetId) {
      await this.loadLabels();
      this.images.refresh();
    }
  }

  setView(view: View): void {
    this.view = view;
    this.cursor = null;
  }

  #say(level: 'info' | 'success', message: string, timeoutMs = 2500): void {
    if (this.#feedback !== null) notices.dismiss(this.#feedback);
    this.#feedback = notices.push(level, message, timeoutMs);
  }

  /** Runs one labelling action with the busy flag and a toast on failure. */
  async #act<T>(what: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    try {
      return await what();
    } catch (error) {
      notices.error(error);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  #target(): { datasetId: number; target: SelectionTarget; query: ImageQuery } | null {
    if (this.datasetId === null || !this.query || selection.empty) return null;
    return { datasetId: this.datasetId, target: selection.target(), query: this.query };
  }

  /** Views the action can move images out of: the selection would point at hidden images. */
  #leavesView(): boolean {
    return this.view.kind !== 'all';
  }

  async assign(labelId: number | null): Promise<void> {
    const t = this.#target();
    if (!t) {
      this.#say('info', 'Select images first: click, shift-click, drag a rectangle or press Ctrl+A.', 4000);
      return;
    }
    const label = labelId === null ? null : this.labelById.get(labelId);
    const result = await this.#act(() => libraryApi.assign(t.datasetId, t.query, t.target, labelId));
    if (result === undefined) return;
    if (this.#leavesView()) selection.clear();
    this.#say(
      'success',
      result.changed === 0
        ? 'Nothing changed: those images already had that label.'
        : label
          ? `Labelled ${plural(result.changed, 'image')} “${label.name}”.`
          : `Removed the label of ${plural(result.changed, 'image')}.`,
    );
  }

  /** E: excludes the selection, or includes it again when all of it is excluded already. */
  async toggleExcluded(): Promise<void> {
    const t = this.#target();
    if (!t) {
      this.#say('info', 'Select images first, then press E to exclude them from training.', 4000);
      return;
    }
    const exclude = !this.#selectionAllExcluded();
    const result = await this.#act(() => libraryApi.exclude(t.datasetId, t.query, t.target, exclude));
    if (result === undefined) return;
    if (this.#leavesView()) selection.clear();
    this.#say(
      'success',
      `${exclude ? 'Excluded' : 'Included'} ${plural(result.changed, 'image')} ${exclude ? 'from' : 'in'} training.`,
    );
  }

  #selectionAllExcluded(): boolean {
    if (this.view.kind === 'excluded') return true;
    const ids = selection.ids();
    if (ids === null) return false;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- local to this call
    const wanted = new Set(ids);
    let seen = 0;
    for (let i = 0; i < this.images.total && seen < wanted.size; i++) {
      const image = this.images.peek(i);
      if (!image || !wanted.has(image.id)) continue;
      if (!image.excluded) return false;
      seen++;
    }
    return seen > 0;
  }

  async undo(): Promise<void> {
    const id = this.datasetId;
    if (id === null || !this.history.canUndo) return;
    const summary = await this.#act(() => libraryApi.undo(id));
    if (summary) this.#say('info', `Undid: ${summary}.`);
  }

  async redo(): Promise<void> {
    const id = this.datasetId;
    if (id === null || !this.history.canRedo) return;
    const summary = await this.#act(() => libraryApi.redo(id));
    if (summary) this.#say('info', `Redid: ${summary}.`);
  }

  // Labels
  async createLabel(name: string, color?: string): Promise<LabelWithCount['id'] | undefined> {
    const id = this.datasetId;
    if (id === null) return undefined;
    const label = await this.#act(() => libraryApi.createLabel(id, name, color));
    return label?.id;
  }

  async renameLabel(labelId: number, name: string): Promise<boolean> {
    const id = this.datasetId;
    if (id === null) return false;
    return (await this.#act(() => libraryApi.renameLabel(id, labelId, name))) !== undefined;
  }

  async recolourLabel(labelId: number, color: string): Promise<void> {
    const id = this.datasetId;
    if (id === null) return;
    await this.#act(() => libraryApi.recolourLabel(id, labelId, color));
  }

  async mergeLabels(sourceIds: number[], targetId: number): Promise<void> {
    const id = this.datasetId;
    if (id === null) return;
    const result = await this.#act(() => libraryApi.mergeLabels(id, sourceIds, targetId));
    const target = this.labelById.get(targetId);
    if (result && target)
      notices.push('success', `Merged into “${target.name}”: ${plural(result.moved, 'image')} moved.`);
  }

  async deleteLabel(labelId: number): Promise<void> {
    const id = this.datasetId;
    if (id === null) return;
    const label = this.labelById.get(labelId);
    const result = await this.#act(() => libraryApi.deleteLabel(id, labelId));
    if (result && label) {
      notices.push(
        'success',
        `Deleted “${label.name}”; ${plural(result.unlabelled, 'image')} became unlabelled. Ctrl+Z brings it back.`,
      );
    }
  }

  // Datasets
  async createDataset(name: string): Promise<void> {
    const dataset = await this.#act(() => libraryApi.createDataset(name));
    if (!dataset) return;
    await this.loadDatasets();
    this.open(dataset.id);
  }

  async renameDataset(datasetId: number, name: string): Promise<boolean> {
    const ok = (await this.#act(() => libraryApi.renameDataset(datasetId, name))) !== undefined;
    if (ok) await this.loadDatasets();
    return ok;
  }

  async deleteDataset(datasetId: number): Promise<void> {
    const name = this.datasets.find((d) => d.id === datasetId)?.name ?? 'the dataset';
    const ok = (await this.#act(() => libraryApi.deleteDataset(datasetId))) !== undefined;
    if (!ok) return;
    if (this.datasetId === datasetId) this.open(null);
    await this.loadDatasets();
    notices.push('success', `Deleted the dataset “${name}”. The files you imported from are untouched.`);
  }
}

export const library = new LibraryState();
export type { LibraryState };
