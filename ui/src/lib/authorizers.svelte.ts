/**
 * The Authorizers screen's state: the selected workspace's Authorizers (OAuth app settings; whether each holds a
 * connection, never its tokens), saving them, and connecting in the browser. Shared with the server form's picker.
 */
import { api } from "./api";
import type { AuthorizerView } from "./bindings";
import { latestOnly } from "./debounce";
import { toFailure, type ApiFailure } from "./errors";
import { configFromForm, deleteConsequence, disconnectConsequence, type AuthorizerFormValues } from "./authorizerForm";
import { signInProblem, signOutResult, type SignInProblem } from "./serverAuth";
import { confirmer, toasts } from "./ui.svelte";

export type AuthorizerSaveOutcome = { ok: true; authorizer: AuthorizerView } | { ok: false; failure: ApiFailure };

export class AuthorizersModel {
  list = $state<AuthorizerView[]>([]);
  /** Which workspace `list` belongs to (null until loaded). */
  workspaceId = $state<string | null>(null);
  loading = $state(false);
  failure = $state<ApiFailure | null>(null);
  /** Connects waiting for the person in the browser, by Authorizer id. */
  connecting = $state<Record<string, boolean>>({});
  /** Why the last connect failed, by Authorizer id. */
  problems = $state<Record<string, SignInProblem>>({});

  #ticket = latestOnly();
  #cancelled = new Set<string>();

  async load(workspaceId: string | null): Promise<void> {
    const ticket = this.#ticket.next();
    if (workspaceId !== this.workspaceId) {
      this.list = [];
      this.workspaceId = null;
    }
    if (!workspaceId) return;
    this.loading = true;
    try {
      const list = await api.authorizerList(workspaceId);
      if (!this.#ticket.isCurrent(ticket)) return;
      this.list = sortAuthorizers(list);
      this.workspaceId = workspaceId;
      this.failure = null;
    } catch (e) {
      if (this.#ticket.isCurrent(ticket)) this.failure = toFailure(e);
    } finally {
      if (this.#ticket.isCurrent(ticket)) this.loading = false;
    }
  }

  /** Loads a workspace's Authorizers unless they are here already (the server form's picker, a server's page). */
  async ensureLoaded(workspaceId: string): Promise<void> {
    if (this.workspaceId !== workspaceId && !this.loading) await this.load(workspaceId);
  }

  find(id: string): AuthorizerView | null {
    return this.list.find((a) => a.id === id) ?? null;
  }

  /** Creates (no `existing`) or updates one; a failure comes back for the dialog to show in place. */
  async save(workspaceId: string, values: AuthorizerFormValues, existing: AuthorizerView | null): Promise<AuthorizerSaveOutcome> {
    const title = values.title.trim();
    const config = configFromForm(values);
    try {
      const saved = existing
        ? await api.authorizerUpdate(existing.id, existing.version, title, config)
        : await api.authorizerCreate({ workspace_id: workspaceId, title, config });
      this.#upsert(saved);
      return { ok: true, authorizer: saved };
    } catch (e) {
      return { ok: false, failure: toFailure(e) };
    }
  }

  async remove(a: AuthorizerView): Promise<boolean> {
    const ok = await confirmer.ask({
      title: `Delete the Authorizer “${a.title}”?`,
      message: deleteConsequence(a),
      detail: "Its settings are deleted. This cannot be undone.",
      okLabel: "Delete Authorizer",
      danger: true,
    });
    if (!ok) return false;
    try {
      await api.authorizerDelete(a.id);
    } catch (e) {
      const f = toFailure(e);
      // A refusal (servers still use it) says what to change; other failures get the usual next step.
      if (f.code === "invalid_input") toasts.push("error", `Couldn't delete “${a.title}”`, f.message);
      else toasts.error(`Couldn't delete “${a.title}”`, f);
      await this.load(this.workspaceId);
      return false;
    }
    this.list = this.list.filter((x) => x.id !== a.id);
    toasts.success(`Deleted “${a.title}”`);
    return true;
  }

  /** Signs in through the Authorizer in the browser; servers that use it reconnect. */
  async connect(a: AuthorizerView): Promise<void> {
    if (this.connecting[a.id]) return;
    this.#cancelled.delete(a.id);
    this.connecting = { ...this.connecting, [a.id]: true };
    this.#clearProblem(a.id);
    try {
      const view = await api.authorizerConnect(a.id);
      this.#upsert(view);
      toasts.success(`Connected “${a.title}”`, view.used_by.length > 0 ? "Servers that sign in through it are reconnecting." : "The tokens are in your system keychain.");
    } catch (e) {
      if (!this.#cancelled.has(a.id)) {
        this.problems = { ...this.problems, [a.id]: signInProblem(toFailure(e).error) };
      }
    } finally {
      this.#cancelled.delete(a.id);
      const { [a.id]: _done, ...rest } = this.connecting;
      this.connecting = rest;
    }
  }

  async cancelConnect(id: string): Promise<void> {
    if (!this.connecting[id]) return;
    this.#cancelled.add(id);
    try {
      await api.authorizerConnectCancel(id);
    } catch (e) {
      this.#cancelled.delete(id);
      toasts.error("Couldn't cancel the sign-in", e);
    }
  }

  async disconnect(a: AuthorizerView): Promise<boolean> {
    const ok = await confirmer.ask({
      title: `Disconnect “${a.title}”?`,
      message: disconnectConsequence(a),
      detail: "Its settings stay: connect again at any time.",
      okLabel: "Disconnect",
      danger: a.used_by.length > 0,
    });
    if (!ok) return false;
    try {
      const revoked = await api.authorizerDisconnect(a.id);
      this.list = this.list.map((x) => (x.id === a.id ? { ...x, connected: false } : x));
      toasts.success(`Disconnected “${a.title}”`, signOutResult(revoked));
      return true;
    } catch (e) {
      toasts.error(`Couldn't disconnect “${a.title}”`, e);
      return false;
    }
  }

  dismiss(id: string): void {
    this.#clearProblem(id);
  }

  #clearProblem(id: string): void {
    if (!(id in this.problems)) return;
    const { [id]: _p, ...rest } = this.problems;
    this.problems = rest;
  }

  #upsert(a: AuthorizerView): void {
    if (a.workspace_id !== this.workspaceId) return;
    const i = this.list.findIndex((x) => x.id === a.id);
    this.list = sortAuthorizers(i < 0 ? [...this.list, a] : this.list.map((x) => (x.id === a.id ? a : x)));
  }
}

/** Authorizers by title, case-insensitively. */
export function sortAuthorizers(list: AuthorizerView[]): AuthorizerView[] {
  return [...list].sort((a, b) => a.title.localeCompare(b.title, undefined, { sensitivity: "base" }));
}

export const authorizers = new AuthorizersModel();
