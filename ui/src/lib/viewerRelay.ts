/**
 * The window's half of an MCP Apps view, as plain functions: which frame messages to pass on, what each event
 * from the backend asks the window to do, frame and panel sizes, and what the window tells a view about itself.
 *
 * The backend is the view's JSON-RPC peer and checks everything: the window relays messages from the frame it
 * mounted (and only from the proxy's origin) without reading them, and posts the backend's messages back to it.
 */
import type { JsonValue, Refusal, ViewerCandidate, ViewerChoice, ViewerChoices, ViewerEnvironment, ViewerEvent } from "./bindings";
import type { Theme } from "./theme";

/**
 * The proxy frame's sandbox. Same-origin is its own loopback origin (not the app's); the view itself runs in an
 * inner frame without it. Never top navigation, popups, modals or downloads.
 */
export const FRAME_SANDBOX = "allow-scripts allow-same-origin allow-forms";
/** The smallest frame height, whatever a view asks for. */
export const MIN_FRAME_HEIGHT = 80;
/** How long a view may take to answer before the window says so. */
export const SLOW_VIEW_MS = 10_000;
/**
 * How long a closed view's frame stays (hidden) for it to answer `ui/resource-teardown`. The round trip takes a few
 * ms, so this is plenty for a view that saves and answers at once; it is not the backend's whole wait because the
 * screen the view was part of (a server's pane, say) stays on screen as long, inert, behind the new one.
 */
export const TEARDOWN_MS = 300;

/** What a message event is checked on. */
export interface FrameMessage {
  source: unknown;
  origin: string;
}

/** A message comes from the view only when it comes from the frame mounted for it, on the proxy's origin. */
export function acceptFrameMessage(event: FrameMessage, frame: unknown, origin: string): boolean {
  return frame !== null && frame !== undefined && origin !== "" && event.source === frame && event.origin === origin;
}

/** The JSON text the backend receives; null for what cannot be serialised (cycles, BigInt, undefined). */
export function serializeFrameMessage(data: unknown): string | null {
  try {
    const text = JSON.stringify(data);
    return typeof text === "string" ? text : null;
  } catch {
    return null;
  }
}

/** What the window does for one event of a view. */
export type ViewerAction =
  | { kind: "post"; message: JsonValue }
  | { kind: "ready" }
  | { kind: "resize"; width: number | null; height: number | null }
  | { kind: "display_mode"; fullscreen: boolean }
  | { kind: "message"; texts: string[] }
  | { kind: "close" }
  | { kind: "refused"; text: string }
  | { kind: "ignore" };

function dimension(v: number | null): number | null {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
}

export function routeViewerEvent(event: ViewerEvent): ViewerAction {
  switch (event.kind) {
    case "post":
      return { kind: "post", message: event.message };
    case "ready":
      return { kind: "ready" };
    case "resize": {
      const width = dimension(event.width);
      const height = dimension(event.height);
      return width === null && height === null ? { kind: "ignore" } : { kind: "resize", width, height };
    }
    case "display_mode":
      if (event.mode === "fullscreen") return { kind: "display_mode", fullscreen: true };
      if (event.mode === "inline") return { kind: "display_mode", fullscreen: false };
      return { kind: "ignore" };
    case "message": {
      const texts = messageTexts(event.content);
      return texts.length > 0 ? { kind: "message", texts } : { kind: "ignore" };
    }
    case "close_requested":
      return { kind: "close" };
    case "refused":
      return { kind: "refused", text: refusalText(event.refusal) };
    default:
      // model_context: kept by the backend for later turns; nothing to show.
      return { kind: "ignore" };
  }
}

/** The text blocks of a `ui/message` (a block or a list of blocks); other kinds of content are not shown. */
export function messageTexts(content: JsonValue): string[] {
  const blocks = Array.isArray(content) ? content : [content];
  const texts: string[] = [];
  for (const b of blocks) {
    if (b && typeof b === "object" && !Array.isArray(b) && b.type === "text" && typeof b.text === "string" && b.text.trim()) {
      texts.push(b.text);
    }
  }
  return texts;
}

/** "tools/call scale_recipe — the tool is for the model only" (the list item adds "Blocked: "). */
export function refusalText(r: Refusal): string {
  return `${[r.method, r.target].filter(Boolean).join(" ")} — ${r.reason}`;
}

/** A frame height: what the view asked for, within [MIN_FRAME_HEIGHT, available]. */
export function clampHeight(requested: number, available: number): number {
  const max = Math.max(available, MIN_FRAME_HEIGHT);
  const h = Number.isFinite(requested) ? requested : max;
  return Math.round(Math.min(Math.max(h, MIN_FRAME_HEIGHT), max));
}

/** Whether a message the backend posts to a tool's view carries the call's end (its result, or its cancellation). */
export function isToolSettled(message: JsonValue): boolean {
  if (!message || typeof message !== "object" || Array.isArray(message)) return false;
  return message.method === "ui/notifications/tool-result" || message.method === "ui/notifications/tool-cancelled";
}

/** The `ui://` view a tool declares (`_meta.ui.resourceUri`, or the older `_meta["ui/resourceUri"]`), else null. */
export function toolViewUri(meta: JsonValue | null | undefined): string | null {
  if (!meta || typeof meta !== "object" || Array.isArray(meta)) return null;
  const ui = meta.ui;
  const nested = ui && typeof ui === "object" && !Array.isArray(ui) ? ui.resourceUri : undefined;
  for (const uri of [nested, meta["ui/resourceUri"]]) {
    if (typeof uri === "string" && uri.startsWith("ui://")) return uri;
  }
  return null;
}

export interface EnvironmentSources {
  language?: string;
  timeZone?: () => string | undefined;
}

/** What a view is told about the window: its theme, the person's language and time zone. */
export function buildEnvironment(theme: Theme, sources: EnvironmentSources = {}): ViewerEnvironment {
  const language = sources.language ?? (typeof navigator !== "undefined" ? navigator.language : "");
  let zone = "";
  try {
    zone = (sources.timeZone ?? (() => Intl.DateTimeFormat().resolvedOptions().timeZone))() ?? "";
  } catch {
    zone = "";
  }
  return { theme: theme === "dark" ? "dark" : "light", locale: language || "", time_zone: zone };
}

// ---- the viewer panel's width ----------------------------------------------------------------------------------

export const PANEL_MIN_WIDTH = 300;
/** Room the editor keeps beside the panel. */
export const PANEL_EDITOR_ROOM = 260;
export const PANEL_DEFAULT_WIDTH = 460;

/** The widest the panel may be in a main area `container` px wide (never under the minimum). */
export function panelMaxWidth(container: number): number {
  return Math.max(PANEL_MIN_WIDTH, Math.round(container - PANEL_EDITOR_ROOM));
}

export function clampPanelWidth(width: number, container: number): number {
  const w = Number.isFinite(width) ? width : PANEL_DEFAULT_WIDTH;
  return Math.round(Math.min(Math.max(w, PANEL_MIN_WIDTH), panelMaxWidth(container)));
}

/** A stored width, or the default for anything else. */
export function parsePanelWidth(stored: string | null): number {
  const n = stored === null ? NaN : Number.parseInt(stored, 10);
  return Number.isFinite(n) && n >= PANEL_MIN_WIDTH && n <= 10_000 ? n : PANEL_DEFAULT_WIDTH;
}

/**
 * The width a key on the resize handle asks for (the handle is the panel's left edge: left widens it), or null for
 * other keys. Shift moves in bigger steps; Home and End go to the narrowest and the widest.
 */
export function resizeByKey(key: string, shift: boolean, width: number, container: number): number | null {
  const step = shift ? 80 : 20;
  switch (key) {
    case "ArrowLeft":
      return clampPanelWidth(width + step, container);
    case "ArrowRight":
      return clampPanelWidth(width - step, container);
    case "Home":
      return PANEL_MIN_WIDTH;
    case "End":
      return panelMaxWidth(container);
    default:
      return null;
  }
}

// ---- the per-type viewer choice --------------------------------------------------------------------------------

/** A choice as a <select> value: "built_in" or "server:<id>". */
export function choiceValue(choice: ViewerChoice): string {
  return choice.kind === "built_in" ? "built_in" : `server:${choice.server_id}`;
}

/** The candidate a <select> value stands for. */
export function candidateFor(value: string, candidates: readonly ViewerCandidate[]): ViewerCandidate | null {
  return candidates.find((c) => choiceValue(c.choice) === value) ?? null;
}

/** The viewer that is used: the person's pick when it is still a candidate, else the first (the default). */
export function effectiveChoice(choices: ViewerChoices): ViewerChoice | null {
  const picked = choices.chosen;
  if (picked && choices.candidates.some((c) => choiceValue(c.choice) === choiceValue(picked))) return picked;
  return choices.candidates[0]?.choice ?? null;
}

/** Whether there is something to choose between. */
export function hasChoice(choices: ViewerChoices | null): choices is ViewerChoices {
  return choices !== null && choices.candidates.length > 1;
}
