/**
 * JSON Schema → form fields. A tool's `inputSchema` (or an elicitation's `requested_schema`) becomes a list of field
 * models, one control each: strings (with `format`: date, date-time, uri, email), numbers, booleans, enums (`enum`,
 * `enumNames`, `oneOf`/`anyOf` of `const` with titles), `const`, arrays (of anything, objects included; of enums:
 * a multi-select), nested objects, choices between shapes (`oneOf`/`anyOf`), local `$ref`s, `allOf`, and nullable
 * types (`type: [X, "null"]`, `anyOf: [X, {type: "null"}]`). Anything else is a raw JSON field.
 *
 * The models describe controls only: what is valid is the schema's to say, checked with Ajv (validation.ts).
 */
import type { JsonValue } from "./bindings";

export type Schema = { [key: string]: unknown };

export interface EnumOption {
  /** Stable key for the <select> (the value as JSON). */
  key: string;
  value: JsonValue;
  label: string;
}

interface FieldBase {
  /** The property name (for an array's item, the array's). */
  name: string;
  label: string;
  description: string;
  required: boolean;
  /** The schema allows `null` too: the control offers to send it. */
  nullable: boolean;
  /** The schema's `default`, when it has one. */
  default?: JsonValue;
}

export interface StringField extends FieldBase {
  kind: "string";
  format: string | null;
  minLength: number | null;
  maxLength: number | null;
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
export interface ConstField extends FieldBase {
  kind: "const";
  value: JsonValue;
}
export interface MultiField extends FieldBase {
  kind: "multi";
  options: EnumOption[];
  minItems: number | null;
  maxItems: number | null;
}
export interface ArrayField extends FieldBase {
  kind: "array";
  item: FieldModel;
  minItems: number | null;
  maxItems: number | null;
}
export interface ObjectField extends FieldBase {
  kind: "object";
  fields: FieldModel[];
}
export interface ChoiceField extends FieldBase {
  kind: "choice";
  variants: { label: string; field: FieldModel }[];
}
export interface JsonField extends FieldBase {
  kind: "json";
}

export type FieldModel =
  | StringField
  | NumberField
  | BooleanField
  | EnumField
  | ConstField
  | MultiField
  | ArrayField
  | ObjectField
  | ChoiceField
  | JsonField;

const MAX_DEPTH = 8;

export function isSchema(v: unknown): v is Schema {
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

const isNullSchema = (x: unknown) => isSchema(x) && (x.type === "null" || (x.const === null && Object.keys(x).length === 1));

/**
 * The schema with `$ref` and `allOf` flattened and a nullable wrapper (`anyOf: [X, {type: null}]`,
 * `type: [X, "null"]`) unwrapped; `nullable` says whether one was.
 */
function normalize(schema: Schema, root: Schema, depth = 0): { s: Schema; nullable: boolean } {
  if (depth > MAX_DEPTH) return { s: {}, nullable: false };
  let s = schema;
  let nullable = false;
  if (typeof s.$ref === "string") {
    const target = lookupRef(s.$ref, root);
    const { $ref: _ref, ...rest } = s;
    if (target) {
      const inner = normalize(target, root, depth + 1);
      nullable ||= inner.nullable;
      s = { ...inner.s, ...rest };
    } else s = rest;
  }
  if (Array.isArray(s.allOf)) {
    const { allOf, ...rest } = s;
    let merged: Schema = {};
    for (const part of allOf) {
      if (!isSchema(part)) continue;
      const n = normalize(part, root, depth + 1).s;
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
    if (!Array.isArray(list) || !list.some(isNullSchema)) continue;
    nullable = true;
    const others = list.filter((x) => !isNullSchema(x));
    const { [key]: _drop, ...rest } = s;
    if (others.length === 1 && isSchema(others[0])) {
      const inner = normalize(others[0], root, depth + 1);
      s = { ...inner.s, ...rest };
    } else s = { ...rest, [key]: others };
  }
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t) => t !== "null");
    if (types.length < s.type.length) nullable = true;
    s = { ...s, type: types.length === 1 ? types[0] : undefined };
  }
  return { s, nullable };
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

function base(name: string, s: Schema, required: boolean, nullable: boolean): FieldBase {
  const b: FieldBase = { name, label: text(s.title) || name, description: text(s.description), required, nullable };
  if ("default" in s && s.default !== undefined) b.default = s.default as JsonValue;
  return b;
}

/** A label for one shape of a choice: its title, its constant tag (`type: "circle"`), else its kind. */
function variantLabel(s: Schema, field: FieldModel, index: number): string {
  if (text(s.title)) return text(s.title);
  if (field.kind === "object") {
    const tag = field.fields.find((f) => f.kind === "const" && typeof f.value === "string");
    if (tag && tag.kind === "const") return String(tag.value);
  }
  const kinds: Record<string, string> = { string: "Text", number: "Number", integer: "Whole number", boolean: "Yes/no", array: "List", object: "Object", json: "JSON" };
  return kinds[field.kind] ?? `Option ${index + 1}`;
}

function fieldOf(name: string, raw: Schema, required: boolean, root: Schema, depth: number): FieldModel {
  const { s, nullable } = normalize(raw, root, depth);
  const b = () => base(name, s, required, nullable);
  if ("const" in s) return { ...b(), kind: "const", value: s.const as JsonValue };
  const options = enumOptions(s);
  if (options) return { ...b(), kind: "enum", options };
  for (const key of ["oneOf", "anyOf"] as const) {
    const list = s[key];
    if (Array.isArray(list) && list.length > 1 && depth < MAX_DEPTH) {
      const variants = list.filter(isSchema).map((v, i) => {
        // Each shape sees the properties the field declares beside the choice.
        const { [key]: _drop, ...shared } = s;
        const merged = normalize({ ...shared, ...v }, root, depth + 1).s;
        const field = fieldOf(name, merged, required, root, depth + 1);
        return { label: variantLabel(merged, field, i), field };
      });
      return { ...b(), kind: "choice", variants };
    }
  }
  const type = typeOf(s);
  if (type === "string")
    return { ...b(), kind: "string", format: text(s.format) || null, minLength: num(s.minLength), maxLength: num(s.maxLength) };
  if (type === "number" || type === "integer")
    return { ...b(), kind: type, minimum: num(s.minimum) ?? num(s.exclusiveMinimum), maximum: num(s.maximum) ?? num(s.exclusiveMaximum) };
  if (type === "boolean") return { ...b(), kind: "boolean" };
  if (type === "array" && isSchema(s.items) && depth < MAX_DEPTH) {
    const items = normalize(s.items, root, depth + 1).s;
    const itemOptions = enumOptions(items);
    const common = { ...b(), minItems: num(s.minItems), maxItems: num(s.maxItems) };
    if (itemOptions) return { ...common, kind: "multi", options: itemOptions };
    return { ...common, kind: "array", item: fieldOf(name, items, true, root, depth + 1) };
  }
  if (type === "object" && isSchema(s.properties) && Object.keys(s.properties).length > 0 && depth < MAX_DEPTH) {
    return { ...b(), kind: "object", fields: fieldsOf(s, root, depth + 1) };
  }
  return { ...b(), kind: "json" };
}

function fieldsOf(s: Schema, root: Schema, depth: number): FieldModel[] {
  const props = isSchema(s.properties) ? s.properties : {};
  const required = new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === "string") : []);
  return Object.entries(props).map(([name, p]) => fieldOf(name, isSchema(p) ? p : {}, required.has(name), root, depth));
}

/** The fields of an object schema (a tool's `inputSchema`); no fields for anything else. */
export function buildModel(schema: JsonValue | undefined | null): FieldModel[] {
  if (!isSchema(schema)) return [];
  const { s } = normalize(schema, schema);
  if (typeOf(s) !== "object") return [];
  return fieldsOf(s, schema, 0);
}

/** The path of a field inside its parent's (`config.depth`, `rows.0.name`): also its `field-<path>` test id. */
export function childPath(parent: string, name: string | number): string {
  return parent ? `${parent}.${name}` : String(name);
}

/** The HTML input type for a string format. */
export function inputType(f: StringField): "text" | "email" | "url" | "date" | "datetime-local" {
  switch (f.format) {
    case "email":
      return "email";
    case "uri":
    case "url":
      return "url";
    case "date":
      return "date";
    case "date-time":
      return "datetime-local";
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
    if (f.minItems !== null && f.maxItems !== null) return `${f.minItems}–${f.maxItems} items`;
    if (f.maxItems !== null) return `at most ${f.maxItems}`;
    if (f.minItems !== null) return `at least ${f.minItems}`;
  }
  return "";
}
