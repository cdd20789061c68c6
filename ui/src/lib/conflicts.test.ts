import { describe, expect, it } from "vitest";
import type { SyncConflict } from "./bindings";
import { conflictTitle, deletedHere, localSide, remoteSide, resolutionChoices, sideFromJson } from "./conflicts";

const remote = {
  id: "ra1",
  content_type: "text/markdown",
  context: { title: "Pricing", tags: ["x"] },
  content: "# Pricing\n$10\n",
  modified_time: "2025-03-01T10:00:00Z",
  modified_by: "sam@example.com",
};
const conflict = (over: Partial<SyncConflict> = {}): SyncConflict => ({
  artifact_id: "a1",
  workspace_id: "w1",
  kind: "both_edited",
  remote,
  local: null,
  detected_time: "2025-03-01T11:00:00Z",
  ...over,
});

describe("conflict sides", () => {
  it("reads the platform's side: title from the context, its content and when it changed", () => {
    expect(remoteSide(conflict())).toEqual({
      title: "Pricing",
      content: "# Pricing\n$10\n",
      contentType: "text/markdown",
      modifiedTime: "2025-03-01T10:00:00Z",
      modifiedBy: "sam@example.com",
    });
  });

  it("reads a context still in JSON text, and falls back to the name and the context's type", () => {
    const side = sideFromJson({ id: "r", name: "From name", context: JSON.stringify({ content_type: "application/json" }), created_time: "2025-01-01T00:00:00Z" });
    expect(side).toMatchObject({ title: "From name", contentType: "application/json", content: "", modifiedTime: "2025-01-01T00:00:00Z", modifiedBy: null });
    expect(sideFromJson({ context: "not json" })?.title).toBe("Untitled");
    expect(sideFromJson(null)).toBeNull();
    expect(sideFromJson("text")).toBeNull();
  });

  it("has no platform side when it was deleted there", () => {
    expect(remoteSide(conflict({ kind: "edited_here_deleted_there", remote: null }))).toBeNull();
    // Even if the backend sent something, a delete there is a delete.
    expect(remoteSide(conflict({ kind: "edited_here_deleted_there" }))).toBeNull();
    expect(deletedHere(conflict({ kind: "deleted_here_edited_there" }))).toBe(true);
    expect(deletedHere(conflict())).toBe(false);
  });

  it("reads this computer's artifact", () => {
    expect(localSide({ title: "T", content: "c", content_type: "text/plain", modified_time: "m", modified_by: "me" })).toEqual({
      title: "T",
      content: "c",
      contentType: "text/plain",
      modifiedTime: "m",
      modifiedBy: "me",
    });
  });

  it("names a conflict by the platform's title, else the local snapshot's, else the artifact's", () => {
    expect(conflictTitle(conflict())).toBe("Pricing");
    expect(conflictTitle(conflict({ kind: "edited_here_deleted_there", remote: null }), "Local title")).toBe("Local title");
    expect(conflictTitle(conflict({ kind: "edited_here_deleted_there", remote: null, local: { title: "Snapshot" } }), "Local")).toBe("Snapshot");
    expect(conflictTitle(conflict({ kind: "edited_here_deleted_there", remote: null }))).toBe("An artifact");
  });
});

describe("resolution choices", () => {
  it("offers all three after edits on both sides", () => {
    const c = resolutionChoices("both_edited");
    expect(c.map((x) => [x.resolution, x.testid, x.label])).toEqual([
      ["keep_local", "resolve-local", "Keep this computer's"],
      ["keep_remote", "resolve-remote", "Keep the platform's"],
      ["keep_both", "resolve-both", "Keep both"],
    ]);
  });

  it("words them for a delete, and hides keep both after a local delete", () => {
    expect(resolutionChoices("edited_here_deleted_there").find((x) => x.resolution === "keep_remote")?.label).toBe("Delete it here too");
    const afterLocalDelete = resolutionChoices("deleted_here_edited_there");
    expect(afterLocalDelete.map((x) => x.resolution)).toEqual(["keep_local", "keep_remote"]);
    expect(afterLocalDelete[0].label).toBe("Delete it on the platform too");
    for (const kind of ["both_edited", "edited_here_deleted_there", "deleted_here_edited_there"] as const)
      for (const c of resolutionChoices(kind)) expect(c.hint.length).toBeGreaterThan(20);
  });
});
