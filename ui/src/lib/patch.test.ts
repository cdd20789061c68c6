import { describe, expect, it } from "vitest";
import type { Artifact } from "./bindings";
import { buildNewArtifact, buildPatch, changedFields, emptyForm, formFromArtifact, isNewFormDirty } from "./patch";

const artifact: Artifact = {
  id: "a1",
  workspace_id: "w1",
  root_id: null,
  remote_id: null,
  content_type: "text/markdown",
  title: "Notes",
  context: { keep: true },
  content: "# Hello",
  state: "draft",
  version: 7,
  created_time: "2024-01-01T00:00:00Z",
  created_by: "me",
  modified_time: "2024-01-02T00:00:00Z",
  modified_by: "me",
};

describe("buildPatch", () => {
  it("sends only changed fields, with the loaded version", () => {
    const form = { ...formFromArtifact(artifact), content: "# Hello world" };
    expect(buildPatch(artifact, form)).toEqual({
      expected_version: 7,
      title: null,
      content_type: null,
      content: "# Hello world",
      context: null,
      state: null,
    });
  });
  it("includes every changed field and never the context", () => {
    const form = { title: "New", content_type: "text/plain", content: "x", state: "archived" as const };
    expect(buildPatch(artifact, form)).toEqual({
      expected_version: 7,
      title: "New",
      content_type: "text/plain",
      content: "x",
      context: null,
      state: "archived",
    });
  });
  it("sends an empty string when a field is cleared (not null)", () => {
    const form = { ...formFromArtifact(artifact), content: "" };
    expect(buildPatch(artifact, form).content).toBe("");
  });
  it("sets no field when nothing changed", () => {
    const p = buildPatch(artifact, formFromArtifact(artifact));
    expect([p.title, p.content_type, p.content, p.state, p.context]).toEqual([null, null, null, null, null]);
  });
});

describe("changedFields", () => {
  it("lists differing fields", () => {
    const loaded = formFromArtifact(artifact);
    expect(changedFields(loaded, loaded)).toEqual([]);
    expect(changedFields(loaded, { ...loaded, state: "committed", title: "T" })).toEqual(["title", "state"]);
  });
});

describe("buildNewArtifact", () => {
  it("sets unset fields to null, never omits them", () => {
    const n = buildNewArtifact("w1", { ...emptyForm("text/markdown"), title: "T" });
    expect(n).toEqual({ workspace_id: "w1", title: "T", content_type: "text/markdown", content: "", context: null, state: "draft" });
    expect(Object.keys(n)).toContain("context");
  });
});

describe("isNewFormDirty", () => {
  it("is clean for an untouched form and dirty after typing", () => {
    expect(isNewFormDirty(emptyForm("text/markdown"), "text/markdown")).toBe(false);
    expect(isNewFormDirty({ ...emptyForm("text/markdown"), title: "  " }, "text/markdown")).toBe(false);
    expect(isNewFormDirty({ ...emptyForm("text/markdown"), content: "x" }, "text/markdown")).toBe(true);
    expect(isNewFormDirty({ ...emptyForm("text/markdown"), content_type: "application/json" }, "text/markdown")).toBe(true);
  });
});
