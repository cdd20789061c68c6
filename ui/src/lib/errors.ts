import type { ApiError, ErrorCode, FailureCode, FieldProblem, PlatformFailure, SignInFailure, TextPosition } from "./bindings";

const CODES: readonly ErrorCode[] = [
  "invalid_input",
  "not_found",
  "version_conflict",
  "database_too_new",
  "database_unavailable",
  "storage_error",
  "server_unavailable",
  "server_failed",
  "keychain_unavailable",
  "signed_out",
  "platform_unavailable",
  "platform_failed",
  "sign_in_failed",
  "cancelled",
  "internal",
];

const FAILURE_CODES: readonly FailureCode[] = [
  "connection_error",
  "timeout",
  "auth_error",
  "config_error",
  "policy_denied",
  "crashed",
  "protocol_error",
  "server_error",
  "not_connected",
  "cancelled",
];

const SIGN_IN_FAILURES: readonly SignInFailure[] = [
  "unreachable",
  "http_status",
  "not_json",
  "malformed",
  "redirected",
  "invalid_grant",
  "invalid_client",
  "refused",
  "issuer_mismatch",
  "resource_mismatch",
  "no_pkce",
  "no_client",
  "state_mismatch",
  "access_denied",
  "denied",
  "callback_timeout",
  "cancelled",
  "browser",
  "listener",
  "config",
];

const PLATFORM_FAILURES: readonly PlatformFailure[] = [
  "bad_url",
  "origin_not_found",
  "mantle_not_found",
  "unknown_provider",
  "bad_credentials",
  "needs_user_token",
  "workspace_not_published",
];

function oneOf<T extends string>(list: readonly T[], v: unknown): v is T {
  return typeof v === "string" && (list as readonly string[]).includes(v);
}

export function isFailureCode(v: unknown): v is FailureCode {
  return oneOf(FAILURE_CODES, v);
}

/** A failed backend call, carrying the backend's ApiError so callers can branch on `code`. */
export class ApiFailure extends Error {
  readonly error: ApiError;
  constructor(error: ApiError) {
    super(error.message);
    this.name = "ApiFailure";
    this.error = error;
  }
  get code(): ErrorCode {
    return this.error.code;
  }
  /** Problems to show next to form fields (empty unless details.kind is "fields"). */
  get problems(): FieldProblem[] {
    return fieldProblems(this.error);
  }
  /** The MCP failure code (`connection_error`, `timeout`, …) of a server error, else null. */
  get failureCode(): FailureCode | null {
    return failureCodeOf(this.error);
  }
}

export function failureCodeOf(error: ApiError): FailureCode | null {
  return error.details?.kind === "server" ? error.details.failure_code : null;
}

/** Why a sign-in did not complete, when the error says (`details.kind` is "sign_in"). */
export function signInFailureOf(error: Pick<ApiError, "details">): SignInFailure | null {
  return error.details?.kind === "sign_in" ? error.details.reason : null;
}

/** What the platform had against a request, when the error says (`details.kind` is "platform"). */
export function platformFailureOf(error: Pick<ApiError, "details">): PlatformFailure | null {
  return error.details?.kind === "platform" ? error.details.reason : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

/**
 * Whatever came back (an ApiError, a plain string from a panicking command, an Error thrown by
 * the IPC layer) as a well-formed ApiError, so the UI never has to show raw JSON.
 */
export function normalizeApiError(e: unknown): ApiError {
  if (e instanceof ApiFailure) return e.error;
  if (isRecord(e) && typeof e.message === "string" && oneOf(CODES, e.code)) {
    return { code: e.code, message: e.message, details: normalizeDetails(e.details) };
  }
  let message: string;
  if (typeof e === "string" && e.trim()) message = e;
  else if (e instanceof Error && e.message) message = e.message;
  else if (isRecord(e) && typeof e.message === "string" && e.message) message = e.message;
  else message = "Something went wrong inside Atrium.";
  return { code: "internal", message, details: null };
}

function normalizeDetails(d: unknown): ApiError["details"] {
  if (!isRecord(d)) return null;
  if (d.kind === "fields" && Array.isArray(d.problems)) {
    const problems = d.problems
      .filter((p): p is FieldProblem => isRecord(p) && typeof p.field === "string" && typeof p.message === "string")
      .map((p) => {
        const position = normalizePosition(p.position);
        return position ? { field: p.field, message: p.message, position } : { field: p.field, message: p.message };
      });
    return { kind: "fields", problems };
  }
  if (d.kind === "version_conflict" && typeof d.expected === "number" && typeof d.actual === "number") {
    return { kind: "version_conflict", expected: d.expected, actual: d.actual };
  }
  if (d.kind === "path" && typeof d.path === "string") return { kind: "path", path: d.path };
  if (d.kind === "server" && isFailureCode(d.failure_code)) return { kind: "server", failure_code: d.failure_code };
  if (d.kind === "sign_in" && oneOf(SIGN_IN_FAILURES, d.reason)) return { kind: "sign_in", reason: d.reason };
  if (d.kind === "platform" && oneOf(PLATFORM_FAILURES, d.reason)) return { kind: "platform", reason: d.reason };
  return null;
}

function normalizePosition(v: unknown): TextPosition | null {
  if (!isRecord(v) || typeof v.line !== "number" || typeof v.column !== "number") return null;
  return { line: v.line, column: v.column };
}

/** Where in a text the first problem is (a malformed configuration file), when the backend says. */
export function problemPosition(error: ApiError): TextPosition | null {
  return fieldProblems(error).find((p) => p.position)?.position ?? null;
}

export function toFailure(e: unknown): ApiFailure {
  return e instanceof ApiFailure ? e : new ApiFailure(normalizeApiError(e));
}

export function fieldProblems(error: ApiError): FieldProblem[] {
  return error.details?.kind === "fields" ? error.details.problems : [];
}

/** Problems grouped by field, in the order they came. */
export function groupProblems(problems: readonly FieldProblem[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of problems) (out[p.field] ??= []).push(p.message);
  return out;
}

/** What to do when there is no system keychain (secret values live only there). */
export const KEYCHAIN_HELP =
  "Atrium keeps secret values only in the system keychain. On Linux that is the Secret Service: start GNOME Keyring (or KWallet) and unlock it, then try again.";

/** One sentence telling the user what to do next, for each kind of failure. */
export function nextStep(error: ApiError, logDir?: string | null): string {
  const logs = logDir ? ` The log folder (${logDir}) has details.` : "";
  switch (error.code) {
    case "invalid_input":
      return error.details?.kind === "fields" ? "Correct the highlighted fields and try again." : "Check what you entered and try again.";
    case "not_found":
      return "It may have been deleted in another window. The list has been refreshed.";
    case "version_conflict":
      return "It was changed elsewhere. Reload to get the latest version.";
    case "database_too_new":
      return "This database was written by a newer Atrium. Update Atrium, then restart.";
    case "database_unavailable":
      return "Check that the data folder is reachable and not locked by another program, then try again.";
    case "storage_error":
      return `Check free disk space and folder permissions, then try again.${logs}`;
    case "server_unavailable":
      return "The server is not connected. Open it under Servers to see why, then enable or refresh it.";
    case "server_failed":
      return "Check the server's log under Servers, then try again.";
    case "keychain_unavailable":
      return KEYCHAIN_HELP;
    case "signed_out":
      return "Sign in under Platform, then try again. Nothing here was lost.";
    case "platform_unavailable":
      return "Check your network connection. Changes wait on this computer and go to the platform when it is back.";
    case "platform_failed":
      return "Try again in a moment. If it keeps failing, check the platform's address under Platform, or sign in again.";
    case "sign_in_failed":
      return "Check the sign-in settings, then sign in again.";
    case "cancelled":
      return "Nothing was changed. Try again when you are ready.";
    case "internal":
      return `Try again. If it keeps happening, restart Atrium.${logs}`;
  }
}
