import { describe, expect, it } from "vitest";
import type { ApiError, AuthState, ServerAuth, SignInFailure } from "./bindings";
import { authorizerIdOf, authKindLabel, authStateLine, expiresIn, loginMessage, showsAuth, signInActions, signInHint, signInProblem, signOutResult } from "./serverAuth";

const auth = (state: AuthState, can_sign_in = true, kind: ServerAuth["kind"] = "mcp_oauth"): ServerAuth => ({ kind, state, can_sign_in });
const NOW = 1_700_000_000_000;

describe("auth kinds", () => {
  it("labels each kind, naming the Authorizer", () => {
    expect(authKindLabel("none")).toBe("None");
    expect(authKindLabel("api_key")).toBe("API key");
    expect(authKindLabel("static")).toBe("Static header (development only)");
    expect(authKindLabel("oauth2", "GitHub")).toBe("OAuth 2 via GitHub");
    expect(authKindLabel("oauth2")).toBe("OAuth 2 via an Authorizer");
    expect(authKindLabel("client_credentials")).toBe("Client credentials");
    expect(authKindLabel("mcp_oauth")).toBe("MCP sign-in");
  });
});

describe("authorizerIdOf", () => {
  it("reads the Authorizer of an OAuth 2 registration", () => {
    const transport = { type: "sse" as const, url: "http://h/sse" };
    expect(authorizerIdOf({ transport, auth: { type: "oauth2", authorizer_id: "a1" } })).toBe("a1");
    expect(authorizerIdOf({ transport, auth: { type: "api_key", header: "X", secret_id: "k" } })).toBeNull();
    expect(authorizerIdOf({ transport, auth: { type: "oauth2", authorizer_id: "" } })).toBeNull();
    expect(authorizerIdOf({ transport })).toBeNull();
    expect(authorizerIdOf(null)).toBeNull();
  });
});

describe("expiresIn", () => {
  const now = NOW / 1000;
  it("counts minutes, then hours, then days", () => {
    expect(expiresIn(null, NOW)).toBeNull();
    expect(expiresIn(now - 5, NOW)).toBe("expired");
    expect(expiresIn(now + 30, NOW)).toBe("expires in less than a minute");
    expect(expiresIn(now + 119, NOW)).toBe("expires in 1 min");
    expect(expiresIn(now + 42 * 60, NOW)).toBe("expires in 42 min");
    expect(expiresIn(now + 5 * 3600, NOW)).toBe("expires in 5 h");
    expect(expiresIn(now + 3 * 86400, NOW)).toBe("expires in 3 days");
  });
});

describe("authStateLine", () => {
  it("says where the credentials stand", () => {
    expect(authStateLine(auth({ state: "signed_in", expires_at: NOW / 1000 + 600, scope: "repo read:org" }), NOW)).toEqual({
      tone: "success",
      text: "Signed in · expires in 10 min · scopes: repo read:org",
    });
    expect(authStateLine(auth({ state: "signed_in", expires_at: null, scope: null }), NOW).text).toBe("Signed in");
    expect(authStateLine(auth({ state: "refreshing" }), NOW)).toEqual({ tone: "progress", text: "Token expired — refreshing…" });
    expect(authStateLine(auth({ state: "login_required", reason: "More scopes needed." }), NOW)).toEqual({ tone: "warning", text: "Login required: More scopes needed." });
    expect(authStateLine(auth({ state: "denied", message: "invalid_grant" }), NOW)).toEqual({ tone: "danger", text: "Denied: invalid_grant" });
    expect(authStateLine(auth({ state: "not_needed" }), NOW).tone).toBe("neutral");
    expect(authStateLine(auth({ state: "configured" }), NOW).text).toMatch(/Configured/);
    expect(authStateLine(auth({ state: "signed_out" }), NOW).text).toBe("Signed out");
  });
});

describe("signInActions", () => {
  it("offers sign in, reconnect and sign out only to kinds a person signs in to", () => {
    expect(signInActions(auth({ state: "configured" }, false, "api_key"))).toEqual({ signIn: null, signOut: false });
    expect(signInActions(auth({ state: "login_required", reason: "" }))).toEqual({ signIn: "sign_in", signOut: false });
    expect(signInActions(auth({ state: "signed_out" }))).toEqual({ signIn: "sign_in", signOut: false });
    expect(signInActions(auth({ state: "signed_in", expires_at: null, scope: null }))).toEqual({ signIn: "reconnect", signOut: true });
    expect(signInActions(auth({ state: "refreshing" }))).toEqual({ signIn: "reconnect", signOut: true });
  });
  it("shows the section for remote servers and servers with credentials", () => {
    const none = auth({ state: "not_needed" }, false, "none");
    expect(showsAuth("http", none)).toBe(true);
    expect(showsAuth("stdio", none)).toBe(false);
    expect(showsAuth("stdio", auth({ state: "configured" }, false, "api_key"))).toBe(true);
  });
});

describe("messages", () => {
  it("shows the backend's sentence for a sign-in it asks for", () => {
    expect(loginMessage("Linear wants you to sign in.")).toBe("Linear wants you to sign in.");
    expect(loginMessage("  ")).toMatch(/asks you to sign in/);
  });
  it("says what to do after a failed sign-in, by its reason", () => {
    const failed = (reason: SignInFailure): ApiError => ({ code: "sign_in_failed", message: "(any wording)", details: { kind: "sign_in", reason } });
    expect(signInHint(failed("cancelled"))).toMatch(/Nothing was changed/);
    expect(signInHint(failed("access_denied"))).toMatch(/approve/);
    expect(signInHint(failed("state_mismatch"))).toMatch(/old sign-in tabs/);
    expect(signInHint(failed("callback_timeout"))).toMatch(/within 5 minutes/);
    expect(signInHint(failed("browser"))).toMatch(/default browser/);
    expect(signInHint(failed("no_client"))).toMatch(/pre-registered/);
    expect(signInHint(failed("invalid_client"))).toMatch(/client id and secret/);
    expect(signInProblem(failed("unreachable"))).toEqual({ message: "(any wording)", hint: expect.stringMatching(/network/) });
  });
  it("falls back to the error code's next step without a reason", () => {
    expect(signInHint({ code: "keychain_unavailable", message: "", details: null })).toMatch(/keychain/);
  });
  it("says whether signing out revoked the tokens", () => {
    expect(signOutResult(true)).toMatch(/revoked at the provider/);
    expect(signOutResult(false)).toMatch(/deleted them from your keychain/);
  });
});
