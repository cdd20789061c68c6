import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ApiError } from "./bindings";
import { busy } from "./busy.svelte";
import { ApiFailure } from "./errors";

// The generated commands, as the bindings answer: a Result for most, plain values for the two special ones.
const commands = vi.hoisted(() => ({
  workspaceList: vi.fn(),
  serverTest: vi.fn(),
  startupStatus: vi.fn(),
  uiReady: vi.fn(),
}));
vi.mock("./bindings", () => ({ commands }));

const { api } = await import("./api");

const refusal: ApiError = { code: "invalid_input", message: "Give the address.", details: { kind: "fields", problems: [{ field: "transport.url", message: "Give the address." }] } };

beforeEach(() => {
  for (const f of Object.values(commands)) f.mockReset();
  busy.count = 0;
});

describe("api", () => {
  it("answers a command's data and passes its arguments through", async () => {
    commands.workspaceList.mockResolvedValue({ status: "ok", data: [{ id: "w1" }] });
    expect(await api.workspaceList()).toEqual([{ id: "w1" }]);
    commands.serverTest.mockResolvedValue({ status: "ok", data: { success: true } });
    const registration = { transport: { type: "http" as const, url: "http://h/mcp" } };
    await api.serverTest(registration);
    expect(commands.serverTest).toHaveBeenCalledWith(registration);
  });

  it("throws an ApiFailure carrying the backend's error", async () => {
    commands.workspaceList.mockResolvedValue({ status: "error", error: refusal });
    const failure = await api.workspaceList().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiFailure);
    expect((failure as ApiFailure).error).toEqual(refusal);
  });

  it("turns a broken bridge into an ApiFailure too", async () => {
    commands.workspaceList.mockRejectedValue(new Error("IPC is gone"));
    await expect(api.workspaceList()).rejects.toMatchObject({ code: "internal", message: "IPC is gone" });
  });

  it("drives the busy indicator, except for quiet commands and quiet reads", async () => {
    let answer: (v: unknown) => void = () => {};
    commands.workspaceList.mockImplementation(() => new Promise((r) => (answer = r)));
    const loud = api.workspaceList();
    expect(busy.active).toBe(true);
    answer({ status: "ok", data: [] });
    await loud;
    expect(busy.active).toBe(false);

    commands.serverTest.mockImplementation(() => new Promise((r) => (answer = r)));
    const test = api.serverTest({ transport: { type: "sse", url: "http://h/sse" } });
    expect(busy.active).toBe(false);
    answer({ status: "ok", data: {} });
    await test;

    commands.workspaceList.mockImplementation(() => new Promise((r) => (answer = r)));
    const background = api.quiet.workspaceList();
    expect(busy.active).toBe(false);
    answer({ status: "ok", data: [] });
    await background;
  });

  it("reports a broken bridge at startup as a failed start, and never fails on ready", async () => {
    commands.startupStatus.mockRejectedValue("no bridge");
    expect(await api.startupStatus()).toEqual({ kind: "failed", error: { code: "internal", message: "no bridge", details: null }, data_dir: "" });
    commands.uiReady.mockRejectedValue(new Error("older backend"));
    await expect(api.uiReady()).resolves.toBeUndefined();
  });
});
