/** Pure helpers for the audit log view: filters as the backend wants them, and merging a fresh first page. */
import type { AuditEntry, AuditFilter, AuditOrigin, AuditStatus } from "./bindings";

export const AUDIT_ORIGINS: readonly AuditOrigin[] = ["ui", "cli", "viewer", "relay", "gateway", "lifecycle"];

export const ORIGIN_LABELS: Record<AuditOrigin, string> = {
  ui: "App",
  cli: "CLI",
  viewer: "App view",
  relay: "Platform relay",
  gateway: "Gateway",
  lifecycle: "Lifecycle hook",
};

export interface AuditFilterForm {
  scope: "workspace" | "all";
  serverId: string;
  status: AuditStatus | "";
  origin: AuditOrigin | "";
  tool: string;
  /** Only this agent's calls (through the gateway). */
  agentId: string;
}

export function emptyAuditFilter(): AuditFilterForm {
  return { scope: "workspace", serverId: "", status: "", origin: "", tool: "", agentId: "" };
}

/** The backend filter for the form: empty choices are left out. */
export function toAuditFilter(f: AuditFilterForm, workspaceId: string | null, limit: number, before: string | null = null): AuditFilter {
  const out: AuditFilter = { limit };
  if (f.scope === "workspace" && workspaceId) out.workspace_id = workspaceId;
  if (f.serverId) out.server_id = f.serverId;
  if (f.status) out.status = f.status;
  if (f.origin) out.origin = f.origin;
  if (f.tool.trim()) out.tool = f.tool.trim();
  if (f.agentId) out.agent_id = f.agentId;
  if (before) out.before = before;
  return out;
}

export function isFiltered(f: AuditFilterForm): boolean {
  return f.serverId !== "" || f.status !== "" || f.origin !== "" || f.tool.trim() !== "" || f.agentId !== "";
}

/**
 * A fresh first page merged into what is shown: rows newer than the newest shown one go on top, the loaded pages
 * stay. When the fresh page does not reach the shown rows (many new calls), it replaces them.
 */
export function mergeNewer(fresh: AuditEntry[], current: AuditEntry[]): { entries: AuditEntry[]; replaced: boolean } {
  if (current.length === 0) return { entries: fresh, replaced: true };
  const known = new Set(current.map((e) => e.id));
  const i = fresh.findIndex((e) => known.has(e.id));
  if (i < 0) return { entries: fresh, replaced: true };
  return { entries: [...fresh.slice(0, i), ...current], replaced: false };
}

/** Servers to filter by: those registered, plus any only seen in the log (removed since), by title. */
export function serverOptions(
  registered: { id: string; title: string }[],
  entries: AuditEntry[],
): { id: string; title: string }[] {
  const out = new Map<string, string>();
  for (const s of registered) out.set(s.id, s.title);
  for (const e of entries) if (!out.has(e.server_id)) out.set(e.server_id, `${e.server_title} (removed)`);
  return [...out].map(([id, title]) => ({ id, title })).sort((a, b) => a.title.localeCompare(b.title));
}

/** Agents to filter by: those that exist, plus any only seen in the log (removed since), by name. */
export function agentOptions(agents: { id: string; name: string }[], entries: AuditEntry[]): { id: string; name: string }[] {
  const out = new Map<string, string>();
  for (const a of agents) out.set(a.id, a.name);
  for (const e of entries) if (e.agent_id && !out.has(e.agent_id)) out.set(e.agent_id, `${e.agent_name ?? "an agent"} (removed)`);
  return [...out].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
}
