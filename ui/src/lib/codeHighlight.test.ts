// @vitest-environment jsdom
import { beforeAll, describe, expect, it } from "vitest";
import { highlight, prepare } from "./codeHighlight";
import { fencedLanguages } from "./codeLanguages";
import { renderMarkdown } from "./markdown";

function dom(md: string): HTMLElement {
  const div = document.createElement("div");
  div.innerHTML = renderMarkdown(md, { highlight });
  return div;
}

describe("code blocks in rendered Markdown", () => {
  beforeAll(() => prepare(["json", "typescript"]));

  it("names the languages of fenced blocks it can highlight, and no others", () => {
    expect(fencedLanguages("```json\n{}\n```\n\n~~~ TS\nlet a\n~~~\n\n```python\nx\n```\n    ```md")).toEqual(["json", "typescript"]);
  });

  it("gives a json block highlight spans with the editor's token classes", () => {
    const d = dom('```json\n{"name": "bread", "loaves": 2, "ok": true}\n```');
    const code = d.querySelector("pre code.tok-code")!;
    expect(code.textContent).toBe('{"name": "bread", "loaves": 2, "ok": true}');
    expect(code.querySelector(".tok-propertyName")?.textContent).toBe('"name"');
    expect(code.querySelector(".tok-string")?.textContent).toBe('"bread"');
    expect(code.querySelector(".tok-number")?.textContent).toBe("2");
    expect(code.querySelector(".tok-bool")?.textContent).toBe("true");
  });

  it("keeps a hostile block inert: its markup is text, not elements", () => {
    const hostile = '{"x": "</code></pre><script>alert(1)</script><img src=x onerror=alert(2)>"}';
    for (const md of ["```json\n" + hostile + "\n```", "```ts\nconst a = `" + hostile + "`\n```", "```python\n" + hostile + "\n```"]) {
      const d = dom(md);
      expect(d.querySelector("script, img, [onerror]")).toBeNull();
      expect(d.querySelector("pre code")?.textContent).toContain("<script>alert(1)</script>");
    }
  });

  it("leaves a block plain when its language is unknown or its parser is not loaded", () => {
    expect(highlight("x = 1", "python")).toBeNull();
    expect(highlight("# Title", "markdown")).toBeNull(); // not prepared in this test
    expect(dom("```python\nx = 1\n```").querySelector("span")).toBeNull();
  });

  it("keeps only the highlighter's class names (no borrowing the app's styles)", () => {
    const d = dom('<div class="dialog tok-keyword">x</div><span class="btn">y</span>');
    expect(d.querySelector(".dialog, .btn")).toBeNull();
    expect(d.querySelector("div")?.getAttribute("class")).toBe("tok-keyword");
    expect(d.querySelector("span")?.hasAttribute("class")).toBe(false);
  });
});
