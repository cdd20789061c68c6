/**
 * Where a value sits in JSON text, by its dotted path (`transport.env.A`, `allowed_tools.0`): the span of the value
 * and, for a property, of its name. Problems that name a path (Ajv's, the backend's `serverValidate`) become marks
 * in the editor with it. Only text that parses is located (a text that does not parse has its own mark).
 */
import type { EditorMark } from "./editorProblems";

export interface Located {
  /** The value. */
  from: number;
  to: number;
  /** The property's name, quotes included; absent for the root and array items. */
  keyFrom?: number;
  keyTo?: number;
  /** Whether the value is an object or an array. */
  container: boolean;
}

/** Every value in `text` by its dotted path (`""` is the root); null when the text is not JSON. */
export function locateAll(text: string): Map<string, Located> | null {
  const found = new Map<string, Located>();
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const child = (path: string, name: string | number) => (path === "" ? String(name) : `${path}.${name}`);
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) throw new Error("unterminated string");
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string, key?: { from: number; to: number }): void => {
    ws();
    const from = i;
    const ch = text[i];
    if (ch === "{") {
      i++;
      ws();
      if (text[i] === "}") i++;
      else
        for (;;) {
          ws();
          if (text[i] !== '"') throw new Error("expected a name");
          const keyFrom = i;
          const name = string();
          const keyTo = i;
          ws();
          if (text[i++] !== ":") throw new Error("expected :");
          value(child(path, name), { from: keyFrom, to: keyTo });
          ws();
          if (text[i] === ",") i++;
          else if (text[i] === "}") {
            i++;
            break;
          } else throw new Error("expected , or }");
        }
    } else if (ch === "[") {
      i++;
      ws();
      if (text[i] === "]") i++;
      else
        for (let n = 0; ; n++) {
          value(child(path, n));
          ws();
          if (text[i] === ",") i++;
          else if (text[i] === "]") {
            i++;
            break;
          } else throw new Error("expected , or ]");
        }
    } else if (ch === '"') string();
    else {
      const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
      if (!m) throw new Error("expected a value");
      i += m[0].length;
    }
    found.set(path, { from, to: i, keyFrom: key?.from, keyTo: key?.to, container: ch === "{" || ch === "[" });
  };
  try {
    value("");
    ws();
    return i === text.length ? found : null;
  } catch {
    return null;
  }
}

/** The span to mark for a problem at `path`: the value when it is a scalar, the name of a property holding an object
 * or a list, else the nearest enclosing value that exists (a missing property is marked on its object). */
export function markRange(located: Map<string, Located>, path: string): { from: number; to: number } | null {
  let p = path;
  for (;;) {
    const at = located.get(p);
    if (at) {
      if (!at.container) return { from: at.from, to: at.to };
      if (at.keyFrom !== undefined && at.keyTo !== undefined) return { from: at.keyFrom, to: at.keyTo };
      return { from: at.from, to: at.from + 1 };
    }
    if (p === "") return null;
    const dot = p.lastIndexOf(".");
    p = dot === -1 ? "" : p.slice(0, dot);
  }
}

/** Problems by dotted path as editor marks; two problems on one span are said once, joined. */
export function pathMarks(text: string, problems: readonly (readonly [string, string])[]): EditorMark[] {
  const located = locateAll(text);
  if (!located) return [];
  const bySpan = new Map<string, EditorMark>();
  for (const [path, message] of problems) {
    const r = markRange(located, path);
    if (!r) continue;
    const key = `${r.from}:${r.to}`;
    const had = bySpan.get(key);
    if (!had) bySpan.set(key, { ...r, message });
    else if (!had.message.includes(message)) had.message = `${had.message}\n${message}`;
  }
  return [...bySpan.values()];
}
