import { loadThemePref, nextThemePref, resolveTheme, saveThemePref, type Theme, type ThemePref } from "./theme";

/** The theme preference, applied as :root[data-theme] and kept in sync with the OS setting. */
class ThemeState {
  pref = $state<ThemePref>("system");
  systemDark = $state(false);
  resolved = $derived<Theme>(resolveTheme(this.pref, this.systemDark));

  init(): void {
    this.pref = loadThemePref(globalThis.localStorage);
    const mq = window.matchMedia("(prefers-color-scheme: dark)");
    this.systemDark = mq.matches;
    mq.addEventListener("change", (e) => {
      this.systemDark = e.matches;
      this.apply();
    });
    this.apply();
  }

  apply(): void {
    document.documentElement.dataset.theme = this.resolved;
    document.documentElement.style.colorScheme = this.resolved;
  }

  cycle(): void {
    this.pref = nextThemePref(this.pref);
    saveThemePref(globalThis.localStorage, this.pref);
    this.apply();
  }
}

export const theme = new ThemeState();
