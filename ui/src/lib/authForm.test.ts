import { describe, expect, it } from "vitest";
import {
  authBlockFromForm,
  authFormFromBlock,
  emptyAuthForm,
  hasStoredStaticValue,
  hasTypedStaticValue,
  isAuthFormKind,
  splitScopes,
  withAuthKind,
} from "./authForm";

function read(block: Parameters<typeof authFormFromBlock>[0]) {
  const f = authFormFromBlock(block);
  if (!f.ok) throw new Error(f.reason);
  return f.values;
}

describe("authFormFromBlock / authBlockFromForm", () => {
  it("round-trips every kind the form knows", () => {
    for (const block of [
      { type: "api_key", header: "X-API-Key", secret_id: "linear-key" },
      { type: "oauth2", authorizer_id: "a1" },
      { type: "client_credentials", client_id: "svc", secret_id: "svc-secret", token_url: "https://id.example.com/token", scopes: ["read", "write"] },
      { type: "client_credentials", client_id: "svc", secret_id: "svc-secret" },
      { type: "mcp_oauth", client_id: "atrium", secret_id: "s", scopes: ["mcp"] },
      { type: "mcp_oauth" },
      { type: "static", header: "Authorization", secret_id: "header.0123456789ab" },
    ]) {
      expect(authBlockFromForm(read(block), block)).toEqual(block);
    }
  });

  it("reads no block as None and writes None as no block", () => {
    expect(read(undefined).kind).toBe("none");
    expect(read(null).kind).toBe("none");
    expect(authBlockFromForm(emptyAuthForm())).toBeUndefined();
  });

  it("keeps a block of an unknown type as it is", () => {
    const block = { type: "kerberos", realm: "X" };
    const v = read(block);
    expect(v.kind).toBe("custom");
    expect(authBlockFromForm(v, block)).toEqual(block);
  });

  it("refuses what it cannot show", () => {
    expect(authFormFromBlock("token" as never).ok).toBe(false);
    expect(authFormFromBlock({ type: "mcp_oauth", scopes: "read" }).ok).toBe(false);
  });

  it("keeps unknown keys while the kind stays", () => {
    const block = { type: "oauth2", authorizer_id: "a1", note: "kept" };
    expect(authBlockFromForm({ ...read(block), authorizerId: "a2" }, block)).toEqual({ type: "oauth2", authorizer_id: "a2", note: "kept" });
    expect(authBlockFromForm({ ...read(block), kind: "api_key", header: "X", secretId: "k" }, block)).toEqual({ type: "api_key", header: "X", secret_id: "k" });
  });

  it("trims and splits what was typed", () => {
    const v = { ...emptyAuthForm(), kind: "client_credentials" as const, clientId: " svc ", secretId: "s", tokenUrl: " ", scopes: " read, write\nadmin " };
    expect(authBlockFromForm(v)).toEqual({ type: "client_credentials", client_id: "svc", secret_id: "s", scopes: ["read", "write", "admin"] });
    expect(splitScopes("")).toEqual([]);
  });
});

describe("static header values", () => {
  const stored = { type: "static", header: "Authorization", secret_id: "header.abc" };

  it("never reads the value into the form", () => {
    expect(read({ type: "static", header: "X", value: "hunter2" })).toEqual({ ...emptyAuthForm(), kind: "static", header: "X" });
    expect(hasStoredStaticValue(stored)).toBe(true);
    expect(hasStoredStaticValue({ type: "static", header: "X", value: "v" })).toBe(true);
    expect(hasStoredStaticValue({ type: "static", header: "X" })).toBe(false);
    expect(hasStoredStaticValue(undefined)).toBe(false);
  });

  it("keeps the stored value unless a new one is typed", () => {
    const v = read(stored);
    expect(authBlockFromForm(v, stored)).toEqual(stored);
    expect(authBlockFromForm({ ...v, staticValue: "new" }, stored)).toEqual({ type: "static", header: "Authorization", value: "new" });
    const literal = { type: "static", header: "X", value: "old" };
    expect(authBlockFromForm(read(literal), literal)).toEqual(literal);
    // Nothing stored and nothing typed: an empty value, which validation names.
    expect(authBlockFromForm({ ...emptyAuthForm(), kind: "static", header: "X" })).toEqual({ type: "static", header: "X", value: "" });
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
    expect(isAuthFormKind("custom")).toBe(false);
  });
});
