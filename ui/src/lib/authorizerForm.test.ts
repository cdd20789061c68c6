import { describe, expect, it } from "vitest";
import type { AuthorizerView } from "./bindings";
import {
  authorizerFormFrom,
  authorizerProblems,
  configFromForm,
  deleteConsequence,
  disconnectConsequence,
  emptyAuthorizerForm,
  guessProvider,
} from "./authorizerForm";

const github: AuthorizerView = {
  id: "a1",
  workspace_id: "w1",
  title: "GitHub",
  version: 3,
  config: {
    provider: "github",
    auth_url: "https://github.com/login/oauth/authorize",
    token_url: "https://github.com/login/oauth/access_token",
    revoke_url: null,
    scopes: ["repo", "read:org"],
    client_id: "Iv1.abc",
    pkce: true,
    secret_id: "github-oauth-secret",
    token_auth_method: "client_secret_basic",
  },
  used_by: [],
  connected: false,
};

describe("authorizer form", () => {
  it("round-trips a configuration", () => {
    const v = authorizerFormFrom(github);
    expect(v).toMatchObject({ title: "GitHub", scopes: "repo read:org", revokeUrl: "", secretId: "github-oauth-secret", tokenAuthMethod: "client_secret_basic" });
    const { revoke_url: _r, ...rest } = github.config;
    expect(configFromForm(v)).toEqual(rest);
  });

  it("drops the method without a secret, and trims", () => {
    const v = { ...authorizerFormFrom(github), secretId: "", revokeUrl: " https://github.com/revoke ", scopes: " repo,  gist " };
    expect(configFromForm(v)).toEqual({
      provider: "github",
      auth_url: github.config.auth_url,
      token_url: github.config.token_url,
      revoke_url: "https://github.com/revoke",
      scopes: ["repo", "gist"],
      client_id: "Iv1.abc",
      pkce: true,
    });
  });

  it("guesses the provider from the authorization URL", () => {
    expect(guessProvider("https://accounts.google.com/o/oauth2/v2/auth")).toBe("google");
    expect(guessProvider("https://www.github.com/login")).toBe("github");
    expect(guessProvider("http://localhost:9000/authorize")).toBe("localhost");
    expect(guessProvider("nope")).toBe("");
    expect(configFromForm({ ...emptyAuthorizerForm(), authUrl: "https://linear.app/oauth/authorize" }).provider).toBe("linear");
  });

  it("names what is missing or wrong, by field", () => {
    expect(authorizerProblems(emptyAuthorizerForm()).map((p) => p.field)).toEqual(["title", "authUrl", "tokenUrl", "clientId"]);
    const v = { ...authorizerFormFrom(github), tokenUrl: "ftp://x", revokeUrl: "not a url" };
    expect(authorizerProblems(v).map((p) => p.field)).toEqual(["tokenUrl", "revokeUrl"]);
    expect(authorizerProblems(authorizerFormFrom(github))).toEqual([]);
  });
});

describe("consequences", () => {
  it("says who is affected", () => {
    expect(deleteConsequence({ used_by: [], connected: false })).toBe("No server uses it.");
    expect(deleteConsequence({ used_by: [], connected: true })).toMatch(/signed out/);
    expect(deleteConsequence({ used_by: ["Issues"], connected: true })).toMatch(/^“Issues” signs in through it: .*that server/);
    expect(deleteConsequence({ used_by: ["A", "B", "C"], connected: false })).toMatch(/^“A”, “B” and “C” sign in through it/);
    expect(disconnectConsequence({ used_by: ["A", "B"] })).toBe("“A” and “B” will need you to connect again before they answer.");
    expect(disconnectConsequence({ used_by: [] })).toMatch(/revoked/);
  });
});
