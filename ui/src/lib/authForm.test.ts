import { describe, expect, it } from "vitest";
import {
  authFormFromAuth,
  authFromForm,
  emptyAuthForm,
  hasStoredStaticValue,
  hasTypedStaticValue,
  isAuthFormKind,
  splitScopes,
  withAuthKind,
} from "./authForm";
import type { Auth } from "./bindings";

describe("authFormFromAuth / authFromForm", () => {
  it("round-trips every kind", () => {
    const every: Auth[] = [
      { type: "api_key", header: "X-API-Key", secret_id: "linear-key" },
      { type: "oauth2", authorizer_id: "a1" },
      { type: "client_credentials", client_id: "svc", secret_id: "svc-secret", token_url: "https://id.example.com/token", scopes: ["read", "write"] },
      { type: "client_credentials", client_id: "svc", secret_id: "svc-secret", scopes: [], auth_method: "client_secret_post" },
      { type: "client_credentials", client_id: "svc", secret_id: "svc-key", scopes: [], auth_method: "private_key_jwt", signing_alg: "ES256" },
      { type: "mcp_oauth", client_id: "atrium", secret_id: "s", scopes: ["mcp"] },
      { type: "mcp_oauth", scopes: [] },
      { type: "static", header: "Authorization", secret_id: "header.0123456789ab" },
    ];
    for (const auth of every) expect(authFromForm(authFormFromAuth(auth), auth)).toEqual(auth);
  });

  it("reads no auth as None and writes None as no auth", () => {
    expect(authFormFromAuth(undefined).kind).toBe("none");
    expect(authFormFromAuth(null).kind).toBe("none");
    expect(authFromForm(emptyAuthForm())).toBeNull();
  });

  it("trims and splits what was typed", () => {
    const v = { ...emptyAuthForm(), kind: "client_credentials" as const, clientId: " svc ", secretId: "s", tokenUrl: " ", scopes: " read, write\nadmin " };
    expect(authFromForm(v)).toEqual({ type: "client_credentials", client_id: "svc", secret_id: "s", scopes: ["read", "write", "admin"] });
    expect(splitScopes("")).toEqual([]);
  });

  it("sends a signing algorithm only with a private key", () => {
    const v = { ...emptyAuthForm(), kind: "client_credentials" as const, clientId: "svc", secretId: "k", signingAlg: "RS256" as const };
    expect(authFromForm({ ...v, authMethod: "client_secret_basic" })).not.toHaveProperty("signing_alg");
    expect(authFromForm({ ...v, authMethod: "private_key_jwt" })).toMatchObject({ auth_method: "private_key_jwt", signing_alg: "RS256" });
  });
});

describe("static header values", () => {
  const stored: Auth = { type: "static", header: "Authorization", secret_id: "header.abc" };

  it("never reads the value into the form", () => {
    expect(authFormFromAuth({ type: "static", header: "X", value: "hunter2" })).toEqual({ ...emptyAuthForm(), kind: "static", header: "X" });
    expect(hasStoredStaticValue(stored)).toBe(true);
    expect(hasStoredStaticValue({ type: "static", header: "X", value: "v" })).toBe(true);
    expect(hasStoredStaticValue({ type: "static", header: "X" })).toBe(false);
    expect(hasStoredStaticValue(undefined)).toBe(false);
  });

  it("keeps the stored value unless a new one is typed", () => {
    const v = authFormFromAuth(stored);
    expect(authFromForm(v, stored)).toEqual(stored);
    expect(authFromForm({ ...v, staticValue: "new" }, stored)).toEqual({ type: "static", header: "Authorization", value: "new" });
    const literal: Auth = { type: "static", header: "X", value: "old" };
    expect(authFromForm(authFormFromAuth(literal), literal)).toEqual(literal);
    // Nothing stored and nothing typed: no value, which validation names.
    expect(authFromForm({ ...emptyAuthForm(), kind: "static", header: "X" })).toEqual({ type: "static", header: "X" });
  });

  it("forgets a typed value when the kind changes", () => {
    const typed = { ...emptyAuthForm(), kind: "static" as const, header: "X", staticValue: "secret" };
    expect(hasTypedStaticValue(typed)).toBe(true);
    const other = withAuthKind(typed, "api_key");
    expect(other.staticValue).toBe("");
    expect(other.header).toBe("X");
    expect(hasTypedStaticValue(other)).toBe(false);
    expect(withAuthKind(typed, "static")).toBe(typed);
  });

  it("knows its kinds", () => {
    expect(isAuthFormKind("mcp_oauth")).toBe(true);
    expect(isAuthFormKind("kerberos")).toBe(false);
  });
});
