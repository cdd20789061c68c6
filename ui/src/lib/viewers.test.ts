import { beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedView, ViewerChoices } from "./bindings";

const api = vi.hoisted(() => ({
  viewerOpenArtifact: vi.fn(),
  viewerChoices: vi.fn(),
  viewerChoose: vi.fn(),
  viewerClose: vi.fn(),
  viewerAnswerLink: vi.fn(),
}));
vi.mock("./api", () => ({ api }));

// The editor as the viewer sees it: opening an artifact loads it (or not, when the person keeps their edits).
const editor = vi.hoisted(() => ({
  mode: "none" as "none" | "edit",
  loaded: null as { id: string; content_type: string } | null,
  tab: "edit",
  focus: vi.fn(),
  showTab: vi.fn(),
}));
const app = vi.hoisted(() => ({
  editor,
  openArtifact: vi.fn(async (id: string) => {
    editor.mode = "edit";
    editor.loaded = { id, content_type: id === "md" ? "text/markdown" : "application/vnd.my-org.recipe+json" };
  }),
}));
vi.mock("./app.svelte", () => ({ app }));

const { viewerHub } = await import("./viewers.svelte");
const { ArtifactViewer } = await import("./artifactViewer.svelte");

const view = (id: string): OpenedView => ({
  view_id: id,
  url: `http://127.0.0.1:4000/v/${id}`,
  origin: "http://127.0.0.1:4000",
  allow: "",
  server_id: "s1",
  server_title: "Recipes",
  resource_uri: "ui://recipes/view.html",
  prefers_border: null,
  csp_rejected: [],
  call_id: null,
});

const choices = (chosen: ViewerChoices["chosen"] = null): ViewerChoices => ({
  content_type: "application/vnd.my-org.recipe+json",
  chosen,
  candidates: [
    { choice: { kind: "server", server_id: "s1" }, label: "Recipes", resource_uri: "ui://recipes/view.html" },
    { choice: { kind: "built_in" }, label: "Built-in", resource_uri: null },
  ],
});

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
  api.viewerClose.mockResolvedValue(true);
  api.viewerAnswerLink.mockResolvedValue(true);
  api.viewerChoices.mockResolvedValue(choices());
  editor.mode = "none";
  editor.loaded = null;
  app.openArtifact.mockClear();
});

describe("the hub", () => {
  it("routes each view's events to its frame only", () => {
    const a = vi.fn();
    const b = vi.fn();
    const stopA = viewerHub.attach("a", "Recipes", a);
    const stopB = viewerHub.attach("b", "Maps", b);
    expect(viewerHub.count).toBe(2);
    viewerHub.dispatch("a", { kind: "ready" });
    viewerHub.dispatch("gone", { kind: "ready" });
    expect(a).toHaveBeenCalledWith({ kind: "ready" });
    expect(b).not.toHaveBeenCalled();
    stopA();
    stopB();
    expect(viewerHub.count).toBe(0);
  });

  it("asks about links of open views, and declines those of closed ones", async () => {
    const stop = viewerHub.attach("a", "Recipes", vi.fn());
    viewerHub.requestLink("a", "r1", "https://example.com/");
    expect(viewerHub.links).toEqual([{ viewId: "a", requestId: "r1", url: "https://example.com/", from: "Recipes" }]);
    viewerHub.requestLink("closed", "r2", "https://example.org/");
    expect(api.viewerAnswerLink).toHaveBeenCalledWith("r2", false);
    await viewerHub.answerLink("r1", true);
    expect(api.viewerAnswerLink).toHaveBeenCalledWith("r1", true);
    expect(viewerHub.links).toEqual([]);
    stop();
  });

  it("declines what a view asked when it closes", () => {
    const stop = viewerHub.attach("a", "Recipes", vi.fn());
    viewerHub.requestLink("a", "r3", "https://example.com/");
    stop();
    expect(api.viewerAnswerLink).toHaveBeenCalledWith("r3", false);
    expect(viewerHub.links).toEqual([]);
  });
});

describe("opening an artifact", () => {
  it("opens the editor, then the server's view", async () => {
    api.viewerOpenArtifact.mockResolvedValue({ kind: "opened", view: view("v1") });
    const viewer = new ArtifactViewer();
    await viewer.open("r1");
    expect(app.openArtifact).toHaveBeenCalledWith("r1");
    expect(api.viewerOpenArtifact).toHaveBeenCalledWith("r1", expect.objectContaining({ theme: expect.any(String) }));
    expect(viewer.shown).toMatchObject({ kind: "opened", artifactId: "r1", view: { view_id: "v1" } });
    expect(viewer.panel).toBe(true);
  });

  it("stays with the editor for built-in types", async () => {
    api.viewerOpenArtifact.mockResolvedValue({ kind: "built_in", content_type: "text/markdown" });
    const viewer = new ArtifactViewer();
    await viewer.open("md");
    expect(viewer.shown.kind).toBe("built_in");
    expect(viewer.panel).toBe(false);
  });

  it("says when the view cannot be shown", async () => {
    api.viewerOpenArtifact.mockResolvedValue({ kind: "unavailable", server_id: "s1", server_title: "Recipes", message: "Start it." });
    const viewer = new ArtifactViewer();
    await viewer.open("r1");
    expect(viewer.shown).toMatchObject({ kind: "unavailable", serverTitle: "Recipes", message: "Start it." });
  });

  it("does nothing when the editor did not open the artifact (kept edits)", async () => {
    app.openArtifact.mockImplementationOnce(async () => {});
    const viewer = new ArtifactViewer();
    await viewer.open("r1");
    expect(api.viewerOpenArtifact).not.toHaveBeenCalled();
    expect(viewer.shown.kind).toBe("none");
  });

  it("closes a view that arrives after the person moved on", async () => {
    let answer: (v: unknown) => void = () => {};
    api.viewerOpenArtifact.mockReturnValue(new Promise((r) => (answer = r)));
    const viewer = new ArtifactViewer();
    const opening = viewer.open("r1");
    await new Promise((r) => setTimeout(r, 0));
    viewer.close();
    answer({ kind: "opened", view: view("late") });
    await opening;
    expect(viewer.shown.kind).toBe("none");
    expect(api.viewerClose).toHaveBeenCalledWith("late");
  });

  it("shows the loading panel while a server's view is on its way", async () => {
    let answer: (v: unknown) => void = () => {};
    api.viewerOpenArtifact.mockReturnValue(new Promise((r) => (answer = r)));
    const viewer = new ArtifactViewer();
    const opening = viewer.open("r1");
    await new Promise((r) => setTimeout(r, 0));
    expect(viewer.shown.kind).toBe("opening");
    answer({ kind: "opened", view: view("v2") });
    await opening;
    expect(viewer.shown.kind).toBe("opened");
  });

  it("remembers a new choice and opens the artifact with it", async () => {
    api.viewerOpenArtifact.mockResolvedValueOnce({ kind: "opened", view: view("v3") });
    const viewer = new ArtifactViewer();
    await viewer.open("r1");
    api.viewerChoose.mockResolvedValue(choices({ kind: "built_in" }));
    api.viewerChoices.mockResolvedValue(choices({ kind: "built_in" }));
    api.viewerOpenArtifact.mockResolvedValueOnce({ kind: "built_in", content_type: "application/vnd.my-org.recipe+json" });
    await viewer.choose({ kind: "built_in" });
    expect(api.viewerChoose).toHaveBeenCalledWith("application/vnd.my-org.recipe+json", { kind: "built_in" });
    expect(api.viewerOpenArtifact).toHaveBeenCalledTimes(2);
    expect(viewer.shown.kind).toBe("built_in");
    expect(viewer.choices?.chosen).toEqual({ kind: "built_in" });
  });
});
