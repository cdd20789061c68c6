import { describe, expect, it } from "vitest";
import { loadThemePref, nextThemePref, parseThemePref, resolveTheme, saveThemePref, THEME_KEY } from "./theme";

describe("theme", () => {
  it("cycles system → light → dark → system", () => {
    expect(nextThemePref("system")).toBe("light");
    expect(nextThemePref("light")).toBe("dark");
    expect(nextThemePref("dark")).toBe("system");
  });
  it("follows the OS only for system", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
    expect(resolveTheme("dark", false)).toBe("dark");
  });
  it("parses stored values defensively", () => {
    expect(parseThemePref("dark")).toBe("dark");
    expect(parseThemePref("purple")).toBe("system");
    expect(parseThemePref(null)).toBe("system");
  });
  it("round-trips through storage and survives a broken one", () => {
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    saveThemePref(storage, "dark");
    expect(map.get(THEME_KEY)).toBe("dark");
    expect(loadThemePref(storage)).toBe("dark");
    const broken = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
    };
    expect(loadThemePref(broken)).toBe("system");
    expect(() => saveThemePref(broken, "light")).not.toThrow();
  });
});
