/**
 * What a schema form holds and sends. The form keeps what the person typed as raw values (text stays text until it
 * is sent, so a half-typed number is not lost); `buildArguments` turns them into the JSON to send. An optional
 * object or array is left out until the person adds it (`null` here), and only then do its required fields count;
 * an explicit `null` for a nullable field is `NULL`; the shape picked for a `oneOf`/`anyOf` is a `ChoiceValue`.
 *
 * Building only converts (text to numbers, JSON text to JSON): whether the result is valid is the schema's to say,
 * through Ajv (validation.ts).
 */
import type { JsonValue } from "./bindings";
import { jsonProblemText } from "./jsonError";
import { childPath, type FieldModel, type StringField } from "./schemaModel";

export { buildModel, inputType, rangeHint } from "./schemaModel";
export type { EnumOption, FieldModel } from "./schemaModel";

/** An explicit `null` for a nullable field. */
export class NullValue {
  readonly isNull = true;
}
export const NULL = new NullValue();

/** The shape picked for a choice field, and its value. */
export class ChoiceValue {
  constructor(
    readonly variant: number,
    readonly value: RawValue,
  ) {}
}

export type RawValue = string | boolean | null | NullValue | ChoiceValue | RawValue[] | RawObject;
export interface RawObject {
  [name: string]: RawValue;
}

/** Problems by field path (`""` is the arguments as a whole). */
export type Problems = Record<string, string>;

export function isRawObject(v: RawValue | undefined): v is RawObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof NullValue) && !(v instanceof ChoiceValue);
}

function isJsonObject(v: JsonValue | undefined): v is { [k: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// ---- dates ------------------------------------------------------------------------------------------------------

const pad = (n: number, w = 2) => String(Math.abs(Math.trunc(n))).padStart(w, "0");

/** An RFC 3339 date-time as a `datetime-local` control shows it (local time); other text is kept as it is. */
export function toLocalDateTime(value: string): string {
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(d.getTime())) return value;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** What a `datetime-local` control holds, as RFC 3339 with the local offset (what `format: date-time` asks for). */
export function fromLocalDateTime(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return value;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const offset = -d.getTimezoneOffset();
  const zone = offset === 0 ? "Z" : `${offset > 0 ? "+" : "-"}${pad(offset / 60)}:${pad(offset % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}

// ---- raw values -------------------------------------------------------------------------------------------------

function primitiveText(f: FieldModel, v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return f.kind === "string" && f.format === "date-time" ? toLocalDateTime(v) : v;
  return typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
}

function optionKey(options: { key: string }[], v: JsonValue | undefined): string {
  if (v === undefined) return "";
  const key = JSON.stringify(v);
  return options.some((o) => o.key === key) ? key : "";
}

/** Whether `v` has the shape `f` takes (for picking the shape of a choice that shows it). */
function fits(f: FieldModel, v: JsonValue): boolean {
  switch (f.kind) {
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "boolean":
      return typeof v === "boolean";
    case "enum":
      return optionKey(f.options, v) !== "";
    case "const":
      return JSON.stringify(f.value) === JSON.stringify(v);
    case "multi":
    case "array":
      return Array.isArray(v);
    case "object":
      return isJsonObject(v) && f.fields.every((sub) => sub.kind !== "const" || v[sub.name] === undefined || fits(sub, v[sub.name]));
    case "choice":
      return f.variants.some((x) => fits(x.field, v));
    case "json":
      return true;
  }
}

/** The raw form value showing `v` (a default, or a value from raw JSON) in the field; `undefined` is "nothing". */
export function rawFor(f: FieldModel, v: JsonValue | undefined): RawValue {
  if (v === null && f.nullable) return NULL;
  switch (f.kind) {
    case "string":
    case "number":
    case "integer":
      return primitiveText(f, v);
    case "boolean":
      return typeof v === "boolean" ? v : f.required ? false : null;
    case "enum":
      return optionKey(f.options, v);
    case "const":
      return null;
    case "multi":
      return Array.isArray(v) ? v.map((x) => optionKey(f.options, x)).filter((k) => k !== "") : [];
    case "array":
      if (Array.isArray(v)) return v.map((x) => rawFor(f.item, x));
      return f.required ? [] : null;
    case "object": {
      if (!isJsonObject(v) && !f.required) return null;
      const obj = isJsonObject(v) ? v : {};
      const out: RawObject = {};
      for (const sub of f.fields) out[sub.name] = rawFor(sub, obj[sub.name] !== undefined ? obj[sub.name] : sub.default);
      return out;
    }
    case "choice": {
      if (v === undefined && !f.required) return null;
      const index = v === undefined ? 0 : Math.max(0, f.variants.findIndex((x) => fits(x.field, v)));
      return new ChoiceValue(index, rawFor(f.variants[index].field, v ?? f.variants[index].field.default));
    }
    case "json":
      return v === undefined ? "" : JSON.stringify(v, null, 2);
  }
}

/** The form as it first appears: every field at its schema default, or empty (optional objects left out). */
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
  const obj = isJsonObject(value) ? value : {};
  const values: RawObject = {};
  const known = new Set(fields.map((f) => f.name));
  for (const f of fields) values[f.name] = rawFor(f, obj[f.name]);
  const extra: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(obj)) if (!known.has(k) && v !== undefined) extra[k] = v;
  return { values, extra };
}

// ---- building the arguments -------------------------------------------------------------------------------------

function parseNumber(f: FieldModel, s: string): { value?: number; problem?: string } {
  const t = s.trim();
  const n = Number(t);
  if (t === "" || !Number.isFinite(n)) return { problem: f.kind === "integer" ? "Enter a whole number." : "Enter a number." };
  return { value: n };
}

function stringValue(f: StringField, s: string): string {
  return f.format === "date-time" ? fromLocalDateTime(s) : s;
}

/** One field's JSON value (`undefined` when left out), recording what could not be converted under its path. */
export function buildField(f: FieldModel, raw: RawValue | undefined, path: string, problems: Problems): JsonValue | undefined {
  if (raw instanceof NullValue) return f.nullable ? null : undefined;
  switch (f.kind) {
    case "string": {
      const s = typeof raw === "string" ? raw : "";
      return s === "" ? undefined : stringValue(f, s);
    }
    case "number":
    case "integer": {
      const s = typeof raw === "string" ? raw : "";
      if (s.trim() === "") return undefined;
      const r = parseNumber(f, s);
      if (r.problem) problems[path] = r.problem;
      return r.value;
    }
    case "boolean":
      return typeof raw === "boolean" ? raw : undefined;
    case "enum": {
      const key = typeof raw === "string" ? raw : "";
      return f.options.find((x) => x.key === key)?.value;
    }
    case "const":
      return f.value;
    case "multi": {
      const keys = Array.isArray(raw) ? raw : [];
      const chosen = f.options.filter((o) => keys.includes(o.key)).map((o) => o.value);
      return chosen.length === 0 ? undefined : chosen;
    }
    case "array": {
      if (!Array.isArray(raw)) return undefined;
      const out: JsonValue[] = [];
      raw.forEach((item, i) => {
        // An empty row of a list of texts or numbers is not an item.
        if (typeof item === "string" && item.trim() === "" && f.item.kind !== "json") return;
        const v = buildField(f.item, item, childPath(path, i), problems);
        if (v !== undefined) out.push(v);
      });
      return out;
    }
    case "object": {
      if (!isRawObject(raw)) return undefined;
      const out: { [k: string]: JsonValue } = {};
      for (const sub of f.fields) {
        const v = buildField(sub, raw[sub.name], childPath(path, sub.name), problems);
        if (v !== undefined) out[sub.name] = v;
      }
      return out;
    }
    case "choice": {
      if (!(raw instanceof ChoiceValue)) return undefined;
      const variant = f.variants[raw.variant];
      return variant ? buildField(variant.field, raw.value, path, problems) : undefined;
    }
    case "json": {
      const s = typeof raw === "string" ? raw : "";
      if (s.trim() === "") return undefined;
      try {
        return JSON.parse(s) as JsonValue;
      } catch (e) {
        problems[path] = `Not valid JSON: ${jsonProblemText(s, e instanceof Error ? e.message : String(e))}.`;
        return undefined;
      }
    }
  }
}

/**
 * The JSON object to send, and what could not be converted (by field path). Empty optional fields are left out,
 * so the server applies its own defaults; `extra` (from raw mode) is kept.
 */
export function buildArguments(
  fields: FieldModel[],
  values: RawObject,
  extra: Record<string, JsonValue> = {},
): { value: { [k: string]: JsonValue }; problems: Problems } {
  const problems: Problems = {};
  const value: { [k: string]: JsonValue } = { ...extra };
  for (const f of fields) {
    const v = buildField(f, values[f.name], f.name, problems);
    if (v !== undefined) value[f.name] = v;
  }
  return { value, problems };
}

/** The paths that have a control on screen now, and the shape picked at each choice (for validation.ts). */
export function shownPaths(fields: FieldModel[], values: RawObject): { paths: Set<string>; choices: Map<string, number> } {
  const paths = new Set<string>();
  const choices = new Map<string, number>();
  const walk = (f: FieldModel, raw: RawValue | undefined, path: string) => {
    paths.add(path);
    if (f.kind === "object" && isRawObject(raw)) for (const sub of f.fields) walk(sub, raw[sub.name], childPath(path, sub.name));
    if (f.kind === "array" && Array.isArray(raw)) raw.forEach((item, i) => walk(f.item, item, childPath(path, i)));
    if (f.kind === "choice" && raw instanceof ChoiceValue && f.variants[raw.variant]) {
      choices.set(path, raw.variant);
      walk(f.variants[raw.variant].field, raw.value, path);
    }
  };
  for (const f of fields) walk(f, values[f.name], f.name);
  return { paths, choices };
}

/** Raw-mode text parsed as an arguments object. */
export function parseArgumentsText(textValue: string): { ok: true; value: { [k: string]: JsonValue } } | { ok: false; message: string } {
  if (textValue.trim() === "") return { ok: true, value: {} };
  try {
    const v = JSON.parse(textValue) as JsonValue;
    if (!isJsonObject(v)) return { ok: false, message: "The arguments are a JSON object, like {\"message\": \"hi\"}." };
    return { ok: true, value: v };
  } catch (e) {
    return { ok: false, message: `Not valid JSON: ${jsonProblemText(textValue, e instanceof Error ? e.message : String(e))}.` };
  }
}
