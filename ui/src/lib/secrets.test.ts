import { describe, expect, it } from "vitest";
import { commandProblem, commandProblems, deleteConsequence, secretIdProblem, suggestSecretId } from "./secrets";

describe("secret ids", () => {
  it("follows the keychain's id rules", () => {
    expect(secretIdProblem("github-token")).toBeNull();
    expect(secretIdProblem("a.b_c-9")).toBeNull();
    expect(secretIdProblem("")).toMatch(/Give/);
    expect(secretIdProblem("-x")).toMatch(/start/);
    expect(secretIdProblem("a b")).toMatch(/only letters/);
    expect(secretIdProblem("x".repeat(129))).toMatch(/128/);
  });
  it("suggests an id from a variable name, avoiding taken ones", () => {
    expect(suggestSecretId("GITHUB_TOKEN")).toBe("github-token");
    expect(suggestSecretId("__API KEY__")).toBe("api-key");
    expect(suggestSecretId("")).toBe("secret");
    expect(suggestSecretId("TOKEN", ["token", "token-2"])).toBe("token-3");
    expect(secretIdProblem(suggestSecretId("_weird$$name"))).toBeNull();
  });
});

describe("deleteConsequence", () => {
  it("names the servers that stop working", () => {
    expect(deleteConsequence({ used_by: [] })).toBe("No server refers to it.");
    expect(deleteConsequence({ used_by: ["Issues"] })).toBe("“Issues” uses it and will not start until a secret with this id is set again.");
    expect(deleteConsequence({ used_by: ["A", "B", "C"] })).toMatch(/^“A”, “B” and “C” use it/);
  });
});

describe("allowlist entries", () => {
  const defaults = ["npx", "node"];
  it("refuses what the backend refuses, and duplicates", () => {
    expect(commandProblem("bun", defaults, [])).toBeNull();
    expect(commandProblem("/opt/bin/srv", defaults, [])).toBeNull();
    expect(commandProblem("", defaults, [])).toMatch(/Type/);
    expect(commandProblem(" bun", defaults, [])).toMatch(/spaces/);
    expect(commandProblem("bun run", defaults, [])).toMatch(/one program/);
    expect(commandProblem("rm;ls", defaults, [])).toMatch(/shell/);
    expect(commandProblem("bin/srv", defaults, [])).toMatch(/absolute/);
    expect(commandProblem("node", defaults, [])).toMatch(/default/);
    expect(commandProblem("bun", defaults, ["bun"])).toMatch(/already/);
  });
  it("maps the backend's problems to commands", () => {
    expect(commandProblems([{ field: "extra_commands[1]", message: "bad" }, { field: "other", message: "x" }], ["ok", "b a d"])).toEqual({ "b a d": "bad", "": "x" });
  });
});
