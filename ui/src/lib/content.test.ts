import { describe, expect, it } from "vitest";
import { base64Size, dataUrl, fileNameFor, jsonOf, prettyJsonText, resourceView, safeMime, textKind } from "./content";

describe("textKind", () => {
  it("recognises JSON objects and arrays only", () => {
    expect(textKind('{"a": 1}')).toBe("json");
    expect(textKind(" [1, 2] ")).toBe("json");
    expect(textKind("42")).toBe("plain");
    expect(textKind("{not json}")).toBe("plain");
  });
  it("recognises Markdown by a heading or fence, or two lighter signs", () => {
    expect(textKind("# Title\n\nBody")).toBe("markdown");
    expect(textKind("```js\nx\n```")).toBe("markdown");
    expect(textKind("- one\n- **two**")).toBe("markdown");
    expect(textKind("- just a dash line")).toBe("plain");
    expect(textKind("Echo: hello from e2e")).toBe("plain");
  });
  it("trusts a Markdown MIME type and distrusts non-text ones", () => {
    expect(textKind("hello", "text/markdown")).toBe("markdown");
    expect(textKind("# not a heading", "application/x-sh")).toBe("plain");
  });
});

describe("JSON helpers", () => {
  it("pretty-prints JSON text and leaves the rest alone", () => {
    expect(prettyJsonText('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJsonText('{"a":1, "cut')).toBe('{"a":1, "cut');
    expect(jsonOf("null")).toBeNull();
  });
});

describe("binary content", () => {
  it("builds safe data URLs", () => {
    expect(dataUrl("image/png", "iVBO\nRw0=")).toBe("data:image/png;base64,iVBORw0=");
    expect(dataUrl('image/png"><script>', "AA==")).toBe("data:application/octet-stream;base64,AA==");
    expect(safeMime("IMAGE/PNG")).toBe("image/png");
  });
  it("measures base64", () => {
    expect(base64Size("")).toBe(0);
    expect(base64Size("AA==")).toBe(1);
    expect(base64Size("AAA=")).toBe(2);
    expect(base64Size("AAAA")).toBe(3);
  });
  it("chooses how to show a resource", () => {
    expect(resourceView({ uri: "x", text: '{"a":1}', mimeType: "application/json" })).toEqual({ kind: "text", text: '{"a":1}', textKind: "json" });
    expect(resourceView({ uri: "x", blob: "AA==", mimeType: "image/png" }).kind).toBe("image");
    expect(resourceView({ uri: "x", blob: "AA==", mimeType: "audio/wav" }).kind).toBe("audio");
    expect(resourceView({ uri: "x", blob: "AAAA", mimeType: "application/gzip" })).toEqual({ kind: "binary", mime: "application/gzip", size: 3, blob: "AAAA" });
    expect(resourceView({ uri: "x" }).kind).toBe("empty");
  });
  it("names downloads after the URI", () => {
    expect(fileNameFor("demo://resource/static/document/architecture.md")).toBe("architecture.md");
    expect(fileNameFor("file:///tmp/a b.txt")).toBe("a_b.txt");
    expect(fileNameFor("urn:x")).toBe("resource");
  });
});
