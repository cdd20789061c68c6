/**
 * JSON Schema validation (JSON Schema 2020-12 and the older drafts tools still name) with @cfworker/json-schema,
 * its errors in words a person reads, each under the path of the field it belongs to. Not Ajv: Ajv compiles every
 * schema to code with `new Function`, which the window's content security policy refuses (`script-src 'self'`, no
 * `'unsafe-eval'`: the window holds the IPC bridge, so it never evaluates strings), and a schema that does not
 * compile would check nothing. @cfworker/json-schema interprets the schema (it is the validator the MCP TypeScript
 * SDK offers where code generation is not allowed). Load this module through `validator.ts`, which imports it on
 * first use, so the first screen does not wait for it.
 */
import { Validator, type OutputUnit, type Schema } from "@cfworker/json-schema";
import type { JsonValue } from "./bindings";
import type { Problems } from "./schemaForm";
import { childPath } from "./schemaModel";

/** Checks a value: a problem per field path (`""`: the value as a whole); empty when it is valid. */
export type Validate = (value: unknown, choices?: ReadonlyMap<string, number>) => Problems;

/** One thing wrong with a value, as the rest of this module reads it. */
export type SchemaError = {
  keyword: string;
  /** JSON pointer to the value (`""`: the whole). */
  instancePath: string;
  /** JSON pointer to the keyword in the schema. */
  schemaPath: string;
  /** What the keyword asked for: `limit`, `pattern`, `format`, `type`, `allowedValue`, `missingProperty`… */
  params: Record<string, unknown>;
  message: string;
};

/** Keywords whose failure only says that something inside failed (which has its own error). */
const WRAPPERS = new Set(["properties", "patternProperties", "items", "prefixItems", "additionalItems", "allOf", "$ref", "$dynamicRef", "$recursiveRef", "dependentSchemas", "if", "then", "else", "not-applicable"]);

const DRAFTS: Record<string, "4" | "7" | "2019-09" | "2020-12"> = {
  "http://json-schema.org/draft-04/schema#": "4",
  "http://json-schema.org/draft-06/schema#": "7",
  "http://json-schema.org/draft-07/schema#": "7",
  "https://json-schema.org/draft/2019-09/schema": "2019-09",
};

function pointerOf(location: string): string {
  return location.replace(/^#/, "");
}

/** The value at a JSON pointer in `root` (what a keyword asked for). */
function at(root: unknown, pointer: string): unknown {
  let here = root;
  for (const part of pointer.split("/").slice(1)) {
    if (typeof here !== "object" || here === null) return undefined;
    here = (here as Record<string, unknown>)[decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return here;
}

const quoted = (text: string) => /"([^"]*)"/.exec(text)?.[1];

/** A validator's output unit, with what its keyword asked for read from the schema. */
function errorOf(unit: OutputUnit, schema: unknown): SchemaError {
  const schemaPath = pointerOf(unit.keywordLocation);
  const asked = at(schema, schemaPath);
  const params: Record<string, unknown> = { limit: asked, pattern: asked, format: asked, multipleOf: asked, allowedValue: asked };
  params.type = Array.isArray(asked) ? asked.join(",") : asked;
  if (unit.keyword === "required") params.missingProperty = quoted(unit.error);
  if (unit.keyword === "additionalProperties") params.additionalProperty = quoted(unit.error);
  return { keyword: unit.keyword, instancePath: pointerOf(unit.instanceLocation), schemaPath, params, message: unit.error };
}

/** The leaf errors: no wrapper, and no `false` schema standing for a property `additionalProperties` already named. */
function leafErrors(units: OutputUnit[], schema: unknown): SchemaError[] {
  const errors = units.filter((u) => !WRAPPERS.has(u.keyword)).map((u) => errorOf(u, schema));
  const extra = new Set(errors.filter((e) => e.keyword === "additionalProperties").map((e) => `${e.instancePath}/${String(e.params.additionalProperty)}`));
  return errors.filter((e) => !(e.keyword === "false" && extra.has(e.instancePath)));
}

/**
 * Compiles `schema` once. A schema that cannot be read (a pattern JavaScript cannot read, a broken `$ref`) checks
 * nothing: the server still checks what it receives.
 */
export function compileSchema(schema: JsonValue): Validate {
  // A copy: the validator notes resolved URIs on the schema objects it is given, and the form's schema is the
  // window's (reactive, or frozen) state.
  const root: Record<string, unknown> =
    typeof schema === "object" && schema !== null && !Array.isArray(schema) ? (JSON.parse(JSON.stringify(schema)) as Record<string, unknown>) : {};
  const named = typeof root.$schema === "string" ? DRAFTS[root.$schema] : undefined;
  let validator: Validator;
  try {
    validator = new Validator(root as Schema, named ?? "2020-12", false);
  } catch (e) {
    console.warn("this schema cannot be checked here; the server will check the arguments", e);
    return () => ({});
  }
  return (value, choices = new Map()) => {
    try {
      const result = validator.validate(value);
      return result.valid ? {} : problemsOf(leafErrors(result.errors, root), choices);
    } catch (e) {
      console.warn("this schema cannot be checked here; the server will check the arguments", e);
      return {};
    }
  };
}

/** `/a/0/b~1c` → `a.0.b/c`. */
function pathOf(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, part) => childPath(acc, part), "");
}

function errorPath(e: SchemaError): string {
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

/** An error as a sentence for the field it is shown under. */
export function messageFor(e: SchemaError): string {
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
 * The errors as problems by path: one per path (the first), leaving out what the shapes the person did not pick
 * would have wanted (`choices`: the shape picked at each choice's path).
 */
export function problemsOf(errors: SchemaError[], choices: ReadonlyMap<string, number>): Problems {
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
