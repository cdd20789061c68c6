/**
 * A server registration checked against the exported registration schema (registration.schema.json, written by
 * `make bindings` from crates/atrium-mcp) with Ajv, as the person types in the JSON editor. The backend's
 * `serverValidate` still has the last word (it also checks what a schema cannot say, like a URL's host); where both
 * speak about one field, the backend's words are kept. The validator is Ajv's code generated at build time (see
 * vite.config.ts: the window's CSP refuses Ajv's run-time compile). Loaded on first use, never on the first screen.
 */
import type { ErrorObject } from "ajv/dist/2020";
import check from "virtual:registration-validate";
import schema from "./registration.schema.json";

/** The schema, for completion. */
export const registrationSchema: object = schema;

const TYPES: Record<string, string> = { string: "text", integer: "a whole number", boolean: "true or false", array: "a list", object: "an object", null: "null" };

const pathOf = (pointer: string) =>
  pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".");

const under = (path: string, prefix: string) => path === prefix || prefix === "" || path.startsWith(`${prefix}.`);

const ENUMS = (e: ErrorObject) => ((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(", ");

function sentence(e: ErrorObject): string {
  switch (e.keyword) {
    case "required":
      return `Add "${String((e.params as { missingProperty: string }).missingProperty)}".`;
    case "enum":
      return `Use one of ${ENUMS(e)}.`;
    case "pattern":
      return "This value does not have the expected form.";
    case "propertyNames":
      return "A name uses letters, digits and _ and does not start with a digit.";
    case "type":
      return `Must be ${String((e.params as { type: string }).type).split(",").map((t) => TYPES[t] ?? t).join(" or ")}.`;
    case "minimum":
    case "maximum":
      return `A time limit is a whole number of milliseconds from 100 to 3600000.`;
    case "minLength":
      return "Must not be empty.";
    case "oneOf":
    case "anyOf":
      return "Doesn't match any of the allowed shapes.";
    case "not":
      return "Give one of these fields, not both.";
    default: {
      const m = e.message ?? "is not valid";
      return `${m.charAt(0).toUpperCase()}${m.slice(1)}.`;
    }
  }
}

/** What the schema says about `value`, as `[dotted path, message]` (`""`: the whole registration). */
export function schemaProblems(value: unknown): [string, string][] {
  if (check(value)) return [];
  const errors = (check.errors ?? []).filter((e) => e.keyword !== "if");
  const out: [string, string][] = [];
  for (const e of errors) {
    const path = e.keyword === "propertyNames" ? `${pathOf(e.instancePath)}.${String((e.params as { propertyName: string }).propertyName)}` : pathOf(e.instancePath);
    // "matches none of the shapes" says nothing more when something inside it says what is wrong.
    if (["oneOf", "anyOf", "not"].includes(e.keyword) && errors.some((o) => o !== e && !["oneOf", "anyOf", "not"].includes(o.keyword) && under(pathOf(o.instancePath), path))) continue;
    const message = sentence(e);
    if (!out.some(([p, m]) => p === path && m === message)) out.push([path, message]);
  }
  return out;
}

/** Both voices on one list: the backend's problems, then the schema's on paths the backend said nothing about. */
export function mergedProblems(schemaSays: readonly [string, string][], backendSays: readonly { field: string; message: string }[]): [string, string][] {
  const backend = backendSays.filter((p) => p.field !== "title").map((p): [string, string] => [p.field === "registration" ? "" : p.field, p.message]);
  const spoken = new Set(backend.map(([p]) => p));
  return [...backend, ...schemaSays.filter(([p]) => !spoken.has(p))];
}
