/**
 * The Secrets screen's state: the secrets this home knows (ids, descriptions, whether set, who uses them — never a
 * value) and the local-server settings (the command allowlist). Shared with the server form's secret picker.
 */
import { api } from "./api";
import type { FieldProblem, LocalSettings, SecretView } from "./bindings";
import { latestOnly } from "./debounce";
import { toFailure, type ApiFailure } from "./errors";
import { deleteConsequence } from "./secrets";
import { confirmer, toasts } from "./ui.svelte";

export type SaveOutcome = { ok: true; secret: SecretView } | { ok: false; problems: FieldProblem[]; failure: ApiFailure | null };

export class SecretsModel {
  list = $state<SecretView[]>([]);
  loaded = $state(false);
  loading = $state(false);
  /** Why the list could not be read (`keychain_unavailable` when there is no system keychain). */
  failure = $state<ApiFailure | null>(null);
  settings = $state<LocalSettings | null>(null);
  settingsFailure = $state<ApiFailure | null>(null);
  savingCommands = $state(false);

  #ticket = latestOnly();

  async load(): Promise<void> {
    const ticket = this.#ticket.next();
    this.loading = true;
    try {
      const list = await api.secretList();
      if (!this.#ticket.isCurrent(ticket)) return;
      this.list = sortSecrets(list);
      this.failure = null;
      this.loaded = true;
    } catch (e) {
      if (this.#ticket.isCurrent(ticket)) this.failure = toFailure(e);
    } finally {
      if (this.#ticket.isCurrent(ticket)) this.loading = false;
    }
  }

  /** Loads once (the server form's picker); the Secrets screen reloads on every visit. */
  async ensureLoaded(): Promise<void> {
    if (!this.loaded && !this.loading) await this.load();
  }

  /** Stores a value in the keychain. Field problems come back for the form; other failures too, to show in place. */
  async save(input: { id: string; description: string | null; value: string }): Promise<SaveOutcome> {
    try {
      const secret = await api.secretSet({ id: input.id.trim(), description: input.description, value: input.value });
      this.#upsert(secret);
      return { ok: true, secret };
    } catch (e) {
      const f = toFailure(e);
      if (f.code === "invalid_input" && f.problems.length > 0) return { ok: false, problems: f.problems, failure: null };
      return { ok: false, problems: [], failure: f };
    }
  }

  async remove(secret: SecretView): Promise<boolean> {
    const ok = await confirmer.ask({
      title: `Delete the secret “${secret.id}”?`,
      message: deleteConsequence(secret),
      detail: "Its value is removed from the system keychain. This cannot be undone.",
      okLabel: "Delete secret",
      danger: true,
    });
    if (!ok) return false;
    try {
      await api.secretDelete(secret.id);
    } catch (e) {
      toasts.error(`Couldn't delete “${secret.id}”`, e);
      await this.load();
      return false;
    }
    this.list = this.list.filter((s) => s.id !== secret.id);
    toasts.success(`Deleted “${secret.id}”`, secret.used_by.length > 0 ? "Servers that use it will not start until it is set again." : "");
    return true;
  }

  /** Someone else changed secrets (an import, the server form): read them again when next needed. */
  invalidate(): void {
    this.loaded = false;
  }

  async loadSettings(): Promise<void> {
    try {
      this.settings = await api.localSettings();
      this.settingsFailure = null;
    } catch (e) {
      this.settingsFailure = toFailure(e);
    }
  }

  /** Replaces the extra allowed commands; the backend's problems come back by field (`extra_commands[i]`). */
  async setCommands(commands: string[]): Promise<FieldProblem[]> {
    this.savingCommands = true;
    try {
      this.settings = await api.localSettingsSetCommands(commands);
      return [];
    } catch (e) {
      const f = toFailure(e);
      if (f.code === "invalid_input" && f.problems.length > 0) return f.problems;
      toasts.error("Couldn't change the allowed commands", f);
      return [];
    } finally {
      this.savingCommands = false;
    }
  }

  #upsert(s: SecretView): void {
    const i = this.list.findIndex((x) => x.id === s.id);
    this.list = sortSecrets(i < 0 ? [...this.list, s] : this.list.map((x) => (x.id === s.id ? s : x)));
  }
}

export function sortSecrets(list: SecretView[]): SecretView[] {
  return [...list].sort((a, b) => a.id.localeCompare(b.id, undefined, { sensitivity: "base" }));
}

export const secrets = new SecretsModel();
