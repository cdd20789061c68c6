/**
 * The store's validation problems as marks in the code editor: a problem with a line and column (serde's JSON
 * errors) becomes a range on the character it names; problems without a position are shown beside the field
 * instead, so they are left out here. Pure, so the mapping is tested without an editor.
 */
import type { FieldProblem } from "./bindings";
import { offsetOf } from "./position";

export interface EditorMark {
  from: number;
  to: number;
  message: string;
}

/** Marks for the content field's positioned problems, clamped to the text (it may have changed since). */
export function contentMarks(problems: readonly FieldProblem[], text: string): EditorMark[] {
  const marks: EditorMark[] = [];
  for (const p of problems) {
    if (p.field !== "content" || !p.position) continue;
    // The store's column points just past the offending character (serde's convention); at the end of the
    // text (an unfinished document) the mark covers the last character so that it is visible at all.
    const after = Math.min(offsetOf(text, p.position.line, p.position.column), text.length);
    const from = Math.max(after - 1, 0);
    marks.push({ from, to: Math.max(after, Math.min(from + 1, text.length)), message: p.message });
  }
  return marks;
}

export type EditorLanguage = "json" | "markdown" | "plain";

/** Which highlighting a content type gets: JSON types (by the type registry's say), Markdown, or none. */
export function editorLanguage(contentType: string, isJson: boolean): EditorLanguage {
  if (isJson) return "json";
  const mime = contentType.split(";")[0].trim().toLowerCase();
  return mime === "text/markdown" || mime === "text/x-markdown" ? "markdown" : "plain";
}

/** JSON text re-indented by two spaces, or null when it does not parse (the marks say why). */
export function formatJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}
