import { describe, expect, it } from "vitest";
import { checkForm, checkRaw } from "./formCheck.svelte";
import { buildModel, ChoiceValue, initialValues } from "./schemaForm";
import { compileSchema } from "./validation";

// `get-scenario-data` of @modelcontextprotocol/server-scenario-modeler, as it lists it.
const scenario = {
  type: "object",
  $schema: "https://json-schema.org/draft/2020-12/schema",
  properties: {
    customInputs: {
      description: "Custom scenario parameters to compute projections for",
      type: "object",
      properties: {
        startingMRR: { type: "number" },
        monthlyGrowthRate: { type: "number" },
        monthlyChurnRate: { type: "number" },
        grossMargin: { type: "number" },
        fixedCosts: { type: "number" },
      },
      required: ["startingMRR", "monthlyGrowthRate", "monthlyChurnRate", "grossMargin", "fixedCosts"],
    },
  },
};

describe("a form checked against its schema", () => {
  it("leaves an optional object out until it is added; only then are its fields required", () => {
    const fields = buildModel(scenario);
    const validate = compileSchema(scenario);
    const closed = initialValues(fields);
    expect(closed.customInputs).toBeNull();
    expect(checkForm(validate, fields, closed)).toEqual({ value: {}, problems: {}, elsewhere: [] });
    const opened = { customInputs: { startingMRR: "50000", monthlyGrowthRate: "", monthlyChurnRate: "3", grossMargin: "", fixedCosts: "1" } };
    const check = checkForm(validate, fields, opened);
    expect(check.problems).toEqual({ "customInputs.monthlyGrowthRate": "Required.", "customInputs.grossMargin": "Required." });
    expect(check.elsewhere).toEqual([]);
  });

  it("says what is wrong in words, at the field", () => {
    const schema = {
      type: "object",
      properties: {
        email: { type: "string", format: "email" },
        site: { type: "string", format: "uri" },
        day: { type: "string", format: "date" },
        at: { type: "string", format: "date-time" },
        short: { type: "string", maxLength: 3 },
        code: { type: "string", pattern: "^[A-Z]+$" },
        n: { type: "integer", minimum: 1, maximum: 100 },
        tags: { type: "array", items: { type: "string" }, maxItems: 1 },
      },
      required: ["n"],
    };
    const validate = compileSchema(schema);
    expect(validate({ email: "nope", site: "example", day: "2026-13-40", at: "yesterday", short: "abcd", code: "abc", n: 0, tags: ["a", "b"] })).toEqual({
      email: "Enter an email address, like name@example.com.",
      site: "Enter a full address, like https://example.com.",
      day: "Enter a date as YYYY-MM-DD.",
      at: "Enter a date and time.",
      short: "Enter at most 3 characters.",
      code: "Must match the pattern ^[A-Z]+$.",
      n: "Enter 1 or more.",
      tags: "Give at most 1.",
    });
    expect(validate({})).toEqual({ n: "Required." });
    expect(validate({ email: "a@b.co", site: "https://x.y", day: "2026-01-02", at: "2026-01-02T03:04:05+01:00", n: 100 })).toEqual({});
  });

  it("lists what has no field apart, and keeps to the shape that was picked", () => {
    const schema = {
      type: "object",
      additionalProperties: false,
      properties: {
        shape: {
          oneOf: [
            { type: "object", properties: { kind: { const: "circle" }, r: { type: "number" } }, required: ["kind", "r"] },
            { type: "object", properties: { kind: { const: "square" }, side: { type: "number" } }, required: ["kind", "side"] },
          ],
        },
      },
      required: ["shape"],
    };
    const fields = buildModel(schema);
    const validate = compileSchema(schema);
    const values = { shape: new ChoiceValue(1, { kind: null, side: "" }) };
    const check = checkForm(validate, fields, values, { stray: true });
    // Only what the square needs, not the circle's radius.
    expect(check.problems).toEqual({ "shape.side": "Required." });
    expect(check.elsewhere).toEqual([["", "“stray” is not one of its fields."]]);
    expect(checkRaw(validate, { shape: { kind: "circle", r: 1 } })).toEqual([]);
  });

  it("checks schemas of older drafts, and checks nothing it cannot compile", () => {
    const draft7 = { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { a: { type: "integer" } }, required: ["a"] };
    expect(compileSchema(draft7)({})).toEqual({ a: "Required." });
    expect(compileSchema({ type: "object", properties: { a: { $ref: "#/nowhere" } } })({ a: 1 })).toEqual({});
  });
});
