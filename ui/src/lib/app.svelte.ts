/**
 * Application state and the actions that change it. Components read from `app` and call its
 * methods; every backend call goes through api.ts.
 */
import { api } from "./api";
import type {
  ApiError,
  AppInfo,
  Artifact,
  ArtifactDraft,
  ContentTypeInfo,
  FieldProblem,
  Revision,
  RevisionSummary,
  Workspace,
} from "./bindings";
import { ArtifactPages } from "./artifactPages.svelte";
import { ArtifactReviews } from "./reviews.svelte";
import { DEFAULT_CONTENT_TYPE, normalizeMime, resolveBadge, type Badge } from "./contentTypes";
import { debounce, latestOnly } from "./debounce";
import { draftKey, drafts } from "./drafts";
import { toFailure } from "./errors";
import { plural } from "./format";
import {
  buildNewArtifact,
  buildPatch,
  changedFields,
  emptyForm,
  formFromArtifact,
  isNewFormDirty,
  type ArtifactForm,
} from "./patch";
import { isSortKey, type SortKey } from "./sort";
import { readPref, writePref } from "./storage";
import { confirmer, toasts } from "./ui.svelte";

const WORKSPACE_KEY = "atrium.workspace";
const SORT_KEY = "atrium.sort";

/**
 * The screens of a workspace: its artifacts, its MCP servers, the audit log of tool calls, the secrets and
 * local-server settings (shared by all workspaces, reached from the same place), its Authorizers (OAuth apps
 * servers sign in through), the Agience platform (account, sync, relay; shared too, and reachable without a
 * workspace: a platform workspace can be brought here), and the agents that reach Atrium through its gateway
 * (shared, reachable without a workspace).
 */
export type View = "artifacts" | "servers" | "audit" | "secrets" | "authorizers" | "platform" | "agents";
export const VIEWS: { value: View; label: string; icon: string; combo: string }[] = [
  { value: "artifacts", label: "Artifacts", icon: "file", combo: "mod+1" },
  { value: "servers", label: "Servers", icon: "server", combo: "mod+2" },
  { value: "audit", label: "Audit log", icon: "list", combo: "mod+3" },
  { value: "secrets", label: "Secrets", icon: "key", combo: "mod+4" },
  { value: "authorizers", label: "Authorizers", icon: "shield", combo: "mod+5" },
  { value: "platform", label: "Platform", icon: "cloud", combo: "mod+6" },
  { value: "agents", label: "Agents", icon: "plug", combo: "mod+7" },
];

/** Screens that make sense without a workspace. */
export const GLOBAL_VIEWS: readonly View[] = ["platform", "agents"];

export type Startup =
  | { kind: "loading" }
  | { kind: "ready"; info: AppInfo }
  | { kind: "failed"; error: ApiError; dataDir: string };

type FormField = "title" | "content_type" | "content";
const FORM_FIELDS: FormField[] = ["title", "content_type", "content"];

export class EditorModel {
  mode = $state<"none" | "new" | "edit">("none");
  /** Workspace a new artifact will be created in. */
  workspaceId = $state<string | null>(null);
  loaded = $state<Artifact | null>(null);
  form = $state<ArtifactForm>(emptyForm(DEFAULT_CONTENT_TYPE));
  loading = $state(false);
  saving = $state(false);
  problems = $state<FieldProblem[]>([]);
  validating = $state(false);
  touched = $state<Record<string, boolean>>({});
  conflict = $state<{ expected: number; actual: number } | null>(null);
  tab = $state<"edit" | "history">("edit");
  history = $state<RevisionSummary[]>([]);
  historyLoading = $state(false);
  revision = $state<Revision | null>(null);
  revisionLoading = $state(false);
  /** What agents said of the open artifact. */
  readonly reviews = new ArtifactReviews();
  savedAt = $state<number | null>(null);
  /** Bumped to ask the editor view to focus a field. */
  focusRequest = $state<{ field: string; n: number }>({ field: "", n: 0 });

  dirty = $derived.by(() => {
    if (this.mode === "edit" && this.loaded) return changedFields(formFromArtifact(this.loaded), this.form).length > 0;
    if (this.mode === "new") return isNewFormDirty(this.form, DEFAULT_CONTENT_TYPE);
    return false;
  });
  invalid = $derived(this.problems.length > 0);
  canSave = $derived(
    this.mode !== "none" &&
      !this.saving &&
      !this.loading &&
      !this.invalid &&
      this.conflict === null &&
      (this.mode === "new" || this.dirty),
  );

  #app: AppState;
  #loadTicket = latestOnly();
  #validateTicket = latestOnly();
  #historyTicket = latestOnly();
  #validator = debounce((draft: ArtifactDraft, ticket: number) => void this.#runValidate(draft, ticket), 150);

  constructor(app: AppState) {
    this.#app = app;
  }

  get artifactId(): string | null {
    return this.mode === "edit" ? (this.loaded?.id ?? null) : null;
  }

  focus(field: string): void {
    this.focusRequest = { field, n: this.focusRequest.n + 1 };
  }

  problemsFor(field: string): string[] {
    return this.problems.filter((p) => p.field === field).map((p) => p.message);
  }

  /** Problems about things that are not form fields (workspace_id, id, context...). */
  get otherProblems(): FieldProblem[] {
    return this.problems.filter((p) => !(FORM_FIELDS as string[]).includes(p.field) && p.field !== "state");
  }

  touch(field: string): void {
    if (!this.touched[field]) this.touched = { ...this.touched, [field]: true };
  }

  #touchAll(): void {
    this.touched = { title: true, content_type: true, content: true, state: true };
  }

  #draft(): ArtifactDraft {
    return { title: this.form.title, content_type: this.form.content_type, content: this.form.content };
  }

  scheduleValidate(draft: ArtifactDraft): void {
    if (this.mode === "none") return;
    this.validating = true;
    this.#validator.schedule(draft, this.#validateTicket.next());
  }

  async #runValidate(draft: ArtifactDraft, ticket: number): Promise<void> {
    try {
      const problems = await api.artifactValidate(draft);
      if (this.#validateTicket.isCurrent(ticket)) this.problems = problems;
    } catch {
      // Validation is advisory; the save itself is validated again by the backend.
      if (this.#validateTicket.isCurrent(ticket)) this.problems = [];
    } finally {
      if (this.#validateTicket.isCurrent(ticket)) this.validating = false;
    }
  }

  async validateNow(): Promise<void> {
    this.#validator.cancel();
    this.validating = true;
    await this.#runValidate(this.#draft(), this.#validateTicket.next());
  }

  #reset(): void {
    this.#validator.cancel();
    this.#validateTicket.invalidate();
    this.#historyTicket.invalidate();
    this.problems = [];
    this.validating = false;
    this.conflict = null;
    this.revision = null;
    this.history = [];
    this.savedAt = null;
  }

  #setLoaded(a: Artifact, keepForm = false): void {
    this.loaded = a;
    this.reviews.show(a.id);
    if (!keepForm) this.form = formFromArtifact(a);
    this.#touchAll();
    this.conflict = null;
  }

  close(): void {
    this.#loadTicket.invalidate();
    this.#reset();
    this.mode = "none";
    this.loaded = null;
    this.reviews.show(null);
    this.loading = false;
    this.workspaceId = null;
    this.form = emptyForm(DEFAULT_CONTENT_TYPE);
  }

  openNew(workspaceId: string): void {
    this.#loadTicket.invalidate();
    this.#reset();
    this.mode = "new";
    this.workspaceId = workspaceId;
    this.loaded = null;
    this.reviews.show(null);
    this.loading = false;
    this.tab = "edit";
    this.form = emptyForm(this.#app.defaultContentType);
    this.touched = {};
    this.focus("title");
    void this.validateNow();
  }

  async open(id: string): Promise<void> {
    const ticket = this.#loadTicket.next();
    this.#reset();
    this.mode = "edit";
    this.loading = true;
    try {
      const a = await api.artifactGet(id);
      if (!this.#loadTicket.isCurrent(ticket)) return;
      this.#setLoaded(a);
      if (this.tab === "history") void this.loadHistory();
    } catch (e) {
      if (!this.#loadTicket.isCurrent(ticket)) return;
      this.close();
      await this.#app.reportArtifactError("Couldn't open the artifact", e);
    } finally {
      if (this.#loadTicket.isCurrent(ticket)) this.loading = false;
    }
  }

  /** Where this artifact's unsaved draft is kept (see drafts.ts); null with nothing open. */
  get draftKey(): string | null {
    return draftKey(this.mode, this.loaded?.id ?? null, this.workspaceId);
  }

  /** Throws away edits: back to the loaded version (or an empty new form). */
  discard(): void {
    const key = this.draftKey;
    if (key) drafts.remove(key);
    if (this.mode === "edit" && this.loaded) this.form = formFromArtifact(this.loaded);
    else if (this.mode === "new") this.form = emptyForm(this.#app.defaultContentType);
  }

  async save(): Promise<void> {
    if (this.mode === "none" || this.saving || this.loading) return;
    if (this.mode === "edit" && !this.dirty) return;
    if (this.conflict) return;
    this.saving = true;
    try {
      await this.validateNow();
      if (this.problems.length > 0) {
        this.#touchAll();
        const first = this.problems.find((p) => (FORM_FIELDS as string[]).includes(p.field));
        if (first) this.focus(first.field);
        return;
      }
      const snapshot = { ...this.form };
      if (this.mode === "new") {
        const workspaceId = this.workspaceId;
        if (!workspaceId) return;
        const a = await api.artifactCreate(buildNewArtifact(workspaceId, snapshot));
        const typedSince = changedFields(snapshot, this.form).length > 0;
        drafts.remove(draftKey("new", null, workspaceId) ?? "");
        this.#loadTicket.invalidate();
        this.mode = "edit";
        this.#setLoaded(a, typedSince);
        this.savedAt = Date.now();
        await this.#app.afterArtifactChanged(a, true);
      } else if (this.loaded) {
        const loaded = this.loaded;
        const a = await api.artifactUpdate(loaded.id, buildPatch(loaded, snapshot));
        if (this.loaded?.id !== loaded.id) return; // navigated away meanwhile
        const typedSince = changedFields(snapshot, this.form).length > 0;
        // What was typed after the save started is kept again by the editor's draft keeper.
        drafts.remove(loaded.id);
        this.#setLoaded(a, typedSince);
        this.savedAt = Date.now();
        if (this.tab === "history") void this.loadHistory();
        await this.#app.afterArtifactChanged(a, false);
      }
    } catch (e) {
      this.#handleSaveError(e);
    } finally {
      this.saving = false;
    }
  }

  #handleSaveError(e: unknown): void {
    const f = toFailure(e);
    const what = this.mode === "new" ? "Couldn't create the artifact" : `Couldn't save “${this.loaded?.title ?? "artifact"}”`;
    if (f.code === "version_conflict") {
      const d = f.error.details;
      this.conflict =
        d?.kind === "version_conflict"
          ? { expected: d.expected, actual: d.actual }
          : { expected: this.loaded?.version ?? 0, actual: 0 };
      return;
    }
    if (f.code === "invalid_input" && f.problems.length > 0) {
      this.problems = f.problems;
      this.#touchAll();
      const first = f.problems.find((p) => (FORM_FIELDS as string[]).includes(p.field));
      if (first) this.focus(first.field);
      else toasts.error(what, f);
      return;
    }
    if (f.code === "not_found") {
      void this.#app.reportArtifactError(what, f);
      return;
    }
    toasts.error(what, f);
  }

  /** After a conflict: fetch the latest version, dropping local edits. */
  async reloadStored(): Promise<void> {
    const id = this.loaded?.id;
    if (!id) return;
    await this.open(id);
    if (this.loaded) toasts.info(`Reloaded “${this.loaded.title}”`, `You are now editing version ${this.loaded.version}.`);
  }

  dismissConflict(): void {
    this.conflict = null;
  }

  /**
   * Someone else wrote the open artifact (its view saved it, say): show their version at once, unless there are
   * unsaved edits here — then the conflict bar says so, as a refused save would.
   */
  async changedElsewhere(id: string, version: number): Promise<void> {
    const loaded = this.loaded;
    if (this.mode !== "edit" || loaded?.id !== id || version <= loaded.version || this.saving) return;
    if (this.dirty) {
      this.conflict ??= { expected: loaded.version, actual: version };
      return;
    }
    const ticket = this.#loadTicket.next();
    try {
      const a = await api.quiet.artifactGet(id);
      if (!this.#loadTicket.isCurrent(ticket) || this.dirty || this.loaded?.id !== id) return;
      this.#setLoaded(a);
      if (this.tab === "history") void this.loadHistory();
    } catch {
      /* gone meanwhile: the list's refresh shows it */
    }
  }

  async showTab(tab: "edit" | "history"): Promise<void> {
    this.tab = tab;
    if (tab === "history") await this.loadHistory();
  }

  async loadHistory(): Promise<void> {
    const id = this.artifactId;
    if (!id) return;
    const ticket = this.#historyTicket.next();
    this.historyLoading = true;
    try {
      const list = await api.artifactHistory(id);
      if (!this.#historyTicket.isCurrent(ticket)) return;
      this.history = [...list].sort((a, b) => b.version - a.version);
      if (this.revision && !this.history.some((r) => r.version === this.revision?.version)) this.revision = null;
    } catch (e) {
      if (this.#historyTicket.isCurrent(ticket)) toasts.error("Couldn't load the history", e);
    } finally {
      if (this.#historyTicket.isCurrent(ticket)) this.historyLoading = false;
    }
  }

  async viewRevision(version: number): Promise<void> {
    const id = this.artifactId;
    if (!id) return;
    this.revisionLoading = true;
    try {
      const r = await api.artifactRevision(id, version);
      if (this.artifactId === id) this.revision = r;
    } catch (e) {
      toasts.error(`Couldn't open version ${version}`, e);
    } finally {
      this.revisionLoading = false;
    }
  }

  async restore(version: number): Promise<void> {
    const loaded = this.loaded;
    if (!loaded) return;
    const ok = await confirmer.ask({
      title: `Restore version ${version}?`,
      message: `“${loaded.title}” will get the title, type, state and content of version ${version}, saved as a new version ${loaded.version + 1}. Nothing is lost: the current version stays in the history.`,
      detail: this.dirty ? "Your unsaved changes in the editor will be discarded." : "",
      okLabel: "Restore version",
    });
    if (!ok) return;
    try {
      const a = await api.artifactRestore(loaded.id, version);
      this.#setLoaded(a);
      this.problems = [];
      await Promise.all([this.loadHistory(), this.#app.afterArtifactChanged(a, false)]);
      await this.viewRevision(a.version);
      toasts.success(`Restored version ${version}`, `Saved as version ${a.version}.`);
    } catch (e) {
      await this.#app.reportArtifactError(`Couldn't restore version ${version}`, e);
    }
  }
}

export class AppState {
  startup = $state<Startup>({ kind: "loading" });
  contentTypes = $state<ContentTypeInfo[]>([]);
  workspaces = $state<Workspace[]>([]);
  workspacesLoaded = $state(false);
  selectedWorkspaceId = $state<string | null>(null);
  /** The selected workspace's artifacts, a page at a time, sorted and filtered by the store over all of them. */
  list = new ArtifactPages();
  /** Which workspace `list` shows (null until loaded). */
  artifactsWorkspaceId = $state<string | null>(null);
  /** Bumped to make the list scroll to a row: the index it should show. */
  reveal = $state<{ index: number; n: number } | null>(null);
  /** The highlighted row of the artifact list (keyboard selection). */
  cursorId = $state<string | null>(null);
  sortKey = $state<SortKey>("modified");
  filterText = $state("");
  typeFilter = $state("");
  /** Ticks so relative times stay fresh. */
  now = $state(Date.now());
  /** Inline create/rename in the sidebar; at most one at a time. */
  workspaceEdit = $state<{ mode: "create" } | { mode: "rename"; id: string } | null>(null);
  /** Which screen of the selected workspace is shown. */
  view = $state<View>("artifacts");
  /** Other screens' "discard unsaved changes?" questions (the server form registers one). */
  #leaveGuards: (() => Promise<boolean>)[] = [];

  editor: EditorModel;

  selectedWorkspace = $derived(this.workspaces.find((w) => w.id === this.selectedWorkspaceId) ?? null);
  defaultContentType = $derived(
    this.contentTypes.some((c) => c.mime === DEFAULT_CONTENT_TYPE) || this.contentTypes.length === 0
      ? DEFAULT_CONTENT_TYPE
      : this.contentTypes[0].mime,
  );

  #artifactsTicket = latestOnly();
  /** Typing in the filter reads the list again once the typing pauses. */
  #filterReload = debounce(() => void this.#reloadList(), 120);

  constructor() {
    this.editor = new EditorModel(this);
    const sort = readPref(SORT_KEY);
    if (isSortKey(sort)) this.sortKey = sort;
  }

  get info(): AppInfo | null {
    return this.startup.kind === "ready" ? this.startup.info : null;
  }

  badge(mime: string): Badge {
    return resolveBadge(mime, this.contentTypes);
  }

  setSort(key: SortKey): void {
    this.sortKey = key;
    writePref(SORT_KEY, key);
    void this.#reloadList();
  }

  /** The title filter, applied by the store over the whole workspace. */
  setFilter(text: string): void {
    this.filterText = text;
    this.#filterReload.schedule();
  }

  /** The type filter ("" for every type). */
  setTypeFilter(type: string): void {
    this.typeFilter = type;
    void this.#reloadList();
  }

  clearFilters(): void {
    this.filterText = "";
    this.typeFilter = "";
    void this.#reloadList();
  }

  async #reloadList(): Promise<void> {
    const ws = this.selectedWorkspaceId;
    if (ws) await this.loadArtifacts(ws);
  }

  /** The type filter's content type as the store spells it (the filter holds it normalized). */
  #contentType(): string {
    if (!this.typeFilter) return "";
    return this.list.types.find((t) => normalizeMime(t.content_type) === this.typeFilter)?.content_type ?? this.typeFilter;
  }

  /** Scrolls the list to an artifact (reading its page), clearing the filters when they hide it. */
  async revealArtifact(id: string): Promise<void> {
    let index = await this.list.locate(id);
    if (index < 0 && (this.filterText.trim() !== "" || this.typeFilter !== "")) {
      this.filterText = "";
      this.typeFilter = "";
      await this.#reloadList();
      index = await this.list.locate(id);
    }
    if (index >= 0) this.reveal = { index, n: (this.reveal?.n ?? 0) + 1 };
  }

  async start(): Promise<void> {
    const status = await api.startupStatus();
    if (status.kind === "failed") {
      this.startup = { kind: "failed", error: status.error, dataDir: status.data_dir };
      return;
    }
    this.startup = { kind: "ready", info: status.info };
    toasts.logDir = status.info.log_dir;
    await Promise.all([this.loadContentTypes(), this.loadWorkspaces(readPref(WORKSPACE_KEY))]);
  }

  /** `quiet`: a refresh in the background (a server connected, its catalog changed): no busy bar, no error toast. */
  async loadContentTypes(opts: { quiet?: boolean } = {}): Promise<void> {
    try {
      this.contentTypes = await (opts.quiet ? api.quiet : api).contentTypes();
    } catch (e) {
      if (!opts.quiet) toasts.error("Couldn't load the list of content types", e);
    }
  }

  /** Reloads the sidebar; keeps the selection if it still exists, else `prefer`, else the first. */
  async loadWorkspaces(prefer: string | null = null): Promise<void> {
    let list: Workspace[];
    try {
      list = await api.workspaceList();
    } catch (e) {
      toasts.error("Couldn't load workspaces", e);
      return;
    } finally {
      this.workspacesLoaded = true;
    }
    this.workspaces = list;
    const ids = new Set(list.map((w) => w.id));
    const current = this.selectedWorkspaceId;
    const next =
      (prefer && ids.has(prefer) ? prefer : null) ?? (current && ids.has(current) ? current : null) ?? list[0]?.id ?? null;
    if (next !== current) {
      if (current && !ids.has(current)) this.editor.close();
      this.#setWorkspace(next);
      if (next) await this.loadArtifacts(next);
      else this.list.clear();
    }
  }

  #setWorkspace(id: string | null): void {
    this.selectedWorkspaceId = id;
    this.artifactsWorkspaceId = null;
    this.list.clear();
    this.reveal = null;
    this.cursorId = null;
    this.filterText = "";
    this.typeFilter = "";
    writePref(WORKSPACE_KEY, id);
  }

  /** Reads the selected workspace's list again (a fresh listing: what changed since is in it). */
  async loadArtifacts(workspaceId: string): Promise<void> {
    const ticket = this.#artifactsTicket.next();
    const query = () => ({ workspaceId, sort: this.sortKey, filter: this.filterText, contentType: this.#contentType() });
    try {
      await this.list.open(query());
      if (!this.#artifactsTicket.isCurrent(ticket) || this.selectedWorkspaceId !== workspaceId) return;
      // A type filter whose last artifact went: every type again.
      if (this.typeFilter && !this.list.types.some((t) => normalizeMime(t.content_type) === this.typeFilter)) {
        this.typeFilter = "";
        await this.list.open(query());
      }
      if (this.#artifactsTicket.isCurrent(ticket)) this.artifactsWorkspaceId = workspaceId;
    } catch (e) {
      if (!this.#artifactsTicket.isCurrent(ticket)) return;
      const f = toFailure(e);
      if (f.code === "not_found") {
        toasts.error("That workspace no longer exists", f);
        await this.loadWorkspaces();
      } else {
        toasts.error("Couldn't load the artifacts", f);
      }
    }
  }

  setView(view: View): void {
    this.view = view;
  }

  /** Registers a question to ask before the workspace changes (returns true when it is fine to move on). */
  addLeaveGuard(guard: () => Promise<boolean>): () => void {
    this.#leaveGuards.push(guard);
    return () => void (this.#leaveGuards = this.#leaveGuards.filter((g) => g !== guard));
  }

  /** Asks before throwing away unsaved edits anywhere (the editor, other screens' guards). */
  async confirmLeaveAll(): Promise<boolean> {
    for (const guard of this.#leaveGuards) if (!(await guard())) return false;
    return this.confirmLeave();
  }

  /**
   * Before leaving unsaved edits: save them, discard them, or stay. True when it is fine to move on. Save is
   * offered only when the edits can be saved (no problems, no version conflict); a save that fails stays.
   */
  async confirmLeave(): Promise<boolean> {
    const ed = this.editor;
    if (!ed.dirty) return true;
    const name = ed.mode === "new" ? "the new artifact" : `“${ed.loaded?.title ?? "this artifact"}”`;
    const canSave = !ed.invalid && ed.conflict === null && !ed.saving;
    const choice = await confirmer.choose(
      {
        title: canSave ? "Save your changes?" : "Discard unsaved changes?",
        message: canSave
          ? `You have unsaved changes to ${name}.`
          : `You have unsaved changes to ${name}, and they cannot be saved as they are. If you continue, they will be lost.`,
        okLabel: "Discard changes",
        cancelLabel: "Keep editing",
        danger: true,
      },
      canSave ? "Save" : "",
    );
    if (choice === "extra") {
      await ed.save();
      return !ed.dirty;
    }
    if (choice === "ok") ed.discard();
    return choice === "ok";
  }

  async selectWorkspace(id: string): Promise<void> {
    if (id === this.selectedWorkspaceId) return;
    if (!(await this.confirmLeaveAll())) return;
    this.editor.close();
    this.#setWorkspace(id);
    await this.loadArtifacts(id);
  }

  async createWorkspace(title: string): Promise<Workspace> {
    const w = await api.workspaceCreate({ title, description: null });
    this.workspaceEdit = null;
    await this.loadWorkspaces();
    if (await this.confirmLeaveAll()) {
      this.editor.close();
      this.#setWorkspace(w.id);
      await this.loadArtifacts(w.id);
    }
    toasts.success(`Created workspace “${w.title}”`);
    return w;
  }

  async renameWorkspace(id: string, title: string): Promise<Workspace> {
    const w = await api.workspaceRename(id, title);
    this.workspaces = this.workspaces.map((x) => (x.id === id ? w : x));
    this.workspaceEdit = null;
    return w;
  }

  /** Sets a workspace's description (empty clears it); the store's problems come back as an ApiFailure. */
  async describeWorkspace(id: string, description: string): Promise<Workspace> {
    const w = await api.workspaceDescribe(id, description);
    this.workspaces = this.workspaces.map((x) => (x.id === id ? w : x));
    return w;
  }

  async deleteWorkspace(id: string): Promise<void> {
    const w = this.workspaces.find((x) => x.id === id);
    if (!w) return;
    const editingHere = this.editor.dirty && (this.editor.loaded?.workspace_id === id || this.editor.workspaceId === id);
    const ok = await confirmer.ask({
      title: `Delete workspace “${w.title}”?`,
      message:
        w.artifact_count > 0
          ? `${plural(w.artifact_count, "artifact")} and all of ${w.artifact_count === 1 ? "its" : "their"} history will be permanently deleted.`
          : "The workspace is empty; no artifacts will be lost.",
      detail: `This cannot be undone.${editingHere ? " Your unsaved changes in the editor will be lost too." : ""}`,
      okLabel: "Delete workspace",
      danger: true,
    });
    if (!ok) return;
    const index = this.workspaces.findIndex((x) => x.id === id);
    try {
      await api.workspaceDelete(id);
    } catch (e) {
      toasts.error(`Couldn't delete workspace “${w.title}”`, e);
      await this.loadWorkspaces();
      return;
    }
    if (this.selectedWorkspaceId === id) {
      this.editor.close();
      const rest = this.workspaces.filter((x) => x.id !== id);
      const next = rest[Math.min(index, rest.length - 1)]?.id ?? null;
      this.#setWorkspace(next);
      await this.loadWorkspaces(next);
      if (next) await this.loadArtifacts(next);
    } else {
      await this.loadWorkspaces();
    }
    toasts.success(`Deleted workspace “${w.title}”`);
  }

  async openArtifact(id: string): Promise<void> {
    this.cursorId = id;
    const ed = this.editor;
    if (ed.mode === "edit" && ed.loaded?.id === id) return;
    if (!(await this.confirmLeave())) return;
    await ed.open(id);
  }

  async newArtifact(): Promise<void> {
    const ws = this.selectedWorkspace;
    if (!ws) {
      toasts.info("Create a workspace first", "Artifacts live in workspaces. Use “New workspace” in the sidebar.");
      return;
    }
    if (this.editor.mode === "new" && this.editor.workspaceId === ws.id && !this.editor.dirty) {
      this.editor.focus("title");
      return;
    }
    if (!(await this.confirmLeave())) return;
    this.editor.openNew(ws.id);
  }

  async cancelNew(): Promise<void> {
    if (!(await this.confirmLeave())) return;
    this.editor.close();
  }

  async deleteArtifact(id: string): Promise<void> {
    const summary = this.list.find(id);
    const ed = this.editor;
    const title = summary?.title ?? (ed.loaded?.id === id ? ed.loaded.title : "this artifact");
    const versions = summary?.version ?? ed.loaded?.version ?? 1;
    const editingIt = ed.loaded?.id === id && ed.dirty;
    const ok = await confirmer.ask({
      title: `Delete “${title}”?`,
      message:
        versions > 1
          ? `The artifact and all ${versions} versions of its history will be permanently deleted.`
          : "The artifact will be permanently deleted.",
      detail: `This cannot be undone.${editingIt ? " Your unsaved changes will be lost too." : ""}`,
      okLabel: "Delete artifact",
      danger: true,
    });
    if (!ok) return;
    const index = this.list.indexOf(id);
    try {
      await api.artifactDelete(id);
    } catch (e) {
      await this.reportArtifactError(`Couldn't delete “${title}”`, e);
      return;
    }
    if (ed.loaded?.id === id) ed.close();
    await this.#refreshAfterArtifactChange();
    // The row that took its place (or the new last one).
    this.cursorId = (await this.list.load(Math.min(Math.max(index, 0), this.list.total - 1)))?.id ?? null;
    toasts.success(`Deleted “${title}”`);
  }

  async duplicateArtifact(id: string): Promise<void> {
    if (!(await this.confirmLeave())) return;
    try {
      const copy = await api.artifactDuplicate(id);
      await this.#refreshAfterArtifactChange();
      this.cursorId = copy.id;
      await this.editor.open(copy.id);
      toasts.success(`Duplicated as “${copy.title}”`);
    } catch (e) {
      await this.reportArtifactError("Couldn't duplicate the artifact", e);
    }
  }

  /** From search: go to the workspace and open the artifact there. */
  async navigateTo(workspaceId: string, artifactId: string): Promise<void> {
    const ed = this.editor;
    if (!(ed.mode === "edit" && ed.loaded?.id === artifactId) && !(await this.confirmLeave())) return;
    this.view = "artifacts";
    if (workspaceId !== this.selectedWorkspaceId) {
      for (const guard of this.#leaveGuards) if (!(await guard())) return;
      ed.close();
      this.#setWorkspace(workspaceId);
      await this.loadArtifacts(workspaceId);
    }
    this.cursorId = artifactId;
    await this.revealArtifact(artifactId);
    if (!(ed.mode === "edit" && ed.loaded?.id === artifactId)) await ed.open(artifactId);
  }

  async #refreshAfterArtifactChange(): Promise<void> {
    const ws = this.selectedWorkspaceId;
    await Promise.all([ws ? this.loadArtifacts(ws) : Promise.resolve(), this.loadWorkspaces()]);
  }

  /**
   * Sync changed a workspace's artifacts (a pull, a settled conflict): its list and count are read again when it is
   * the open one (a burst of changes is read once), the sidebar's counts otherwise. The editor keeps what it holds:
   * a save over a changed artifact meets the usual version conflict.
   */
  /** One artifact was written: the editor follows a change made elsewhere; lists refresh for writes not made here. */
  onArtifactChanged(e: { workspace_id: string; artifact_id: string; version: number; by: string }): void {
    void this.editor.changedElsewhere(e.artifact_id, e.version);
    if (e.by !== "person") this.onArtifactsChanged(e.workspace_id);
  }

  onArtifactsChanged(workspaceId: string): void {
    this.#changedWorkspaces.add(workspaceId);
    this.#artifactsRefresh.schedule();
  }

  #changedWorkspaces = new Set<string>();
  #artifactsRefresh = debounce(() => {
    const changed = this.#changedWorkspaces;
    this.#changedWorkspaces = new Set();
    const ws = this.selectedWorkspaceId;
    if (ws && changed.has(ws)) void this.loadArtifacts(ws);
    void this.loadWorkspaces();
  }, 300);

  async afterArtifactChanged(a: Artifact, created: boolean): Promise<void> {
    if (created) this.cursorId = a.id;
    if (a.workspace_id === this.selectedWorkspaceId) {
      if (created) await this.#refreshAfterArtifactChange();
      else await this.loadArtifacts(a.workspace_id);
    }
    if (created && a.workspace_id === this.selectedWorkspaceId) await this.revealArtifact(a.id);
  }

  /** Error from an artifact action; a vanished artifact also refreshes the list. */
  async reportArtifactError(what: string, e: unknown): Promise<void> {
    const f = toFailure(e);
    toasts.error(what, f);
    if (f.code === "not_found") {
      if (this.editor.loaded && !this.editor.dirty) this.editor.close();
      await this.#refreshAfterArtifactChange();
    }
  }
}

export const app = new AppState();
