// The official TypeScript MCP SDK client signing in to Atrium's gateway with OAuth only (an agent with no token:
// seed 001's kind), through the SDK's own `OAuthClientProvider` and `auth()`: discovery from the 401, dynamic
// registration, authorization code with PKCE, then /mcp with the access token, then a refresh.
//
//   node tests/peers/oauth_client.mjs URL CLIENT_NAME
//
// The "browser" step opens the authorization URL the SDK hands over as a browser would (a GET; redirects not
// followed), finds the page waiting for approval in Atrium, and asks the page's status URL until the person
// answers in the window — the test approves there (the window's consent dialog, or the API it calls). It prints
// {"waiting": true} when the page waits, then one JSON document: whoami before and after the refresh, or
// {"error": …} (exit 3).

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { auth, UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, clientName] = process.argv.slice(2);
// Never reached: the "browser" below reads the redirect instead of following it.
const REDIRECT = "http://127.0.0.1:1/callback";

class Provider {
  constructor() {
    this.info = undefined;
    this.saved = undefined;
    this.verifier = undefined;
    this.authorizationUrl = undefined;
  }
  get redirectUrl() {
    return REDIRECT;
  }
  get clientMetadata() {
    return {
      client_name: clientName,
      redirect_uris: [REDIRECT],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
      scope: "read write",
    };
  }
  state() {
    return "peer-state";
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(authorizationUrl) {
    this.authorizationUrl = authorizationUrl;
  }
  saveCodeVerifier(verifier) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/** The browser's part: the waiting page, then its status until answered; the redirect's query. */
async function browse(authorizationUrl) {
  const page = await fetch(authorizationUrl, { redirect: "manual" });
  if (page.status === 302) return new URL(page.headers.get("location")).searchParams;
  const html = await page.text();
  const poll = html.match(/\/authorize\/status\/([A-Za-z0-9_-]+)/);
  if (!poll) throw new Error(`the authorization page does not wait (${page.status}): ${html.slice(0, 300)}`);
  console.log(JSON.stringify({ waiting: true }));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const status = await (await fetch(new URL(`/authorize/status/${poll[1]}`, authorizationUrl))).json();
    if (status.state === "answered") return new URL(status.redirect).searchParams;
    if (status.state !== "waiting") throw new Error(`the request is ${status.state}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("nobody answered in 120 s");
}

async function whoami(provider) {
  const client = new Client({ name: clientName, version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
  const result = await client.callTool({ name: "whoami", arguments: {} });
  await client.close();
  return result.structuredContent;
}

try {
  const provider = new Provider();
  const first = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  const client = new Client({ name: clientName, version: "1.0.0" });
  let refusedFirst = false;
  try {
    await client.connect(first);
  } catch (e) {
    if (!(e instanceof UnauthorizedError)) throw e;
    refusedFirst = true;
  }
  if (!refusedFirst || !provider.authorizationUrl) throw new Error("the gateway let an unauthenticated client in");
  const back = await browse(provider.authorizationUrl);
  if (back.get("error")) {
    console.log(JSON.stringify({ denied: back.get("error"), state: back.get("state") }));
    process.exit(0);
  }
  if (back.get("state") !== "peer-state") throw new Error(`state came back as ${back.get("state")}`);
  await first.finishAuth(back.get("code"));
  const before = await whoami(provider);
  const access = provider.saved.access_token;
  // A refresh through the SDK's own path: with a refresh token, auth() exchanges it.
  provider.saved = { ...provider.saved, access_token: "expired" };
  const refreshed = await auth(provider, { serverUrl: new URL(url) });
  const after = await whoami(provider);
  console.log(
    JSON.stringify({
      client_id: provider.info.client_id,
      before,
      refreshed,
      new_access: provider.saved.access_token !== access && provider.saved.access_token !== "expired",
      after,
    }),
  );
} catch (e) {
  console.log(JSON.stringify({ error: String(e?.stack ?? e) }));
  process.exit(3);
}
