import { describe, expect, it } from "vitest";
import {
  clientState,
  agentFormProblems,
  connectSnippet,
  emptyAgentForm,
  gatewayUrl,
  parsePort,
  serversSummary,
  TOKEN_PLACEHOLDER,
  toNewAgent,
  toggled,
  workspacesSummary,
} from "./agents";

describe("the new-agent form", () => {
  it("needs a free name, a scope, and tools for a limited server", () => {
    const form = { ...emptyAgentForm(), name: " " };
    expect(agentFormProblems(form, []).name).toMatch(/name/);
    expect(agentFormProblems({ ...form, name: "cursor" }, ["Cursor"]).name).toMatch(/already/);
    expect(agentFormProblems({ ...form, name: "Cursor", scopes: [] }, []).scopes).toMatch(/at least one/);
    const limited = { ...form, name: "Cursor", servers: [{ serverId: "s1", limited: true, tools: [] }] };
    expect(agentFormProblems(limited, [])["server:s1"]).toMatch(/tool/);
    expect(agentFormProblems({ ...limited, servers: [{ serverId: "s1", limited: true, tools: ["echo"] }] }, [])).toEqual({});
  });
  it("is sent as the backend takes it: a server with all its tools has none listed", () => {
    const form = {
      name: "  Cursor ",
      workspaces: ["w1"],
      scopes: ["read", "write"] as const,
      servers: [
        { serverId: "s1", limited: false, tools: ["ignored"] },
        { serverId: "s2", limited: true, tools: ["echo"] },
      ],
    };
    expect(toNewAgent({ ...form, scopes: [...form.scopes] })).toEqual({
      name: "Cursor",
      workspaces: ["w1"],
      scopes: ["read", "write"],
      servers: [
        { server_id: "s1", tools: null },
        { server_id: "s2", tools: ["echo"] },
      ],
    });
  });
  it("toggles choices", () => {
    expect(toggled(["a"], "b", true)).toEqual(["a", "b"]);
    expect(toggled(["a", "b"], "a", false)).toEqual(["b"]);
    expect(toggled(["a"], "a", true)).toEqual(["a"]);
  });
});

describe("what an agent gets, in words", () => {
  const titles = new Map([
    ["w1", "Recipes"],
    ["s1", "Everything"],
  ]);
  it("names its workspaces and servers, or says it gets all", () => {
    expect(workspacesSummary({ workspaces: [] }, titles)).toBe("every workspace");
    expect(workspacesSummary({ workspaces: ["w1", "gone"] }, titles)).toBe("Recipes, a removed workspace");
    expect(serversSummary({ servers: [] }, titles)).toMatch(/every server/);
    expect(serversSummary({ servers: [{ server_id: "s1", tools: ["echo"] }] }, titles)).toBe("Everything (echo)");
    expect(serversSummary({ servers: [{ server_id: "s1", tools: ["a", "b"] }] }, titles)).toBe("Everything (2 tools)");
  });
});

describe("the gateway", () => {
  it("has an address whether it runs or not", () => {
    expect(gatewayUrl({ state: "running", port: 9000, url: "http://127.0.0.1:9000/mcp" })).toBe("http://127.0.0.1:9000/mcp");
    expect(gatewayUrl({ state: "failed", port: 8123, port_taken: true, message: "taken" })).toBe("http://127.0.0.1:8123/mcp");
    expect(gatewayUrl(null)).toBe("http://127.0.0.1:7477/mcp");
  });
  it("takes a port a desktop app may use", () => {
    expect(parsePort(" 8123 ")).toEqual({ port: 8123 });
    expect(parsePort("80")).toHaveProperty("problem");
    expect(parsePort("70000")).toHaveProperty("problem");
    expect(parsePort("12ab")).toHaveProperty("problem");
  });
});

describe("connecting an app", () => {
  const url = "http://127.0.0.1:7477/mcp";
  it("has Claude Desktop launch atrium mcp for the agent, with no token in its file", () => {
    const config = JSON.parse(connectSnippet("claude-desktop", "Claude", url, "atrium_agent_secret"));
    expect(config.mcpServers.atrium).toEqual({ command: "atrium", args: ["mcp", "--agent", "Claude"] });
    expect(JSON.stringify(config)).not.toContain("atrium_agent_secret");
  });
  it("gives HTTP clients the address and the token, or a placeholder when it is not at hand", () => {
    const cursor = JSON.parse(connectSnippet("cursor", "Cursor", url, "atrium_agent_x"));
    expect(cursor.mcpServers.atrium).toEqual({ url, headers: { Authorization: "Bearer atrium_agent_x" } });
    expect(connectSnippet("claude-code", "Code", url, null)).toBe(
      `claude mcp add --transport http atrium ${url} --header "Authorization: Bearer ${TOKEN_PLACEHOLDER}"`,
    );
    const script = connectSnippet("script", "", url, "t");
    expect(script).toContain(`new URL("${url}")`);
    expect(script).toContain(`Authorization: "Bearer t"`);
  });
});

describe("an app's configuration, for one agent", () => {
  const base = { client: "cursor" as const, path: "/home/me/.cursor/mcp.json", exists: true, agent: null, foreign_entry: false, entry: "{}" };
  it("offers to add Atrium where it is not, and to remove it where it launches this agent", () => {
    expect(clientState(base, "Claude")).toEqual({ label: "not connected", tone: "neutral", action: "add" });
    expect(clientState({ ...base, exists: false }, "Claude").label).toBe("no configuration yet");
    expect(clientState({ ...base, agent: "Claude" }, "Claude")).toEqual({ label: "launches this agent", tone: "success", action: "remove" });
  });
  it("names another agent the file launches, and never offers to overwrite someone else's atrium server", () => {
    expect(clientState({ ...base, agent: "Cursor bot" }, "Claude")).toEqual({ label: "launches Cursor bot", tone: "neutral", action: "replace" });
    expect(clientState({ ...base, foreign_entry: true }, "Claude").action).toBeNull();
  });
});
