import { describe, expect, it } from "vitest";
import { collapseWhitespace, hasHit, normalizeSpans, spansText } from "./spans";

describe("normalizeSpans", () => {
  it("merges neighbours of the same kind and drops empties", () => {
    expect(
      normalizeSpans([
        { text: "a", hit: false },
        { text: "", hit: true },
        { text: "b", hit: false },
        { text: "c", hit: true },
        { text: "d", hit: true },
        { text: "e", hit: false },
      ]),
    ).toEqual([
      { text: "ab", hit: false },
      { text: "cd", hit: true },
      { text: "e", hit: false },
    ]);
  });
  it("does not mutate its input", () => {
    const input = [
      { text: "x", hit: true },
      { text: "y", hit: true },
    ];
    normalizeSpans(input);
    expect(input[0].text).toBe("x");
  });
  it("keeps markup-looking text as text", () => {
    expect(spansText(normalizeSpans([{ text: "<b>", hit: true }]))).toBe("<b>");
  });
});

describe("hasHit", () => {
  it("ignores empty hits", () => {
    expect(hasHit([{ text: "", hit: true }])).toBe(false);
    expect(hasHit([{ text: "a", hit: false }, { text: "b", hit: true }])).toBe(true);
  });
});

describe("collapseWhitespace", () => {
  it("turns newlines into spaces and re-merges", () => {
    expect(collapseWhitespace([{ text: "a\n\n", hit: false }, { text: "  b", hit: false }])).toEqual([
      { text: "a b", hit: false },
    ]);
  });
});
