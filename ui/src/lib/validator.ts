/**
 * The door to validation.ts: Ajv is imported on first use (it is most of that module's weight), and each schema is
 * compiled once. Forms ask for their validator when they open and check with it once it is there.
 */
import type { JsonValue } from "./bindings";
import type { Validate } from "./validation";

export type { Validate } from "./validation";

let module: Promise<typeof import("./validation")> | null = null;
const compiled = new WeakMap<object, Promise<Validate>>();

/** The validator for `schema` (a tool's `inputSchema`, an elicitation's `requested_schema`). */
export function loadValidator(schema: JsonValue | null | undefined): Promise<Validate> {
  const key = typeof schema === "object" && schema !== null ? schema : {};
  let found = compiled.get(key);
  if (!found) {
    module ??= import("./validation").catch((e: unknown) => {
      module = null; // a failed load is tried again next time
      throw e;
    });
    found = module.then((m) => m.compileSchema(key as JsonValue));
    found.catch(() => compiled.delete(key));
    compiled.set(key, found);
  }
  return found;
}
