/** How server states, failure codes, call outcomes and log levels are shown: labels, tones and next steps. */
import type { AuditStatus, CallProgress, FailureCode, ServerStatus } from "./bindings";
import { loginMessage } from "./serverAuth";
import type { Tone } from "./tone";

export type { Tone };

export interface StatusBadge {
  /** The state name (`stopped`, `starting`, `installing`, `ready`, `needs_login`, `needs_approval`, `degraded`, `failed`), for `data-state`. */
  state: ServerStatus["state"];
  /** What the badge says: a word, or the failure code for degraded and failed servers. */
  label: string;
  tone: Tone;
  code: FailureCode | null;
  /** A sentence for the tooltip and the detail banner. */
  message: string;
}

/** The badge for a server's status; a stopped server that is disabled says so. */
export function statusBadge(status: ServerStatus, enabled = true): StatusBadge {
  switch (status.state) {
    case "stopped":
      return {
        state: "stopped",
        label: enabled ? "Stopped" : "Disabled",
        tone: "neutral",
        code: null,
        message: enabled ? "Not connected." : "Disabled: Atrium does not connect to it. Enable it to use its tools.",
      };
    case "starting":
      return { state: "starting", label: "Connecting…", tone: "progress", code: null, message: "Connecting to the server…" };
    case "installing":
      return { state: "installing", label: "Installing…", tone: "progress", code: null, message: `Installing: ${installProgress(status).label}` };
    case "ready":
      return { state: "ready", label: "Ready", tone: "success", code: null, message: "Connected." };
    case "needs_login":
      return { state: "needs_login", label: "Login required", tone: "warning", code: null, message: loginMessage(status.message) };
    case "needs_approval":
      return { state: "needs_approval", label: "Review", tone: "warning", code: null, message: status.message };
    case "degraded":
      return {
        state: "degraded",
        label: status.code,
        tone: "warning",
        code: status.code,
        message: `Reconnecting (attempt ${status.attempt}): ${status.message}`,
      };
    case "failed":
      return { state: "failed", label: status.code, tone: "danger", code: status.code, message: status.message };
  }
}

/** An install's progress: the step in words with its count, and how far along it is (null without a total). */
export function installProgress(s: { step: string; done: number; total: number }): { label: string; fraction: number | null } {
  const count = s.total > 0 ? `${Math.min(s.done, s.total)}/${s.total}` : "";
  const label = [s.step.trim() || "Preparing", count && `(${count})`].filter(Boolean).join(" ");
  const fraction = s.total > 0 ? Math.max(0, Math.min(1, s.done / s.total)) : null;
  return { label, fraction };
}

/** When a crashed server starts again: "restarting in 4 s (attempt 2)", or "restarting now" once the pause is over. */
export function retryText(attempt: number, msLeft: number): string {
  const seconds = Math.ceil(Math.max(0, msLeft) / 1000);
  return seconds > 0 ? `restarting in ${seconds} s (attempt ${attempt})` : `restarting now (attempt ${attempt})`;
}

export type LifecycleAction = "start" | "stop" | "restart";

/** The lifecycle buttons a server's state offers: start what is not running, stop (and restart) what is. */
export function lifecycleActions(state: ServerStatus["state"]): LifecycleAction[] {
  switch (state) {
    case "stopped":
    case "failed":
      return ["start"];
    case "starting":
    case "installing":
    case "needs_login":
      return ["stop"];
    case "needs_approval":
      return [];
    case "ready":
    case "degraded":
      return ["stop", "restart"];
  }
}

/** What a lifecycle button says while its command runs. */
export const LIFECYCLE_BUSY: Record<LifecycleAction, string> = { start: "Starting…", stop: "Stopping…", restart: "Restarting…" };

/** What to do next for each failure code, in one sentence. */
export const FAILURE_HINTS: Record<FailureCode, string> = {
  connection_error: "Check that the server is running and that its address or command is right.",
  timeout: "The server did not answer in time. Check that it is running, or raise the time limits in its settings.",
  auth_error: "The server refused the credentials. Check the authentication settings in the registration.",
  config_error: "The registration (or the discovery document) is wrong. Edit the server and check its fields.",
  policy_denied:
    "Local policy refused it: a command that is not on the allowlist (add it under Secrets › Local servers if you trust it), or a tool not in allowed_tools.",
  crashed: "The server process exited. Its log shows what it wrote before it stopped.",
  protocol_error: "The server sent something that is not valid MCP. Check that it is an MCP server and up to date.",
  server_error: "The server answered with an error. Check the arguments, or the server's log.",
  not_connected: "The server is not connected. Enable or reconnect it, then try again.",
  cancelled: "The call was cancelled.",
};

export function failureHint(code: FailureCode | string | null | undefined): string {
  return code && code in FAILURE_HINTS ? FAILURE_HINTS[code as FailureCode] : "";
}

export const AUDIT_STATUSES: readonly AuditStatus[] = ["ok", "tool_error", "failed", "cancelled", "denied"];

export function auditTone(status: AuditStatus | string): Tone {
  switch (status) {
    case "ok":
      return "success";
    case "tool_error":
      return "warning";
    case "failed":
    case "denied":
      return "danger";
    default:
      return "neutral";
  }
}

/** The tone of a log line's level badge. */
export function logTone(level: string): Tone {
  switch (level.toLowerCase()) {
    case "error":
    case "critical":
    case "alert":
    case "emergency":
      return "danger";
    case "warning":
    case "warn":
      return "warning";
    case "atrium":
      return "accent";
    default:
      return "neutral";
  }
}

/** Transport names as people read them. */
export function transportLabel(transport: string): string {
  switch (transport) {
    case "http":
      return "HTTP";
    case "sse":
      return "SSE";
    case "stdio":
      return "stdio";
    case "github":
      return "GitHub";
    case "":
      return "Invalid";
    default:
      return transport;
  }
}

/** A running call's progress in words: "Step 2 of 5 · 2 / 5", "40 %", or the bare count when there is no total. */
export function progressLabel(p: Pick<CallProgress, "progress" | "total" | "message">): string {
  const count = p.total ? `${p.progress} / ${p.total}` : p.message ? "" : String(p.progress);
  return [p.message?.trim(), count].filter(Boolean).join(" · ");
}
