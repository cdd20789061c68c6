/**
 * The Conflicts view's state: the open sync conflicts (of one workspace, or all), the one selected with this
 * computer's side read from the store, and settling it. The platform's side comes with the conflict.
 */
import { api } from "./api";
import { app } from "./app.svelte";
import type { Artifact, Resolution, SyncConflict, WorkspaceSync } from "./bindings";
import { conflictTitle, deletedHere } from "./conflicts";
import { latestOnly } from "./debounce";
import { toFailure, type ApiFailure } from "./errors";
import { platform } from "./platform.svelte";
import { toasts } from "./ui.svelte";

export interface ConflictHooks {
  /** A conflict was settled in this workspace: its artifacts and the sync's counts changed. */
  resolved(workspaceId: string): void;
}

/** This computer's side of the selected conflict, as read from the store. */
export interface LocalRead {
  artifactId: string;
  loading: boolean;
  artifact: Artifact | null;
  failure: ApiFailure | null;
}

export class ConflictsModel {
  list = $state<SyncConflict[]>([]);
  /** Whose conflicts are listed (null: every workspace's). */
  workspaceId = $state<string | null>(null);
  loaded = $state(false);
  loading = $state(false);
  failure = $state<ApiFailure | null>(null);
  selectedId = $state<string | null>(null);
  local = $state<LocalRead | null>(null);
  resolving = $state<Resolution | null>(null);

  selected = $derived(this.list.find((c) => c.artifact_id === this.selectedId) ?? null);

  readonly #hooks: ConflictHooks;
  #ticket = latestOnly();
  #localTicket = latestOnly();

  constructor(hooks: ConflictHooks) {
    this.#hooks = hooks;
  }

  /** Lists the conflicts; keeps the selection when it is still open, else selects the first. */
  async load(workspaceId: string | null): Promise<void> {
    const ticket = this.#ticket.next();
    if (workspaceId !== this.workspaceId) {
      this.list = [];
      this.loaded = false;
      this.workspaceId = workspaceId;
    }
    this.loading = true;
    try {
      const list = await api.syncConflicts(workspaceId);
      if (!this.#ticket.isCurrent(ticket)) return;
      this.list = list;
      this.loaded = true;
      this.failure = null;
      const keep = list.some((c) => c.artifact_id === this.selectedId) ? this.selectedId : (list[0]?.artifact_id ?? null);
      if (keep !== this.selectedId || (keep && this.local?.artifactId !== keep)) await this.select(keep);
    } catch (e) {
      if (this.#ticket.isCurrent(ticket)) this.failure = toFailure(e);
    } finally {
      if (this.#ticket.isCurrent(ticket)) this.loading = false;
    }
  }

  /** Selects a conflict and reads this computer's side (none to read after a local delete). */
  async select(artifactId: string | null): Promise<void> {
    const ticket = this.#localTicket.next();
    this.selectedId = artifactId;
    const c = this.selected;
    if (!c || deletedHere(c)) {
      this.local = null;
      return;
    }
    this.local = { artifactId: c.artifact_id, loading: true, artifact: null, failure: null };
    try {
      const artifact = await api.artifactGet(c.artifact_id);
      if (this.#localTicket.isCurrent(ticket)) this.local = { artifactId: c.artifact_id, loading: false, artifact, failure: null };
    } catch (e) {
      if (this.#localTicket.isCurrent(ticket)) this.local = { artifactId: c.artifact_id, loading: false, artifact: null, failure: toFailure(e) };
    }
  }

  /** Settles the selected conflict; the next one is selected. */
  async resolve(resolution: Resolution): Promise<boolean> {
    const c = this.selected;
    if (!c || this.resolving) return false;
    const title = conflictTitle(c, this.local?.artifact?.title ?? null);
    this.resolving = resolution;
    try {
      await api.syncResolve(c.artifact_id, resolution);
    } catch (e) {
      const f = toFailure(e);
      toasts.error(`Couldn't settle “${title}”`, f);
      if (f.code === "not_found") await this.load(this.workspaceId);
      return false;
    } finally {
      this.resolving = null;
    }
    const index = this.list.findIndex((x) => x.artifact_id === c.artifact_id);
    this.list = this.list.filter((x) => x.artifact_id !== c.artifact_id);
    toasts.success(`Settled “${title}”`, resolution === "keep_both" ? "Both versions are kept." : "Nothing is lost: the version not kept stays in the history.");
    this.#hooks.resolved(c.workspace_id);
    await this.select(this.list[Math.min(index, this.list.length - 1)]?.artifact_id ?? null);
    return true;
  }

  /** A workspace's conflict count changed (a sync found one, another window settled one): list them again. */
  onSyncStatus(s: WorkspaceSync): void {
    if (!this.loaded || (this.workspaceId !== null && this.workspaceId !== s.workspace_id)) return;
    const here = this.list.filter((c) => c.workspace_id === s.workspace_id).length;
    if (here !== s.conflicts && !this.resolving) void this.load(this.workspaceId);
  }
}

export const conflicts = new ConflictsModel({
  resolved(workspaceId) {
    void platform.load({ quiet: true });
    app.onArtifactsChanged(workspaceId);
  },
});
