import { describe, expect, it } from "vitest";
import { detectMac, formatCombo, isTypingTarget, matches, type KeyLike } from "./shortcuts";

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe("matches", () => {
  it("maps mod to Ctrl off macOS and Cmd on macOS", () => {
    expect(matches(key("s", { ctrlKey: true }), "mod+s", false)).toBe(true);
    expect(matches(key("s", { metaKey: true }), "mod+s", false)).toBe(false);
    expect(matches(key("s", { metaKey: true }), "mod+s", true)).toBe(true);
    expect(matches(key("s", { ctrlKey: true }), "mod+s", true)).toBe(false);
  });
  it("is case-insensitive for letters but strict about shift", () => {
    expect(matches(key("S", { ctrlKey: true, shiftKey: true }), "mod+s", false)).toBe(false);
    expect(matches(key("K", { ctrlKey: true, shiftKey: true }), "mod+shift+k", false)).toBe(true);
  });
  it("requires the absence of modifiers for plain keys", () => {
    expect(matches(key("/"), "/", false)).toBe(true);
    expect(matches(key("/", { ctrlKey: true }), "/", false)).toBe(false);
    expect(matches(key("n"), "mod+n", false)).toBe(false);
    expect(matches(key("n", { ctrlKey: true, altKey: true }), "mod+n", false)).toBe(false);
  });
  it("accepts shifted symbols whatever the shift state", () => {
    expect(matches(key("?", { shiftKey: true }), "?", false)).toBe(true);
    expect(matches(key("?"), "?", false)).toBe(true);
  });
  it("understands named keys and aliases", () => {
    expect(matches(key("Delete"), "delete", false)).toBe(true);
    expect(matches(key("Escape"), "esc", false)).toBe(true);
    expect(matches(key("Backspace"), "delete", false)).toBe(false);
  });
});

describe("formatCombo", () => {
  it("uses symbols on macOS", () => {
    expect(formatCombo("mod+s", true)).toBe("⌘S");
    expect(formatCombo("mod+shift+k", true)).toBe("⇧⌘K");
  });
  it("spells modifiers elsewhere", () => {
    expect(formatCombo("mod+s", false)).toBe("Ctrl+S");
    expect(formatCombo("escape", false)).toBe("Esc");
    expect(formatCombo("/", false)).toBe("/");
    expect(formatCombo("delete", false)).toBe("Delete");
  });
});

describe("isTypingTarget", () => {
  it("treats text fields as typing targets", () => {
    expect(isTypingTarget({ tagName: "INPUT", type: "text" })).toBe(true);
    expect(isTypingTarget({ tagName: "input", type: "search" })).toBe(true);
    expect(isTypingTarget({ tagName: "TEXTAREA" })).toBe(true);
    expect(isTypingTarget({ tagName: "SELECT" })).toBe(true);
    expect(isTypingTarget({ tagName: "DIV", isContentEditable: true })).toBe(true);
  });
  it("does not treat buttons, checkboxes or lists as typing targets", () => {
    expect(isTypingTarget({ tagName: "INPUT", type: "checkbox" })).toBe(false);
    expect(isTypingTarget({ tagName: "BUTTON" })).toBe(false);
    expect(isTypingTarget({ tagName: "UL" })).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});

describe("detectMac", () => {
  it("recognises Apple platforms", () => {
    expect(detectMac("MacIntel")).toBe(true);
    expect(detectMac("macOS")).toBe(true);
    expect(detectMac("Win32")).toBe(false);
    expect(detectMac("Linux x86_64")).toBe(false);
  });
});
