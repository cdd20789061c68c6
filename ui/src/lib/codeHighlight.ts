/**
 * Code blocks in rendered Markdown, highlighted with the parsers the editor is built on (Lezer) and
 * `@lezer/highlight`'s `highlightCode`. The result is escaped text in `<span class="tok-…">` elements: the
 * Markdown renderer puts it inside its `<pre><code>` and DOMPurify still has the last word on all of it.
 *
 * Only reached through a dynamic import (Markdown.svelte), and each language's parser is a chunk of its own,
 * fetched the first time a block in that language is shown.
 */
import { classHighlighter, highlightCode } from "@lezer/highlight";
import type { Parser } from "@lezer/common";
import { HIGHLIGHTED_LANGUAGES, type HighlightedLanguage } from "./codeLanguages";

const LOADERS: Record<HighlightedLanguage, () => Promise<Parser>> = {
  json: () => import("@lezer/json").then((m) => m.parser),
  markdown: () => import("@lezer/markdown").then((m) => m.parser),
  javascript: () => import("@lezer/javascript").then((m) => m.parser.configure({ dialect: "jsx" })),
  typescript: () => import("@lezer/javascript").then((m) => m.parser.configure({ dialect: "ts" })),
};

const loaded = new Map<HighlightedLanguage, Parser>();
const loading = new Map<HighlightedLanguage, Promise<Parser>>();

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The parsers for these languages, loaded (once each); a language that fails to load is left plain. */
export async function prepare(languages: Iterable<HighlightedLanguage>): Promise<void> {
  await Promise.all(
    [...new Set(languages)].map(async (language) => {
      if (loaded.has(language)) return;
      let promise = loading.get(language);
      if (!promise) loading.set(language, (promise = LOADERS[language]()));
      try {
        loaded.set(language, await promise);
      } catch {
        loading.delete(language);
      }
    }),
  );
}

/**
 * `code` as HTML with highlight spans, or null when its language is not one shown highlighted or its parser is
 * not loaded yet (the block then shows as plain text).
 */
export function highlight(code: string, info: string): string | null {
  const language = HIGHLIGHTED_LANGUAGES.get(info.trim().split(/\s/)[0].toLowerCase());
  const parser = language && loaded.get(language);
  if (!parser) return null;
  let html = "";
  highlightCode(
    code,
    parser.parse(code),
    classHighlighter,
    (text, classes) => {
      html += classes ? `<span class="${classes}">${escapeHtml(text)}</span>` : escapeHtml(text);
    },
    () => (html += "\n"),
  );
  return html;
}
