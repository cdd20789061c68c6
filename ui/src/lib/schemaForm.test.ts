import { describe, expect, it } from "vitest";
import type { JsonValue } from "./bindings";
import {
  buildArguments,
  buildModel,
  initialValues,
  inputType,
  parseArgumentsText,
  rangeHint,
  valuesFromJson,
  type FieldModel,
} from "./schemaForm";

const echo = { type: "object", properties: { message: { type: "string", description: "Message to echo" } }, required: ["message"] };

function field(fields: FieldModel[], name: string): FieldModel {
  const f = fields.find((x) => x.name === name);
  if (!f) throw new Error(`no field ${name}`);
  return f;
}

describe("buildModel", () => {
  it("reads primitive properties with labels, hints and required marks", () => {
    const fields = buildModel({
      type: "object",
      properties: {
        message: { type: "string", title: "Message", description: "What to say" },
        count: { type: "integer", minimum: 1, maximum: 10 },
        ratio: { type: "number" },
        loud: { type: "boolean" },
      },
      required: ["message"],
    });
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ["message", "string", true],
      ["count", "integer", false],
      ["ratio", "number", false],
      ["loud", "boolean", false],
    ]);
    expect(field(fields, "message").label).toBe("Message");
    expect(field(fields, "message").description).toBe("What to say");
    expect(field(fields, "count").label).toBe("count");
    expect(rangeHint(field(fields, "count"))).toBe("1–10");
  });

  it("turns enums, enumNames and oneOf consts into options", () => {
    const fields = buildModel({
      type: "object",
      properties: {
        color: { type: "string", enum: ["red", "green"] },
        pet: { type: "string", enum: ["p1", "p2"], enumNames: ["Cats", "Dogs"] },
        hero: { type: "string", oneOf: [{ const: "h1", title: "Superman" }, { const: "h2", title: "Batman" }] },
        fish: { type: "array", items: { anyOf: [{ const: "f1", title: "Tuna" }, { const: "f2", title: "Salmon" }] }, maxItems: 2 },
      },
    });
    const labels = (n: string) => {
      const f = field(fields, n);
      return f.kind === "enum" || f.kind === "multi" ? f.options.map((o) => o.label) : null;
    };
    expect(field(fields, "color").kind).toBe("enum");
    expect(labels("color")).toEqual(["red", "green"]);
    expect(labels("pet")).toEqual(["Cats", "Dogs"]);
    expect(labels("hero")).toEqual(["Superman", "Batman"]);
    expect(field(fields, "fish").kind).toBe("multi");
    expect(labels("fish")).toEqual(["Tuna", "Salmon"]);
  });

  it("handles arrays of primitives, nested objects, $refs and nullable types", () => {
    const fields = buildModel({
      type: "object",
      $defs: { Point: { type: "object", properties: { x: { type: "number" }, y: { type: "number" } }, required: ["x"] } },
      properties: {
        tags: { type: "array", items: { type: "string" } },
        at: { $ref: "#/$defs/Point" },
        note: { anyOf: [{ type: "string" }, { type: "null" }] },
        level: { type: ["integer", "null"] },
        blob: { type: "array", items: { type: "object", properties: { a: { type: "string" } } } },
        free: { type: "object" },
      },
    });
    const at = field(fields, "at");
    expect(at.kind).toBe("object");
    if (at.kind === "object") {
      expect(at.fields.map((f) => [f.path, f.required])).toEqual([
        ["at.x", true],
        ["at.y", false],
      ]);
    }
    expect(field(fields, "tags").kind).toBe("array");
    expect(field(fields, "note").kind).toBe("string");
    expect(field(fields, "level").kind).toBe("integer");
    expect(field(fields, "blob").kind).toBe("json");
    expect(field(fields, "free").kind).toBe("json");
  });

  it("gives no fields for schemas without properties, and survives cycles", () => {
    expect(buildModel(null)).toEqual([]);
    expect(buildModel({ type: "object" })).toEqual([]);
    expect(buildModel("nope" as JsonValue)).toEqual([]);
    const cyclic = { type: "object", properties: { self: { $ref: "#" } } };
    expect(() => buildModel(cyclic)).not.toThrow();
  });

  it("picks input types from string formats", () => {
    const fields = buildModel({
      type: "object",
      properties: { e: { type: "string", format: "email" }, u: { type: "string", format: "uri" }, d: { type: "string", format: "date" } },
    });
    expect(fields.map((f) => (f.kind === "string" ? inputType(f) : null))).toEqual(["email", "url", "date"]);
  });
});

describe("defaults", () => {
  it("pre-fills every field from its default, including nested ones", () => {
    const fields = buildModel({
      type: "object",
      properties: {
        duration: { type: "number", default: 10 },
        name: { type: "string", default: "John" },
        check: { type: "boolean", default: true },
        maybe: { type: "boolean" },
        must: { type: "boolean" },
        color: { type: "string", enum: ["red", "green"], default: "green" },
        tags: { type: "array", items: { type: "string" }, default: ["a", "b"] },
        fish: { type: "array", items: { enum: ["f1", "f2"] }, default: ["f2"] },
        cfg: { type: "object", properties: { depth: { type: "integer", default: 3 } } },
        raw: { default: { x: 1 } },
      },
      required: ["must"],
    });
    const v = initialValues(fields);
    expect(v).toEqual({
      duration: "10",
      name: "John",
      check: true,
      maybe: null,
      must: false,
      color: '"green"',
      tags: ["a", "b"],
      fish: ['"f2"'],
      cfg: { depth: "3" },
      raw: '{\n  "x": 1\n}',
    });
    // And building them gives the defaults back.
    expect(buildArguments(fields, v)).toEqual({
      value: { duration: 10, name: "John", check: true, must: false, color: "green", tags: ["a", "b"], fish: ["f2"], cfg: { depth: 3 }, raw: { x: 1 } },
      problems: {},
    });
  });
});

describe("buildArguments", () => {
  it("sends what was typed and marks missing required fields", () => {
    const fields = buildModel(echo);
    expect(buildArguments(fields, { message: "hello" })).toEqual({ value: { message: "hello" }, problems: {} });
    expect(buildArguments(fields, { message: "" })).toEqual({ value: {}, problems: { message: "Required." } });
  });

  it("coerces numbers and checks their limits", () => {
    const fields = buildModel({
      type: "object",
      properties: { n: { type: "integer", minimum: 1, maximum: 100 }, x: { type: "number" } },
    });
    expect(buildArguments(fields, { n: " 42 ", x: "3.5" }).value).toEqual({ n: 42, x: 3.5 });
    expect(buildArguments(fields, { n: "4.2", x: "abc" }).problems).toEqual({ n: "Enter a whole number.", x: "Enter a number." });
    expect(buildArguments(fields, { n: "0", x: "" }).problems).toEqual({ n: "Enter 1 or more." });
    expect(buildArguments(fields, { n: "101", x: "" }).problems).toEqual({ n: "Enter 100 or less." });
  });

  it("checks string formats and lengths", () => {
    const fields = buildModel({
      type: "object",
      properties: {
        email: { type: "string", format: "email" },
        site: { type: "string", format: "uri" },
        short: { type: "string", maxLength: 3 },
        code: { type: "string", pattern: "^[A-Z]+$" },
      },
    });
    expect(buildArguments(fields, { email: "nope", site: "example", short: "abcd", code: "abc" }).problems).toEqual({
      email: "Enter an email address, like name@example.com.",
      site: "Enter a full address, like https://example.com.",
      short: "Enter at most 3 characters.",
      code: "Must match the pattern ^[A-Z]+$.",
    });
    expect(buildArguments(fields, { email: "a@b.co", site: "https://x.y", short: "abc", code: "ABC" }).problems).toEqual({});
  });

  it("builds arrays, skipping empty rows, with item problems by index", () => {
    const fields = buildModel({ type: "object", properties: { nums: { type: "array", items: { type: "integer" }, maxItems: 2 } } });
    expect(buildArguments(fields, { nums: ["1", "", "2"] }).value).toEqual({ nums: [1, 2] });
    expect(buildArguments(fields, { nums: ["1", "x"] }).problems).toEqual({ "nums.1": "Enter a whole number." });
    expect(buildArguments(fields, { nums: ["1", "2", "3"] }).problems).toEqual({ nums: "Give at most 2." });
    expect(buildArguments(fields, { nums: [] }).value).toEqual({});
  });

  it("leaves out empty optional objects but reports their required fields when started", () => {
    const fields = buildModel({
      type: "object",
      properties: { at: { type: "object", properties: { x: { type: "number" }, y: { type: "number" } }, required: ["x"] } },
    });
    expect(buildArguments(fields, { at: { x: "", y: "" } })).toEqual({ value: {}, problems: { "at.x": "Required." } });
    expect(buildArguments(fields, { at: { x: "1", y: "" } }).value).toEqual({ at: { x: 1 } });
  });

  it("parses raw JSON fields", () => {
    const fields = buildModel({ type: "object", properties: { any: {} } });
    expect(buildArguments(fields, { any: "[1, 2]" }).value).toEqual({ any: [1, 2] });
    expect(buildArguments(fields, { any: "{oops" }).problems.any).toMatch(/^Not valid JSON/);
  });
});

describe("raw mode round trip", () => {
  it("shows JSON arguments in the form and keeps properties it has no field for", () => {
    const fields = buildModel({
      type: "object",
      properties: { message: { type: "string" }, n: { type: "integer" }, on: { type: "boolean" }, c: { enum: ["a", "b"] } },
    });
    const { values, extra } = valuesFromJson(fields, { message: "hi", n: 3, on: false, c: "b", other: [1] });
    expect(values).toEqual({ message: "hi", n: "3", on: false, c: '"b"' });
    expect(extra).toEqual({ other: [1] });
    expect(buildArguments(fields, values, extra).value).toEqual({ other: [1], message: "hi", n: 3, on: false, c: "b" });
  });

  it("parses the raw text as an object", () => {
    expect(parseArgumentsText("")).toEqual({ ok: true, value: {} });
    expect(parseArgumentsText('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseArgumentsText("[1]").ok).toBe(false);
    expect(parseArgumentsText("{").ok).toBe(false);
  });
});
