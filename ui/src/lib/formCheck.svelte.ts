/**
 * A schema form's check: the arguments its values build, what could not be converted, and what the schema says
 * about the result (Ajv, loaded when the form opens). Problems whose field is not on screen (a property the form
 * has no control for, the arguments as a whole) are listed apart, so nothing the schema objects to goes unsaid.
 */
import type { JsonValue } from "./bindings";
import { buildArguments, shownPaths, type Problems, type RawObject } from "./schemaForm";
import type { FieldModel } from "./schemaModel";
import { loadValidator, type Validate } from "./validator";

export interface FormCheck {
  value: { [k: string]: JsonValue };
  /** By field path, for the fields on screen. */
  problems: Problems;
  /** What the schema says about anything else: `[path, message]` (`""`: the arguments as a whole). */
  elsewhere: [string, string][];
}

/** Checks a form's values with `validate` (when it has loaded; conversion problems are found either way). */
export function checkForm(validate: Validate | null, fields: FieldModel[], values: RawObject, extra: Record<string, JsonValue> = {}): FormCheck {
  const built = buildArguments(fields, values, extra);
  const { paths, choices } = shownPaths(fields, values);
  const schema = validate ? validate(built.value, choices) : {};
  const problems: Problems = { ...schema, ...built.problems };
  const elsewhere = Object.entries(problems).filter(([path]) => !paths.has(path));
  for (const [path] of elsewhere) delete problems[path];
  return { value: built.value, problems, elsewhere };
}

/** Checks raw JSON arguments: every problem is "elsewhere" (there are no fields). */
export function checkRaw(validate: Validate | null, value: { [k: string]: JsonValue }): [string, string][] {
  return Object.entries(validate ? validate(value) : {});
}

/** "customInputs.startingMRR: Required." (the arguments as a whole have no path). */
export function problemLine([path, message]: [string, string]): string {
  return path ? `${path}: ${message}` : message;
}

/** A form's validator, loaded in the background as the form opens. */
export class SchemaValidator {
  validate = $state<Validate | null>(null);
  #loading: Promise<Validate>;

  constructor(schema: JsonValue | null | undefined) {
    this.#loading = loadValidator(schema);
    this.#loading.then(
      (v) => (this.validate = v),
      (e: unknown) => console.warn("the form's validation could not load; the server checks what it receives", e),
    );
  }

  /** The validator, waiting for it if it is still loading (null if it could not load). */
  async ready(): Promise<Validate | null> {
    try {
      return await this.#loading;
    } catch {
      return null;
    }
  }
}
