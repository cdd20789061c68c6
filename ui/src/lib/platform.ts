/**
 * How the Agience platform's state is shown: the sync and relay badges, a sync's progress, who is signed in, which
 * workspaces are where, and whether a server is published for the relay. Pure: the Platform store and screen use it.
 */
import type {
  AccountInfo,
  ApiError,
  JsonValue,
  RelayReason,
  RelayState,
  RelayStatus,
  RemoteWorkspaceView,
  SignInMethod,
  SyncProgress,
  SyncState,
  Workspace,
  WorkspaceSync,
} from "./bindings";
import { platformFailureOf, signInFailureOf } from "./errors";
import { formatBytes, plural } from "./format";
import { SIGN_IN_HINTS } from "./serverAuth";
import type { Tone } from "./serverStatus";

export interface Badge<S extends string> {
  /** The state name, for `data-state`. */
  state: S;
  label: string;
  tone: Tone;
  /** A sentence for the tooltip. */
  title: string;
}

/** A linked workspace's badge. */
export function syncBadge(state: SyncState): Badge<SyncState> {
  switch (state) {
    case "idle":
      return { state, label: "Up to date", tone: "success", title: "Up to date as far as Atrium knows." };
    case "syncing":
      return { state, label: "Syncing…", tone: "progress", title: "A sync is running." };
    case "offline":
      return { state, label: "Offline", tone: "warning", title: "The platform cannot be reached. Changes wait here and go when it is back." };
    case "signed_out":
      return { state, label: "Signed out", tone: "neutral", title: "Sign in to sync. Changes wait here until then." };
    case "failed":
      return { state, label: "Failed", tone: "danger", title: "The last sync failed: see the message." };
  }
}

/** The relay's badge. */
export function relayBadge(state: RelayState): Badge<RelayState> {
  switch (state) {
    case "off":
      return { state, label: "Off", tone: "neutral", title: "The relay is not running." };
    case "paused":
      return { state, label: "Paused", tone: "neutral", title: "Paused: the platform cannot reach the servers published from here." };
    case "connecting":
      return { state, label: "Connecting…", tone: "progress", title: "Connecting to the platform's relay." };
    case "connected":
      return { state, label: "Connected", tone: "success", title: "The platform can reach the servers published from here." };
    case "offline":
      return { state, label: "Offline", tone: "warning", title: "Not connected; Atrium tries again after a pause." };
    case "signed_out":
      return { state, label: "Signed out", tone: "neutral", title: "The relay needs a browser or password sign-in." };
    case "unavailable":
      return { state, label: "Unavailable", tone: "warning", title: "The relay cannot connect until something is set up: see why below." };
  }
}

/** When the relay tries again: "retry in 12 s", "retrying now"; null when it is not waiting. */
export function relayRetryText(relay: Pick<RelayStatus, "state" | "retry_in_ms">, receivedAt: number, now: number): string | null {
  if (relay.state !== "offline" || relay.retry_in_ms === null) return null;
  const seconds = Math.ceil(Math.max(0, relay.retry_in_ms - Math.max(0, now - receivedAt)) / 1000);
  return seconds > 0 ? `retry in ${seconds} s` : "retrying now";
}

/**
 * Which relay button is offered: pause a running relay, resume (or start) a stopped one; none while signed out or
 * while it waits for something to be set up (pausing it would change nothing).
 */
export function relayToggle(state: RelayState): "pause" | "resume" | null {
  switch (state) {
    case "connecting":
    case "connected":
    case "offline":
      return "pause";
    case "paused":
    case "off":
      return "resume";
    case "signed_out":
    case "unavailable":
      return null;
  }
}

/** What the person can do about why the relay is not connected. */
export type RelayFix =
  /** The Resume button (the pause/resume toggle offers it). */
  | { kind: "resume" }
  /** Chorus was not found, or something else answers at its URL: sign in again giving Chorus's URL. */
  | { kind: "sign_in_with_chorus"; label: string; hint: string }
  /** Signed in with an API key: sign in again with a password or the browser. */
  | { kind: "sign_in_for_relay"; label: string; hint: string }
  /** Chorus refuses even a fresh token: sign out and in again. */
  | { kind: "sign_out_and_in"; label: string; hint: string };

/** The action offered for a reason; null when waiting is all there is to do (offline: the retry countdown). */
export function relayFix(reason: RelayReason | null): RelayFix | null {
  switch (reason?.kind) {
    case "paused":
      return { kind: "resume" };
    case "no_chorus":
    case "not_the_relay":
      return {
        kind: "sign_in_with_chorus",
        label: "Sign in again with Chorus's URL",
        hint: "Give Chorus's own URL under Service URLs (or ask the platform's administrator to route /relay to it).",
      };
    case "api_key":
      return { kind: "sign_in_for_relay", label: "Sign in with a password or the browser", hint: "An API key syncs workspaces, but the relay needs your own sign-in." };
    case "refused":
      return { kind: "sign_out_and_in", label: "Sign out and in again", hint: "A new session gets new tokens; if the platform still refuses them, ask its administrator." };
    // Signed out: the sign-in card is the action. Offline: waiting (the retry countdown) is all there is to do.
    case "signed_out":
    case "unreachable":
    case "dropped":
    case undefined:
      return null;
  }
}

/** Who serves the relay, when it is another Atrium process (`atrium relay` in a terminal, another window). */
export function relayServedBy(relay: Pick<RelayStatus, "served_by">): string | null {
  return relay.served_by === null ? null : `Served by another Atrium process (pid ${relay.served_by})`;
}

/**
 * A sync's progress for its bar: receiving counts bytes ("1.2 MB of 3.4 MB"), sending counts changes ("3 of 7
 * changes"). `fraction` is null when the total is not known yet (an indeterminate bar).
 */
export function progressView(p: Pick<SyncProgress, "phase" | "done" | "total">): { fraction: number | null; label: string } {
  const total = Math.max(0, p.total);
  const done = Math.max(0, Math.min(p.done, total || p.done));
  const fraction = total > 0 ? done / total : null;
  if (p.phase === "pulling") {
    return { fraction, label: total > 0 ? `Receiving ${formatBytes(done)} of ${formatBytes(total)}` : "Receiving…" };
  }
  return { fraction, label: total > 0 ? `Sending ${done} of ${plural(total, "change")}` : "Sending…" };
}

export const METHOD_LABELS: Record<SignInMethod, string> = { browser: "Browser", password: "Password", api_key: "API key" };

/** How the account signed in, after "Signed in …". */
export const METHOD_PHRASES: Record<SignInMethod, string> = { browser: "in the browser", password: "with a password", api_key: "with an API key" };

/** Who is signed in, in words: "Dana Reyes (dana@example.com)". */
export function accountName(account: AccountInfo): string {
  const name = account.user.name.trim() || account.user.id;
  const email = account.user.email?.trim();
  return email && email !== name ? `${name} (${email})` : name;
}

/** A platform address as people read it: without the scheme and a trailing slash. */
export function shortUrl(url: string): string {
  return url.trim().replace(/^https?:\/\//i, "").replace(/\/+$/, "");
}

/** Whether a sign-in with this method can carry the relay (an API key syncs workspaces only). */
export function carriesRelay(method: SignInMethod): boolean {
  return method !== "api_key";
}

/** A linked workspace's facts line: "2 pending changes · last synced 5 min ago". */
export function pendingText(pending: number): string {
  return pending > 0 ? `${plural(pending, "change")} waiting to go` : "Nothing waiting to go";
}

export interface WorkspacePlaces {
  /** Linked here, with their sync status, by local title. */
  linked: { sync: WorkspaceSync; title: string }[];
  /** On the platform, not on this computer. */
  remoteOnly: RemoteWorkspaceView[];
  /** On this computer, not on the platform. */
  localOnly: Workspace[];
}

/** Sorts the workspaces into the Platform screen's three lists. */
export function workspacePlaces(syncs: readonly WorkspaceSync[], remotes: readonly RemoteWorkspaceView[], locals: readonly Workspace[]): WorkspacePlaces {
  const byId = new Map(locals.map((w) => [w.id, w]));
  const linkedIds = new Set(syncs.map((s) => s.workspace_id));
  const byTitle = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "base" });
  const linked = syncs
    .map((sync) => ({ sync, title: byId.get(sync.workspace_id)?.title ?? "A workspace that is no longer here" }))
    .sort((a, b) => byTitle(a.title, b.title));
  const linkedRemotes = new Set(syncs.map((s) => s.remote_id));
  const remoteOnly = remotes
    .filter((r) => !r.linked_workspace_id && !linkedRemotes.has(r.remote.id))
    .sort((a, b) => byTitle(a.remote.name, b.remote.name));
  const localOnly = locals.filter((w) => !linkedIds.has(w.id)).sort((a, b) => byTitle(a.title, b.title));
  return { linked, remoteOnly, localOnly };
}

/** Whether a refused publish says the server's workspace must go to the platform first. */
export function needsWorkspacePublish(error: Pick<ApiError, "details">): boolean {
  return platformFailureOf(error) === "workspace_not_published";
}

/**
 * What to do after a failed platform sign-in, by its reason or code; null when there is nothing to show (cancelled).
 * `address`: the platform address as sent, to say where Mantle usually is.
 */
export function signInHintFor(error: ApiError, address: string | null = null): string | null {
  if (error.code === "cancelled") return null;
  switch (platformFailureOf(error)) {
    case "origin_not_found":
      return "Check the address: it is the one you open in the browser to use the platform (like https://agience.example.com), or its sign-in service's own.";
    case "mantle_not_found":
      return `Give Mantle's URL under Service URLs: on a one-address install it is ${address ? `${address.replace(/\/+$/, "")}/api` : "<address>/api"}; otherwise ask the platform's administrator.`;
    case "needs_user_token":
      return "Sign in with the browser or a password instead.";
    case "bad_url":
      return "Check the address (the platform's main address, like https://agience.example.com), then sign in again.";
    case "unknown_provider":
      return "Choose one of the providers this platform offers. If it offers none, it has no browser sign-in set up: sign in with a password, or ask its administrator.";
    case "bad_credentials":
      return "Check what you typed (the username and password, or the API key), then sign in again.";
  }
  const reason = signInFailureOf(error);
  if (reason) return SIGN_IN_HINTS[reason];
  switch (error.code) {
    case "platform_unavailable":
      return "Check the address and your network connection, then sign in again.";
    case "invalid_input":
      return "Check the address (the platform's main address, like https://agience.example.com) and what you typed, then sign in again.";
    case "platform_failed":
      return "The platform refused the sign-in or answered something unexpected. Check your credentials, then try again.";
    case "keychain_unavailable":
      return "Atrium keeps the platform's tokens in the system keychain: unlock it (GNOME Keyring or KWallet on Linux), then sign in again.";
    default:
      return "Try again. If it keeps failing, check the platform's address.";
  }
}
