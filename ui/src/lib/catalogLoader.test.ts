import { describe, expect, it, vi } from "vitest";
import { ApiFailure } from "./errors";

vi.mock("./api", () => ({ api: {} }));

const { CatalogLoader, reloadsOn } = await import("./catalogLoader.svelte");

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const failure = new ApiFailure({ code: "server_unavailable", message: "not connected", details: null });

describe("CatalogLoader", () => {
  it("starts empty, then holds what the listing returned", async () => {
    const c = new CatalogLoader<string[]>(async () => ["a", "b"], []);
    expect(c.items).toEqual([]);
    expect([c.loading, c.loaded, c.failure]).toEqual([false, false, null]);
    const done = c.load();
    expect(c.loading).toBe(true);
    await done;
    expect(c.items).toEqual(["a", "b"]);
    expect([c.loading, c.loaded, c.failure]).toEqual([false, true, null]);
  });

  it("keeps the last items on a failure, and a later success clears it", async () => {
    const answers: (() => Promise<string[]>)[] = [async () => ["a"], () => Promise.reject(failure), async () => ["b"]];
    const c = new CatalogLoader<string[]>(() => answers.shift()!(), []);
    await c.load();
    await c.load();
    expect(c.failure).toBe(failure);
    expect(c.items).toEqual(["a"]);
    expect([c.loading, c.loaded]).toEqual([false, true]);
    await c.load();
    expect(c.failure).toBeNull();
    expect(c.items).toEqual(["b"]);
  });

  it("turns anything thrown into an ApiFailure", async () => {
    const c = new CatalogLoader<string[]>(() => Promise.reject(new Error("boom")), []);
    await c.load();
    expect(c.failure).toBeInstanceOf(ApiFailure);
    expect(c.failure?.message).toBe("boom");
  });

  it("drops an answer that arrives after a newer listing started", async () => {
    const first = deferred<string[]>();
    const second = deferred<string[]>();
    const calls = [first, second];
    const c = new CatalogLoader<string[]>(() => calls.shift()!.promise, []);
    const a = c.load();
    const b = c.load();
    second.resolve(["new"]);
    await b;
    expect(c.items).toEqual(["new"]);
    expect(c.loading).toBe(false);
    first.reject(failure);
    await a;
    expect(c.items).toEqual(["new"]);
    expect(c.failure).toBeNull();
  });

  it("passes as a callback (the retry button)", async () => {
    const c = new CatalogLoader<number[]>(async () => [1], []);
    const retry: () => void = c.load;
    retry();
    await vi.waitFor(() => expect(c.loaded).toBe(true));
    expect(c.items).toEqual([1]);
  });
});

describe("reloadsOn", () => {
  it("waits for the ready that ends a reconnect once something has loaded", () => {
    expect(reloadsOn("starting", true)).toBe(false);
    expect(reloadsOn("starting", false)).toBe(true);
    expect(reloadsOn("ready", true)).toBe(true);
    expect(reloadsOn("failed", true)).toBe(true);
    expect(reloadsOn("installing", true)).toBe(false);
  });
});
