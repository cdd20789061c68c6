/**
 * DEVELOPMENT ONLY: the fake backend's secrets (ids and descriptions; values are dropped on arrival, as the real one
 * hands them to the keychain), local settings (the command allowlist) and config import.
 *
 * URL switch: ?fake=nokeychain makes every keychain call fail with keychain_unavailable.
 */
import type {
  ApiError,
  ConfigInput,
  FieldProblem,
  ImportPreview,
  JsonValue,
  PlannedSecret,
  PlannedServer,
  Result,
  SecretView,
  ServerView,
} from "../bindings";
import type { Commands } from "../api";
import { jsonProblem } from "../jsonError";
import { allowedExtra, err, isObj, ok, type Obj } from "./fakeServers";

type LocalCommands = Pick<
  Commands,
  "secretList" | "secretSet" | "secretDelete" | "localSettings" | "localSettingsSetCommands" | "importPreview" | "importApply"
>;


const DEFAULTS = ["npx", "uvx", "python", "python3", "node", "deno"];

const SECRET_NAME = /(token|key|secret|password|pat)$/i;

export function createFakeLocal(
  registrations: () => { title: string; registration: JsonValue }[],
  create: Commands["serverCreate"],
  latency: number,
  noKeychain: boolean,
): LocalCommands {
  const secrets = new Map<string, { description: string; is_set: boolean; updated_at: string }>([
    ["github-token", { description: "GitHub token for the issues server", is_set: true, updated_at: new Date(Date.now() - 86_400_000 * 3).toISOString() }],
    ["openai-key", { description: "imported: value still to be set", is_set: false, updated_at: new Date(Date.now() - 3_600_000).toISOString() }],
  ]);
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const noKeychainError = <T>() =>
    err<T>("keychain_unavailable", "The Secret Service is not running (org.freedesktop.secrets was not provided by any .service files).");

  function view(id: string): SecretView {
    const s = secrets.get(id) ?? { description: "", is_set: false, updated_at: new Date().toISOString() };
    const used_by = registrations()
      .filter((r) => JSON.stringify(r.registration).includes(`"secret_id":"${id}"`))
      .map((r) => r.title);
    return { id, ...s, used_by };
  }

  function checkId(id: string): string | null {
    if (!id) return "The secret id is invalid: it is empty.";
    if (!/^[A-Za-z0-9]/.test(id)) return "The secret id is invalid: it must start with a letter or a digit.";
    if (!/^[A-Za-z0-9._-]+$/.test(id)) return "The secret id is invalid: only letters, digits, '.', '_' and '-' are allowed.";
    return null;
  }

  interface Planned {
    server: PlannedServer;
    literals: Record<string, string>;
  }

  function plan(text: string): Result<{ preview: ImportPreview; planned: Planned[] }, ApiError> {
    const problem = jsonProblem(text);
    if (problem) {
      const fields: FieldProblem[] = [{ field: "source", message: problem.reason, position: { line: problem.line, column: problem.column } }];
      return err("invalid_input", `The configuration cannot be read (line ${problem.line}): ${problem.reason}`, { kind: "fields", problems: fields });
    }
    const doc = JSON.parse(text) as JsonValue;
    if (!isObj(doc)) return err("invalid_input", "The configuration is not a JSON object.");
    const vscode = isObj(doc.servers);
    const entries = isObj(doc.mcpServers) ? doc.mcpServers : isObj(doc.servers) ? doc.servers : null;
    if (!entries) return err("invalid_input", 'No "mcpServers" (Claude, Cursor, .mcp.json) or "servers" (VS Code) object in this file.');
    const inputs: ConfigInput[] = Array.isArray(doc.inputs)
      ? doc.inputs.filter(isObj).map((i) => ({ id: String(i.id ?? ""), description: String(i.description ?? ""), password: i.password === true }))
      : [];
    const planned: Planned[] = [];
    for (const [name, raw] of Object.entries(entries)) {
      const e = isObj(raw) ? raw : {};
      const warnings: string[] = [];
      const secretsOut: PlannedSecret[] = [];
      const literals: Record<string, string> = {};
      let registration: Obj = {};
      let transport = "";
      let target = "";
      let problemText: string | null = null;
      let allowed = true;
      if (typeof e.command === "string") {
        transport = "stdio";
        const args = Array.isArray(e.args) ? e.args.map(String) : [];
        target = [e.command, ...args].join(" ");
        const env: Obj = {};
        for (const [k, v] of Object.entries(isObj(e.env) ? e.env : {})) {
          const value = String(v ?? "");
          const input = /^\$\{input:([^}]+)\}$/.exec(value)?.[1] ?? null;
          if (SECRET_NAME.test(k) || input) {
            const id = `${name}-${k}`.toLowerCase().replace(/[^a-z0-9._-]+/g, "-");
            secretsOut.push({ secret_id: id, source: `env ${k}`, input, replaces: secrets.has(id) });
            if (!input) literals[id] = value;
            env[k] = { secret_id: id };
          } else env[k] = value;
        }
        registration = { transport: { type: "stdio", command: e.command, args, ...(Object.keys(env).length ? { env } : {}) } };
        allowed = DEFAULTS.includes(e.command) || allowedExtra.includes(e.command);
        if (e.command.includes(" ")) problemText = "The command has spaces: it would need a shell, which Atrium never uses.";
      } else if (typeof e.url === "string") {
        transport = e.type === "sse" ? "sse" : "http";
        target = e.url;
        registration = { transport: { type: transport, url: e.url } };
        if (isObj(e.headers) && Object.keys(e.headers).length) warnings.push("Headers are not carried over: set up authentication after the import.");
      } else {
        problemText = "It has neither a command nor a url.";
      }
      if (vscode && e.type === "stdio") warnings.push("VS Code's envFile is not read.");
      planned.push({ server: { name, transport, target, registration, secrets: secretsOut, warnings, problem: problemText, allowed, refusal: null }, literals });
    }
    const format = vscode ? "vs_code" : "claude_desktop";
    return ok({ preview: { format, format_label: vscode ? "VS Code (mcp.json)" : "Claude Desktop", servers: planned.map((p) => p.server), inputs }, planned });
  }

  function readSource(source: { path?: string | null; text?: string | null }): Result<string, ApiError> {
    if (source.text) return ok(source.text);
    if (source.path)
      return err("not_found", `Cannot read ${source.path}: the sample backend has no file system. Paste the file's contents instead.`, { kind: "path", path: source.path });
    return err("invalid_input", "Give either a file path or the configuration's text.");
  }

  return {
    async secretList() {
      await sleep(latency);
      if (noKeychain) return noKeychainError();
      return ok([...secrets.keys()].map(view));
    },
    async secretSet(input) {
      await sleep(latency + 150);
      const id = input.id.trim();
      const why = checkId(id);
      if (why) return err("invalid_input", why, { kind: "fields", problems: [{ field: "id", message: why }] });
      if (!input.value) return err("invalid_input", "The value is empty.", { kind: "fields", problems: [{ field: "value", message: "The value is empty." }] });
      if (noKeychain) return noKeychainError();
      const before = secrets.get(id);
      secrets.set(id, { description: input.description?.trim() || before?.description || "", is_set: true, updated_at: new Date().toISOString() });
      return ok(view(id));
    },
    async secretDelete(id) {
      await sleep(latency);
      if (noKeychain) return noKeychainError();
      return secrets.delete(id) ? ok(null) : err("not_found", `No secret "${id}" is set.`);
    },
    async localSettings() {
      await sleep(latency);
      return ok({ default_commands: DEFAULTS, extra_commands: [...allowedExtra], keychain_namespace: "atrium.dev-3f9c2a" });
    },
    async localSettingsSetCommands(commands) {
      await sleep(latency);
      const problems: FieldProblem[] = [];
      commands.forEach((c, i) => {
        if (!c || c.trim() !== c || /[\s|&;<>()$`"'*?[\]{}~]/.test(c))
          problems.push({ field: `extra_commands[${i}]`, message: `"${c}": a command is one program name or path, without spaces, quotes or shell characters` });
        else if (c.includes("/") && !c.startsWith("/")) problems.push({ field: `extra_commands[${i}]`, message: `"${c}": a path must be absolute` });
      });
      if (problems.length) return err("invalid_input", problems.map((p) => p.message).join("; "), { kind: "fields", problems });
      allowedExtra.splice(0, allowedExtra.length, ...commands.filter((c, i) => !DEFAULTS.includes(c) && commands.indexOf(c) === i));
      return ok({ default_commands: DEFAULTS, extra_commands: [...allowedExtra], keychain_namespace: "atrium.dev-3f9c2a" });
    },
    async importPreview(source) {
      await sleep(latency + 100);
      const text = readSource(source);
      if (text.status === "error") return text;
      const p = plan(text.data);
      return p.status === "error" ? p : ok(p.data.preview);
    },
    async importApply(request) {
      await sleep(latency + 200);
      const text = readSource(request.source);
      if (text.status === "error") return text;
      const p = plan(text.data);
      if (p.status === "error") return p;
      const report = { created: [] as ServerView[], secrets_stored: [] as string[], secrets_missing: [] as string[], skipped: [] as string[] };
      for (const { server, literals } of p.data.planned) {
        if (request.names && !request.names.includes(server.name)) continue;
        if (server.problem) {
          report.skipped.push(`${server.name}: ${server.problem}`);
          continue;
        }
        for (const s of server.secrets) {
          const value = s.input ? request.input_values?.[s.input] : literals[s.secret_id];
          if (value) {
            if (noKeychain) return noKeychainError();
            secrets.set(s.secret_id, { description: `imported (${s.source})`, is_set: true, updated_at: new Date().toISOString() });
            report.secrets_stored.push(s.secret_id);
          } else {
            secrets.set(s.secret_id, { description: "imported: value still to be set", is_set: false, updated_at: new Date().toISOString() });
            report.secrets_missing.push(s.secret_id);
          }
        }
        const made = await create({ workspace_id: request.workspace_id, title: server.name, registration: server.registration });
        if (made.status === "error") return made;
        report.created.push(made.data);
      }
      return ok(report);
    },
  };
}
