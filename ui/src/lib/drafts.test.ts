import { describe, expect, it } from "vitest";
import { type Draft, draftKey, Drafts, differs, MAX_DRAFT_CHARS } from "./drafts";

function memory() {
  const m = new Map<string, string>();
  return { m, storage: { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) } };
}

const form = { title: "Tomatoes", content_type: "text/markdown", content: "Stake them.", state: "draft" as const };
const draft: Draft = { form, baseVersion: 3, savedAt: 1000 };

describe("drafts", () => {
  it("keeps one draft per artifact and gives it back", () => {
    const { storage } = memory();
    const d = new Drafts(() => storage);
    expect(d.write("a1", draft)).toBe(true);
    expect(d.read("a1")).toEqual(draft);
    expect(d.read("a2")).toBeNull();
    d.remove("a1");
    expect(d.read("a1")).toBeNull();
  });

  it("keys new artifacts by workspace, and nothing when no artifact is open", () => {
    expect(draftKey("edit", "a1", "w1")).toBe("a1");
    expect(draftKey("new", null, "w1")).toBe("new:w1");
    expect(draftKey("none", null, null)).toBeNull();
  });

  it("does not keep huge drafts, and drops an older one of the same artifact", () => {
    const { storage } = memory();
    const d = new Drafts(() => storage);
    d.write("a1", draft);
    const huge = { ...draft, form: { ...form, content: "x".repeat(MAX_DRAFT_CHARS + 1) } };
    expect(d.write("a1", huge)).toBe(false);
    expect(d.read("a1")).toBeNull();
  });

  it("survives a full or missing storage and ignores what is not a draft", () => {
    const full = new Drafts(() => ({ getItem: () => "{not json", setItem: () => { throw new Error("QuotaExceededError"); }, removeItem: () => {} }));
    expect(full.write("a1", draft)).toBe(false);
    expect(full.read("a1")).toBeNull();
    expect(new Drafts(() => null).write("a1", draft)).toBe(false);
  });

  it("is offered back only when it says something the form does not", () => {
    expect(differs(draft, form)).toBe(false);
    expect(differs(draft, { ...form, content: "Plant." })).toBe(true);
  });
});
