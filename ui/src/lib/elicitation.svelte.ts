/** Servers' requests for input (elicitations), answered one at a time in a modal. */
import { api } from "./api";
import type { ElicitationAction, ElicitationRequest, JsonValue } from "./bindings";
import { toasts } from "./ui.svelte";

class Elicitations {
  queue = $state<ElicitationRequest[]>([]);
  sending = $state(false);
  current = $derived(this.queue[0] ?? null);

  add(request: ElicitationRequest): void {
    if (this.queue.some((r) => r.id === request.id)) return;
    this.queue = [...this.queue, request];
  }

  /** The server withdrew it, or it was answered (here or elsewhere). */
  close(id: string): void {
    this.queue = this.queue.filter((r) => r.id !== id);
  }

  async answer(action: ElicitationAction, content: { [key: string]: JsonValue } | null = null): Promise<void> {
    const req = this.current;
    if (!req || this.sending) return;
    this.sending = true;
    try {
      const answer = { action, content: action === "accept" && content ? ($state.snapshot(content as unknown) as { [key: string]: JsonValue }) : null };
      const waiting = await api.elicitationAnswer(req.id, answer);
      if (!waiting) toasts.info(`${req.server_title} stopped waiting`, "The request was withdrawn or timed out before your answer arrived.");
      this.close(req.id);
    } catch (e) {
      toasts.error(`Couldn't answer ${req.server_title}`, e);
    } finally {
      this.sending = false;
    }
  }
}

export const elicitations = new Elicitations();
