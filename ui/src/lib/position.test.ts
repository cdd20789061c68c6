import { describe, expect, it } from "vitest";
import { offsetOf } from "./position";

describe("offsetOf", () => {
  it("finds a column on the first line", () => {
    expect(offsetOf('{"a": }', 1, 7)).toBe(7);
  });
  it("counts lines", () => {
    const text = "[1,\n 2,\n ]";
    expect(text.slice(0, offsetOf(text, 3, 2)).endsWith("]")).toBe(true);
  });
  it("clamps past the end of a line or the text", () => {
    expect(offsetOf("ab\ncd", 1, 99)).toBe(2);
    expect(offsetOf("ab", 5, 1)).toBe(2);
  });
});
