/**
 * Markdown as the window shows it: CommonMark + GitHub's extensions (tables, task lists, strikethrough,
 * autolinks) by `marked`, then sanitized by DOMPurify before it is ever put into the page. What the sanitizer
 * lets through is decided here, in one place:
 * - no scripts, styles, forms, frames or event-handler attributes (DOMPurify's HTML profile);
 * - links keep an address only when it is http(s) or mailto; a click on one asks the person first (the
 *   component does that, the same question a view's link gets) — the page itself never navigates;
 * - images show only from `data:image/…` or from an artifact, written `![alt](artifact:<id>)` and resolved by
 *   the caller (artifactImages.ts says which artifacts are images) to a data: URL before rendering. A remote
 *   http(s) image is never fetched (that would tell its server who reads what, and when); it, and every other
 *   image that cannot show, is a placeholder with its alt text and the reason in its title;
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

/** An image found for an `artifact:` reference: its data: URL, or why it cannot show. */
export type ImageSource = { src: string } | { problem: string };

// Set only while one synchronous parse runs (see renderMarkdown).
let activeHighlighter: Highlighter | null = null;
let activeImages: ReadonlyMap<string, ImageSource> | null = null;

const ARTIFACT_REF = /^artifact:([0-9a-fA-F-]{36})$/;
const ARTIFACT_REFS = /\]\(\s*<?artifact:([0-9a-fA-F-]{36})|\]:\s*<?artifact:([0-9a-fA-F-]{36})/g;

/** The artifact ids a text's images refer to (`![alt](artifact:<id>)`, or as a reference definition). */
export function artifactImageIds(markdown: string): string[] {
  const ids = new Set<string>();
  for (const m of markdown.matchAll(ARTIFACT_REFS)) ids.add((m[1] ?? m[2]).toLowerCase());
  return [...ids];
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const parser = new Marked({ gfm: true, breaks: false, async: false });
parser.use({
  renderer: {
    code({ text, lang }) {
      const html = lang && activeHighlighter ? activeHighlighter(text, lang) : null;
      // false: marked's own rendering (escaped, plain).
      return html === null ? false : `<pre><code class="tok-code">${html}</code></pre>\n`;
    },
    image({ href, title, text }) {
      const id = ARTIFACT_REF.exec(href.trim())?.[1]?.toLowerCase();
      if (!id) return false;
      const found = activeImages?.get(id) ?? { problem: "The image is still loading." };
      const alt = escapeHtml(text);
      if ("problem" in found) return `<span data-image-problem="${escapeHtml(found.problem)}">${alt || "image"}</span>`;
      // The sanitizer checks the address again like any other image's.
      return `<img src="${escapeHtml(found.src)}" alt="${alt}"${title ? ` title="${escapeHtml(title)}"` : ""}>`;
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
      const src = (el.getAttribute("src") ?? "").trim();
      if (!SAFE_IMAGE.test(src)) {
        const placeholder = el.ownerDocument.createElement("span");
        placeholder.textContent = el.getAttribute("alt") || "image";
        const problem = /^https?:/i.test(src)
          ? `Remote images are not loaded, for privacy: ${src}`
          : "Only data:image/… and artifact:<id> images are shown.";
        placeholder.setAttribute("data-image-problem", problem);
        placeholder.setAttribute("title", problem);
        el.replaceWith(placeholder);
      }
    } else if (el.hasAttribute?.("data-image-problem")) {
      el.setAttribute("title", el.getAttribute("data-image-problem") ?? "");
    } else if (el.tagName === "INPUT") {
      if ((el.getAttribute("type") ?? "").toLowerCase() !== "checkbox") el.remove();
      else el.setAttribute("disabled", "");
    }
  });
  purifier = p;
  return p;
}

/** What a rendering may use beyond the text: the highlighter (loaded lazily) and the resolved artifact images. */
export interface RenderAids {
  highlight?: Highlighter;
  images?: ReadonlyMap<string, ImageSource>;
}

/** Markdown text as sanitized HTML, safe to put into the page. */
export function renderMarkdown(text: string, aids: RenderAids = {}): string {
  activeHighlighter = aids.highlight ?? null;
  activeImages = aids.images ?? null;
  let html: string;
  try {
    html = parser.parse(text) as string;
  } finally {
    activeHighlighter = null;
    activeImages = null;
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
