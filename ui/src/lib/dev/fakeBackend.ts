/**
 * DEVELOPMENT ONLY: an in-memory stand-in for the Rust backend, used when the UI runs in a plain
 * browser (`npm run dev` without Tauri). api.ts loads it behind `import.meta.env.DEV`, so it is
 * never part of a production bundle. It mimics the contract closely enough to exercise every
 * screen: validation problems, version conflicts, history and search spans.
 *
 * URL switches: ?fake=failed (startup error), ?fake=empty (no workspaces), ?fake=slow (latency),
 * ?fake=nokeychain (no system keychain: secrets fail with keychain_unavailable).
 * Servers, tools, resources, prompts, events and the audit log come from fakeServers.ts; sign-ins and Authorizers
 * from fakeAuth.ts; the Agience platform (account, sync, conflicts, relay) from fakePlatform.ts (?platform=signed_in
 * starts signed in).
 * Server views (MCP Apps) need the desktop app: every artifact opens in the built-in editor, except the demo note
 * type, whose view is "unavailable" (to show that state).
 * Console: window.__atriumFake.touch(id) edits an artifact "elsewhere" to provoke a conflict.
 */
import type {
  ApiError,
  AppEvent,
  Artifact,
  ArtifactDraft,
  ArtifactState,
  ContentTypeInfo,
  FieldProblem,
  JsonValue,
  Result,
  Revision,
  SearchHit,
  TextSpan,
  Workspace,
} from "../bindings";
import type { Commands } from "../api";
import { createFakeAuth } from "./fakeAuth";
import { FakeAuthStore } from "./fakeAuthState";
import { createFakeLocal } from "./fakeLocal";
import { createFakePlatform } from "./fakePlatform";
import { createFakeServers, fakeRegistry } from "./fakeServers";
import { createFakeViewers, DEMO_NOTE } from "./fakeViewers";

const CONTENT_TYPES: ContentTypeInfo[] = [
  { mime: "text/markdown", label: "Markdown", icon: "markdown", color: "#3b82f6", json: false, server_id: null },
  { mime: "text/plain", label: "Text", icon: "text", color: "#64748b", json: false, server_id: null },
  { mime: "application/json", label: "JSON", icon: "json", color: "#d97706", json: true, server_id: null },
  { mime: "application/vnd.atrium.server+json", label: "Server", icon: "server", color: "#059669", json: true, server_id: null },
  { mime: "application/x-pem-file", label: "Key", icon: "key", color: "#7c3aed", json: false, server_id: null },
  { mime: "image/svg+xml", label: "SVG image", icon: "image", color: "#db2777", json: false, server_id: null },
  { mime: "application/vnd.atrium.collection+json", label: "Collection", icon: "folder", color: "#0891b2", json: true, server_id: null },
  { mime: DEMO_NOTE, label: "Demo note", icon: "🗒️", color: "#0d9488", json: true, server_id: "demo-notes" },
];

const USER = "dev@localhost";

type Stored = Artifact & { revisions: Revision[] };

function uuid(): string {
  return crypto.randomUUID();
}

function bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

function ok<T>(data: T): Result<T, ApiError> {
  return { status: "ok", data: structuredClone(data) };
}

function err<T>(code: ApiError["code"], message: string, details: ApiError["details"] = null): Result<T, ApiError> {
  return { status: "error", error: { code, message, details } };
}

function isJson(mime: string): boolean {
  const m = mime.toLowerCase();
  const info = CONTENT_TYPES.find((c) => c.mime === m);
  return info ? info.json : /\/(?:[^/]*\+)?json$/.test(m);
}

function validate(d: ArtifactDraft): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!d.title.trim()) problems.push({ field: "title", message: "Title is required.", position: null });
  else if ([...d.title].length > 200) problems.push({ field: "title", message: "Title must be at most 200 characters.", position: null });
  if (!d.content_type.trim()) problems.push({ field: "content_type", message: "Content type is required.", position: null });
  else if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(d.content_type.trim()))
    problems.push({ field: "content_type", message: "Content type must look like type/subtype, for example text/markdown.", position: null });
  if (bytes(d.content) > 10 * 1024 * 1024) problems.push({ field: "content", message: "Content is larger than 10 MB.", position: null });
  else if (isJson(d.content_type) && d.content.trim()) {
    try {
      JSON.parse(d.content);
    } catch {
      // The browser preview has no position; the real store reports one.
      problems.push({ field: "content", message: "Content is not valid JSON.", position: null });
    }
  }
  return problems;
}

function fieldsError<T>(problems: FieldProblem[]): Result<T, ApiError> {
  return err("invalid_input", problems.map((p) => p.message).join(" "), { kind: "fields", problems });
}

function iso(minutesAgo: number): string {
  return new Date(Date.now() - minutesAgo * 60_000).toISOString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

interface Seed {
  title: string;
  type: string;
  state?: ArtifactState;
  versions: { content: string; title?: string; minutesAgo: number }[];
}

const SEED: { title: string; description: string; minutesAgo: number; artifacts: Seed[] }[] = [
  {
    title: "Product research",
    description: "Interviews, pricing and competitors",
    minutesAgo: 60 * 24 * 40,
    artifacts: [
      {
        title: "Interview notes — Dana (ops lead)",
        type: "text/markdown",
        versions: [
          { minutesAgo: 60 * 24 * 3, title: "Interview notes", content: "# Interview with Dana\n\n- Uses spreadsheets for deploy tracking\n" },
          {
            minutesAgo: 60 * 26,
            content:
              "# Interview with Dana\n\n- Uses spreadsheets for deploy tracking\n- Wants one place for server configs and keys\n",
          },
          {
            minutesAgo: 12,
            content:
              "# Interview with Dana\n\nDana runs operations for a 40-person team.\n\n## Pain points\n- Uses spreadsheets for deploy tracking\n- Wants one place for server configs and keys\n- Pricing must be per workspace, not per seat\n\n## Quotes\n> \"I lose an hour a week hunting for the right config.\"\n",
          },
        ],
      },
      {
        title: "Competitor matrix",
        type: "application/json",
        versions: [
          {
            minutesAgo: 60 * 5,
            content: JSON.stringify(
              { competitors: [{ name: "Vaultly", pricing: "per seat", offline: false }, { name: "Stashbox", pricing: "flat", offline: true }] },
              null,
              2,
            ),
          },
        ],
      },
      {
        title: "Pricing hypotheses",
        type: "text/markdown",
        state: "committed",
        versions: [
          { minutesAgo: 60 * 24 * 9, content: "# Pricing\n\n1. Free for one workspace\n2. Paid per workspace after that\n" },
          { minutesAgo: 60 * 24 * 2, content: "# Pricing\n\n1. Free for one workspace\n2. $8 per workspace per month\n3. Pricing never per seat\n" },
        ],
      },
      {
        title: "Logo sketch",
        type: "image/svg+xml",
        versions: [{ minutesAgo: 60 * 24 * 60, content: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="12"/></svg>' }],
      },
      {
        title: "Survey export (raw)",
        type: "text/csv",
        versions: [{ minutesAgo: 60 * 24 * 400, content: "respondent,role,score\n1,ops,9\n2,dev,7\n" }],
      },
    ],
  },
  {
    title: "Infrastructure",
    description: "Servers, keys and runbooks",
    minutesAgo: 60 * 24 * 20,
    artifacts: [
      {
        title: "Production server",
        type: "application/vnd.atrium.server+json",
        versions: [
          { minutesAgo: 60 * 24 * 6, content: '{\n  "host": "prod-1.internal",\n  "port": 22\n}' },
          { minutesAgo: 60 * 3, content: '{\n  "host": "prod-1.internal",\n  "port": 2222,\n  "user": "deploy",\n  "tags": ["primary", "eu-west"]\n}' },
        ],
      },
      {
        title: "Deploy key (staging)",
        type: "application/x-pem-file",
        versions: [{ minutesAgo: 60 * 24 * 15, content: "-----BEGIN OPENSSH PRIVATE KEY-----\n(redacted sample)\n-----END OPENSSH PRIVATE KEY-----\n" }],
      },
      {
        title: "Standup note (server view demo)",
        type: DEMO_NOTE,
        versions: [
          {
            minutesAgo: 45,
            content: JSON.stringify({ text: "Ship the viewer panel; review the sandbox proxy.", tags: ["standup", "viewer"] }, null, 2),
          },
        ],
      },
      {
        title: "Runbook: database failover",
        type: "text/markdown",
        state: "archived",
        versions: [{ minutesAgo: 60 * 24 * 90, content: "# Failover\n\n1. Promote the replica\n2. Point the app at the new primary\n3. Rebuild the old primary as a replica\n" }],
      },
    ],
  },
  { title: "Reading list", description: "", minutesAgo: 60 * 24 * 2, artifacts: [] },
];

export function createFakeBackend(params: URLSearchParams, emit: (e: AppEvent) => void = () => {}): Commands {
  const mode = params.get("fake") ?? "";
  const latency = mode === "slow" ? 900 : 90;
  const workspaces = new Map<string, Workspace>();
  const artifacts = new Map<string, Stored>();

  if (mode !== "empty") {
    for (const ws of SEED) {
      const w: Workspace = {
        id: uuid(),
        title: ws.title,
        description: ws.description,
        remote_id: null,
        version: 1,
        artifact_count: 0,
        created_time: iso(ws.minutesAgo),
        created_by: USER,
        modified_time: iso(ws.minutesAgo),
        modified_by: USER,
      };
      workspaces.set(w.id, w);
      for (const a of ws.artifacts) {
        const id = uuid();
        const revisions: Revision[] = a.versions.map((v, i) => ({
          artifact_id: id,
          version: i + 1,
          content_type: a.type,
          title: v.title ?? a.title,
          context: {},
          content: v.content,
          state: i === a.versions.length - 1 ? (a.state ?? "draft") : "draft",
          modified_time: iso(v.minutesAgo),
          modified_by: i % 2 ? "dana@example.com" : USER,
        }));
        const last = revisions[revisions.length - 1];
        artifacts.set(id, {
          id,
          workspace_id: w.id,
          root_id: null,
          remote_id: null,
          content_type: a.type,
          title: last.title,
          context: {},
          content: last.content,
          state: last.state,
          version: last.version,
          created_time: revisions[0].modified_time,
          created_by: USER,
          modified_time: last.modified_time,
          modified_by: last.modified_by,
          revisions,
        });
      }
    }
  }

  const count = (wsId: string) => [...artifacts.values()].filter((a) => a.workspace_id === wsId).length;
  const withCount = (w: Workspace): Workspace => ({ ...w, artifact_count: count(w.id) });
  const strip = (a: Stored): Artifact => {
    const { revisions: _revisions, ...rest } = a;
    return rest;
  };

  function commit(a: Stored, changes: Partial<Pick<Artifact, "title" | "content_type" | "content" | "context" | "state">>): Stored {
    Object.assign(a, changes);
    a.version += 1;
    a.modified_time = new Date().toISOString();
    a.modified_by = USER;
    a.revisions.push({
      artifact_id: a.id,
      version: a.version,
      content_type: a.content_type,
      title: a.title,
      context: a.context,
      content: a.content,
      state: a.state,
      modified_time: a.modified_time,
      modified_by: a.modified_by,
    });
    return a;
  }

  function create(workspaceId: string, title: string, type: string, content: string, context: JsonValue, state: ArtifactState): Stored {
    const id = uuid();
    const now = new Date().toISOString();
    const a: Stored = {
      id,
      workspace_id: workspaceId,
      root_id: null,
      remote_id: null,
      content_type: type,
      title,
      context,
      content,
      state,
      version: 1,
      created_time: now,
      created_by: USER,
      modified_time: now,
      modified_by: USER,
      revisions: [],
    };
    a.revisions.push({ artifact_id: id, version: 1, content_type: type, title, context, content, state, modified_time: now, modified_by: USER });
    artifacts.set(id, a);
    return a;
  }

  const notFound = <T>(what: string) => err<T>("not_found", `${what} was not found.`);

  function spans(text: string, needle: string): TextSpan[] {
    if (!needle) return [{ text, hit: false }];
    const out: TextSpan[] = [];
    const lower = text.toLowerCase();
    let i = 0;
    for (;;) {
      const j = lower.indexOf(needle, i);
      if (j < 0) break;
      if (j > i) out.push({ text: text.slice(i, j), hit: false });
      out.push({ text: text.slice(j, j + needle.length), hit: true });
      i = j + needle.length;
    }
    if (i < text.length) out.push({ text: text.slice(i), hit: false });
    return out;
  }

  function snippet(content: string, needle: string): TextSpan[] {
    const at = content.toLowerCase().indexOf(needle);
    if (at < 0) return spans(content.slice(0, 120), "");
    const start = Math.max(0, at - 40);
    const end = Math.min(content.length, at + needle.length + 80);
    const s = spans(content.slice(start, end), needle);
    if (start > 0) s.unshift({ text: "…", hit: false });
    if (end < content.length) s.push({ text: "…", hit: false });
    return s;
  }

  const authStore = new FakeAuthStore();
  const fakeServers = createFakeServers(workspaces, emit, latency, authStore);
  const fakePlatform = createFakePlatform(
    {
      workspaces,
      artifactsOf: (wsId) => [...artifacts.values()].filter((a) => a.workspace_id === wsId).map(strip),
      get: (id) => {
        const a = artifacts.get(id);
        return a ? strip(a) : undefined;
      },
      update: (id, changes, by) => {
        const a = artifacts.get(id);
        if (!a) return;
        commit(a, { title: changes.title ?? a.title, content: changes.content ?? a.content });
        a.modified_by = by;
        a.revisions[a.revisions.length - 1].modified_by = by;
      },
      create: (wsId, title, type, content) => strip(create(wsId, title, type, content, {}, "draft")),
      addWorkspace: (title, description) => {
        const now = new Date().toISOString();
        const w: Workspace = { id: uuid(), title, description, remote_id: null, version: 1, artifact_count: 0, created_time: now, created_by: USER, modified_time: now, modified_by: USER };
        workspaces.set(w.id, w);
        return w;
      },
      servers: authStore.servers,
    },
    emit,
    latency,
    params.get("platform") === "signed_in",
  );
  const fake: Commands = {
    async startupStatus() {
      await sleep(latency);
      if (mode === "failed") {
        return {
          kind: "failed",
          error: {
            code: "database_too_new",
            message: "The database was created by a newer version of Atrium (schema 7; this version understands up to schema 5).",
            details: { kind: "path", path: "/home/dana/.local/share/atrium/atrium.db" },
          },
          data_dir: "/home/dana/.local/share/atrium",
        };
      }
      return {
        kind: "ready",
        info: {
          version: "0.1.0-dev",
          data_dir: "/home/dev/.local/share/atrium",
          database_path: "/home/dev/.local/share/atrium/atrium.db",
          log_dir: "/home/dev/.local/share/atrium/logs",
          schema_version: 5,
        },
      };
    },
    async uiReady() {
      console.info("[fake backend] ui_ready");
    },
    async workspaceList() {
      await sleep(latency);
      return ok([...workspaces.values()].map(withCount).sort((a, b) => a.title.localeCompare(b.title)));
    },
    async workspaceCreate(input) {
      await sleep(latency);
      const title = input.title.trim();
      if (!title) return fieldsError([{ field: "title", message: "Workspace name is required." }]);
      const now = new Date().toISOString();
      const w: Workspace = {
        id: uuid(),
        title,
        description: input.description ?? "",
        remote_id: null,
        version: 1,
        artifact_count: 0,
        created_time: now,
        created_by: USER,
        modified_time: now,
        modified_by: USER,
      };
      workspaces.set(w.id, w);
      return ok(withCount(w));
    },
    async workspaceRename(id, title) {
      await sleep(latency);
      const w = workspaces.get(id);
      if (!w) return notFound("Workspace");
      const t = title.trim();
      if (!t) return fieldsError([{ field: "title", message: "Workspace name is required." }]);
      w.title = t;
      w.version += 1;
      w.modified_time = new Date().toISOString();
      return ok(withCount(w));
    },
    async workspaceDelete(id) {
      await sleep(latency);
      if (!workspaces.delete(id)) return notFound("Workspace");
      for (const [aid, a] of artifacts) if (a.workspace_id === id) artifacts.delete(aid);
      return ok(null);
    },
    async artifactList(workspaceId) {
      await sleep(latency);
      if (!workspaces.has(workspaceId)) return notFound("Workspace");
      return ok(
        [...artifacts.values()]
          .filter((a) => a.workspace_id === workspaceId)
          .map((a) => ({
            id: a.id,
            workspace_id: a.workspace_id,
            title: a.title,
            content_type: a.content_type,
            state: a.state,
            version: a.version,
            size_bytes: bytes(a.content),
            created_time: a.created_time,
            modified_time: a.modified_time,
          })),
      );
    },
    async artifactGet(id) {
      await sleep(latency);
      const a = artifacts.get(id);
      return a ? ok(strip(a)) : notFound("Artifact");
    },
    async artifactCreate(input) {
      await sleep(latency);
      const problems = validate({ title: input.title, content_type: input.content_type, content: input.content ?? "" });
      if (!workspaces.has(input.workspace_id)) problems.push({ field: "workspace_id", message: "That workspace no longer exists.", position: null });
      if (problems.length) return fieldsError(problems);
      const a = create(input.workspace_id, input.title.trim(), input.content_type.trim(), input.content ?? "", input.context ?? {}, input.state ?? "draft");
      return ok(strip(a));
    },
    async artifactUpdate(id, patch) {
      await sleep(latency);
      const a = artifacts.get(id);
      if (!a) return notFound("Artifact");
      // Optional fields may be absent or null; both mean "leave as is".
      if (patch.expected_version != null && patch.expected_version !== a.version)
        return err("version_conflict", `The artifact is at version ${a.version}, not ${patch.expected_version}.`, {
          kind: "version_conflict",
          expected: patch.expected_version,
          actual: a.version,
        });
      const next = {
        title: patch.title ?? a.title,
        content_type: patch.content_type ?? a.content_type,
        content: patch.content ?? a.content,
      };
      const problems = validate(next);
      if (problems.length) return fieldsError(problems);
      const changes: Partial<Artifact> = {};
      if (patch.title != null) changes.title = patch.title.trim();
      if (patch.content_type != null) changes.content_type = patch.content_type.trim();
      if (patch.content != null) changes.content = patch.content;
      if (patch.context != null) changes.context = patch.context;
      if (patch.state != null) changes.state = patch.state;
      if (Object.keys(changes).length === 0) return ok(strip(a));
      return ok(strip(commit(a, changes)));
    },
    async artifactDuplicate(id) {
      await sleep(latency);
      const a = artifacts.get(id);
      if (!a) return notFound("Artifact");
      const copy = create(a.workspace_id, `${a.title} (copy)`, a.content_type, a.content, a.context, "draft");
      copy.root_id = a.id;
      return ok(strip(copy));
    },
    async artifactDelete(id) {
      await sleep(latency);
      return artifacts.delete(id) ? ok(null) : notFound("Artifact");
    },
    async artifactHistory(id) {
      await sleep(latency);
      const a = artifacts.get(id);
      if (!a) return notFound("Artifact");
      return ok(
        [...a.revisions].reverse().map((r) => ({
          artifact_id: r.artifact_id,
          version: r.version,
          title: r.title,
          content_type: r.content_type,
          state: r.state,
          size_bytes: bytes(r.content),
          modified_time: r.modified_time,
          modified_by: r.modified_by,
        })),
      );
    },
    async artifactRevision(id, version) {
      await sleep(latency);
      const r = artifacts.get(id)?.revisions.find((x) => x.version === version);
      return r ? ok(r) : notFound(`Version ${version}`);
    },
    async artifactRestore(id, version) {
      await sleep(latency);
      const a = artifacts.get(id);
      const r = a?.revisions.find((x) => x.version === version);
      if (!a || !r) return notFound(`Version ${version}`);
      return ok(strip(commit(a, { title: r.title, content_type: r.content_type, content: r.content, context: r.context, state: r.state })));
    },
    async artifactValidate(draft) {
      await sleep(Math.min(latency, 40));
      return ok(validate(draft));
    },
    async search(query) {
      await sleep(latency);
      const needle = query.text.trim().toLowerCase();
      if (!needle) return ok([]);
      const hits: SearchHit[] = [];
      for (const a of artifacts.values()) {
        if (query.workspace_id && a.workspace_id !== query.workspace_id) continue;
        const inTitle = a.title.toLowerCase().includes(needle);
        const inContent = a.content.toLowerCase().includes(needle);
        if (!inTitle && !inContent) continue;
        const w = workspaces.get(a.workspace_id);
        hits.push({
          artifact_id: a.id,
          workspace_id: a.workspace_id,
          workspace_title: w?.title ?? "",
          title: a.title,
          content_type: a.content_type,
          modified_time: a.modified_time,
          title_spans: spans(a.title, needle),
          snippet_spans: snippet(a.content, needle),
        });
      }
      hits.sort((x, y) => Number(y.title_spans.some((s) => s.hit)) - Number(x.title_spans.some((s) => s.hit)));
      return ok(hits.slice(0, query.limit ?? 50));
    },
    async contentTypes() {
      await sleep(latency);
      return ok(CONTENT_TYPES);
    },
    ...createFakeViewers((id) => artifacts.get(id), fakeServers, latency),
    ...fakeServers,
    ...createFakeAuth(authStore, workspaces, latency),
    ...createFakeLocal(() => fakeRegistry.list(), fakeServers.serverCreate, latency, mode === "nokeychain"),
    ...fakePlatform.commands,
  };

  (window as unknown as { __atriumFake: unknown }).__atriumFake = {
    /** Simulates another window saving the artifact, so the next save here conflicts. */
    touch(id: string) {
      const a = artifacts.get(id);
      if (a) commit(a, { content: `${a.content}\n(edited in another window)\n` });
    },
    artifacts,
    workspaces,
    /** The platform session ends by itself (the Platform screen shows why). */
    endSession: fakePlatform.endSession,
    /** The relay loses its connection and retries after 15 s. */
    relayOffline: fakePlatform.relayOffline,
  };
  return fake;
}
