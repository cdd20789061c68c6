/**
 * How a server's authentication is shown: the kind's label, where it stands ("Signed in · expires in 42 min"), which
 * sign-in buttons it offers, and what to do after a failed sign-in.
 */
import type { ApiError, AuthKind, Registration, ServerAuth, SignInFailure } from "./bindings";
import { nextStep, signInFailureOf } from "./errors";
import type { Tone } from "./tone";

/** The kind in words; OAuth 2 names its Authorizer when it is known. */
export function authKindLabel(kind: AuthKind, authorizerTitle: string | null = null): string {
  switch (kind) {
    case "none":
      return "None";
    case "api_key":
      return "API key";
    case "static":
      return "Static header (development only)";
    case "oauth2":
      return authorizerTitle ? `OAuth 2 via ${authorizerTitle}` : "OAuth 2 via an Authorizer";
    case "client_credentials":
      return "Client credentials";
    case "mcp_oauth":
      return "MCP sign-in";
  }
}

/** When a token expires, from now: "expires in 42 min", "expires in 5 h", "expired"; null when unknown. */
export function expiresIn(expiresAt: number | null, nowMs: number): string | null {
  if (expiresAt === null) return null;
  const seconds = expiresAt - nowMs / 1000;
  if (seconds <= 0) return "expired";
  // Rounded down: a token never looks fresher than it is.
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return "expires in less than a minute";
  if (minutes < 120) return `expires in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `expires in ${hours} h`;
  return `expires in ${Math.round(hours / 24)} days`;
}

/** Where the credentials stand, in one line with its tone. Never carries a secret (the backend sends none). */
export function authStateLine(auth: ServerAuth, nowMs: number): { tone: Tone; text: string } {
  const s = auth.state;
  switch (s.state) {
    case "not_needed":
      return { tone: "neutral", text: "No sign-in needed" };
    case "configured":
      return { tone: "neutral", text: "Configured: sent with every request" };
    case "signed_out":
      return { tone: "neutral", text: "Signed out" };
    case "signed_in": {
      const parts = ["Signed in", expiresIn(s.expires_at, nowMs), s.scope?.trim() ? `scopes: ${s.scope.trim()}` : null];
      return { tone: "success", text: parts.filter(Boolean).join(" · ") };
    }
    case "refreshing":
      return { tone: "progress", text: "Token expired — refreshing…" };
    case "login_required":
      return { tone: "warning", text: s.reason.trim() ? `Login required: ${s.reason.trim()}` : "Login required" };
    case "denied":
      return { tone: "danger", text: s.message.trim() ? `Denied: ${s.message.trim()}` : "Denied" };
  }
}

export interface SignInActions {
  /** The sign-in button: "Sign in", "Reconnect" (sign in again while signed in), or none. */
  signIn: "sign_in" | "reconnect" | null;
  signOut: boolean;
}

/** The buttons a server's authentication offers: only kinds a person signs in to (`can_sign_in`) have any. */
export function signInActions(auth: ServerAuth): SignInActions {
  if (!auth.can_sign_in) return { signIn: null, signOut: false };
  const holding = auth.state.state === "signed_in" || auth.state.state === "refreshing";
  return { signIn: holding ? "reconnect" : "sign_in", signOut: holding };
}

/** The Authorizer a registration signs in through, if any. */
export function authorizerIdOf(registration: Registration | null): string | null {
  const auth = registration?.auth;
  return auth?.type === "oauth2" && auth.authorizer_id ? auth.authorizer_id : null;
}

/** Whether a server's page shows its Authentication section: remote servers, and any server with credentials. */
export function showsAuth(transport: string, auth: ServerAuth): boolean {
  return transport === "http" || transport === "sse" || auth.kind !== "none" || auth.can_sign_in;
}

/** The `needs_login` banner's text: the backend's sentence (a plain one when it sent none). */
export function loginMessage(message: string): string {
  return message.trim() || "The server asks you to sign in before it answers.";
}

/** A failed sign-in as shown: the backend's message and what to do next. */
export interface SignInProblem {
  message: string;
  hint: string;
}

export function signInProblem(error: ApiError): SignInProblem {
  return { message: error.message, hint: signInHint(error) };
}

/** What to do after a sign-in failed for this reason — to a server, an Authorizer or the platform. */
export const SIGN_IN_HINTS: Record<SignInFailure, string> = {
  unreachable: "Check your network connection and the provider's address, then try again.",
  http_status: "The provider answered with an error. Check its address in the settings, then try again.",
  not_json: "The address does not lead to a sign-in service (it answered a web page). Check it in the settings.",
  malformed: "The provider answered something Atrium cannot read. Check its address in the settings.",
  redirected: "The token address redirects elsewhere, which Atrium does not follow with credentials. Use the final address.",
  invalid_grant: "The sign-in expired or was already used. Sign in again.",
  invalid_client: "The provider refused Atrium's client. Check the client id and secret in the server's or the Authorizer's settings.",
  refused: "The provider refused the request. Check the client id, secret and scopes in the settings, then try again.",
  issuer_mismatch: "The provider's metadata names another issuer, so Atrium stopped to keep your credentials safe. Check the address.",
  resource_mismatch: "The server's sign-in metadata is for another address, so Atrium stopped to keep your credentials safe. Check the server's address.",
  no_pkce: "The provider does not support PKCE (S256), which a browser sign-in needs. Ask its administrator to turn it on.",
  no_client:
    "Edit the server: choose “MCP sign-in with a pre-registered client” and enter the client id registered with its provider.",
  state_mismatch: "Nothing was stored. Close the old sign-in tabs in your browser, then sign in again.",
  access_denied: "Access was not granted. Sign in again and approve the request, or ask the provider's administrator to allow this app.",
  denied: "The provider did not let the sign-in through. Sign in again, or ask its administrator.",
  callback_timeout: "Sign in again and finish in the browser within 5 minutes.",
  cancelled: "Nothing was changed. Sign in again when you are ready.",
  browser: "Atrium could not open your browser. Check that a default browser is set, then try again.",
  listener: "Atrium could not wait for the browser's answer on this computer. Try again; if it keeps failing, restart Atrium.",
  config: "The sign-in settings are incomplete or wrong. Check them in the server's or the Authorizer's settings.",
};

/** What to do after a failed sign-in: by its reason when the backend gives one, else by its code. */
export function signInHint(error: ApiError): string {
  const reason = signInFailureOf(error);
  return reason ? SIGN_IN_HINTS[reason] : nextStep(error);
}

/** What signing out did with the tokens. */
export function signOutResult(revoked: boolean): string {
  return revoked
    ? "The tokens were revoked at the provider."
    : "The provider could not revoke them: Atrium deleted them from your keychain, and they stop working when they expire.";
}
