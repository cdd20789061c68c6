import { describe, expect, it } from "vitest";
import { OVERSCAN, ROW_HEIGHT, visibleRange } from "./virtualRows";

describe("visibleRange", () => {
  it("renders what is in view and a few rows either side, never past the ends", () => {
    expect(visibleRange(0, 10 * ROW_HEIGHT, 100_000)).toEqual({ start: 0, end: 11 + OVERSCAN });
    expect(visibleRange(5_000 * ROW_HEIGHT, 10 * ROW_HEIGHT, 100_000)).toEqual({
      start: 5_000 - OVERSCAN,
      end: 5_011 + OVERSCAN,
    });
    expect(visibleRange(99_995 * ROW_HEIGHT, 10 * ROW_HEIGHT, 100_000)).toEqual({ start: 99_995 - OVERSCAN, end: 100_000 });
  });

  it("is empty for an empty list and one screen before the view is measured", () => {
    expect(visibleRange(0, 400, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(0, 0, 3)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(0, 0, 1_000).end).toBeGreaterThan(10);
  });

  it("stays within the list when scrolled past its end (a list that just shrank)", () => {
    expect(visibleRange(50_000 * ROW_HEIGHT, 10 * ROW_HEIGHT, 20)).toEqual({ start: 19 - OVERSCAN, end: 20 });
  });
});
