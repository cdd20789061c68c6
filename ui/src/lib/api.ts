/**
 * The one door to the backend. Wraps the generated `commands` (bindings.ts, never edited by hand)
 * so that every call either returns its data or throws an ApiFailure carrying the ApiError,
 * and so that in-flight calls drive the busy indicator.
 */
import { commands } from "./bindings";
import type {
  ApiError,
  Artifact,
  ArtifactDraft,
  ArtifactPatch,
  ArtifactSummary,
  ContentTypeInfo,
  FieldProblem,
  NewArtifact,
  NewWorkspace,
  Result,
  Revision,
  RevisionSummary,
  SearchHit,
  SearchQuery,
  StartupStatus,
  Workspace,
} from "./bindings";
import { busy } from "./busy.svelte";
import { ApiFailure, normalizeApiError, toFailure } from "./errors";

export { ApiFailure } from "./errors";

export type Commands = typeof commands;

let backend: Commands = commands;

/**
 * In a plain browser during development (`npm run dev` without Tauri) there is no backend, so an
 * in-memory fake stands in. `import.meta.env.DEV` is the constant `false` in production builds,
 * which removes this branch and the fake's module from the bundle entirely.
 */
export async function initBackend(): Promise<"tauri" | "fake"> {
  if (import.meta.env.DEV && !("__TAURI_INTERNALS__" in window)) {
    const { createFakeBackend } = await import("./dev/fakeBackend");
    backend = createFakeBackend(new URLSearchParams(window.location.search));
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
  contentTypes: (): Promise<ContentTypeInfo[]> => call((b) => b.contentTypes()),
};
