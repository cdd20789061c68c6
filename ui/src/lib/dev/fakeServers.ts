/**
 * DEVELOPMENT ONLY: the MCP part of the fake backend — two sample servers (a ready stdio "everything" server and an
 * HTTP server failing with config_error), tools with results of every content kind, resources, prompts, logs,
 * progress, elicitation and an audit log, with the live events the desktop shell would emit. Authentication (which
 * servers wait for a sign-in) is decided by fakeAuthState.ts; a "GitHub (sign-in sample)" server waits for one.
 */
import type {
  ApiError,
  AppEvent,
  AuditEntry,
  AuditStatus,
  CallOutcome,
  ConnectionTest,
  ElicitationAnswer,
  FieldProblem,
  JsonValue,
  LogLine,
  PromptInfo,
  ResourceContent,
  Result,
  ServerState,
  ServerStatus,
  ServerView,
  ToolInfo,
  ToolResult,
  Workspace,
} from "../bindings";
import type { Commands } from "../api";
import { secureStatic, validateAuth, type FakeAuthStore } from "./fakeAuthState";

type ServerCommands = Pick<
  Commands,
  | "serverList"
  | "serverGet"
  | "serverValidate"
  | "serverCreate"
  | "serverUpdate"
  | "serverSetEnabled"
  | "serverApprove"
  | "serverTestRegistered"
  | "serverRemove"
  | "serverTest"
  | "serverRefresh"
  | "serverState"
  | "serverTools"
  | "serverResources"
  | "resourceRead"
  | "serverPrompts"
  | "promptGet"
  | "serverLog"
  | "serverStart"
  | "serverStop"
  | "serverRestart"
  | "serverExport"
  | "toolCatalog"
  | "toolCall"
  | "toolCancel"
  | "elicitationAnswer"
  | "auditList"
>;

export type Obj = { [k: string]: JsonValue | undefined };

interface FakeServer {
  id: string;
  workspace_id: string;
  title: string;
  version: number;
  registration: Obj;
  status: ServerStatus;
  log: LogLine[];
  pid: number | null;
}

const TINY_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAKklEQVR42mNk+M9Qz0AEYBxVSF+FjP///yfOAWMOHDUQRwwHNRA3DAAALGwQEZzu6nAAAAAASUVORK5CYII=";

const TOOLS: ToolInfo[] = [
  {
    name: "echo",
    title: "Echo Tool",
    description: "Echoes back the input string",
    inputSchema: { type: "object", properties: { message: { type: "string", description: "Message to echo" } }, required: ["message"] },
    annotations: { readOnlyHint: true },
  },
  {
    name: "get-sum",
    title: "Get Sum",
    description: "Returns the sum of two numbers",
    inputSchema: { type: "object", properties: { a: { type: "number", description: "First number" }, b: { type: "number", description: "Second number" } }, required: ["a", "b"] },
  },
  {
    name: "trigger-long-running-operation",
    description: "Demonstrates a long running operation with progress updates.",
    inputSchema: {
      type: "object",
      properties: {
        duration: { type: "number", default: 5, description: "Duration of the operation in seconds" },
        steps: { type: "integer", default: 5, minimum: 1, maximum: 50, description: "Number of steps in the operation" },
      },
    },
  },
  {
    name: "get-tiny-image",
    description: "Returns a tiny image, some text and a resource link",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "get-structured-content",
    description: "Returns weather for a city as structured content",
    inputSchema: {
      type: "object",
      properties: { location: { type: "string", enum: ["New York", "Chicago", "Los Angeles"], description: "City" }, units: { type: "string", oneOf: [{ const: "c", title: "Celsius" }, { const: "f", title: "Fahrenheit" }], default: "c" } },
      required: ["location"],
    },
  },
  {
    name: "trigger-elicitation-request",
    description: "Asks you for some details through an elicitation dialog",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "markdown-report",
    description: "Returns a short Markdown report (tags, lists, nested options) — try the nested fields",
    inputSchema: {
      type: "object",
      properties: {
        topic: { type: "string", default: "Deploys" },
        tags: { type: "array", items: { type: "string" }, default: ["ops"] },
        options: { type: "object", properties: { verbose: { type: "boolean", default: false }, depth: { type: "integer", minimum: 1, maximum: 5 } } },
      },
    },
  },
  {
    name: "fail-politely",
    description: "Always reports an error (isError), to show how tool errors look",
    inputSchema: { type: "object", properties: { reason: { type: "string", default: "Simulated failure" } } },
  },
];

const RESOURCES: { uri: string; name: string; mimeType: string; description?: string; text?: string; blob?: string }[] = [
  { uri: "demo://resource/static/document/architecture.md", name: "architecture.md", mimeType: "text/markdown", description: "How the sample server is built", text: "# Architecture\n\nThe *everything* server exercises **all** MCP features:\n\n- tools\n- resources\n- prompts\n\n```\nnode dist/index.js stdio\n```\n" },
  { uri: "demo://resource/static/config.json", name: "config.json", mimeType: "application/json", text: '{"retries":3,"regions":["eu-west","us-east"],"debug":false}' },
  { uri: "demo://resource/static/logo.png", name: "logo.png", mimeType: "image/png", blob: TINY_PNG },
  { uri: "demo://resource/static/archive.gz", name: "archive.gz", mimeType: "application/gzip", blob: "H4sIAAAAAAAAA8tIzcnJBwCGphA2BQAAAA==" },
];

const PROMPTS: PromptInfo[] = [
  { name: "simple-prompt", description: "A prompt without arguments", arguments: [] },
  {
    name: "args-prompt",
    title: "Prompt with arguments",
    description: "A prompt that mentions a city and a state",
    arguments: [
      { name: "city", description: "Name of the city", required: true },
      { name: "state", description: "Name of the state", required: false },
    ],
  },
];

function now(): string {
  return new Date().toISOString();
}

export function ok<T>(data: T): Result<T, ApiError> {
  return { status: "ok", data: structuredClone(data) };
}

export function err<T>(code: ApiError["code"], message: string, details: ApiError["details"] = null): Result<T, ApiError> {
  return { status: "error", error: { code, message, details } };
}

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkUrl(field: string, v: unknown, out: FieldProblem[]) {
  const s = typeof v === "string" ? v.trim() : "";
  if (!s) return void out.push({ field, message: "Give the address, like https://example.com/mcp." });
  try {
    const u = new URL(s);
    if (u.protocol !== "http:" && u.protocol !== "https:") out.push({ field, message: "The address must start with http:// or https://." });
  } catch {
    out.push({ field, message: "This is not an address: like https://example.com/mcp." });
  }
}

/** The same field-by-field checks as the real registration parser (a subset of its messages). */
export function validateRegistration(reg: JsonValue): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!isObj(reg)) return [{ field: "registration", message: 'A registration is a JSON object, like {"transport": {…}}.' }];
  const t = reg.transport;
  if (t === undefined) out.push({ field: "transport", message: 'Say how to reach the server: add a "transport" object.' });
  else if (!isObj(t)) out.push({ field: "transport", message: 'transport is an object with a "type": http, sse or stdio.' });
  else {
    switch (t.type) {
      case "http":
        if (t.well_known !== undefined && t.url !== undefined) out.push({ field: "transport", message: 'Give either "well_known" or "url", not both.' });
        else if (t.well_known !== undefined) checkUrl("transport.well_known", t.well_known, out);
        else checkUrl("transport.url", t.url, out);
        break;
      case "sse":
        checkUrl("transport.url", t.url, out);
        break;
      case "stdio": {
        const cmd = typeof t.command === "string" ? t.command.trim() : "";
        if (!cmd) out.push({ field: "transport.command", message: "Give the program to run, like npx or python3." });
        else if (/\s/.test(cmd) && !cmd.startsWith("/"))
          out.push({ field: "transport.command", message: 'The command is one program; put its arguments in "args" (nothing runs through a shell).' });
        if (t.args !== undefined && !(Array.isArray(t.args) && t.args.every((a) => typeof a === "string"))) out.push({ field: "transport.args", message: "args is a list of strings." });
        if (t.cwd !== undefined && t.cwd !== null && !(typeof t.cwd === "string" && t.cwd.startsWith("/"))) out.push({ field: "transport.cwd", message: "cwd is an absolute directory path." });
        if (t.env !== undefined) {
          if (!isObj(t.env)) out.push({ field: "transport.env", message: "env is an object of NAME: value." });
          else
            for (const [name, value] of Object.entries(t.env)) {
              if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
                out.push({ field: `transport.env.${name}`, message: "A variable name uses letters, digits and _ and does not start with a digit." });
              if (!(typeof value === "string" || (isObj(value) && typeof value.secret_id === "string")))
                out.push({ field: `transport.env.${name}`, message: 'A value is text or {"secret_id": "…"} for a keychain secret.' });
            }
        }
        break;
      }
      case "github": {
        const repo = typeof t.owner_repo === "string" ? t.owner_repo.trim() : "";
        if (!/^[^/\s]+\/[^/\s]+$/.test(repo) && !/^(https?:\/\/|git@|ssh:\/\/)\S+$/.test(repo))
          out.push({ field: "transport.owner_repo", message: "Give the repository as owner/name, or a git URL." });
        break;
      }
      case undefined:
        out.push({ field: "transport.type", message: "Say which transport: http, sse, stdio or github." });
        break;
      default:
        out.push({ field: "transport.type", message: `"${String(t.type)}" is not a transport: use http, sse, stdio or github.` });
    }
  }
  if (reg.allowed_tools !== undefined && !(Array.isArray(reg.allowed_tools) && reg.allowed_tools.every((x) => typeof x === "string" && x.trim())))
    out.push({ field: "allowed_tools", message: 'allowed_tools is a list of tool names, like ["echo"].' });
  if (reg.timeouts !== undefined) {
    if (!isObj(reg.timeouts)) out.push({ field: "timeouts", message: 'timeouts is an object: {"connect_ms": 10000, "call_ms": 30000}.' });
    else
      for (const key of ["connect_ms", "call_ms"]) {
        const v = reg.timeouts[key];
        if (v !== undefined && !(typeof v === "number" && Number.isInteger(v) && v >= 100 && v <= 3_600_000))
          out.push({ field: `timeouts.${key}`, message: "A time limit is a whole number of milliseconds from 100 to 3600000." });
      }
  }
  if (reg.enabled !== undefined && typeof reg.enabled !== "boolean") out.push({ field: "enabled", message: "enabled is true or false." });
  validateAuth(reg.auth, out);
  return out;
}

function transportOf(reg: Obj): { transport: string; target: string } {
  const t = isObj(reg.transport) ? reg.transport : {};
  if (t.type === "stdio") return { transport: "stdio", target: [t.command, ...(Array.isArray(t.args) ? t.args : [])].filter((x) => typeof x === "string").join(" ") };
  if (t.type === "http") return { transport: "http", target: String(t.well_known ?? t.url ?? "") };
  if (t.type === "sse") return { transport: "sse", target: String(t.url ?? "") };
  if (t.type === "github") return { transport: "github", target: `github:${String(t.owner_repo ?? "")}${t.ref ? `@${String(t.ref)}` : ""}` };
  return { transport: "", target: "" };
}

/** The registrations the fake holds, by title (the fake secrets' "used by" reads them). */
export const fakeRegistry: { list: () => { title: string; registration: JsonValue }[] } = { list: () => [] };

/** Commands the fake's local settings allow beyond the defaults (fakeLocal.ts keeps it current). */
export const allowedExtra: string[] = [];

/** Whether the sample "connects": stdio always; HTTP unless the address says it will not. */
function connectOutcome(reg: Obj): ServerStatus {
  const { transport, target } = transportOf(reg);
  if (transport === "stdio" || transport === "github") {
    const cmd = isObj(reg.transport) ? reg.transport.command : undefined;
    if (typeof cmd === "string" && /crash|broken/.test(cmd))
      return { state: "failed", code: "crashed", message: "The process exited with status 1 five times in a row; Atrium stopped restarting it.", stderr_tail: ["node:internal/modules/cjs/loader:1228", "  throw err;", "Error: Cannot find module '/srv/missing/index.js'"] };
    if (typeof cmd === "string" && !["npx", "uvx", "python", "python3", "node", "deno", ...allowedExtra].includes(cmd) && !cmd.startsWith("/"))
      return { state: "failed", code: "policy_denied", message: `${cmd} is not on the allowlist of commands. Add it under Secrets › Local servers if you trust it.`, stderr_tail: [] };
    return { state: "ready" };
  }
  if (/fail|broken|invalid/i.test(target))
    return { state: "failed", code: "config_error", message: "The discovery document at that address is not valid JSON: expected value at line 1 column 1. Check the address.", stderr_tail: [] };
  if (/timeout|slow/i.test(target)) return { state: "failed", code: "timeout", message: "The server did not answer within 10 s.", stderr_tail: [] };
  return { state: "ready" };
}

export function createFakeServers(
  workspaces: Map<string, Workspace>,
  emit: (e: AppEvent) => void,
  latency: number,
  auth: FakeAuthStore,
): ServerCommands {
  const servers = new Map<string, FakeServer>();
  const audit: AuditEntry[] = [];
  const calls = new Map<string, (o: "cancel") => void>();
  const elicitationWaiters = new Map<string, (a: ElicitationAnswer) => void>();
  let elicitationSeq = 0;
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  function logLine(s: FakeServer, level: string, message: string, logger: string | null = null) {
    const line = { time: now(), level, logger, message };
    s.log.push(line);
    if (s.log.length > 500) s.log.shift();
    emit({ kind: "server_log", server_id: s.id, line });
  }

  function setStatus(s: FakeServer, status: ServerStatus) {
    s.status = status;
    emit({ kind: "server_status", server_id: s.id, status });
  }

  function authOf(s: FakeServer) {
    return auth.authOf(s.id, s.registration, transportOf(s.registration).target);
  }

  function connect(s: FakeServer) {
    if (s.registration.enabled === false) {
      setStatus(s, { state: "stopped" });
      logLine(s, "atrium", "Disabled: disconnected.");
      return;
    }
    const { transport, target } = transportOf(s.registration);
    if (transport === "github" && !installed.has(s.id)) {
      void install(s).then(() => connect(s));
      return;
    }
    setStatus(s, { state: "starting" });
    logLine(s, "atrium", `Connecting (${transport}) to ${target}…`);
    setTimeout(() => {
      if (!servers.has(s.id)) return;
      const outcome = connectOutcome(s.registration);
      s.pid = outcome.state === "ready" && (transport === "stdio" || transport === "github") ? 10_000 + Math.floor(Math.random() * 50_000) : null;
      const login = outcome.state === "ready" ? auth.loginNeeded(s.id, s.title, s.registration, target) : null;
      emit({ kind: "server_auth", server_id: s.id, auth: authOf(s) });
      if (login) {
        logLine(s, "atrium", "The server asks for a sign-in (HTTP 401); waiting for you to sign in.");
        setStatus(s, { state: "needs_login", message: login });
        return;
      }
      if (outcome.state === "ready") {
        if (transport === "stdio") logLine(s, "stderr", "Starting default (STDIO) server...");
        logLine(s, "atrium", `Connected: ${TOOLS.length} tools.`);
        logLine(s, "info", "Server ready", "everything");
      } else if (outcome.state === "failed") {
        logLine(s, "atrium", `Failed: ${outcome.code}: ${outcome.message}`);
      }
      setStatus(s, outcome);
    }, 700 + latency);
  }

  fakeRegistry.list = () => [...servers.values()].map((s) => ({ title: s.title, registration: s.registration }));
  auth.servers = {
    list: () => [...servers.values()].map((s) => ({ id: s.id, workspace_id: s.workspace_id, title: s.title, registration: s.registration, target: transportOf(s.registration).target })),
    reconnect: (id) => {
      const s = servers.get(id);
      if (s) connect(s);
    },
  };

  const installed = new Set<string>();
  async function install(s: FakeServer) {
    const steps = ["Cloning the repository", "Checking out the ref", "npm ci", "npm run build"];
    for (let i = 0; i < steps.length; i++) {
      setStatus(s, { state: "installing", step: steps[i], done: i, total: steps.length });
      logLine(s, "atrium", `${steps[i]}…`);
      await sleep(900);
    }
    installed.add(s.id);
  }

  function state(s: FakeServer): ServerState {
    return {
      server_id: s.id,
      status: s.status,
      tool_count: s.status.state === "ready" ? visibleTools(s).length : 0,
      server_info: s.status.state === "ready" ? "example-servers/everything 2.0.0" : null,
      pid: s.status.state === "ready" || s.status.state === "starting" ? s.pid : null,
      auth: authOf(s),
    };
  }

  function stop(s: FakeServer) {
    s.pid = null;
    setStatus(s, { state: "stopped" });
    logLine(s, "atrium", "Stopped.");
  }

  async function settle(s: FakeServer): Promise<void> {
    for (let i = 0; i < 100 && (s.status.state === "starting" || s.status.state === "installing"); i++) await sleep(100);
  }

  function visibleTools(s: FakeServer): ToolInfo[] {
    const allowed = s.registration.allowed_tools;
    return Array.isArray(allowed) ? TOOLS.filter((t) => allowed.includes(t.name)) : TOOLS;
  }

  function view(s: FakeServer): ServerView {
    const problems = validateRegistration(s.registration);
    const t = transportOf(s.registration);
    return {
      id: s.id,
      workspace_id: s.workspace_id,
      title: s.title,
      version: s.version,
      registration: s.registration,
      problems,
      transport: problems.length ? "" : t.transport,
      target: problems.length ? "" : t.target,
      enabled: s.registration.enabled !== false,
      // The fake runs nothing, so there is nothing to approve.
      approval: { state: "not_needed" },
      state: state(s),
    };
  }

  function add(workspaceId: string, title: string, registration: Obj, status: ServerStatus): FakeServer {
    const s: FakeServer = { id: crypto.randomUUID(), workspace_id: workspaceId, title, version: 1, registration, status, log: [], pid: status.state === "ready" ? 4242 : null };
    servers.set(s.id, s);
    return s;
  }

  // Seed: in the first workspace by title, one ready stdio server and one failing HTTP server.
  const first = [...workspaces.values()].sort((a, b) => a.title.localeCompare(b.title))[0];
  if (first) {
    const ready = add(
      first.id,
      "Everything (sample)",
      { transport: { type: "stdio", command: "npx", args: ["-y", "@modelcontextprotocol/server-everything", "stdio"] }, timeouts: { connect_ms: 10000, call_ms: 30000 }, enabled: true },
      { state: "ready" },
    );
    ready.log.push(
      { time: now(), level: "atrium", logger: null, message: "Connecting (stdio) to npx -y @modelcontextprotocol/server-everything stdio…" },
      { time: now(), level: "stderr", logger: null, message: "Starting default (STDIO) server..." },
      { time: now(), level: "atrium", logger: null, message: `Connected: ${TOOLS.length} tools.` },
    );
    const failed = add(
      first.id,
      "Weather API",
      { transport: { type: "http", well_known: "https://weather.invalid/.well-known/mcp.json" }, allowed_tools: ["forecast"], timeouts: { connect_ms: 5000, call_ms: 20000 }, enabled: true },
      {
        state: "failed",
        code: "config_error",
        message: "The discovery document at https://weather.invalid/.well-known/mcp.json names no endpoint. Check the address.",
        stderr_tail: [],
      },
    );
    failed.log.push({ time: now(), level: "atrium", logger: null, message: "Failed: config_error: the discovery document names no endpoint." });
    const signIn = add(
      first.id,
      "GitHub (sign-in sample)",
      { transport: { type: "http", url: "https://api.githubcopilot.example/mcp/" }, auth: { type: "oauth2", authorizer_id: auth.seed(first.id) }, enabled: true },
      { state: "needs_login", message: "GitHub (sign-in sample) asks you to sign in before it answers." },
    );
    signIn.log.push({ time: now(), level: "atrium", logger: null, message: "The server asks for a sign-in (HTTP 401); waiting for you to sign in." });
    const crashing = add(
      first.id,
      "Issues (local)",
      { transport: { type: "stdio", command: "node", args: ["/srv/issues/index.js"], env: { GITHUB_TOKEN: { secret_id: "github-token" }, LOG_LEVEL: "debug" } }, enabled: true },
      { state: "degraded", code: "crashed", message: "The process exited with status 1.", attempt: 2, retry_in_ms: 16000 },
    );
    crashing.log.push(
      { time: now(), level: "stderr", logger: null, message: "Error: GITHUB_TOKEN is not valid" },
      { time: now(), level: "atrium", logger: null, message: "Exited with status 1; restarting in 16 s (attempt 2)." },
    );
    setTimeout(() => {
      setStatus(crashing, {
        state: "failed",
        code: "crashed",
        message: "It exited 5 times within a minute; Atrium stopped restarting it.",
        stderr_tail: ["Error: GITHUB_TOKEN is not valid", "    at main (/srv/issues/index.js:12:11)", "    at node:internal/main/run_main_module:28:49"],
      });
    }, 16000 + latency);
    audit.push({
      id: crypto.randomUUID(),
      time: new Date(Date.now() - 3_600_000).toISOString(),
      origin: "cli",
      workspace_id: first.id,
      server_id: ready.id,
      server_title: ready.title,
      tool: "get-sum",
      arguments: '{"a":2,"b":3}',
      result: '{"content":[{"type":"text","text":"The sum of 2 and 3 is 5."}]}',
      status: "ok",
      error_code: null,
      duration_ms: 12,
    });
  }

  const notFound = <T>() => err<T>("not_found", "That server is not registered (any more).");
  const unavailable = <T>(s: FakeServer) => {
    const st = s.status;
    const code = st.state === "failed" || st.state === "degraded" ? st.code : "not_connected";
    const why = st.state === "failed" || st.state === "degraded" ? st.message : s.registration.enabled === false ? `${s.title} is disabled.` : `${s.title} is not connected.`;
    return err<T>("server_unavailable", why, { kind: "server", failure_code: code });
  };
  const live = (id: string): FakeServer | Result<never, ApiError> => {
    const s = servers.get(id);
    if (!s) return notFound();
    if (s.status.state !== "ready") return unavailable(s);
    return s;
  };
  const isErr = (x: FakeServer | Result<never, ApiError>): x is Result<never, ApiError> => "status" in x && typeof x.status === "string";

  function record(s: FakeServer, tool: string, args: Obj, status: AuditStatus, result: string, errorCode: string | null, duration: number, callId: string) {
    audit.unshift({
      id: callId,
      time: now(),
      origin: "ui",
      workspace_id: s.workspace_id,
      server_id: s.id,
      server_title: s.title,
      tool,
      arguments: JSON.stringify(args),
      result: result.slice(0, 4096),
      status,
      error_code: errorCode,
      duration_ms: duration,
    });
    emit({ kind: "audit_recorded", server_id: s.id });
  }

  async function run(s: FakeServer, tool: string, args: Obj, callId: string, cancelled: () => boolean): Promise<ToolResult> {
    switch (tool) {
      case "echo":
        return { content: [{ type: "text", text: `Echo: ${String(args.message ?? "")}` }] };
      case "get-sum": {
        const a = Number(args.a);
        const b = Number(args.b);
        return { content: [{ type: "text", text: `The sum of ${a} and ${b} is ${a + b}.` }] };
      }
      case "trigger-long-running-operation": {
        const duration = Number(args.duration ?? 5);
        const steps = Math.max(1, Number(args.steps ?? 5));
        for (let i = 1; i <= steps; i++) {
          await sleep((duration * 1000) / steps);
          if (cancelled()) throw new Error("cancelled");
          emit({ kind: "call_progress", server_id: s.id, progress: { call_id: callId, progress: i, total: steps, message: `Step ${i} of ${steps}` } });
        }
        return { content: [{ type: "text", text: `Long running operation completed. Duration: ${duration} seconds, Steps: ${steps}.` }] };
      }
      case "get-tiny-image":
        return {
          content: [
            { type: "text", text: "This is a tiny image:" },
            { type: "image", data: TINY_PNG, mimeType: "image/png" },
            { type: "text", text: "The image above is the MCP tiny image." },
            { type: "resource_link", uri: RESOURCES[0].uri, name: RESOURCES[0].name, mimeType: RESOURCES[0].mimeType, description: "Read it in place" },
            { type: "resource", resource: { uri: RESOURCES[1].uri, mimeType: RESOURCES[1].mimeType, text: RESOURCES[1].text } },
          ],
        };
      case "get-structured-content": {
        const c = args.units === "f";
        const data = { temperature: c ? 72 : 22.5, conditions: "Partly cloudy", humidity: 65, units: c ? "fahrenheit" : "celsius" };
        return { content: [{ type: "text", text: JSON.stringify(data) }], structuredContent: data };
      }
      case "trigger-elicitation-request": {
        const id = `elicitation-${++elicitationSeq}`;
        const answer = new Promise<ElicitationAnswer>((resolve) => elicitationWaiters.set(id, resolve));
        emit({
          kind: "elicitation_requested",
          request: {
            id,
            server_id: s.id,
            server_title: s.title,
            message: "Please provide inputs for the following fields:",
            requested_schema: {
              type: "object",
              properties: {
                name: { title: "Full name", type: "string", description: "Your full, legal name" },
                email: { title: "Email", type: "string", format: "email" },
                birthdate: { title: "Birthdate", type: "string", format: "date" },
                integer: { title: "Favorite integer", type: "integer", minimum: 1, maximum: 100, default: 42 },
                check: { title: "Agree to the terms", type: "boolean" },
                hero: { title: "Hero", type: "string", oneOf: [{ const: "hero-1", title: "Superman" }, { const: "hero-2", title: "Green Lantern" }], default: "hero-1" },
              },
              required: ["name"],
            },
          },
        });
        const a = await answer;
        emit({ kind: "elicitation_closed", id });
        return { content: [{ type: "text", text: a.action === "accept" ? `User provided:\n${JSON.stringify(a.content, null, 2)}` : `User chose: ${a.action}` }] };
      }
      case "markdown-report": {
        const tags = Array.isArray(args.tags) ? args.tags.join(", ") : "none";
        return { content: [{ type: "text", text: `# Report: ${String(args.topic ?? "")}\n\n- **Tags:** ${tags}\n- Options: \`${JSON.stringify(args.options ?? {})}\`\n\n> Generated by the sample server. <b>HTML</b> stays text.` }] };
      }
      case "fail-politely":
        return { content: [{ type: "text", text: String(args.reason ?? "Simulated failure") }], isError: true };
      default:
        throw Object.assign(new Error(`Unknown tool: ${tool}`), { code: "server_error" });
    }
  }

  return {
    async serverList(workspaceId) {
      await sleep(latency);
      return ok([...servers.values()].filter((s) => workspaceId === null || s.workspace_id === workspaceId).map(view));
    },
    async serverGet(id) {
      await sleep(latency);
      const s = servers.get(id);
      return s ? ok(view(s)) : notFound();
    },
    async serverValidate(registration) {
      await sleep(Math.min(latency, 40));
      return ok(validateRegistration(registration));
    },
    async serverCreate(input) {
      await sleep(latency);
      const problems = validateRegistration(input.registration);
      if (!input.title.trim()) problems.unshift({ field: "title", message: "Title is required." });
      if (problems.length) return err("invalid_input", problems.map((p) => `${p.field}: ${p.message}`).join(" "), { kind: "fields", problems });
      if (!workspaces.has(input.workspace_id)) return err("not_found", "That workspace no longer exists.");
      const s = add(input.workspace_id, input.title.trim(), secureStatic(input.registration) as Obj, { state: "stopped" });
      connect(s);
      return ok(view(s));
    },
    async serverUpdate(id, patch) {
      await sleep(latency);
      const s = servers.get(id);
      if (!s) return notFound();
      if (patch.expected_version !== s.version)
        return err("version_conflict", `The server is at version ${s.version}, not ${patch.expected_version}.`, { kind: "version_conflict", expected: patch.expected_version, actual: s.version });
      if (patch.registration != null) {
        const problems = validateRegistration(patch.registration);
        if (problems.length) return err("invalid_input", problems.map((p) => `${p.field}: ${p.message}`).join(" "), { kind: "fields", problems });
      }
      if (patch.title != null) s.title = patch.title.trim();
      s.version += 1;
      if (patch.registration != null) {
        s.registration = secureStatic(patch.registration) as Obj;
        connect(s);
      }
      return ok(view(s));
    },
    async serverSetEnabled(id, enabled) {
      await sleep(latency);
      const s = servers.get(id);
      if (!s) return notFound();
      s.registration = { ...s.registration, enabled };
      s.version += 1;
      connect(s);
      return ok(view(s));
    },
    async serverApprove(id) {
      await sleep(latency);
      const s = servers.get(id);
      return s ? ok(view(s)) : notFound();
    },
    async serverTestRegistered(id) {
      const s = servers.get(id);
      return s ? this.serverTest(s.registration) : notFound();
    },
    async serverRemove(id) {
      await sleep(latency);
      return servers.delete(id) ? ok(null) : notFound();
    },
    async serverTest(registration) {
      await sleep(latency + 500);
      const problems = validateRegistration(registration);
      if (problems.length) return err("invalid_input", problems.map((p) => `${p.field}: ${p.message}`).join(" "), { kind: "fields", problems });
      const outcome = connectOutcome(registration as Obj);
      const allowed = (registration as Obj).allowed_tools;
      const tools = (Array.isArray(allowed) ? TOOLS.filter((t) => allowed.includes(t.name)) : TOOLS).map((t) => t.name);
      const test: ConnectionTest =
        outcome.state === "ready"
          ? { success: true, tool_count: tools.length, tools, error: null, error_code: null, server_info: "example-servers/everything 2.0.0", duration_ms: 412 }
          : { success: false, tool_count: 0, tools: [], error: outcome.state === "failed" ? outcome.message : "Failed.", error_code: outcome.state === "failed" ? outcome.code : "connection_error", server_info: null, duration_ms: 380 };
      return ok(test);
    },
    async serverRefresh(id) {
      const s = servers.get(id);
      if (!s) return notFound();
      connect(s);
      await sleep(900 + latency * 2);
      return ok(state(s));
    },
    async serverState(id) {
      await sleep(Math.min(latency, 40));
      const s = servers.get(id);
      return s ? ok(state(s)) : notFound();
    },
    async serverTools(id) {
      await sleep(latency);
      const s = live(id);
      return isErr(s) ? s : ok(visibleTools(s));
    },
    async serverResources(id) {
      await sleep(latency);
      const s = live(id);
      if (isErr(s)) return s;
      return ok({
        resources: RESOURCES.map((r) => ({ uri: r.uri, name: r.name, mimeType: r.mimeType, description: r.description ?? null })),
        templates: [{ uriTemplate: "demo://resource/dynamic/text/{resourceId}", name: "Dynamic text", description: "A text resource made from its id" }],
      });
    },
    async resourceRead(id, uri) {
      await sleep(latency);
      const s = live(id);
      if (isErr(s)) return s;
      const r = RESOURCES.find((x) => x.uri === uri);
      if (r) return ok<ResourceContent[]>([{ uri: r.uri, mimeType: r.mimeType, text: r.text ?? null, blob: r.blob ?? null }]);
      const m = /^demo:\/\/resource\/dynamic\/text\/(.+)$/.exec(uri);
      if (m) return ok<ResourceContent[]>([{ uri, mimeType: "text/plain", text: `Resource ${decodeURIComponent(m[1])}: this is a plain text resource.` }]);
      return err("server_failed", `Resource ${uri} not found.`, { kind: "server", failure_code: "server_error" });
    },
    async serverPrompts(id) {
      await sleep(latency);
      const s = live(id);
      return isErr(s) ? s : ok(PROMPTS);
    },
    async promptGet(id, name, args) {
      await sleep(latency);
      const s = live(id);
      if (isErr(s)) return s;
      if (name === "simple-prompt") return ok({ messages: [{ role: "user", content: { type: "text", text: "This is a simple prompt without arguments." } }] });
      if (name === "args-prompt") {
        if (!args.city) return err("server_failed", "Missing required argument: city.", { kind: "server", failure_code: "server_error" });
        return ok({
          description: "A prompt with arguments",
          messages: [
            { role: "user", content: { type: "text", text: `What's weather in ${String(args.city)}${args.state ? `, ${String(args.state)}` : ""}?` } },
            { role: "assistant", content: { type: "text", text: "I'll check:\n\n- **temperature**\n- *wind*" } },
          ],
        });
      }
      return err("server_failed", `Unknown prompt: ${name}.`, { kind: "server", failure_code: "server_error" });
    },
    async serverLog(id) {
      await sleep(Math.min(latency, 40));
      const s = servers.get(id);
      return s ? ok(s.log) : notFound();
    },
    async serverStart(id) {
      const s = servers.get(id);
      if (!s) return notFound();
      connect(s);
      await sleep(latency);
      await settle(s);
      return ok(state(s));
    },
    async serverStop(id) {
      const s = servers.get(id);
      if (!s) return notFound();
      await sleep(1200 + latency);
      stop(s);
      return ok(state(s));
    },
    async serverRestart(id) {
      const s = servers.get(id);
      if (!s) return notFound();
      await sleep(800 + latency);
      stop(s);
      connect(s);
      await settle(s);
      return ok(state(s));
    },
    async serverExport(id) {
      await sleep(latency);
      const s = servers.get(id);
      if (!s) return notFound();
      const t = isObj(s.registration.transport) ? s.registration.transport : {};
      const omitted: string[] = [];
      let entry: Obj;
      if (t.type === "stdio") {
        const env: Obj = {};
        for (const [k, v] of Object.entries(isObj(t.env) ? t.env : {})) {
          if (typeof v === "string") env[k] = v;
          else {
            env[k] = "";
            omitted.push(`env ${k}`);
          }
        }
        entry = { command: t.command, args: t.args ?? [], ...(Object.keys(env).length ? { env } : {}) };
      } else entry = { type: t.type === "sse" ? "sse" : "http", url: t.url ?? t.well_known ?? "" };
      const slug = s.title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "server";
      return ok({ file_name: `${slug}.mcp.json`, text: JSON.stringify({ mcpServers: { [s.title]: entry } }, null, 2), omitted });
    },
    async toolCatalog() {
      await sleep(latency);
      return ok(
        [...servers.values()]
          .filter((s) => s.status.state === "ready")
          .flatMap((s) => visibleTools(s).map((tool) => ({ server_id: s.id, server_title: s.title, flat_name: `${s.title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}__${tool.name}`, tool }))),
      );
    },
    async toolCall(call) {
      await sleep(latency);
      const s = servers.get(call.server_id);
      if (!s) return notFound();
      const callId = call.call_id ?? crypto.randomUUID();
      const args = (call.arguments ?? {}) as Obj;
      const started = Date.now();
      const allowed = s.registration.allowed_tools;
      if (s.status.state !== "ready" || (Array.isArray(allowed) && !allowed.includes(call.tool))) {
        const code = s.status.state !== "ready" ? "not_connected" : "policy_denied";
        const message = code === "not_connected" ? `${s.title} is not connected.` : `${call.tool} is not in this server's allowed_tools.`;
        record(s, call.tool, args, "denied", JSON.stringify({ code, message }), code, 0, callId);
        return ok<CallOutcome>({ call_id: callId, status: "denied", result: null, error: { code, message }, duration_ms: 0 });
      }
      let cancelled = false;
      const cancelPromise = new Promise<"cancel">((resolve) => calls.set(callId, () => ((cancelled = true), resolve("cancel"))));
      logLine(s, "debug", `tools/call ${call.tool}`, "atrium");
      let outcome: CallOutcome;
      try {
        const r = await Promise.race([run(s, call.tool, args, callId, () => cancelled), cancelPromise]);
        const duration = Date.now() - started;
        if (r === "cancel") outcome = { call_id: callId, status: "cancelled", result: null, error: { code: "cancelled", message: "You cancelled the call." }, duration_ms: duration };
        else outcome = { call_id: callId, status: r.isError ? "tool_error" : "ok", result: r, error: null, duration_ms: duration };
      } catch (e) {
        const duration = Date.now() - started;
        outcome = cancelled
          ? { call_id: callId, status: "cancelled", result: null, error: { code: "cancelled", message: "You cancelled the call." }, duration_ms: duration }
          : { call_id: callId, status: "failed", result: null, error: { code: "server_error", message: e instanceof Error ? e.message : String(e) }, duration_ms: duration };
      } finally {
        calls.delete(callId);
      }
      record(s, call.tool, args, outcome.status, JSON.stringify(outcome.result ?? outcome.error), outcome.error?.code ?? null, outcome.duration_ms, callId);
      return ok(outcome);
    },
    async toolCancel(callId) {
      const c = calls.get(callId);
      c?.("cancel");
      return ok(Boolean(c));
    },
    async elicitationAnswer(id, answer) {
      await sleep(latency);
      const w = elicitationWaiters.get(id);
      elicitationWaiters.delete(id);
      w?.(answer);
      return ok(Boolean(w));
    },
    async auditList(filter) {
      await sleep(latency);
      let rows = audit.filter(
        (e) =>
          (!filter.server_id || e.server_id === filter.server_id) &&
          (!filter.workspace_id || e.workspace_id === filter.workspace_id) &&
          (!filter.origin || e.origin === filter.origin) &&
          (!filter.status || e.status === filter.status) &&
          (!filter.tool || e.tool.toLowerCase().includes(filter.tool.toLowerCase())),
      );
      if (filter.before) {
        const i = rows.findIndex((e) => e.id === filter.before);
        rows = i < 0 ? [] : rows.slice(i + 1);
      }
      return ok(rows.slice(0, Math.min(1000, Math.max(1, filter.limit ?? 100))));
    },
  };
}
