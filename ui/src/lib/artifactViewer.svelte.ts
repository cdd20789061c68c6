/**
 * The artifact shown in its server's view (MCP Apps), beside the editor. Opening asks the backend which viewer the
 * artifact's type uses: a server's view (mounted by ViewerPanel), the built-in editor, or a view that cannot be
 * shown now. One artifact view at a time; it closes when the editor moves to another artifact.
 */
import { tick } from "svelte";
import { api } from "./api";
import { app } from "./app.svelte";
import type { OpenedView, ViewerChoice, ViewerChoices } from "./bindings";
import { latestOnly } from "./debounce";
import { readPref, writePref } from "./storage";
import { toasts } from "./ui.svelte";
import { effectiveChoice, parsePanelWidth } from "./viewerRelay";
import { viewerEnvironment } from "./viewers.svelte";

const WIDTH_KEY = "atrium.viewerWidth";

interface Target {
  artifactId: string;
  contentType: string;
}

export type ArtifactView =
  | { kind: "none" }
  | ({ kind: "opening" } & Target)
  | ({ kind: "opened"; view: OpenedView } & Target)
  | ({ kind: "built_in" } & Target)
  | ({ kind: "unavailable"; serverId: string; serverTitle: string; message: string } & Target);

export class ArtifactViewer {
  shown = $state<ArtifactView>({ kind: "none" });
  /** The viewers of the shown artifact's type (for the choice select), once known. */
  choices = $state<ViewerChoices | null>(null);
  /** The panel fills the window (the person's toggle, or the view asked for it). */
  fullscreen = $state(false);
  /** The open view finished its handshake. */
  ready = $state(false);
  /** The panel's width, remembered between sessions. */
  width = $state(parsePanelWidth(readPref(WIDTH_KEY)));

  /** Whether the panel is up: a view opening, open, or one that cannot be shown. */
  panel = $derived(this.shown.kind === "opening" || this.shown.kind === "opened" || this.shown.kind === "unavailable");

  #ticket = latestOnly();
  /** The ticket of the opening in flight (0: none). */
  #pending = 0;

  get artifactId(): string | null {
    return this.shown.kind === "none" ? null : this.shown.artifactId;
  }

  /** Opens an artifact: the editor as always, and its server's view when its type has one. */
  async open(id: string): Promise<void> {
    await app.openArtifact(id);
    const loaded = app.editor.mode === "edit" ? app.editor.loaded : null;
    if (loaded?.id !== id) return; // the person kept their unsaved edits, or it could not be opened
    await this.#start({ artifactId: id, contentType: loaded.content_type });
  }

  /** Opens the shown artifact again (Retry, Reload, after a change of viewer). */
  async reopen(): Promise<void> {
    const s = this.shown;
    if (s.kind !== "none") await this.#start({ artifactId: s.artifactId, contentType: s.contentType });
  }

  async #start(target: Target): Promise<void> {
    const ticket = this.#ticket.next();
    this.#pending = ticket;
    const before = this.shown;
    this.ready = false;
    // A panel that is up stays up (no jump) while the view is fetched; unmounting its frame closes the old view.
    if (this.panel) this.shown = { kind: "opening", ...target };
    else if (!(before.kind === "built_in" && before.artifactId === target.artifactId)) this.shown = { kind: "none" };
    void this.#loadChoices(target, ticket);
    try {
      const r = await api.viewerOpenArtifact(target.artifactId, viewerEnvironment());
      if (!this.#ticket.isCurrent(ticket)) {
        if (r.kind === "opened") void api.viewerClose(r.view.view_id).catch(() => {});
        return;
      }
      this.fullscreen = false;
      if (r.kind === "opened") this.shown = { kind: "opened", view: r.view, ...target };
      else if (r.kind === "unavailable")
        this.shown = { kind: "unavailable", serverId: r.server_id, serverTitle: r.server_title, message: r.message, ...target };
      else this.shown = { kind: "built_in", ...target };
    } catch (e) {
      if (!this.#ticket.isCurrent(ticket)) return;
      this.shown = { kind: "none" };
      toasts.error("Couldn't open the artifact's view", e);
    } finally {
      if (this.#pending === ticket) this.#pending = 0;
    }
  }

  async #loadChoices(target: Target, ticket: number): Promise<void> {
    try {
      const choices = await api.viewerChoices(target.contentType);
      if (!this.#ticket.isCurrent(ticket)) return;
      this.choices = choices;
      // A server's view is on its way: show the panel's loading state rather than nothing.
      if (this.#pending === ticket && this.shown.kind === "none" && effectiveChoice(choices)?.kind === "server") {
        this.shown = { kind: "opening", ...target };
      }
    } catch {
      /* the choice is a convenience: without it there is simply nothing to pick */
    }
  }

  /** The person picked another viewer for the type: remember it, and show the artifact with it. */
  async choose(choice: ViewerChoice): Promise<void> {
    const s = this.shown;
    if (s.kind === "none") return;
    try {
      this.choices = await api.viewerChoose(s.contentType, choice);
    } catch (e) {
      toasts.error("Couldn't change the viewer", e);
      return;
    }
    if (this.shown.kind !== "none" && this.shown.artifactId === s.artifactId) await this.reopen();
  }

  close(): void {
    this.#ticket.invalidate();
    this.#pending = 0;
    this.shown = { kind: "none" };
    this.choices = null;
    this.fullscreen = false;
    this.ready = false;
  }

  /** Closed by the person (or at the view's request): focus goes back to the artifact's row. */
  async dismiss(): Promise<void> {
    const id = this.artifactId;
    // The frame outlives the panel, hidden, until the view has answered `ui/resource-teardown` (ViewerFrame).
    this.close();
    await tick();
    const list = document.querySelector<HTMLElement>('[data-testid="artifact-list"]');
    const row = id ? list?.querySelector<HTMLElement>(`[data-artifact-id="${CSS.escape(id)}"]`) : null;
    (row ?? list)?.focus();
  }

  /** The editor, for the shown artifact, with the cursor in its content. */
  async edit(): Promise<void> {
    const id = this.artifactId;
    if (!id) return;
    this.fullscreen = false;
    await app.openArtifact(id);
    const ed = app.editor;
    if (ed.mode !== "edit" || ed.loaded?.id !== id) return;
    if (ed.tab !== "edit") await ed.showTab("edit");
    ed.focus("content");
  }

  setWidth(width: number, persist: boolean): void {
    this.width = width;
    if (persist) writePref(WIDTH_KEY, String(Math.round(width)));
  }
}

export const artifactViewer = new ArtifactViewer();
