import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppEvent, ServerView, Workspace } from "../bindings";
import { createFakeAuth } from "./fakeAuth";
import { FakeAuthStore } from "./fakeAuthState";
import { createFakeServers } from "./fakeServers";

const workspace = { id: "w1", title: "A workspace" } as Workspace;

function setup() {
  const events: AppEvent[] = [];
  const store = new FakeAuthStore();
  const workspaces = new Map([["w1", workspace]]);
  const servers = createFakeServers(workspaces, (e) => events.push(e), 0, store);
  const auth = createFakeAuth(store, workspaces, 0);
  return { events, servers, auth };
}

/** Lets the fake's pauses pass (timers are fake here), then answers. */
async function settle<T>(p: Promise<T>, ms = 10): Promise<T> {
  await vi.advanceTimersByTimeAsync(ms);
  return p;
}

async function data<T>(p: Promise<{ status: "ok"; data: T } | { status: "error"; error: unknown }>, ms = 10): Promise<T> {
  const r = await settle(p, ms);
  if (r.status !== "ok") throw new Error(JSON.stringify(r.error));
  return r.data;
}

async function sample(servers: ReturnType<typeof setup>["servers"]): Promise<ServerView> {
  const list = await data(servers.serverList("w1"));
  const s = list.find((x) => x.title === "GitHub (sign-in sample)");
  if (!s) throw new Error("no sample");
  return s;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("fake sign-in", () => {
  it("seeds a server waiting for a sign-in through the sample Authorizer", async () => {
    const { servers, auth } = setup();
    const s = await sample(servers);
    expect(s.state.status).toMatchObject({ state: "needs_login" });
    expect(s.state.auth).toMatchObject({ kind: "oauth2", can_sign_in: true, state: { state: "login_required" } });
    const [github] = await data(auth.authorizerList("w1"));
    expect(github).toMatchObject({ title: "GitHub", connected: false, used_by: ["GitHub (sign-in sample)"] });
  });

  it("signs in after a pause, connects the Authorizer and reconnects the server", async () => {
    const { servers, auth, events } = setup();
    const s = await sample(servers);
    const signingIn = auth.serverSignIn(s.id);
    await vi.advanceTimersByTimeAsync(3000);
    expect(await data(signingIn)).toMatchObject({ state: { state: "signed_in", scope: "repo read:org" } });
    expect((await data(auth.authorizerList("w1")))[0].connected).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect((await sample(servers)).state.status.state).toBe("ready");
    expect(events.some((e) => e.kind === "server_auth" && e.server_id === s.id && e.auth.state.state === "signed_in")).toBe(true);

    const signingOut = auth.serverSignOut(s.id);
    await vi.advanceTimersByTimeAsync(500);
    expect(await data(signingOut)).toBe(false); // the sample Authorizer has no revocation URL
    await vi.advanceTimersByTimeAsync(1000);
    expect((await sample(servers)).state.status.state).toBe("needs_login");
  });

  it("can be cancelled while it waits for the browser", async () => {
    const { servers, auth } = setup();
    const s = await sample(servers);
    const signingIn = auth.serverSignIn(s.id);
    await vi.advanceTimersByTimeAsync(100);
    expect(await data(auth.serverSignInCancel(s.id))).toBe(true);
    const r = await settle(signingIn);
    expect(r.status === "error" && r.error.message).toBe("The sign-in was cancelled.");
    expect(await data(auth.serverSignInCancel(s.id))).toBe(false);
  });
});

describe("fake Authorizers", () => {
  it("creates, updates with the version, and refuses to delete one in use", async () => {
    const { auth } = setup();
    const config = { provider: "linear", auth_url: "https://linear.app/oauth/authorize", token_url: "https://api.linear.app/oauth/token", scopes: ["read"], client_id: "lin", pkce: true };
    const created = await data(auth.authorizerCreate({ workspace_id: "w1", title: "Linear", config }));
    expect(created).toMatchObject({ title: "Linear", version: 1, connected: false, used_by: [] });
    const bad = await settle(auth.authorizerCreate({ workspace_id: "w1", title: "X", config: { ...config, client_id: " " } }));
    expect(bad.status).toBe("error");
    const stale = await settle(auth.authorizerUpdate(created.id, 7, "Linear 2", null));
    expect(stale.status === "error" && stale.error.code).toBe("version_conflict");
    expect(await data(auth.authorizerUpdate(created.id, 1, "Linear 2", null))).toMatchObject({ title: "Linear 2", version: 2 });
    expect(await data(auth.authorizerDelete(created.id))).toBeNull();

    const [github] = await data(auth.authorizerList("w1"));
    const refused = await settle(auth.authorizerDelete(github.id));
    expect(refused.status === "error" && refused.error.message).toMatch(/used by GitHub \(sign-in sample\)/);
  });
});

describe("fake registrations with auth", () => {
  it("validates the auth block and keeps a static value out of the registration", async () => {
    const { servers } = setup();
    const problems = await data(servers.serverValidate({ transport: { type: "http", url: "https://h/mcp" }, auth: { type: "api_key", header: "X" } }));
    expect(problems).toEqual([{ field: "auth", message: 'API key auth needs a "secret_id" and a "header".' }]);
    const created = await data(
      servers.serverCreate({ workspace_id: "w1", title: "Dev", registration: { transport: { type: "http", url: "https://h/mcp" }, auth: { type: "static", header: "X", value: "v" } } }),
    );
    expect(JSON.stringify(created.registration)).not.toContain('"v"');
    expect(created.registration).toMatchObject({ auth: { type: "static", header: "X", secret_id: expect.stringMatching(/^header\./) } });
    expect(created.state.auth).toEqual({ kind: "static", state: { state: "configured" }, can_sign_in: false });
  });
});
