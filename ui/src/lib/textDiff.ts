/**
 * What differs between two texts, for the Conflicts view and History: lines by jsdiff's line diff, and inside a
 * changed line the words that changed (jsdiff's word diff), so a one-character edit in a long line is found at a
 * glance. This module only arranges jsdiff's answer for display.
 */
import { diffLines, diffWordsWithSpace } from "diff";

/** A run of a line's text; `changed` when the other side does not have it. */
export interface DiffPart {
  text: string;
  changed: boolean;
}

export interface DiffLine {
  text: string;
  /** Not on the other side (as a whole, or changed inside). */
  changed: boolean;
  /** The line's runs, when it was paired with a changed line on the other side. */
  parts?: DiffPart[];
}

/** A line of a unified diff: in both texts, only in the old one, or only in the new one. */
export interface UnifiedLine {
  kind: "same" | "del" | "add";
  text: string;
  parts?: DiffPart[];
}

/** Lines this long or more are not compared word by word (it would cost more than it shows). */
const WORD_DIFF_LIMIT = 4000;

/** The lines of a text; a final newline ends the last line rather than starting an empty one. */
function splitLines(s: string): string[] {
  if (s === "") return [];
  const lines = s.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** One line-end convention, and a final newline on every text (else a last line would differ by it alone). */
function normalize(s: string): string {
  const t = s.replace(/\r\n?/g, "\n");
  return t === "" || t.endsWith("\n") ? t : `${t}\n`;
}

/** The runs of a pair of lines, each side's own (what the other side lacks marked). */
function wordParts(a: string, b: string): { left: DiffPart[]; right: DiffPart[] } | null {
  if (a.length + b.length > WORD_DIFF_LIMIT) return null;
  const left: DiffPart[] = [];
  const right: DiffPart[] = [];
  for (const c of diffWordsWithSpace(a, b)) {
    if (!c.added) left.push({ text: c.value, changed: !!c.removed });
    if (!c.removed) right.push({ text: c.value, changed: !!c.added });
  }
  return { left, right };
}

/** Walks the line diff: unchanged runs, and each removed run with the added run that follows it (if any). */
function walk(a: string, b: string, same: (lines: string[]) => void, change: (removed: string[], added: string[]) => void): void {
  const changes = diffLines(normalize(a), normalize(b));
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    if (!c.added && !c.removed) {
      same(splitLines(c.value));
    } else if (c.removed) {
      const next = changes[i + 1];
      const added = next?.added ? splitLines(next.value) : [];
      if (next?.added) i++;
      change(splitLines(c.value), added);
    } else {
      change([], splitLines(c.value));
    }
  }
}

/** Both texts side by side: each side's lines, those the other side lacks marked, and the words inside them. */
export function sideBySide(left: string, right: string): { left: DiffLine[]; right: DiffLine[] } {
  const out = { left: [] as DiffLine[], right: [] as DiffLine[] };
  walk(
    left,
    right,
    (lines) => {
      for (const t of lines) {
        out.left.push({ text: t, changed: false });
        out.right.push({ text: t, changed: false });
      }
    },
    (removed, added) => {
      removed.forEach((t, k) => {
        const w = k < added.length ? wordParts(t, added[k]) : null;
        out.left.push(w ? { text: t, changed: true, parts: w.left } : { text: t, changed: true });
      });
      added.forEach((t, k) => {
        const w = k < removed.length ? wordParts(removed[k], t) : null;
        out.right.push(w ? { text: t, changed: true, parts: w.right } : { text: t, changed: true });
      });
    },
  );
  return out;
}

/** The old text turned into the new one, line by line: what stayed, what went, what came. */
export function unified(oldText: string, newText: string): UnifiedLine[] {
  const out: UnifiedLine[] = [];
  walk(
    oldText,
    newText,
    (lines) => lines.forEach((t) => out.push({ kind: "same", text: t })),
    (removed, added) => {
      const pairs = removed.map((t, k) => (k < added.length ? wordParts(t, added[k]) : null));
      removed.forEach((t, k) => out.push({ kind: "del", text: t, ...(pairs[k] ? { parts: pairs[k].left } : {}) }));
      added.forEach((t, k) => out.push({ kind: "add", text: t, ...(pairs[k] ? { parts: pairs[k].right } : {}) }));
    },
  );
  return out;
}

/** How many lines differ on each side, for a short summary. */
export function diffCounts(d: { left: DiffLine[]; right: DiffLine[] }): { left: number; right: number } {
  return { left: d.left.filter((l) => l.changed).length, right: d.right.filter((l) => l.changed).length };
}
