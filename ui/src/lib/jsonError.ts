/**
 * Where JSON text stops being valid, said the same way on every engine: WebKit's JSON.parse messages ("JSON Parse
 * error: Unexpected EOF") name no position, so a small scanner finds the line, the column and what was expected.
 */

export interface JsonProblem {
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  reason: string;
}

class Stop extends Error {
  constructor(
    readonly at: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function describe(ch: string | undefined): string {
  if (ch === undefined) return "the end of the text";
  if (ch === "\n") return "a line break";
  return `“${ch}”`;
}

/** The first problem in `text` as JSON, or null when it is valid. */
export function jsonProblem(text: string): JsonProblem | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const fail = (expected: string): never => {
    throw new Stop(i, `expected ${expected}, found ${describe(text[i])}`);
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail(`“${word}”`);
      i++;
    }
  };
  const string = () => {
    i++; // the opening quote
    while (i < text.length && text[i] !== '"') {
      const ch = text[i];
      if (ch < " ") fail("the string to end with a double quote (line breaks inside strings are written \\n)");
      if (ch === "\\") {
        i++;
        if (text[i] === "u") {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? "")) fail("four hex digits after \\u");
          continue;
        }
        if (!'"\\/bfnrt'.includes(text[i] ?? "x")) fail("an escape like \\n or \\\" after the backslash");
      }
      i++;
    }
    if (i >= text.length) fail("a closing double quote");
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === "-" || m[0] === "") fail("a value");
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{") return object();
    if (ch === "[") return array();
    if (ch === '"') return string();
    if (ch === "t") return literal("true");
    if (ch === "f") return literal("false");
    if (ch === "n") return literal("null");
    if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) return number();
    fail("a value (text in double quotes, a number, true, false, null, { or [)");
  };
  const object = () => {
    i++;
    ws();
    if (text[i] === "}") {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') fail("a property name in double quotes");
      string();
      ws();
      if (text[i] !== ":") fail("“:” after the property name");
      i++;
      value();
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") {
        i++;
        return;
      }
      fail("“,” or “}”");
    }
  };
  const array = () => {
    i++;
    ws();
    if (text[i] === "]") {
      i++;
      return;
    }
    for (;;) {
      value();
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "]") {
        i++;
        return;
      }
      fail("“,” or “]”");
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail("nothing more after the value");
    return null;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    const before = text.slice(0, e.at);
    const line = before.split("\n").length;
    const column = [...before.slice(before.lastIndexOf("\n") + 1)].length + 1;
    return { line, column, reason: e.reason };
  }
}

/** "line 3, column 12: expected “,” or “}”, found “"”", or the engine's message when the scanner finds nothing. */
export function jsonProblemText(text: string, engineMessage: string): string {
  const p = jsonProblem(text);
  if (!p) return engineMessage.replace(/^JSON Parse error:\s*/, "").replace(/\.$/, "");
  return `line ${p.line}, column ${p.column}: ${p.reason}`;
}
