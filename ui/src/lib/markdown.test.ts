// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { linkAt, renderMarkdown } from "./markdown";

function dom(md: string): HTMLElement {
  const div = document.createElement("div");
  div.innerHTML = renderMarkdown(md);
  return div;
}

describe("renderMarkdown: what the sanitizer lets through", () => {
  it("renders GFM tables, task lists and nested lists", () => {
    const d = dom("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] open\n  - nested\n");
    expect(d.querySelectorAll("table td")).toHaveLength(2);
    const boxes = d.querySelectorAll("input[type=checkbox]");
    expect(boxes).toHaveLength(2);
    expect([...boxes].every((b) => b.hasAttribute("disabled"))).toBe(true);
    expect(d.querySelector("ul ul li")?.textContent).toBe("nested");
  });

  it("refuses scripts and event-handler attributes", () => {
    const d = dom('<script>alert(1)</script>\n\n<img src="data:image/png;base64,AAAA" onerror="alert(2)">\n\n<p onclick="x()">hi</p>');
    expect(d.querySelector("script")).toBeNull();
    expect(d.innerHTML).not.toMatch(/onerror|onclick|alert/);
    expect(d.querySelector("img")?.getAttribute("src")).toBe("data:image/png;base64,AAAA");
  });

  it("drops javascript: links but keeps their text", () => {
    const d = dom("[click](javascript:alert(1)) and <a href=\"javascript:alert(2)\">raw</a>");
    expect(d.innerHTML).not.toMatch(/javascript:/i);
    expect(d.textContent).toContain("click");
    expect(d.querySelector("a[href]")).toBeNull();
  });

  it("marks web links for the confirmation and never opens them in the page", () => {
    const d = dom("[docs](https://example.org/x) <a href=\"https://e.org\" target=\"_blank\">t</a>");
    const a = d.querySelector("a")!;
    expect(a.getAttribute("data-link")).toBe("https://example.org/x");
    expect(d.querySelector("a[target]")).toBeNull();
    expect(linkAt(a.firstChild)).toBe(null); // a text node is not an element
    expect(linkAt(a)).toBe("https://example.org/x");
  });

  it("shows remote images as their text (only data: images load)", () => {
    const d = dom("![a cat](https://example.org/cat.png)");
    expect(d.querySelector("img")).toBeNull();
    expect(d.textContent).toContain("[a cat]");
  });

  it("refuses styles, forms and frames", () => {
    const d = dom('<style>*{}</style><form><input type="text"></form><iframe src="https://e.org"></iframe><span style="color:red">s</span>');
    expect(d.querySelector("style, form, input, iframe, [style]")).toBeNull();
  });
});
