/**
 * DEVELOPMENT ONLY: what the fake backend knows about authentication — Authorizers, the tokens it "holds", and how a
 * registration's `auth` decides a server's `ServerAuth` and whether it waits for a sign-in. Shared by fakeServers.ts
 * (status, validation) and fakeAuth.ts (the sign-in and Authorizer commands).
 *
 * Which servers ask for a sign-in: `oauth2` until its Authorizer is connected, `mcp_oauth` until signed in, and
 * servers without `auth` whose address contains "oauth" or "login" (MCP authorization, asked by the server).
 */
import type { AuthKind, AuthorizerConfig, FieldProblem, JsonValue, ServerAuth } from "../bindings";

type Obj = { [k: string]: JsonValue | undefined };

export interface FakeToken {
  expires_at: number;
  scope: string | null;
}

export interface FakeAuthorizer {
  id: string;
  workspace_id: string;
  title: string;
  version: number;
  config: AuthorizerConfig;
}

/** What the auth commands need from the fake servers (fakeServers.ts fills it in). */
export interface FakeServerAccess {
  list(): { id: string; workspace_id: string; title: string; registration: Obj; target: string }[];
  /** Connects again, with the current tokens. */
  reconnect(id: string): void;
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function text(auth: Obj, key: string): string {
  const v = auth[key];
  return typeof v === "string" ? v.trim() : "";
}

/** The backend sends `oauth2` (serde); the generated type spells it `oauth_2`. The fake sends what the backend sends. */
const OAUTH2 = "oauth2" as AuthKind;

const GITHUB_AUTHORIZER: AuthorizerConfig = {
  provider: "github",
  auth_url: "https://github.com/login/oauth/authorize",
  token_url: "https://github.com/login/oauth/access_token",
  scopes: ["repo", "read:org"],
  client_id: "Iv1.8a61f9b3a7aba766",
  pkce: true,
};

export class FakeAuthStore {
  authorizers = new Map<string, FakeAuthorizer>();
  serverTokens = new Map<string, FakeToken>();
  authorizerTokens = new Map<string, FakeToken>();
  servers: FakeServerAccess = { list: () => [], reconnect: () => {} };

  /** The sample Authorizer of a workspace (the first one's); returns its id. */
  seed(workspaceId: string): string {
    const id = "fake-authorizer-github";
    if (!this.authorizers.has(id)) this.authorizers.set(id, { id, workspace_id: workspaceId, title: "GitHub", version: 1, config: structuredClone(GITHUB_AUTHORIZER) });
    return id;
  }

  token(scopes: readonly string[]): FakeToken {
    return { expires_at: Math.floor(Date.now() / 1000) + 3600, scope: scopes.length > 0 ? scopes.join(" ") : null };
  }

  /** The grant a server signs in with: its Authorizer's, or its own. */
  grantOf(serverId: string, registration: Obj): { kind: "authorizer" | "server"; id: string } {
    const auth = isObj(registration.auth) ? registration.auth : {};
    return auth.type === "oauth2" ? { kind: "authorizer", id: text(auth, "authorizer_id") } : { kind: "server", id: serverId };
  }

  /** The servers that sign in through an Authorizer. */
  usersOf(authorizerId: string): string[] {
    return this.servers
      .list()
      .filter((s) => isObj(s.registration.auth) && s.registration.auth.type === "oauth2" && text(s.registration.auth, "authorizer_id") === authorizerId)
      .map((s) => s.id);
  }

  authOf(serverId: string, registration: Obj, target: string): ServerAuth {
    const auth = isObj(registration.auth) ? registration.auth : null;
    const signedIn = (t: FakeToken | undefined) => (t ? { state: "signed_in" as const, expires_at: t.expires_at, scope: t.scope } : null);
    switch (auth?.type) {
      case "api_key":
        return { kind: "api_key", state: { state: "configured" }, can_sign_in: false };
      case "static":
        return { kind: "static", state: { state: "configured" }, can_sign_in: false };
      case "client_credentials": {
        const scopes = Array.isArray(auth.scopes) ? auth.scopes.filter((s): s is string => typeof s === "string") : [];
        return { kind: "client_credentials", state: { state: "signed_in", ...this.token(scopes) }, can_sign_in: false };
      }
      case "oauth2": {
        const a = this.authorizers.get(text(auth, "authorizer_id"));
        if (!a) return { kind: OAUTH2, state: { state: "denied", message: "Its Authorizer no longer exists: edit the server and choose another." }, can_sign_in: true };
        const state = signedIn(this.authorizerTokens.get(a.id)) ?? { state: "login_required" as const, reason: `Connect “${a.title}” to sign in.` };
        return { kind: OAUTH2, state, can_sign_in: true };
      }
      case "mcp_oauth": {
        const state = signedIn(this.serverTokens.get(serverId)) ?? { state: "login_required" as const, reason: "The server asks you to sign in." };
        return { kind: "mcp_oauth", state, can_sign_in: true };
      }
      default: {
        if (!/oauth|login/i.test(target)) return { kind: "none", state: { state: "not_needed" }, can_sign_in: false };
        const state = signedIn(this.serverTokens.get(serverId)) ?? { state: "login_required" as const, reason: "The server asks you to sign in (MCP authorization)." };
        return { kind: "none", state, can_sign_in: true };
      }
    }
  }

  /** Why a server that would connect waits for a sign-in instead; null when it does not. */
  loginNeeded(serverId: string, title: string, registration: Obj, target: string): string | null {
    const auth = this.authOf(serverId, registration, target);
    return auth.can_sign_in && auth.state.state !== "signed_in" ? `${title} asks you to sign in before it answers.` : null;
  }
}

/** The same checks as the real registration parser's `auth` part (its messages). */
export function validateAuth(auth: JsonValue | undefined, out: FieldProblem[]): void {
  if (auth === undefined || auth === null) return;
  if (!isObj(auth)) return void out.push({ field: "auth", message: "auth is an object with a \"type\"." });
  const has = (key: string) => text(auth, key) !== "";
  switch (auth.type) {
    case "static":
      if (!has("header") || !(has("value") || has("secret_id"))) out.push({ field: "auth", message: 'Static auth needs a "header" and a "value".' });
      break;
    case "api_key":
      if (!has("secret_id") || !has("header")) out.push({ field: "auth", message: 'API key auth needs a "secret_id" and a "header".' });
      break;
    case "oauth2":
      if (!has("authorizer_id")) out.push({ field: "auth", message: 'OAuth 2 auth needs an "authorizer_id".' });
      break;
    case "client_credentials":
      if (!has("client_id") || !has("secret_id")) out.push({ field: "auth", message: 'Client credentials need "client_id" and "secret_id".' });
      if (has("token_url") && !/^https?:\/\/\S+$/.test(text(auth, "token_url"))) out.push({ field: "auth", message: "auth.token_url must be an https URL." });
      break;
    case "mcp_oauth":
      if (auth.secret_id !== undefined && !has("client_id")) out.push({ field: "auth", message: 'A client secret needs its "client_id".' });
      break;
    default:
      out.push({ field: "auth.type", message: "auth.type is one of static, api_key, oauth2, client_credentials, mcp_oauth." });
  }
}

/** Like the real save: a static header's value leaves the registration (for the keychain); its id stays. */
export function secureStatic(registration: JsonValue): JsonValue {
  if (!isObj(registration) || !isObj(registration.auth) || registration.auth.type !== "static" || typeof registration.auth.value !== "string") return registration;
  const { value: _value, ...auth } = registration.auth;
  return { ...registration, auth: { ...auth, secret_id: `header.${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}` } };
}
