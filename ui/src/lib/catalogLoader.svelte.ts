import { untrack } from "svelte";
import type { ServerStatus, ServerView } from "./bindings";
import { latestOnly } from "./debounce";
import { toFailure, type ApiFailure } from "./errors";
import { servers } from "./servers.svelte";

/**
 * Whether a change of the server's connection state calls for listing again. A reconnect passes through
 * "starting" (a first start from a repository through "installing") on its way to "ready"; once something has loaded,
 * the "ready" that follows reloads.
 */
export function reloadsOn(state: ServerStatus["state"], loaded: boolean): boolean {
  return !((state === "starting" || state === "installing") && loaded);
}

/**
 * One of a server's catalogs (its tools, resources or prompts) as a panel shows it: the newest answer wins,
 * and a failed listing keeps the last items but shows its failure instead of them.
 */
export class CatalogLoader<T> {
  items: T = $state() as T;
  loading = $state(false);
  loaded = $state(false);
  failure = $state<ApiFailure | null>(null);
  readonly #fetch: () => Promise<T>;
  readonly #ticket = latestOnly();

  constructor(fetch: () => Promise<T>, empty: T) {
    this.#fetch = fetch;
    this.items = empty;
  }

  /** Lists again; an answer that arrives after a newer call started is dropped. */
  load = async (): Promise<void> => {
    const t = this.#ticket.next();
    this.loading = true;
    try {
      const items = await this.#fetch();
      if (!this.#ticket.isCurrent(t)) return;
      this.items = items;
      this.failure = null;
    } catch (e) {
      if (this.#ticket.isCurrent(t)) this.failure = toFailure(e);
    } finally {
      if (this.#ticket.isCurrent(t)) {
        this.loading = false;
        this.loaded = true;
      }
    }
  };

  /**
   * From a component's script: loads now, and again whenever the server says its catalog changed or its
   * connection state changes (see `reloadsOn`).
   */
  follow(server: () => ServerView): void {
    $effect(() => {
      void servers.catalogTick[server().id];
      void server().state.status.state;
      untrack(() => {
        if (reloadsOn(server().state.status.state, this.loaded)) void this.load();
      });
    });
  }
}
