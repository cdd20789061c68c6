import { describe, expect, it } from "vitest";
import { absoluteTime, formatBytes, plural, relativeTime } from "./format";

// A fixed local "now": 2024-06-15 12:00 local time.
const now = new Date(2024, 5, 15, 12, 0, 0).getTime();
const ago = (ms: number) => new Date(now - ms).toISOString();

describe("relativeTime", () => {
  it("says just now for recent and future times", () => {
    expect(relativeTime(ago(5_000), now)).toBe("just now");
    expect(relativeTime(ago(-60_000), now)).toBe("just now");
  });
  it("counts minutes within the hour", () => {
    expect(relativeTime(ago(50_000), now)).toBe("1 min ago");
    expect(relativeTime(ago(5 * 60_000), now)).toBe("5 min ago");
    expect(relativeTime(ago(59 * 60_000), now)).toBe("59 min ago");
  });
  it("counts hours on the same day", () => {
    expect(relativeTime(ago(3 * 3600_000 + 10_000), now)).toBe("3 h ago");
  });
  it("uses calendar days, not 24h windows", () => {
    const lateYesterday = new Date(2024, 5, 14, 23, 30).toISOString();
    expect(relativeTime(lateYesterday, now)).toBe("yesterday");
    const threeDays = new Date(2024, 5, 12, 18, 0).toISOString();
    expect(relativeTime(threeDays, now)).toBe("3 days ago");
  });
  it("falls back to dates, with the year only when it differs", () => {
    expect(relativeTime(new Date(2024, 2, 4, 9).toISOString(), now)).toBe("Mar 4");
    expect(relativeTime(new Date(2023, 11, 31, 9).toISOString(), now)).toBe("Dec 31, 2023");
  });
  it("returns empty for garbage", () => {
    expect(relativeTime("not a date", now)).toBe("");
    expect(absoluteTime("nope")).toBe("");
  });
});

describe("absoluteTime", () => {
  it("pads fields", () => {
    expect(absoluteTime(new Date(2024, 0, 5, 7, 3).toISOString())).toBe("2024-01-05 07:03");
  });
});

describe("formatBytes", () => {
  it("formats bytes and binary multiples", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1024)).toBe("1 KB");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(12 * 1024 + 300)).toBe("12 KB");
    expect(formatBytes(3.4 * 1024 * 1024)).toBe("3.4 MB");
    expect(formatBytes(5 * 1024 ** 3)).toBe("5 GB");
  });
  it("never shows 1024 of a unit", () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe("1 MB");
  });
  it("rejects invalid numbers", () => {
    expect(formatBytes(-1)).toBe("");
    expect(formatBytes(Number.NaN)).toBe("");
  });
});

describe("plural", () => {
  it("pluralises", () => {
    expect(plural(1, "artifact")).toBe("1 artifact");
    expect(plural(0, "artifact")).toBe("0 artifacts");
    expect(plural(2, "entry", "entries")).toBe("2 entries");
  });
});
