/**
 * How content from servers is shown: text as JSON, Markdown or plain; resources as text, image, audio or a
 * download. Markdown itself is rendered and sanitized in `markdown.ts`.
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
