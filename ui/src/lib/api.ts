/**
 * The one door to the backend. Wraps the generated `commands` (bindings.ts, never edited by hand)
 * so that every call either returns its data or throws an ApiFailure carrying the ApiError,
 * and so that in-flight calls drive the busy indicator.
 */
import { listen } from "@tauri-apps/api/event";
import { commands } from "./bindings";
import type {
  AccountInfo,
  ApiError,
  AppEvent,
  Artifact,
  ArtifactDraft,
  ArtifactPatch,
  ArtifactSummary,
  AuditEntry,
  AuditFilter,
  AuthorizerConfig,
  AuthorizerView,
  CallOutcome,
  CatalogTool,
  ConnectionTest,
  ContentTypeInfo,
  ElicitationAnswer,
  FieldProblem,
  ImportPreview,
  ImportReport,
  ImportRequest,
  ImportSource,
  JsonValue,
  LocalSettings,
  LogLine,
  NewArtifact,
  NewAuthorizer,
  NewServer,
  NewWorkspace,
  PlatformView,
  PromptInfo,
  PromptResult,
  RelayStatus,
  RemoteWorkspaceView,
  Resolution,
  ResourceCatalog,
  ResourceContent,
  Result,
  Revision,
  RevisionSummary,
  SearchHit,
  SearchQuery,
  SecretInput,
  SecretView,
  ServerAuth,
  ServerExport,
  ServerPatch,
  ServerState,
  ServerView,
  SignInRequest,
  StartupStatus,
  SyncConflict,
  SyncLink,
  ToolCall,
  ToolInfo,
  ViewerChoice,
  ViewerChoices,
  ViewerEnvironment,
  ViewerOpening,
  ViewNotes,
  Workspace,
  WorkspaceSync,
} from "./bindings";
import { busy } from "./busy.svelte";
import { ApiFailure, normalizeApiError, toFailure } from "./errors";

export { ApiFailure } from "./errors";

export type Commands = typeof commands;

let backend: Commands = commands;
let source: "tauri" | "fake" = "tauri";

/** The window event the desktop shell emits every AppEvent as. */
export const EVENT_NAME = "atrium://event";

type EventHandler = (event: AppEvent) => void;
const handlers = new Set<EventHandler>();
let listening: Promise<unknown> | null = null;

function dispatch(event: AppEvent): void {
  for (const h of [...handlers]) {
    try {
      h(event);
    } catch (e) {
      console.error("atrium event handler failed", e);
    }
  }
}

/**
 * Live events (server status, logs, progress, elicitations, audit). In Tauri they arrive as the `atrium://event`
 * window event; with the fake backend, the fake emits them. Returns the unsubscribe function.
 */
export function onEvent(handler: EventHandler): () => void {
  handlers.add(handler);
  if (source === "tauri" && !listening && typeof window !== "undefined" && "__TAURI_INTERNALS__" in window) {
    listening = listen<AppEvent>(EVENT_NAME, (e) => dispatch(e.payload)).catch((e: unknown) => {
      console.error("cannot listen to Atrium's events", e);
      listening = null;
    });
  }
  return () => void handlers.delete(handler);
}

/**
 * In a plain browser during development (`npm run dev` without Tauri) there is no backend, so an
 * in-memory fake stands in. `import.meta.env.DEV` is the constant `false` in production builds,
 * which removes this branch and the fake's module from the bundle entirely.
 */
export async function initBackend(): Promise<"tauri" | "fake"> {
  if (import.meta.env.DEV && !("__TAURI_INTERNALS__" in window)) {
    const { createFakeBackend } = await import("./dev/fakeBackend");
    backend = createFakeBackend(new URLSearchParams(window.location.search), dispatch);
    source = "fake";
    return "fake";
  }
  return "tauri";
}

interface CallOptions {
  /** Don't drive the global busy indicator (validation while typing, search). */
  quiet?: boolean;
}

async function call<T>(run: (b: Commands) => Promise<Result<T, ApiError>>, opts: CallOptions = {}): Promise<T> {
  if (!opts.quiet) busy.start();
  try {
    const r = await run(backend);
    if (r.status === "ok") return r.data;
    throw new ApiFailure(normalizeApiError(r.error));
  } catch (e) {
    throw toFailure(e);
  } finally {
    if (!opts.quiet) busy.end();
  }
}

export const api = {
  /** Never throws: a broken bridge is reported as a failed startup. */
  async startupStatus(): Promise<StartupStatus> {
    try {
      return await backend.startupStatus();
    } catch (e) {
      return { kind: "failed", error: normalizeApiError(e), data_dir: "" };
    }
  },
  /** Tells the backend the first screen is up and interactive. Best effort: never throws. */
  async uiReady(): Promise<void> {
    try {
      await backend.uiReady();
    } catch {
      /* an older backend without the command; nothing depends on the answer */
    }
  },
  workspaceList: (): Promise<Workspace[]> => call((b) => b.workspaceList()),
  workspaceCreate: (input: NewWorkspace): Promise<Workspace> => call((b) => b.workspaceCreate(input)),
  workspaceRename: (id: string, title: string): Promise<Workspace> => call((b) => b.workspaceRename(id, title)),
  workspaceDelete: (id: string): Promise<null> => call((b) => b.workspaceDelete(id)),
  artifactList: (workspaceId: string): Promise<ArtifactSummary[]> => call((b) => b.artifactList(workspaceId)),
  artifactGet: (id: string): Promise<Artifact> => call((b) => b.artifactGet(id)),
  artifactCreate: (input: NewArtifact): Promise<Artifact> => call((b) => b.artifactCreate(input)),
  artifactUpdate: (id: string, patch: ArtifactPatch): Promise<Artifact> => call((b) => b.artifactUpdate(id, patch)),
  artifactDuplicate: (id: string): Promise<Artifact> => call((b) => b.artifactDuplicate(id)),
  artifactDelete: (id: string): Promise<null> => call((b) => b.artifactDelete(id)),
  artifactHistory: (id: string): Promise<RevisionSummary[]> => call((b) => b.artifactHistory(id)),
  artifactRevision: (id: string, version: number): Promise<Revision> => call((b) => b.artifactRevision(id, version)),
  artifactRestore: (id: string, version: number): Promise<Artifact> => call((b) => b.artifactRestore(id, version)),
  artifactValidate: (draft: ArtifactDraft): Promise<FieldProblem[]> => call((b) => b.artifactValidate(draft), { quiet: true }),
  search: (query: SearchQuery): Promise<SearchHit[]> => call((b) => b.search(query), { quiet: true }),
  /** `quiet` for background refreshes (a server connected): no busy bar. */
  contentTypes: (opts: CallOptions = {}): Promise<ContentTypeInfo[]> => call((b) => b.contentTypes(), opts),

  serverList: (workspaceId: string | null): Promise<ServerView[]> => call((b) => b.serverList(workspaceId)),
  serverGet: (id: string): Promise<ServerView> => call((b) => b.serverGet(id)),
  serverValidate: (registration: JsonValue): Promise<FieldProblem[]> => call((b) => b.serverValidate(registration), { quiet: true }),
  serverCreate: (input: NewServer): Promise<ServerView> => call((b) => b.serverCreate(input)),
  serverUpdate: (id: string, patch: ServerPatch): Promise<ServerView> => call((b) => b.serverUpdate(id, patch)),
  serverSetEnabled: (id: string, enabled: boolean): Promise<ServerView> => call((b) => b.serverSetEnabled(id, enabled)),
  serverApprove: (id: string, fingerprint: string): Promise<ServerView> => call((b) => b.serverApprove(id, fingerprint)),
  serverRemove: (id: string): Promise<null> => call((b) => b.serverRemove(id)),
  /** Quiet: the form shows its own "Testing…" state (a test can take the whole connect timeout). */
  serverTest: (registration: JsonValue): Promise<ConnectionTest> => call((b) => b.serverTest(registration), { quiet: true }),
  serverRefresh: (id: string): Promise<ServerState> => call((b) => b.serverRefresh(id), { quiet: true }),
  serverState: (id: string): Promise<ServerState> => call((b) => b.serverState(id), { quiet: true }),
  serverTools: (id: string): Promise<ToolInfo[]> => call((b) => b.serverTools(id)),
  serverResources: (id: string): Promise<ResourceCatalog> => call((b) => b.serverResources(id)),
  resourceRead: (id: string, uri: string): Promise<ResourceContent[]> => call((b) => b.resourceRead(id, uri)),
  serverPrompts: (id: string): Promise<PromptInfo[]> => call((b) => b.serverPrompts(id)),
  promptGet: (id: string, name: string, args: { [key: string]: JsonValue }): Promise<PromptResult> =>
    call((b) => b.promptGet(id, name, args)),
  serverLog: (id: string): Promise<LogLine[]> => call((b) => b.serverLog(id), { quiet: true }),
  /** Quiet: the detail shows its own "Starting…" (a start waits until ready or failed, an install can take minutes). */
  serverStart: (id: string): Promise<ServerState> => call((b) => b.serverStart(id), { quiet: true }),
  /** Quiet: "Stopping…" is shown on the button (a stop can take a few seconds: stdin, SIGTERM, then SIGKILL). */
  serverStop: (id: string): Promise<ServerState> => call((b) => b.serverStop(id), { quiet: true }),
  serverRestart: (id: string): Promise<ServerState> => call((b) => b.serverRestart(id), { quiet: true }),
  serverExport: (id: string): Promise<ServerExport> => call((b) => b.serverExport(id)),
  /** Quiet: opens the browser and waits for the person (minutes, or until cancelled); the page shows its own waiting state. */
  serverSignIn: (id: string): Promise<ServerAuth> => call((b) => b.serverSignIn(id), { quiet: true }),
  serverSignInCancel: (id: string): Promise<boolean> => call((b) => b.serverSignInCancel(id), { quiet: true }),
  /** True when the tokens were revoked at the provider (not only forgotten). */
  serverSignOut: (id: string): Promise<boolean> => call((b) => b.serverSignOut(id)),
  authorizerList: (workspaceId: string | null): Promise<AuthorizerView[]> => call((b) => b.authorizerList(workspaceId)),
  authorizerCreate: (input: NewAuthorizer): Promise<AuthorizerView> => call((b) => b.authorizerCreate(input)),
  authorizerUpdate: (id: string, expectedVersion: number, title: string | null, config: AuthorizerConfig | null): Promise<AuthorizerView> =>
    call((b) => b.authorizerUpdate(id, expectedVersion, title, config)),
  authorizerDelete: (id: string): Promise<null> => call((b) => b.authorizerDelete(id)),
  /** Quiet, like a server's sign-in: it waits for the person in the browser. */
  authorizerConnect: (id: string): Promise<AuthorizerView> => call((b) => b.authorizerConnect(id), { quiet: true }),
  authorizerConnectCancel: (id: string): Promise<boolean> => call((b) => b.authorizerConnectCancel(id), { quiet: true }),
  /** True when the tokens were revoked at the provider. */
  authorizerDisconnect: (id: string): Promise<boolean> => call((b) => b.authorizerDisconnect(id)),
  /** `quiet` for the background read at startup (the workspace header's conflict badge). */
  platformStatus: (opts: CallOptions = {}): Promise<PlatformView> => call((b) => b.platformStatus(), opts),
  /** Quiet: a browser sign-in waits for the person (minutes, or until cancelled); the card shows its own state. */
  platformSignIn: (url: string, request: SignInRequest): Promise<AccountInfo> => call((b) => b.platformSignIn(url, request), { quiet: true }),
  platformSignInCancel: (): Promise<boolean> => call((b) => b.platformSignInCancel(), { quiet: true }),
  platformSignOut: (): Promise<null> => call((b) => b.platformSignOut()),
  platformWorkspaces: (): Promise<RemoteWorkspaceView[]> => call((b) => b.platformWorkspaces()),
  workspacePublish: (workspaceId: string): Promise<SyncLink> => call((b) => b.workspacePublish(workspaceId)),
  workspaceLinkRemote: (remoteId: string): Promise<Workspace> => call((b) => b.workspaceLinkRemote(remoteId)),
  workspaceUnlink: (workspaceId: string): Promise<null> => call((b) => b.workspaceUnlink(workspaceId)),
  /** Quiet: the workspace's row shows the sync's own progress bar. */
  syncNow: (workspaceId: string | null): Promise<WorkspaceSync[]> => call((b) => b.syncNow(workspaceId), { quiet: true }),
  syncConflicts: (workspaceId: string | null): Promise<SyncConflict[]> => call((b) => b.syncConflicts(workspaceId)),
  syncResolve: (artifactId: string, resolution: Resolution): Promise<null> => call((b) => b.syncResolve(artifactId, resolution)),
  relayPause: (): Promise<RelayStatus> => call((b) => b.relayPause()),
  relayResume: (): Promise<RelayStatus> => call((b) => b.relayResume()),
  /** The folders as stored (each checked to exist, made absolute). */
  relaySetRoots: (roots: string[]): Promise<string[]> => call((b) => b.relaySetRoots(roots)),
  serverPublish: (serverId: string): Promise<Artifact> => call((b) => b.serverPublish(serverId)),
  serverUnpublish: (serverId: string): Promise<Artifact> => call((b) => b.serverUnpublish(serverId)),
  secretList: (): Promise<SecretView[]> => call((b) => b.secretList()),
  /** The value goes to the keychain and never comes back. */
  secretSet: (input: SecretInput): Promise<SecretView> => call((b) => b.secretSet(input)),
  secretDelete: (id: string): Promise<null> => call((b) => b.secretDelete(id)),
  localSettings: (): Promise<LocalSettings> => call((b) => b.localSettings()),
  localSettingsSetCommands: (commands: string[]): Promise<LocalSettings> => call((b) => b.localSettingsSetCommands(commands)),
  importPreview: (source: ImportSource): Promise<ImportPreview> => call((b) => b.importPreview(source)),
  importApply: (request: ImportRequest): Promise<ImportReport> => call((b) => b.importApply(request)),
  toolCatalog: (): Promise<CatalogTool[]> => call((b) => b.toolCatalog()),
  /** Quiet: the tool runner shows its own progress, and a call may wait minutes (elicitation). */
  toolCall: (input: ToolCall): Promise<CallOutcome> => call((b) => b.toolCall(input), { quiet: true }),
  toolCancel: (callId: string): Promise<boolean> => call((b) => b.toolCancel(callId), { quiet: true }),
  elicitationAnswer: (id: string, answer: ElicitationAnswer): Promise<boolean> => call((b) => b.elicitationAnswer(id, answer)),
  auditList: (filter: AuditFilter): Promise<AuditEntry[]> => call((b) => b.auditList(filter)),

  /** Opens an artifact in its server's view, or says to use the built-in editor (may run the type's `on_open`). */
  viewerOpenArtifact: (artifactId: string, env: ViewerEnvironment): Promise<ViewerOpening> =>
    call((b) => b.viewerOpenArtifact(artifactId, env)),
  /** Quiet: the tool runner shows its own progress. The call runs on after this answers (see `call_id`). */
  viewerOpenTool: (serverId: string, tool: string, args: { [key: string]: JsonValue }, env: ViewerEnvironment): Promise<ViewerOpening> =>
    call((b) => b.viewerOpenTool(serverId, tool, args, env), { quiet: true }),
  /** A message from a view's frame, as JSON text; the backend checks it. */
  viewerPost: (viewId: string, message: string): Promise<null> => call((b) => b.viewerPost(viewId, message), { quiet: true }),
  viewerClose: (viewId: string): Promise<boolean> => call((b) => b.viewerClose(viewId), { quiet: true }),
  viewerNotes: (viewId: string): Promise<ViewNotes> => call((b) => b.viewerNotes(viewId), { quiet: true }),
  viewerSetTheme: (theme: string): Promise<null> => call((b) => b.viewerSetTheme(theme), { quiet: true }),
  viewerAnswerLink: (requestId: string, open: boolean): Promise<boolean> => call((b) => b.viewerAnswerLink(requestId, open), { quiet: true }),
  viewerChoices: (contentType: string): Promise<ViewerChoices> => call((b) => b.viewerChoices(contentType), { quiet: true }),
  viewerChoose: (contentType: string, choice: ViewerChoice | null): Promise<ViewerChoices> =>
    call((b) => b.viewerChoose(contentType, choice)),
};
