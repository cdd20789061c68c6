import { describe, expect, it } from "vitest";
import { filterArtifacts, isSortKey, sortArtifacts } from "./sort";

const rows = [
  { id: "1", title: "beta notes", content_type: "text/markdown", modified_time: "2024-01-02T00:00:00Z" },
  { id: "2", title: "Alpha", content_type: "application/json", modified_time: "2024-03-01T00:00:00Z" },
  { id: "3", title: "item 10", content_type: "text/markdown", modified_time: "2024-02-01T00:00:00Z" },
  { id: "4", title: "item 9", content_type: "text/plain", modified_time: "2024-02-01T00:00:00Z" },
  { id: "5", title: "Café menu", content_type: "TEXT/PLAIN", modified_time: "bad" },
];
const ids = (l: { id: string }[]) => l.map((r) => r.id);

describe("sortArtifacts", () => {
  it("sorts by modified time, newest first, ties by title, bad dates last", () => {
    expect(ids(sortArtifacts(rows, "modified"))).toEqual(["2", "4", "3", "1", "5"]);
  });
  it("sorts titles case-insensitively and numerically", () => {
    expect(ids(sortArtifacts(rows, "title"))).toEqual(["2", "1", "5", "4", "3"]);
  });
  it("sorts by displayed type label, then title", () => {
    const labels: Record<string, string> = { "text/markdown": "Markdown", "application/json": "JSON", "text/plain": "Text" };
    const label = (m: string) => labels[m.toLowerCase()] ?? m;
    expect(ids(sortArtifacts(rows, "type", label))).toEqual(["2", "1", "3", "5", "4"]);
  });
  it("does not mutate its input", () => {
    const copy = [...rows];
    sortArtifacts(rows, "title");
    expect(rows).toEqual(copy);
  });
});

describe("filterArtifacts", () => {
  it("matches every word of the title, ignoring case and accents", () => {
    expect(ids(filterArtifacts(rows, "ITEM", ""))).toEqual(["3", "4"]);
    expect(ids(filterArtifacts(rows, "cafe", ""))).toEqual(["5"]);
    expect(ids(filterArtifacts(rows, "menu café", ""))).toEqual(["5"]);
    expect(ids(filterArtifacts(rows, "notes alpha", ""))).toEqual([]);
  });
  it("filters by type, normalising MIME case", () => {
    expect(ids(filterArtifacts(rows, "", "text/plain"))).toEqual(["4", "5"]);
    expect(ids(filterArtifacts(rows, "item", "text/plain"))).toEqual(["4"]);
  });
  it("returns everything for an empty filter", () => {
    expect(filterArtifacts(rows, "  ", "")).toHaveLength(5);
  });
});

describe("isSortKey", () => {
  it("accepts only known keys", () => {
    expect(isSortKey("title")).toBe(true);
    expect(isSortKey("size")).toBe(false);
    expect(isSortKey(null)).toBe(false);
  });
});
