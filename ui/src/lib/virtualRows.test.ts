import { describe, expect, it } from "vitest";
import { BLOCK, ROW_HEIGHT, visibleRange } from "./virtualRows";

describe("visibleRange", () => {
  it("covers the view and at least a block either side, never past the ends", () => {
    for (const first of [0, 5, 15, 16, 5_000, 99_990]) {
      const { start, end } = visibleRange(first * ROW_HEIGHT, 10 * ROW_HEIGHT, 100_000);
      expect(start).toBeLessThanOrEqual(Math.max(0, first - BLOCK + 1));
      expect(end).toBeGreaterThanOrEqual(Math.min(100_000, first + 10 + BLOCK));
      expect(start % BLOCK).toBe(0);
      expect(end - start).toBeLessThanOrEqual(10 + 5 * BLOCK);
    }
    expect(visibleRange(99_995 * ROW_HEIGHT, 10 * ROW_HEIGHT, 100_000).end).toBe(100_000);
  });

  it("moves only when the view crosses a block: scrolling within one changes nothing", () => {
    const at = (row: number) => visibleRange(row * ROW_HEIGHT, 10 * ROW_HEIGHT, 100_000);
    expect(at(32)).toEqual(at(33));
    expect(at(32)).toEqual(at(32 + BLOCK - 1));
    expect(at(32)).not.toEqual(at(32 + BLOCK));
  });

  it("is empty for an empty list and one screen before the view is measured", () => {
    expect(visibleRange(0, 400, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(0, 0, 3)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(0, 0, 1_000).end).toBeGreaterThan(10);
  });

  it("stays within the list when scrolled past its end (a list that just shrank)", () => {
    const { start, end } = visibleRange(50_000 * ROW_HEIGHT, 10 * ROW_HEIGHT, 20);
    expect(end).toBe(20);
    expect(start).toBeLessThan(20);
  });
});
