/**
 * The server log panel's pure parts: searching lines (with the matches marked), pausing (a frozen view plus a count
 * of what arrived meanwhile), and the text copied to the clipboard.
 */
import type { LogLine, TextSpan } from "./bindings";

/** A line as the panel shows it: its place in the buffer, and its logger and message split at the matches. */
export interface ShownLine {
  line: LogLine;
  /** Its index in the lines it was picked from (a stable key while the buffer only grows). */
  index: number;
  logger: TextSpan[] | null;
  message: TextSpan[];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * `text` split at every case-insensitive occurrence of `query`, the occurrences marked as hits; null when it does
 * not occur. An empty query matches everything, with nothing marked.
 */
export function matchSpans(text: string, query: string): TextSpan[] | null {
  const q = query.trim();
  if (!q) return [{ text, hit: false }];
  // A RegExp rather than toLowerCase + indexOf: lower-casing can change a string's length (İ), and with it offsets.
  const re = new RegExp(escapeRegExp(q), "giu");
  const out: TextSpan[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ text: text.slice(last, at), hit: false });
    out.push({ text: m[0], hit: true });
    last = at + m[0].length;
  }
  if (out.length === 0) return null;
  if (last < text.length) out.push({ text: text.slice(last), hit: false });
  return out;
}

/** The lines whose message, logger or level contains the query, with the matches marked (all lines when empty). */
export function searchLines(lines: readonly LogLine[], query: string): ShownLine[] {
  const out: ShownLine[] = [];
  const q = query.trim();
  lines.forEach((line, index) => {
    const message = matchSpans(line.message, q);
    const logger = line.logger ? matchSpans(line.logger, q) : null;
    const levelHit = q !== "" && line.level.toLowerCase() === q.toLowerCase();
    if (message === null && logger === null && !levelHit) return;
    out.push({
      line,
      index,
      message: message ?? [{ text: line.message, hit: false }],
      logger: line.logger ? (logger ?? [{ text: line.logger, hit: false }]) : null,
    });
  });
  return out;
}

/** A paused view: the lines as they were when paused, and how many had arrived by then. */
export interface LogPause {
  frozen: LogLine[];
  mark: number;
}

/** Pauses a view of `lines`, of which `received` lines have arrived so far (a count that only grows). */
export function pauseLog(lines: readonly LogLine[], received: number): LogPause {
  return { frozen: [...lines], mark: received };
}

/** How many lines arrived since the pause (0 when not paused). */
export function pendingCount(pause: LogPause | null, received: number): number {
  return pause ? Math.max(0, received - pause.mark) : 0;
}

/** What the panel shows: the frozen lines while paused, else the live ones. */
export function visibleLines(live: readonly LogLine[], pause: LogPause | null): readonly LogLine[] {
  return pause ? pause.frozen : live;
}

/** A line's local time of day, "14:05:09" (empty for a bad timestamp). */
export function clock(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** One line as plain text, as it is copied: "14:05:09 stderr [logger] message". */
export function lineText(l: LogLine): string {
  return [clock(l.time), l.level, l.logger ? `[${l.logger}]` : "", l.message].filter(Boolean).join(" ");
}

export function linesText(lines: readonly LogLine[]): string {
  return lines.map(lineText).join("\n");
}
