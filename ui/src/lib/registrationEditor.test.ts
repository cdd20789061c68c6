import { CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { json } from "@codemirror/lang-json";
import { EditorState } from "@codemirror/state";
import { describe, expect, it } from "vitest";
import { locateAll, markRange, pathMarks } from "./jsonLocate";
import { mergedProblems, registrationSchema, schemaProblems } from "./registrationCheck";
import { jsonSchemaCompletion, schemaAt } from "./schemaCompletion";

const names = (path: (string | number)[], fields: Record<string, unknown>[] = []) => schemaAt(registrationSchema, path, fields).properties.map((p) => p.name);

describe("completion from the registration schema", () => {
  it("offers the registration's fields at the root and the transport types at transport.type", () => {
    expect(names([])).toEqual(["transport", "auth", "allowed_tools", "timeouts", "enabled"]);
    expect(schemaAt(registrationSchema, ["transport", "type"]).values.map((v) => v.value)).toEqual(["http", "sse", "stdio", "github"]);
    expect(schemaAt(registrationSchema, ["enabled"]).values.map((v) => v.value)).toEqual([true, false]);
  });

  it("follows the written type into its branch (if/then), through $ref", () => {
    expect(names(["transport"], [{}, { type: "stdio" }])).toEqual(["type", "command", "args", "cwd", "env"]);
    expect(names(["transport"], [{}, { type: "http" }])).toEqual(["type", "url", "well_known"]);
    expect(names(["transport", "env", "X"], [{}, { type: "stdio" }, {}, {}])).toEqual(["secret_id"]);
    expect(schemaAt(registrationSchema, ["auth", "auth_method"], [{}, { type: "client_credentials" }]).values.map((v) => v.value)).toContain("private_key_jwt");
  });

  function complete(doc: string, explicit = false): CompletionResult | null {
    const pos = doc.indexOf("|");
    const state = EditorState.create({ doc: doc.replace("|", ""), extensions: [json()] });
    return jsonSchemaCompletion(registrationSchema)(new CompletionContext(state, pos, explicit)) as CompletionResult | null;
  }

  it("finds the path at the cursor in unfinished text", () => {
    const value = complete('{"transport": {"type": "s|"}}');
    expect(value?.options.map((o) => o.label)).toEqual(['"http"', '"sse"', '"stdio"', '"github"']);
    const name = complete('{"transport": {"type": "stdio", "c|"}}');
    expect(name?.options.map((o) => o.label)).toEqual(['"command"', '"args"', '"cwd"', '"env"']);
    const root = complete('{\n  "|\n}');
    expect(root?.options.map((o) => o.label)).toContain('"timeouts"');
  });
});

describe("problems marked at their place", () => {
  const text = '{\n  "transport": {\n    "type": "ftp"\n  },\n  "timeouts": {"call_ms": 5}\n}';

  it("locates values and property names by dotted path", () => {
    const at = locateAll(text)!;
    expect(text.slice(at.get("transport.type")!.from, at.get("transport.type")!.to)).toBe('"ftp"');
    expect(markRange(at, "transport.command")).toEqual({ from: text.indexOf('"transport"'), to: text.indexOf('"transport"') + 11 });
    expect(locateAll("{")).toBeNull();
  });

  it("maps Ajv's errors to the line and column of the value", () => {
    const problems = schemaProblems(JSON.parse(text));
    expect(problems).toContainEqual(["transport.type", 'Use one of "http", "sse", "stdio", "github".']);
    const marks = pathMarks(text, problems);
    const mark = marks.find((m) => m.message.startsWith("Use one of"))!;
    const before = text.slice(0, mark.from).split("\n");
    expect([before.length, before[before.length - 1].length + 1]).toEqual([3, 13]);
    expect(text.slice(mark.from, mark.to)).toBe('"ftp"');
    expect(marks.some((m) => text.slice(m.from, m.to) === "5")).toBe(true);
  });

  it("keeps the backend's words where both speak about one field", () => {
    const merged = mergedProblems([["transport.type", "schema"], ["timeouts.call_ms", "range"]], [{ field: "transport.type", message: "backend" }, { field: "title", message: "t" }]);
    expect(merged).toEqual([["transport.type", "backend"], ["timeouts.call_ms", "range"]]);
  });

  it("says nothing about a registration the schema accepts", () => {
    expect(schemaProblems({ transport: { type: "stdio", command: "npx", env: { A: { secret_id: "s" } } } })).toEqual([]);
  });
});
