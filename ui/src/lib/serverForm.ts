/**
 * The add/edit server form: its inputs as text (what people type), and their translation to and from the typed
 * `Registration` the backend takes (DESIGN §2). The form has no rules of its own about registrations — the backend
 * checks them (`serverValidate`) — only about its inputs (a time limit is a number, a new secret needs a value).
 * The `auth` part is in authForm.ts.
 */
import { authFormFromAuth, authFromForm, emptyAuthForm, type AuthFormValues } from "./authForm";
import type { EnvValue, FieldProblem, JsonValue, Registration, Timeouts, Transport } from "./bindings";
import { jsonProblemText } from "./jsonError";
import { secretIdProblem } from "./secrets";

export type TransportKind = "http" | "well_known" | "sse" | "stdio" | "github";

export const TRANSPORT_KINDS: { value: TransportKind; label: string; hint: string }[] = [
  { value: "http", label: "HTTP URL", hint: "A Streamable HTTP endpoint, like https://example.com/mcp." },
  {
    value: "well_known",
    label: "HTTP discovery (.well-known)",
    hint: "A discovery document that names the endpoint, like https://example.com/.well-known/mcp.json.",
  },
  { value: "sse", label: "SSE (legacy)", hint: "An HTTP+SSE endpoint of the 2024-11-05 protocol, like http://localhost:3001/sse." },
  { value: "stdio", label: "stdio (local program)", hint: "A program Atrium starts on this computer, speaking MCP on stdin/stdout." },
  {
    value: "github",
    label: "Git repository (local install)",
    hint: "A server's source on GitHub or any git host. Atrium clones it into its home folder, installs it (npm, or a Python virtual environment) and runs it as a local server, sandboxed, under the same command allowlist.",
  },
];

export function isTransportKind(v: string): v is TransportKind {
  return TRANSPORT_KINDS.some((k) => k.value === v);
}

/** The transports that run a program here, and so take environment variables. */
export function runsLocally(kind: TransportKind): kind is "stdio" | "github" {
  return kind === "stdio" || kind === "github";
}

/** What the secret picker's "New secret…" option stands for (never a valid id: ids start with a letter or digit). */
export const NEW_SECRET = "__new__";

/** A secret typed in the form, stored in the keychain just before the registration is saved. */
export interface NewSecretDraft {
  id: string;
  value: string;
}

export type EnvKind = "text" | "secret";

export interface EnvRow {
  name: string;
  /** The text value (when `secretId` is null). */
  value: string;
  /**
   * Set when the value is a keychain secret reference (`{"secret_id": …}`): the secret's id, "" while none is chosen,
   * or NEW_SECRET while a new one is typed in `newSecret`.
   */
  secretId: string | null;
  newSecret?: NewSecretDraft | null;
}

export interface ServerFormValues {
  title: string;
  kind: TransportKind;
  url: string;
  wellKnown: string;
  command: string;
  /** One argument per line. */
  args: string;
  cwd: string;
  /** A local program's environment (stdio and git repository). */
  env: EnvRow[];
  /** GitHub transport: `owner/repo` or a git URL. */
  ownerRepo: string;
  /** GitHub transport: branch, tag or commit (empty: the default branch). */
  gitRef: string;
  /** How Atrium authenticates to a remote server. */
  auth: AuthFormValues;
  /** Comma or line separated; empty means every tool. */
  allowedTools: string;
  connectMs: string;
  callMs: string;
  enabled: boolean;
}

export const DEFAULT_CONNECT_MS = 10_000;
export const DEFAULT_CALL_MS = 30_000;

export function emptyServerForm(): ServerFormValues {
  return {
    title: "",
    kind: "http",
    url: "",
    wellKnown: "",
    command: "",
    args: "",
    cwd: "",
    env: [],
    ownerRepo: "",
    gitRef: "",
    auth: emptyAuthForm(),
    allowedTools: "",
    connectMs: String(DEFAULT_CONNECT_MS),
    callMs: String(DEFAULT_CALL_MS),
    enabled: true,
  };
}

/** Lines of a textarea, without the empty ones (and without a Windows `\r`). */
export function splitLines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.replace(/\r$/, ""))
    .filter((l) => l.trim() !== "");
}

/** Tool names from "echo, add" or one per line. */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** A time limit typed in the form: a whole number, or null (empty means the default; the form names anything else). */
function milliseconds(text: string): number | null {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}

function envRows(env: Partial<Record<string, EnvValue>> | undefined): EnvRow[] {
  const rows: EnvRow[] = [];
  for (const [name, value] of Object.entries(env ?? {})) {
    if (value === undefined) continue;
    rows.push(typeof value === "string" ? { name, value, secretId: null } : { name, value: "", secretId: value.secret_id });
  }
  return rows;
}

/** The form for a stored (or pasted, and valid) registration. */
export function formFromRegistration(title: string, registration: Registration): ServerFormValues {
  const v = emptyServerForm();
  v.title = title;
  const t = registration.transport;
  switch (t.type) {
    case "http":
      if (t.well_known != null) {
        v.kind = "well_known";
        v.wellKnown = t.well_known;
      } else {
        v.kind = "http";
        v.url = t.url ?? "";
      }
      break;
    case "sse":
      v.kind = "sse";
      v.url = t.url;
      break;
    case "stdio":
      v.kind = "stdio";
      v.command = t.command;
      v.args = (t.args ?? []).join("\n");
      v.cwd = t.cwd ?? "";
      // The backend leaves an empty `env` out of what it sends.
      v.env = envRows(t.env);
      break;
    case "github":
      v.kind = "github";
      v.ownerRepo = t.owner_repo;
      v.gitRef = t.ref ?? "";
      v.env = envRows(t.env);
      break;
  }
  v.auth = authFormFromAuth(registration.auth);
  v.allowedTools = (registration.allowed_tools ?? []).join(", ");
  v.connectMs = String(registration.timeouts?.connect_ms ?? DEFAULT_CONNECT_MS);
  v.callMs = String(registration.timeouts?.call_ms ?? DEFAULT_CALL_MS);
  v.enabled = registration.enabled ?? true;
  return v;
}

function envFromRows(rows: readonly EnvRow[]): Partial<Record<string, EnvValue>> {
  const env: Partial<Record<string, EnvValue>> = {};
  for (const row of rows) {
    const name = row.name.trim();
    if (!name && isBlankEnvRow(row)) continue;
    env[name] = envValue(row);
  }
  return env;
}

function transportFromForm(v: ServerFormValues): Transport {
  switch (v.kind) {
    case "http":
      return { type: "http", url: v.url.trim() };
    case "well_known":
      return { type: "http", well_known: v.wellKnown.trim() };
    case "sse":
      return { type: "sse", url: v.url.trim() };
    case "stdio": {
      const t: Transport = { type: "stdio", command: v.command.trim(), args: splitLines(v.args), env: envFromRows(v.env) };
      if (v.cwd.trim()) t.cwd = v.cwd.trim();
      return t;
    }
    case "github": {
      const t: Transport = { type: "github", owner_repo: v.ownerRepo.trim(), env: envFromRows(v.env) };
      if (v.gitRef.trim()) t.ref = v.gitRef.trim();
      return t;
    }
  }
}

/**
 * The registration the form describes. `base` is the one it was opened with: what it carries beyond the form's
 * fields (a note, the platform's `mcp_server`, a static header's stored secret) is kept.
 */
export function registrationFromForm(v: ServerFormValues, base: Registration | null = null): Registration {
  const registration: Registration = { transport: transportFromForm(v) };
  const auth = authFromForm(v.auth, base?.auth);
  if (auth) registration.auth = auth;
  const tools = splitList(v.allowedTools);
  if (tools.length > 0) registration.allowed_tools = tools;
  const timeouts: Timeouts = {};
  const connect = milliseconds(v.connectMs);
  const call = milliseconds(v.callMs);
  if (connect !== null) timeouts.connect_ms = connect;
  if (call !== null) timeouts.call_ms = call;
  registration.timeouts = timeouts;
  registration.enabled = v.enabled;
  // What the backend sent beyond the typed fields comes after them, untouched.
  const { transport: _transport, auth: _auth, allowed_tools: _tools, timeouts: _timeouts, enabled: _enabled, ...carried } = base ?? ({} as Partial<Registration>);
  return { ...registration, ...carried };
}

// ---- environment values: text or a keychain secret --------------------------------------------------------------

export function envKind(row: EnvRow): EnvKind {
  return row.secretId === null ? "text" : "secret";
}

/** The row switched to text or to a secret (nothing chosen yet); what was typed in the other kind is dropped. */
export function withEnvKind(row: EnvRow, kind: EnvKind): EnvRow {
  if (envKind(row) === kind) return row;
  return kind === "text" ? { name: row.name, value: "", secretId: null, newSecret: null } : { name: row.name, value: "", secretId: "", newSecret: null };
}

/** The row with a secret chosen in the picker: an existing id, or NEW_SECRET to type one (its id suggested). */
export function withEnvSecret(row: EnvRow, choice: string, suggestedId = ""): EnvRow {
  if (choice === NEW_SECRET) return { ...row, value: "", secretId: NEW_SECRET, newSecret: row.newSecret ?? { id: suggestedId, value: "" } };
  return { ...row, value: "", secretId: choice, newSecret: null };
}

/** The secret id a row refers to ("" while none is chosen); null for a text value. */
export function envSecretRef(row: EnvRow): string | null {
  if (row.secretId === null) return null;
  return row.secretId === NEW_SECRET ? (row.newSecret?.id.trim() ?? "") : row.secretId;
}

/** A row's value in the registration: text, or `{"secret_id": …}`. */
export function envValue(row: EnvRow): EnvValue {
  const ref = envSecretRef(row);
  return ref === null ? row.value : { secret_id: ref };
}

function isBlankEnvRow(row: EnvRow): boolean {
  if (row.secretId === null) return !row.value;
  if (row.secretId === NEW_SECRET) return !row.newSecret?.id.trim() && !row.newSecret?.value;
  return !row.secretId;
}

/** The secrets typed in the form, to store in the keychain before the registration is saved. */
export function pendingSecrets(rows: readonly EnvRow[]): { name: string; id: string; value: string }[] {
  return rows
    .filter((r) => r.secretId === NEW_SECRET && r.newSecret)
    .map((r) => ({ name: r.name.trim(), id: (r.newSecret as NewSecretDraft).id.trim(), value: (r.newSecret as NewSecretDraft).value }));
}

/** After the new secrets were stored: rows refer to them by id, and their values are gone from the form. */
export function settleNewSecrets(rows: readonly EnvRow[]): EnvRow[] {
  return rows.map((r) => (r.secretId === NEW_SECRET ? { name: r.name, value: "", secretId: r.newSecret?.id.trim() ?? "", newSecret: null } : r));
}

/** What the form knows is wrong with secret values before asking anyone (the backend checks the rest). */
export function envProblems(rows: readonly EnvRow[]): FieldProblem[] {
  const out: FieldProblem[] = [];
  rows.forEach((row, i) => {
    if (row.secretId === null || (!row.name.trim() && isBlankEnvRow(row))) return;
    const field = `transport.env.${row.name.trim() || `#${i + 1}`}`;
    if (row.secretId === "") out.push({ field, message: "Choose a secret, or “New secret…” to add one." });
    else if (row.secretId === NEW_SECRET) {
      const idProblem = secretIdProblem(row.newSecret?.id.trim() ?? "");
      if (idProblem) out.push({ field, message: idProblem });
      else if (!row.newSecret?.value) out.push({ field, message: "Type the new secret's value: it goes to the keychain when you save." });
    }
  });
  return out;
}

/** `NAME=value` lines (for pasting a block of variables), parsed into rows; lines without `=` are skipped. */
export function parseEnvText(text: string): EnvRow[] {
  const rows: EnvRow[] = [];
  for (const line of splitLines(text)) {
    const i = line.indexOf("=");
    if (i <= 0) continue;
    rows.push({ name: line.slice(0, i).trim(), value: line.slice(i + 1), secretId: null });
  }
  return rows;
}

/** The form field a backend problem belongs to (`transport.url` → `url`, …); `general` when none fits. */
export type FormField =
  | "title"
  | "kind"
  | "url"
  | "wellKnown"
  | "command"
  | "args"
  | "cwd"
  | "env"
  | "ownerRepo"
  | "gitRef"
  | "auth"
  | "allowedTools"
  | "connectMs"
  | "callMs"
  | "enabled"
  | "general";

export function formFieldOf(field: string, kind: TransportKind): FormField {
  if (field === "title") return "title";
  if (field === "transport.type") return "kind";
  if (field === "transport.url") return kind === "well_known" ? "wellKnown" : "url";
  if (field === "transport.well_known") return kind === "well_known" ? "wellKnown" : "url";
  if (field === "transport.command") return "command";
  if (field === "transport.args") return "args";
  if (field === "transport.cwd") return "cwd";
  if (field === "transport.env" || field.startsWith("transport.env.")) return "env";
  if (field === "transport.owner_repo") return "ownerRepo";
  if (field === "transport.ref") return "gitRef";
  if (field === "auth" || field.startsWith("auth.")) return "auth";
  if (field === "allowed_tools") return "allowedTools";
  if (field === "timeouts.connect_ms" || field === "timeouts") return "connectMs";
  if (field === "timeouts.call_ms") return "callMs";
  if (field === "enabled") return "enabled";
  return "general";
}

/** Problems grouped by form field, with env problems naming their variable. */
export function problemsByFormField(problems: readonly FieldProblem[], kind: TransportKind): Partial<Record<FormField, string[]>> {
  const out: Partial<Record<FormField, string[]>> = {};
  for (const p of problems) {
    const f = formFieldOf(p.field, kind);
    const env = p.field.startsWith("transport.env.") ? `${p.field.slice("transport.env.".length)}: ` : "";
    const general = f === "general" && p.field !== "registration" ? `${p.field}: ` : "";
    (out[f] ??= []).push(`${env}${general}${p.message}`);
  }
  return out;
}

/** A time limit's input that is not a whole number (empty is fine: the default). */
function notMilliseconds(text: string): boolean {
  return text.trim() !== "" && milliseconds(text) === null;
}

/**
 * Problems with the form's own inputs, before asking the backend (which does not see the title, nor secrets still to
 * be stored, nor a time limit that is not a number yet). In JSON mode only the title is the form's.
 */
export function localProblems(v: ServerFormValues, jsonMode = false): FieldProblem[] {
  const out: FieldProblem[] = [];
  const title = v.title.trim();
  if (!title) out.push({ field: "title", message: "Give the server a name, like “GitHub tools”." });
  else if ([...title].length > 200) out.push({ field: "title", message: "The name must be at most 200 characters." });
  if (jsonMode) return out;
  if (runsLocally(v.kind)) out.push(...envProblems(v.env));
  const wholeNumber = "Type a whole number of milliseconds, like 30000.";
  if (notMilliseconds(v.connectMs)) out.push({ field: "timeouts.connect_ms", message: wholeNumber });
  if (notMilliseconds(v.callMs)) out.push({ field: "timeouts.call_ms", message: wholeNumber });
  return out;
}

/** The registration (or the stored JSON the form cannot read) as the JSON editor shows it. */
export function registrationText(registration: Registration | JsonValue): string {
  return JSON.stringify(registration, null, 2);
}

export type ParsedJson = { ok: true; value: JsonValue } | { ok: false; message: string };

/** The JSON editor's text as a value to check with `serverValidate`; the backend says what is wrong with it. */
export function parseRegistrationText(text: string): ParsedJson {
  if (!text.trim()) return { ok: false, message: "Paste or type a registration, like {\"transport\": {\"type\": \"http\", \"url\": \"…\"}}." };
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (e) {
    return { ok: false, message: `This is not valid JSON: ${jsonProblemText(text, e instanceof Error ? e.message : String(e))}.` };
  }
}

/** Whether two form states differ (for "discard changes?"). */
export function formsDiffer(a: ServerFormValues, b: ServerFormValues): boolean {
  return JSON.stringify(a) !== JSON.stringify(b);
}
