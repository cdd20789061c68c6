import { describe, expect, it } from "vitest";
import type { ImportPreview, ImportReport, PlannedServer, ServerView } from "./bindings";
import {
  allowlistWarning,
  commandOf,
  importSource,
  initialPicks,
  inputsNeeded,
  inputValues,
  pickedNames,
  reportSummary,
  toggleAll,
} from "./importPlan";

const server = (name: string, over: Partial<PlannedServer> = {}): PlannedServer => ({
  name,
  transport: "stdio",
  target: "npx -y x",
  registration: { transport: { type: "stdio", command: "npx", args: ["-y", "x"] } },
  secrets: [],
  warnings: [],
  problem: null,
  allowed: true,
  refusal: null,
  ...over,
});

const preview: ImportPreview = {
  format: "vs_code",
  format_label: "VS Code",
  servers: [
    server("github", { secrets: [{ secret_id: "github-token", source: "env GITHUB_TOKEN", input: "gh", replaces: true }] }),
    server("broken", { problem: "It has neither a command nor a url." }),
    server("bun", { registration: { transport: { type: "stdio", command: "bun", args: [] } }, allowed: false, secrets: [{ secret_id: "k", source: "env KEY", input: null, replaces: false }] }),
    server("api", { transport: "http", registration: { transport: { type: "http", url: "https://h/mcp" } }, secrets: [{ secret_id: "api", source: "header Authorization", input: "tok", replaces: false }] }),
  ],
  inputs: [
    { id: "gh", description: "GitHub token", password: true },
    { id: "unused", description: "Not referred to", password: false },
    { id: "tok", description: "API token", password: true },
  ],
};

describe("picking servers", () => {
  it("picks every importable server at first, never a broken one", () => {
    const picks = initialPicks(preview);
    expect(picks).toEqual({ github: true, broken: false, bun: true, api: true });
    expect(pickedNames(preview, picks)).toEqual(["github", "bun", "api"]);
    expect(pickedNames(preview, { ...picks, broken: true, bun: false })).toEqual(["github", "api"]);
  });
  it("toggles all importable servers", () => {
    const none = toggleAll(preview, initialPicks(preview));
    expect(pickedNames(preview, none)).toEqual([]);
    expect(pickedNames(preview, toggleAll(preview, none))).toEqual(["github", "bun", "api"]);
    expect(pickedNames(preview, toggleAll(preview, { github: true }))).toEqual(["github", "bun", "api"]);
  });
});

describe("inputs", () => {
  it("asks only for the inputs the picked servers' secrets use", () => {
    expect(inputsNeeded(preview, initialPicks(preview)).map((i) => i.id)).toEqual(["gh", "tok"]);
    expect(inputsNeeded(preview, { github: false, bun: true, api: true }).map((i) => i.id)).toEqual(["tok"]);
  });
  it("sends only typed values of needed inputs", () => {
    const needed = inputsNeeded(preview, initialPicks(preview));
    expect(inputValues(needed, { gh: "v1", tok: "", unused: "x" })).toEqual({ gh: "v1" });
  });
});

describe("warnings and sources", () => {
  it("names the command that is not allowed", () => {
    expect(commandOf(preview.servers[2])).toBe("bun");
    expect(allowlistWarning(preview.servers[2])).toBe("bun is not on the allowlist: add it in settings to run it.");
    expect(allowlistWarning(preview.servers[0])).toBeNull();
    expect(commandOf(preview.servers[3])).toBeNull();
  });
  it("prefers pasted text over a path", () => {
    expect(importSource("/a.json", "")).toEqual({ path: "/a.json", text: null });
    expect(importSource(" /a.json ", '{"mcpServers":{}}')).toEqual({ path: null, text: '{"mcpServers":{}}' });
    expect(importSource("  ", " ")).toBeNull();
  });
});

describe("reportSummary", () => {
  const created = [{ id: "1" }, { id: "2" }] as ServerView[];
  it("is a success when everything went in", () => {
    const r: ImportReport = { created, secrets_stored: ["a"], secrets_missing: [], skipped: [] };
    expect(reportSummary(r)).toEqual({ kind: "success", title: "Imported 2 servers", body: "1 secret stored in the keychain." });
  });
  it("says what is left to do", () => {
    const r: ImportReport = { created: created.slice(0, 1), secrets_stored: [], secrets_missing: ["gh", "k"], skipped: ["broken: no command"] };
    const s = reportSummary(r);
    expect(s.kind).toBe("info");
    expect(s.title).toBe("Imported 1 server");
    expect(s.body).toBe("Still without a value: gh, k — set them on the Secrets screen. Skipped: broken: no command.");
    expect(reportSummary({ created: [], secrets_stored: [], secrets_missing: [], skipped: [] }).title).toBe("Nothing was imported");
  });
});
