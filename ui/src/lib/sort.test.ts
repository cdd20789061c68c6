import { describe, expect, it } from "vitest";
import { isSortKey, SORT_OPTIONS } from "./sort";

describe("isSortKey", () => {
  it("accepts only known keys", () => {
    expect(isSortKey("title")).toBe(true);
    expect(isSortKey("size")).toBe(false);
    expect(isSortKey(null)).toBe(false);
  });
  it("offers every key", () => {
    expect(SORT_OPTIONS.map((o) => o.value).every(isSortKey)).toBe(true);
  });
});
