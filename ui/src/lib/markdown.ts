/**
 * Markdown as the window shows it: CommonMark + GitHub's extensions (tables, task lists, strikethrough,
 * autolinks) by `marked`, then sanitized by DOMPurify before it is ever put into the page. What the sanitizer
 * lets through is decided here, in one place:
 * - no scripts, styles, forms, frames or event-handler attributes (DOMPurify's HTML profile);
 * - links keep an address only when it is http(s) or mailto; a click on one asks the person first (the
 *   component does that, the same question a view's link gets) — the page itself never navigates;
 * - images load only from `data:image/…` (the window's CSP allows nothing remote); any other image shows its
 *   text instead;
 * - task-list boxes stay disabled (they show a state, they are not controls);
 * - class names are kept only when they are the highlighter's `tok-…` ones, so a text cannot borrow the app's own
 *   styles (to look like a dialog, say). Fenced code in a language codeLanguages.ts names is highlighted when the
 *   caller passes the highlighter (loaded lazily): its output goes through the same sanitizer as everything else.
 */
import DOMPurify, { type DOMPurify as Purifier } from "dompurify";
import { Marked } from "marked";

export { fencedLanguages } from "./codeLanguages";

/** Highlights a fenced block: its HTML (escaped text in spans), or null to leave the block plain. */
export type Highlighter = (code: string, info: string) => string | null;

// Set only while one synchronous parse runs (see renderMarkdown).
let activeHighlighter: Highlighter | null = null;

const parser = new Marked({ gfm: true, breaks: false, async: false });
parser.use({
  renderer: {
    code({ text, lang }) {
      const html = lang && activeHighlighter ? activeHighlighter(text, lang) : null;
      // false: marked's own rendering (escaped, plain).
      return html === null ? false : `<pre><code class="tok-code">${html}</code></pre>\n`;
    },
  },
});

const SAFE_LINK = /^(https?:|mailto:)/i;
const SAFE_IMAGE = /^data:image\/(png|jpe?g|gif|webp|svg\+xml|avif|bmp);/i;

let purifier: Purifier | null = null;

function purify(): Purifier {
  if (purifier) return purifier;
  const p = DOMPurify(window);
  p.addHook("afterSanitizeAttributes", (node) => {
    const el = node as Element;
    if (el.hasAttribute?.("class")) {
      const kept = (el.getAttribute("class") ?? "").split(/\s+/).filter((c) => /^tok-[a-zA-Z0-9-]+$/.test(c));
      if (kept.length) el.setAttribute("class", kept.join(" "));
      else el.removeAttribute("class");
    }
    if (el.tagName === "A") {
      const href = el.getAttribute("href") ?? "";
      if (SAFE_LINK.test(href.trim())) {
        el.setAttribute("data-link", href.trim());
        el.setAttribute("title", href.trim());
      } else {
        // In-page anchors and anything else: text only.
        el.removeAttribute("href");
      }
      el.removeAttribute("target");
    } else if (el.tagName === "IMG") {
      const src = el.getAttribute("src") ?? "";
      if (!SAFE_IMAGE.test(src.trim())) {
        const alt = el.getAttribute("alt") || "image";
        el.replaceWith(el.ownerDocument.createTextNode(`[${alt}]`));
      }
    } else if (el.tagName === "INPUT") {
      if ((el.getAttribute("type") ?? "").toLowerCase() !== "checkbox") el.remove();
      else el.setAttribute("disabled", "");
    }
  });
  purifier = p;
  return p;
}

/** Markdown text as sanitized HTML, safe to put into the page; fenced code highlighted by `highlight`, if given. */
export function renderMarkdown(text: string, highlight?: Highlighter): string {
  activeHighlighter = highlight ?? null;
  let html: string;
  try {
    html = parser.parse(text) as string;
  } finally {
    activeHighlighter = null;
  }
  return purify().sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["style", "form", "button", "textarea", "select", "iframe", "object", "embed", "svg", "math", "audio", "video", "source", "picture", "track"],
    // Only for task lists: the hook above removes every input that is not a disabled checkbox.
    ADD_TAGS: ["input"],
    ADD_ATTR: ["checked", "disabled", "type"],
    FORBID_ATTR: ["style", "id", "name"],
  });
}

/** The address a click in rendered Markdown would open, or null when the click was not on a link. */
export function linkAt(target: EventTarget | null): string | null {
  const el = target instanceof Element ? target.closest("a[data-link]") : null;
  return el?.getAttribute("data-link") ?? null;
}
