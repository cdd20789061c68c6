/**
 * How content from servers is shown: text as JSON, Markdown or plain; resources as text, image, audio or a
 * download. Markdown is parsed into a small tree that components render as ordinary elements, so nothing a
 * server sends is ever inserted as HTML.
 */
import type { JsonValue, ResourceContent } from "./bindings";

export type TextKind = "json" | "markdown" | "plain";

/** The parsed JSON of a text that is an object or an array; null for anything else. */
export function jsonOf(text: string): { value: JsonValue } | null {
  const t = text.trim();
  if (!(t.startsWith("{") && t.endsWith("}")) && !(t.startsWith("[") && t.endsWith("]"))) return null;
  try {
    return { value: JSON.parse(t) as JsonValue };
  } catch {
    return null;
  }
}

export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? "";
}

/** JSON text pretty-printed, anything else as it is (audit rows store compact JSON, possibly cut short). */
export function prettyJsonText(text: string): string {
  const j = jsonOf(text);
  return j ? prettyJson(j.value) : text;
}

const STRONG_MD = [/^#{1,6}\s+\S/m, /^```/m, /^\s*\|.*\|\s*$\n^\s*\|?\s*:?-{3,}/m];
const WEAK_MD = [/^\s*[-*+]\s+\S/m, /^\s*\d+\.\s+\S/m, /\*\*[^*\n]+\*\*/, /`[^`\n]+`/, /\[[^\]\n]+\]\([^)\s]+\)/, /^>\s?\S/m];

/** JSON (object or array), Markdown (a heading or code fence, or two lighter signs), or plain text. */
export function textKind(text: string, mimeType?: string | null): TextKind {
  const mime = (mimeType ?? "").toLowerCase();
  if (jsonOf(text)) return "json";
  if (mime === "text/markdown") return "markdown";
  if (mime && mime !== "text/plain" && !mime.startsWith("text/")) return "plain";
  if (STRONG_MD.some((r) => r.test(text))) return "markdown";
  return WEAK_MD.filter((r) => r.test(text)).length >= 2 ? "markdown" : "plain";
}

// ---- Markdown, the small subset ---------------------------------------------------------------------------------

export type Inline =
  | { t: "text"; text: string }
  | { t: "code"; text: string }
  | { t: "strong"; children: Inline[] }
  | { t: "em"; children: Inline[] }
  | { t: "link"; text: string; href: string };

export type Block =
  | { t: "heading"; level: number; children: Inline[] }
  | { t: "para"; children: Inline[] }
  | { t: "list"; ordered: boolean; items: Inline[][] }
  | { t: "code"; lang: string; text: string }
  | { t: "quote"; children: Inline[] }
  | { t: "rule" };

const INLINE = /(`[^`\n]+`)|(\*\*[^*\n]+?\*\*|__[^_\n]+?__)|(\*[^*\s][^*\n]*?\*|_[^_\s][^_\n]*?_)|(\[[^\]\n]+\]\([^)\s]+\))/;

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let rest = text;
  while (rest) {
    const m = INLINE.exec(rest);
    if (!m) {
      out.push({ t: "text", text: rest });
      break;
    }
    if (m.index > 0) out.push({ t: "text", text: rest.slice(0, m.index) });
    const s = m[0];
    if (m[1]) out.push({ t: "code", text: s.slice(1, -1) });
    else if (m[2]) out.push({ t: "strong", children: parseInline(s.slice(2, -2)) });
    else if (m[3]) out.push({ t: "em", children: parseInline(s.slice(1, -1)) });
    else {
      const close = s.indexOf("](");
      out.push({ t: "link", text: s.slice(1, close), href: s.slice(close + 2, -1) });
    }
    rest = rest.slice(m.index + s.length);
  }
  // Merge neighbouring text runs.
  return out.reduce<Inline[]>((acc, x) => {
    const last = acc[acc.length - 1];
    if (x.t === "text" && last?.t === "text") last.text += x.text;
    else acc.push(x);
    return acc;
  }, []);
}

export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) blocks.push({ t: "para", children: parseInline(para.join(" ")) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s*```\s*([\w+-]*)/.exec(line);
    if (fence) {
      flush();
      const body: string[] = [];
      i++;
      while (i < lines.length && !/^\s*```\s*$/.test(lines[i])) body.push(lines[i++]);
      blocks.push({ t: "code", lang: fence[1], text: body.join("\n") });
      continue;
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      flush();
      blocks.push({ t: "heading", level: h[1].length, children: parseInline(h[2]) });
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      blocks.push({ t: "rule" });
      continue;
    }
    const item = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/.exec(line);
    if (item) {
      flush();
      const ordered = item[2] !== undefined;
      const items: Inline[][] = [parseInline(item[3])];
      while (i + 1 < lines.length) {
        const next = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/.exec(lines[i + 1]);
        if (!next || (next[2] !== undefined) !== ordered) break;
        items.push(parseInline(next[3]));
        i++;
      }
      blocks.push({ t: "list", ordered, items });
      continue;
    }
    const q = /^>\s?(.*)$/.exec(line);
    if (q) {
      flush();
      const body = [q[1]];
      while (i + 1 < lines.length && /^>\s?/.test(lines[i + 1])) body.push(lines[++i].replace(/^>\s?/, ""));
      blocks.push({ t: "quote", children: parseInline(body.join(" ")) });
      continue;
    }
    para.push(line.trim());
  }
  flush();
  return blocks;
}

// ---- binary content ---------------------------------------------------------------------------------------------

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

export function safeMime(mime: string | null | undefined, fallback = "application/octet-stream"): string {
  const m = (mime ?? "").trim();
  return MIME.test(m) ? m.toLowerCase() : fallback;
}

/** A `data:` URL for base64 content (the MIME type checked, the data cleaned of anything outside base64). */
export function dataUrl(mime: string | null | undefined, base64: string): string {
  return `data:${safeMime(mime)};base64,${base64.replace(/[^A-Za-z0-9+/=]/g, "")}`;
}

/** Decoded size of base64 data, in bytes. */
export function base64Size(b64: string): number {
  const clean = b64.replace(/[^A-Za-z0-9+/=]/g, "");
  const pad = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - pad);
}

export type ResourceView =
  | { kind: "text"; text: string; textKind: TextKind }
  | { kind: "image"; src: string; mime: string }
  | { kind: "audio"; src: string; mime: string }
  | { kind: "binary"; mime: string; size: number; blob: string }
  | { kind: "empty" };

/** How to show a resource's contents. */
export function resourceView(r: ResourceContent): ResourceView {
  if (typeof r.text === "string") return { kind: "text", text: r.text, textKind: textKind(r.text, r.mimeType) };
  if (typeof r.blob === "string" && r.blob !== "") {
    const mime = safeMime(r.mimeType);
    if (mime.startsWith("image/")) return { kind: "image", src: dataUrl(mime, r.blob), mime };
    if (mime.startsWith("audio/")) return { kind: "audio", src: dataUrl(mime, r.blob), mime };
    return { kind: "binary", mime, size: base64Size(r.blob), blob: r.blob };
  }
  return { kind: "empty" };
}

/** A file name for downloading a resource: the last part of its URI, or `resource`. */
export function fileNameFor(uri: string): string {
  const last = uri.split(/[/?#]/).filter(Boolean).pop() ?? "";
  if (last.includes(":")) return "resource";
  const clean = last.replace(/[^\w.-]+/g, "_").slice(0, 100);
  return clean && clean !== "_" ? clean : "resource";
}

/** Bytes from base64, for a download. */
export function base64Bytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64.replace(/[^A-Za-z0-9+/=]/g, ""));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
