/**
 * The server form's Authentication part: its inputs as text, and their translation to and from the registration's
 * typed `Auth` (none when the form says None). Secrets are referred to by id; the one value typed here (a static
 * header's) goes to the keychain when the server is saved and is never read back.
 */
import type { Auth, TokenAuthMethod } from "./bindings";

export type AuthFormKind = "none" | Auth["type"];

export const AUTH_FORM_KINDS: { value: AuthFormKind; label: string; hint: string }[] = [
  { value: "none", label: "None", hint: "No credentials. If the server asks for a sign-in (MCP authorization), its page offers one." },
  { value: "api_key", label: "API key", hint: "A header whose whole value is a secret from your system keychain, sent with every request." },
  {
    value: "static",
    label: "Static header (development only)",
    hint: "A fixed header for trying a server out. Use an API key for anything real: it can be replaced and shared safely.",
  },
  {
    value: "oauth2",
    label: "OAuth 2 (Authorizer)",
    hint: "Sign in in the browser through an Authorizer, an OAuth app's settings that servers share. The tokens stay in your keychain.",
  },
  {
    value: "client_credentials",
    label: "Client credentials",
    hint: "Machine to machine: Atrium gets a token with a client id and a secret (or a private key), without a browser.",
  },
  {
    value: "mcp_oauth",
    label: "MCP sign-in with a pre-registered client",
    hint: "For servers whose sign-in does not register apps by itself: give the client id registered with its provider. You sign in in the browser.",
  },
];

export function isAuthFormKind(v: string): v is AuthFormKind {
  return AUTH_FORM_KINDS.some((k) => k.value === v);
}

/** How client credentials authenticate at the token endpoint; "" leaves it to what the endpoint supports. */
export const TOKEN_AUTH_METHODS: { value: TokenAuthMethod | ""; label: string }[] = [
  { value: "", label: "What the token endpoint supports" },
  { value: "client_secret_basic", label: "Client secret, HTTP Basic" },
  { value: "client_secret_post", label: "Client secret, in the form" },
  { value: "private_key_jwt", label: "Private key (signed JWT)" },
];

/** The algorithms a private key may sign with; "" reads it from the key. */
export const SIGNING_ALGS = ["", "RS256", "ES256"] as const;
export type SigningAlgChoice = (typeof SIGNING_ALGS)[number];

export interface AuthFormValues {
  kind: AuthFormKind;
  /** API key and static: the header's name. */
  header: string;
  /** API key, client credentials, MCP sign-in: the keychain secret's id ("" when none is chosen). */
  secretId: string;
  /** Static: a new value (empty keeps the stored one). Never filled from a registration. */
  staticValue: string;
  authorizerId: string;
  clientId: string;
  /** Client credentials: empty means discovered from the server. */
  tokenUrl: string;
  /** Space separated. */
  scopes: string;
  /** Client credentials: "" lets Atrium pick what the token endpoint supports. */
  authMethod: TokenAuthMethod | "";
  /** Client credentials with a private key: "" reads the algorithm from the key. */
  signingAlg: SigningAlgChoice;
}

export function emptyAuthForm(): AuthFormValues {
  return {
    kind: "none",
    header: "",
    secretId: "",
    staticValue: "",
    authorizerId: "",
    clientId: "",
    tokenUrl: "",
    scopes: "",
    authMethod: "",
    signingAlg: "",
  };
}

/** Scopes from "repo read:org" (spaces, commas or lines between them). */
export function splitScopes(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== "");
}

function signingAlgChoice(alg: string | null | undefined): SigningAlgChoice {
  return SIGNING_ALGS.find((a) => a === alg) ?? "";
}

/** The form for a registration's `auth` (absent: None). */
export function authFormFromAuth(auth: Auth | null | undefined): AuthFormValues {
  const v = emptyAuthForm();
  if (!auth) return v;
  switch (auth.type) {
    case "api_key":
      return { ...v, kind: "api_key", header: auth.header, secretId: auth.secret_id };
    case "static":
      // The value (or its keychain id) stays in the registration; the form never shows it.
      return { ...v, kind: "static", header: auth.header };
    case "oauth2":
      return { ...v, kind: "oauth2", authorizerId: auth.authorizer_id };
    case "client_credentials":
      return {
        ...v,
        kind: "client_credentials",
        clientId: auth.client_id,
        secretId: auth.secret_id,
        tokenUrl: auth.token_url ?? "",
        scopes: (auth.scopes ?? []).join(" "),
        authMethod: auth.auth_method ?? "",
        signingAlg: signingAlgChoice(auth.signing_alg),
      };
    case "mcp_oauth":
      return { ...v, kind: "mcp_oauth", clientId: auth.client_id ?? "", secretId: auth.secret_id ?? "", scopes: (auth.scopes ?? []).join(" ") };
  }
}

/** The form switched to another kind; a typed static value does not outlive leaving Static. */
export function withAuthKind(v: AuthFormValues, kind: AuthFormKind): AuthFormValues {
  if (v.kind === kind) return v;
  return { ...v, kind, staticValue: kind === "static" ? v.staticValue : "" };
}

/** Whether the stored (or pasted) auth already holds a static header's value: in the keychain, or as a literal. */
export function hasStoredStaticValue(stored: Auth | null | undefined): boolean {
  return stored?.type === "static" && !!(stored.secret_id || stored.value);
}

/** A static header's value was typed and not saved yet (it must not be shown as JSON). */
export function hasTypedStaticValue(v: AuthFormValues): boolean {
  return v.kind === "static" && v.staticValue !== "";
}

/** The `auth` the form describes (null: none). `stored` is the registration's, whose static value is kept unless replaced. */
export function authFromForm(v: AuthFormValues, stored?: Auth | null): Auth | null {
  const scopes = splitScopes(v.scopes);
  switch (v.kind) {
    case "none":
      return null;
    case "api_key":
      return { type: "api_key", header: v.header.trim(), secret_id: v.secretId };
    case "static": {
      const auth: Auth = { type: "static", header: v.header.trim() };
      if (v.staticValue !== "") auth.value = v.staticValue;
      else if (stored?.type === "static" && stored.secret_id) auth.secret_id = stored.secret_id;
      else if (stored?.type === "static" && stored.value) auth.value = stored.value;
      return auth;
    }
    case "oauth2":
      return { type: "oauth2", authorizer_id: v.authorizerId };
    case "client_credentials": {
      const auth: Auth = { type: "client_credentials", client_id: v.clientId.trim(), secret_id: v.secretId, scopes };
      if (v.tokenUrl.trim()) auth.token_url = v.tokenUrl.trim();
      if (v.authMethod) auth.auth_method = v.authMethod;
      // An algorithm only means something for a private key.
      if (v.authMethod === "private_key_jwt" && v.signingAlg) auth.signing_alg = v.signingAlg;
      return auth;
    }
    case "mcp_oauth": {
      const auth: Auth = { type: "mcp_oauth", scopes };
      if (v.clientId.trim()) auth.client_id = v.clientId.trim();
      if (v.secretId) auth.secret_id = v.secretId;
      return auth;
    }
  }
}
