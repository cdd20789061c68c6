import type { TextSpan } from "./bindings";

/** Merges neighbouring spans of the same kind and drops empty ones, so markup stays minimal. */
export function normalizeSpans(spans: readonly TextSpan[]): TextSpan[] {
  const out: TextSpan[] = [];
  for (const span of spans) {
    if (!span.text) continue;
    const last = out[out.length - 1];
    if (last && last.hit === span.hit) last.text += span.text;
    else out.push({ text: span.text, hit: span.hit });
  }
  return out;
}

export function spansText(spans: readonly TextSpan[]): string {
  return spans.map((s) => s.text).join("");
}

export function hasHit(spans: readonly TextSpan[]): boolean {
  return spans.some((s) => s.hit && s.text.length > 0);
}

/** Whitespace runs (newlines from content snippets) collapse to single spaces for one-line display. */
export function collapseWhitespace(spans: readonly TextSpan[]): TextSpan[] {
  // Collapse after merging, or two neighbouring runs would leave a double space.
  return normalizeSpans(normalizeSpans(spans).map((s) => ({ text: s.text.replace(/\s+/g, " "), hit: s.hit })));
}
