/** The audit log screen's state: filters, pages ("load more"), and live refresh when calls are recorded. */
import { api } from "./api";
import type { AuditEntry } from "./bindings";
import { emptyAuditFilter, mergeNewer, toAuditFilter, type AuditFilterForm } from "./audit";
import { debounce, latestOnly } from "./debounce";
import { toasts } from "./ui.svelte";

export const AUDIT_PAGE = 50;

class AuditLog {
  entries = $state<AuditEntry[]>([]);
  filter = $state<AuditFilterForm>(emptyAuditFilter());
  workspaceId = $state<string | null>(null);
  loading = $state(false);
  loadingMore = $state(false);
  /** Whether the last page was full, so older rows may exist. */
  hasMore = $state(false);
  loaded = $state(false);
  expandedId = $state<string | null>(null);
  /** Whether the screen is showing (events only refresh a visible log). */
  active = false;

  #ticket = latestOnly();
  #live = debounce(() => void this.#refreshNewest(), 300);

  async reload(workspaceId: string | null = this.workspaceId): Promise<void> {
    const ticket = this.#ticket.next();
    this.workspaceId = workspaceId;
    this.loading = true;
    try {
      const rows = await api.auditList(toAuditFilter(this.filter, workspaceId, AUDIT_PAGE));
      if (!this.#ticket.isCurrent(ticket)) return;
      this.entries = rows;
      this.hasMore = rows.length === AUDIT_PAGE;
      this.loaded = true;
    } catch (e) {
      if (this.#ticket.isCurrent(ticket)) toasts.error("Couldn't load the audit log", e);
    } finally {
      if (this.#ticket.isCurrent(ticket)) this.loading = false;
    }
  }

  async loadMore(): Promise<void> {
    const last = this.entries[this.entries.length - 1];
    if (!last || this.loadingMore) return;
    const ticket = this.#ticket.next();
    this.loadingMore = true;
    try {
      const rows = await api.auditList(toAuditFilter(this.filter, this.workspaceId, AUDIT_PAGE, last.id));
      if (!this.#ticket.isCurrent(ticket)) return;
      const known = new Set(this.entries.map((e) => e.id));
      this.entries = [...this.entries, ...rows.filter((r) => !known.has(r.id))];
      this.hasMore = rows.length === AUDIT_PAGE;
    } catch (e) {
      if (this.#ticket.isCurrent(ticket)) toasts.error("Couldn't load older calls", e);
    } finally {
      this.loadingMore = false;
    }
  }

  toggle(id: string): void {
    this.expandedId = this.expandedId === id ? null : id;
  }

  onRecorded(): void {
    if (this.active && this.loaded) this.#live.schedule();
  }

  async #refreshNewest(): Promise<void> {
    const ticket = this.#ticket.next();
    try {
      const rows = await api.auditList(toAuditFilter(this.filter, this.workspaceId, AUDIT_PAGE));
      if (!this.#ticket.isCurrent(ticket)) return;
      const merged = mergeNewer(rows, this.entries);
      this.entries = merged.entries;
      if (merged.replaced) this.hasMore = rows.length === AUDIT_PAGE;
    } catch {
      /* the next event or a manual refresh tries again */
    }
  }
}

export const auditLog = new AuditLog();
