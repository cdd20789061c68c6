import { describe, expect, it } from "vitest";
import { expandTemplate, templateVariables } from "./uriTemplate";

describe("URI templates", () => {
  it("lists variables once, in order", () => {
    expect(templateVariables("demo://resource/dynamic/text/{resourceId}")).toEqual(["resourceId"]);
    expect(templateVariables("http://x/{a}/{+b}{?q,lang}&{a}")).toEqual(["a", "b", "q", "lang"]);
    expect(templateVariables("static://x")).toEqual([]);
  });
  it("expands simple, reserved, path and query expressions", () => {
    expect(expandTemplate("demo://resource/dynamic/text/{resourceId}", { resourceId: "7" })).toBe("demo://resource/dynamic/text/7");
    expect(expandTemplate("file:///{name}", { name: "a b/c" })).toBe("file:///a%20b%2Fc");
    expect(expandTemplate("file:///{+path}", { path: "a b/c" })).toBe("file:///a%20b/c");
    expect(expandTemplate("x://h{/seg}", { seg: "p" })).toBe("x://h/p");
    expect(expandTemplate("x://h/s{?q,lang}", { q: "cats & dogs", lang: "" })).toBe("x://h/s?q=cats%20%26%20dogs");
    expect(expandTemplate("x://h/{id}", {})).toBe("x://h/");
  });
});
