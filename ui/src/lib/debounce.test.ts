import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { debounce, latestOnly } from "./debounce";

describe("debounce", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs once with the last arguments after the quiet period", () => {
    const fn = vi.fn();
    const d = debounce(fn, 150);
    d.schedule("a");
    vi.advanceTimersByTime(100);
    d.schedule("b");
    vi.advanceTimersByTime(149);
    expect(fn).not.toHaveBeenCalled();
    expect(d.pending).toBe(true);
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith("b");
    expect(d.pending).toBe(false);
  });
  it("flushes and cancels", () => {
    const fn = vi.fn();
    const d = debounce(fn, 150);
    d.schedule(1);
    d.flush();
    expect(fn).toHaveBeenCalledWith(1);
    d.schedule(2);
    d.cancel();
    vi.advanceTimersByTime(500);
    expect(fn).toHaveBeenCalledTimes(1);
    d.flush();
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe("latestOnly", () => {
  it("accepts only the newest ticket", () => {
    const l = latestOnly();
    const a = l.next();
    const b = l.next();
    expect(l.isCurrent(a)).toBe(false);
    expect(l.isCurrent(b)).toBe(true);
    l.invalidate();
    expect(l.isCurrent(b)).toBe(false);
  });
});
