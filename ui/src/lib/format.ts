/** Pure formatting helpers: relative times and byte sizes. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function startOfLocalDay(t: number): number {
  const d = new Date(t);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/**
 * A short, human relative time for an ISO-8601 timestamp, measured from `now` (ms since epoch).
 * "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", then a calendar date
 * ("Mar 4", or "Mar 4, 2023" for another year). Unparseable input yields "" and times in
 * the future (clock skew between machines) read as "just now".
 */
export function relativeTime(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const diff = now - t;
  if (diff < 45_000) return "just now";
  if (diff < HOUR) return `${Math.max(1, Math.round(diff / MINUTE))} min ago`;
  const days = Math.round((startOfLocalDay(now) - startOfLocalDay(t)) / DAY);
  if (days === 0) return `${Math.floor(diff / HOUR)} h ago`;
  if (days === 1) return "yesterday";
  if (days < 7) return `${days} days ago`;
  const d = new Date(t);
  const sameYear = d.getFullYear() === new Date(now).getFullYear();
  const date = `${MONTHS[d.getMonth()]} ${d.getDate()}`;
  return sameYear ? date : `${date}, ${d.getFullYear()}`;
}

/** Full local date and time for tooltips, e.g. "2024-03-04 14:05". Empty for bad input. */
export function absoluteTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

const UNITS = ["KB", "MB", "GB", "TB"];

/** Byte counts as people read them: "0 B", "999 B", "1.5 KB", "12 KB", "3.4 MB" (binary multiples). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // One decimal below 10 ("1.5 KB"), none above ("12 KB"); never "10.0".
  const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  if (rounded >= 1024 && unit < UNITS.length - 1) return `1 ${UNITS[unit + 1]}`;
  return `${rounded} ${UNITS[unit]}`;
}

/** "1 artifact", "3 artifacts". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
