/**
 * DEVELOPMENT ONLY: the Agience platform commands of the fake backend. It starts signed out (`?platform=signed_in`
 * starts signed in) with the last address remembered; any password signs in (an identifier containing "deny" is
 * refused, an address containing "offline" cannot be reached), a browser sign-in takes ~2.5 s (cancellable), an API
 * key signs in without the relay. "Product research" is linked, with one conflict ("Pricing hypotheses"); the
 * platform also holds two workspaces that are not here. The relay connects after a sign-in.
 * Console: `__atriumFake.endSession()` (the session ends by itself), `__atriumFake.relayOffline()`.
 */
import type { AccountStatus, AppEvent, Artifact, RelayStatus, RemoteWorkspace, SignInRequest, SyncConflict, SyncState, Workspace, WorkspaceSync } from "../bindings";
import type { Commands } from "../api";
import type { FakeServerAccess } from "./fakeAuthState";
import { err, ok } from "./fakeServers";

type PlatformCommands = Pick<
  Commands,
  | "platformStatus" | "platformSignIn" | "platformSignInCancel" | "platformSignOut" | "platformWorkspaces" | "workspacePublish" | "workspaceLinkRemote"
  | "workspaceUnlink" | "syncNow" | "syncConflicts" | "syncResolve" | "relayPause" | "relayResume" | "relaySetRoots" | "serverPublish" | "serverUnpublish"
>;

/** What the platform fake needs from the rest of the fake backend. */
export interface FakeLocalAccess {
  workspaces: Map<string, Workspace>;
  artifactsOf(workspaceId: string): Artifact[];
  get(id: string): Artifact | undefined;
  /** Saves a new version. */
  update(id: string, changes: { title?: string; content?: string }, by: string): void;
  create(workspaceId: string, title: string, type: string, content: string): Artifact;
  addWorkspace(title: string, description: string): Workspace;
  servers: FakeServerAccess;
}

interface Link {
  remote_id: string;
  linked_time: string;
  last_pull: string | null;
  pending: number;
  state: SyncState;
  message: string | null;
}

const URLS = { origin: "https://agience.example.com", mantle: "https://agience.example.com", chorus: "https://agience.example.com" };
const SIGN_IN_MS = 2500;
const iso = (minutesAgo = 0) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

const REMOTE_SEED: Record<string, { title: string; type: string; content: string }[]> = {
  "r-design": [
    { title: "Color tokens", type: "application/json", content: JSON.stringify({ accent: "#2f6feb", danger: "#c9302c" }, null, 2) },
    { title: "Button guidelines", type: "text/markdown", content: "# Buttons\n\n- One primary button per view\n- Destructive actions ask first\n" },
  ],
  "r-ops": [{ title: "On-call rota", type: "text/markdown", content: "# On-call\n\n| Week | Person |\n|---|---|\n| 12 | Sam |\n| 13 | Dana |\n" }],
};

export function createFakePlatform(local: FakeLocalAccess, emit: (e: AppEvent) => void, latency: number, startSignedIn: boolean) {
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const remotes: RemoteWorkspace[] = [
    { id: "r-research", name: "Product research", description: "Interviews, pricing and competitors", modified_time: iso(25) },
    { id: "r-design", name: "Design system", description: "Tokens, components and guidelines", modified_time: iso(60 * 5) },
    { id: "r-ops", name: "Ops handbook", description: "On-call, runbooks and postmortems", modified_time: iso(60 * 24 * 3) },
  ];
  const links = new Map<string, Link>();
  const conflicts = new Map<string, SyncConflict>();
  let account: AccountStatus = { state: "signed_out", reason: null, last_urls: URLS };
  let relay: RelayStatus = { state: "signed_out", message: null, requests_served: 0, last_request_at: null, retry_in_ms: null };
  let roots = ["/home/dev/projects"];
  let waitCancel: (() => void) | null = null;

  // The seed: "Product research" is linked, and its pricing note changed on both sides.
  const research = [...local.workspaces.values()].find((w) => w.title === "Product research");
  if (research) {
    links.set(research.id, { remote_id: "r-research", linked_time: iso(60 * 24 * 7), last_pull: iso(40), pending: 2, state: "idle", message: null });
    research.remote_id = "r-research";
    const pricing = local.artifactsOf(research.id).find((a) => a.title === "Pricing hypotheses");
    if (pricing) {
      const content = pricing.content.replace("$8 per workspace", "$10 per workspace") + "4. Annual plan: two months free\n";
      conflicts.set(pricing.id, {
        artifact_id: pricing.id,
        workspace_id: research.id,
        kind: "both_edited",
        remote: { id: "ra-pricing", root_id: "ra-pricing", content_type: "text/markdown", context: { title: "Pricing hypotheses", tags: ["pricing"] }, content, state: "committed", modified_time: iso(25), modified_by: "sam@agience.example.com" },
        local: null,
        detected_time: iso(20),
      });
    }
  }

  const signedIn = () => account.state === "signed_in";
  const carriesRelay = () => account.state === "signed_in" && account.account.method !== "api_key";
  const statusOf = (id: string, l: Link): WorkspaceSync => ({
    workspace_id: id,
    remote_id: l.remote_id,
    state: signedIn() ? l.state : "signed_out",
    pending: l.pending,
    conflicts: [...conflicts.values()].filter((c) => c.workspace_id === id).length,
    last_pull: l.last_pull,
    message: signedIn() ? l.message : "Sign in to sync: changes wait here until then.",
  });
  const statuses = () => [...links].map(([id, l]) => statusOf(id, l));
  const emitStatus = (id: string) => {
    const l = links.get(id);
    if (l) emit({ kind: "sync_status", status: statusOf(id, l) });
  };
  const setRelay = (r: Partial<RelayStatus>) => {
    relay = { ...relay, retry_in_ms: null, message: null, ...r };
    emit({ kind: "relay_status", status: structuredClone(relay) });
  };
  const connectRelay = () => {
    setRelay({ state: "connecting" });
    setTimeout(() => {
      if (carriesRelay() && relay.state === "connecting") setRelay({ state: "connected", requests_served: relay.requests_served || 3, last_request_at: relay.last_request_at ?? iso(2) });
    }, 900 + latency);
  };
  const notSignedIn = <T>() => err<T>("signed_out", "Nobody is signed in to the platform: sign in under Platform first.");

  function signInAs(method: "browser" | "password" | "api_key", email: string | null) {
    account = { state: "signed_in", account: { urls: URLS, method, user: { id: "u-dana", name: "Dana Reyes", email: email ?? "dana@example.com" } } };
    for (const [id] of links) emitStatus(id);
    if (carriesRelay()) connectRelay();
    else setRelay({ state: "signed_out", message: "Signed in with an API key: the relay needs a browser or password sign-in." });
  }
  if (startSignedIn) signInAs("browser", null);

  function signOut(reason: string | null) {
    account = { state: "signed_out", reason, last_urls: URLS };
    for (const [id] of links) emitStatus(id);
    setRelay({ state: "signed_out" });
  }

  async function runSync(id: string, l: Link) {
    l.state = "syncing";
    emitStatus(id);
    const total = Math.max(48_000, local.artifactsOf(id).reduce((n, a) => n + a.content.length, 0) * 40);
    for (let i = 0; i <= 5; i++) {
      emit({ kind: "sync_progress", progress: { workspace_id: id, phase: "pulling", done: Math.round((total * i) / 5), total } });
      await sleep(250);
    }
    for (let i = 0; i <= l.pending; i++) {
      emit({ kind: "sync_progress", progress: { workspace_id: id, phase: "pushing", done: i, total: l.pending } });
      await sleep(300);
    }
    Object.assign(l, { state: "idle", pending: 0, last_pull: iso(), message: null });
    emitStatus(id);
    emit({ kind: "artifacts_changed", workspace_id: id });
  }

  const commands: PlatformCommands = {
    async platformStatus() {
      await sleep(latency);
      return ok({ account, workspaces: statuses(), relay, allowed_roots: roots });
    },
    async platformSignIn(url: string, request: SignInRequest) {
      await sleep(latency + 300);
      if (/offline|unreachable/i.test(url)) return err("platform_unavailable", `Could not reach ${url}: connection refused.`);
      try {
        new URL(url);
      } catch {
        return err("invalid_input", `${url} is not a platform address.`);
      }
      if (request.method === "browser") {
        const finished = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), SIGN_IN_MS);
          waitCancel = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        waitCancel = null;
        if (!finished) return err("cancelled", "The sign-in was cancelled.");
      } else if (request.method === "password" && /deny/i.test(request.identifier)) {
        return err("platform_failed", "The platform refused the sign-in: wrong username or password.");
      }
      signInAs(request.method, request.method === "password" && request.identifier.includes("@") ? request.identifier : null);
      return account.state === "signed_in" ? ok(account.account) : notSignedIn();
    },
    async platformSignInCancel() {
      const w = waitCancel;
      w?.();
      return ok(Boolean(w));
    },
    async platformSignOut() {
      await sleep(latency + 200);
      signOut(null);
      return ok(null);
    },
    async platformWorkspaces() {
      await sleep(latency + 150);
      if (!signedIn()) return notSignedIn();
      return ok(remotes.map((remote) => ({ remote, linked_workspace_id: [...links].find(([, l]) => l.remote_id === remote.id)?.[0] ?? null })));
    },
    async workspacePublish(workspaceId) {
      await sleep(latency + 400);
      if (!signedIn()) return notSignedIn();
      const w = local.workspaces.get(workspaceId);
      if (!w) return err("not_found", "That workspace does not exist (any more).");
      if (links.has(workspaceId)) return err("invalid_input", `“${w.title}” is on the platform already.`);
      const remote: RemoteWorkspace = { id: `r-${crypto.randomUUID().slice(0, 8)}`, name: w.title, description: w.description, modified_time: iso() };
      remotes.push(remote);
      const link: Link = { remote_id: remote.id, linked_time: iso(), last_pull: iso(), pending: 0, state: "idle", message: null };
      links.set(workspaceId, link);
      w.remote_id = remote.id;
      emitStatus(workspaceId);
      return ok({ workspace_id: workspaceId, remote_id: remote.id, linked_time: link.linked_time, last_pull: link.last_pull });
    },
    async workspaceLinkRemote(remoteId) {
      await sleep(latency + 500);
      if (!signedIn()) return notSignedIn();
      const remote = remotes.find((r) => r.id === remoteId);
      if (!remote) return err("not_found", "That workspace is no longer on the platform.");
      if ([...links.values()].some((l) => l.remote_id === remoteId)) return err("invalid_input", `“${remote.name}” is on this computer already.`);
      const w = local.addWorkspace(remote.name, remote.description);
      for (const a of REMOTE_SEED[remoteId] ?? []) local.create(w.id, a.title, a.type, a.content);
      w.remote_id = remote.id;
      links.set(w.id, { remote_id: remote.id, linked_time: iso(), last_pull: iso(), pending: 0, state: "idle", message: null });
      emitStatus(w.id);
      emit({ kind: "artifacts_changed", workspace_id: w.id });
      return ok({ ...w, artifact_count: local.artifactsOf(w.id).length });
    },
    async workspaceUnlink(workspaceId) {
      await sleep(latency);
      if (!links.delete(workspaceId)) return err("not_found", "That workspace is not linked to the platform.");
      const w = local.workspaces.get(workspaceId);
      if (w) w.remote_id = null;
      for (const [id, c] of conflicts) if (c.workspace_id === workspaceId) conflicts.delete(id);
      return ok(null);
    },
    async syncNow(workspaceId) {
      await sleep(latency);
      if (!signedIn()) return notSignedIn();
      const targets = [...links].filter(([id]) => workspaceId === null || id === workspaceId);
      if (workspaceId && targets.length === 0) return err("not_found", "That workspace is not linked to the platform.");
      await Promise.all(targets.map(([id, l]) => runSync(id, l)));
      return ok(statuses());
    },
    async syncConflicts(workspaceId) {
      await sleep(latency);
      return ok([...conflicts.values()].filter((c) => workspaceId === null || c.workspace_id === workspaceId));
    },
    async syncResolve(artifactId, resolution) {
      await sleep(latency + 200);
      const c = conflicts.get(artifactId);
      const a = local.get(artifactId);
      if (!c) return err("not_found", "That conflict is settled already.");
      const remote = c.remote as { content?: string; context?: { title?: string }; modified_by?: string } | null;
      if (resolution === "keep_both" && a) local.create(a.workspace_id, `${a.title} (this computer)`, a.content_type, a.content);
      if (resolution !== "keep_local" && a && remote) local.update(a.id, { title: remote.context?.title, content: remote.content }, remote.modified_by ?? "platform");
      const link = links.get(c.workspace_id);
      if (link && resolution !== "keep_remote") link.pending += 1;
      conflicts.delete(artifactId);
      emitStatus(c.workspace_id);
      emit({ kind: "artifacts_changed", workspace_id: c.workspace_id });
      return ok(null);
    },
    async relayPause() {
      await sleep(latency);
      if (["connecting", "connected", "offline"].includes(relay.state)) setRelay({ state: "paused" });
      return ok(relay);
    },
    async relayResume() {
      await sleep(latency);
      if (carriesRelay()) connectRelay();
      return ok(relay);
    },
    async relaySetRoots(next) {
      await sleep(latency);
      const out: string[] = [];
      for (const raw of next.map((r) => r.trim()).filter(Boolean)) {
        const path = raw.replace(/^~(?=\/|$)/, "/home/dev").replace(/(.)\/+$/, "$1");
        if (!path.startsWith("/") || /missing|nope/i.test(path)) return err("invalid_input", `${raw} is not a folder on this computer.`);
        if (!out.includes(path)) out.push(path);
      }
      roots = out;
      return ok(roots);
    },
    async serverPublish(serverId) {
      await sleep(latency);
      const s = local.servers.list().find((x) => x.id === serverId);
      if (!s) return err("not_found", "That server does not exist (any more).");
      if (!links.has(s.workspace_id)) {
        const title = local.workspaces.get(s.workspace_id)?.title ?? "";
        return err("invalid_input", `Put the workspace "${title}" on the platform first (Platform → Publish workspace); the server's registration travels with it.`);
      }
      s.registration.mcp_server = { kind: "relay", local_server_id: s.id, name: s.title.toLowerCase().replace(/[^a-z0-9]+/g, "-") };
      return ok(serverArtifact(s));
    },
    async serverUnpublish(serverId) {
      await sleep(latency);
      const s = local.servers.list().find((x) => x.id === serverId);
      if (!s) return err("not_found", "That server does not exist (any more).");
      delete s.registration.mcp_server;
      return ok(serverArtifact(s));
    },
  };

  function serverArtifact(s: ReturnType<FakeServerAccess["list"]>[number]): Artifact {
    const now = iso();
    const context = structuredClone(s.registration) as Artifact["context"];
    return { id: s.id, workspace_id: s.workspace_id, root_id: null, remote_id: null, content_type: "application/vnd.atrium.mcp-server+json", title: s.title, context, content: JSON.stringify(context, null, 2), state: "draft", version: 2, created_time: now, created_by: "dev@localhost", modified_time: now, modified_by: "dev@localhost" };
  }

  return {
    commands,
    endSession: () => signOut("Your session on the platform expired. Sign in again to keep syncing."),
    relayOffline: () => {
      setRelay({ state: "offline", message: "Could not reach the relay at wss://agience.example.com/relay/v1/connect: connection refused.", retry_in_ms: 15_000 });
      setTimeout(() => carriesRelay() && relay.state === "offline" && connectRelay(), 15_000);
    },
  };
}
