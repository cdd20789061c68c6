/** The artifact list's orders, as the person picks them (the store sorts: `ArtifactSort`). */
import type { ArtifactSort } from "./bindings";

export type SortKey = ArtifactSort;

export const SORT_OPTIONS: { value: SortKey; label: string }[] = [
  { value: "modified", label: "Last modified" },
  { value: "title", label: "Title A–Z" },
  { value: "type", label: "Type" },
];

export function isSortKey(v: unknown): v is SortKey {
  return v === "modified" || v === "title" || v === "type";
}
