import { describe, expect, it } from "vitest";
import { diffCounts, sideBySide, unified } from "./textDiff";

describe("sideBySide", () => {
  it("marks the lines that are not common to both sides", () => {
    const d = sideBySide("# Pricing\n1. free\n2. $8\n3. never per seat\n", "# Pricing\n1. free\n2. $10\n3. never per seat\n4. annual\n");
    expect(d.left.map((l) => l.changed)).toEqual([false, false, true, false]);
    expect(d.right.map((l) => l.changed)).toEqual([false, false, true, false, true]);
    expect(d.right[4].text).toBe("4. annual");
    expect(diffCounts(d)).toEqual({ left: 1, right: 2 });
  });

  it("marks the changed words inside a changed line, each side its own", () => {
    const d = sideBySide("price is 8 dollars\n", "price is 10 dollars\n");
    expect(d.left[0].parts?.filter((p) => p.changed).map((p) => p.text)).toEqual(["8"]);
    expect(d.right[0].parts?.filter((p) => p.changed).map((p) => p.text)).toEqual(["10"]);
    // The runs put together are the line itself.
    expect(d.right[0].parts?.map((p) => p.text).join("")).toBe("price is 10 dollars");
  });

  it("handles empty sides, Windows line ends and identical texts", () => {
    expect(sideBySide("", "a\nb")).toEqual({ left: [], right: [{ text: "a", changed: true }, { text: "b", changed: true }] });
    expect(diffCounts(sideBySide("a\r\nb\r\n", "a\nb\n"))).toEqual({ left: 0, right: 0 });
    expect(sideBySide("x\n", "x").left.map((l) => l.text)).toEqual(["x"]);
  });

  it("keeps the order: a moved line counts as changed on both sides", () => {
    const d = sideBySide("a\nb\nc", "b\nc\na");
    expect(diffCounts(d)).toEqual({ left: 1, right: 1 });
    expect(d.left[0]).toMatchObject({ text: "a", changed: true });
  });

  it("copes with large texts", () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
    const d = sideBySide(big.join("\n"), [...big.slice(1), "new"].join("\n"));
    expect(d.left.filter((l) => l.changed).map((l) => l.text)).toEqual(["line 0"]);
    expect(d.right.filter((l) => l.changed).map((l) => l.text)).toEqual(["new"]);
  });
});

describe("unified", () => {
  it("lists what stayed, went and came, in order", () => {
    const u = unified("a\nb\nc\n", "a\nB\nc\nd\n");
    expect(u.map((l) => `${l.kind}:${l.text}`)).toEqual(["same:a", "del:b", "add:B", "same:c", "add:d"]);
    expect(u[1].parts?.some((p) => p.changed)).toBe(true);
    expect(u[4].parts).toBeUndefined();
  });

  it("is all the same for equal texts", () => {
    expect(unified("x\ny", "x\ny").every((l) => l.kind === "same")).toBe(true);
  });
});
