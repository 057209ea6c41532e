// Labelling actions with undo/redo. Every action runs in one transaction together
// with its entry in the persisted `history` table, so the log and the data can never
// disagree, and undo survives a restart (the renderer only keeps a cursor nothing).
// An entry stores what is needed to go both ways: the label rows it removed and the
// image ids grouped by their previous label, never a snapshot of the dataset.
import { LibraryError } from './errors.ts';
import type { Repositories } from './library.ts';
import type { Label } from './repositories/labels.ts';

/** Undo depth per dataset; older entries are forgotten. */
export const HISTORY_LIMIT = 200;

type Groups = Array<{ labelId: number | null; imageIds: number[] }>;

type Action =
  | { kind: 'label-create'; label: Label }
  | { kind: 'label-rename'; labelId: number; from: string; to: string }
  | { kind: 'label-recolour'; labelId: number; from: string; to: string }
  | { kind: 'label-delete'; label: Label; imageIds: number[] }
  | { kind: 'label-merge'; targetId: number; sources: Array<{ label: Label; imageIds: number[] }> }
  | { kind: 'image-assign'; labelId: number | null; previous: Groups }
  | { kind: 'image-exclude'; excluded: boolean; imageIds: number[] };

export interface HistoryState {
  canUndo: boolean;
  canRedo: boolean;
  /** What undo would revert, for the menu item ("Undo assign 12 images to cat"). */
  undoSummary: string | null;
  redoSummary: string | null;
}

const HEX_COLOUR = /^#[0-9a-f]{6}$/i;

export function cleanLabelName(name: string): string {
  const clean = name.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (clean === '') throw new LibraryError('invalid-input', 'A label needs a name.');
  if (clean.length > 100)
    throw new LibraryError('invalid-input', `Label names are at most 100 characters (this one has ${clean.length}).`);
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(clean))
    throw new LibraryError('invalid-input', 'Label names cannot contain control characters.');
  return clean;
}

function checkColour(color: string): string {
  if (!HEX_COLOUR.test(color)) throw new LibraryError('invalid-input', `"${color}" is not a colour: use #rrggbb.`);
  return color.toLowerCase();
}

export class Curation {
  readonly #repos: Repositories;
  constructor(repos: Repositories) {
    this.#repos = repos;
  }

  #label(datasetId: number, labelId: number): Label {
    const label = this.#repos.labels.get(labelId);
    if (!label || label.datasetId !== datasetId) {
      throw new LibraryError(
        'not-found',
        `There is no label ${labelId} in this dataset; it may have been deleted or merged.`,
      );
    }
    return label;
  }

  #nameFree(datasetId: number, name: string, except?: number): void {
    const existing = this.#repos.labels.byName(datasetId, name);
    if (existing && existing.id !== except) {
      throw new LibraryError(
        'conflict',
        `A label called "${name}" already exists: pick another name, or merge into it.`,
      );
    }
  }

  #record(datasetId: number, summary: string, action: Action): void {
    this.#repos.history.push(datasetId, action.kind, summary, action);
    this.#repos.history.trim(datasetId, HISTORY_LIMIT);
  }

  createLabel(datasetId: number, name: string, color?: string): Label {
    return this.#repos.transaction(() => {
      const clean = cleanLabelName(name);
      this.#nameFree(datasetId, clean);
      const label = this.#repos.labels.create(datasetId, clean, color === undefined ? undefined : checkColour(color));
      this.#record(datasetId, `create label "${clean}"`, { kind: 'label-create', label });
      return label;
    });
  }

  renameLabel(datasetId: number, labelId: number, name: string): Label {
    return this.#repos.transaction(() => {
      const label = this.#label(datasetId, labelId);
      const clean = cleanLabelName(name);
      if (clean === label.name) return label;
      this.#nameFree(datasetId, clean, labelId);
      this.#repos.labels.rename(labelId, clean);
      this.#record(datasetId, `rename "${label.name}" to "${clean}"`, {
        kind: 'label-rename',
        labelId,
        from: label.name,
        to: clean,
      });
      return { ...label, name: clean };
    });
  }

  recolourLabel(datasetId: number, labelId: number, color: string): Label {
    return this.#repos.transaction(() => {
      const label = this.#label(datasetId, labelId);
      const clean = checkColour(color);
      if (clean === label.color) return label;
      this.#repos.labels.recolour(labelId, clean);
      this.#record(datasetId, `recolour "${label.name}"`, {
        kind: 'label-recolour',
        labelId,
        from: label.color,
        to: clean,
      });
      return { ...label, color: clean };
    });
  }

  /** Deletes the label; its images become unlabelled (they are not deleted). */
  deleteLabel(datasetId: number, labelId: number): { unlabelled: number } {
    return this.#repos.transaction(() => {
      const label = this.#label(datasetId, labelId);
      const imageIds = this.#repos.images.withLabel(labelId);
      this.#repos.labels.delete(labelId);
      this.#record(datasetId, `delete label "${label.name}"`, { kind: 'label-delete', label, imageIds });
      return { unlabelled: imageIds.length };
    });
  }

  /** Moves every image of `sourceIds` to `targetId` and deletes the sources. */
  mergeLabels(datasetId: number, sourceIds: number[], targetId: number): { moved: number } {
    return this.#repos.transaction(() => {
      const target = this.#label(datasetId, targetId);
      const sources = [...new Set(sourceIds)].filter((id) => id !== targetId).map((id) => this.#label(datasetId, id));
      if (sources.length === 0)
        throw new LibraryError('invalid-input', 'Pick at least one other label to merge into this one.');
      const saved = sources.map((label) => ({ label, imageIds: this.#repos.images.withLabel(label.id) }));
      let moved = 0;
      for (const s of saved) {
        moved += this.#repos.images.moveLabel(s.label.id, targetId);
        this.#repos.labels.delete(s.label.id);
      }
      this.#record(datasetId, `merge ${sources.map((s) => `"${s.name}"`).join(', ')} into "${target.name}"`, {
        kind: 'label-merge',
        targetId,
        sources: saved,
      });
      return { moved };
    });
  }

  /** Gives every listed image the label (null: removes their label). Unknown ids are ignored. */
  assignLabel(datasetId: number, imageIds: readonly number[], labelId: number | null): { changed: number } {
    return this.#repos.transaction(() => {
      const label = labelId === null ? null : this.#label(datasetId, labelId);
      const current = this.#repos.images.labelsOf(datasetId, imageIds);
      const groups = new Map<number | null, number[]>();
      for (const row of current) {
        if (row.label_id === labelId) continue;
        let list = groups.get(row.label_id);
        if (!list) groups.set(row.label_id, (list = []));
        list.push(row.id);
      }
      const changedIds = [...groups.values()].flat();
      if (changedIds.length === 0) return { changed: 0 };
      this.#repos.images.setLabel(datasetId, changedIds, labelId);
      const what = `${changedIds.length} image${changedIds.length === 1 ? '' : 's'}`;
      this.#record(datasetId, label ? `label ${what} "${label.name}"` : `remove the label of ${what}`, {
        kind: 'image-assign',
        labelId,
        previous: [...groups].map(([id, ids]) => ({ labelId: id, imageIds: ids })),
      });
      return { changed: changedIds.length };
    });
  }

  /** Excluded images stay in the dataset but are left out of training. */
  setExcluded(datasetId: number, imageIds: readonly number[], excluded: boolean): { changed: number } {
    return this.#repos.transaction(() => {
      const changedIds = this.#repos.images
        .excludedOf(datasetId, imageIds)
        .filter((r) => (r.excluded === 1) !== excluded)
        .map((r) => r.id);
      if (changedIds.length === 0) return { changed: 0 };
      this.#repos.images.setExcluded(datasetId, changedIds, excluded);
      const what = `${changedIds.length} image${changedIds.length === 1 ? '' : 's'}`;
      this.#record(datasetId, `${excluded ? 'exclude' : 'include'} ${what}`, {
        kind: 'image-exclude',
        excluded,
        imageIds: changedIds,
      });
      return { changed: changedIds.length };
    });
  }

  history(datasetId: number): HistoryState {
    const undo = this.#repos.history.lastDone(datasetId);
    const redo = this.#repos.history.firstUndone(datasetId);
    return {
      canUndo: undo !== undefined,
      canRedo: redo !== undefined,
      undoSummary: undo?.summary ?? null,
      redoSummary: redo?.summary ?? null,
    };
  }

  /** Reverts the latest action; returns its summary, or null when there is nothing to undo. */
  undo(datasetId: number): string | null {
    return this.#repos.transaction(() => {
      const entry = this.#repos.history.lastDone(datasetId);
      if (!entry) return null;
      this.#revert(datasetId, entry.payload as Action);
      this.#repos.history.setUndone(entry.id, true);
      return entry.summary;
    });
  }

  redo(datasetId: number): string | null {
    return this.#repos.transaction(() => {
      const entry = this.#repos.history.firstUndone(datasetId);
      if (!entry) return null;
      this.#apply(datasetId, entry.payload as Action);
      this.#repos.history.setUndone(entry.id, false);
      return entry.summary;
    });
  }

  /** Puts a label back under its old id, unless its name was taken meanwhile (an import can do that). */
  #restore(label: Label): void {
    const clash = this.#repos.labels.byName(label.datasetId, label.name);
    if (clash) {
      throw new LibraryError(
        'conflict',
        `Cannot bring back the label "${label.name}": a label of that name exists again. Rename or merge that one first.`,
      );
    }
    this.#repos.labels.restore(label);
  }

  #apply(datasetId: number, action: Action): void {
    const { labels, images } = this.#repos;
    switch (action.kind) {
      case 'label-create':
        this.#restore(action.label);
        return;
      case 'label-rename':
        labels.rename(action.labelId, action.to);
        return;
      case 'label-recolour':
        labels.recolour(action.labelId, action.to);
        return;
      case 'label-delete':
        labels.delete(action.label.id);
        return;
      case 'label-merge':
        for (const s of action.sources) {
          images.setLabel(datasetId, s.imageIds, action.targetId);
          labels.delete(s.label.id);
        }
        return;
      case 'image-assign':
        images.setLabel(
          datasetId,
          action.previous.flatMap((g) => g.imageIds),
          action.labelId,
        );
        return;
      case 'image-exclude':
        images.setExcluded(datasetId, action.imageIds, action.excluded);
        return;
    }
  }

  #revert(datasetId: number, action: Action): void {
    const { labels, images } = this.#repos;
    switch (action.kind) {
      case 'label-create':
        // Images labelled with it since were labelled by later actions, already undone.
        labels.delete(action.label.id);
        return;
      case 'label-rename':
        labels.rename(action.labelId, action.from);
        return;
      case 'label-recolour':
        labels.recolour(action.labelId, action.from);
        return;
      case 'label-delete':
        this.#restore(action.label);
        images.setLabel(datasetId, action.imageIds, action.label.id);
        return;
      case 'label-merge':
        for (const s of action.sources) {
          this.#restore(s.label);
          images.setLabel(datasetId, s.imageIds, s.label.id);
        }
        return;
      case 'image-assign':
        for (const g of action.previous) images.setLabel(datasetId, g.imageIds, g.labelId);
        return;
      case 'image-exclude':
        images.setExcluded(datasetId, action.imageIds, !action.excluded);
        return;
    }
  }
}
