import { describe, expect, it } from "vitest";
import type { ViewerChoices } from "./bindings";
import {
  acceptFrameMessage,
  buildEnvironment,
  candidateFor,
  choiceValue,
  clampHeight,
  clampPanelWidth,
  effectiveChoice,
  FRAME_SANDBOX,
  hasChoice,
  isToolSettled,
  messageTexts,
  MIN_FRAME_HEIGHT,
  PANEL_DEFAULT_WIDTH,
  PANEL_MIN_WIDTH,
  panelMaxWidth,
  parsePanelWidth,
  refusalText,
  resizeByKey,
  routeViewerEvent,
  serializeFrameMessage,
  toolViewUri,
} from "./viewerRelay";

const ORIGIN = "http://127.0.0.1:43117";

describe("acceptFrameMessage", () => {
  const frame = { name: "the frame's window" };
  it("accepts the mounted frame on the proxy's origin", () => {
    expect(acceptFrameMessage({ source: frame, origin: ORIGIN }, frame, ORIGIN)).toBe(true);
  });
  it("refuses another source, even on the right origin", () => {
    expect(acceptFrameMessage({ source: {}, origin: ORIGIN }, frame, ORIGIN)).toBe(false);
    expect(acceptFrameMessage({ source: null, origin: ORIGIN }, frame, ORIGIN)).toBe(false);
  });
  it("refuses the right frame on another origin (a navigated or opaque frame)", () => {
    expect(acceptFrameMessage({ source: frame, origin: "null" }, frame, ORIGIN)).toBe(false);
    expect(acceptFrameMessage({ source: frame, origin: "http://127.0.0.1:43118" }, frame, ORIGIN)).toBe(false);
    expect(acceptFrameMessage({ source: frame, origin: "tauri://localhost" }, frame, ORIGIN)).toBe(false);
  });
  it("refuses everything while there is no frame, or no origin", () => {
    expect(acceptFrameMessage({ source: null, origin: ORIGIN }, null, ORIGIN)).toBe(false);
    expect(acceptFrameMessage({ source: undefined, origin: ORIGIN }, undefined, ORIGIN)).toBe(false);
    expect(acceptFrameMessage({ source: frame, origin: "" }, frame, "")).toBe(false);
  });
});

describe("serializeFrameMessage", () => {
  it("passes any JSON through unread", () => {
    const msg = { jsonrpc: "2.0", method: "ui/notifications/sandbox-proxy-ready", params: {} };
    expect(serializeFrameMessage(msg)).toBe(JSON.stringify(msg));
    expect(serializeFrameMessage("text")).toBe('"text"');
    expect(serializeFrameMessage(null)).toBe("null");
  });
  it("skips what cannot be serialised", () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(serializeFrameMessage(cyclic)).toBeNull();
    expect(serializeFrameMessage(10n)).toBeNull();
    expect(serializeFrameMessage(undefined)).toBeNull();
    expect(serializeFrameMessage(() => 1)).toBeNull();
  });
});

describe("routeViewerEvent", () => {
  it("posts messages as they are", () => {
    const message = { jsonrpc: "2.0", id: 1, result: {} };
    expect(routeViewerEvent({ kind: "post", message })).toEqual({ kind: "post", message });
  });
  it("marks the view ready", () => {
    expect(routeViewerEvent({ kind: "ready" })).toEqual({ kind: "ready" });
  });
  it("keeps usable dimensions of a resize", () => {
    expect(routeViewerEvent({ kind: "resize", width: null, height: 420 })).toEqual({ kind: "resize", width: null, height: 420 });
    expect(routeViewerEvent({ kind: "resize", width: 0, height: 300 })).toEqual({ kind: "resize", width: null, height: 300 });
    expect(routeViewerEvent({ kind: "resize", width: null, height: null })).toEqual({ kind: "ignore" });
    expect(routeViewerEvent({ kind: "resize", width: -5, height: Number.NaN })).toEqual({ kind: "ignore" });
  });
  it("switches display modes it knows", () => {
    expect(routeViewerEvent({ kind: "display_mode", mode: "fullscreen" })).toEqual({ kind: "display_mode", fullscreen: true });
    expect(routeViewerEvent({ kind: "display_mode", mode: "inline" })).toEqual({ kind: "display_mode", fullscreen: false });
    expect(routeViewerEvent({ kind: "display_mode", mode: "pip" })).toEqual({ kind: "ignore" });
  });
  it("shows the text of messages", () => {
    expect(routeViewerEvent({ kind: "message", content: [{ type: "text", text: "Scaled x2" }] })).toEqual({ kind: "message", texts: ["Scaled x2"] });
    expect(routeViewerEvent({ kind: "message", content: [{ type: "image", data: "..." }] })).toEqual({ kind: "ignore" });
  });
  it("closes on request, ignores model context", () => {
    expect(routeViewerEvent({ kind: "close_requested" })).toEqual({ kind: "close" });
    expect(routeViewerEvent({ kind: "model_context", context: { content: [] } })).toEqual({ kind: "ignore" });
  });
  it("words refusals", () => {
    expect(
      routeViewerEvent({ kind: "refused", refusal: { method: "tools/call", target: "model_only_tool", reason: "the tool is for the model only" } }),
    ).toEqual({ kind: "refused", text: "tools/call model_only_tool — the tool is for the model only" });
  });
});

describe("messageTexts and refusalText", () => {
  it("takes text blocks from a list or a single block", () => {
    expect(messageTexts([{ type: "text", text: "a" }, { type: "text", text: "  " }, { type: "text", text: "b" }, "x", null])).toEqual(["a", "b"]);
    expect(messageTexts({ type: "text", text: "one" })).toEqual(["one"]);
    expect(messageTexts(null)).toEqual([]);
  });
  it("leaves out a missing target", () => {
    expect(refusalText({ method: "(message)", target: null, reason: "not JSON-RPC" })).toBe("(message) — not JSON-RPC");
  });
});

describe("sizes", () => {
  it("clamps frame heights to [80, available]", () => {
    expect(clampHeight(300, 600)).toBe(300);
    expect(clampHeight(10, 600)).toBe(MIN_FRAME_HEIGHT);
    expect(clampHeight(5000, 600)).toBe(600);
    expect(clampHeight(300, 40)).toBe(MIN_FRAME_HEIGHT);
    expect(clampHeight(Number.NaN, 500)).toBe(500);
    expect(clampHeight(250.6, 600)).toBe(251);
  });
  it("keeps the panel between its minimum and the room the editor needs", () => {
    expect(clampPanelWidth(500, 1200)).toBe(500);
    expect(clampPanelWidth(100, 1200)).toBe(PANEL_MIN_WIDTH);
    expect(clampPanelWidth(2000, 1200)).toBe(panelMaxWidth(1200));
    expect(clampPanelWidth(500, 400)).toBe(PANEL_MIN_WIDTH);
    expect(clampPanelWidth(Number.NaN, 2000)).toBe(PANEL_DEFAULT_WIDTH);
  });
  it("reads stored widths defensively", () => {
    expect(parsePanelWidth("640")).toBe(640);
    expect(parsePanelWidth(null)).toBe(PANEL_DEFAULT_WIDTH);
    expect(parsePanelWidth("wide")).toBe(PANEL_DEFAULT_WIDTH);
    expect(parsePanelWidth("12")).toBe(PANEL_DEFAULT_WIDTH);
  });
  it("resizes with the keyboard: left widens, right narrows", () => {
    expect(resizeByKey("ArrowLeft", false, 500, 1400)).toBe(520);
    expect(resizeByKey("ArrowRight", false, 500, 1400)).toBe(480);
    expect(resizeByKey("ArrowLeft", true, 500, 1400)).toBe(580);
    expect(resizeByKey("Home", false, 500, 1400)).toBe(PANEL_MIN_WIDTH);
    expect(resizeByKey("End", false, 500, 1400)).toBe(panelMaxWidth(1400));
    expect(resizeByKey("ArrowUp", false, 500, 1400)).toBeNull();
  });
});

describe("tools with views", () => {
  it("finds the view of a tool", () => {
    expect(toolViewUri({ ui: { resourceUri: "ui://recipes/view.html" } })).toBe("ui://recipes/view.html");
    expect(toolViewUri({ "ui/resourceUri": "ui://old/view.html" })).toBe("ui://old/view.html");
  });
  it("ignores anything but ui:// resources", () => {
    expect(toolViewUri({ ui: { resourceUri: "https://example.com/view.html" } })).toBeNull();
    expect(toolViewUri({ ui: { visibility: ["model"] } })).toBeNull();
    expect(toolViewUri(null)).toBeNull();
    expect(toolViewUri(undefined)).toBeNull();
    expect(toolViewUri(["ui://x"])).toBeNull();
  });
  it("sees when a call's result or cancellation reaches the view", () => {
    expect(isToolSettled({ jsonrpc: "2.0", method: "ui/notifications/tool-result", params: {} })).toBe(true);
    expect(isToolSettled({ jsonrpc: "2.0", method: "ui/notifications/tool-cancelled", params: {} })).toBe(true);
    expect(isToolSettled({ jsonrpc: "2.0", method: "ui/notifications/tool-input", params: {} })).toBe(false);
    expect(isToolSettled("ui/notifications/tool-result")).toBe(false);
  });
});

describe("buildEnvironment", () => {
  it("tells the theme, language and time zone", () => {
    expect(buildEnvironment("dark", { language: "en-GB", timeZone: () => "Europe/London" })).toEqual({
      theme: "dark",
      locale: "en-GB",
      time_zone: "Europe/London",
    });
  });
  it("survives a missing time zone", () => {
    const env = buildEnvironment("light", {
      language: "fr-FR",
      timeZone: () => {
        throw new Error("no Intl");
      },
    });
    expect(env).toEqual({ theme: "light", locale: "fr-FR", time_zone: "" });
  });
  it("reads the system's time zone by default", () => {
    expect(typeof buildEnvironment("light", { language: "de" }).time_zone).toBe("string");
  });
});

describe("viewer choices", () => {
  const choices: ViewerChoices = {
    content_type: "application/vnd.my-org.recipe+json",
    chosen: null,
    candidates: [
      { choice: { kind: "server", server_id: "s1" }, label: "Recipes", resource_uri: "ui://my-server/recipe.html" },
      { choice: { kind: "built_in" }, label: "Built-in", resource_uri: null },
    ],
  };
  it("encodes choices as select values and back", () => {
    expect(choiceValue({ kind: "built_in" })).toBe("built_in");
    expect(choiceValue({ kind: "server", server_id: "s1" })).toBe("server:s1");
    expect(candidateFor("server:s1", choices.candidates)?.label).toBe("Recipes");
    expect(candidateFor("server:gone", choices.candidates)).toBeNull();
  });
  it("uses the first candidate until one is chosen, and a chosen one while it exists", () => {
    expect(effectiveChoice(choices)).toEqual({ kind: "server", server_id: "s1" });
    expect(effectiveChoice({ ...choices, chosen: { kind: "built_in" } })).toEqual({ kind: "built_in" });
    expect(effectiveChoice({ ...choices, chosen: { kind: "server", server_id: "removed" } })).toEqual({ kind: "server", server_id: "s1" });
    expect(effectiveChoice({ ...choices, candidates: [] })).toBeNull();
  });
  it("offers a choice only between two or more", () => {
    expect(hasChoice(choices)).toBe(true);
    expect(hasChoice({ ...choices, candidates: choices.candidates.slice(1) })).toBe(false);
    expect(hasChoice(null)).toBe(false);
  });
});

describe("the frame's sandbox", () => {
  it("never grants navigation of the window, popups, modals or downloads", () => {
    const tokens = FRAME_SANDBOX.split(/\s+/);
    expect(tokens.sort()).toEqual(["allow-forms", "allow-same-origin", "allow-scripts"]);
  });
});
