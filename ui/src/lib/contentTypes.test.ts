import { describe, expect, it } from "vitest";
import type { ContentTypeInfo } from "./bindings";
import { iconEmoji, isJsonType, normalizeMime, resolveBadge, typeOptions } from "./contentTypes";

const infos: ContentTypeInfo[] = [
  { mime: "text/markdown", label: "Markdown", icon: "markdown", color: "#3b82f6", json: false, server_id: null },
  { mime: "application/json", label: "JSON", icon: "json", color: "#f59e0b", json: true, server_id: null },
  { mime: "application/vnd.atrium.server+json", label: "Server", icon: "server", color: "#10b981", json: true, server_id: null },
  { mime: "text/weird", label: "", icon: "sparkles", color: "blue", json: false, server_id: null },
  { mime: "application/vnd.my-org.recipe+json", label: "Recipe", icon: "chef-hat", color: "#16a34a", json: true, server_id: "s1" },
  { mime: "application/vnd.my-org.menu+json", label: "Menu", icon: "🍽️", color: "#16a34a", json: true, server_id: "s1" },
];

describe("resolveBadge", () => {
  it("uses the backend's label, colour and icon for known types", () => {
    expect(resolveBadge("text/markdown", infos)).toEqual({
      mime: "text/markdown",
      label: "Markdown",
      color: "#3b82f6",
      icon: "markdown",
      emoji: null,
      known: true,
    });
  });
  it("matches case-insensitively and ignores parameters", () => {
    expect(resolveBadge("Text/Markdown; charset=utf-8", infos).label).toBe("Markdown");
  });
  it("falls back to the subtype and a neutral colour", () => {
    const b = resolveBadge("application/x-yaml", infos);
    expect(b.label).toBe("x-yaml");
    expect(b.color).toBeNull();
    expect(b.known).toBe(false);
    expect(b.icon).toBe("file");
  });
  it("guesses sensible icons for unknown types", () => {
    expect(resolveBadge("image/png", infos).icon).toBe("image");
    expect(resolveBadge("application/geo+json", infos).icon).toBe("json");
    expect(resolveBadge("text/csv", infos).icon).toBe("text");
  });
  it("handles strings that are not MIME types", () => {
    expect(resolveBadge("whatever", infos).label).toBe("whatever");
    expect(resolveBadge("", infos).label).toBe("unknown");
  });
  it("sanitises bad colours, icons and labels from the backend", () => {
    const b = resolveBadge("text/weird", infos);
    expect(b.color).toBeNull();
    expect(b.icon).toBe("text");
    expect(b.label).toBe("text/weird");
  });
});

describe("server icons", () => {
  it("gives a name Atrium does not draw the type's generic icon", () => {
    const b = resolveBadge("application/vnd.my-org.recipe+json", infos);
    expect(b).toMatchObject({ label: "Recipe", icon: "json", emoji: null, color: "#16a34a", known: true });
  });
  it("shows an emoji as it is", () => {
    expect(resolveBadge("application/vnd.my-org.menu+json", infos).emoji).toBe("🍽️");
  });
  it("keeps only the first character of an emoji icon", () => {
    expect(iconEmoji("👩‍🍳 chef")).toBe("👩‍🍳");
    expect(iconEmoji(" 🍳")).toBe("🍳");
  });
  it("takes no emoji from plain names", () => {
    expect(iconEmoji("chef-hat")).toBeNull();
    expect(iconEmoji("")).toBeNull();
  });
});

describe("isJsonType", () => {
  it("trusts the backend for known types", () => {
    expect(isJsonType("application/json", infos)).toBe(true);
    expect(isJsonType("application/vnd.atrium.server+json", infos)).toBe(true);
    expect(isJsonType("text/markdown", infos)).toBe(false);
  });
  it("recognises json and +json subtypes otherwise", () => {
    expect(isJsonType("application/ld+json", infos)).toBe(true);
    expect(isJsonType("text/json", infos)).toBe(true);
    expect(isJsonType("application/jsonl", infos)).toBe(false);
    expect(isJsonType("json", infos)).toBe(false);
  });
});

describe("typeOptions", () => {
  it("deduplicates and sorts by label", () => {
    expect(typeOptions(["application/json", "text/markdown", "APPLICATION/JSON", "application/x-yaml"], infos)).toEqual([
      { value: "application/json", label: "JSON" },
      { value: "text/markdown", label: "Markdown" },
      { value: "application/x-yaml", label: "x-yaml" },
    ]);
  });
});

describe("normalizeMime", () => {
  it("lowercases and strips parameters", () => {
    expect(normalizeMime(" Text/Plain ;charset=UTF-8")).toBe("text/plain");
  });
});
