/**
 * JSON Schema validation with Ajv (JSON Schema 2020-12, formats from ajv-formats), its errors in words a person
 * reads, each under the path of the field it belongs to. Ajv is large: load this module through `validator.ts`,
 * which imports it on first use, so the first screen does not wait for it.
 */
import Ajv2020, { type ErrorObject } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { JsonValue } from "./bindings";
import type { Problems } from "./schemaForm";
import { childPath } from "./schemaModel";

/** Checks a value: a problem per field path (`""`: the value as a whole); empty when it is valid. */
export type Validate = (value: unknown, choices?: ReadonlyMap<string, number>) => Problems;

const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false, discriminator: false });
addFormats(ajv);

/** A copy of the schema Ajv can compile whatever draft it names (the keywords tools use mean the same here). */
function compilable(schema: JsonValue): object {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return {};
  const { $schema: _draft, $id: _id, ...rest } = schema;
  return rest;
}

/**
 * Compiles `schema` once. A schema Ajv cannot compile (a pattern JavaScript cannot read, a broken `$ref`) checks
 * nothing: the server still checks what it receives.
 */
export function compileSchema(schema: JsonValue): Validate {
  let check: ReturnType<typeof ajv.compile>;
  try {
    check = ajv.compile(compilable(schema));
  } catch (e) {
    console.warn("this schema cannot be checked here; the server will check the arguments", e);
    return () => ({});
  }
  return (value, choices = new Map()) => (check(value) ? {} : problemsOf(check.errors ?? [], choices));
}

/** `/a/0/b~1c` → `a.0.b/c`. */
function pathOf(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, part) => childPath(acc, part), "");
}

function errorPath(e: ErrorObject): string {
  const path = pathOf(e.instancePath);
  if (e.keyword === "required" && typeof e.params.missingProperty === "string") return childPath(path, e.params.missingProperty);
  return path;
}

const TYPES: Record<string, string> = {
  string: "text",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  null: "empty (null)",
};

const FORMATS: Record<string, string> = {
  email: "Enter an email address, like name@example.com.",
  uri: "Enter a full address, like https://example.com.",
  url: "Enter a full address, like https://example.com.",
  date: "Enter a date as YYYY-MM-DD.",
  "date-time": "Enter a date and time.",
  time: "Enter a time, like 14:30:00Z.",
  uuid: "Enter a UUID.",
};

/** One of Ajv's errors as a sentence for the field it is shown under. */
export function messageFor(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return "Required.";
    case "minimum":
      return `Enter ${String(p.limit)} or more.`;
    case "exclusiveMinimum":
      return `Enter more than ${String(p.limit)}.`;
    case "maximum":
      return `Enter ${String(p.limit)} or less.`;
    case "exclusiveMaximum":
      return `Enter less than ${String(p.limit)}.`;
    case "multipleOf":
      return `Enter a multiple of ${String(p.multipleOf)}.`;
    case "minLength":
      return `Enter at least ${String(p.limit)} character${p.limit === 1 ? "" : "s"}.`;
    case "maxLength":
      return `Enter at most ${String(p.limit)} characters.`;
    case "pattern":
      return `Must match the pattern ${String(p.pattern)}.`;
    case "format":
      return FORMATS[String(p.format)] ?? `Enter a valid ${String(p.format)}.`;
    case "type": {
      const types = String(p.type).split(",").map((t) => TYPES[t] ?? t);
      return `Must be ${types.join(" or ")}.`;
    }
    case "enum":
      return "Choose one of the options.";
    case "const":
      return `Must be ${JSON.stringify(p.allowedValue)}.`;
    case "minItems":
      return `Give at least ${String(p.limit)}.`;
    case "maxItems":
      return `Give at most ${String(p.limit)}.`;
    case "uniqueItems":
      return "Each item must be different.";
    case "additionalProperties":
      return `“${String(p.additionalProperty)}” is not one of its fields.`;
    case "oneOf":
    case "anyOf":
      return "Doesn't match any of the allowed shapes.";
    default: {
      const m = e.message ?? "is not valid";
      return `${m.charAt(0).toUpperCase()}${m.slice(1)}.`;
    }
  }
}

/** The last `oneOf/<i>` or `anyOf/<i>` a schema path went through, or null. */
function branchOf(schemaPath: string): number | null {
  const all = [...schemaPath.matchAll(/\/(?:oneOf|anyOf)\/(\d+)(?:\/|$)/g)];
  return all.length ? Number(all[all.length - 1][1]) : null;
}

const under = (path: string, prefix: string) => path === prefix || prefix === "" || path.startsWith(`${prefix}.`);

/**
 * Ajv's errors as problems by path: one per path (the first), leaving out what the shapes the person did not pick
 * would have wanted (`choices`: the shape picked at each choice's path).
 */
export function problemsOf(errors: ErrorObject[], choices: ReadonlyMap<string, number>): Problems {
  const picked = [...choices.entries()].sort((a, b) => b[0].length - a[0].length);
  const relevant = errors.filter((e) => {
    const path = errorPath(e);
    const choice = picked.find(([p]) => under(path, p));
    const branch = branchOf(e.schemaPath);
    return !(choice && branch !== null && branch !== choice[1]);
  });
  const problems: Problems = {};
  for (const e of relevant) {
    const path = errorPath(e);
    // "Matches none of the shapes" says nothing more when a field of the shape says what is wrong.
    if ((e.keyword === "oneOf" || e.keyword === "anyOf") && relevant.some((o) => o !== e && o.keyword !== e.keyword && under(errorPath(o), path))) continue;
    problems[path] ??= messageFor(e);
  }
  return problems;
}
