// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { artifactImageIds, type ImageSource, linkAt, renderMarkdown } from "./markdown";

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

  it("never fetches a remote image: a placeholder with its alt text says why", () => {
    const d = dom("![a cat](https://example.org/cat.png)");
    expect(d.querySelector("img")).toBeNull();
    const p = d.querySelector("[data-image-problem]")!;
    expect(p.textContent).toBe("a cat");
    expect(p.getAttribute("title")).toMatch(/not loaded, for privacy: https:\/\/example\.org\/cat\.png/);
  });

  it("refuses styles, forms and frames", () => {
    const d = dom('<style>*{}</style><form><input type="text"></form><iframe src="https://e.org"></iframe><span style="color:red">s</span>');
    expect(d.querySelector("style, form, input, iframe, [style]")).toBeNull();
  });
});

describe("images by artifact reference", () => {
  const ID = "0190f1f2-0000-7000-8000-00000000abcd";
  const PNG = "data:image/png;base64,iVBORw0KGgo=";
  const render = (md: string, images: Record<string, ImageSource>) => {
    const div = document.createElement("div");
    div.innerHTML = renderMarkdown(md, { images: new Map(Object.entries(images)) });
    return div;
  };

  it("finds the ids a text's images refer to, inline or by reference", () => {
    expect(artifactImageIds(`![a](artifact:${ID}) ![b][r] [link](https://x)\n\n[r]: artifact:${ID.toUpperCase().replace("ABCD", "0001")}`)).toEqual([
      ID,
      ID.replace("abcd", "0001"),
    ]);
  });

  it("shows a resolved artifact as its data: image, and says why when it cannot", () => {
    const shown = render(`![chart](artifact:${ID} "Q3")`, { [ID]: { src: PNG } });
    expect(shown.querySelector("img")?.getAttribute("src")).toBe(PNG);
    expect(shown.querySelector("img")?.getAttribute("alt")).toBe("chart");
    const refused = render(`![chart](artifact:${ID})`, { [ID]: { problem: "“Notes” is text/markdown, not an image." } });
    expect(refused.querySelector("img")).toBeNull();
    expect(refused.querySelector("[data-image-problem]")?.getAttribute("title")).toBe("“Notes” is text/markdown, not an image.");
    expect(render(`![chart](artifact:${ID})`, {}).querySelector("[data-image-problem]")?.getAttribute("title")).toMatch(/loading/);
  });

  it("allows artifact: only as an image's source, resolved; never as a link or a raw address", () => {
    const d = render(`[open](artifact:${ID}) <a href="artifact:${ID}">raw</a> <img src="artifact:${ID}" alt="raw img">`, { [ID]: { src: PNG } });
    expect(d.querySelector("a[href], a[data-link], img")).toBeNull();
    expect(d.querySelector('[src*="artifact:"], [href*="artifact:"]')).toBeNull();
    expect(d.querySelector("[data-image-problem]")?.textContent).toBe("raw img");
  });

  it("keeps the sanitizer last: a resolved address that is not a data: image, or a hostile alt, stays inert", () => {
    for (const src of ["javascript:alert(1)", "https://tracker.example/p.gif", 'data:text/html,<script>alert(1)</script>']) {
      const d = render(`![x](artifact:${ID})`, { [ID]: { src } });
      expect(d.querySelector("img, script")).toBeNull();
    }
    const d = render(`![<img src=x onerror=alert(1)>](artifact:${ID})`, { [ID]: { problem: '"><script>alert(2)</script>' } });
    expect(d.querySelector("img, script, [onerror]")).toBeNull();
  });
});
