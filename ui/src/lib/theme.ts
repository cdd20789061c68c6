export type ThemePref = "system" | "light" | "dark";
export type Theme = "light" | "dark";

export const THEME_KEY = "atrium.theme";

const ORDER: ThemePref[] = ["system", "light", "dark"];

export function nextThemePref(p: ThemePref): ThemePref {
  return ORDER[(ORDER.indexOf(p) + 1) % ORDER.length];
}

export function parseThemePref(v: unknown): ThemePref {
  return v === "light" || v === "dark" || v === "system" ? v : "system";
}

export function resolveTheme(p: ThemePref, systemDark: boolean): Theme {
  return p === "system" ? (systemDark ? "dark" : "light") : p;
}

export function themeLabel(p: ThemePref): string {
  return p === "system" ? "Theme: follow system" : p === "light" ? "Theme: light" : "Theme: dark";
}

/** Storage can throw (disabled, quota): a theme is never worth an error. */
export function loadThemePref(storage: Pick<Storage, "getItem"> | undefined): ThemePref {
  try {
    return parseThemePref(storage?.getItem(THEME_KEY));
  } catch {
    return "system";
  }
}

export function saveThemePref(storage: Pick<Storage, "setItem"> | undefined, p: ThemePref): void {
  try {
    storage?.setItem(THEME_KEY, p);
  } catch {
    /* not persisted; still applied */
  }
}
