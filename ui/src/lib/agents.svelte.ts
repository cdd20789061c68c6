/**
 * The Agents screen's state: the agents (never a token, except the one just made or rotated, held here until the
 * person dismisses it), the gateway the app serves them (where it listens, or why it does not), the agent whose
 * page is open with its recent calls.
 */
import { api } from "./api";
import type { AgentServerAccess, AgentToken, AgentView, AuditEntry, GatewayStatus, NewAgent } from "./bindings";
import { latestOnly } from "./debounce";
import { toFailure, type ApiFailure } from "./errors";
import { confirmer, toasts } from "./ui.svelte";

/** How many of an agent's calls its page shows. */
export const RECENT_CALLS = 20;

export class AgentsModel {
  list = $state<AgentView[]>([]);
  loaded = $state(false);
  loading = $state(false);
  failure = $state<ApiFailure | null>(null);
  gateway = $state<GatewayStatus | null>(null);
  /** The token just made or rotated: shown once, gone when dismissed. */
  fresh = $state<AgentToken | null>(null);
  /** The agent whose page is open. */
  openId = $state<string | null>(null);
  openServers = $state<AgentServerAccess[]>([]);
  openCalls = $state<AuditEntry[]>([]);
  openLoading = $state(false);

  #ticket = latestOnly();
  #openTicket = latestOnly();

  get open(): AgentView | null {
    return this.list.find((a) => a.id === this.openId) ?? null;
  }

  async load(): Promise<void> {
    const ticket = this.#ticket.next();
    this.loading = true;
    try {
      const [list, gateway] = await Promise.all([api.agentList(), api.quiet.gatewayStatus().catch(() => null)]);
      if (!this.#ticket.isCurrent(ticket)) return;
      this.list = list;
      this.gateway = gateway;
      this.failure = null;
      this.loaded = true;
      if (this.openId && !list.some((a) => a.id === this.openId)) this.openId = null;
    } catch (e) {
      if (this.#ticket.isCurrent(ticket)) this.failure = toFailure(e);
    } finally {
      if (this.#ticket.isCurrent(ticket)) this.loading = false;
    }
  }

  /** The gateway's status again (it starts after the first screen, so it may have changed since the load). */
  async refreshGateway(): Promise<void> {
    try {
      this.gateway = await api.quiet.gatewayStatus();
    } catch {
      /* the next load tries again */
    }
  }

  /** Moves the gateway to `port`; the status says whether it listens there. */
  async setPort(port: number): Promise<GatewayStatus | null> {
    try {
      this.gateway = await api.gatewaySetPort(port);
      return this.gateway;
    } catch (e) {
      toasts.error("Couldn't change the gateway's port", e);
      return null;
    }
  }

  /** Makes an agent; its token is then in `fresh`. Field problems come back for the form. */
  async create(input: NewAgent): Promise<{ ok: true } | { ok: false; failure: ApiFailure }> {
    try {
      const made = await api.agentCreate(input);
      this.fresh = made;
      await this.load();
      this.openId = made.id;
      void this.loadOpen();
      return { ok: true };
    } catch (e) {
      return { ok: false, failure: toFailure(e) };
    }
  }

  async rotate(agent: AgentView): Promise<void> {
    if (agent.oauth) return this.signOut(agent);
    const ok = await confirmer.ask({
      title: `Give “${agent.name}” a new token?`,
      message: "Its current token stops working at once: the app or script using it must be given the new one.",
      okLabel: "Rotate token",
      danger: true,
    });
    if (!ok) return;
    try {
      this.fresh = await api.agentRotate(agent.id);
      await this.load();
    } catch (e) {
      toasts.error(`Couldn't rotate “${agent.name}”'s token`, e);
    }
  }

  /** An OAuth agent's tokens all stop working (rotation): its app must ask again, and the person approve again. */
  async signOut(agent: AgentView): Promise<void> {
    const ok = await confirmer.ask({
      title: `Sign “${agent.name}” out?`,
      message: `Its OAuth tokens stop working at once: ${agent.oauth?.client_name ?? "the app"} must ask again, and you approve it again.`,
      okLabel: "Sign out",
      danger: true,
    });
    if (!ok) return;
    try {
      await api.agentRotate(agent.id);
      toasts.success(`Signed “${agent.name}” out`);
      await this.load();
    } catch (e) {
      toasts.error(`Couldn't sign “${agent.name}” out`, e);
    }
  }

  async remove(agent: AgentView): Promise<boolean> {
    const ok = await confirmer.ask({
      title: `Remove the agent “${agent.name}”?`,
      message: "Its token stops working at once; the calls it made stay in the audit log under its name.",
      detail: "This cannot be undone.",
      okLabel: "Remove agent",
      danger: true,
    });
    if (!ok) return false;
    try {
      await api.agentRemove(agent.id);
    } catch (e) {
      toasts.error(`Couldn't remove “${agent.name}”`, e);
      await this.load();
      return false;
    }
    if (this.fresh?.id === agent.id) this.fresh = null;
    if (this.openId === agent.id) this.openId = null;
    this.list = this.list.filter((a) => a.id !== agent.id);
    toasts.success(`Removed “${agent.name}”`);
    return true;
  }

  dismissToken(): void {
    this.fresh = null;
  }

  /** Opens an agent's page: its servers (with their slugs) and its recent calls. */
  async show(id: string | null): Promise<void> {
    this.openId = id;
    await this.loadOpen();
  }

  async loadOpen(): Promise<void> {
    const id = this.openId;
    const ticket = this.#openTicket.next();
    if (!id) return;
    this.openLoading = true;
    try {
      const [servers, calls] = await Promise.all([
        api.quiet.agentServerSet(id),
        api.quiet.auditList({ agent_id: id, limit: RECENT_CALLS }),
      ]);
      if (!this.#openTicket.isCurrent(ticket)) return;
      this.openServers = servers;
      this.openCalls = calls;
    } catch (e) {
      if (this.#openTicket.isCurrent(ticket)) toasts.error("Couldn't load the agent's calls", e);
    } finally {
      if (this.#openTicket.isCurrent(ticket)) this.openLoading = false;
    }
  }
}

export const agents = new AgentsModel();
