/**
 * Pure helpers for the Agents screen: the new-agent form as the backend wants it, what each scope allows, and the
 * lines a person pastes into Claude Desktop, Claude Code, Cursor or a script to point it at Atrium's gateway.
 */
import type { AgentScope, AgentServer, AgentView, ClientApp, ClientConnection, GatewayStatus, NewAgent } from "./bindings";

export const AGENT_SCOPES: readonly { scope: AgentScope; label: string; hint: string }[] = [
  { scope: "read", label: "Read", hint: "List, search and read artifacts" },
  { scope: "write", label: "Write", hint: "Publish, revise, retitle and delete artifacts" },
  { scope: "share", label: "Share", hint: "Make and revoke share links (workspaces on the platform)" },
  { scope: "admin", label: "Admin", hint: "Manage servers" },
];

/** One server the agent gets, as the form holds it. */
export interface AgentServerForm {
  serverId: string;
  /** Whether only some of its tools are allowed. */
  limited: boolean;
  /** Those tools (when `limited`). */
  tools: string[];
}

export interface AgentForm {
  name: string;
  /** Ids; none: every workspace. */
  workspaces: string[];
  scopes: AgentScope[];
  /** None: every server no other agent names. */
  servers: AgentServerForm[];
}

export function emptyAgentForm(): AgentForm {
  return { name: "", workspaces: [], scopes: ["read"], servers: [] };
}

/** What is wrong with the form, field by field (empty when it can be sent). */
export function agentFormProblems(form: AgentForm, taken: readonly string[]): Record<string, string> {
  const problems: Record<string, string> = {};
  const name = form.name.trim();
  if (!name) problems.name = "Give the agent a name, such as the app it is (Claude Desktop, Cursor).";
  else if (taken.some((t) => t.toLowerCase() === name.toLowerCase())) problems.name = `There is an agent called “${name}” already.`;
  if (form.scopes.length === 0) problems.scopes = "Choose at least one thing it may do.";
  for (const s of form.servers) {
    if (s.limited && s.tools.length === 0) problems[`server:${s.serverId}`] = "Choose at least one tool, or allow them all.";
  }
  return problems;
}

/** The form as `agent_create` takes it. */
export function toNewAgent(form: AgentForm): NewAgent {
  const servers: AgentServer[] = form.servers.map((s) => ({ server_id: s.serverId, tools: s.limited ? [...s.tools] : null }));
  return { name: form.name.trim(), workspaces: [...form.workspaces], scopes: [...form.scopes], servers };
}

/** Toggles `item` in `list` (a new array). */
export function toggled<T>(list: readonly T[], item: T, on: boolean): T[] {
  const without = list.filter((x) => x !== item);
  return on ? [...without, item] : without;
}

/** What the agent sees, in a few words: "Recipes, Lab" or "every workspace". */
export function workspacesSummary(agent: Pick<AgentView, "workspaces">, titles: ReadonlyMap<string, string>): string {
  if (agent.workspaces.length === 0) return "every workspace";
  return agent.workspaces.map((id) => titles.get(id) ?? "a removed workspace").join(", ");
}

/** Its servers, in a few words. */
export function serversSummary(agent: Pick<AgentView, "servers">, titles: ReadonlyMap<string, string>): string {
  if (agent.servers.length === 0) return "every server no other agent names";
  return agent.servers
    .map((s) => {
      const title = titles.get(s.server_id) ?? "a removed server";
      return s.tools ? `${title} (${s.tools.length === 1 ? s.tools[0] : `${s.tools.length} tools`})` : title;
    })
    .join(", ");
}

/** The agents' endpoint when the gateway listens, else what it will be on its port. */
export function gatewayUrl(status: GatewayStatus | null): string {
  if (status?.state === "running") return status.url;
  return `http://127.0.0.1:${status?.port ?? 7477}/mcp`;
}

/** A port the person typed: a number from 1024 to 65535, or the reason it is not. */
export function parsePort(text: string): { port: number } | { problem: string } {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { problem: "A port is a number, such as 7477." };
  const port = Number(t);
  if (port < 1024 || port > 65535) return { problem: "Choose a port from 1024 to 65535." };
  return { port };
}

export type ClientKind = "claude-desktop" | "claude-code" | "cursor" | "script";

export const CLIENTS: readonly { kind: ClientKind; label: string; where: string }[] = [
  { kind: "claude-desktop", label: "Claude Desktop", where: "Settings → Developer → Edit Config (claude_desktop_config.json)" },
  { kind: "claude-code", label: "Claude Code", where: "a terminal, in your project" },
  { kind: "cursor", label: "Cursor", where: "~/.cursor/mcp.json (or .cursor/mcp.json in a project)" },
  { kind: "script", label: "A script (TypeScript SDK)", where: "your code" },
];

/** The placeholder shown where a token goes when none is at hand (it is shown only once). */
export const TOKEN_PLACEHOLDER = "<the agent's token>";

/**
 * What to paste into `client` so it reaches Atrium as `name`. Claude Desktop launches `atrium mcp` (it bridges to
 * this app's gateway: no token in the file); the others speak HTTP to the gateway with the token.
 */
export function connectSnippet(client: ClientKind, name: string, url: string, token: string | null): string {
  const bearer = `Bearer ${token ?? TOKEN_PLACEHOLDER}`;
  switch (client) {
    case "claude-desktop":
      return JSON.stringify({ mcpServers: { atrium: { command: "atrium", args: ["mcp", "--agent", name || "NAME"] } } }, null, 2);
    case "claude-code":
      return `claude mcp add --transport http atrium ${url} --header "Authorization: ${bearer}"`;
    case "cursor":
      return JSON.stringify({ mcpServers: { atrium: { url, headers: { Authorization: bearer } } } }, null, 2);
    case "script":
      return [
        `import { Client } from "@modelcontextprotocol/sdk/client/index.js";`,
        `import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";`,
        ``,
        `const transport = new StreamableHTTPClientTransport(new URL("${url}"), {`,
        `  requestInit: { headers: { Authorization: "${bearer}" } },`,
        `});`,
        `const client = new Client({ name: "${name || "my-script"}", version: "1.0.0" });`,
        `await client.connect(transport);`,
        `console.log(await client.callTool({ name: "whoami", arguments: {} }));`,
      ].join("\n");
  }
}

/** The apps Atrium writes itself into, in the order the agent's page lists them. */
export const CLIENT_APPS: readonly { app: ClientApp; label: string }[] = [
  { app: "claude_desktop", label: "Claude Desktop" },
  { app: "claude_code", label: "Claude Code" },
  { app: "cursor", label: "Cursor" },
  { app: "vs_code", label: "VS Code" },
];

/** Where an app's configuration stands for `agent`: what its badge says, its tone, and what its button does. */
export function clientState(connection: ClientConnection, agent: string): { label: string; tone: "success" | "warning" | "neutral"; action: "add" | "remove" | "replace" | null } {
  if (connection.foreign_entry) return { label: "has another “atrium” server", tone: "warning", action: null };
  if (connection.agent === agent) return { label: "launches this agent", tone: "success", action: "remove" };
  if (connection.agent) return { label: `launches ${connection.agent}`, tone: "neutral", action: "replace" };
  return { label: connection.exists ? "not connected" : "no configuration yet", tone: "neutral", action: "add" };
}
