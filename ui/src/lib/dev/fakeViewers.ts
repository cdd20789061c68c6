/**
 * DEVELOPMENT ONLY: the viewer part of the fake backend. A browser has no sandbox proxy, so no server view ever
 * opens here: artifacts open in the built-in editor, except the demo note type, whose view is "unavailable" (to
 * show that state); tools with views say they need the desktop app. The other viewer commands do nothing.
 */
import type { ApiError, Artifact, Result, ViewerChoice, ViewerChoices, ViewerOpening } from "../bindings";
import type { Commands } from "../api";
import { err, ok } from "./fakeServers";

/** A type a (pretend) server declares, with a view that cannot be shown here. */
export const DEMO_NOTE = "application/vnd.atrium-demo.note+json";

type ViewerCommands = Pick<
  Commands,
  | "viewerOpenArtifact"
  | "viewerOpenTool"
  | "viewerPost"
  | "viewerClose"
  | "viewerNotes"
  | "viewerSetTheme"
  | "viewerAnswerLink"
  | "viewerChoices"
  | "viewerChoose"
>;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function builtInOnly(contentType: string, chosen: ViewerChoice | null): ViewerChoices {
  return { content_type: contentType, chosen, candidates: [{ choice: { kind: "built_in" }, label: "Built-in", resource_uri: null }] };
}

export function createFakeViewers(
  artifact: (id: string) => Artifact | undefined,
  servers: Pick<Commands, "serverList" | "serverGet">,
  latency: number,
): ViewerCommands {
  return {
    async viewerOpenArtifact(artifactId): Promise<Result<ViewerOpening, ApiError>> {
      await sleep(latency);
      const a = artifact(artifactId);
      if (!a) return err("not_found", "Artifact was not found.");
      if (a.content_type.toLowerCase() !== DEMO_NOTE) return ok({ kind: "built_in", content_type: a.content_type });
      // Its "server": the first of the workspace's, so that "Go to server" has somewhere to go.
      const listed = await servers.serverList(a.workspace_id);
      const server = listed.status === "ok" ? listed.data[0] : undefined;
      return ok({
        kind: "unavailable",
        server_id: server?.id ?? "demo-notes",
        server_title: server?.title ?? "Demo notes",
        message:
          "Server views (MCP Apps) open only in the Atrium desktop app; this browser preview has no sandbox for them. The note is still in the editor.",
      });
    },
    async viewerOpenTool(serverId): Promise<Result<ViewerOpening, ApiError>> {
      await sleep(latency);
      const s = await servers.serverGet(serverId);
      if (s.status === "error") return s;
      return ok({
        kind: "unavailable",
        server_id: serverId,
        server_title: s.data.title,
        message: "Tool views (MCP Apps) open only in the Atrium desktop app.",
      });
    },
    async viewerPost() {
      return ok(null);
    },
    async viewerClose() {
      return ok(false);
    },
    async viewerNotes() {
      return ok({ messages: [], model_context: null, display_mode: "inline" });
    },
    async viewerSetTheme() {
      return ok(null);
    },
    async viewerAnswerLink() {
      return ok(false);
    },
    async viewerChoices(contentType) {
      await sleep(Math.min(latency, 40));
      return ok(builtInOnly(contentType, null));
    },
    async viewerChoose(contentType, choice) {
      await sleep(latency);
      return ok(builtInOnly(contentType, choice));
    },
  };
}
