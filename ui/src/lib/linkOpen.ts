/**
 * A link clicked in rendered Markdown: like a view's link, it opens in the browser only after the person saw
 * the address and said yes. The window itself never navigates.
 */
import { api } from "./api";
import { confirmer, toasts } from "./ui.svelte";

export async function confirmAndOpen(url: string, from: string): Promise<boolean> {
  const ok = await confirmer.ask({
    title: "Open this link in your browser?",
    message: `${from} links to ${url}`,
    detail: "Open it only if you expected it and recognise where it goes.",
    okLabel: "Open",
  });
  if (!ok) return false;
  try {
    await api.linkOpen(url);
    return true;
  } catch (e) {
    toasts.error("Couldn't open the link", e);
    return false;
  }
}
