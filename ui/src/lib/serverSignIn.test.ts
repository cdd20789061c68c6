import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ServerAuth, ServerView, SignInFailure } from "./bindings";
import { ApiFailure } from "./errors";
import { confirmer, toasts } from "./ui.svelte";

const api = vi.hoisted(() => ({
  serverSignIn: vi.fn(),
  serverSignInCancel: vi.fn(),
  serverSignOut: vi.fn(),
}));
vi.mock("./api", () => ({ api }));

const { SignInModel } = await import("./serverSignIn.svelte");

const SIGNED_IN: ServerAuth = { kind: "mcp_oauth", state: { state: "signed_in", expires_at: null, scope: null }, can_sign_in: true };

const server = (kind = "mcp_oauth") =>
  ({ id: "s1", title: "Linear", state: { auth: { kind, state: { state: "login_required", reason: "" }, can_sign_in: true } } }) as unknown as ServerView;

const signInFailure = (reason: SignInFailure, message: string) =>
  new ApiFailure({ code: reason === "cancelled" ? "cancelled" : "sign_in_failed", message, details: { kind: "sign_in", reason } });

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
  toasts.items = [];
});

describe("SignInModel", () => {
  it("waits for the browser, then applies the new state", async () => {
    const applied: [string, ServerAuth][] = [];
    const m = new SignInModel((id, auth) => applied.push([id, auth]));
    let finish: (a: ServerAuth) => void = () => {};
    api.serverSignIn.mockImplementation(() => new Promise((r) => (finish = r)));
    const signingIn = m.signIn(server());
    expect(m.waiting.s1).toBe(true);
    await m.signIn(server()); // a second click while waiting does nothing
    expect(api.serverSignIn).toHaveBeenCalledTimes(1);
    finish(SIGNED_IN);
    await signingIn;
    expect(m.waiting.s1).toBeUndefined();
    expect(applied).toEqual([["s1", SIGNED_IN]]);
    expect(m.problems.s1).toBeUndefined();
  });

  it("keeps the failure with what to do next, until the next attempt", async () => {
    const m = new SignInModel(() => {});
    api.serverSignIn.mockRejectedValue(signInFailure("access_denied", "Sign-in was denied: access_denied."));
    await m.signIn(server());
    expect(m.problems.s1).toEqual({ message: "Sign-in was denied: access_denied.", hint: expect.stringMatching(/approve/) });
    api.serverSignIn.mockResolvedValue(SIGNED_IN);
    await m.signIn(server());
    expect(m.problems.s1).toBeUndefined();
  });

  it("shows no problem after the person cancelled", async () => {
    const m = new SignInModel(() => {});
    let fail: (e: unknown) => void = () => {};
    api.serverSignIn.mockImplementation(() => new Promise((_r, j) => (fail = j)));
    api.serverSignInCancel.mockImplementation(async () => {
      fail(signInFailure("cancelled", "The sign-in was cancelled."));
      return true;
    });
    const signingIn = m.signIn(server());
    await m.cancel("s1");
    await signingIn;
    expect(api.serverSignInCancel).toHaveBeenCalledWith("s1");
    expect(m.problems.s1).toBeUndefined();
    expect(m.waiting.s1).toBeUndefined();
    await m.cancel("s1"); // nothing waits any more
    expect(api.serverSignInCancel).toHaveBeenCalledTimes(1);
  });

  it("asks before signing out, and says whether the tokens were revoked", async () => {
    const m = new SignInModel(() => {});
    api.serverSignOut.mockResolvedValue(false);
    const no = m.signOut(server());
    confirmer.current?.resolve(false);
    expect(await no).toBe(false);
    expect(api.serverSignOut).not.toHaveBeenCalled();

    const yes = m.signOut(server("oauth2"), "GitHub");
    expect(confirmer.current?.detail).toMatch(/Authorizer “GitHub”/);
    confirmer.current?.resolve(true);
    expect(await yes).toBe(true);
    expect(api.serverSignOut).toHaveBeenCalledWith("s1");
    expect(toasts.items.at(-1)).toMatchObject({ kind: "success", title: "Signed out of “Linear”", body: expect.stringMatching(/could not revoke/) });
  });
});
