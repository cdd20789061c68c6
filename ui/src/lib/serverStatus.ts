/** How server states, failure codes, call outcomes and log levels are shown: labels, tones and next steps. */
import type { AuditStatus, CallProgress, FailureCode, ServerStatus } from "./bindings";

export type Tone = "neutral" | "progress" | "success" | "warning" | "danger" | "accent";

export interface StatusBadge {
  /** The state name (`stopped`, `starting`, `ready`, `degraded`, `failed`), for `data-state`. */
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
    case "ready":
      return { state: "ready", label: "Ready", tone: "success", code: null, message: "Connected." };
    case "degraded":
      return {
        state: "degraded",
        label: status.code,
        tone: "warning",
        code: status.code,
        message: `Reconnecting: ${status.message}`,
      };
    case "failed":
      return { state: "failed", label: status.code, tone: "danger", code: status.code, message: status.message };
  }
}

/** What to do next for each failure code, in one sentence. */
export const FAILURE_HINTS: Record<FailureCode, string> = {
  connection_error: "Check that the server is running and that its address or command is right.",
  timeout: "The server did not answer in time. Check that it is running, or raise the time limits in its settings.",
  auth_error: "The server refused the credentials. Check the authentication settings in the registration.",
  config_error: "The registration (or the discovery document) is wrong. Edit the server and check its fields.",
  policy_denied: "Local policy refused it, for example a tool that is not in allowed_tools. Edit the server to change that.",
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
