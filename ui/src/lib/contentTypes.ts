import type { ContentTypeInfo } from "./bindings";

/** How a content type is shown: a label, a colour (null = the neutral theme colour) and an icon name. */
export interface Badge {
  mime: string;
  label: string;
  color: string | null;
  icon: string;
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
      known: true,
    };
  }
  const m = normalizeMime(mime);
  const slash = m.indexOf("/");
  const sub = slash >= 0 ? m.slice(slash + 1) : m;
  return { mime: m, label: sub || m || "unknown", color: null, icon: guessIcon(m), known: false };
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
