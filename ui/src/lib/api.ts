/**
 * The one door to the backend, derived from the generated `commands` (bindings.ts, never edited by hand): every
 * command that answers a `Result` either returns its data or throws an ApiFailure carrying the ApiError, and calls
 * in flight drive the busy indicator. A new command in the bindings is here without a line written for it.
 */
import { listen } from "@tauri-apps/api/event";
import { commands } from "./bindings";
import type { ApiError, AppEvent, Result, StartupStatus } from "./bindings";
import { busy } from "./busy.svelte";
import { ApiFailure, normalizeApiError, toFailure } from "./errors";

export { ApiFailure } from "./errors";

type Commands = typeof commands;

/** The commands that answer `Result<T, ApiError>` (all but `startupStatus` and `uiReady`). */
type ResultCommand = {
  [K in keyof Commands]: Commands[K] extends (...args: never[]) => Promise<Result<unknown, ApiError>> ? K : never;
}[keyof Commands];

/** A command as the UI calls it: the same arguments, its data as the answer, an ApiFailure thrown otherwise. */
type Unwrapped<F> = F extends (...args: infer A) => Promise<Result<infer T, ApiError>> ? (...args: A) => Promise<T> : never;

export type Api = { [K in ResultCommand]: Unwrapped<Commands[K]> };

/**
 * Commands that never drive the global busy indicator: they show their own progress (a test, a start or stop, a
 * tool call, a sync's bar, a connection check), wait for the person (a sign-in in the browser, minutes), or run as the user types or in
 * the background (validation, search, a server's state and log, the viewer relay).
 */
const QUIET: ReadonlySet<ResultCommand> = new Set<ResultCommand>([
  "artifactValidate",
  "search",
  "serverValidate",
  "serverTest",
  "serverTestRegistered",
  "serverRefresh",
  "serverState",
  "serverLog",
  "serverStart",
  "serverStop",
  "serverRestart",
  "serverSignIn",
  "serverSignInCancel",
  "authorizerConnect",
  "authorizerConnectCancel",
  "platformCheck",
  "platformSignIn",
  "platformSignInCancel",
  "syncNow",
  "toolCall",
  "toolCancel",
  "viewerOpenTool",
  "viewerPost",
  "viewerClose",
  "viewerNotes",
  "viewerSetTheme",
  "viewerAnswerLink",
  "viewerChoices",
]);

const SPECIAL = new Set<keyof Commands>(["startupStatus", "uiReady"]);

async function unwrap<T>(run: () => Promise<Result<T, ApiError>>, quiet: boolean): Promise<T> {
  if (!quiet) busy.start();
  try {
    const r = await run();
    if (r.status === "ok") return r.data;
    throw new ApiFailure(normalizeApiError(r.error));
  } catch (e) {
    throw toFailure(e);
  } finally {
    if (!quiet) busy.end();
  }
}

function derive(quietAlways: boolean): Api {
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, command] of Object.entries(commands) as [keyof Commands, (...args: unknown[]) => Promise<Result<unknown, ApiError>>][]) {
    if (SPECIAL.has(name)) continue;
    const quiet = quietAlways || QUIET.has(name as ResultCommand);
    out[name] = (...args) => unwrap(() => command(...args), quiet);
  }
  return out as Api;
}

export const api = {
  ...derive(false),
  /** The same commands without the busy indicator, for reads in the background (a refresh after an event). */
  quiet: derive(true),
  /** Never throws: a broken bridge is reported as a failed startup. */
  async startupStatus(): Promise<StartupStatus> {
    try {
      return await commands.startupStatus();
    } catch (e) {
      return { kind: "failed", error: normalizeApiError(e), data_dir: "" };
    }
  },
  /** Tells the backend the first screen is up and interactive. Best effort: never throws. */
  async uiReady(): Promise<void> {
    try {
      await commands.uiReady();
    } catch {
      /* nothing depends on the answer */
    }
  },
};

/** Whether this page runs inside Atrium's window (Tauri's bridge is there), rather than in a plain browser. */
export function hasBackend(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** The window event the desktop shell emits every AppEvent as. */
export const EVENT_NAME = "atrium://event";
/** The window event carrying several AppEvents no one waits for (server log lines, audit notices), gathered. */
export const BATCH_EVENT_NAME = "atrium://events";

type EventHandler = (event: AppEvent) => void;
const handlers = new Set<EventHandler>();
let listening: Promise<unknown> | null = null;

function dispatch(event: AppEvent): void {
  for (const h of [...handlers]) {
    try {
      h(event);
    } catch (e) {
      console.error("atrium event handler failed", e);
    }
  }
}

/**
 * Live events (server status, logs, progress, elicitations, audit), which arrive as the `atrium://event` window
 * event (log lines and audit notices gathered as `atrium://events`). Returns the unsubscribe function.
 */
export function onEvent(handler: EventHandler): () => void {
  handlers.add(handler);
  if (!listening && hasBackend()) {
    listening = Promise.all([
      listen<AppEvent>(EVENT_NAME, (e) => dispatch(e.payload)),
      // Server log lines and audit notices come gathered, in order.
      listen<AppEvent[]>(BATCH_EVENT_NAME, (e) => e.payload.forEach(dispatch)),
    ]).catch((e: unknown) => {
      console.error("cannot listen to Atrium's events", e);
      listening = null;
    });
  }
  return () => void handlers.delete(handler);
}

/** The window event the shell sends when the window's close was held back for unsaved edits. */
export const CLOSE_REQUESTED_EVENT = "atrium://close-requested";

/**
 * Calls `handler` when the person closes the window while the page said it holds unsaved edits
 * (`windowGuardClose`); the handler asks, then closes with `windowClose`. Returns the unsubscribe function.
 */
export function onCloseRequested(handler: () => void): () => void {
  if (!hasBackend()) return () => {};
  let stop: (() => void) | null = null;
  let stopped = false;
  listen(CLOSE_REQUESTED_EVENT, () => handler()).then(
    (un) => (stopped ? un() : (stop = un)),
    (e: unknown) => console.error("cannot listen for the window's close", e),
  );
  return () => {
    stopped = true;
    stop?.();
  };
}
