// Which images are selected. Two shapes, so that "select all" over 60,000 images costs
// nothing: a set of ids, or "everything the current query matches" minus a set of ids.
// The grid never asks the DOM what is selected; the server resolves an all-in-view
// selection from the query itself when an action runs.

export type SelectionTarget = { kind: 'ids'; ids: number[] } | { kind: 'query'; except: number[] };

class Selection {
  /** true: every image of the current query except `#members`; false: only `#members`. */
  #all = $state(false);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- `version` is the signal: cheaper than tracking 60,000 members
  #members = new Set<number>();
  /** Bumped on every change: components read it to re-render their few visible cells. */
  version = $state(0);
  /** Matching images in the current query (set by the grid window), for the count. */
  total = $state(0);
  /** Index the next shift-click extends from. */
  anchor = $state<number | null>(null);

  get all(): boolean {
    return this.#all;
  }

  get count(): number {
    void this.version;
    return this.#all ? Math.max(0, this.total - this.#members.size) : this.#members.size;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  has(id: number): boolean {
    void this.version;
    return this.#all !== this.#members.has(id);
  }

  #changed(): void {
    this.version++;
  }

  clear(): void {
    this.#all = false;
    this.#members.clear();
    this.anchor = null;
    this.#changed();
  }

  /** A plain click: only this one. */
  only(id: number, index: number): void {
    this.#all = false;
    this.#members.clear();
    this.#members.add(id);
    this.anchor = index;
    this.#changed();
  }

  /** Ctrl/Cmd-click. */
  toggle(id: number, index: number): void {
    if (this.#members.has(id)) this.#members.delete(id);
    else this.#members.add(id);
    this.anchor = index;
    this.#changed();
  }

  /** Adds (or, with `replace`, sets) the selection to exactly these ids. */
  add(ids: Iterable<number>, replace = false): void {
    if (replace) {
      this.#all = false;
      this.#members.clear();
    }
    for (const id of ids) {
      if (this.#all) this.#members.delete(id);
      else this.#members.add(id);
    }
    this.#changed();
  }

  /** Ctrl+A: everything the current query matches, including rows never rendered. */
  selectAll(): void {
    this.#all = true;
    this.#members.clear();
    this.#changed();
  }

  /** What an action applies to. */
  target(): SelectionTarget {
    return this.#all ? { kind: 'query', except: [...this.#members] } : { kind: 'ids', ids: [...this.#members] };
  }

  /** The selected ids when the selection is explicit, else null (all-in-view). */
  ids(): number[] | null {
    return this.#all ? null : [...this.#members];
  }

  /** A single selected image (for the detail panel), else null. */
  single(): number | null {
    void this.version;
    if (this.#all || this.#members.size !== 1) return null;
    return this.#members.values().next().value ?? null;
  }
}

export const selection = new Selection();
export type { Selection };
