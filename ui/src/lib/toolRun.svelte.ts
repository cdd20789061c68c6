/**
 * One tool runner's calls: a plain run (its result listed), a run shown in the tool's view, and a preview — the
 * view opened before the run, given the arguments as they are written (`tool-input-partial`) until Run sends the
 * final ones. Cancelling, closing the view and the progress of the call in flight live here too.
 */
import { api } from "./api";
import type { CallOutcome, JsonValue, OpenedView } from "./bindings";
import { toFailure, type ApiFailure } from "./errors";
import { newCallId } from "./ids";
import { servers } from "./servers.svelte";
import { viewerEnvironment } from "./viewers.svelte";

type Args = { [k: string]: JsonValue };

export class ToolRun {
  running = $state(false);
  cancelling = $state(false);
  callId = $state<string | null>(null);
  outcome = $state<CallOutcome | null>(null);
  failure = $state<ApiFailure | null>(null);
  /** The tool's view, while it is open. */
  view = $state<OpenedView | null>(null);
  /** Why the view could not be shown (the tool was not run). */
  viewIssue = $state<string | null>(null);
  /** The view is open before the run: the arguments reach it as they are written. */
  previewing = $state(false);

  #serverId: string;
  #tool: string;
  /** Bumped whenever what is opening is no longer wanted (another run, a close, the runner gone). */
  #viewRun = 0;

  constructor(serverId: string, tool: string) {
    this.#serverId = serverId;
    this.#tool = tool;
  }

  get progress() {
    return this.callId ? (servers.progress[this.callId] ?? null) : null;
  }

  /** Runs the tool: in the previewing view, in its view, or plainly. */
  async run(args: Args, inView: boolean): Promise<void> {
    this.viewIssue = null;
    if (this.previewing && this.view) return this.#runPreviewed(this.view, args);
    this.closeView();
    if (inView) await this.#runInView(args);
    else await this.#runPlain(args);
  }

  async #runPlain(args: Args) {
    const id = newCallId();
    this.callId = id;
    this.running = true;
    this.cancelling = false;
    this.outcome = null;
    this.failure = null;
    try {
      const o = await api.toolCall({ server_id: this.#serverId, tool: this.#tool, arguments: args, call_id: id });
      if (this.callId === id) this.outcome = o;
    } catch (e) {
      if (this.callId === id) this.failure = toFailure(e);
    } finally {
      if (this.callId === id) {
        this.running = false;
        this.cancelling = false;
      }
      servers.clearProgress(id);
    }
  }

  /** Runs the tool in its view: the backend opens the view, then makes the call and hands the view its result. */
  async #runInView(args: Args) {
    const run = ++this.#viewRun;
    this.callId = null;
    this.running = true;
    this.cancelling = false;
    this.outcome = null;
    this.failure = null;
    try {
      const o = await api.viewerOpenTool(this.#serverId, this.#tool, args, viewerEnvironment());
      if (run !== this.#viewRun) {
        if (o.kind === "opened") void api.viewerClose(o.view.view_id).catch(() => {});
        return;
      }
      if (o.kind === "opened") {
        this.view = o.view;
        this.callId = o.view.call_id;
        if (!this.callId) this.running = false;
        return;
      }
      this.running = false;
      // Unavailable: the call was not made. (Built-in never comes for a tool; if it did, the list shows the result.)
      if (o.kind === "unavailable") this.viewIssue = o.message;
      else await this.#runPlain(args);
    } catch (e) {
      if (run !== this.#viewRun) return;
      this.running = false;
      this.failure = toFailure(e);
    }
  }

  /** Opens the tool's view before running it. */
  async preview(): Promise<boolean> {
    if (this.running || this.view) return false;
    const run = ++this.#viewRun;
    this.viewIssue = null;
    this.outcome = null;
    this.failure = null;
    try {
      const o = await api.viewerPreviewTool(this.#serverId, this.#tool, viewerEnvironment());
      if (run !== this.#viewRun) {
        if (o.kind === "opened") void api.viewerClose(o.view.view_id).catch(() => {});
        return false;
      }
      if (o.kind === "opened") {
        this.view = o.view;
        this.previewing = true;
        return true;
      }
      if (o.kind === "unavailable") this.viewIssue = o.message;
    } catch (e) {
      if (run === this.#viewRun) this.failure = toFailure(e);
    }
    return false;
  }

  /** The arguments so far, to the previewing view (best effort). */
  sendPartial(args: Args): void {
    if (!this.previewing || !this.view || this.running) return;
    void api.viewerToolInputPartial(this.view.view_id, args).catch(() => {});
  }

  async #runPreviewed(view: OpenedView, args: Args) {
    this.previewing = false;
    this.running = true;
    this.cancelling = false;
    try {
      this.callId = await api.viewerRunTool(view.view_id, args);
    } catch (e) {
      this.running = false;
      this.failure = toFailure(e);
    }
  }

  /** The call of the view's run has ended (its result, or its cancellation, went to the view). */
  settle(): void {
    if (this.callId) servers.clearProgress(this.callId);
    this.running = false;
    this.cancelling = false;
  }

  /** Closes the view; a call still running for it is cancelled (its result would have nowhere to go). */
  closeView(): void {
    if (!this.view) return;
    this.#viewRun++;
    this.previewing = false;
    if (this.running && this.callId) void api.toolCancel(this.callId).catch(() => {});
    this.view = null;
    this.settle();
  }

  async cancel(): Promise<void> {
    if (!this.callId || !this.running) return;
    this.cancelling = true;
    try {
      await api.toolCancel(this.callId);
      // A view's call ends in the view; the runner only needs to stop waiting.
      if (this.view) this.settle();
    } catch (e) {
      this.cancelling = false;
      this.failure = toFailure(e);
    }
  }

  /** The runner is gone: a view still opening is closed when it arrives. */
  dispose(): void {
    this.#viewRun++;
  }
}
