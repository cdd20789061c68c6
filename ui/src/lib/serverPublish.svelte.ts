/**
 * Publishing a local server to the platform for the relay (its registration gets `mcp_server.kind = "relay"`), and
 * stopping. A refusal is kept by server, to show in its page (with a way to the Platform screen when the workspace
 * must go to the platform first).
 */
import { api } from "./api";
import type { ServerView } from "./bindings";
import { toFailure, type ApiFailure } from "./errors";
import { servers } from "./servers.svelte";
import { toasts } from "./ui.svelte";

export class ServerPublishModel {
  busy = $state<Record<string, boolean>>({});
  /** What the backend said after a publish or unpublish, until the server is read again. */
  #said = $state<Record<string, boolean>>({});
  problems = $state<Record<string, ApiFailure>>({});

  readonly #refetch: (id: string) => Promise<boolean>;

  constructor(refetch: (id: string) => Promise<boolean>) {
    this.#refetch = refetch;
  }

  isPublished(server: Pick<ServerView, "id" | "published">): boolean {
    return this.#said[server.id] ?? server.published;
  }

  async set(server: Pick<ServerView, "id" | "title">, publish: boolean): Promise<boolean> {
    const id = server.id;
    if (this.busy[id]) return false;
    this.busy = { ...this.busy, [id]: true };
    this.dismiss(id);
    try {
      const view = publish ? await api.serverPublish(id) : await api.serverUnpublish(id);
      this.#said = { ...this.#said, [id]: view.published };
      toasts.success(
        publish ? `Published “${server.title}”` : `Stopped publishing “${server.title}”`,
        publish ? "The platform can use it through the relay while Atrium runs." : "The platform can no longer reach it through the relay.",
      );
      if (await this.#refetch(id)) {
        const { [id]: _said, ...rest } = this.#said;
        this.#said = rest;
      }
      return true;
    } catch (e) {
      this.problems = { ...this.problems, [id]: toFailure(e) };
      return false;
    } finally {
      const { [id]: _busy, ...rest } = this.busy;
      this.busy = rest;
    }
  }

  dismiss(id: string): void {
    if (!(id in this.problems)) return;
    const { [id]: _p, ...rest } = this.problems;
    this.problems = rest;
  }
}

export const serverPublish = new ServerPublishModel((id) => servers.refetch(id));
