/**
 * OAuth clients asking for an agent (MCP authorization): the requests waiting for the person, answered one at a
 * time in the consent dialog. Approving makes the agent; the client's browser page, which only waits, then goes
 * back to the client with its code.
 */
import { agents } from "./agents.svelte";
import { api } from "./api";
import type { AgentView, ConsentRequest, NewAgent } from "./bindings";
import { toFailure, type ApiFailure } from "./errors";
import { toasts } from "./ui.svelte";

class Consents {
  queue = $state<ConsentRequest[]>([]);
  sending = $state(false);
  current = $derived(this.queue[0] ?? null);

  /** The requests that came before the window listened. */
  async load(): Promise<void> {
    try {
      for (const r of await api.quiet.agentConsentPending()) this.add(r);
    } catch {
      /* the events bring the next ones */
    }
  }

  add(request: ConsentRequest): void {
    if (this.queue.some((r) => r.id === request.id)) return;
    this.queue = [...this.queue, request];
  }

  /** Answered (here or elsewhere), or it expired. */
  close(id: string): void {
    this.queue = this.queue.filter((r) => r.id !== id);
  }

  /** Approves with `agent`; a problem with its fields comes back for the dialog. */
  async approve(agent: NewAgent): Promise<{ ok: true; made: AgentView | null } | { ok: false; failure: ApiFailure }> {
    const req = this.current;
    if (!req || this.sending) return { ok: true, made: null };
    this.sending = true;
    try {
      const made = await api.agentConsentAnswer(req.id, { approve: true, agent });
      this.close(req.id);
      toasts.success(`“${agent.name}” can connect`, `${req.client_name} goes on in its browser window.`);
      void agents.load();
      return { ok: true, made };
    } catch (e) {
      return { ok: false, failure: toFailure(e) };
    } finally {
      this.sending = false;
    }
  }

  async refuse(): Promise<void> {
    const req = this.current;
    if (!req || this.sending) return;
    this.sending = true;
    try {
      await api.agentConsentAnswer(req.id, { approve: false, agent: { name: "", workspaces: [], scopes: [], servers: [] } });
    } catch (e) {
      toasts.error(`Couldn't answer ${req.client_name}`, e);
    } finally {
      this.close(req.id);
      this.sending = false;
    }
  }
}

export const consents = new Consents();
