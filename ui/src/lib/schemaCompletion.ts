/**
 * Completion from a JSON Schema: the property names and the enum/const values the schema allows at a JSON path.
 * `schemaAt` walks the schema (`$ref`, `allOf`, `anyOf`/`oneOf`, and `if`/`then` when the object's `type`-like
 * fields match the `if`'s consts); `jsonSchemaCompletion` finds the path at the cursor in CodeMirror's JSON syntax
 * tree (which also reads an unfinished text) and offers what `schemaAt` finds. Part of the editor's chunk.
 */
import type { Completion, CompletionContext, CompletionResult, CompletionSource } from "@codemirror/autocomplete";
import { syntaxTree } from "@codemirror/language";
import type { SyntaxNode } from "@lezer/common";
import type { EditorState } from "@codemirror/state";

type Schema = Record<string, unknown>;

export interface Offer {
  properties: { name: string; description?: string }[];
  values: { value: unknown; description?: string }[];
}

const isSchema = (s: unknown): s is Schema => typeof s === "object" && s !== null && !Array.isArray(s);

function deref(root: Schema, s: Schema): Schema {
  const ref = s.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return s;
  let at: unknown = root;
  for (const part of ref.slice(2).split("/")) at = isSchema(at) ? at[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
  return isSchema(at) ? { ...s, ...deref(root, at), description: s.description ?? at.description } : s;
}

function ifMatches(cond: Schema, fields: Record<string, unknown> | undefined): boolean {
  const props = isSchema(cond.properties) ? cond.properties : {};
  return Object.entries(props).every(([name, p]) => !isSchema(p) || !("const" in p) || (fields !== undefined && fields[name] === p.const));
}

/** The schema and every subschema that applies with it (for the object whose written fields are `fields`). */
function applicable(root: Schema, s: Schema, fields: Record<string, unknown> | undefined, depth = 0): Schema[] {
  if (depth > 16) return [];
  const own = deref(root, s);
  const out = [own];
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    const list = own[key];
    if (Array.isArray(list)) for (const sub of list) if (isSchema(sub)) out.push(...applicable(root, sub, fields, depth + 1));
  }
  if (isSchema(own.if) && isSchema(own.then) && ifMatches(own.if, fields)) out.push(...applicable(root, own.then, fields, depth + 1));
  return out;
}

/** The subschemas for the value at `path`; `fields[i]` are the written fields of the object at depth `i`. */
function schemasAt(root: Schema, path: readonly (string | number)[], fields: readonly (Record<string, unknown> | undefined)[]): Schema[] {
  let at = [root];
  path.forEach((key, depth) => {
    const next: Schema[] = [];
    for (const s of at.flatMap((x) => applicable(root, x, fields[depth]))) {
      if (typeof key === "number") {
        if (isSchema(s.items)) next.push(s.items);
        continue;
      }
      const props = isSchema(s.properties) ? s.properties : {};
      if (isSchema(props[key])) next.push(props[key]);
      else if (isSchema(s.additionalProperties)) next.push(s.additionalProperties);
    }
    at = next;
  });
  return at;
}

/** What may be written at `path`: the property names of the object there, and the values it may take. */
export function schemaAt(root: object, path: readonly (string | number)[], fields: readonly (Record<string, unknown> | undefined)[] = []): Offer {
  const all = schemasAt(root as Schema, path, fields).flatMap((s) => applicable(root as Schema, s, fields[path.length]));
  const offer: Offer = { properties: [], values: [] };
  const seen = new Set<string>();
  for (const s of all) {
    if (isSchema(s.properties))
      for (const [name, p] of Object.entries(s.properties)) {
        if (seen.has(`p${name}`)) continue;
        seen.add(`p${name}`);
        const described = isSchema(p) ? deref(root as Schema, p).description : undefined;
        offer.properties.push({ name, description: typeof described === "string" ? described : undefined });
      }
    const values: unknown[] = Array.isArray(s.enum) ? s.enum : "const" in s ? [s.const] : s.type === "boolean" ? [true, false] : [];
    for (const value of values) {
      const k = `v${JSON.stringify(value)}`;
      if (seen.has(k)) continue;
      seen.add(k);
      offer.values.push({ value, description: typeof s.description === "string" ? s.description : undefined });
    }
  }
  return offer;
}

// ---- the cursor's path in CodeMirror's JSON tree ----------------------------------------------------------------

const text = (state: EditorState, n: SyntaxNode) => state.sliceDoc(n.from, n.to);

function nameOf(state: EditorState, property: SyntaxNode): string | null {
  const name = property.getChild("PropertyName");
  if (!name) return null;
  try {
    return JSON.parse(text(state, name)) as string;
  } catch {
    return text(state, name).replace(/^"|"$/g, "");
  }
}

/** The plain fields already written in an Object node (strings, numbers, true/false/null). */
function fieldsOf(state: EditorState, object: SyntaxNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let p = object.firstChild; p; p = p.nextSibling) {
    if (p.name !== "Property") continue;
    const name = nameOf(state, p);
    const v = p.lastChild;
    if (name === null || !v || !["String", "Number", "True", "False", "Null"].includes(v.name)) continue;
    try {
      out[name] = JSON.parse(text(state, v));
    } catch {
      /* unfinished */
    }
  }
  return out;
}

/** The path of the value `node` is (or is in), from the root, with the written fields of each object on the way. */
function pathOf(state: EditorState, node: SyntaxNode): { path: (string | number)[]; fields: Record<string, unknown>[] } {
  const path: (string | number)[] = [];
  const objects: Record<string, unknown>[] = [];
  for (let n: SyntaxNode | null = node; n; n = n.parent) {
    const parent = n.parent;
    if (!parent) break;
    if (parent.name === "Property" && n.name !== "PropertyName") {
      const name = nameOf(state, parent);
      if (name !== null) path.unshift(name);
    } else if (parent.name === "Array") {
      let index = 0;
      for (let c = parent.firstChild; c && c.from < n.from; c = c.nextSibling) if (c.name === ",") index++;
      path.unshift(index);
    }
    if (parent.name === "Object") objects.unshift(fieldsOf(state, parent));
    else if (parent.name === "Array") objects.unshift({});
  }
  return { path, fields: objects };
}

/** A completion source for JSON text that follows `schema`. */
export function jsonSchemaCompletion(schema: object): CompletionSource {
  return (ctx: CompletionContext): CompletionResult | null => {
    const tree = syntaxTree(ctx.state);
    const node = tree.resolveInner(ctx.pos, -1);
    const word = ctx.matchBefore(/"?[\w$-]*"?/);
    const from = word && word.text.startsWith('"') ? word.from : ctx.pos;
    if (!ctx.explicit && (!word || word.text === "")) return null;
    // In a property's name (or where one starts): the names the object may have.
    // Between an object's fields, or in an unfinished name (which the parser reads as an error node in the object).
    const inObject = node.name === "Object" ? node : node.name === "⚠" && node.parent?.name === "Object" ? node.parent : null;
    const afterColon = /:\s*"?[\w-]*$/.test(ctx.state.sliceDoc(inObject?.from ?? 0, ctx.pos).split(",").pop() ?? "");
    if (node.name === "PropertyName" || (inObject && !afterColon)) {
      const object = inObject ?? node.parent?.parent;
      if (!object || object.name !== "Object") return null;
      const { path, fields } = pathOf(ctx.state, object);
      const own = fieldsOf(ctx.state, object);
      const offer = schemaAt(schema, path, [...fields, own]);
      const end = node.name === "PropertyName" ? node.to : ctx.pos;
      const colon = /^\s*:/.test(ctx.state.sliceDoc(end, end + 8));
      const options: Completion[] = offer.properties
        .filter((p) => !(p.name in own))
        .map((p) => ({ label: JSON.stringify(p.name), apply: colon ? JSON.stringify(p.name) : `${JSON.stringify(p.name)}: `, type: "property", info: p.description }));
      return options.length ? { from: node.name === "PropertyName" ? node.from : from, to: end, options, validFor: /^"?[\w$-]*"?$/ } : null;
    }
    // At a property's value: the values it may take.
    const valueNode = ["String", "Number", "True", "False", "Null", "⚠"].includes(node.name) ? node : null;
    const property = valueNode?.parent?.name === "Property" ? valueNode.parent : node.name === "Property" ? node : null;
    if (!property) return null;
    const { path, fields } = pathOf(ctx.state, valueNode ?? property.lastChild ?? property);
    const name = nameOf(ctx.state, property);
    if (name === null) return null;
    if (path[path.length - 1] !== name) path.push(name);
    const offer = schemaAt(schema, path, fields);
    const options: Completion[] = offer.values.map((v) => ({ label: JSON.stringify(v.value), type: "enum", info: v.description }));
    const replaceFrom = valueNode && valueNode.name !== "⚠" ? valueNode.from : from;
    return options.length ? { from: replaceFrom, to: valueNode && valueNode.name !== "⚠" ? valueNode.to : ctx.pos, options, validFor: /^"?[\w$-]*"?$/ } : null;
  };
}
