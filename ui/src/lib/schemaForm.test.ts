import { describe, expect, it } from "vitest";
import type { JsonValue } from "./bindings";
import {
  buildArguments,
  buildModel,
  ChoiceValue,
  fromLocalDateTime,
  initialValues,
  inputType,
  NULL,
  parseArgumentsText,
  rangeHint,
  toLocalDateTime,
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

  it("handles arrays (of objects too), nested objects, $refs, consts, choices and nullable types", () => {
    const fields = buildModel({
      type: "object",
      $defs: { Point: { type: "object", properties: { x: { type: "number" }, y: { type: "number" } }, required: ["x"] } },
      properties: {
        tags: { type: "array", items: { type: "string" } },
        at: { $ref: "#/$defs/Point" },
        note: { anyOf: [{ type: "string" }, { type: "null" }] },
        level: { type: ["integer", "null"] },
        rows: { type: "array", items: { type: "object", properties: { a: { type: "string" } }, required: ["a"] } },
        free: { type: "object" },
        version: { const: 2 },
        shape: {
          oneOf: [
            { type: "object", properties: { kind: { const: "circle" }, r: { type: "number" } }, required: ["kind", "r"] },
            { type: "object", properties: { kind: { const: "square" }, side: { type: "number" } }, required: ["kind", "side"] },
          ],
        },
        when: { type: "string", format: "date-time" },
      },
    });
    const at = field(fields, "at");
    expect(at.kind).toBe("object");
    if (at.kind === "object") expect(at.fields.map((f) => [f.name, f.required])).toEqual([["x", true], ["y", false]]);
    expect(field(fields, "tags").kind).toBe("array");
    expect([field(fields, "note").kind, field(fields, "note").nullable]).toEqual(["string", true]);
    expect([field(fields, "level").kind, field(fields, "level").nullable]).toEqual(["integer", true]);
    const rows = field(fields, "rows");
    expect(rows.kind === "array" && rows.item.kind).toBe("object");
    expect(field(fields, "free").kind).toBe("json");
    expect(field(fields, "version")).toMatchObject({ kind: "const", value: 2 });
    const shape = field(fields, "shape");
    expect(shape.kind).toBe("choice");
    if (shape.kind === "choice") expect(shape.variants.map((v) => v.label)).toEqual(["circle", "square"]);
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
    const [when] = buildModel({ type: "object", properties: { when: { type: "string", format: "date-time" } } });
    expect(when.kind === "string" && inputType(when)).toBe("datetime-local");
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
        opts: { type: "object", properties: { depth: { type: "integer", default: 3 } } },
        raw: { default: { x: 1 } },
      },
      required: ["must", "opts"],
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
      // An optional object is left out until the person adds it; a required one is there at once.
      cfg: null,
      opts: { depth: "3" },
      raw: '{\n  "x": 1\n}',
    });
    // And building them gives the defaults back.
    expect(buildArguments(fields, v)).toEqual({
      value: { duration: 10, name: "John", check: true, must: false, color: "green", tags: ["a", "b"], fish: ["f2"], opts: { depth: 3 }, raw: { x: 1 } },
      problems: {},
    });
  });
});

describe("buildArguments", () => {
  it("sends what was typed; an empty field is left out (whether that is allowed is the schema's to say)", () => {
    const fields = buildModel(echo);
    expect(buildArguments(fields, { message: "hello" })).toEqual({ value: { message: "hello" }, problems: {} });
    expect(buildArguments(fields, { message: "" })).toEqual({ value: {}, problems: {} });
  });

  it("converts numbers, and says when text is not one", () => {
    const fields = buildModel({
      type: "object",
      properties: { n: { type: "integer", minimum: 1, maximum: 100 }, x: { type: "number" } },
    });
    expect(buildArguments(fields, { n: " 42 ", x: "3.5" }).value).toEqual({ n: 42, x: 3.5 });
    expect(buildArguments(fields, { n: "4.2x", x: "abc" }).problems).toEqual({ n: "Enter a whole number.", x: "Enter a number." });
    // Limits are the schema's: the value is built as typed.
    expect(buildArguments(fields, { n: "0", x: "" })).toEqual({ value: { n: 0 }, problems: {} });
  });

  it("builds arrays of objects and skips empty rows of texts", () => {
    const fields = buildModel({
      type: "object",
      properties: {
        nums: { type: "array", items: { type: "integer" } },
        rows: { type: "array", items: { type: "object", properties: { a: { type: "string" }, n: { type: "number" } } } },
      },
    });
    expect(buildArguments(fields, { nums: ["1", "", "2"], rows: null }).value).toEqual({ nums: [1, 2] });
    expect(buildArguments(fields, { nums: ["1", "x"], rows: [{ a: "p", n: "1" }, { a: "", n: "y" }] })).toEqual({
      value: { nums: [1], rows: [{ a: "p", n: 1 }, {}] },
      problems: { "nums.1": "Enter a whole number.", "rows.1.n": "Enter a number." },
    });
    // Added but empty: an empty list is sent; never added: left out.
    expect(buildArguments(fields, { nums: [], rows: null }).value).toEqual({ nums: [] });
    expect(buildArguments(fields, { nums: null, rows: null }).value).toEqual({});
  });

  it("sends consts, the picked shape of a choice, and explicit nulls", () => {
    const fields = buildModel({
      type: "object",
      properties: {
        version: { const: 2 },
        note: { type: ["string", "null"] },
        shape: {
          oneOf: [
            { type: "object", properties: { kind: { const: "circle" }, r: { type: "number" } } },
            { type: "object", properties: { kind: { const: "square" }, side: { type: "number" } } },
          ],
        },
      },
      required: ["shape"],
    });
    const values = initialValues(fields);
    expect(values.shape).toBeInstanceOf(ChoiceValue);
    values.note = NULL;
    values.shape = new ChoiceValue(1, { kind: null, side: "3" });
    expect(buildArguments(fields, values).value).toEqual({ version: 2, note: null, shape: { kind: "square", side: 3 } });
    // From JSON, the shape that fits is picked.
    const { values: back } = valuesFromJson(fields, { shape: { kind: "square", side: 4 }, note: null });
    expect((back.shape as ChoiceValue).variant).toBe(1);
    expect(back.note).toBe(NULL);
  });

  it("writes date-times as RFC 3339 with the local offset", () => {
    const local = fromLocalDateTime("2026-03-04T05:06");
    expect(local).toMatch(/^2026-03-04T05:06:00(Z|[+-]\d{2}:\d{2})$/);
    expect(toLocalDateTime(local)).toBe("2026-03-04T05:06:00");
    expect(fromLocalDateTime("not a date")).toBe("not a date");
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
