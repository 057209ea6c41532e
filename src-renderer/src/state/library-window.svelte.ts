// The grid's view of one query's result: how many images match, and the pages of
// them that have been fetched. The grid asks for the index range it shows; pages come
// in by offset/limit, at most two requests in flight, always for what is on screen
// now (a fast fling does not queue up every page it flew past).
import type { GridImage, ImageQuery } from '../views/library/types.ts';

export const PAGE_SIZE = 240;
const MAX_IN_FLIGHT = 2;
/** Pages kept around the viewport; the rest are dropped so memory stays flat while scrolling 60,000. */
const KEEP_PAGES = 40;

export type PageFetcher = (query: ImageQuery, offset: number, limit: number) => Promise<{ total: number; items: GridImage[] }>;

export class ImageWindow {
  total = $state(0);
  /** True until the first page (or the count) of the current query arrived. */
  loading = $state(true);
  /** Bumped when pages arrive or are dropped: cells read it to pick up their image. */
  version = $state(0);

  // Plain collections: `version` is the one signal cells read, bumped once per arriving page.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see above
  #pages = new Map<number, GridImage[]>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  #inFlight = new Set<number>();
  #wanted: [number, number] = [0, 0];
  #generation = 0;
  #query: ImageQuery | null = null;
  /** The previous pages after a refresh, shown until their fresh copies arrive. */
  #stale: Map<number, GridImage[]> | null = null;
  readonly #fetch: PageFetcher;

  constructor(fetch: PageFetcher) {
    this.#fetch = fetch;
  }

  get query(): ImageQuery | null {
    return this.#query;
  }

  /** A new query: forget every page (their indices mean something else now). */
  reset(query: ImageQuery): void {
    this.#query = query;
    this.#generation++;
    this.#pages.clear();
    this.#stale = null;
    this.#inFlight.clear();
    this.loading = true;
    this.version++;
    this.#pump();
  }

  /**
   * The same query, but the data changed (a relabel, an undo, an import): refetch what
   * is shown, keep showing the old pages until the new ones arrive (no flash).
   */
  refresh(): void {
    if (!this.#query) return;
    this.#generation++;
    this.#inFlight.clear();
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a snapshot, read through `version`
    this.#stale = new Map(this.#pages);
    this.#pages.clear();
    this.#pump();
  }

  item(index: number): GridImage | undefined {
    void this.version;
    const page = Math.floor(index / PAGE_SIZE);
    const items = this.#pages.get(page) ?? this.#stale?.get(page);
    return items?.[index - page * PAGE_SIZE];
  }

  /** The loaded image at `index` without tracking (event handlers). */
  peek(index: number): GridImage | undefined {
    const page = Math.floor(index / PAGE_SIZE);
    return (this.#pages.get(page) ?? this.#stale?.get(page))?.[index - page * PAGE_SIZE];
  }

  /** The grid shows [start, end): fetch what is missing there. */
  want(start: number, end: number): void {
    this.#wanted = [start, end];
    this.#pump();
  }

  /** Every image in [start, end], fetching missing pages first (shift-click across unloaded rows). */
  async range(start: number, end: number): Promise<GridImage[]> {
    const query = this.#query;
    if (!query) return [];
    const first = Math.floor(start / PAGE_SIZE);
    const last = Math.floor(end / PAGE_SIZE);
    const pages: GridImage[][] = [];
    for (let page = first; page <= last; page++) {
      let items = this.#pages.get(page);
      if (!items) items = (await this.#fetch(query, page * PAGE_SIZE, PAGE_SIZE)).items;
      pages.push(items);
    }
    return pages.flat().slice(start - first * PAGE_SIZE, end - first * PAGE_SIZE + 1);
  }

  #pump(): void {
    const query = this.#query;
    if (!query) return;
    const [start, end] = this.#wanted;
    const first = Math.floor(start / PAGE_SIZE);
    const last = Math.max(first, Math.floor(Math.max(start, end - 1) / PAGE_SIZE));
    // Closest to the middle of the screen first, then one page either side.
    const needed: number[] = [];
    for (let page = first; page <= last; page++) needed.push(page);
    needed.push(last + 1, first - 1);
    for (const page of needed) {
      if (this.#inFlight.size >= MAX_IN_FLIGHT) return;
      if (page < 0 || this.#pages.has(page) || this.#inFlight.has(page)) continue;
      if (!this.loading && page * PAGE_SIZE >= this.total && page > 0) continue;
      void this.#load(query, page, this.#generation);
    }
  }

  async #load(query: ImageQuery, page: number, generation: number): Promise<void> {
    this.#inFlight.add(page);
    try {
      const { total, items } = await this.#fetch(query, page * PAGE_SIZE, PAGE_SIZE);
      if (generation !== this.#generation) return;
      this.#pages.set(page, items);
      this.total = total;
      this.loading = false;
      if (this.#stale) {
        // Once the pages on screen are fresh, the stale copies have done their job.
        this.#stale.delete(page);
        if (this.#staleOnScreen() === 0) this.#stale = null;
      }
      this.#evict();
      this.version++;
    } catch (error) {
      if (generation === this.#generation) {
        this.loading = false;
        console.error(`page ${page} of the grid failed:`, error);
      }
    } finally {
      if (generation === this.#generation) this.#inFlight.delete(page);
      this.#pump();
    }
  }

  #staleOnScreen(): number {
    if (!this.#stale) return 0;
    const [start, end] = this.#wanted;
    let n = 0;
    for (let page = Math.floor(start / PAGE_SIZE); page <= Math.floor(end / PAGE_SIZE); page++) {
      if (this.#stale.has(page)) n++;
    }
    return n;
  }

  #evict(): void {
    if (this.#pages.size <= KEEP_PAGES) return;
    const centre = Math.floor((this.#wanted[0] + this.#wanted[1]) / 2 / PAGE_SIZE);
    const far = [...this.#pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const page of far.slice(0, this.#pages.size - KEEP_PAGES)) this.#pages.delete(page);
  }
}
