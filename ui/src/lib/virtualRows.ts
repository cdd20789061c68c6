/** Which rows of a long list of equal-height rows are in the document: those in view and a few either side. */

/** Every artifact row's height in pixels, its 1 px gap included (the list's CSS sets it from here). */
export const ROW_HEIGHT = 54;
/** Rows kept in the document beyond each edge of the view, so a quick scroll shows rows, not gaps. */
export const OVERSCAN = 8;

/** The rows `start` (inclusive) to `end` (exclusive) to render for a view scrolled to `scrollTop`. */
export function visibleRange(scrollTop: number, viewHeight: number, total: number): { start: number; end: number } {
  if (total <= 0) return { start: 0, end: 0 };
  // Before the view is measured, one screen's worth (a first render is never empty).
  const height = viewHeight > 0 ? viewHeight : 20 * ROW_HEIGHT;
  const first = Math.floor(Math.max(0, scrollTop) / ROW_HEIGHT);
  const start = Math.max(0, Math.min(first, total - 1) - OVERSCAN);
  const end = Math.min(total, first + Math.ceil(height / ROW_HEIGHT) + 1 + OVERSCAN);
  return { start, end };
}
