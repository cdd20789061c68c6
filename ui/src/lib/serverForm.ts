/**
 * The add/edit server form as plain data, and its translation to and from a registration (DESIGN §2):
 * `{"transport": {...}, "auth": {...}, "allowed_tools": [...], "timeouts": {...}, "enabled": true}`. Everything the form
 * has no field for (notes, the platform's keys, a static header's stored value) is carried through untouched. The
 * `auth` block's part is in authForm.ts.
 */
import { authBlockFromForm, authFormFromBlock, emptyAuthForm, type AuthFormValues } from "./authForm";
import type { FieldProblem, JsonValue } from "./bindings";
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
    hint: "A server's source on GitHub or any git host. Atrium clones it into its home folder, installs it (npm, or a Python virtual environment) and runs it as a local server, under the same command allowlist.",
  },
];

export function isTransportKind(v: string): v is TransportKind {
  return TRANSPORT_KINDS.some((k) => k.value === v);
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

type JsonObject = { [key: string]: JsonValue | undefined };

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

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
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

/** A whole number as a number; anything else as typed, so that validation names the field; empty as absent. */
function msValue(text: string): JsonValue | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  return /^\d+$/.test(t) ? Number(t) : t;
}

export type FormFromRegistration =
  | { ok: true; values: ServerFormValues; base: JsonObject }
  | { ok: false; reason: string };

/**
 * The form for a stored (or pasted) registration. `base` keeps the whole object so fields without a form control
 * survive a save. Registrations the form cannot show (GitHub transport, malformed transport) are refused with a
 * reason, and the editor stays in JSON mode.
 */
export function formFromRegistration(title: string, registration: JsonValue): FormFromRegistration {
  if (!isObject(registration)) return { ok: false, reason: "A registration is a JSON object, like {\"transport\": {…}}." };
  const t = registration.transport;
  if (!isObject(t)) return { ok: false, reason: "The registration has no \"transport\" object; edit it as JSON." };
  const v = emptyServerForm();
  v.title = title;
  switch (t.type) {
    case "http":
      if (t.well_known !== undefined && t.url !== undefined)
        return { ok: false, reason: "The transport has both \"url\" and \"well_known\"; keep one, in JSON." };
      if (t.well_known !== undefined) {
        v.kind = "well_known";
        v.wellKnown = str(t.well_known);
      } else {
        v.kind = "http";
        v.url = str(t.url);
      }
      break;
    case "sse":
      v.kind = "sse";
      v.url = str(t.url);
      break;
    case "stdio": {
      v.kind = "stdio";
      v.command = str(t.command);
      if (t.args !== undefined && !(Array.isArray(t.args) && t.args.every((a) => typeof a === "string")))
        return { ok: false, reason: "\"args\" is not a list of strings; fix it in JSON." };
      v.args = ((t.args as string[] | undefined) ?? []).join("\n");
      v.cwd = str(t.cwd);
      if (t.env !== undefined) {
        if (!isObject(t.env)) return { ok: false, reason: "\"env\" is not an object of NAME: value; fix it in JSON." };
        for (const [name, value] of Object.entries(t.env)) {
          if (typeof value === "string") v.env.push({ name, value, secretId: null });
          else if (isObject(value) && typeof value.secret_id === "string") v.env.push({ name, value: "", secretId: value.secret_id });
          else return { ok: false, reason: `The value of ${name} is neither text nor a secret; fix it in JSON.` };
        }
      }
      break;
    }
    case "github":
      v.kind = "github";
      v.ownerRepo = str(t.owner_repo);
      v.gitRef = str(t.ref);
      break;
    default:
      return { ok: false, reason: "The transport type is not one the form knows; edit it as JSON." };
  }
  const auth = authFormFromBlock(registration.auth);
  if (!auth.ok) return auth;
  v.auth = auth.values;
  const tools = registration.allowed_tools;
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools) || !tools.every((x) => typeof x === "string"))
      return { ok: false, reason: "\"allowed_tools\" is not a list of names; fix it in JSON." };
    v.allowedTools = tools.join(", ");
  }
  const timeouts = registration.timeouts;
  if (timeouts !== undefined) {
    if (!isObject(timeouts)) return { ok: false, reason: "\"timeouts\" is not an object; fix it in JSON." };
    if (timeouts.connect_ms !== undefined) v.connectMs = String(timeouts.connect_ms);
    if (timeouts.call_ms !== undefined) v.callMs = String(timeouts.call_ms);
  }
  if (registration.enabled !== undefined) {
    if (typeof registration.enabled !== "boolean") return { ok: false, reason: "\"enabled\" is not true or false; fix it in JSON." };
    v.enabled = registration.enabled;
  }
  return { ok: true, values: v, base: structuredClone(registration) };
}

/** The registration the form describes, on top of `base` (the fields the form does not show). */
export function registrationFromForm(v: ServerFormValues, base: JsonObject = {}): JsonObject {
  const out: JsonObject = {};
  for (const [k, val] of Object.entries(base)) {
    if (!["transport", "auth", "allowed_tools", "timeouts", "enabled"].includes(k) && val !== undefined) out[k] = structuredClone(val);
  }
  switch (v.kind) {
    case "http":
      out.transport = { type: "http", url: v.url.trim() };
      break;
    case "well_known":
      out.transport = { type: "http", well_known: v.wellKnown.trim() };
      break;
    case "sse":
      out.transport = { type: "sse", url: v.url.trim() };
      break;
    case "stdio": {
      const t: JsonObject = { type: "stdio", command: v.command.trim(), args: splitLines(v.args) };
      if (v.cwd.trim()) t.cwd = v.cwd.trim();
      const env: JsonObject = {};
      for (const row of v.env) {
        const name = row.name.trim();
        if (!name && isBlankEnvRow(row)) continue;
        env[name] = envValue(row);
      }
      if (Object.keys(env).length > 0) t.env = env;
      out.transport = t;
      break;
    }
    case "github": {
      const t: JsonObject = { type: "github", owner_repo: v.ownerRepo.trim() };
      if (v.gitRef.trim()) t.ref = v.gitRef.trim();
      out.transport = t;
      break;
    }
  }
  const auth = authBlockFromForm(v.auth, base.auth);
  if (auth) out.auth = auth;
  const tools = splitList(v.allowedTools);
  if (tools.length > 0) out.allowed_tools = tools;
  const timeouts: JsonObject = {};
  const connect = msValue(v.connectMs);
  const call = msValue(v.callMs);
  if (connect !== undefined) timeouts.connect_ms = connect;
  if (call !== undefined) timeouts.call_ms = call;
  out.timeouts = timeouts;
  out.enabled = v.enabled;
  return out;
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
export function envValue(row: EnvRow): JsonValue {
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

/**
 * Problems the form finds itself, before asking the backend (which does not see the title, nor secrets still to be
 * stored). In JSON mode only the title is the form's.
 */
export function localProblems(v: ServerFormValues, jsonMode = false): FieldProblem[] {
  const out: FieldProblem[] = [];
  const title = v.title.trim();
  if (!title) out.push({ field: "title", message: "Give the server a name, like “GitHub tools”." });
  else if ([...title].length > 200) out.push({ field: "title", message: "The name must be at most 200 characters." });
  if (!jsonMode && v.kind === "stdio") out.push(...envProblems(v.env));
  return out;
}

/** The registration as the JSON editor shows it. */
export function registrationText(registration: JsonValue): string {
  return JSON.stringify(registration, null, 2);
}

export type ParsedJson = { ok: true; value: JsonValue } | { ok: false; message: string };

export function parseRegistrationText(text: string): ParsedJson {
  if (!text.trim()) return { ok: false, message: "Paste or type a registration, like {\"transport\": {\"type\": \"http\", \"url\": \"…\"}}." };
  try {
    const value = JSON.parse(text) as JsonValue;
    if (!isObject(value)) return { ok: false, message: "A registration is a JSON object, like {\"transport\": {…}}." };
    return { ok: true, value };
  } catch (e) {
    return { ok: false, message: `This is not valid JSON: ${jsonProblemText(text, e instanceof Error ? e.message : String(e))}.` };
  }
}

/** Whether two form states differ (for "discard changes?"). */
export function formsDiffer(a: ServerFormValues, b: ServerFormValues): boolean {
  return JSON.stringify(a) !== JSON.stringify(b);
}
