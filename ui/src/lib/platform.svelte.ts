/**
 * The Platform screen's state: the account (checking the platform's address, signing in and out), the linked
 * workspaces' sync (live through the `sync_progress` and `sync_status` events), the platform's workspaces (bring one
 * here, publish one of ours) and the relay (pause, resume, shared folders). Which page of the screen is shown (the
 * overview, or the conflicts) too.
 */
import { api } from "./api";
import { app } from "./app.svelte";
import type {
  AccountInfo,
  ApiError,
  ConnectionReport,
  PlatformAddress,
  PlatformView,
  RelayStatus,
  RemoteWorkspaceView,
  SignInMethod,
  SyncProgress,
  Workspace,
  WorkspaceSync,
} from "./bindings";
import { reportView } from "./connection";
import { latestOnly } from "./debounce";
import { platformFailureOf, toFailure, type ApiFailure } from "./errors";
import { plural } from "./format";
import { accountName, carriesRelay, shortUrl, signInHintFor } from "./platform";
import { addressKey, platformAddress, signInRequest, type SignInFormValues } from "./platformForms";
import { confirmer, toasts } from "./ui.svelte";

export interface PlatformHooks {
  /** Local workspaces appeared or changed (one brought here, published or unlinked): the sidebar reads them again. */
  workspacesChanged(): Promise<void>;
}

export type PlatformPage = { kind: "overview" } | { kind: "conflicts"; workspaceId: string | null };

export interface PlatformSignInProblem {
  message: string;
  hint: string;
}

/** A connection check of one address: what it found, or why the address could not be checked at all. */
export interface ConnectionCheck {
  /** `addressKey` of the address. */
  key: string;
  address: PlatformAddress;
  report: ConnectionReport | null;
  failure: ApiFailure | null;
}

/** A request to show the sign-in card (also while signed in: to sign in again), opened a certain way. */
export interface SignInIntent {
  /** Open the Service URLs (Chorus's URL is to be given). */
  serviceUrls: boolean;
  /** The method to select, when one is meant. */
  method: SignInMethod | null;
  /** The field to focus. */
  focus: "url" | "chorus_url" | "method";
  /** Tells one request from the next (the same request twice focuses twice). */
  seq: number;
}

/** What a sign-in brings, in the toast: sync always, the relay when the method and the platform allow it. */
export function signedInDetail(account: Pick<AccountInfo, "method" | "urls">): string {
  if (!carriesRelay(account.method)) return "Linked workspaces sync. The relay needs a browser or password sign-in.";
  if (account.urls.chorus === null) return "Linked workspaces sync. The relay stays off: Atrium did not find the platform's Chorus (see Relay).";
  return "Linked workspaces sync, and the relay connects.";
}

/** Why a sign-in cannot go ahead when a required service was not found, with the hint of the same failure's table. */
export function missingServiceProblem(missing: "origin" | "mantle", address: string): PlatformSignInProblem {
  const where = shortUrl(address);
  const message =
    missing === "origin"
      ? `Nothing at ${where} answers as the platform's sign-in (Origin).`
      : `The platform's sign-in answered at ${where}, but Atrium did not find its workspaces (Mantle).`;
  const error: ApiError = { code: "platform_unavailable", message, details: { kind: "platform", reason: missing === "origin" ? "origin_not_found" : "mantle_not_found" } };
  return { message, hint: signInHintFor(error, address) ?? "" };
}

export class PlatformModel {
  status = $state<PlatformView | null>(null);
  loading = $state(false);
  failure = $state<ApiFailure | null>(null);
  remotes = $state<RemoteWorkspaceView[]>([]);
  remotesLoaded = $state(false);
  remotesFailure = $state<ApiFailure | null>(null);
  /** Running syncs' progress, by workspace. */
  progress = $state<Record<string, SyncProgress>>({});
  /** What is being done to a workspace (by local or platform id): "sync", "unlink", "link", "publish". */
  busy = $state<Record<string, string>>({});
  /** The method of the sign-in under way. */
  signingIn = $state<SignInMethod | null>(null);
  signInProblem = $state<PlatformSignInProblem | null>(null);
  /** The last connection check (of the address in the sign-in card). */
  connection = $state<ConnectionCheck | null>(null);
  checking = $state(false);
  /** The sign-in card was asked for (to sign in again while signed in, or opened a certain way). */
  signInIntent = $state<SignInIntent | null>(null);
  signingOut = $state(false);
  relayBusy = $state(false);
  /** When the relay's status arrived (its `retry_in_ms` counts from then). */
  relayAt = $state(0);
  rootsSaving = $state(false);
  page = $state<PlatformPage>({ kind: "overview" });

  signedIn = $derived(this.status?.account.state === "signed_in");
  syncs = $derived(this.status?.workspaces ?? []);
  conflictTotal = $derived(this.syncs.reduce((n, s) => n + s.conflicts, 0));
  /** Something on the Platform screen wants the person: conflicts, or a sync that failed. */
  attention = $derived<"conflicts" | "failed" | null>(
    this.syncs.some((s) => s.conflicts > 0) ? "conflicts" : this.syncs.some((s) => s.state === "failed") ? "failed" : null,
  );

  readonly #hooks: PlatformHooks;
  #ticket = latestOnly();
  #remotesTicket = latestOnly();
  #checkTicket = latestOnly();
  #checkInFlight: { key: string; done: Promise<ConnectionCheck> } | null = null;
  #intentSeq = 0;
  #cancelled = false;
  /** While a status read is under way: the live events that arrived meanwhile, to apply again over its answer. */
  #eventsDuringLoad: (() => void)[] | null = null;

  constructor(hooks: PlatformHooks) {
    this.#hooks = hooks;
  }

  syncOf(workspaceId: string | null): WorkspaceSync | null {
    return workspaceId ? (this.syncs.find((s) => s.workspace_id === workspaceId) ?? null) : null;
  }

  /** Reads everything again. `quiet`: in the background (no busy bar). */
  async load(opts: { quiet?: boolean } = {}): Promise<void> {
    const ticket = this.#ticket.next();
    this.loading = true;
    const during: (() => void)[] = (this.#eventsDuringLoad ??= []);
    try {
      const status = await (opts.quiet ? api.quiet : api).platformStatus();
      if (!this.#ticket.isCurrent(ticket)) return;
      this.status = status;
      this.relayAt = Date.now();
      // An event newer than what was read (the relay connected while the status was on its way) still holds.
      this.#eventsDuringLoad = null;
      for (const again of during) again();
      this.failure = null;
      if (status.account.state !== "signed_in") {
        this.remotes = [];
        this.remotesLoaded = false;
      }
    } catch (e) {
      if (this.#ticket.isCurrent(ticket)) this.failure = toFailure(e);
    } finally {
      if (this.#ticket.isCurrent(ticket)) {
        this.loading = false;
        this.#eventsDuringLoad = null;
      }
    }
  }

  /** The platform's workspaces (signed in only). */
  async loadRemotes(): Promise<void> {
    const ticket = this.#remotesTicket.next();
    if (!this.signedIn) return;
    try {
      const list = await api.platformWorkspaces();
      if (!this.#remotesTicket.isCurrent(ticket)) return;
      this.remotes = list;
      this.remotesLoaded = true;
      this.remotesFailure = null;
    } catch (e) {
      if (this.#remotesTicket.isCurrent(ticket)) this.remotesFailure = toFailure(e);
    }
  }

  /** The check of this address, when the last one was of it. */
  checkOf(address: PlatformAddress): ConnectionCheck | null {
    return this.connection?.key === addressKey(address) ? this.connection : null;
  }

  /**
   * Finds the platform's services at `address` and keeps what each answered. An address checked already is not
   * asked again unless `force` (the Check connection button); a check of it under way is waited for.
   */
  async checkConnection(address: PlatformAddress, opts: { force?: boolean } = {}): Promise<ConnectionCheck> {
    const key = addressKey(address);
    if (this.#checkInFlight?.key === key) return this.#checkInFlight.done;
    if (!opts.force && this.connection?.key === key) return this.connection;
    const ticket = this.#checkTicket.next();
    this.checking = true;
    const done = (async (): Promise<ConnectionCheck> => {
      let result: ConnectionCheck;
      try {
        result = { key, address, report: await api.platformCheck(address), failure: null };
      } catch (e) {
        result = { key, address, report: null, failure: toFailure(e) };
      }
      if (this.#checkTicket.isCurrent(ticket)) {
        this.connection = result;
        this.checking = false;
        this.#checkInFlight = null;
      }
      return result;
    })();
    this.#checkInFlight = { key, done };
    return done;
  }

  /**
   * Before a sign-in: the check of its address (asked again unless the last one found Origin and Mantle). The
   * report when the sign-in can go ahead; null otherwise, with the reason shown (a missing service as a sign-in
   * problem, an address that cannot be used as the check's failure).
   */
  async checkBeforeSignIn(address: PlatformAddress): Promise<ConnectionReport | null> {
    this.signInProblem = null;
    let check = this.checkOf(address);
    if (!check?.report || !reportView(check.report).canSignIn) check = await this.checkConnection(address, { force: true });
    if (!check.report) return null;
    const missing = reportView(check.report).missing;
    if (missing) {
      this.signInProblem = missingServiceProblem(missing, address.url);
      return null;
    }
    return check.report;
  }

  async signIn(values: SignInFormValues): Promise<boolean> {
    if (this.signingIn) return false;
    this.#cancelled = false;
    this.signingIn = values.method;
    this.signInProblem = null;
    const address = platformAddress(values);
    try {
      const account = await api.platformSignIn(address, signInRequest(values));
      toasts.success(`Signed in as ${accountName(account)}`, signedInDetail(account));
      this.signInIntent = null;
      await this.load();
      void this.loadRemotes();
      return true;
    } catch (e) {
      const f = toFailure(e);
      const hint = signInHintFor(f.error, address.url);
      if (!this.#cancelled && hint !== null) this.signInProblem = { message: f.message, hint };
      // A service that was there at the check and is not now: show what a check finds now.
      const reason = platformFailureOf(f.error);
      if (reason === "origin_not_found" || reason === "mantle_not_found") void this.checkConnection(address, { force: true });
      return false;
    } finally {
      this.signingIn = null;
      this.#cancelled = false;
    }
  }

  /** Shows the sign-in card (to sign in again while signed in), opened and focused as asked. */
  openSignIn(opts: { serviceUrls?: boolean; method?: SignInMethod | null; focus?: SignInIntent["focus"] } = {}): void {
    this.signInIntent = {
      serviceUrls: opts.serviceUrls ?? false,
      method: opts.method ?? null,
      focus: opts.focus ?? (opts.serviceUrls ? "chorus_url" : "url"),
      seq: ++this.#intentSeq,
    };
  }

  /** Back to the account, keeping the current sign-in. */
  closeSignIn(): void {
    this.signInIntent = null;
    this.signInProblem = null;
  }

  /** Stops waiting for the browser; the sign-in then ends without a problem to show. */
  async cancelSignIn(): Promise<void> {
    if (!this.signingIn) return;
    this.#cancelled = true;
    try {
      await api.platformSignInCancel();
    } catch (e) {
      this.#cancelled = false;
      toasts.error("Couldn't cancel the sign-in", e);
    }
  }

  dismissSignInProblem(): void {
    this.signInProblem = null;
  }

  async signOut(): Promise<boolean> {
    if (this.signingOut) return false;
    const ok = await confirmer.ask({
      title: "Sign out of the platform?",
      message: "Linked workspaces stay on this computer with their changes; they sync again when you sign in. The relay stops until then.",
      detail: "Atrium deletes the platform's tokens from your keychain.",
      okLabel: "Sign out",
    });
    if (!ok) return false;
    this.signingOut = true;
    try {
      await api.platformSignOut();
      toasts.success("Signed out of the platform");
      await this.load();
      return true;
    } catch (e) {
      toasts.error("Couldn't sign out", e);
      return false;
    } finally {
      this.signingOut = false;
    }
  }

  async syncNow(workspaceId: string, title: string): Promise<void> {
    if (this.busy[workspaceId]) return;
    this.#setBusy(workspaceId, "sync");
    try {
      const statuses = await api.syncNow(workspaceId);
      for (const s of statuses) this.onSyncStatus(s);
    } catch (e) {
      toasts.error(`Couldn't sync “${title}”`, e);
      void this.load({ quiet: true });
    } finally {
      this.#setBusy(workspaceId, null);
      this.#clearProgress(workspaceId);
    }
  }

  /** Asks, then stops syncing: both copies stay. */
  async unlink(sync: WorkspaceSync, title: string): Promise<boolean> {
    const ok = await confirmer.ask({
      title: `Stop syncing “${title}”?`,
      message: "Both copies stay: this computer keeps its workspace and the platform keeps its own, but changes no longer travel between them.",
      detail:
        sync.pending > 0
          ? `${plural(sync.pending, "change")} made here ${sync.pending === 1 ? "has" : "have"} not reached the platform yet; ${sync.pending === 1 ? "it stays" : "they stay"} only here.`
          : "You can bring it here again from the platform at any time.",
      okLabel: "Stop syncing",
    });
    if (!ok) return false;
    return this.#run(sync.workspace_id, "unlink", `Couldn't stop syncing “${title}”`, async () => {
      await api.workspaceUnlink(sync.workspace_id);
      toasts.success(`Stopped syncing “${title}”`, "Both copies stay where they are.");
    });
  }

  /** Brings a platform workspace to this computer and keeps the two in sync. */
  async linkRemote(remote: RemoteWorkspaceView): Promise<Workspace | null> {
    let made: Workspace | null = null;
    await this.#run(remote.remote.id, "link", `Couldn't bring “${remote.remote.name}” here`, async () => {
      made = await api.workspaceLinkRemote(remote.remote.id);
      toasts.success(`“${made.title}” is on this computer`, "Its artifacts arrive in the background; it stays in sync.");
    });
    return made;
  }

  /** Puts a local workspace on the platform and keeps the two in sync. */
  async publish(workspace: Pick<Workspace, "id" | "title">): Promise<boolean> {
    return this.#run(workspace.id, "publish", `Couldn't publish “${workspace.title}”`, async () => {
      await api.workspacePublish(workspace.id);
      toasts.success(`Published “${workspace.title}”`, "It is on the platform now and stays in sync.");
    });
  }

  async toggleRelay(action: "pause" | "resume"): Promise<void> {
    if (this.relayBusy) return;
    this.relayBusy = true;
    try {
      this.onRelayStatus(action === "pause" ? await api.relayPause() : await api.relayResume());
    } catch (e) {
      toasts.error(action === "pause" ? "Couldn't pause the relay" : "Couldn't resume the relay", e);
    } finally {
      this.relayBusy = false;
    }
  }

  /** Saves the shared folders; a refusal (a folder that does not exist) comes back to show by the field. */
  async setRoots(roots: string[]): Promise<{ ok: true } | { ok: false; failure: ApiFailure }> {
    this.rootsSaving = true;
    try {
      const saved = await api.relaySetRoots(roots);
      if (this.status) this.status.allowed_roots = saved;
      return { ok: true };
    } catch (e) {
      return { ok: false, failure: toFailure(e) };
    } finally {
      this.rootsSaving = false;
    }
  }

  openConflicts(workspaceId: string | null): void {
    this.page = { kind: "conflicts", workspaceId };
  }

  closeConflicts(): void {
    this.page = { kind: "overview" };
  }

  // ---- live events ----------------------------------------------------------------------------------------------

  onSyncProgress(p: SyncProgress): void {
    this.progress = { ...this.progress, [p.workspace_id]: p };
  }

  onSyncStatus(s: WorkspaceSync): void {
    this.#eventsDuringLoad?.push(() => this.onSyncStatus(s));
    if (s.state !== "syncing") this.#clearProgress(s.workspace_id);
    if (!this.status) return;
    const list = this.status.workspaces;
    const i = list.findIndex((x) => x.workspace_id === s.workspace_id);
    this.status.workspaces = i < 0 ? [...list, s] : list.map((x) => (x.workspace_id === s.workspace_id ? s : x));
    // The session ended by itself: read the account again (its reason, its last address).
    if (s.state === "signed_out" && this.signedIn) void this.load({ quiet: true });
  }

  onRelayStatus(r: RelayStatus): void {
    this.#eventsDuringLoad?.push(() => this.onRelayStatus(r));
    this.relayAt = Date.now();
    if (!this.status) return;
    this.status.relay = r;
    const account = this.status.account;
    if (r.state === "signed_out" && account.state === "signed_in" && carriesRelay(account.account.method)) void this.load({ quiet: true });
  }

  // ---- internals ------------------------------------------------------------------------------------------------

  /** Runs a workspace action, then reads the workspaces, the status and the platform's list again. */
  async #run(id: string, what: string, failure: string, action: () => Promise<void>): Promise<boolean> {
    if (this.busy[id]) return false;
    this.#setBusy(id, what);
    try {
      await action();
      await Promise.all([this.#hooks.workspacesChanged(), this.load({ quiet: true })]);
      void this.loadRemotes();
      return true;
    } catch (e) {
      toasts.error(failure, e);
      return false;
    } finally {
      this.#setBusy(id, null);
    }
  }

  #setBusy(id: string, what: string | null): void {
    if (what) this.busy = { ...this.busy, [id]: what };
    else if (id in this.busy) {
      const { [id]: _done, ...rest } = this.busy;
      this.busy = rest;
    }
  }

  #clearProgress(workspaceId: string): void {
    if (!(workspaceId in this.progress)) return;
    const { [workspaceId]: _p, ...rest } = this.progress;
    this.progress = rest;
  }
}

export const platform = new PlatformModel({ workspacesChanged: () => app.loadWorkspaces() });
