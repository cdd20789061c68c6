import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppEvent, Artifact, Workspace } from "../bindings";
import type { FakeServerAccess } from "./fakeAuthState";
import { createFakePlatform, type FakeLocalAccess } from "./fakePlatform";

function setup(startSignedIn = false) {
  const events: AppEvent[] = [];
  const research = { id: "w1", title: "Product research", description: "", remote_id: null, artifact_count: 0 } as Workspace;
  const infra = { id: "w2", title: "Infrastructure", description: "", remote_id: null, artifact_count: 0 } as Workspace;
  const workspaces = new Map([
    ["w1", research],
    ["w2", infra],
  ]);
  const artifacts = new Map<string, Artifact>([
    ["a1", { id: "a1", workspace_id: "w1", title: "Pricing hypotheses", content: "# Pricing\n\n2. $8 per workspace per month\n", content_type: "text/markdown" } as Artifact],
  ]);
  const registration: Record<string, unknown> = { transport: { type: "stdio", command: "npx" } };
  const servers: FakeServerAccess = {
    list: () => [{ id: "s1", workspace_id: "w2", title: "Files", registration: registration as never, target: "npx" }],
    reconnect: () => {},
  };
  let n = 0;
  const local: FakeLocalAccess = {
    workspaces,
    artifactsOf: (id) => [...artifacts.values()].filter((a) => a.workspace_id === id),
    get: (id) => artifacts.get(id),
    update: (id, changes, by) => {
      const a = artifacts.get(id);
      if (a) Object.assign(a, { title: changes.title ?? a.title, content: changes.content ?? a.content, modified_by: by });
    },
    create: (workspace_id, title, content_type, content) => {
      const a = { id: `new${++n}`, workspace_id, title, content_type, content } as Artifact;
      artifacts.set(a.id, a);
      return a;
    },
    addWorkspace: (title, description) => {
      const w = { id: `w${workspaces.size + 1}`, title, description, remote_id: null, artifact_count: 0 } as Workspace;
      workspaces.set(w.id, w);
      return w;
    },
    servers,
  };
  const fake = createFakePlatform(local, (e) => events.push(e), 0, startSignedIn);
  return { fake, c: fake.commands, events, artifacts, workspaces, registration };
}

async function data<T>(p: Promise<{ status: "ok"; data: T } | { status: "error"; error: unknown }>, ms = 50): Promise<T> {
  await vi.advanceTimersByTimeAsync(ms);
  const r = await p;
  if (r.status !== "ok") throw new Error(JSON.stringify(r.error));
  return r.data;
}

async function failure(p: Promise<{ status: "ok" } | { status: "error"; error: { code: string; message: string } }>, ms = 50) {
  await vi.advanceTimersByTimeAsync(ms);
  const r = await p;
  if (r.status !== "error") throw new Error("expected an error");
  return r.error;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("fake platform", () => {
  it("starts signed out with one linked workspace, one conflict and the last address", async () => {
    const { c } = setup();
    const view = await data(c.platformStatus());
    expect(view.account).toMatchObject({ state: "signed_out", last_urls: { origin: "https://agience.example.com" } });
    expect(view.workspaces).toEqual([expect.objectContaining({ workspace_id: "w1", state: "signed_out", conflicts: 1, pending: 2 })]);
    expect(view.relay.state).toBe("signed_out");
    expect((await failure(c.platformWorkspaces(), 500)).code).toBe("signed_out");
    const [conflict] = await data(c.syncConflicts("w1"));
    expect(conflict).toMatchObject({ artifact_id: "a1", kind: "both_edited", remote: { content: expect.stringContaining("$10 per workspace") } });
  });

  it("signs in with any password, and the relay connects", async () => {
    const { c, events } = setup();
    const account = await data(c.platformSignIn("https://agience.example.com", { method: "password", identifier: "dana@example.com", password: "x" }), 500);
    expect(account).toMatchObject({ method: "password", user: { email: "dana@example.com" } });
    await vi.advanceTimersByTimeAsync(1000);
    expect((await data(c.platformStatus())).relay.state).toBe("connected");
    expect(events.some((e) => e.kind === "sync_status" && e.status.state === "idle")).toBe(true);
    const remotes = await data(c.platformWorkspaces(), 300);
    expect(remotes.filter((r) => r.linked_workspace_id === null).map((r) => r.remote.name)).toEqual(["Design system", "Ops handbook"]);
  });

  it("refuses some sign-ins and lets a browser sign-in be cancelled", async () => {
    const { c } = setup();
    expect((await failure(c.platformSignIn("https://offline.example", { method: "browser" }), 500)).code).toBe("platform_unavailable");
    expect((await failure(c.platformSignIn("https://p.example", { method: "password", identifier: "deny", password: "x" }), 500)).code).toBe("platform_failed");
    const waiting = c.platformSignIn("https://p.example", { method: "browser" });
    await vi.advanceTimersByTimeAsync(600);
    expect(await data(c.platformSignInCancel())).toBe(true);
    expect((await failure(waiting)).code).toBe("cancelled");
  });

  it("keeps the relay off after an API key sign-in", async () => {
    const { c } = setup();
    await data(c.platformSignIn("https://p.example", { method: "api_key", key: "agc_1" }), 500);
    const relay = (await data(c.platformStatus())).relay;
    expect(relay.state).toBe("signed_out");
    expect(relay.message).toMatch(/API key/);
  });

  it("settles a conflict with the platform's version", async () => {
    const { c, artifacts, events } = setup(true);
    expect(await data(c.syncResolve("a1", "keep_remote"), 300)).toBeNull();
    expect(artifacts.get("a1")?.content).toContain("$10 per workspace");
    expect(await data(c.syncConflicts(null))).toEqual([]);
    expect(events.some((e) => e.kind === "artifacts_changed" && e.workspace_id === "w1")).toBe(true);
    expect((await failure(c.syncResolve("a1", "keep_remote"), 300)).code).toBe("not_found");
  });

  it("syncs with progress, then is up to date", async () => {
    const { c, events } = setup(true);
    const statuses = await data(c.syncNow("w1"), 5000);
    expect(statuses[0]).toMatchObject({ state: "idle", pending: 0 });
    expect(events.filter((e) => e.kind === "sync_progress").map((e) => (e.kind === "sync_progress" ? e.progress.phase : ""))).toContain("pushing");
  });

  it("brings a platform workspace here and publishes one", async () => {
    const { c, workspaces } = setup(true);
    const w = await data(c.workspaceLinkRemote("r-design"), 1000);
    expect(w).toMatchObject({ title: "Design system", remote_id: "r-design", artifact_count: 2 });
    const link = await data(c.workspacePublish("w2"), 1000);
    expect(link.workspace_id).toBe("w2");
    expect(workspaces.get("w2")?.remote_id).toBe(link.remote_id);
    expect((await failure(c.workspacePublish("w2"), 1000)).code).toBe("invalid_input");
  });

  it("checks shared folders, and publishes a server only from a linked workspace", async () => {
    const { c, registration } = setup(true);
    expect(await data(c.relaySetRoots(["~/code/", "/srv/data", "/srv/data"]))).toEqual(["/home/dev/code", "/srv/data"]);
    expect((await failure(c.relaySetRoots(["relative"]))).code).toBe("invalid_input");
    const refused = await failure(c.serverPublish("s1"));
    expect(refused.message).toMatch(/Put the workspace "Infrastructure" on the platform first/);
    await data(c.workspacePublish("w2"), 1000);
    const published = await data(c.serverPublish("s1"));
    expect(published.context).toMatchObject({ mcp_server: { kind: "relay", local_server_id: "s1" } });
    expect(registration.mcp_server).toBeDefined();
    await data(c.serverUnpublish("s1"));
    expect(registration.mcp_server).toBeUndefined();
  });
});
