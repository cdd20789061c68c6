import { describe, expect, it } from "vitest";
import type { AccountInfo, ApiError, ErrorCode, PlatformFailure, RemoteWorkspaceView, SyncState, Workspace, WorkspaceSync } from "./bindings";
import {
  accountName,
  carriesRelay,
  needsWorkspacePublish,
  pendingText,
  progressView,
  relayBadge,
  relayFix,
  relayRetryText,
  relayServedBy,
  relayToggle,
  shortUrl,
  signInHintFor,
  syncBadge,
  workspacePlaces,
} from "./platform";

const sync = (workspace_id: string, over: Partial<WorkspaceSync> = {}): WorkspaceSync => ({
  workspace_id,
  remote_id: `r-${workspace_id}`,
  state: "idle",
  pending: 0,
  conflicts: 0,
  last_pull: null,
  message: null,
  ...over,
});
const ws = (id: string, title: string) => ({ id, title, description: "", remote_id: null, artifact_count: 0 }) as Workspace;
const remote = (id: string, name: string, linked: string | null = null): RemoteWorkspaceView => ({
  remote: { id, name, description: "", modified_time: "2025-01-01T00:00:00Z" },
  linked_workspace_id: linked,
});

describe("sync badge", () => {
  it("gives every state a label and a tone", () => {
    const tones: Record<SyncState, string> = { idle: "success", syncing: "progress", offline: "warning", signed_out: "neutral", failed: "danger" };
    for (const [state, tone] of Object.entries(tones) as [SyncState, string][]) {
      const b = syncBadge(state);
      expect(b.state).toBe(state);
      expect(b.tone).toBe(tone);
      expect(b.label.length).toBeGreaterThan(3);
      expect(b.title.length).toBeGreaterThan(10);
    }
    expect(syncBadge("idle").label).toBe("Up to date");
    expect(syncBadge("signed_out").label).toBe("Signed out");
  });

  it("says what waits", () => {
    expect(pendingText(0)).toBe("Nothing waiting to go");
    expect(pendingText(1)).toBe("1 change waiting to go");
    expect(pendingText(3)).toBe("3 changes waiting to go");
  });
});

describe("relay", () => {
  it("labels each state and offers pause or resume", () => {
    expect(relayBadge("connected")).toMatchObject({ label: "Connected", tone: "success" });
    expect(relayBadge("offline")).toMatchObject({ label: "Offline", tone: "warning" });
    expect(relayBadge("connecting").tone).toBe("progress");
    expect(relayBadge("paused").tone).toBe("neutral");
    expect(relayToggle("connected")).toBe("pause");
    expect(relayToggle("offline")).toBe("pause");
    expect(relayToggle("paused")).toBe("resume");
    expect(relayToggle("off")).toBe("resume");
    expect(relayToggle("signed_out")).toBeNull();
    expect(relayBadge("unavailable")).toMatchObject({ state: "unavailable", label: "Unavailable", tone: "warning" });
    expect(relayToggle("unavailable")).toBeNull();
  });

  it("offers an action keyed by why it is not connected", () => {
    expect(relayFix(null)).toBeNull();
    expect(relayFix({ kind: "paused" })).toEqual({ kind: "resume" });
    expect(relayFix({ kind: "no_chorus" })).toMatchObject({ kind: "sign_in_with_chorus", label: "Sign in again with Chorus's URL" });
    expect(relayFix({ kind: "not_the_relay", url: "wss://p.example/relay/v1/connect", status: 200 })).toMatchObject({ kind: "sign_in_with_chorus" });
    expect(relayFix({ kind: "api_key" })).toMatchObject({ kind: "sign_in_for_relay", label: "Sign in with a password or the browser" });
    expect(relayFix({ kind: "refused", status: 403 })).toMatchObject({ kind: "sign_out_and_in" });
    // Signed out: the sign-in card is the action; offline: waiting (the countdown) is all there is to do.
    expect(relayFix({ kind: "signed_out" })).toBeNull();
    expect(relayFix({ kind: "unreachable", url: "wss://p.example", error: "refused" })).toBeNull();
    expect(relayFix({ kind: "dropped", error: "closed" })).toBeNull();
  });

  it("says when another Atrium process serves it", () => {
    expect(relayServedBy({ served_by: null })).toBeNull();
    expect(relayServedBy({ served_by: 4242 })).toBe("Served by another Atrium process (pid 4242)");
  });

  it("counts down to the next attempt only while offline", () => {
    const offline = { state: "offline" as const, retry_in_ms: 12_000 };
    expect(relayRetryText(offline, 1000, 1000)).toBe("retry in 12 s");
    expect(relayRetryText(offline, 1000, 3500)).toBe("retry in 10 s");
    expect(relayRetryText(offline, 1000, 20_000)).toBe("retrying now");
    expect(relayRetryText({ state: "offline", retry_in_ms: null }, 0, 0)).toBeNull();
    expect(relayRetryText({ state: "connected", retry_in_ms: 5000 }, 0, 0)).toBeNull();
  });
});

describe("sync progress", () => {
  it("shows bytes when receiving and changes when sending", () => {
    expect(progressView({ phase: "pulling", done: 1536, total: 3 * 1024 * 1024 })).toEqual({ fraction: 1536 / (3 * 1024 * 1024), label: "Receiving 1.5 KB of 3 MB" });
    expect(progressView({ phase: "pushing", done: 3, total: 7 })).toEqual({ fraction: 3 / 7, label: "Sending 3 of 7 changes" });
    expect(progressView({ phase: "pushing", done: 1, total: 1 }).label).toBe("Sending 1 of 1 change");
  });

  it("is indeterminate without a total and never runs past the end", () => {
    expect(progressView({ phase: "pulling", done: 500, total: 0 })).toEqual({ fraction: null, label: "Receiving…" });
    expect(progressView({ phase: "pushing", done: 0, total: 0 })).toEqual({ fraction: null, label: "Sending…" });
    expect(progressView({ phase: "pushing", done: 9, total: 4 })).toEqual({ fraction: 1, label: "Sending 4 of 4 changes" });
    expect(progressView({ phase: "pulling", done: -5, total: 10 }).fraction).toBe(0);
  });
});

describe("account", () => {
  const account = (over: Partial<AccountInfo["user"]> = {}, method: AccountInfo["method"] = "browser"): AccountInfo => ({
    urls: { origin: "https://agience.example.com/", mantle: "", chorus: "" },
    method,
    user: { id: "u1", name: "Dana", email: "dana@example.com", ...over },
  });

  it("names who is signed in, and where", () => {
    expect(accountName(account())).toBe("Dana (dana@example.com)");
    expect(accountName(account({ email: null }))).toBe("Dana");
    expect(accountName(account({ name: " ", email: null }))).toBe("u1");
    expect(accountName(account({ name: "dana@example.com" }))).toBe("dana@example.com");
    expect(shortUrl("https://agience.example.com/")).toBe("agience.example.com");
    expect(shortUrl("http://localhost:8080")).toBe("localhost:8080");
  });

  it("knows an API key cannot carry the relay", () => {
    expect(carriesRelay("browser")).toBe(true);
    expect(carriesRelay("password")).toBe(true);
    expect(carriesRelay("api_key")).toBe(false);
  });
});

describe("workspace places", () => {
  it("sorts workspaces into linked, only there and only here", () => {
    const places = workspacePlaces(
      [sync("b"), sync("a")],
      [remote("r-a", "A", "a"), remote("r-x", "x-ray"), remote("r-c", "Charlie"), remote("r-b", "B")],
      [ws("a", "Alpha"), ws("b", "beta"), ws("c", "Gamma"), ws("d", "delta")],
    );
    expect(places.linked.map((l) => l.title)).toEqual(["Alpha", "beta"]);
    // r-b is linked (by the sync's remote id) even though the platform's list did not say so.
    expect(places.remoteOnly.map((r) => r.remote.id)).toEqual(["r-c", "r-x"]);
    expect(places.localOnly.map((w) => w.id)).toEqual(["d", "c"]);
  });

  it("names a linked workspace that is no longer here", () => {
    expect(workspacePlaces([sync("gone")], [], []).linked[0].title).toMatch(/no longer here/);
  });
});

describe("publishing a server", () => {
  it("recognises the refusal that asks to publish the workspace first", () => {
    const refusal = (reason: PlatformFailure): ApiError => ({ code: "invalid_input", message: "(any wording)", details: { kind: "platform", reason } });
    expect(needsWorkspacePublish(refusal("workspace_not_published"))).toBe(true);
    expect(needsWorkspacePublish(refusal("bad_url"))).toBe(false);
    expect(needsWorkspacePublish({ details: null })).toBe(false);
  });
});

describe("sign-in hints", () => {
  const error = (code: ErrorCode, details: ApiError["details"] = null): ApiError => ({ code, message: "(any wording)", details });
  it("says nothing after a cancel and what to do otherwise", () => {
    expect(signInHintFor(error("cancelled", { kind: "sign_in", reason: "cancelled" }))).toBeNull();
    expect(signInHintFor(error("platform_unavailable"))).toMatch(/network/);
    expect(signInHintFor(error("invalid_input", { kind: "platform", reason: "bad_url" }))).toMatch(/address/);
    expect(signInHintFor(error("invalid_input", { kind: "platform", reason: "needs_user_token" }))).toMatch(/browser or a password/);
    expect(signInHintFor(error("sign_in_failed", { kind: "sign_in", reason: "access_denied" }))).toMatch(/approve/);
    expect(signInHintFor(error("keychain_unavailable"))).toMatch(/keychain/);
    expect(signInHintFor(error("internal"))).toMatch(/Try again/);
  });

  it("says what to do when a service was not found", () => {
    const notFound = (reason: PlatformFailure) => error("platform_unavailable", { kind: "platform", reason });
    expect(signInHintFor(notFound("origin_not_found"))).toMatch(/^Check the address/);
    expect(signInHintFor(notFound("mantle_not_found"), "https://agience.example.com/")).toMatch(
      /Give Mantle's URL under Service URLs: on a one-address install it is https:\/\/agience\.example\.com\/api/,
    );
    expect(signInHintFor(notFound("mantle_not_found"))).toMatch(/<address>\/api/);
    expect(signInHintFor(error("invalid_input", { kind: "platform", reason: "unknown_provider" }))).toMatch(/providers this platform offers.*password/);
  });
});
