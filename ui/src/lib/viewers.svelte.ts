/**
 * The open MCP Apps views of the window: each mounted frame registers here to receive its events, and views'
 * requests to open links wait here for the person's answer.
 */
import { api } from "./api";
import type { ViewerEnvironment, ViewerEvent } from "./bindings";
import { theme } from "./themeState.svelte";
import { toasts } from "./ui.svelte";
import { buildEnvironment } from "./viewerRelay";

export interface LinkRequest {
  viewId: string;
  requestId: string;
  url: string;
  /** Whose view asks ("Recipes"). */
  from: string;
}

type Handler = (event: ViewerEvent) => void;

class ViewerHub {
  /** How many views are mounted. */
  count = $state(0);
  /** Links views asked to open, oldest first; the first is the one being asked about. */
  links = $state<LinkRequest[]>([]);

  #frames = new Map<string, { handler: Handler; from: string }>();

  /** A mounted frame starts receiving its view's events; the returned function stops them. */
  attach(viewId: string, from: string, handler: Handler): () => void {
    this.#frames.set(viewId, { handler, from });
    this.count = this.#frames.size;
    return () => {
      if (this.#frames.get(viewId)?.handler !== handler) return;
      this.#frames.delete(viewId);
      this.count = this.#frames.size;
      // A closed view's questions are answered "no" (the backend would give up on them after a while anyway).
      for (const r of this.links.filter((l) => l.viewId === viewId)) void this.answerLink(r.requestId, false);
    };
  }

  dispatch(viewId: string, event: ViewerEvent): void {
    this.#frames.get(viewId)?.handler(event);
  }

  requestLink(viewId: string, requestId: string, url: string): void {
    const frame = this.#frames.get(viewId);
    if (!frame) {
      void api.viewerAnswerLink(requestId, false).catch(() => {});
      return;
    }
    this.links = [...this.links, { viewId, requestId, url, from: frame.from }];
  }

  async answerLink(requestId: string, open: boolean): Promise<void> {
    if (!this.links.some((l) => l.requestId === requestId)) return;
    this.links = this.links.filter((l) => l.requestId !== requestId);
    try {
      await api.viewerAnswerLink(requestId, open);
    } catch (e) {
      if (open) toasts.error("Couldn't open the link", e);
    }
  }
}

export const viewerHub = new ViewerHub();

/** What a view is told about the window now. */
export function viewerEnvironment(): ViewerEnvironment {
  return buildEnvironment(theme.resolved);
}
