import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Artifact, ArtifactSummary, Workspace } from "./bindings";
import { ApiFailure } from "./errors";
import { confirmer } from "./ui.svelte";

const api = vi.hoisted(() => {
  const fns = {
  startupStatus: vi.fn(),
  uiReady: vi.fn(),
  workspaceList: vi.fn(),
  workspaceCreate: vi.fn(),
  workspaceRename: vi.fn(),
  workspaceDelete: vi.fn(),
  artifactPage: vi.fn(),
  artifactGet: vi.fn(),
  artifactCreate: vi.fn(),
  artifactUpdate: vi.fn(),
  artifactDuplicate: vi.fn(),
  artifactDelete: vi.fn(),
  artifactHistory: vi.fn(),
  artifactRevision: vi.fn(),
  artifactRestore: vi.fn(),
  artifactValidate: vi.fn(),
  search: vi.fn(),
  contentTypes: vi.fn(),
  };
  // The quiet door (no busy bar) is the same commands.
  Object.defineProperty(fns, "quiet", { value: fns, enumerable: false });
  return fns;
});
vi.mock("./api", () => ({ api }));

const { AppState } = await import("./app.svelte");

const ws = (id: string, title: string, count: number): Workspace => ({
  id,
  title,
  description: "",
  remote_id: null,
  version: 1,
  artifact_count: count,
  created_time: "2024-01-01T00:00:00Z",
  created_by: "me",
  modified_time: "2024-01-01T00:00:00Z",
  modified_by: "me",
});

const artifact: Artifact = {
  id: "a1",
  workspace_id: "w1",
  root_id: null,
  remote_id: null,
  content_type: "text/markdown",
  title: "Tomatoes",
  context: {},
  content: "Plant after the last frost.",
  state: "draft",
  version: 3,
  created_time: "2024-01-01T00:00:00Z",
  created_by: "me",
  modified_time: "2024-01-02T00:00:00Z",
  modified_by: "me",
};

const summary: ArtifactSummary = {
  id: "a1",
  workspace_id: "w1",
  title: "Tomatoes",
  content_type: "text/markdown",
  state: "draft",
  version: 3,
  size_bytes: 27,
  created_time: artifact.created_time,
  modified_time: artifact.modified_time,
};

const settle = () => new Promise((r) => setTimeout(r, 0));

/** The store's listing of a workspace holding `rows` (already in the order asked for). */
function listed(rows: ArtifactSummary[]) {
  api.artifactPage.mockImplementation(async (q: { around?: string | null; offset?: number | null; limit?: number }) => {
    const position = q.around ? rows.findIndex((r) => r.id === q.around) : -1;
    const offset = position >= 0 ? position - (position % 100) : (q.offset ?? 0);
    return {
      listing: "1",
      total: rows.length,
      offset,
      rows: rows.slice(offset, offset + (q.limit ?? 100)),
      position: position >= 0 ? position : null,
      types: [...new Set(rows.map((r) => r.content_type))].map((content_type) => ({ content_type, count: 1 })),
    };
  });
}

function shown(app: { list: { total: number; rowAt(i: number): ArtifactSummary | undefined } }): string[] {
  return Array.from({ length: app.list.total }, (_, i) => app.list.rowAt(i)?.id ?? "?");
}

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
  api.startupStatus.mockResolvedValue({
    kind: "ready",
    info: { version: "0.1.0", data_dir: "/d", database_path: "/d/atrium.db", log_dir: "/d/logs", schema_version: 1 },
  });
  api.contentTypes.mockResolvedValue([]);
  api.workspaceList.mockResolvedValue([ws("w1", "Garden", 1), ws("w2", "Kitchen", 0)]);
  listed([summary]);
  api.artifactGet.mockResolvedValue(artifact);
  api.artifactValidate.mockResolvedValue([]);
  confirmer.current?.resolve(false);
});

async function ready() {
  const app = new AppState();
  await app.start();
  return app;
}

describe("startup", () => {
  it("shows the failure and loads nothing else", async () => {
    api.startupStatus.mockResolvedValue({
      kind: "failed",
      error: { code: "database_too_new", message: "Too new", details: null },
      data_dir: "/d",
    });
    const app = new AppState();
    await app.start();
    expect(app.startup).toEqual({ kind: "failed", error: { code: "database_too_new", message: "Too new", details: null }, dataDir: "/d" });
    expect(api.workspaceList).not.toHaveBeenCalled();
  });
  it("selects the first workspace and loads its artifacts", async () => {
    const app = await ready();
    expect(app.selectedWorkspaceId).toBe("w1");
    expect(api.artifactPage).toHaveBeenCalledWith(expect.objectContaining({ workspace_id: "w1", sort: "modified" }));
    expect(shown(app)).toEqual(["a1"]);
  });
});

describe("saving", () => {
  it("sends the loaded version and only the changed fields", async () => {
    const app = await ready();
    await app.openArtifact("a1");
    app.editor.form.content = "Stake them early.";
    expect(app.editor.dirty).toBe(true);
    api.artifactUpdate.mockResolvedValue({ ...artifact, content: "Stake them early.", version: 4 });
    await app.editor.save();
    expect(api.artifactUpdate).toHaveBeenCalledWith("a1", {
      expected_version: 3,
      title: null,
      content_type: null,
      content: "Stake them early.",
      context: null,
      state: null,
    });
    expect(app.editor.dirty).toBe(false);
    expect(app.editor.loaded?.version).toBe(4);
  });
  it("turns a version conflict into the reload offer and keeps the edits", async () => {
    const app = await ready();
    await app.openArtifact("a1");
    app.editor.form.title = "Tomatoes (mine)";
    api.artifactUpdate.mockRejectedValue(
      new ApiFailure({ code: "version_conflict", message: "Changed", details: { kind: "version_conflict", expected: 3, actual: 5 } }),
    );
    await app.editor.save();
    expect(app.editor.conflict).toEqual({ expected: 3, actual: 5 });
    expect(app.editor.form.title).toBe("Tomatoes (mine)");
    expect(app.editor.canSave).toBe(false);
  });
  it("does not send what validation refuses, and shows the problems", async () => {
    const app = await ready();
    await app.openArtifact("a1");
    app.editor.form.title = "";
    api.artifactValidate.mockResolvedValue([{ field: "title", message: "Enter a title." }]);
    await app.editor.save();
    expect(api.artifactUpdate).not.toHaveBeenCalled();
    expect(app.editor.problemsFor("title")).toEqual(["Enter a title."]);
    expect(app.editor.canSave).toBe(false);
  });
  it("puts field problems from a refused save next to the fields", async () => {
    const app = await ready();
    await app.openArtifact("a1");
    app.editor.form.content_type = "nonsense";
    api.artifactUpdate.mockRejectedValue(
      new ApiFailure({
        code: "invalid_input",
        message: "Refused",
        details: { kind: "fields", problems: [{ field: "content_type", message: "Use type/subtype." }] },
      }),
    );
    await app.editor.save();
    expect(app.editor.problemsFor("content_type")).toEqual(["Use type/subtype."]);
  });
  it("creates with every field present and null context", async () => {
    const app = await ready();
    await app.newArtifact();
    app.editor.form.title = "Compost";
    api.artifactCreate.mockResolvedValue({ ...artifact, id: "a2", title: "Compost", version: 1 });
    listed([summary, { ...summary, id: "a2", title: "Compost", version: 1 }]);
    await app.editor.save();
    expect(api.artifactCreate).toHaveBeenCalledWith({
      workspace_id: "w1",
      title: "Compost",
      content_type: "text/markdown",
      content: "",
      context: null,
      state: "draft",
    });
    expect(app.editor.mode).toBe("edit");
    expect(app.cursorId).toBe("a2");
    expect(shown(app)).toContain("a2");
    expect(app.reveal?.index).toBe(1);
  });
});

describe("leaving unsaved edits", () => {
  it("asks, and staying keeps the edits and the artifact", async () => {
    const app = await ready();
    await app.openArtifact("a1");
    app.editor.form.content = "edited";
    const moving = app.selectWorkspace("w2");
    await settle();
    expect(confirmer.current?.title).toBe("Save your changes?");
    expect(confirmer.current?.extraLabel).toBe("Save");
    confirmer.current?.resolve(false);
    await moving;
    expect(app.selectedWorkspaceId).toBe("w1");
    expect(app.editor.form.content).toBe("edited");
  });
  it("discarding moves on", async () => {
    const app = await ready();
    await app.openArtifact("a1");
    app.editor.form.content = "edited";
    listed([]);
    const moving = app.selectWorkspace("w2");
    await settle();
    confirmer.current?.resolve(true);
    await moving;
    expect(app.selectedWorkspaceId).toBe("w2");
    expect(app.editor.mode).toBe("none");
  });
  it("saving saves, then moves on", async () => {
    const app = await ready();
    await app.openArtifact("a1");
    app.editor.form.content = "edited";
    api.artifactValidate.mockResolvedValue([]);
    api.artifactUpdate.mockResolvedValue({ ...artifact, content: "edited", version: 4 });
    listed([]);
    const moving = app.selectWorkspace("w2");
    await settle();
    confirmer.current?.resolveExtra();
    await moving;
    expect(api.artifactUpdate).toHaveBeenCalledWith("a1", expect.objectContaining({ content: "edited" }));
    expect(app.selectedWorkspaceId).toBe("w2");
  });
  it("a save the store refuses stays, the edits kept", async () => {
    const app = await ready();
    await app.openArtifact("a1");
    app.editor.form.content = "edited";
    const problem = { field: "content", message: "Too long.", position: null };
    api.artifactValidate.mockResolvedValue([problem]);
    const moving = app.selectWorkspace("w2");
    await settle();
    confirmer.current?.resolveExtra();
    await moving;
    expect(api.artifactUpdate).not.toHaveBeenCalled();
    expect(app.selectedWorkspaceId).toBe("w1");
    expect(app.editor.form.content).toBe("edited");
  });
  it("offers no Save when the edits cannot be saved", async () => {
    const app = await ready();
    await app.openArtifact("a1");
    app.editor.form.content = "edited";
    app.editor.problems = [{ field: "content", message: "Too long.", position: null }];
    const moving = app.selectWorkspace("w2");
    await settle();
    expect(confirmer.current?.title).toBe("Discard unsaved changes?");
    expect(confirmer.current?.extraLabel).toBe("");
    confirmer.current?.resolve(false);
    await moving;
  });
});

describe("deleting a workspace", () => {
  it("names the workspace and what is lost, and does nothing when cancelled", async () => {
    const app = await ready();
    const deleting = app.deleteWorkspace("w1");
    await settle();
    expect(confirmer.current?.title).toContain("Garden");
    expect(confirmer.current?.message).toContain("1 artifact");
    confirmer.current?.resolve(false);
    await deleting;
    expect(api.workspaceDelete).not.toHaveBeenCalled();
  });
  it("deletes and selects a neighbour when confirmed", async () => {
    const app = await ready();
    api.workspaceDelete.mockResolvedValue(null);
    const deleting = app.deleteWorkspace("w1");
    await settle();
    api.workspaceList.mockResolvedValue([ws("w2", "Kitchen", 0)]);
    listed([]);
    confirmer.current?.resolve(true);
    await deleting;
    expect(api.workspaceDelete).toHaveBeenCalledWith("w1");
    expect(app.selectedWorkspaceId).toBe("w2");
  });
});
