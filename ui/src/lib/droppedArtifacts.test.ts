import { beforeEach, describe, expect, it, vi } from "vitest";

const api = vi.hoisted(() => ({ artifactValidate: vi.fn(), artifactCreate: vi.fn() }));
vi.mock("./api", () => ({ api }));
const { artifactFromFile, createFromFiles } = await import("./droppedArtifacts");

beforeEach(() => vi.resetAllMocks());

describe("dropped files", () => {
  it("take their type from the extension and their title from the name", () => {
    expect(artifactFromFile("Notes.MD")).toEqual({ title: "Notes", content_type: "text/markdown" });
    expect(artifactFromFile("recipe.v2.json")).toEqual({ title: "recipe.v2", content_type: "application/json" });
    expect(artifactFromFile("todo.txt")?.content_type).toBe("text/plain");
    expect(artifactFromFile("photo.png")).toBeNull();
    expect(artifactFromFile(".json")).toBeNull();
  });

  it("are checked by the store before anything is created, and refused ones are named", async () => {
    api.artifactValidate.mockImplementation(async (d: { content: string }) =>
      d.content.startsWith("{") && !d.content.endsWith("}") ? [{ field: "content", message: "Not valid JSON at line 1, column 2.", position: { line: 1, column: 2 } }] : [],
    );
    api.artifactCreate.mockImplementation(async (a: { title: string }) => ({ id: `id-${a.title}`, ...a }));
    const out = await createFromFiles("w1", [
      { name: "ok.json", text: '{"a": 1}' },
      { name: "bad.json", text: "{" },
      { name: "pic.png", text: "" },
      { name: "notes.md", text: "# Hi" },
    ]);
    expect(out.created.map((a) => a.title)).toEqual(["ok", "notes"]);
    expect(out.refused).toEqual([{ name: "bad.json", problem: "Not valid JSON at line 1, column 2." }]);
    expect(out.ignored).toEqual(["pic.png"]);
    expect(api.artifactCreate).toHaveBeenCalledWith({ workspace_id: "w1", title: "notes", content_type: "text/markdown", content: "# Hi", context: null, state: "draft" });
  });
});
