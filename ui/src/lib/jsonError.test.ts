import { describe, expect, it } from "vitest";
import { jsonProblem, jsonProblemText } from "./jsonError";

describe("jsonProblem", () => {
  it("accepts what JSON.parse accepts", () => {
    for (const t of ['{"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"]}', "  []  ", '"s"', "0", '{"a":{}}']) {
      expect(JSON.parse(t)).toBeDefined();
      expect(jsonProblem(t)).toBeNull();
    }
  });

  it("finds a double comma", () => {
    expect(jsonProblem('{"transport": {"type": "stdio", "command": "npx",, }')).toEqual({
      line: 1,
      column: 50,
      reason: "expected a property name in double quotes, found “,”",
    });
  });

  it("counts lines and columns", () => {
    expect(jsonProblem('{\n  "a": 1\n  "b": 2\n}')).toMatchObject({ line: 3, column: 3, reason: "expected “,” or “}”, found “\"”" });
  });

  it("says when the text ends too soon", () => {
    expect(jsonProblem('{"a": ')).toMatchObject({ line: 1, column: 7, reason: expect.stringMatching(/found the end of the text$/) });
    expect(jsonProblem('{"a": "b')).toMatchObject({ reason: expect.stringMatching(/closing double quote/) });
  });

  it("refuses trailing text, single quotes and bare words", () => {
    expect(jsonProblem("{} x")?.reason).toMatch(/nothing more/);
    expect(jsonProblem("{'a': 1}")?.reason).toMatch(/property name in double quotes/);
    expect(jsonProblem('{"a": yes}')?.reason).toMatch(/expected a value/);
    expect(jsonProblem('{"a": tru}')?.reason).toMatch(/“true”/);
  });

  it("falls back to the engine's message", () => {
    expect(jsonProblemText("{}", "JSON Parse error: Odd")).toBe("Odd");
    expect(jsonProblemText("[1,]", "x")).toBe("line 1, column 4: expected a value (text in double quotes, a number, true, false, null, { or [), found “]”");
  });
});
