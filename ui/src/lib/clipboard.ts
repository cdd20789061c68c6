/**
 * Copies text to the clipboard: the async Clipboard API where the webview allows it, else a hidden textarea and
 * `execCommand("copy")` (older WebKitGTK). Throws when neither works.
 */
export async function copyText(text: string): Promise<void> {
  try {
    if (typeof navigator !== "undefined" && navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return;
    }
  } catch {
    /* refused (no permission, not focused): try the old way */
  }
  const active = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  area.style.pointerEvents = "none";
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } finally {
    area.remove();
    active?.focus();
  }
  if (!ok) throw new Error("The clipboard is not available here. Select the text and press Ctrl+C instead.");
}
