/**
 * The server form's Authentication part as plain data, and its translation to and from a registration's `auth` block:
 * `{type:"api_key", header, secret_id}`, `{type:"static", header, value | secret_id}`, `{type:"oauth2", authorizer_id}`,
 * `{type:"client_credentials", client_id, secret_id, token_url?, scopes?}`, `{type:"mcp_oauth", client_id?, secret_id?,
 * scopes?}`, or no block. Secrets are referred to by id; the one value typed here (a static header's) goes to the
 * keychain when the server is saved and is never read back.
 */
import type { JsonValue } from "./bindings";

/** `custom`: a block the form does not know, kept as it is (edit it as JSON). */
export type AuthFormKind = "none" | "api_key" | "static" | "oauth2" | "client_credentials" | "mcp_oauth" | "custom";

export const AUTH_FORM_KINDS: { value: Exclude<AuthFormKind, "custom">; label: string; hint: string }[] = [
  { value: "none", label: "None", hint: "No credentials. If the server asks for a sign-in (MCP authorization), its page offers one." },
  { value: "api_key", label: "API key", hint: "A header whose whole value is a secret from your system keychain, sent with every request." },
  {
    value: "static",
    label: "Static header (development only)",
    hint: "A fixed header for trying a server out. Use an API key for anything real: it can be replaced and shared safely.",
  },
  {
    value: "oauth2",
    label: "OAuth 2 (Authorizer)",
    hint: "Sign in in the browser through an Authorizer, an OAuth app's settings that servers share. The tokens stay in your keychain.",
  },
  {
    value: "client_credentials",
    label: "Client credentials",
    hint: "Machine to machine: Atrium gets a token with a client id and secret, without a browser.",
  },
  {
    value: "mcp_oauth",
    label: "MCP sign-in with a pre-registered client",
    hint: "For servers whose sign-in does not register apps by itself: give the client id registered with its provider. You sign in in the browser.",
  },
];

export function isAuthFormKind(v: string): v is Exclude<AuthFormKind, "custom"> {
  return AUTH_FORM_KINDS.some((k) => k.value === v);
}

export interface AuthFormValues {
  kind: AuthFormKind;
  /** API key and static: the header's name. */
  header: string;
  /** API key, client credentials, MCP sign-in: the keychain secret's id ("" when none is chosen). */
  secretId: string;
  /** Static: a new value (empty keeps the stored one). Never filled from a registration. */
  staticValue: string;
  authorizerId: string;
  clientId: string;
  /** Client credentials: empty means discovered from the server. */
  tokenUrl: string;
  /** Space separated. */
  scopes: string;
}

type JsonObject = { [key: string]: JsonValue | undefined };

/** The keys the form reads; others are kept when the kind does not change. */
const KNOWN_KEYS = ["type", "header", "secret_id", "value", "authorizer_id", "client_id", "token_url", "scopes"];

export function emptyAuthForm(): AuthFormValues {
  return { kind: "none", header: "", secretId: "", staticValue: "", authorizerId: "", clientId: "", tokenUrl: "", scopes: "" };
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** Scopes from "repo read:org" (spaces, commas or lines between them). */
export function splitScopes(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== "");
}

export type AuthFromBlock = { ok: true; values: AuthFormValues } | { ok: false; reason: string };

/** The form for a registration's `auth` (absent: None). A block of an unknown type is kept as `custom`. */
export function authFormFromBlock(auth: JsonValue | undefined): AuthFromBlock {
  const v = emptyAuthForm();
  if (auth === undefined || auth === null) return { ok: true, values: v };
  if (!isObject(auth)) return { ok: false, reason: "\"auth\" is not an object; fix it in JSON." };
  if (auth.scopes !== undefined && !(Array.isArray(auth.scopes) && auth.scopes.every((s) => typeof s === "string")))
    return { ok: false, reason: "\"auth.scopes\" is not a list of strings; fix it in JSON." };
  const scopes = ((auth.scopes as string[] | undefined) ?? []).join(" ");
  switch (auth.type) {
    case "api_key":
      return { ok: true, values: { ...v, kind: "api_key", header: str(auth.header), secretId: str(auth.secret_id) } };
    case "static":
      // The value (or its keychain id) stays in the registration; the form never shows it.
      return { ok: true, values: { ...v, kind: "static", header: str(auth.header) } };
    case "oauth2":
      return { ok: true, values: { ...v, kind: "oauth2", authorizerId: str(auth.authorizer_id) } };
    case "client_credentials":
      return {
        ok: true,
        values: { ...v, kind: "client_credentials", clientId: str(auth.client_id), secretId: str(auth.secret_id), tokenUrl: str(auth.token_url), scopes },
      };
    case "mcp_oauth":
      return { ok: true, values: { ...v, kind: "mcp_oauth", clientId: str(auth.client_id), secretId: str(auth.secret_id), scopes } };
    default:
      return { ok: true, values: { ...v, kind: "custom" } };
  }
}

/** The form switched to another kind; a typed static value does not outlive leaving Static. */
export function withAuthKind(v: AuthFormValues, kind: AuthFormKind): AuthFormValues {
  if (v.kind === kind) return v;
  return { ...v, kind, staticValue: kind === "static" ? v.staticValue : "" };
}

/** Whether a stored (or pasted) block already holds a static header's value: in the keychain, or as a literal. */
export function hasStoredStaticValue(base: JsonValue | undefined): boolean {
  return isObject(base) && base.type === "static" && (str(base.secret_id) !== "" || str(base.value) !== "");
}

/** A static header's value was typed and not saved yet (it must not be shown as JSON). */
export function hasTypedStaticValue(v: AuthFormValues): boolean {
  return v.kind === "static" && v.staticValue !== "";
}

/** The `auth` block the form describes (undefined: none), on top of the stored one (`base`). */
export function authBlockFromForm(v: AuthFormValues, base?: JsonValue): JsonObject | undefined {
  const prev = isObject(base) ? base : {};
  if (v.kind === "none") return undefined;
  if (v.kind === "custom") return isObject(base) ? structuredClone(base) : undefined;
  const out: JsonObject = { type: v.kind };
  if (prev.type === v.kind) for (const [k, val] of Object.entries(prev)) if (!KNOWN_KEYS.includes(k) && val !== undefined) out[k] = structuredClone(val);
  const scopes = splitScopes(v.scopes);
  switch (v.kind) {
    case "api_key":
      out.header = v.header.trim();
      out.secret_id = v.secretId;
      break;
    case "static":
      out.header = v.header.trim();
      if (v.staticValue !== "") out.value = v.staticValue;
      else if (prev.type === "static" && str(prev.secret_id)) out.secret_id = str(prev.secret_id);
      else if (prev.type === "static" && str(prev.value)) out.value = str(prev.value);
      else out.value = "";
      break;
    case "oauth2":
      out.authorizer_id = v.authorizerId;
      break;
    case "client_credentials":
      out.client_id = v.clientId.trim();
      out.secret_id = v.secretId;
      if (v.tokenUrl.trim()) out.token_url = v.tokenUrl.trim();
      if (scopes.length > 0) out.scopes = scopes;
      break;
    case "mcp_oauth":
      if (v.clientId.trim()) out.client_id = v.clientId.trim();
      if (v.secretId) out.secret_id = v.secretId;
      if (scopes.length > 0) out.scopes = scopes;
      break;
  }
  return out;
}
