import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Artifact, ConnectionReport, PlatformView, Registration, RelayStatus, ServiceCheck, SyncConflict, WorkspaceSync } from "./bindings";
import { ApiFailure } from "./errors";
import { emptySignInForm } from "./platformForms";
import { confirmer, toasts } from "./ui.svelte";

const api = vi.hoisted(() => ({
  platformStatus: vi.fn(),
  platformCheck: vi.fn(),
  platformSignIn: vi.fn(),
  platformSignInCancel: vi.fn(),
  platformSignOut: vi.fn(),
  platformWorkspaces: vi.fn(),
  workspacePublish: vi.fn(),
  workspaceLinkRemote: vi.fn(),
  workspaceUnlink: vi.fn(),
  syncNow: vi.fn(),
  syncConflicts: vi.fn(),
  syncResolve: vi.fn(),
  relayPause: vi.fn(),
  relayResume: vi.fn(),
  relaySetRoots: vi.fn(),
  serverPublish: vi.fn(),
  serverUnpublish: vi.fn(),
  artifactGet: vi.fn(),
  /** The reads in the background, without the busy indicator. */
  quiet: { platformStatus: vi.fn() },
}));
vi.mock("./api", () => ({ api }));

const { PlatformModel, signedInDetail } = await import("./platform.svelte");
const { ConflictsModel } = await import("./syncConflicts.svelte");
const { ServerPublishModel } = await import("./serverPublish.svelte");

const relay = (over: Partial<RelayStatus> = {}): RelayStatus => ({
  state: "connected",
  reason: null,
  message: null,
  requests_served: 0,
  last_request_at: null,
  retry_in_ms: null,
  served_by: null,
  ...over,
});
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
const signedIn = (workspaces: WorkspaceSync[] = [sync("w1")]): PlatformView => ({
  account: { state: "signed_in", account: { urls: { origin: "https://p.example", mantle: "", chorus: "" }, method: "browser", user: { id: "u", name: "Dana", email: null } } },
  workspaces,
  relay: relay(),
  allowed_roots: ["/home/dana"],
});
const signedOut = (reason: string | null = null): PlatformView => ({
  account: { state: "signed_out", reason, last_urls: null },
  workspaces: [sync("w1", { state: "signed_out" })],
  relay: relay({ state: "signed_out" }),
  allowed_roots: [],
});
const failure = (code: ApiFailure["code"], message: string) => new ApiFailure({ code, message, details: null });
const service = (name: ServiceCheck["service"], url: string | null): ServiceCheck => ({
  service: name,
  url,
  found_by: url ? "front_layout" : null,
  tried: [{ url: `${url ?? "https://p.example/api"}/`, answer: url ? { kind: "service" } : { kind: "status", status: 404 } }],
  note: null,
});
const report = (over: { mantle?: string | null; chorus?: string | null } = {}): ConnectionReport => ({
  origin: service("origin", "https://p.example"),
  mantle: service("mantle", over.mantle === undefined ? "https://p.example/api" : over.mantle),
  chorus: service("chorus", over.chorus === undefined ? "https://p.example" : over.chorus),
  sign_in: { providers: [{ name: "google", label: "Google" }], password: true, otp: false },
});
const address = (url = "https://p.example") => ({ url, mantle_url: null, chorus_url: null });

function model() {
  const workspacesChanged = vi.fn(async () => {});
  return { m: new PlatformModel({ workspacesChanged }), workspacesChanged };
}

beforeEach(() => {
  const { quiet, ...loud } = api;
  for (const f of [...Object.values(loud), ...Object.values(quiet)]) f.mockReset();
  toasts.items = [];
  confirmer.current?.resolve(false);
});

describe("PlatformModel", () => {
  it("loads the status, and the platform's list only when signed in", async () => {
    const { m } = model();
    api.platformStatus.mockResolvedValue(signedOut());
    await m.load();
    expect(m.signedIn).toBe(false);
    await m.loadRemotes();
    expect(api.platformWorkspaces).not.toHaveBeenCalled();
    api.platformStatus.mockResolvedValue(signedIn([sync("w1", { conflicts: 2 }), sync("w2", { state: "failed" })]));
    api.platformWorkspaces.mockResolvedValue([{ remote: { id: "r9", name: "N", description: "", modified_time: "" }, linked_workspace_id: null }]);
    await m.load();
    await m.loadRemotes();
    expect(m.signedIn).toBe(true);
    expect(m.remotes).toHaveLength(1);
    expect(m.conflictTotal).toBe(2);
    expect(m.attention).toBe("conflicts");
    expect(m.syncOf("w2")?.state).toBe("failed");
  });

  it("follows sync progress and status events, and drops the bar when the sync ends", async () => {
    const { m } = model();
    api.platformStatus.mockResolvedValue(signedIn());
    await m.load();
    m.onSyncProgress({ workspace_id: "w1", phase: "pulling", done: 10, total: 100 });
    expect(m.progress.w1?.done).toBe(10);
    m.onSyncStatus(sync("w1", { state: "syncing" }));
    expect(m.progress.w1).toBeDefined();
    m.onSyncStatus(sync("w1", { state: "idle", pending: 0, conflicts: 1 }));
    expect(m.progress.w1).toBeUndefined();
    expect(m.syncOf("w1")?.conflicts).toBe(1);
    m.onSyncStatus(sync("w3"));
    expect(m.syncs.map((s) => s.workspace_id)).toEqual(["w1", "w3"]);
    m.onRelayStatus(relay({ state: "offline", retry_in_ms: 5000 }));
    expect(m.status?.relay.state).toBe("offline");
    expect(m.relayAt).toBeGreaterThan(0);
  });

  it("reads the account again when the session ends by itself", async () => {
    const { m } = model();
    api.platformStatus.mockResolvedValue(signedIn());
    await m.load();
    api.quiet.platformStatus.mockResolvedValue(signedOut("Your session expired."));
    m.onSyncStatus(sync("w1", { state: "signed_out" }));
    await vi.waitFor(() => expect(m.status?.account).toMatchObject({ state: "signed_out", reason: "Your session expired." }));
    expect(api.quiet.platformStatus).toHaveBeenCalledTimes(1);
  });

  it("signs in with the chosen method, then reads everything again", async () => {
    const { m } = model();
    const view = signedIn();
    api.platformSignIn.mockResolvedValue(view.account.state === "signed_in" ? view.account.account : null);
    api.platformStatus.mockResolvedValue(signedIn());
    api.platformWorkspaces.mockResolvedValue([]);
    const ok = await m.signIn({ ...emptySignInForm("agience.example.com"), method: "password", identifier: " dana ", password: "pw" });
    expect(ok).toBe(true);
    expect(api.platformSignIn).toHaveBeenCalledWith(
      { url: "https://agience.example.com", mantle_url: null, chorus_url: null },
      { method: "password", identifier: "dana", password: "pw" },
    );
    expect(m.signedIn).toBe(true);
    expect(m.signingIn).toBeNull();
    expect(toasts.items[0]?.title).toBe("Signed in as Dana");
  });

  it("shows why a sign-in failed, but not after a cancel", async () => {
    const { m } = model();
    api.platformSignIn.mockRejectedValue(failure("platform_unavailable", "Could not reach https://p.example."));
    expect(await m.signIn(emptySignInForm("https://p.example"))).toBe(false);
    expect(m.signInProblem).toEqual({ message: "Could not reach https://p.example.", hint: expect.stringMatching(/network/) });

    let reject: (e: unknown) => void = () => {};
    api.platformSignIn.mockImplementation(() => new Promise((_, r) => (reject = r)));
    api.platformSignInCancel.mockImplementation(async () => {
      reject(failure("platform_failed", "Stopped waiting."));
      return true;
    });
    const signing = m.signIn(emptySignInForm("https://p.example"));
    expect(m.signingIn).toBe("browser");
    expect(m.signInProblem).toBeNull();
    await m.cancelSignIn();
    expect(await signing).toBe(false);
    expect(m.signInProblem).toBeNull();
    expect(m.signingIn).toBeNull();
  });

  it("says in the toast whether the relay comes along", () => {
    const urls = { origin: "https://p.example", mantle: "https://p.example/api", chorus: "https://p.example" };
    expect(signedInDetail({ method: "password", urls })).toBe("Linked workspaces sync, and the relay connects.");
    expect(signedInDetail({ method: "browser", urls: { ...urls, chorus: null } })).toMatch(/relay stays off: Atrium did not find the platform's Chorus/);
    expect(signedInDetail({ method: "api_key", urls })).toMatch(/relay needs a browser or password sign-in/);
  });

  it("keeps a relay event that arrived while the status was being read", async () => {
    const { m } = model();
    let answer: (v: PlatformView) => void = () => {};
    api.platformStatus.mockImplementation(() => new Promise((r) => (answer = r)));
    const loading = m.load();
    m.onRelayStatus(relay({ state: "connected" }));
    const stale = signedIn();
    stale.relay = relay({ state: "connecting" });
    answer(stale);
    await loading;
    expect(m.status?.relay.state).toBe("connected");
    // Outside a read, an event is simply applied.
    m.onRelayStatus(relay({ state: "offline", retry_in_ms: 1000 }));
    expect(m.status?.relay.state).toBe("offline");
  });

  it("checks an address once, again when asked, and one check at a time", async () => {
    const { m } = model();
    api.platformCheck.mockResolvedValue(report());
    const [a, b] = await Promise.all([m.checkConnection(address()), m.checkConnection(address("https://p.example/"))]);
    expect(a).toBe(b);
    expect(api.platformCheck).toHaveBeenCalledTimes(1);
    expect(m.checkOf(address())?.report?.mantle.url).toBe("https://p.example/api");
    await m.checkConnection(address());
    expect(api.platformCheck).toHaveBeenCalledTimes(1);
    await m.checkConnection(address(), { force: true });
    expect(api.platformCheck).toHaveBeenCalledTimes(2);
    expect(m.checkOf(address("https://q.example"))).toBeNull();
    expect(m.checking).toBe(false);
  });

  it("keeps why an address could not be checked at all", async () => {
    const { m } = model();
    api.platformCheck.mockRejectedValue(new ApiFailure({ code: "invalid_input", message: "Not a URL.", details: { kind: "platform", reason: "bad_url" } }));
    const c = await m.checkConnection(address("https://bad"));
    expect(c.report).toBeNull();
    expect(c.failure?.code).toBe("invalid_input");
    expect(await m.checkBeforeSignIn(address("https://bad"))).toBeNull();
  });

  it("does not sign in when the check did not find Mantle, and says where it usually is", async () => {
    const { m } = model();
    api.platformCheck.mockResolvedValue(report({ mantle: null }));
    expect(await m.checkBeforeSignIn(address())).toBeNull();
    expect(m.signInProblem?.message).toMatch(/did not find its workspaces \(Mantle\)/);
    expect(m.signInProblem?.hint).toMatch(/Give Mantle's URL under Service URLs: on a one-address install it is https:\/\/p\.example\/api/);
    // A check that found nothing is asked again before the next try; one that found both is not.
    api.platformCheck.mockResolvedValue(report({ chorus: null }));
    expect(await m.checkBeforeSignIn(address())).toMatchObject({ chorus: { url: null } });
    expect(m.signInProblem).toBeNull();
    await m.checkBeforeSignIn(address());
    expect(api.platformCheck).toHaveBeenCalledTimes(2);
  });

  it("explains a sign-in refused for a service not found, and checks the address again", async () => {
    const { m } = model();
    api.platformCheck.mockResolvedValue(report({ mantle: null }));
    api.platformSignIn.mockRejectedValue(
      new ApiFailure({ code: "platform_unavailable", message: "Mantle was not found.", details: { kind: "platform", reason: "mantle_not_found" } }),
    );
    expect(await m.signIn({ ...emptySignInForm("https://p.example"), method: "password", identifier: "a", password: "b" })).toBe(false);
    expect(m.signInProblem).toEqual({ message: "Mantle was not found.", hint: expect.stringMatching(/https:\/\/p\.example\/api/) });
    await vi.waitFor(() => expect(m.checkOf(address())?.report?.mantle.url).toBeNull());
  });

  it("opens the sign-in card as asked, and closes it after signing in", async () => {
    const { m } = model();
    m.openSignIn({ serviceUrls: true });
    expect(m.signInIntent).toMatchObject({ serviceUrls: true, method: null, focus: "chorus_url" });
    const first = m.signInIntent?.seq;
    m.openSignIn({ method: "browser", focus: "method" });
    expect(m.signInIntent?.seq).not.toBe(first);
    const view = signedIn();
    api.platformSignIn.mockResolvedValue(view.account.state === "signed_in" ? view.account.account : null);
    api.platformStatus.mockResolvedValue(view);
    api.platformWorkspaces.mockResolvedValue([]);
    expect(await m.signIn(emptySignInForm("https://p.example"))).toBe(true);
    expect(api.platformSignIn).toHaveBeenCalledWith(address(), { method: "browser", provider: null });
    expect(m.signInIntent).toBeNull();
    m.openSignIn();
    m.closeSignIn();
    expect(m.signInIntent).toBeNull();
  });

  it("asks before signing out, then reads the status again", async () => {
    const { m } = model();
    api.platformStatus.mockResolvedValue(signedIn());
    await m.load();
    api.platformSignOut.mockResolvedValue(null);
    api.platformStatus.mockResolvedValue(signedOut());
    const out = m.signOut();
    expect(confirmer.current?.title).toBe("Sign out of the platform?");
    expect(confirmer.current?.message).toMatch(/stay on this computer/);
    confirmer.current?.resolve(true);
    expect(await out).toBe(true);
    expect(api.platformSignOut).toHaveBeenCalledTimes(1);
    expect(m.signedIn).toBe(false);
    expect(m.remotes).toEqual([]);
  });

  it("asks before it stops syncing, mentioning what has not gone yet", async () => {
    const { m, workspacesChanged } = model();
    api.platformStatus.mockResolvedValue(signedIn());
    api.workspaceUnlink.mockResolvedValue(null);
    const no = m.unlink(sync("w1", { pending: 3 }), "Notes");
    expect(confirmer.current?.title).toBe("Stop syncing “Notes”?");
    expect(confirmer.current?.message).toMatch(/Both copies stay/);
    expect(confirmer.current?.detail).toMatch(/3 changes made here have not reached the platform/);
    confirmer.current?.resolve(false);
    expect(await no).toBe(false);
    expect(api.workspaceUnlink).not.toHaveBeenCalled();

    const yes = m.unlink(sync("w1"), "Notes");
    confirmer.current?.resolve(true);
    expect(await yes).toBe(true);
    expect(api.workspaceUnlink).toHaveBeenCalledWith("w1");
    expect(workspacesChanged).toHaveBeenCalled();
  });

  it("syncs a workspace now and reports a failure", async () => {
    const { m } = model();
    api.platformStatus.mockResolvedValue(signedIn());
    await m.load();
    api.syncNow.mockResolvedValue([sync("w1", { last_pull: "2025-01-01T00:00:00Z" })]);
    await m.syncNow("w1", "Notes");
    expect(m.syncOf("w1")?.last_pull).toBe("2025-01-01T00:00:00Z");
    expect(m.busy).toEqual({});
    api.syncNow.mockRejectedValue(failure("signed_out", "Sign in first."));
    await m.syncNow("w1", "Notes");
    expect(toasts.items.at(-1)).toMatchObject({ kind: "error", title: "Couldn't sync “Notes”", hint: expect.stringMatching(/Sign in under Platform/) });
  });

  it("brings a platform workspace here and publishes one of ours", async () => {
    const { m, workspacesChanged } = model();
    api.platformStatus.mockResolvedValue(signedIn());
    api.platformWorkspaces.mockResolvedValue([]);
    await m.load();
    api.workspaceLinkRemote.mockResolvedValue({ id: "w9", title: "Design" });
    const made = await m.linkRemote({ remote: { id: "r9", name: "Design", description: "", modified_time: "" }, linked_workspace_id: null });
    expect(made?.id).toBe("w9");
    expect(api.workspaceLinkRemote).toHaveBeenCalledWith("r9");
    api.workspacePublish.mockRejectedValue(failure("platform_unavailable", "Offline."));
    expect(await m.publish({ id: "w2", title: "Infra" })).toBe(false);
    expect(toasts.items.at(-1)?.title).toBe("Couldn't publish “Infra”");
    expect(workspacesChanged).toHaveBeenCalledTimes(1);
    expect(m.busy).toEqual({});
  });

  it("pauses and resumes the relay, and saves the shared folders", async () => {
    const { m } = model();
    api.platformStatus.mockResolvedValue(signedIn());
    await m.load();
    api.relayPause.mockResolvedValue(relay({ state: "paused" }));
    await m.toggleRelay("pause");
    expect(m.status?.relay.state).toBe("paused");
    api.relayResume.mockResolvedValue(relay({ state: "connecting" }));
    await m.toggleRelay("resume");
    expect(m.status?.relay.state).toBe("connecting");
    api.relaySetRoots.mockResolvedValue(["/home/dana", "/srv/data"]);
    expect(await m.setRoots(["/home/dana", "/srv/data/"])).toEqual({ ok: true });
    expect(m.status?.allowed_roots).toEqual(["/home/dana", "/srv/data"]);
    api.relaySetRoots.mockRejectedValue(failure("invalid_input", "/nope is not a folder on this computer."));
    const r = await m.setRoots(["/nope"]);
    expect(!r.ok && r.failure.message).toBe("/nope is not a folder on this computer.");
    expect(m.status?.allowed_roots).toEqual(["/home/dana", "/srv/data"]);
  });
});

const artifact = (id: string, title: string) => ({ id, title, content: "mine", content_type: "text/plain", workspace_id: "w1" }) as Artifact;
const conflict = (artifact_id: string, over: Partial<SyncConflict> = {}): SyncConflict => ({
  artifact_id,
  workspace_id: "w1",
  kind: "both_edited",
  remote: { context: { title: `Remote ${artifact_id}` }, content: "theirs" },
  local: null,
  detected_time: "",
  ...over,
});

describe("ConflictsModel", () => {
  it("lists conflicts, selects the first and reads this computer's side", async () => {
    const resolved = vi.fn();
    const m = new ConflictsModel({ resolved });
    api.syncConflicts.mockResolvedValue([conflict("a1"), conflict("a2", { kind: "deleted_here_edited_there" })]);
    api.artifactGet.mockResolvedValue(artifact("a1", "Mine"));
    await m.load("w1");
    expect(api.syncConflicts).toHaveBeenCalledWith("w1");
    expect(m.selectedId).toBe("a1");
    expect(m.local).toMatchObject({ artifactId: "a1", loading: false, artifact: { title: "Mine" } });
    // Deleted here: nothing to read.
    await m.select("a2");
    expect(api.artifactGet).toHaveBeenCalledTimes(1);
    expect(m.local).toBeNull();
  });

  it("settles the selected conflict and moves to the next", async () => {
    const resolved = vi.fn();
    const m = new ConflictsModel({ resolved });
    api.syncConflicts.mockResolvedValue([conflict("a1"), conflict("a2")]);
    api.artifactGet.mockImplementation(async (id: string) => artifact(id, `Local ${id}`));
    api.syncResolve.mockResolvedValue(null);
    await m.load(null);
    expect(await m.resolve("keep_both")).toBe(true);
    expect(api.syncResolve).toHaveBeenCalledWith("a1", "keep_both");
    expect(resolved).toHaveBeenCalledWith("w1");
    expect(m.list.map((c) => c.artifact_id)).toEqual(["a2"]);
    expect(m.selectedId).toBe("a2");
    expect(toasts.items.at(-1)?.title).toBe("Settled “Remote a1”");

    api.syncResolve.mockRejectedValue(failure("platform_failed", "Refused."));
    expect(await m.resolve("keep_local")).toBe(false);
    expect(m.list).toHaveLength(1);
    expect(m.resolving).toBeNull();
  });

  it("lists again when a workspace's conflict count changes", async () => {
    const m = new ConflictsModel({ resolved: vi.fn() });
    api.syncConflicts.mockResolvedValue([conflict("a1")]);
    api.artifactGet.mockResolvedValue(artifact("a1", "Mine"));
    await m.load("w1");
    m.onSyncStatus(sync("w1", { conflicts: 1 }));
    m.onSyncStatus(sync("w2", { conflicts: 4 }));
    expect(api.syncConflicts).toHaveBeenCalledTimes(1);
    m.onSyncStatus(sync("w1", { conflicts: 2 }));
    expect(api.syncConflicts).toHaveBeenCalledTimes(2);
  });
});

describe("ServerPublishModel", () => {
  const server = { id: "s1", title: "Files", published: false };

  it("publishes, says so until the server is read again, and keeps a refusal to show", async () => {
    let refetched = false;
    const m = new ServerPublishModel(async () => refetched);
    expect(m.isPublished(server)).toBe(false);
    expect(m.isPublished({ ...server, published: true })).toBe(true);
    api.serverPublish.mockResolvedValue({ ...server, published: true });
    expect(await m.set(server, true)).toBe(true);
    expect(m.isPublished(server)).toBe(true);

    refetched = true;
    api.serverUnpublish.mockResolvedValue({ ...server, published: false });
    expect(await m.set(server, false)).toBe(true);
    expect(m.isPublished(server)).toBe(false);

    const refusal = new ApiFailure({ code: "invalid_input", message: "Publish the workspace first.", details: { kind: "platform", reason: "workspace_not_published" } });
    api.serverPublish.mockRejectedValue(refusal);
    expect(await m.set(server, true)).toBe(false);
    expect(m.problems.s1?.error.details).toEqual({ kind: "platform", reason: "workspace_not_published" });
    m.dismiss("s1");
    expect(m.problems.s1).toBeUndefined();
    expect(m.busy).toEqual({});
  });
});
