import { describe, expect, it } from "vitest";
import { contentMarks, editorLanguage, formatJson } from "./editorProblems";

describe("contentMarks", () => {
  it("marks the character a positioned content problem names", () => {
    const text = '{\n  "beds": 3,\n  "rows": ]\n}';
    // serde: "expected value at line 3 column 11" — the column is just past the `]`.
    const marks = contentMarks([{ field: "content", message: "expected value", position: { line: 3, column: 11 } }], text);
    expect(marks).toHaveLength(1);
    expect(text.slice(marks[0].from, marks[0].to)).toBe("]");
    expect(marks[0].message).toBe("expected value");
  });

  it("leaves out problems of other fields and without a position", () => {
    const marks = contentMarks(
      [
        { field: "title", message: "Enter a title.", position: null },
        { field: "content", message: "Too long.", position: null },
      ],
      "x",
    );
    expect(marks).toEqual([]);
  });

  it("keeps a mark inside a text that got shorter since it was checked", () => {
    const marks = contentMarks([{ field: "content", message: "EOF", position: { line: 9, column: 40 } }], '{"a": ');
    expect(marks[0].to).toBeLessThanOrEqual(6);
    expect(marks[0].from).toBeLessThan(marks[0].to);
  });
});

describe("editorLanguage and formatJson", () => {
  it("picks the highlighting from the type", () => {
    expect(editorLanguage("application/vnd.my-org.recipe+json", true)).toBe("json");
    expect(editorLanguage("text/markdown; charset=utf-8", false)).toBe("markdown");
    expect(editorLanguage("text/plain", false)).toBe("plain");
  });

  it("indents JSON by two spaces and refuses what does not parse", () => {
    expect(formatJson('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(formatJson('{"a":')).toBeNull();
  });
});
