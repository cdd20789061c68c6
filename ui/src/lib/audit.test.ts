import { describe, expect, it } from "vitest";
import type { AuditEntry } from "./bindings";
import { agentOptions, emptyAuditFilter, isFiltered, mergeNewer, serverOptions, toAuditFilter } from "./audit";

const entry = (id: string, server = "s1", title = "Everything"): AuditEntry => ({
  id,
  time: "2024-01-01T00:00:00Z",
  origin: "ui",
  workspace_id: "w1",
  server_id: server,
  server_title: title,
  tool: "echo",
  arguments: "{}",
  result: "{}",
  status: "ok",
  error_code: null,
  duration_ms: 3,
});

describe("toAuditFilter", () => {
  it("leaves out empty choices and scopes to the workspace", () => {
    expect(toAuditFilter(emptyAuditFilter(), "w1", 50)).toEqual({ limit: 50, workspace_id: "w1" });
    expect(toAuditFilter({ scope: "all", serverId: "s", status: "ok", origin: "cli", tool: " ec ", agentId: "" }, "w1", 10, "x")).toEqual({
      limit: 10,
      server_id: "s",
      status: "ok",
      origin: "cli",
      tool: "ec",
      before: "x",
    });
    expect(isFiltered(emptyAuditFilter())).toBe(false);
    expect(isFiltered({ ...emptyAuditFilter(), tool: "e" })).toBe(true);
    expect(isFiltered({ ...emptyAuditFilter(), agentId: "a1" })).toBe(true);
    expect(toAuditFilter({ ...emptyAuditFilter(), scope: "all", agentId: "a1" }, "w1", 20)).toEqual({ limit: 20, agent_id: "a1" });
  });
});

describe("mergeNewer", () => {
  it("puts new rows on top and keeps loaded pages", () => {
    const current = [entry("3"), entry("2"), entry("1")];
    expect(mergeNewer([entry("5"), entry("4"), entry("3"), entry("2")], current).entries.map((e) => e.id)).toEqual(["5", "4", "3", "2", "1"]);
    expect(mergeNewer([entry("3"), entry("2")], current)).toMatchObject({ replaced: false });
  });
  it("replaces when the fresh page does not reach the shown rows", () => {
    expect(mergeNewer([entry("9"), entry("8")], [entry("3")])).toEqual({ entries: [entry("9"), entry("8")], replaced: true });
    expect(mergeNewer([entry("1")], []).replaced).toBe(true);
  });
});

describe("serverOptions", () => {
  it("lists registered servers and removed ones seen in the log", () => {
    expect(serverOptions([{ id: "s1", title: "Everything" }], [entry("1", "s1"), entry("2", "s0", "Old")])).toEqual([
      { id: "s1", title: "Everything" },
      { id: "s0", title: "Old (removed)" },
    ]);
  });
});

describe("agents to filter by", () => {
  it("lists the agents there are, and removed ones the log still names", () => {
    const row = (agent_id: string | null, agent_name: string | null) => ({ agent_id, agent_name }) as unknown as AuditEntry;
    expect(agentOptions([{ id: "a2", name: "Cursor" }], [row("a1", "Old bot"), row(null, null), row("a2", "Cursor")])).toEqual([
      { id: "a2", name: "Cursor" },
      { id: "a1", name: "Old bot (removed)" },
    ]);
  });
});
