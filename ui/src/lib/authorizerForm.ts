/**
 * The Authorizer dialog as plain data: its fields from and to an `AuthorizerConfig`, the checks it makes before
 * asking the backend, and what deleting or disconnecting one affects.
 */
import { splitScopes } from "./authForm";
import type { AuthorizerConfig, AuthorizerView, FieldProblem } from "./bindings";

export type TokenAuthMethod = "" | "client_secret_post" | "client_secret_basic";

export const TOKEN_AUTH_METHODS: { value: TokenAuthMethod; label: string }[] = [
  { value: "", label: "In the request body (client_secret_post, the default)" },
  { value: "client_secret_basic", label: "As HTTP Basic auth (client_secret_basic)" },
];

export interface AuthorizerFormValues {
  title: string;
  provider: string;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  clientId: string;
  /** Space separated. */
  scopes: string;
  /** The keychain secret holding the client secret; "" for a public app. */
  secretId: string;
  tokenAuthMethod: TokenAuthMethod;
}

/** The dialog's fields, which its problems are keyed by. */
export type AuthorizerField = "title" | "authUrl" | "tokenUrl" | "revokeUrl" | "clientId";

export function emptyAuthorizerForm(): AuthorizerFormValues {
  return { title: "", provider: "", authUrl: "", tokenUrl: "", revokeUrl: "", clientId: "", scopes: "", secretId: "", tokenAuthMethod: "" };
}

export function authorizerFormFrom(view: Pick<AuthorizerView, "title" | "config">): AuthorizerFormValues {
  const c = view.config;
  return {
    title: view.title,
    provider: c.provider,
    authUrl: c.auth_url,
    tokenUrl: c.token_url,
    revokeUrl: c.revoke_url ?? "",
    clientId: c.client_id,
    scopes: (c.scopes ?? []).join(" "),
    secretId: c.secret_id ?? "",
    tokenAuthMethod: c.token_auth_method === "client_secret_basic" ? "client_secret_basic" : "",
  };
}

/** The configuration the fields describe. PKCE is always on; the method only matters with a client secret. */
export function configFromForm(v: AuthorizerFormValues): AuthorizerConfig {
  const config: AuthorizerConfig = {
    provider: v.provider.trim() || guessProvider(v.authUrl),
    auth_url: v.authUrl.trim(),
    token_url: v.tokenUrl.trim(),
    scopes: splitScopes(v.scopes),
    client_id: v.clientId.trim(),
    pkce: true,
  };
  if (v.revokeUrl.trim()) config.revoke_url = v.revokeUrl.trim();
  if (v.secretId) {
    config.secret_id = v.secretId;
    if (v.tokenAuthMethod) config.token_auth_method = v.tokenAuthMethod;
  }
  return config;
}

/** A provider name from the authorization URL's host: `https://github.com/login/…` → `github`. */
export function guessProvider(authUrl: string): string {
  try {
    const parts = new URL(authUrl.trim()).hostname.split(".").filter((p) => p !== "www" && p !== "");
    return parts.length >= 2 ? parts[parts.length - 2] : (parts[0] ?? "");
  } catch {
    return "";
  }
}

function urlProblem(text: string, what: string): string | null {
  const t = text.trim();
  if (!t) return `Give the ${what}: the provider's documentation names it (it starts with https://).`;
  try {
    const u = new URL(t);
    if (u.protocol !== "https:" && u.protocol !== "http:") return `The ${what} must start with https://.`;
  } catch {
    return `This is not an address: the ${what} starts with https://.`;
  }
  return null;
}

/** What the dialog finds wrong before asking the backend (which checks the endpoints again). */
export function authorizerProblems(v: AuthorizerFormValues): FieldProblem[] {
  const out: FieldProblem[] = [];
  const add = (field: AuthorizerField, message: string | null) => void (message && out.push({ field, message }));
  add("title", v.title.trim() ? null : "Give the Authorizer a name, like “GitHub”.");
  add("authUrl", urlProblem(v.authUrl, "authorization URL"));
  add("tokenUrl", urlProblem(v.tokenUrl, "token URL"));
  if (v.revokeUrl.trim()) add("revokeUrl", urlProblem(v.revokeUrl, "revocation URL"));
  add("clientId", v.clientId.trim() ? null : "Give the OAuth app's client id (the provider shows it on the app's page).");
  return out;
}

function titles(list: readonly string[]): string {
  const names = list.map((t) => `“${t}”`);
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** The confirmation text for deleting an Authorizer. */
export function deleteConsequence(a: Pick<AuthorizerView, "used_by" | "connected">): string {
  if (a.used_by.length > 0)
    return `${titles(a.used_by)} ${a.used_by.length === 1 ? "signs" : "sign"} in through it: Atrium refuses to delete it until ${a.used_by.length === 1 ? "that server uses" : "they use"} other authentication.`;
  return a.connected ? "No server uses it. Its connection is signed out and its tokens deleted from your keychain." : "No server uses it.";
}

/** The confirmation text for disconnecting an Authorizer. */
export function disconnectConsequence(a: Pick<AuthorizerView, "used_by">): string {
  if (a.used_by.length === 0) return "Its tokens are revoked where the provider allows it, and deleted from your keychain.";
  return `${titles(a.used_by)} will need you to connect again before ${a.used_by.length === 1 ? "it answers" : "they answer"}.`;
}
