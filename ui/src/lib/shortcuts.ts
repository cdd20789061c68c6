/**
 * Keyboard shortcut matching. A combo is written like "mod+s", "mod+shift+k", "/", "?", "delete",
 * "escape"; "mod" is Cmd on macOS and Ctrl elsewhere.
 */

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

export function detectMac(platform: string): boolean {
  return /mac|iphone|ipad|ipod/i.test(platform);
}

export const IS_MAC: boolean =
  typeof navigator !== "undefined" &&
  detectMac(
    (navigator as Navigator & { userAgentData?: { platform?: string } }).userAgentData?.platform ||
      navigator.platform ||
      navigator.userAgent,
  );

const ALIASES: Record<string, string> = {
  esc: "escape",
  del: "delete",
  return: "enter",
  up: "arrowup",
  down: "arrowdown",
  space: " ",
};

interface Parsed {
  key: string;
  mod: boolean;
  shift: boolean;
  alt: boolean;
}

function parse(combo: string): Parsed {
  // "mod++" would be odd; "+" on its own is never used here, so a plain split is fine.
  const parts = combo.toLowerCase().split("+");
  const rawKey = parts.pop() ?? "";
  const key = ALIASES[rawKey] ?? rawKey;
  return { key, mod: parts.includes("mod"), shift: parts.includes("shift"), alt: parts.includes("alt") };
}

/** Characters typed with Shift on most layouts: their shift state is implied by the character. */
function isShiftedSymbol(key: string): boolean {
  return key.length === 1 && /[?!@#$%^&*()_+{}|:"<>~]/.test(key);
}

export function matches(e: KeyLike, combo: string, mac: boolean = IS_MAC): boolean {
  const want = parse(combo);
  const key = e.key.toLowerCase();
  if (key !== want.key) return false;
  const mod = mac ? e.metaKey : e.ctrlKey;
  const otherMod = mac ? e.ctrlKey : e.metaKey;
  if (mod !== want.mod || otherMod) return false;
  if (e.altKey !== want.alt) return false;
  if (!isShiftedSymbol(want.key) && e.shiftKey !== want.shift) return false;
  return true;
}

const MAC_SYMBOLS: Record<string, string> = { mod: "⌘", shift: "⇧", alt: "⌥" };
const KEY_NAMES: Record<string, string> = {
  escape: "Esc",
  delete: "Delete",
  backspace: "Backspace",
  enter: "Enter",
  arrowup: "↑",
  arrowdown: "↓",
  " ": "Space",
};

/** Human form of a combo: "⌘S" on macOS, "Ctrl+S" elsewhere. */
export function formatCombo(combo: string, mac: boolean = IS_MAC): string {
  const p = parse(combo);
  const key = KEY_NAMES[p.key] ?? (p.key.length === 1 ? p.key.toUpperCase() : p.key[0].toUpperCase() + p.key.slice(1));
  const mods: string[] = [];
  if (p.mod) mods.push("mod");
  if (p.alt) mods.push("alt");
  if (p.shift) mods.push("shift");
  // Apple's order is Option, Shift, Command: "⇧⌘K".
  if (mac) return ["alt", "shift", "mod"].filter((m) => mods.includes(m)).map((m) => MAC_SYMBOLS[m]).join("") + key;
  const names: Record<string, string> = { mod: "Ctrl", alt: "Alt", shift: "Shift" };
  return [...mods.map((m) => names[m]), key].join("+");
}

interface ElementLike {
  tagName?: string;
  isContentEditable?: boolean;
  type?: string;
}

const NON_TEXT_INPUTS = new Set(["button", "checkbox", "radio", "range", "color", "file", "submit", "reset", "image"]);

/** Whether keystrokes aimed at this element are text entry (so single-key shortcuts must not fire). */
export function isTypingTarget(el: ElementLike | null | undefined): boolean {
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toUpperCase();
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") return !NON_TEXT_INPUTS.has((el.type ?? "text").toLowerCase());
  return el.isContentEditable === true;
}

/** The shortcuts the app offers, for the help dialog and button titles. */
export const SHORTCUTS = {
  newArtifact: { combo: "mod+n", label: "New artifact (or new server, on the Servers screen)" },
  viewArtifacts: { combo: "mod+1", label: "Show the workspace's artifacts" },
  viewServers: { combo: "mod+2", label: "Show the workspace's servers" },
  viewAudit: { combo: "mod+3", label: "Show the audit log" },
  viewSecrets: { combo: "mod+4", label: "Show secrets and local-server settings" },
  viewAuthorizers: { combo: "mod+5", label: "Show the workspace's Authorizers (OAuth apps)" },
  viewPlatform: { combo: "mod+6", label: "Show the platform: account, sync and relay" },
  runTool: { combo: "mod+enter", label: "Run the tool (in the tool runner)" },
  save: { combo: "mod+s", label: "Save the open artifact or server" },
  search: { combo: "mod+k", label: "Search all workspaces" },
  searchSlash: { combo: "/", label: "Search (when not typing)" },
  deleteArtifact: { combo: "delete", label: "Delete the selected artifact (artifact list focused)" },
  help: { combo: "?", label: "Show keyboard shortcuts" },
  close: { combo: "escape", label: "Close dialog, menu or search results" },
} as const;
