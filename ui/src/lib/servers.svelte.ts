/**
 * The Servers screen's state: the selected workspace's servers with their live status (kept current by events and,
 * while a server is connecting, by polling), the open server, the add/edit form, logs and call progress.
 */
import { api } from "./api";
import type { CallProgress, LogLine, ServerAuth, ServerState, ServerStatus, ServerView } from "./bindings";
import { latestOnly } from "./debounce";
import { toFailure } from "./errors";
import { ServerFormModel } from "./serverFormModel.svelte";
import type { LifecycleAction } from "./serverStatus";
import { confirmer, toasts } from "./ui.svelte";

export type ServerTab = "tools" | "resources" | "prompts" | "log";
export const SERVER_TABS: { value: ServerTab; label: string }[] = [
  { value: "tools", label: "Tools" },
  { value: "resources", label: "Resources" },
  { value: "prompts", label: "Prompts" },
  { value: "log", label: "Log" },
];

const MAX_LOG_LINES = 1000;
const POLL_MS = 1500;

export class ServersModel {
  list = $state<ServerView[]>([]);
  /** Which workspace `list` belongs to (null until loaded). */
  workspaceId = $state<string | null>(null);
  loading = $state(false);
  selectedId = $state<string | null>(null);
  tab = $state<ServerTab>("tools");
  /** The add/edit panel, when open (it replaces the detail). */
  form = $state<ServerFormModel | null>(null);
  /** Log lines of the servers whose log was opened, newest last. */
  logs = $state<Record<string, LogLine[]>>({});
  /** How many log lines arrived by event, per server (only grows: the log panel's pause counts from it). */
  logReceived = $state<Record<string, number>>({});
  /** A start, stop or restart in progress, per server. */
  lifecycle = $state<Record<string, LifecycleAction>>({});
  /** Progress of running calls, by call id. */
  progress = $state<Record<string, CallProgress>>({});
  /** Bumped when a server's tools, resources or prompts may have changed (catalog_changed, reconnect). */
  catalogTick = $state<Record<string, number>>({});
  refreshing = $state<Record<string, boolean>>({});
  /** The import dialog is open. */
  importOpen = $state(false);
  /** Text the import dialog starts with (a dropped config file's), previewed at once. */
  importText = $state("");

  /** Opens the import dialog, with a config file's text already previewed when one is given. */
  openImport(text = ""): void {
    this.importText = text;
    this.importOpen = true;
  }

  selected = $derived(this.list.find((s) => s.id === this.selectedId) ?? null);

  #ticket = latestOnly();
  #catalogListeners = new Set<(serverId: string) => void>();
  #poll: ReturnType<typeof setTimeout> | null = null;
  #stateTimers = new Map<string, ReturnType<typeof setTimeout>>();

  /** Loads the servers of a workspace (null clears the screen). */
  async load(workspaceId: string | null): Promise<void> {
    const ticket = this.#ticket.next();
    if (workspaceId !== this.workspaceId) {
      this.list = [];
      this.workspaceId = null;
      this.selectedId = null;
      this.#closeForm();
    }
    if (!workspaceId) return;
    this.loading = true;
    try {
      const list = await api.serverList(workspaceId);
      if (!this.#ticket.isCurrent(ticket)) return;
      this.list = sortServers(list);
      this.workspaceId = workspaceId;
      if (this.selectedId && !list.some((s) => s.id === this.selectedId)) this.selectedId = null;
      this.#schedulePoll();
    } catch (e) {
      if (this.#ticket.isCurrent(ticket)) toasts.error("Couldn't load the servers", e);
    } finally {
      if (this.#ticket.isCurrent(ticket)) this.loading = false;
    }
  }

  async reload(): Promise<void> {
    await this.load(this.workspaceId);
  }

  /** Reads one server again (its registration changed outside the form: published for the relay). */
  async refetch(id: string): Promise<boolean> {
    try {
      this.#upsert(await api.serverGet(id));
      return true;
    } catch {
      return false; // the next load shows it
    }
  }

  /** Asks before dropping unsaved changes in the form. */
  async confirmDiscardForm(): Promise<boolean> {
    const f = this.form;
    if (!f || !f.dirty) return true;
    return confirmer.ask({
      title: "Discard unsaved changes?",
      message: f.mode === "new" ? "The new server has not been saved. If you continue, it will be lost." : `Your changes to “${f.values.title || "this server"}” have not been saved.`,
      okLabel: "Discard changes",
      cancelLabel: "Keep editing",
      danger: true,
    });
  }

  #closeForm(): void {
    this.form?.dispose();
    this.form = null;
  }

  async select(id: string): Promise<void> {
    if (this.form && !(await this.confirmDiscardForm())) return;
    this.#closeForm();
    this.selectedId = id;
  }

  async startAdd(workspaceId: string): Promise<void> {
    if (this.form?.mode === "new" && !this.form.dirty) {
      this.form.focus("title");
      return;
    }
    if (this.form && !(await this.confirmDiscardForm())) return;
    this.#closeForm();
    this.form = new ServerFormModel({ mode: "new", workspaceId });
    void this.form.validateNow();
  }

  async startEdit(server: ServerView): Promise<void> {
    if (this.form && !(await this.confirmDiscardForm())) return;
    this.#closeForm();
    this.selectedId = server.id;
    this.form = new ServerFormModel({ mode: "edit", server });
  }

  async cancelForm(): Promise<void> {
    if (!(await this.confirmDiscardForm())) return;
    this.#closeForm();
  }

  async saveForm(): Promise<void> {
    const f = this.form;
    if (!f || (f.mode === "edit" && !f.dirty)) return;
    let saved: ServerView | null;
    try {
      saved = await f.save();
    } catch (e) {
      const failure = toFailure(e);
      toasts.error(f.mode === "new" ? "Couldn't add the server" : "Couldn't save the server", failure);
      if (failure.code === "not_found") {
        this.#closeForm();
        await this.reload();
      }
      return;
    }
    if (!saved || this.form !== f) return;
    this.#closeForm();
    this.#upsert(saved);
    this.selectedId = saved.id;
    this.#bumpCatalog(saved.id);
    toasts.success(f.mode === "new" ? `Added “${saved.title}”` : `Saved “${saved.title}”`, saved.enabled ? "Connecting…" : "");
  }

  /** After a conflict in the form: load the stored version into it. */
  async reloadForm(): Promise<void> {
    const f = this.form;
    if (!f?.serverId) return;
    try {
      const s = await api.serverGet(f.serverId);
      f.reload(s);
      this.#upsert(s);
    } catch (e) {
      toasts.error("Couldn't reload the server", e);
    }
  }

  async setEnabled(server: ServerView, enabled: boolean): Promise<void> {
    try {
      const s = await api.serverSetEnabled(server.id, enabled);
      this.#upsert(s);
      this.#schedulePoll();
    } catch (e) {
      toasts.error(enabled ? `Couldn't enable “${server.title}”` : `Couldn't disable “${server.title}”`, e);
      if (toFailure(e).code === "not_found") await this.reload();
    }
  }

  /** Approves what the server runs here, exactly as reviewed (its fingerprint); an enabled server then starts. */
  async approve(server: ServerView, fingerprint: string): Promise<void> {
    try {
      const s = await api.serverApprove(server.id, fingerprint);
      this.#upsert(s);
      this.#schedulePoll();
    } catch (e) {
      const failure = toFailure(e);
      toasts.error(`Couldn't approve “${server.title}”`, e);
      // It changed since it was shown: show what it runs now.
      if (failure.code === "version_conflict" || failure.code === "not_found") await this.reload();
    }
  }

  /** Reconnects and re-reads what the server offers. */
  async refresh(server: ServerView): Promise<void> {
    this.refreshing = { ...this.refreshing, [server.id]: true };
    this.#setStatus(server.id, { state: "starting" });
    try {
      const state = await api.serverRefresh(server.id);
      this.#applyState(state);
      this.#bumpCatalog(server.id);
    } catch (e) {
      toasts.error(`Couldn't reconnect “${server.title}”`, e);
      void this.#fetchState(server.id);
    } finally {
      const { [server.id]: _done, ...rest } = this.refreshing;
      this.refreshing = rest;
    }
  }

  /** Starts, stops or restarts a server; the button shows the action until the backend answers. */
  async runLifecycle(server: ServerView, action: LifecycleAction): Promise<void> {
    if (this.lifecycle[server.id]) return;
    this.lifecycle = { ...this.lifecycle, [server.id]: action };
    if (action !== "stop") this.#setStatus(server.id, { state: "starting" });
    try {
      const call = action === "start" ? api.serverStart : action === "stop" ? api.serverStop : api.serverRestart;
      const state = await call(server.id);
      this.#applyState(state);
      if (state.status.state === "ready") this.#bumpCatalog(server.id);
    } catch (e) {
      const what = action === "start" ? "start" : action === "stop" ? "stop" : "restart";
      toasts.error(`Couldn't ${what} “${server.title}”`, e);
      if (toFailure(e).code === "not_found") await this.reload();
      else void this.#fetchState(server.id);
    } finally {
      const { [server.id]: _done, ...rest } = this.lifecycle;
      this.lifecycle = rest;
      this.#schedulePoll();
    }
  }

  async remove(server: ServerView): Promise<void> {
    const ok = await confirmer.ask({
      title: `Remove “${server.title}”?`,
      message: "Atrium disconnects from the server and deletes its registration. Its calls stay in the audit log.",
      detail: server.transport === "stdio" ? "The program itself is not touched." : "The server itself is not touched.",
      okLabel: "Remove server",
      danger: true,
    });
    if (!ok) return;
    const index = this.list.findIndex((s) => s.id === server.id);
    try {
      await api.serverRemove(server.id);
    } catch (e) {
      toasts.error(`Couldn't remove “${server.title}”`, e);
      await this.reload();
      return;
    }
    if (this.form?.serverId === server.id) this.#closeForm();
    this.list = this.list.filter((s) => s.id !== server.id);
    if (this.selectedId === server.id) this.selectedId = this.list[Math.min(index, this.list.length - 1)]?.id ?? null;
    const { [server.id]: _log, ...logs } = this.logs;
    this.logs = logs;
    toasts.success(`Removed “${server.title}”`);
  }

  // ---- logs and progress ----------------------------------------------------------------------------------------

  async openLog(id: string): Promise<void> {
    try {
      const lines = await api.serverLog(id);
      // Lines that arrived by event meanwhile are newer than the snapshot only if not in it.
      const live = this.logs[id] ?? [];
      const seen = new Set(lines.map(lineKey));
      this.logs = { ...this.logs, [id]: [...lines, ...live.filter((l) => !seen.has(lineKey(l)))].slice(-MAX_LOG_LINES) };
    } catch (e) {
      toasts.error("Couldn't load the server's log", e);
      this.logs = { ...this.logs, [id]: this.logs[id] ?? [] };
    }
  }

  clearProgress(callId: string): void {
    if (!(callId in this.progress)) return;
    const { [callId]: _p, ...rest } = this.progress;
    this.progress = rest;
  }

  // ---- events ---------------------------------------------------------------------------------------------------

  onStatus(serverId: string, status: ServerStatus): void {
    const before = this.list.find((s) => s.id === serverId)?.state.status.state;
    this.#setStatus(serverId, status);
    if (status.state === "ready" && before !== "ready") this.#bumpCatalog(serverId);
    // The event has no tool count or server info: read them once the state settles.
    if (status.state === "ready" || status.state === "failed" || status.state === "stopped" || status.state === "needs_login") this.#fetchStateSoon(serverId);
    this.#schedulePoll();
  }

  /** A server's authentication changed (signed in, refreshing, login required, …). */
  onAuth(serverId: string, auth: ServerAuth): void {
    const s = this.list.find((x) => x.id === serverId);
    if (s) s.state.auth = auth;
  }

  onLog(serverId: string, line: LogLine): void {
    const lines = this.logs[serverId];
    if (!lines) return; // not opened: the log is read in full when it is
    this.logReceived[serverId] = (this.logReceived[serverId] ?? 0) + 1;
    lines.push(line);
    if (lines.length > MAX_LOG_LINES) lines.splice(0, lines.length - MAX_LOG_LINES);
  }

  onProgress(p: CallProgress): void {
    this.progress = { ...this.progress, [p.call_id]: p };
  }

  /** Calls `fn` whenever a server's catalog may have changed (it became ready, was refreshed, said so). */
  onCatalogBump(fn: (serverId: string) => void): () => void {
    this.#catalogListeners.add(fn);
    return () => void this.#catalogListeners.delete(fn);
  }

  onCatalogChanged(serverId: string): void {
    this.#bumpCatalog(serverId);
    this.#fetchStateSoon(serverId);
  }

  // ---- internals ------------------------------------------------------------------------------------------------

  #upsert(s: ServerView): void {
    if (s.workspace_id !== this.workspaceId) return;
    const i = this.list.findIndex((x) => x.id === s.id);
    this.list = sortServers(i < 0 ? [...this.list, s] : this.list.map((x) => (x.id === s.id ? s : x)));
    // Its "ready" may have been announced before this answer arrived (and ignored): poll while it connects.
    this.#schedulePoll();
  }

  #setStatus(serverId: string, status: ServerStatus): void {
    const s = this.list.find((x) => x.id === serverId);
    if (s) s.state.status = status;
  }

  #applyState(state: ServerState): void {
    const s = this.list.find((x) => x.id === state.server_id);
    if (s) s.state = state;
  }

  #bumpCatalog(serverId: string): void {
    this.catalogTick = { ...this.catalogTick, [serverId]: (this.catalogTick[serverId] ?? 0) + 1 };
    for (const fn of this.#catalogListeners) fn(serverId);
  }

  async #fetchState(serverId: string): Promise<void> {
    try {
      this.#applyState(await api.serverState(serverId));
    } catch {
      /* removed meanwhile, or the backend is busy: the next event or poll catches up */
    }
  }

  #fetchStateSoon(serverId: string): void {
    const t = this.#stateTimers.get(serverId);
    if (t) clearTimeout(t);
    this.#stateTimers.set(
      serverId,
      setTimeout(() => {
        this.#stateTimers.delete(serverId);
        void this.#fetchState(serverId);
      }, 150),
    );
  }

  /** While a server is connecting or installing, its state is polled too: events sent before the window listened are lost. */
  #schedulePoll(): void {
    if (this.#poll !== null) return;
    if (!this.list.some((s) => isSettling(s.state.status))) return;
    this.#poll = setTimeout(() => {
      this.#poll = null;
      const starting = this.list.filter((s) => isSettling(s.state.status));
      void Promise.all(
        starting.map(async (s) => {
          const before = s.state.status.state;
          await this.#fetchState(s.id);
          const now = this.list.find((x) => x.id === s.id)?.state.status.state;
          if (before !== "ready" && now === "ready") this.#bumpCatalog(s.id);
        }),
      ).then(() => this.#schedulePoll());
    }, POLL_MS);
  }
}

function isSettling(status: ServerStatus): boolean {
  return status.state === "starting" || status.state === "installing";
}

function lineKey(l: LogLine): string {
  return `${l.time}\u0000${l.level}\u0000${l.message}`;
}

/** Servers by title, case-insensitively. */
export function sortServers(list: ServerView[]): ServerView[] {
  return [...list].sort((a, b) => a.title.localeCompare(b.title, undefined, { sensitivity: "base" }));
}

export const servers = new ServersModel();
