/**
 * JSON Schema → form. A tool's `inputSchema` (or an elicitation's `requested_schema`) becomes a list of field
 * models; the form keeps what the person typed as raw values (text stays text until it is sent, so a half-typed
 * number is not lost), and `buildArguments` turns them into the JSON object to send, with a problem per field.
 *
 * Supported: string (with format), number, integer, boolean, enums (`enum`, `enumNames`, `oneOf`/`anyOf` of
 * `const` with titles), arrays of primitives, arrays of enums (multi-select), nested objects, local `$ref`s,
 * nullable types. Anything else becomes a raw JSON field.
 */
import type { JsonValue } from "./bindings";
import { jsonProblemText } from "./jsonError";

type Schema = { [key: string]: unknown };

export interface EnumOption {
  /** Stable key for the <select> (the value as JSON). */
  key: string;
  value: JsonValue;
  label: string;
}

interface FieldBase {
  /** The property name. */
  name: string;
  /** Dotted path from the root (`config.depth`), also the `field-<path>` test id. */
  path: string;
  label: string;
  description: string;
  required: boolean;
  /** The schema's `default`, when it has one. */
  default?: JsonValue;
}

export type PrimitiveKind = "string" | "number" | "integer" | "boolean";

export interface StringField extends FieldBase {
  kind: "string";
  format: string | null;
  minLength: number | null;
  maxLength: number | null;
  pattern: string | null;
}
export interface NumberField extends FieldBase {
  kind: "number" | "integer";
  minimum: number | null;
  maximum: number | null;
}
export interface BooleanField extends FieldBase {
  kind: "boolean";
}
export interface EnumField extends FieldBase {
  kind: "enum";
  options: EnumOption[];
}
export interface MultiField extends FieldBase {
  kind: "multi";
  options: EnumOption[];
  minItems: number | null;
  maxItems: number | null;
}
export interface ArrayField extends FieldBase {
  kind: "array";
  item: StringField | NumberField | BooleanField;
  minItems: number | null;
  maxItems: number | null;
}
export interface ObjectField extends FieldBase {
  kind: "object";
  fields: FieldModel[];
}
export interface JsonField extends FieldBase {
  kind: "json";
}

export type FieldModel = StringField | NumberField | BooleanField | EnumField | MultiField | ArrayField | ObjectField | JsonField;

/** What the form holds for a field: text for strings, numbers, enums and JSON; a flag (or unset) for booleans. */
export type RawValue = string | boolean | null | string[] | RawObject;
export interface RawObject {
  [name: string]: RawValue;
}

const MAX_DEPTH = 8;

function isSchema(v: unknown): v is Schema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function text(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** A local `$ref` (`#/$defs/X`, `#/definitions/X`) resolved against the root, or null. */
function lookupRef(ref: string, root: Schema): Schema | null {
  if (!ref.startsWith("#")) return null;
  let node: unknown = root;
  for (const raw of ref.slice(1).split("/").filter(Boolean)) {
    const part = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isSchema(node)) return null;
    node = node[part];
  }
  return isSchema(node) ? node : null;
}

/** The schema with `$ref`, `allOf` and nullable wrappers (`anyOf: [X, {type: null}]`, `type: [X, "null"]`) flattened. */
function normalize(schema: Schema, root: Schema, depth = 0): Schema {
  if (depth > MAX_DEPTH) return {};
  let s = schema;
  if (typeof s.$ref === "string") {
    const target = lookupRef(s.$ref, root);
    const { $ref: _ref, ...rest } = s;
    s = target ? { ...normalize(target, root, depth + 1), ...rest } : rest;
  }
  if (Array.isArray(s.allOf)) {
    const { allOf, ...rest } = s;
    let merged: Schema = {};
    for (const part of allOf) {
      if (!isSchema(part)) continue;
      const n = normalize(part, root, depth + 1);
      merged = {
        ...merged,
        ...n,
        properties: { ...(isSchema(merged.properties) ? merged.properties : {}), ...(isSchema(n.properties) ? n.properties : {}) },
        required: [...(Array.isArray(merged.required) ? merged.required : []), ...(Array.isArray(n.required) ? n.required : [])],
      };
    }
    s = { ...merged, ...rest };
  }
  for (const key of ["anyOf", "oneOf"] as const) {
    const list = s[key];
    if (!Array.isArray(list)) continue;
    const nonNull = list.filter((x) => !(isSchema(x) && x.type === "null"));
    if (nonNull.length === 1 && nonNull.length < list.length && isSchema(nonNull[0])) {
      const { [key]: _drop, ...rest } = s;
      s = { ...normalize(nonNull[0], root, depth + 1), ...rest };
    }
  }
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t) => t !== "null");
    s = { ...s, type: types.length === 1 ? types[0] : undefined };
  }
  return s;
}

/** Enum options from `enum` (+ legacy `enumNames`) or from `oneOf`/`anyOf` lists of `const` with titles. */
function enumOptions(s: Schema): EnumOption[] | null {
  if (Array.isArray(s.enum) && s.enum.length > 0) {
    const names = Array.isArray(s.enumNames) ? s.enumNames : [];
    return s.enum.map((value, i) => ({
      key: JSON.stringify(value),
      value: value as JsonValue,
      label: typeof names[i] === "string" ? (names[i] as string) : typeof value === "string" ? value : JSON.stringify(value),
    }));
  }
  for (const key of ["oneOf", "anyOf"] as const) {
    const list = s[key];
    if (Array.isArray(list) && list.length > 0 && list.every((x) => isSchema(x) && "const" in x)) {
      return (list as Schema[]).map((x) => ({
        key: JSON.stringify(x.const),
        value: x.const as JsonValue,
        label: text(x.title) || (typeof x.const === "string" ? x.const : JSON.stringify(x.const)),
      }));
    }
  }
  return null;
}

function typeOf(s: Schema): string {
  if (typeof s.type === "string") return s.type;
  if (isSchema(s.properties)) return "object";
  if (isSchema(s.items)) return "array";
  return "";
}

function base(name: string, path: string, s: Schema, required: boolean): FieldBase {
  const b: FieldBase = { name, path, label: text(s.title) || name, description: text(s.description), required };
  if ("default" in s && s.default !== undefined) b.default = s.default as JsonValue;
  return b;
}

function primitive(name: string, path: string, s: Schema, required: boolean, type: string): StringField | NumberField | BooleanField | null {
  const b = base(name, path, s, required);
  if (type === "string")
    return {
      ...b,
      kind: "string",
      format: text(s.format) || null,
      minLength: num(s.minLength),
      maxLength: num(s.maxLength),
      pattern: text(s.pattern) || null,
    };
  if (type === "number" || type === "integer")
    return {
      ...b,
      kind: type,
      minimum: num(s.minimum) ?? num(s.exclusiveMinimum),
      maximum: num(s.maximum) ?? num(s.exclusiveMaximum),
    };
  if (type === "boolean") return { ...b, kind: "boolean" };
  return null;
}

function fieldOf(name: string, path: string, raw: Schema, required: boolean, root: Schema, depth: number): FieldModel {
  const s = normalize(raw, root, depth);
  const options = enumOptions(s);
  if (options) return { ...base(name, path, s, required), kind: "enum", options };
  const type = typeOf(s);
  const prim = primitive(name, path, s, required, type);
  if (prim) return prim;
  if (type === "array" && isSchema(s.items) && depth < MAX_DEPTH) {
    const items = normalize(s.items, root, depth + 1);
    const itemOptions = enumOptions(items);
    const common = { ...base(name, path, s, required), minItems: num(s.minItems), maxItems: num(s.maxItems) };
    if (itemOptions) return { ...common, kind: "multi", options: itemOptions };
    const item = primitive(name, path, items, false, typeOf(items));
    if (item) return { ...common, kind: "array", item };
  }
  if (type === "object" && isSchema(s.properties) && Object.keys(s.properties).length > 0 && depth < MAX_DEPTH) {
    return { ...base(name, path, s, required), kind: "object", fields: fieldsOf(s, root, path, depth + 1) };
  }
  return { ...base(name, path, s, required), kind: "json" };
}

function fieldsOf(s: Schema, root: Schema, prefix: string, depth: number): FieldModel[] {
  const props = isSchema(s.properties) ? s.properties : {};
  const required = new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === "string") : []);
  return Object.entries(props).map(([name, p]) =>
    fieldOf(name, prefix ? `${prefix}.${name}` : name, isSchema(p) ? p : {}, required.has(name), root, depth),
  );
}

/** The fields of an object schema (a tool's `inputSchema`); no fields for anything else. */
export function buildModel(schema: JsonValue | undefined | null): FieldModel[] {
  if (!isSchema(schema)) return [];
  const s = normalize(schema, schema);
  if (typeOf(s) !== "object") return [];
  return fieldsOf(s, schema, "", 0);
}

// ---- raw values ------------------------------------------------------------------------------------------------

function primitiveText(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
}

function optionKey(options: EnumOption[], v: JsonValue | undefined): string {
  if (v === undefined) return "";
  const key = JSON.stringify(v);
  return options.some((o) => o.key === key) ? key : "";
}

/** The raw form value showing `v` (a default, or a value from raw JSON) in the field; `undefined` for "nothing". */
export function rawFor(f: FieldModel, v: JsonValue | undefined): RawValue {
  switch (f.kind) {
    case "string":
    case "number":
    case "integer":
      return primitiveText(v);
    case "boolean":
      return typeof v === "boolean" ? v : f.required ? false : null;
    case "enum":
      return optionKey(f.options, v);
    case "multi":
      return Array.isArray(v) ? v.map((x) => optionKey(f.options, x)).filter((k) => k !== "") : [];
    case "array":
      return Array.isArray(v) ? v.map((x) => primitiveText(x)) : [];
    case "object": {
      const obj = typeof v === "object" && v !== null && !Array.isArray(v) ? v : {};
      const out: RawObject = {};
      for (const sub of f.fields) out[sub.name] = rawFor(sub, obj[sub.name] !== undefined ? obj[sub.name] : sub.default);
      return out;
    }
    case "json":
      return v === undefined ? "" : JSON.stringify(v, null, 2);
  }
}

/** The form as it first appears: every field at its schema default, or empty. */
export function initialValues(fields: FieldModel[]): RawObject {
  const out: RawObject = {};
  for (const f of fields) out[f.name] = rawFor(f, f.default);
  return out;
}

/**
 * Raw JSON arguments back into the form (switching from raw mode). Properties the form has no field for are
 * returned in `extra`, so switching back and forth loses nothing.
 */
export function valuesFromJson(fields: FieldModel[], value: JsonValue): { values: RawObject; extra: Record<string, JsonValue> } {
  const obj = typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
  const values: RawObject = {};
  const known = new Set(fields.map((f) => f.name));
  for (const f of fields) values[f.name] = rawFor(f, obj[f.name]);
  const extra: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(obj)) if (!known.has(k) && v !== undefined) extra[k] = v;
  return { values, extra };
}

// ---- building the arguments ------------------------------------------------------------------------------------

export type Problems = Record<string, string>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkString(f: StringField, s: string): string | null {
  const n = [...s].length;
  if (f.minLength !== null && n < f.minLength) return `Enter at least ${f.minLength} characters.`;
  if (f.maxLength !== null && n > f.maxLength) return `Enter at most ${f.maxLength} characters.`;
  if (f.format === "email" && !EMAIL.test(s)) return "Enter an email address, like name@example.com.";
  if (f.format === "uri" || f.format === "url") {
    try {
      new URL(s);
    } catch {
      return "Enter a full address, like https://example.com.";
    }
  }
  if (f.format === "date" && !DATE.test(s)) return "Enter a date as YYYY-MM-DD.";
  if (f.pattern) {
    try {
      if (!new RegExp(f.pattern, "u").test(s)) return `Must match the pattern ${f.pattern}.`;
    } catch {
      /* a pattern JavaScript cannot read is the server's to check */
    }
  }
  return null;
}

function parseNumber(f: NumberField, s: string): { value?: number; problem?: string } {
  const t = s.trim();
  const n = Number(t);
  if (t === "" || !Number.isFinite(n)) return { problem: f.kind === "integer" ? "Enter a whole number." : "Enter a number." };
  if (f.kind === "integer" && !Number.isInteger(n)) return { problem: "Enter a whole number." };
  if (f.minimum !== null && n < f.minimum) return { problem: `Enter ${f.minimum} or more.` };
  if (f.maximum !== null && n > f.maximum) return { problem: `Enter ${f.maximum} or less.` };
  return { value: n };
}

const REQUIRED = "Required.";

function checkCount(f: MultiField | ArrayField, n: number): string | null {
  if (f.minItems !== null && n < f.minItems) return `Give at least ${f.minItems}.`;
  if (f.maxItems !== null && n > f.maxItems) return `Give at most ${f.maxItems}.`;
  return null;
}

/** One field's JSON value (`undefined` when left empty), recording problems under its path. */
function buildField(f: FieldModel, raw: RawValue | undefined, problems: Problems): JsonValue | undefined {
  const missing = () => {
    if (f.required) problems[f.path] = REQUIRED;
    return undefined;
  };
  switch (f.kind) {
    case "string": {
      const s = typeof raw === "string" ? raw : "";
      if (s === "") return missing();
      const p = checkString(f, s);
      if (p) problems[f.path] = p;
      return s;
    }
    case "number":
    case "integer": {
      const s = typeof raw === "string" ? raw : "";
      if (s.trim() === "") return missing();
      const r = parseNumber(f, s);
      if (r.problem) problems[f.path] = r.problem;
      return r.value;
    }
    case "boolean":
      return typeof raw === "boolean" ? raw : missing();
    case "enum": {
      const key = typeof raw === "string" ? raw : "";
      const o = f.options.find((x) => x.key === key);
      return o ? o.value : missing();
    }
    case "multi": {
      const keys = Array.isArray(raw) ? raw : [];
      const chosen = f.options.filter((o) => keys.includes(o.key)).map((o) => o.value);
      if (chosen.length === 0) return missing();
      const p = checkCount(f, chosen.length);
      if (p) problems[f.path] = p;
      return chosen;
    }
    case "array": {
      const items = (Array.isArray(raw) ? raw : []).map((x, i) => ({ x, i })).filter(({ x }) => x.trim() !== "");
      if (items.length === 0) return missing();
      const out: JsonValue[] = [];
      for (const { x, i } of items) {
        const itemPath = `${f.path}.${i}`;
        if (f.item.kind === "string") {
          const p = checkString(f.item, x);
          if (p) problems[itemPath] = p;
          out.push(x);
        } else if (f.item.kind === "boolean") {
          if (x !== "true" && x !== "false") problems[itemPath] = "Enter true or false.";
          out.push(x === "true");
        } else {
          const r = parseNumber(f.item, x);
          if (r.problem) problems[itemPath] = r.problem;
          if (r.value !== undefined) out.push(r.value);
        }
      }
      const p = checkCount(f, out.length);
      if (p) problems[f.path] = p;
      return out;
    }
    case "object": {
      const obj = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? raw : {};
      const out: { [k: string]: JsonValue } = {};
      for (const sub of f.fields) {
        const v = buildField(sub, obj[sub.name], problems);
        if (v !== undefined) out[sub.name] = v;
      }
      if (Object.keys(out).length === 0 && !f.required) return undefined;
      return out;
    }
    case "json": {
      const s = typeof raw === "string" ? raw : "";
      if (s.trim() === "") return missing();
      try {
        return JSON.parse(s) as JsonValue;
      } catch (e) {
        problems[f.path] = `Not valid JSON: ${jsonProblemText(s, e instanceof Error ? e.message : String(e))}.`;
        return undefined;
      }
    }
  }
}

/**
 * The JSON object to send, and a problem per field path (empty when the form is complete). Empty optional fields
 * are left out, so the server applies its own defaults; `extra` (from raw mode) is kept.
 */
export function buildArguments(
  fields: FieldModel[],
  values: RawObject,
  extra: Record<string, JsonValue> = {},
): { value: { [k: string]: JsonValue }; problems: Problems } {
  const problems: Problems = {};
  const value: { [k: string]: JsonValue } = { ...extra };
  for (const f of fields) {
    const v = buildField(f, values[f.name], problems);
    if (v !== undefined) value[f.name] = v;
  }
  return { value, problems };
}

/** Raw-mode text parsed as an arguments object. */
export function parseArgumentsText(textValue: string): { ok: true; value: { [k: string]: JsonValue } } | { ok: false; message: string } {
  if (textValue.trim() === "") return { ok: true, value: {} };
  try {
    const v = JSON.parse(textValue) as JsonValue;
    if (typeof v !== "object" || v === null || Array.isArray(v)) return { ok: false, message: "The arguments are a JSON object, like {\"message\": \"hi\"}." };
    return { ok: true, value: v as { [k: string]: JsonValue } };
  } catch (e) {
    return { ok: false, message: `Not valid JSON: ${jsonProblemText(textValue, e instanceof Error ? e.message : String(e))}.` };
  }
}

/** The HTML input type for a string format. */
export function inputType(f: StringField): "text" | "email" | "url" | "date" {
  switch (f.format) {
    case "email":
      return "email";
    case "uri":
    case "url":
      return "url";
    case "date":
      return "date";
    default:
      return "text";
  }
}

/** A short hint about a field's limits, e.g. "1–100" or "at most 3". */
export function rangeHint(f: FieldModel): string {
  if (f.kind === "number" || f.kind === "integer") {
    if (f.minimum !== null && f.maximum !== null) return `${f.minimum}–${f.maximum}`;
    if (f.minimum !== null) return `≥ ${f.minimum}`;
    if (f.maximum !== null) return `≤ ${f.maximum}`;
  }
  if (f.kind === "multi" || f.kind === "array") {
    if (f.minItems !== null && f.maxItems !== null) return `choose ${f.minItems}–${f.maxItems}`;
    if (f.maxItems !== null) return `at most ${f.maxItems}`;
    if (f.minItems !== null) return `at least ${f.minItems}`;
  }
  return "";
}
