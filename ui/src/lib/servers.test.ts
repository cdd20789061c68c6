import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Registration, ServerAuth, ServerView } from "./bindings";
import { ApiFailure } from "./errors";
import { confirmer } from "./ui.svelte";

const api = vi.hoisted(() => ({
  serverList: vi.fn(),
  serverGet: vi.fn(),
  serverValidate: vi.fn(),
  serverCreate: vi.fn(),
  serverUpdate: vi.fn(),
  serverSetEnabled: vi.fn(),
  serverRemove: vi.fn(),
  serverTest: vi.fn(),
  serverRefresh: vi.fn(),
  serverState: vi.fn(),
  serverLog: vi.fn(),
  serverStart: vi.fn(),
  serverStop: vi.fn(),
  serverRestart: vi.fn(),
  secretSet: vi.fn(),
  secretList: vi.fn(),
}));
vi.mock("./api", () => ({ api }));

const { ServersModel } = await import("./servers.svelte");
const { ServerFormModel } = await import("./serverFormModel.svelte");

const NO_AUTH: ServerAuth = { kind: "none", state: { state: "not_needed" }, can_sign_in: false };

const view = (id: string, title: string, over: Partial<ServerView> = {}): ServerView => ({
  id,
  workspace_id: "w1",
  title,
  version: 1,
  registration: { transport: { type: "stdio", command: "node", args: ["x.js"], env: {} }, timeouts: { connect_ms: 10000, call_ms: 30000 }, enabled: true },
  invalid_registration: null,
  problems: [],
  transport: "stdio",
  target: "node x.js",
  enabled: true,
  published: false,
  approval: { state: "not_needed" },
  state: { server_id: id, status: { state: "starting" }, tool_count: 0, server_info: null, pid: null, auth: NO_AUTH },
  ...over,
});

beforeEach(() => {
  vi.useRealTimers();
  for (const f of Object.values(api)) f.mockReset();
  api.serverValidate.mockResolvedValue([]);
  api.serverState.mockImplementation(async (id: string) => ({ server_id: id, status: { state: "ready" }, tool_count: 3, server_info: "x 1.0", pid: null }));
});

describe("ServersModel", () => {
  it("loads a workspace's servers sorted by title, and follows status events", async () => {
    api.serverList.mockResolvedValue([view("b", "beta"), view("a", "Alpha")]);
    const m = new ServersModel();
    await m.load("w1");
    expect(m.list.map((s) => s.title)).toEqual(["Alpha", "beta"]);
    expect(m.workspaceId).toBe("w1");

    const tick = m.catalogTick.a ?? 0;
    m.onStatus("a", { state: "ready" });
    expect(m.list[0].state.status.state).toBe("ready");
    expect(m.catalogTick.a).toBe(tick + 1);
    m.onStatus("b", { state: "failed", code: "crashed", message: "Exited.", stderr_tail: ["boom"] });
    expect(m.list[1].state.status).toMatchObject({ state: "failed", code: "crashed" });
    m.onStatus("unknown", { state: "ready" }); // ignored
  });

  it("keeps live log lines only for opened logs", async () => {
    api.serverList.mockResolvedValue([view("a", "A")]);
    api.serverLog.mockResolvedValue([{ time: "t1", level: "atrium", logger: null, message: "connected" }]);
    const m = new ServersModel();
    await m.load("w1");
    m.onLog("a", { time: "t0", level: "info", logger: null, message: "before opening" });
    expect(m.logs.a).toBeUndefined();
    await m.openLog("a");
    m.onLog("a", { time: "t2", level: "stderr", logger: null, message: "hello" });
    expect(m.logs.a.map((l) => l.message)).toEqual(["connected", "hello"]);
  });

  it("adds a server: validation, create, select, and the form closes", async () => {
    api.serverList.mockResolvedValue([]);
    const m = new ServersModel();
    await m.load("w1");
    await m.startAdd("w1");
    const f = m.form;
    if (!f) throw new Error("no form");
    f.values.title = "Everything";
    f.values.kind = "stdio";
    f.values.command = "node";
    f.values.args = "/abs/index.js\nstdio";
    api.serverCreate.mockImplementation(async (input) => view("n1", input.title, { registration: input.registration }));
    await m.saveForm();
    expect(api.serverCreate).toHaveBeenCalledWith({
      workspace_id: "w1",
      title: "Everything",
      registration: {
        transport: { type: "stdio", command: "node", args: ["/abs/index.js", "stdio"], env: {} },
        timeouts: { connect_ms: 10000, call_ms: 30000 },
        enabled: true,
      },
    });
    expect(m.form).toBeNull();
    expect(m.selectedId).toBe("n1");
    expect(m.list.map((s) => s.id)).toEqual(["n1"]);
  });

  it("refuses to save with problems and keeps the form open", async () => {
    const m = new ServersModel();
    await m.startAdd("w1");
    api.serverValidate.mockResolvedValue([{ field: "transport.url", message: "Give the address." }]);
    await m.saveForm();
    expect(api.serverCreate).not.toHaveBeenCalled();
    expect(m.form?.shown("url")).toEqual(["Give the address."]);
    expect(m.form?.shown("title")[0]).toMatch(/name/);
  });

  it("edits a server from the (reactive) list, keeping what the form does not show", async () => {
    // The backend sends a registration's other keys (a note, the platform's) along with the typed ones.
    const registration = { transport: { type: "sse", url: "http://h/sse" }, notes: "kept", enabled: true } as Registration;
    api.serverList.mockResolvedValue([view("a", "A", { registration })]);
    const m = new ServersModel();
    await m.load("w1");
    await m.startEdit(m.list[0]);
    expect(m.form?.mode).toBe("edit");
    expect(m.form?.values).toMatchObject({ title: "A", kind: "sse", url: "http://h/sse" });
    expect(m.form?.draft()).toMatchObject({ notes: "kept" });
    expect(await m.form?.setJsonMode(true)).toBe(true);
  });

  it("starts, stops and restarts, showing the action while it runs", async () => {
    api.serverList.mockResolvedValue([view("a", "A", { state: { server_id: "a", status: { state: "stopped" }, tool_count: 0, server_info: null, pid: null, auth: NO_AUTH } })]);
    const m = new ServersModel();
    await m.load("w1");
    let finish: (v: unknown) => void = () => {};
    api.serverStart.mockImplementation(() => new Promise((r) => (finish = r)));
    const starting = m.runLifecycle(m.list[0], "start");
    expect(m.lifecycle.a).toBe("start");
    expect(m.list[0].state.status.state).toBe("starting");
    await m.runLifecycle(m.list[0], "stop"); // ignored while another action runs
    expect(api.serverStop).not.toHaveBeenCalled();
    finish({ server_id: "a", status: { state: "ready" }, tool_count: 2, server_info: null, pid: 4321 });
    await starting;
    expect(m.lifecycle.a).toBeUndefined();
    expect(m.list[0].state).toMatchObject({ pid: 4321, tool_count: 2, status: { state: "ready" } });

    api.serverStop.mockRejectedValue(new ApiFailure({ code: "server_failed", message: "It would not stop.", details: null }));
    api.serverState.mockResolvedValue({ server_id: "a", status: { state: "ready" }, tool_count: 2, server_info: null, pid: 4321 });
    await m.runLifecycle(m.list[0], "stop");
    expect(m.lifecycle.a).toBeUndefined();
    expect(m.list[0].state.status.state).toBe("ready");
  });

  it("follows authentication events and asks for the state once a server needs a sign-in", async () => {
    vi.useFakeTimers();
    api.serverList.mockResolvedValue([view("a", "A")]);
    const m = new ServersModel();
    await m.load("w1");
    const signedIn: ServerAuth = { kind: "mcp_oauth", state: { state: "signed_in", expires_at: null, scope: "mcp" }, can_sign_in: true };
    m.onAuth("a", signedIn);
    expect(m.list[0].state.auth).toEqual(signedIn);
    m.onAuth("unknown", signedIn); // ignored
    m.onStatus("a", { state: "needs_login", message: "Sign in to A." });
    expect(m.list[0].state.status.state).toBe("needs_login");
    await vi.advanceTimersByTimeAsync(200);
    expect(api.serverState).toHaveBeenCalledWith("a");
  });

  it("counts live log lines, for the log panel's pause", async () => {
    api.serverList.mockResolvedValue([view("a", "A")]);
    api.serverLog.mockResolvedValue([]);
    const m = new ServersModel();
    await m.load("w1");
    await m.openLog("a");
    m.onLog("a", { time: "t1", level: "info", logger: null, message: "one" });
    m.onLog("a", { time: "t2", level: "info", logger: null, message: "two" });
    expect(m.logReceived.a).toBe(2);
  });

  it("asks before removing, and selects the next server", async () => {
    api.serverList.mockResolvedValue([view("a", "A"), view("b", "B")]);
    api.serverRemove.mockResolvedValue(null);
    const m = new ServersModel();
    await m.load("w1");
    m.selectedId = "a";
    const removing = m.remove(m.list[0]);
    expect(confirmer.current?.title).toBe("Remove “A”?");
    confirmer.current?.resolve(true);
    await removing;
    expect(api.serverRemove).toHaveBeenCalledWith("a");
    expect(m.list.map((s) => s.id)).toEqual(["b"]);
    expect(m.selectedId).toBe("b");
  });
});

describe("ServerFormModel", () => {
  it("edits a stored server, tracks changes and sends the expected version", async () => {
    const s = view("a", "A", { version: 4, registration: { transport: { type: "http", url: "http://h/mcp" }, auth: { type: "static", header: "X", secret_id: "header.1" }, timeouts: { connect_ms: 10000, call_ms: 30000 }, enabled: true } });
    const f = new ServerFormModel({ mode: "edit", server: s });
    expect(f.dirty).toBe(false);
    expect(await f.setJsonMode(true)).toBe(true);
    expect(f.dirty).toBe(false); // the same registration, only shown as JSON
    expect(await f.setJsonMode(false)).toBe(true);
    f.values.url = "http://h2/mcp";
    expect(f.dirty).toBe(true);
    api.serverUpdate.mockResolvedValue(s);
    await f.save();
    expect(api.serverUpdate).toHaveBeenCalledWith("a", {
      expected_version: 4,
      title: "A",
      registration: { transport: { type: "http", url: "http://h2/mcp" }, auth: { type: "static", header: "X", secret_id: "header.1" }, timeouts: { connect_ms: 10000, call_ms: 30000 }, enabled: true },
    });
  });

  it("reports a conflict instead of overwriting", async () => {
    const f = new ServerFormModel({ mode: "edit", server: view("a", "A") });
    f.values.command = "node2";
    api.serverUpdate.mockRejectedValue(new ApiFailure({ code: "version_conflict", message: "changed", details: { kind: "version_conflict", expected: 1, actual: 2 } }));
    expect(await f.save()).toBeNull();
    expect(f.conflict).toBe(true);
  });

  it("switches to JSON and back once the backend finds no problem in it", async () => {
    const f = new ServerFormModel({ mode: "new", workspaceId: "w1" });
    f.values.url = "http://h/mcp";
    expect(await f.setJsonMode(true)).toBe(true);
    expect(JSON.parse(f.jsonText).transport).toEqual({ type: "http", url: "http://h/mcp" });
    f.jsonText = '{"transport": {"type": "sse", "url": "http://h/sse"}, "allowed_tools": ["echo"]}';
    expect(await f.setJsonMode(false)).toBe(true);
    expect(api.serverValidate).toHaveBeenLastCalledWith({ transport: { type: "sse", url: "http://h/sse" }, allowed_tools: ["echo"] });
    expect(f.values).toMatchObject({ kind: "sse", url: "http://h/sse", allowedTools: "echo" });

    await f.setJsonMode(true);
    f.jsonText = '{"transport": {"type": "websocket", "url": "ws://h"}}';
    api.serverValidate.mockResolvedValue([{ field: "transport.type", message: "\"websocket\" is not a transport." }]);
    expect(await f.setJsonMode(false)).toBe(false);
    expect(f.jsonError).toMatch(/problems named below/);
    expect(f.jsonMode).toBe(true);
    f.jsonText = "{";
    expect(f.jsonParseError).toMatch(/not valid JSON/);
    expect(f.draft()).toBeNull();
  });

  it("opens a stored registration that has problems in JSON mode, with them", () => {
    const stored = { transport: { type: "websocket", url: "ws://h" } };
    const problems = [{ field: "transport.type", message: "\"websocket\" is not a transport." }];
    const f = new ServerFormModel({ mode: "edit", server: view("x", "X", { registration: null, invalid_registration: stored, problems, transport: "" }) });
    expect(f.jsonMode).toBe(true);
    expect(f.problems).toEqual(problems);
    expect(JSON.parse(f.jsonText)).toEqual(stored);
  });

  it("saves JSON the backend accepts as the registration", async () => {
    const f = new ServerFormModel({ mode: "new", workspaceId: "w1" });
    f.values.title = "Pasted";
    await f.setJsonMode(true);
    f.jsonText = '{"transport": {"type": "http", "url": "http://h/mcp"}, "notes": "from elsewhere"}';
    api.serverCreate.mockImplementation(async (input) => view("n1", input.title, { registration: input.registration }));
    expect((await f.save())?.id).toBe("n1");
    expect(api.serverCreate).toHaveBeenCalledWith({ workspace_id: "w1", title: "Pasted", registration: { transport: { type: "http", url: "http://h/mcp" }, notes: "from elsewhere" } });
  });

  it("edits a GitHub server in the form, environment included", () => {
    const registration: Registration = { transport: { type: "github", owner_repo: "o/r", ref: "v1", env: { TOKEN: { secret_id: "gh" } } } };
    const f = new ServerFormModel({ mode: "edit", server: view("g", "G", { registration, transport: "github" }) });
    expect(f.jsonMode).toBe(false);
    expect(f.values).toMatchObject({ kind: "github", ownerRepo: "o/r", gitRef: "v1", env: [{ name: "TOKEN", secretId: "gh" }] });
    f.values.gitRef = "";
    expect(f.draft()).toMatchObject({ transport: { type: "github", owner_repo: "o/r", env: { TOKEN: { secret_id: "gh" } } } });
  });

  it("stores a new secret in the keychain before the registration that refers to it, and forgets its value", async () => {
    const f = new ServerFormModel({ mode: "new", workspaceId: "w1" });
    f.values.title = "Issues";
    f.values.kind = "stdio";
    f.values.command = "node";
    f.values.env = [
      { name: "GITHUB_TOKEN", value: "", secretId: "__new__", newSecret: { id: "gh-token", value: "s3cret" } },
      { name: "LEVEL", value: "debug", secretId: null },
    ];
    const order: string[] = [];
    api.secretSet.mockImplementation(async (input) => {
      order.push("secret");
      return { id: input.id, description: input.description ?? "", is_set: true, updated_at: "t", used_by: [] };
    });
    api.serverCreate.mockImplementation(async (input) => {
      order.push("server");
      return view("n1", input.title, { registration: input.registration });
    });
    expect(await f.setJsonMode(true)).toBe(false); // the value cannot be shown as JSON
    const saved = await f.save();
    expect(saved?.id).toBe("n1");
    expect(order).toEqual(["secret", "server"]);
    expect(api.secretSet).toHaveBeenCalledWith({ id: "gh-token", description: "GITHUB_TOKEN for Issues", value: "s3cret" });
    expect(api.serverCreate.mock.calls[0][0].registration.transport.env).toEqual({ GITHUB_TOKEN: { secret_id: "gh-token" }, LEVEL: "debug" });
    expect(JSON.stringify(f.values)).not.toContain("s3cret");
  });

  it("keeps a typed static header value out of the JSON view", async () => {
    const f = new ServerFormModel({ mode: "new", workspaceId: "w1" });
    f.values.url = "http://h/mcp";
    f.values.auth = { ...f.values.auth, kind: "static", header: "Authorization", staticValue: "Bearer dev" };
    expect(await f.setJsonMode(true)).toBe(false);
    expect(f.jsonError).toMatch(/static header/);
    f.values.auth.staticValue = "";
    f.scheduleValidate(); // what the form does on every change
    expect(f.jsonError).toBeNull();
    expect(await f.setJsonMode(true)).toBe(true);
    f.dispose();
  });

  it("does not save while a secret value is missing, and says so next to the variables", async () => {
    const f = new ServerFormModel({ mode: "new", workspaceId: "w1" });
    f.values.title = "Issues";
    f.values.kind = "stdio";
    f.values.command = "node";
    f.values.env = [{ name: "TOKEN", value: "", secretId: "__new__", newSecret: { id: "tok", value: "" } }];
    expect(await f.save()).toBeNull();
    expect(api.secretSet).not.toHaveBeenCalled();
    expect(api.serverCreate).not.toHaveBeenCalled();
    expect(f.shown("env")[0]).toMatch(/^TOKEN: Type the new secret's value/);
  });

  it("shows the test result, or its refusal", async () => {
    const f = new ServerFormModel({ mode: "new", workspaceId: "w1" });
    f.values.url = "http://h/mcp";
    api.serverTest.mockResolvedValue({ success: true, tool_count: 1, tools: ["echo"], error: null, error_code: null, server_info: null, duration_ms: 5 });
    await f.testConnection();
    expect(f.test?.tools).toEqual(["echo"]);
    api.serverTest.mockRejectedValue(new ApiFailure({ code: "invalid_input", message: "bad", details: { kind: "fields", problems: [{ field: "transport.url", message: "Bad." }] } }));
    await f.testConnection();
    expect(f.test).toBeNull();
    expect(f.testFailure?.code).toBe("invalid_input");
    expect(f.shown("url")).toEqual(["Bad."]);
  });

  it("marks a test result stale once the settings change", async () => {
    const f = new ServerFormModel({ mode: "new", workspaceId: "w1" });
    f.values.url = "http://h/mcp";
    api.serverTest.mockResolvedValue({ success: true, tool_count: 0, tools: [], error: null, error_code: null, server_info: null, duration_ms: 5 });
    await f.testConnection();
    expect(f.testStale).toBe(false);
    f.values.title = "Only the name";
    expect(f.testStale).toBe(false);
    f.values.url = "http://other/mcp";
    expect(f.testStale).toBe(true);
  });

  it("validates what is typed before deciding a test is pointless", async () => {
    const f = new ServerFormModel({ mode: "new", workspaceId: "w1" });
    f.problems = [{ field: "transport.url", message: "Stale." }];
    f.values.url = "http://h/mcp";
    f.scheduleValidate();
    api.serverValidate.mockResolvedValue([]);
    api.serverTest.mockResolvedValue({ success: true, tool_count: 0, tools: [], error: null, error_code: null, server_info: null, duration_ms: 5 });
    await f.testConnection();
    expect(api.serverTest).toHaveBeenCalledTimes(1);
    expect(f.test?.success).toBe(true);
    f.dispose();
  });

  it("does not test a registration with known problems, and points at the first one", async () => {
    const f = new ServerFormModel({ mode: "new", workspaceId: "w1" });
    f.problems = [{ field: "transport.url", message: "The address must start with http:// or https://." }];
    const before = f.focusRequest.n;
    await f.testConnection();
    expect(api.serverTest).not.toHaveBeenCalled();
    expect(f.focusRequest).toEqual({ field: "url", n: before + 1 });
    expect(f.shown("url")).toHaveLength(1);
  });
});
