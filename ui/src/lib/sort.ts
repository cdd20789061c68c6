import type { ArtifactSummary } from "./bindings";
import { normalizeMime } from "./contentTypes";

export type SortKey = "modified" | "title" | "type";

export const SORT_OPTIONS: { value: SortKey; label: string }[] = [
  { value: "modified", label: "Last modified" },
  { value: "title", label: "Title A–Z" },
  { value: "type", label: "Type" },
];

export function isSortKey(v: unknown): v is SortKey {
  return v === "modified" || v === "title" || v === "type";
}

const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

function time(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

/**
 * Sorted copy. Ties fall back to title and then id so the order is stable and never jumps.
 * `typeLabel` maps a MIME type to its displayed label, so "Type" sorts the way the badges read.
 */
export function sortArtifacts<T extends Pick<ArtifactSummary, "id" | "title" | "content_type" | "modified_time">>(
  list: readonly T[],
  key: SortKey,
  typeLabel: (mime: string) => string = (m) => m,
): T[] {
  const byTitle = (a: T, b: T) => collator.compare(a.title, b.title) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const copy = [...list];
  switch (key) {
    case "modified":
      return copy.sort((a, b) => time(b.modified_time) - time(a.modified_time) || byTitle(a, b));
    case "title":
      return copy.sort(byTitle);
    case "type":
      return copy.sort((a, b) => collator.compare(typeLabel(a.content_type), typeLabel(b.content_type)) || byTitle(a, b));
  }
}

/** Title contains every word of `text` (case- and accent-insensitive); `type` "" means any type. */
export function filterArtifacts<T extends Pick<ArtifactSummary, "title" | "content_type">>(
  list: readonly T[],
  text: string,
  type: string,
): T[] {
  const words = fold(text).split(/\s+/).filter(Boolean);
  const wanted = type ? normalizeMime(type) : "";
  return list.filter((a) => {
    if (wanted && normalizeMime(a.content_type) !== wanted) return false;
    if (words.length === 0) return true;
    const title = fold(a.title);
    return words.every((w) => title.includes(w));
  });
}

function fold(s: string): string {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}
