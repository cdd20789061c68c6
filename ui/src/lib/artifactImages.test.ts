import { describe, expect, it } from "vitest";
import { imageSource } from "./artifactImages";

describe("which artifacts are images", () => {
  it("takes an image/* artifact holding a data:image URL as it is", () => {
    expect(imageSource("Logo", "image/png", " data:image/png;base64,iVBORw0KGgo=\n")).toEqual({ src: "data:image/png;base64,iVBORw0KGgo=" });
  });

  it("makes SVG source a data: URL (an <img> runs none of its scripts)", () => {
    const found = imageSource("Mark", "image/svg+xml", '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><text>é</text></svg>');
    expect("src" in found && found.src.startsWith("data:image/svg+xml;base64,")).toBe(true);
    const decoded = new TextDecoder().decode(Uint8Array.from(atob((found as { src: string }).src.split(",")[1]), (c) => c.charCodeAt(0)));
    expect(decoded).toContain("<text>é</text>");
  });

  it("says why anything else is not shown", () => {
    expect(imageSource("Notes", "text/markdown", "# hi")).toEqual({ problem: "“Notes” is text/markdown, not an image." });
    expect(imageSource("Raw", "image/png", "\u0089PNG...")).toHaveProperty("problem");
    expect(imageSource("Web", "image/png", "https://example.org/a.png")).toHaveProperty("problem");
    expect(imageSource("Page", "image/png", "data:text/html;base64,PHNjcmlwdD4=")).toHaveProperty("problem");
    expect(imageSource("Fake", "image/svg+xml", "<html><svg></svg></html>")).toHaveProperty("problem");
  });
});
