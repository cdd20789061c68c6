/**
 * DEVELOPMENT ONLY: the sign-in and Authorizer commands of the fake backend. A "browser sign-in" is a pause of a
 * couple of seconds (cancellable); servers or Authorizers whose title says "deny" are refused. Authorizers live in
 * memory (see fakeAuthState.ts; fakeServers.ts seeds the first workspace's "GitHub").
 */
import type { ApiError, AuthorizerConfig, AuthorizerView, Result, Workspace } from "../bindings";
import type { Commands } from "../api";
import type { FakeAuthStore, FakeAuthorizer } from "./fakeAuthState";
import { err, ok } from "./fakeServers";

type AuthCommands = Pick<
  Commands,
  | "serverSignIn"
  | "serverSignInCancel"
  | "serverSignOut"
  | "authorizerList"
  | "authorizerCreate"
  | "authorizerUpdate"
  | "authorizerDelete"
  | "authorizerConnect"
  | "authorizerConnectCancel"
  | "authorizerDisconnect"
>;

/** How long the pretend person takes in the browser. */
const SIGN_IN_MS = 2500;

function checkConfig(c: AuthorizerConfig): string | null {
  for (const [what, url] of [
    ["auth_url", c.auth_url],
    ["token_url", c.token_url],
    ["revoke_url", c.revoke_url ?? null],
  ] as const) {
    if (url === null) continue;
    try {
      const u = new URL(url);
      if (u.protocol !== "https:" && u.protocol !== "http:") return `${what} must be an http(s) URL.`;
    } catch {
      return `${what} is not a URL: ${url}`;
    }
  }
  if (!c.client_id.trim()) return "An Authorizer needs the OAuth app's client id.";
  if (c.token_auth_method && !["client_secret_post", "client_secret_basic"].includes(c.token_auth_method))
    return "token_auth_method is client_secret_post or client_secret_basic.";
  return null;
}

export function createFakeAuth(store: FakeAuthStore, workspaces: Map<string, Workspace>, latency: number): AuthCommands {
  const waits = new Map<string, () => void>();
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const authFailure = <T>(message: string) => err<T>("server_failed", message, { kind: "server", failure_code: "auth_error" });

  /** The pretend browser: true when the person finished, false when the sign-in was cancelled. */
  function browser(id: string): Promise<boolean> {
    waits.get(id)?.();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        waits.delete(id);
        resolve(true);
      }, SIGN_IN_MS + latency);
      waits.set(id, () => {
        clearTimeout(timer);
        waits.delete(id);
        resolve(false);
      });
    });
  }

  function cancel(id: string): boolean {
    const w = waits.get(id);
    w?.();
    return Boolean(w);
  }

  function view(a: FakeAuthorizer): AuthorizerView {
    const users = new Set(store.usersOf(a.id));
    const used_by = store
      .servers.list()
      .filter((s) => users.has(s.id))
      .map((s) => s.title);
    return { ...structuredClone(a), used_by, connected: store.authorizerTokens.has(a.id) };
  }

  function reconnectUsers(authorizerId: string) {
    for (const id of store.usersOf(authorizerId)) store.servers.reconnect(id);
  }

  const notFound = <T>(what: string) => err<T>("not_found", `That ${what} does not exist (any more).`);

  return {
    async serverSignIn(id) {
      await sleep(latency);
      const s = store.servers.list().find((x) => x.id === id);
      if (!s) return notFound("server");
      const auth = store.authOf(s.id, s.registration, s.target);
      if (!auth.can_sign_in) return err("invalid_input", `${s.title} does not sign in in the browser: its authentication is set in the registration.`);
      const grant = store.grantOf(s.id, s.registration);
      const authorizer = grant.kind === "authorizer" ? store.authorizers.get(grant.id) : undefined;
      if (grant.kind === "authorizer" && !authorizer) return authFailure("Its Authorizer no longer exists: edit the server and choose another.");
      if (!(await browser(id))) return authFailure("The sign-in was cancelled.");
      if (/deny/i.test(s.title)) return authFailure("Sign-in was denied: access_denied (The user denied the request).");
      if (authorizer) {
        store.authorizerTokens.set(authorizer.id, store.token(authorizer.config.scopes ?? []));
        reconnectUsers(authorizer.id);
      } else {
        store.serverTokens.set(s.id, store.token(["mcp"]));
        store.servers.reconnect(s.id);
      }
      return ok(store.authOf(s.id, s.registration, s.target));
    },
    async serverSignInCancel(id) {
      return ok(cancel(id));
    },
    async serverSignOut(id) {
      await sleep(latency + 300);
      const s = store.servers.list().find((x) => x.id === id);
      if (!s) return notFound("server");
      const grant = store.grantOf(s.id, s.registration);
      if (grant.kind === "authorizer") {
        store.authorizerTokens.delete(grant.id);
        reconnectUsers(grant.id);
        return ok(Boolean(store.authorizers.get(grant.id)?.config.revoke_url));
      }
      store.serverTokens.delete(s.id);
      store.servers.reconnect(s.id);
      return ok(!/norevoke/i.test(s.target));
    },
    async authorizerList(workspaceId) {
      await sleep(latency);
      return ok([...store.authorizers.values()].filter((a) => workspaceId === null || a.workspace_id === workspaceId).map(view));
    },
    async authorizerCreate(input): Promise<Result<AuthorizerView, ApiError>> {
      await sleep(latency);
      if (!input.title.trim()) return err("invalid_input", "Title is required.", { kind: "fields", problems: [{ field: "title", message: "Title is required." }] });
      if (!workspaces.has(input.workspace_id)) return notFound("workspace");
      const problem = checkConfig(input.config);
      if (problem) return err("invalid_input", problem);
      const a: FakeAuthorizer = { id: crypto.randomUUID(), workspace_id: input.workspace_id, title: input.title.trim(), version: 1, config: structuredClone(input.config) };
      store.authorizers.set(a.id, a);
      return ok(view(a));
    },
    async authorizerUpdate(id, expectedVersion, title, config) {
      await sleep(latency);
      const a = store.authorizers.get(id);
      if (!a) return notFound("Authorizer");
      if (a.version !== expectedVersion)
        return err("version_conflict", `The Authorizer is at version ${a.version}, not ${expectedVersion}.`, { kind: "version_conflict", expected: expectedVersion, actual: a.version });
      if (title !== null && !title.trim()) return err("invalid_input", "Title is required.", { kind: "fields", problems: [{ field: "title", message: "Title is required." }] });
      const problem = config ? checkConfig(config) : null;
      if (problem) return err("invalid_input", problem);
      if (title !== null) a.title = title.trim();
      if (config) a.config = structuredClone(config);
      a.version += 1;
      return ok(view(a));
    },
    async authorizerDelete(id) {
      await sleep(latency);
      const a = store.authorizers.get(id);
      if (!a) return notFound("Authorizer");
      const used = view(a).used_by;
      if (used.length > 0) return err("invalid_input", `${a.title} is used by ${used.join(", ")}: change their authentication first.`);
      store.authorizers.delete(id);
      store.authorizerTokens.delete(id);
      return ok(null);
    },
    async authorizerConnect(id) {
      await sleep(latency);
      const a = store.authorizers.get(id);
      if (!a) return notFound("Authorizer");
      if (!(await browser(id))) return authFailure("The sign-in was cancelled.");
      if (/deny/i.test(a.title)) return authFailure("Sign-in was denied: access_denied (The user denied the request).");
      store.authorizerTokens.set(id, store.token(a.config.scopes ?? []));
      reconnectUsers(id);
      return ok(view(a));
    },
    async authorizerConnectCancel(id) {
      return ok(cancel(id));
    },
    async authorizerDisconnect(id) {
      await sleep(latency + 300);
      const a = store.authorizers.get(id);
      if (!a) return notFound("Authorizer");
      store.authorizerTokens.delete(id);
      reconnectUsers(id);
      return ok(Boolean(a.config.revoke_url));
    },
  };
}
