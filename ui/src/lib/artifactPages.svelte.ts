/**
 * The open workspace's artifacts as the list shows them: a window onto the store's listing (its order and filters
 * over the whole workspace), read a page at a time as rows scroll into view. A 100k workspace costs the first page
 * to show, and the pages near the rows on screen to keep.
 */
import { api } from "./api";
import type { ArtifactPage, ArtifactSort, ArtifactSummary, TypeCount } from "./bindings";

/** Rows per request. */
export const PAGE = 100;
/** Pages kept at most; the ones farthest from what was asked last go first. */
export const KEPT_PAGES = 30;
/**
 * Page requests the scrolling view keeps in flight at most. A fling crosses hundreds of pages in a second: asking for
 * each would queue requests for rows long gone from view and hold the window busy decoding them, so the view asks
 * for the rows in view only as requests come back (the latest view wins).
 */
export const VIEW_REQUESTS = 2;

/** What the list shows: one workspace, in one order, filtered. */
export type ListQuery = {
  workspaceId: string;
  sort: ArtifactSort;
  /** Words the title must contain ("" for all). */
  filter: string;
  /** One content type ("" for all). */
  contentType: string;
};

/** Where the store's page request goes (`api` in the app; a double in tests). */
export type PageSource = (query: Parameters<typeof api.artifactPage>[0], quiet: boolean) => Promise<ArtifactPage>;

const fromApi: PageSource = (query, quiet) => (quiet ? api.quiet : api).artifactPage(query);

export class ArtifactPages {
  /** The query of what is shown (null before a workspace is opened). */
  query = $state<ListQuery | null>(null);
  /** How many artifacts match, all pages. */
  total = $state(0);
  /** The workspace's content types with counts (the type filter's choices), from the last fresh listing. */
  types = $state<TypeCount[]>([]);
  /** A fresh listing is being read. */
  loading = $state(false);
  /** Bumped whenever pages arrive or go: readers of rows depend on it. */
  #revision = $state(0);

  #pages = new Map<number, ArtifactSummary[]>();
  #inFlight = new Map<number, Promise<void>>();
  #listing: string | null = null;
  /** The first page of the rows asked for last: eviction keeps the pages around it. */
  #near = 0;
  /** Bumped by every fresh listing: answers for an older one are dropped. */
  #generation = 0;
  /** The rows the view shows now (`show`), read as the view's requests come back. */
  #shown: { from: number; to: number } | null = null;
  /** The view's requests in flight. */
  #viewRequests = 0;
  #source: PageSource;

  constructor(source: PageSource = fromApi) {
    this.#source = source;
  }

  /** Reads a fresh listing for `query` and its first page (a refresh when the query is the same). */
  async open(query: ListQuery): Promise<void> {
    const generation = ++this.#generation;
    this.loading = true;
    try {
      const page = await this.#source(this.#request(query, { offset: 0, listing: null }), false);
      if (generation !== this.#generation) return;
      this.query = query;
      this.#replace(page);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  /** Forgets everything (no workspace open). */
  clear(): void {
    ++this.#generation;
    this.query = null;
    this.total = 0;
    this.types = [];
    this.loading = false;
    this.#listing = null;
    this.#shown = null;
    this.#pages.clear();
    this.#inFlight.clear();
    this.#revision++;
  }

  /** The row at `index`, when its page is here (reactive: it reads again as pages arrive). */
  rowAt(index: number): ArtifactSummary | undefined {
    void this.#revision;
    return this.#pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  }

  /** A row already read, by id. */
  find(id: string): ArtifactSummary | undefined {
    void this.#revision;
    for (const rows of this.#pages.values()) {
      const row = rows.find((r) => r.id === id);
      if (row) return row;
    }
    return undefined;
  }

  /** Where a row already read is (-1 when it is not among the pages here). */
  indexOf(id: string): number {
    void this.#revision;
    for (const [n, rows] of this.#pages) {
      const i = rows.findIndex((r) => r.id === id);
      if (i >= 0) return n * PAGE + i;
    }
    return -1;
  }

  /** Asks for the pages holding rows `from` to `to` (exclusive) that are not here yet. */
  ensure(from: number, to: number): Promise<void> {
    const last = Math.min(to, this.total) - 1;
    const wanted: Promise<void>[] = [];
    this.#near = Math.floor(Math.max(from, 0) / PAGE);
    for (let n = this.#near; n <= Math.floor(last / PAGE); n++) wanted.push(this.#fetch(n));
    return Promise.all(wanted).then(() => undefined);
  }

  /**
   * The rows `from` to `to` (exclusive) are in view: their missing pages are read, at most `VIEW_REQUESTS` at a time;
   * rows that left the view before their turn are not read at all.
   */
  show(from: number, to: number): void {
    this.#shown = { from, to };
    this.#near = Math.floor(Math.max(from, 0) / PAGE);
    this.#pump();
  }

  #pump(): void {
    while (this.#viewRequests < VIEW_REQUESTS && this.#shown) {
      const { from, to } = this.#shown;
      const last = Math.min(to, this.total) - 1;
      let missing = -1;
      for (let n = Math.floor(Math.max(from, 0) / PAGE); n <= Math.floor(last / PAGE); n++) {
        if (!this.#pages.has(n) && !this.#inFlight.has(n)) {
          missing = n;
          break;
        }
      }
      if (missing < 0) return;
      this.#viewRequests++;
      void this.#fetch(missing).finally(() => {
        this.#viewRequests--;
        this.#pump();
      });
    }
  }

  /** The row at `index`, read first when its page is not here. */
  async load(index: number): Promise<ArtifactSummary | undefined> {
    if (index < 0 || index >= this.total) return undefined;
    await this.ensure(index, index + 1);
    return this.rowAt(index);
  }

  /** Where an artifact is in the listing (its page read on the way), or -1 when the query leaves it out. */
  async locate(id: string): Promise<number> {
    const known = this.indexOf(id);
    if (known >= 0) return known;
    const query = this.query;
    if (!query) return -1;
    const generation = this.#generation;
    const page = await this.#source(this.#request(query, { around: id, listing: this.#listing }), true);
    if (generation !== this.#generation) return -1;
    this.#accept(page);
    return page.position ?? -1;
  }

  #request(query: ListQuery, at: { offset?: number; around?: string; listing: string | null }) {
    return {
      workspace_id: query.workspaceId,
      sort: query.sort,
      filter: query.filter.trim() || null,
      content_type: query.contentType || null,
      listing: at.listing,
      offset: at.offset ?? null,
      limit: PAGE,
      around: at.around ?? null,
    };
  }

  #fetch(n: number): Promise<void> {
    if (this.#pages.has(n)) return Promise.resolve();
    const pending = this.#inFlight.get(n);
    if (pending) return pending;
    const query = this.query;
    if (!query) return Promise.resolve();
    const generation = this.#generation;
    const request = this.#source(this.#request(query, { offset: n * PAGE, listing: this.#listing }), true)
      .then((page) => {
        if (generation === this.#generation) this.#accept(page);
      })
      .finally(() => {
        if (this.#inFlight.get(n) === request) this.#inFlight.delete(n);
      });
    this.#inFlight.set(n, request);
    return request;
  }

  /** A page of the current listing, or the first of a new one (the store replaced a listing with holes). */
  #accept(page: ArtifactPage): void {
    if (page.listing !== this.#listing) {
      this.#replace(page);
      return;
    }
    this.#pages.set(Math.floor(page.offset / PAGE), page.rows);
    this.#evict();
    this.#revision++;
  }

  #replace(page: ArtifactPage): void {
    this.#listing = page.listing;
    this.#pages.clear();
    this.#inFlight.clear();
    this.#pages.set(Math.floor(page.offset / PAGE), page.rows);
    this.total = page.total;
    if (page.types) this.types = page.types;
    this.#revision++;
    // The rows in view are read again from the new listing.
    this.#pump();
  }

  /** Keeps memory flat however far the list scrolls: the pages farthest from the rows asked for last go. */
  #evict(): void {
    if (this.#pages.size <= KEPT_PAGES) return;
    const near = this.#near;
    const far = [...this.#pages.keys()].sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
    for (const n of far.slice(0, this.#pages.size - KEPT_PAGES)) this.#pages.delete(n);
  }
}
