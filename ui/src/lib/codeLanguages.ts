/**
 * The languages a fenced code block in rendered Markdown is highlighted in, by the names people write after the
 * fence. Tiny on purpose: the Markdown renderer reads it to know which parsers to fetch before the code that
 * highlights (codeHighlight.ts) is loaded.
 */
export type HighlightedLanguage = "json" | "markdown" | "javascript" | "typescript";

export const HIGHLIGHTED_LANGUAGES: ReadonlyMap<string, HighlightedLanguage> = new Map([
  ["json", "json"],
  ["jsonc", "json"],
  ["markdown", "markdown"],
  ["md", "markdown"],
  ["javascript", "javascript"],
  ["js", "javascript"],
  ["mjs", "javascript"],
  ["jsx", "javascript"],
  ["typescript", "typescript"],
  ["ts", "typescript"],
  ["tsx", "typescript"],
]);

const FENCE = /^ {0,3}(?:`{3,}|~{3,})[ \t]*([^\s`{]+)/gm;

/** The highlighted languages of the fenced blocks in a Markdown text (a cheap scan, not a parse). */
export function fencedLanguages(markdown: string): HighlightedLanguage[] {
  const found = new Set<HighlightedLanguage>();
  for (const m of markdown.matchAll(FENCE)) {
    const language = HIGHLIGHTED_LANGUAGES.get(m[1].toLowerCase());
    if (language) found.add(language);
  }
  return [...found];
}
