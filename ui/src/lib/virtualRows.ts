/**
 * Which rows of a long list of equal-height rows are in the document: those in view and more either side, the
 * window moving in whole blocks of rows. Between two moves a scroll changes nothing in the document, which the
 * webview then scrolls without repainting the rows (a changed row repaints the whole list).
 */

/** Every artifact row's height in pixels, its 1 px gap included (the list's CSS sets it from here). */
export const ROW_HEIGHT = 54;
/** The window moves by this many rows at a time, and keeps at least this many beyond each edge of the view. */
export const BLOCK = 8;

/** The rows `start` (inclusive) to `end` (exclusive) to render for a view scrolled to `scrollTop`. */
export function visibleRange(scrollTop: number, viewHeight: number, total: number): { start: number; end: number } {
  if (total <= 0) return { start: 0, end: 0 };
  // Before the view is measured, one screen's worth (a first render is never empty).
  const height = viewHeight > 0 ? viewHeight : 20 * ROW_HEIGHT;
  const first = Math.min(Math.floor(Math.max(0, scrollTop) / ROW_HEIGHT), total - 1);
  // Both ends follow the block of the first row in view, so they move together, once per block.
  const block = Math.floor(first / BLOCK);
  const inView = Math.ceil(Math.ceil(height / ROW_HEIGHT) / BLOCK) * BLOCK;
  const start = Math.max(0, (block - 1) * BLOCK);
  const end = Math.min(total, (block + 2) * BLOCK + inView);
  return { start, end };
}
