import { describe, expect, it, vi } from "vitest";
import { arrowFocus, landing, listMove } from "./listNav";

describe("listMove", () => {
  it("steps with the arrows, and jumps with Home and End only when asked", () => {
    expect(listMove("ArrowDown")).toBe(1);
    expect(listMove("ArrowUp")).toBe(-1);
    expect(listMove("Home")).toBeNull();
    expect(listMove("End")).toBeNull();
    expect(listMove("Home", true)).toBe("first");
    expect(listMove("End", true)).toBe("last");
    expect(listMove("Enter", true)).toBeNull();
    expect(listMove("ArrowLeft", true)).toBeNull();
  });
});

describe("landing", () => {
  it("steps and stops at either end", () => {
    expect(landing(1, 0, 3)).toBe(1);
    expect(landing(1, 2, 3)).toBe(2);
    expect(landing(-1, 1, 3)).toBe(0);
    expect(landing(-1, 0, 3)).toBe(0);
    expect(landing(0, 2, 3)).toBe(2);
  });
  it("starts at the first row when none is current", () => {
    expect(landing(1, -1, 3)).toBe(0);
    expect(landing(-1, -1, 3)).toBe(0);
    expect(landing(0, -1, 3)).toBe(0);
  });
  it("jumps to the ends", () => {
    expect(landing("first", 2, 3)).toBe(0);
    expect(landing("last", 0, 3)).toBe(2);
  });
  it("lands nowhere in an empty list", () => {
    const none: unknown[] = [];
    expect([landing(1, -1, 0), landing(-1, -1, 0), landing("first", -1, 0), landing("last", -1, 0)].map((i) => none[i])).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe("arrowFocus", () => {
  const row = (name: string) => ({ name, focus: vi.fn() }) as unknown as HTMLElement & { focus: ReturnType<typeof vi.fn> };
  const key = (k: string) => ({ key: k, preventDefault: vi.fn() }) as unknown as KeyboardEvent & { preventDefault: ReturnType<typeof vi.fn> };

  it("focuses the row the key lands on, counting from the given row", () => {
    const rows = [row("a"), row("b"), row("c")];
    const e = key("ArrowDown");
    expect(arrowFocus(e, () => rows, { from: rows[1] })).toBe(rows[2]);
    expect(rows[2].focus).toHaveBeenCalledOnce();
    expect(e.preventDefault).toHaveBeenCalledOnce();
    expect(arrowFocus(key("End"), () => rows, { from: rows[0], ends: true })).toBe(rows[2]);
  });

  it("leaves other keys alone and does not look for rows", () => {
    const rows = vi.fn(() => [row("a")]);
    const e = key("End");
    expect(arrowFocus(e, rows, { from: null })).toBeNull();
    expect(e.preventDefault).not.toHaveBeenCalled();
    expect(rows).not.toHaveBeenCalled();
  });

  it("takes the key but lands nowhere without rows", () => {
    const e = key("ArrowUp");
    expect(arrowFocus(e, () => null, { from: row("elsewhere") })).toBeNull();
    expect(e.preventDefault).toHaveBeenCalledOnce();
  });
});
