import type { ContentTypeInfo } from "./bindings";

/**
 * How a content type is shown: a label, a colour (null = the neutral theme colour), an icon name Atrium draws, and
 * the emoji a server gave as its icon (shown instead of the drawn icon), if any.
 */
export interface Badge {
  mime: string;
  label: string;
  color: string | null;
  icon: string;
  emoji: string | null;
  known: boolean;
}

export const DEFAULT_CONTENT_TYPE = "text/markdown";

export const KNOWN_ICONS = ["markdown", "json", "text", "image", "server", "key", "folder", "file"] as const;

/** "Text/Markdown; charset=utf-8" -> "text/markdown". */
export function normalizeMime(mime: string): string {
  return mime.split(";")[0].trim().toLowerCase();
}

function findInfo(mime: string, infos: readonly ContentTypeInfo[]): ContentTypeInfo | undefined {
  const m = normalizeMime(mime);
  return infos.find((i) => normalizeMime(i.mime) === m);
}

function guessIcon(mime: string): string {
  if (/(^|[/+])json$/.test(mime)) return "json";
  if (mime.startsWith("image/")) return "image";
  if (mime.includes("markdown")) return "markdown";
  if (mime.startsWith("text/")) return "text";
  return "file";
}

/**
 * A server may name its type's icon with an emoji ("🍳") or an icon set's name ("chef-hat"): an emoji (anything
 * beyond ASCII) is shown as is, its first character only; names Atrium does not draw get the type's generic icon.
 */
export function iconEmoji(icon: string): string | null {
  const t = icon.trim();
  if (!t || !/[^\x00-\x7f]/.test(t)) return null;
  const Segmenter = (Intl as { Segmenter?: typeof Intl.Segmenter }).Segmenter;
  if (Segmenter) {
    for (const { segment } of new Segmenter(undefined, { granularity: "grapheme" }).segment(t)) return segment;
  }
  return Array.from(t).slice(0, 2).join("");
}

const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

/**
 * Badge for a MIME type. Known types use the backend's label, icon and colour; unknown ones use
 * their subtype as the label ("application/x-yaml" -> "x-yaml") and the neutral colour.
 */
export function resolveBadge(mime: string, infos: readonly ContentTypeInfo[]): Badge {
  const info = findInfo(mime, infos);
  if (info) {
    return {
      mime: info.mime,
      label: info.label || normalizeMime(info.mime),
      color: HEX.test(info.color) ? info.color : null,
      icon: (KNOWN_ICONS as readonly string[]).includes(info.icon) ? info.icon : guessIcon(normalizeMime(info.mime)),
      emoji: iconEmoji(info.icon),
      known: true,
    };
  }
  const m = normalizeMime(mime);
  const slash = m.indexOf("/");
  const sub = slash >= 0 ? m.slice(slash + 1) : m;
  return { mime: m, label: sub || m || "unknown", color: null, icon: guessIcon(m), emoji: null, known: false };
}

/** Whether content of this type must be JSON: the backend says so for known types, else "json" / "+json" subtypes. */
export function isJsonType(mime: string, infos: readonly ContentTypeInfo[]): boolean {
  const info = findInfo(mime, infos);
  if (info) return info.json;
  return /^[^/]+\/(?:[^/]*\+)?json$/.test(normalizeMime(mime));
}

/** Options for a type filter: the distinct types present, by label, each once. */
export function typeOptions(
  mimes: readonly string[],
  infos: readonly ContentTypeInfo[],
): { value: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const mime of mimes) {
    const m = normalizeMime(mime);
    if (!seen.has(m)) seen.set(m, resolveBadge(m, infos).label);
  }
  return [...seen.entries()]
    .map(([value, label]) => ({ value, label }))
    .sort((a, b) => a.label.localeCompare(b.label, undefined, { sensitivity: "base" }) || a.value.localeCompare(b.value));
}
