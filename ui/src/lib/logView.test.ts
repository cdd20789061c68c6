import { describe, expect, it } from "vitest";
import type { LogLine } from "./bindings";
import { clock, lineText, linesText, matchSpans, pauseLog, pendingCount, searchLines, visibleLines } from "./logView";

const line = (message: string, over: Partial<LogLine> = {}): LogLine => ({ time: "2024-03-04T12:05:09Z", level: "stderr", logger: null, message, ...over });

describe("matchSpans", () => {
  it("marks every occurrence, ignoring case", () => {
    expect(matchSpans("Error: boom, ERROR again", "error")).toEqual([
      { text: "Error", hit: true },
      { text: ": boom, ", hit: false },
      { text: "ERROR", hit: true },
      { text: " again", hit: false },
    ]);
  });
  it("is null without a match and whole without a query", () => {
    expect(matchSpans("hello", "bye")).toBeNull();
    expect(matchSpans("hello", "  ")).toEqual([{ text: "hello", hit: false }]);
  });
  it("treats the query as text, not a pattern", () => {
    expect(matchSpans("a.b axb", "a.b")).toEqual([
      { text: "a.b", hit: true },
      { text: " axb", hit: false },
    ]);
    expect(matchSpans("cost: $5 (est)", "$5 (")).toEqual([
      { text: "cost: ", hit: false },
      { text: "$5 (", hit: true },
      { text: "est)", hit: false },
    ]);
  });
  it("keeps offsets right when lower-casing changes a length", () => {
    expect(matchSpans("İstanbul x", "x")).toEqual([
      { text: "İstanbul ", hit: false },
      { text: "x", hit: true },
    ]);
  });
});

describe("searchLines", () => {
  const lines = [line("starting"), line("Connected", { level: "atrium" }), line("tools/call echo", { logger: "rpc" }), line("warning: slow", { level: "warning" })];
  it("shows every line without a query", () => {
    expect(searchLines(lines, "").map((s) => s.index)).toEqual([0, 1, 2, 3]);
  });
  it("keeps the lines whose message or logger matches, with their indexes", () => {
    const r = searchLines(lines, "RPC");
    expect(r.map((s) => s.index)).toEqual([2]);
    expect(r[0].logger).toEqual([{ text: "rpc", hit: true }]);
    expect(r[0].message).toEqual([{ text: "tools/call echo", hit: false }]);
    expect(searchLines(lines, "conn").map((s) => s.index)).toEqual([1]);
  });
  it("matches a level by its whole name", () => {
    expect(searchLines(lines, "atrium").map((s) => s.index)).toEqual([1]);
    expect(searchLines(lines, "warning").map((s) => s.index)).toEqual([3]);
  });
});

describe("pause", () => {
  it("freezes the view and counts what arrives meanwhile", () => {
    const live = [line("a"), line("b")];
    const p = pauseLog(live, 7);
    live.push(line("c"), line("d"));
    expect(visibleLines(live, p).map((l) => l.message)).toEqual(["a", "b"]);
    expect(pendingCount(p, 9)).toBe(2);
    expect(visibleLines(live, null).map((l) => l.message)).toEqual(["a", "b", "c", "d"]);
    expect(pendingCount(null, 9)).toBe(0);
  });
  it("keeps counting when the buffer drops old lines", () => {
    const live = Array.from({ length: 3 }, (_, i) => line(String(i)));
    const p = pauseLog(live, 1000);
    live.splice(0, 2, line("x"), line("y"));
    expect(pendingCount(p, 1002)).toBe(2);
  });
});

describe("copying", () => {
  it("formats lines as text", () => {
    expect(clock("2024-03-04T12:05:09Z")).toMatch(/^\d\d:05:09$/);
    expect(clock("nope")).toBe("");
    expect(lineText(line("hi", { logger: "srv" }))).toMatch(/^\d\d:05:09 stderr \[srv\] hi$/);
    expect(linesText([line("a"), line("b", { time: "bad" })])).toMatch(/^\d\d:05:09 stderr a\nstderr b$/);
  });
});
