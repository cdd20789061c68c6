import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AuthorizerView } from "./bindings";
import { emptyAuthorizerForm } from "./authorizerForm";
import { ApiFailure } from "./errors";
import { confirmer, toasts } from "./ui.svelte";

const api = vi.hoisted(() => ({
  authorizerList: vi.fn(),
  authorizerCreate: vi.fn(),
  authorizerUpdate: vi.fn(),
  authorizerDelete: vi.fn(),
  authorizerConnect: vi.fn(),
  authorizerConnectCancel: vi.fn(),
  authorizerDisconnect: vi.fn(),
}));
vi.mock("./api", () => ({ api }));

const { AuthorizersModel } = await import("./authorizers.svelte");

const authorizer = (id: string, title: string, over: Partial<AuthorizerView> = {}): AuthorizerView => ({
  id,
  workspace_id: "w1",
  title,
  version: 1,
  config: { provider: "github", auth_url: "https://github.com/login/oauth/authorize", token_url: "https://github.com/login/oauth/access_token", scopes: ["repo"], client_id: "Iv1", pkce: true },
  used_by: [],
  connected: false,
  ...over,
});

const form = { ...emptyAuthorizerForm(), title: " Linear ", authUrl: "https://linear.app/oauth/authorize", tokenUrl: "https://api.linear.app/oauth/token", clientId: "lin", scopes: "read write" };

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
  toasts.items = [];
});

describe("AuthorizersModel", () => {
  it("loads a workspace's Authorizers by title, once for the pickers", async () => {
    api.authorizerList.mockResolvedValue([authorizer("b", "linear"), authorizer("a", "GitHub")]);
    const m = new AuthorizersModel();
    await m.ensureLoaded("w1");
    await m.ensureLoaded("w1");
    expect(api.authorizerList).toHaveBeenCalledTimes(1);
    expect(api.authorizerList).toHaveBeenCalledWith("w1");
    expect(m.list.map((a) => a.title)).toEqual(["GitHub", "linear"]);
    expect(m.find("b")?.title).toBe("linear");
    api.authorizerList.mockRejectedValue(new ApiFailure({ code: "storage_error", message: "Disk full.", details: null }));
    await m.load("w1");
    expect(m.failure?.message).toBe("Disk full.");
  });

  it("creates and updates, sending the version it read", async () => {
    api.authorizerList.mockResolvedValue([]);
    const m = new AuthorizersModel();
    await m.load("w1");
    api.authorizerCreate.mockImplementation(async (input) => authorizer("n", input.title, { config: input.config }));
    const created = await m.save("w1", form, null);
    expect(api.authorizerCreate).toHaveBeenCalledWith({
      workspace_id: "w1",
      title: "Linear",
      config: { provider: "linear", auth_url: form.authUrl, token_url: form.tokenUrl, scopes: ["read", "write"], client_id: "lin", pkce: true },
    });
    expect(created.ok && m.list.map((a) => a.id)).toEqual(["n"]);

    api.authorizerUpdate.mockRejectedValue(new ApiFailure({ code: "version_conflict", message: "Changed elsewhere.", details: null }));
    const updated = await m.save("w1", form, authorizer("n", "Linear", { version: 4 }));
    expect(api.authorizerUpdate).toHaveBeenCalledWith("n", 4, "Linear", expect.objectContaining({ client_id: "lin" }));
    expect(!updated.ok && updated.failure.code).toBe("version_conflict");
  });

  it("asks before deleting, and shows the refusal when servers use it", async () => {
    const used = authorizer("a", "GitHub", { used_by: ["Issues"] });
    api.authorizerList.mockResolvedValue([used]);
    const m = new AuthorizersModel();
    await m.load("w1");
    api.authorizerDelete.mockRejectedValue(new ApiFailure({ code: "invalid_input", message: "GitHub is used by Issues: change their authentication first.", details: null }));
    const removing = m.remove(used);
    expect(confirmer.current?.message).toMatch(/“Issues” signs in through it/);
    confirmer.current?.resolve(true);
    expect(await removing).toBe(false);
    expect(toasts.items.at(-1)).toMatchObject({ kind: "error", body: "GitHub is used by Issues: change their authentication first." });
    expect(m.list).toHaveLength(1);

    api.authorizerDelete.mockResolvedValue(null);
    const again = m.remove(used);
    confirmer.current?.resolve(true);
    expect(await again).toBe(true);
    expect(m.list).toEqual([]);
  });

  it("connects in the browser, can be cancelled, and keeps a failure with what to do", async () => {
    const a = authorizer("a", "GitHub");
    api.authorizerList.mockResolvedValue([a]);
    const m = new AuthorizersModel();
    await m.load("w1");

    api.authorizerConnect.mockResolvedValue({ ...a, connected: true });
    const connecting = m.connect(a);
    expect(m.connecting.a).toBe(true);
    await connecting;
    expect(m.connecting.a).toBeUndefined();
    expect(m.list[0].connected).toBe(true);

    let fail: (e: unknown) => void = () => {};
    api.authorizerConnect.mockImplementation(() => new Promise((_r, j) => (fail = j)));
    api.authorizerConnectCancel.mockImplementation(async () => {
      fail(new ApiFailure({ code: "cancelled", message: "The sign-in was cancelled.", details: { kind: "sign_in", reason: "cancelled" } }));
      return true;
    });
    const cancelled = m.connect(a);
    await m.cancelConnect("a");
    await cancelled;
    expect(m.problems.a).toBeUndefined();

    api.authorizerConnect.mockRejectedValue(new ApiFailure({ code: "sign_in_failed", message: "No sign-in answer arrived within 300 s.", details: { kind: "sign_in", reason: "callback_timeout" } }));
    await m.connect(a);
    expect(m.problems.a?.hint).toMatch(/within 5 minutes/);
  });

  it("asks before disconnecting and says whether the tokens were revoked", async () => {
    const a = authorizer("a", "GitHub", { connected: true, used_by: ["Issues", "Docs"] });
    api.authorizerList.mockResolvedValue([a]);
    const m = new AuthorizersModel();
    await m.load("w1");
    api.authorizerDisconnect.mockResolvedValue(true);
    const going = m.disconnect(a);
    expect(confirmer.current?.message).toBe("“Issues” and “Docs” will need you to connect again before they answer.");
    confirmer.current?.resolve(true);
    expect(await going).toBe(true);
    expect(m.list[0].connected).toBe(false);
    expect(toasts.items.at(-1)?.body).toMatch(/revoked at the provider/);
  });
});
