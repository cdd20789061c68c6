import { describe, expect, it, vi } from "vitest";
vi.mock("./api", () => ({ api: {} }));
import type { ArtifactPage, ArtifactSummary } from "./bindings";

const { ArtifactPages, KEPT_PAGES, PAGE, VIEW_REQUESTS } = await import("./artifactPages.svelte");

const row = (i: number): ArtifactSummary => ({
  id: `a${i}`,
  workspace_id: "w",
  title: `Note ${i}`,
  content_type: "text/markdown",
  state: "draft",
  version: 1,
  size_bytes: 1,
  created_time: "2024-01-01T00:00:00Z",
  modified_time: "2024-01-01T00:00:00Z",
});

type Request = { listing?: string | null; offset?: number | null; around?: string | null; limit?: number | null };

/** A store listing of `total` rows; `listing` names it (change it to play a replaced listing). */
function store(total: number) {
  const state = { listing: "1", total, calls: [] as Request[] };
  const source = vi.fn(async (q: Request): Promise<ArtifactPage> => {
    state.calls.push(q);
    const fresh = q.listing !== state.listing;
    const position = q.around ? Number(q.around.slice(1)) : null;
    const offset = position !== null ? position - (position % PAGE) : fresh && q.listing ? 0 : (q.offset ?? 0);
    const rows = Array.from({ length: Math.max(0, Math.min(PAGE, state.total - offset)) }, (_, k) => row(offset + k));
    return { listing: state.listing, total: state.total, offset, rows, position, types: fresh ? [] : null };
  });
  return { state, source };
}

const query = { workspaceId: "w", sort: "modified" as const, filter: "", contentType: "" };

describe("ArtifactPages", () => {
  it("opens on the first page and reads the pages of the rows asked for", async () => {
    const { source, state } = store(100_000);
    const list = new ArtifactPages(source);
    await list.open(query);
    expect(list.total).toBe(100_000);
    expect(list.rowAt(0)?.id).toBe("a0");
    expect(list.rowAt(99_999)).toBeUndefined();
    await list.ensure(99_990, 100_000);
    expect(list.rowAt(99_999)?.id).toBe("a99999");
    expect(state.calls.at(-1)).toMatchObject({ listing: "1", offset: 99_900, limit: PAGE });
    expect(await list.load(5_000)).toMatchObject({ id: "a5000" });
    expect(list.indexOf("a5000")).toBe(5_000);
  });

  it("asks once for a page however many rows want it", async () => {
    const { source } = store(1_000);
    const list = new ArtifactPages(source);
    await list.open(query);
    await Promise.all([list.ensure(300, 310), list.ensure(305, 320), list.load(350)]);
    expect(source).toHaveBeenCalledTimes(2);
  });

  it("keeps a bounded number of pages however far it scrolls", async () => {
    const { source } = store(100_000);
    const list = new ArtifactPages(source);
    await list.open(query);
    for (let i = 0; i < 100_000; i += PAGE) await list.ensure(i, i + 20);
    const kept = Array.from({ length: 1_000 }, (_, n) => list.rowAt(n * PAGE)).filter(Boolean).length;
    expect(kept).toBeLessThanOrEqual(KEPT_PAGES);
    expect(list.rowAt(99_999)?.id).toBe("a99999");
  });

  it("reads only the rows still in view while the view flings past pages", async () => {
    const { source, state } = store(100_000);
    const list = new ArtifactPages(source);
    await list.open(query);
    // A fling: the view moves a page and more every frame, far faster than pages come back.
    for (let i = 0; i < 100_000; i += 333) list.show(i, i + 40);
    list.show(99_960, 100_000);
    await vi.waitFor(() => expect(list.rowAt(99_999)?.id).toBe("a99999"));
    // The first requests, then the view's last rows: nothing for the pages flown past.
    expect(state.calls.length).toBeLessThanOrEqual(1 + VIEW_REQUESTS + 1);
    expect(list.rowAt(99_960)?.id).toBe("a99960");
  });

  it("reads the rows in view again when the store replaced the listing", async () => {
    const { source, state } = store(1_000);
    const list = new ArtifactPages(source);
    await list.open(query);
    list.show(500, 540);
    await vi.waitFor(() => expect(list.rowAt(500)?.id).toBe("a500"));
    state.listing = "2";
    await list.open(query);
    await vi.waitFor(() => expect(list.rowAt(539)?.id).toBe("a539"));
  });

  it("starts over when the store replaced the listing (artifacts deleted meanwhile)", async () => {
    const { source, state } = store(500);
    const list = new ArtifactPages(source);
    await list.open(query);
    state.listing = "2";
    state.total = 450;
    await list.ensure(200, 210);
    expect(list.total).toBe(450);
    expect(list.rowAt(0)?.id).toBe("a0");
    expect(list.rowAt(200)).toBeUndefined();
  });

  it("finds where an artifact is, reading its page", async () => {
    const { source } = store(10_000);
    const list = new ArtifactPages(source);
    await list.open(query);
    expect(await list.locate("a7777")).toBe(7_777);
    expect(list.rowAt(7_777)?.id).toBe("a7777");
  });

  it("drops answers for a listing it no longer shows", async () => {
    const { source } = store(1_000);
    const list = new ArtifactPages(source);
    await list.open(query);
    const late = list.ensure(500, 510);
    list.clear();
    await late;
    expect(list.total).toBe(0);
    expect(list.rowAt(500)).toBeUndefined();
  });
});
