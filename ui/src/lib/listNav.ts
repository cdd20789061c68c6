/** Moving through a vertical list with the keyboard. */

/** A move: rows down (+) or up (-), or to the first or last row. */
export type ListMove = number | "first" | "last";

/** The move a key asks for: ArrowDown and ArrowUp one row, and with `ends` Home and End; null for any other key. */
export function listMove(key: string, ends = false): ListMove | null {
  switch (key) {
    case "ArrowDown":
      return 1;
    case "ArrowUp":
      return -1;
    case "Home":
      return ends ? "first" : null;
    case "End":
      return ends ? "last" : null;
    default:
      return null;
  }
}

/** The row a move lands on from row `index` (-1 when no row is current) in a list of `count`: a step stops at either end. */
export function landing(move: ListMove, index: number, count: number): number {
  if (move === "first") return 0;
  if (move === "last") return count - 1;
  return Math.max(0, Math.min(count - 1, index + move));
}

/**
 * A list's keydown: on a key that moves (see `listMove`), takes over the key and focuses the row it lands on,
 * counting from `from` (by default the focused element). Returns that row, or null (another key, or no rows).
 */
export function arrowFocus(
  e: KeyboardEvent,
  rows: () => Iterable<HTMLElement> | null | undefined,
  { from, ends = false }: { from?: Element | null; ends?: boolean } = {},
): HTMLElement | null {
  const move = listMove(e.key, ends);
  if (move === null) return null;
  e.preventDefault();
  const list = [...(rows() ?? [])];
  const next = list[landing(move, list.indexOf((from ?? document.activeElement) as HTMLElement), list.length)] ?? null;
  next?.focus();
  return next;
}
