"""A real MCP server protected by OAuth 2 for Atrium's tests, built on the mcp SDK's own auth code.

One process is both the OAuth authorization server (mcp.server.auth: /authorize, /token, /register,
/revoke and /.well-known/oauth-authorization-server) and the protected resource: streamable HTTP at
http://127.0.0.1:PORT/mcp, bearer token required, protected-resource metadata (RFC 9728) at
/.well-known/oauth-protected-resource/mcp. Prints `READY http://127.0.0.1:PORT` once listening.

    .tools/py/bin/python tests/peers/oauth_server.py --port 8124 --token-ttl 3600
    .tools/py/bin/python tests/peers/oauth_server.py --port 8124 --scopes "mcp:read mcp:write"

The provider keeps everything in memory and approves every authorization at once: GET /authorize
answers 302 to the client's redirect_uri with `code` and `state`. Access tokens are opaque and live
--token-ttl seconds; refresh tokens rotate (the old one is dead after use). Pre-registered clients,
besides dynamic registration, both accepting any http://127.0.0.1:<port>/callback redirect:
    atrium-authorizer   secret "atrium-authorizer-secret", token_endpoint_auth_method client_secret_post
    atrium-public       public client, token_endpoint_auth_method none

Test control routes (no auth):
    GET  /test/stats         counters, as JSON
    POST /test/fail-refresh  every refresh_token grant fails with invalid_grant from now on
    POST /test/heal-refresh  undo /test/fail-refresh
    POST /test/expire-all    expire every current access token (refresh tokens stay valid)
    GET|POST /test/html-token  200 text/html, a "token endpoint" that answers HTML
"""

import argparse
import asyncio
import json
import secrets
import time
from urllib.parse import urlparse

import uvicorn
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    AuthorizeError,
    RefreshToken,
    TokenError,
    construct_redirect_uri,
)
from mcp.server.auth.settings import AuthSettings, ClientRegistrationOptions, RevocationOptions
from mcp.server.fastmcp import Context, FastMCP
from mcp.shared.auth import InvalidRedirectUriError, OAuthClientInformationFull, OAuthToken
from pydantic import AnyUrl
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

NAME = "oauth-greeter"
CODE_TTL = 300  # authorization codes live 5 minutes
AUTHORIZER_ID, AUTHORIZER_SECRET = "atrium-authorizer", "atrium-authorizer-secret"
PUBLIC_ID = "atrium-public"


class LoopbackClient(OAuthClientInformationFull):
    """A pre-registered client whose redirect_uri may be http://127.0.0.1:<any port>/callback.

    The SDK checks redirect_uri with client.validate_redirect_uri() (exact match against
    redirect_uris by default); overriding it is the supported hook (RFC 8252 §7.3 loopback ports).
    """

    def validate_redirect_uri(self, redirect_uri: AnyUrl | None) -> AnyUrl:
        if redirect_uri is None:
            raise InvalidRedirectUriError("redirect_uri is required")
        url = urlparse(str(redirect_uri))
        if url.scheme == "http" and url.hostname == "127.0.0.1" and url.port and url.path == "/callback":
            return redirect_uri
        raise InvalidRedirectUriError(f"Redirect URI '{redirect_uri}' is not http://127.0.0.1:<port>/callback")


class InMemoryProvider:
    """OAuthAuthorizationServerProvider (a Protocol, so no base class needed), all state in dicts."""

    def __init__(self, resource_url: str, scopes: list[str], token_ttl: int):
        self.resource_url = resource_url
        self.token_ttl = token_ttl
        self.fail_refresh = False
        self.codes: dict[str, AuthorizationCode] = {}
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {}
        self.refresh_of_access: dict[str, str] = {}  # access token -> refresh token minted with it
        self.stats = dict.fromkeys(
            ("authorizations", "code_exchanges", "refreshes", "failed_refreshes", "revocations", "registrations"), 0
        )
        common = dict(redirect_uris=[AnyUrl("http://127.0.0.1/callback")], scope=" ".join(scopes),
                      grant_types=["authorization_code", "refresh_token"], response_types=["code"])
        self.clients: dict[str, OAuthClientInformationFull] = {
            AUTHORIZER_ID: LoopbackClient(client_id=AUTHORIZER_ID, client_secret=AUTHORIZER_SECRET,
                                          token_endpoint_auth_method="client_secret_post", **common),
            PUBLIC_ID: LoopbackClient(client_id=PUBLIC_ID, token_endpoint_auth_method="none", **common),
        }

    # --- clients -------------------------------------------------------------------------------
    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        return self.clients.get(client_id)

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        # The SDK's /register handler has already minted client_id/secret and checked scopes;
        # dynamically registered clients keep the SDK's exact redirect_uri matching.
        self.stats["registrations"] += 1
        self.clients[client_info.client_id] = client_info

    # --- authorization code ----------------------------------------------------------------------
    async def authorize(self, client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
        self.stats["authorizations"] += 1
        # `resource` (RFC 8707) is optional for the SDK; when given it must name this server.
        # (RFC 8707's `invalid_target` is not in the SDK's AuthorizeError codes, hence invalid_request.)
        if params.resource is not None and params.resource.rstrip("/") != self.resource_url.rstrip("/"):
            raise AuthorizeError("invalid_request", f"unknown resource {params.resource!r}")
        code = secrets.token_urlsafe(32)
        self.codes[code] = AuthorizationCode(
            code=code,
            # No `scope` in the request: the SDK passes None; grant everything the client registered.
            scopes=params.scopes if params.scopes is not None else (client.scope or "").split(),
            expires_at=time.time() + CODE_TTL,
            client_id=client.client_id,
            code_challenge=params.code_challenge,
            redirect_uri=params.redirect_uri,
            redirect_uri_provided_explicitly=params.redirect_uri_provided_explicitly,
            resource=params.resource,
        )
        return construct_redirect_uri(str(params.redirect_uri), code=code, state=params.state)

    async def load_authorization_code(self, client: OAuthClientInformationFull, code: str) -> AuthorizationCode | None:
        found = self.codes.get(code)
        if found is None or found.expires_at < time.time():
            self.codes.pop(code, None)
            return None
        return found  # the SDK checks client_id, redirect_uri and PKCE S256 itself

    async def exchange_authorization_code(self, client: OAuthClientInformationFull, code: AuthorizationCode) -> OAuthToken:
        self.codes.pop(code.code, None)  # single use
        self.stats["code_exchanges"] += 1
        return self._issue(client.client_id, code.scopes, code.resource)

    # --- refresh ---------------------------------------------------------------------------------
    async def load_refresh_token(self, client: OAuthClientInformationFull, refresh_token: str) -> RefreshToken | None:
        return self.refresh.get(refresh_token)  # unknown/rotated -> SDK answers invalid_grant

    async def exchange_refresh_token(self, client: OAuthClientInformationFull, refresh_token: RefreshToken,
                                     scopes: list[str]) -> OAuthToken:
        if self.fail_refresh:
            self.stats["failed_refreshes"] += 1
            raise TokenError("invalid_grant", "refresh refused by /test/fail-refresh")
        del self.refresh[refresh_token.token]  # rotation: the old refresh token is dead now
        self.stats["refreshes"] += 1
        # Access tokens minted earlier stay valid until they expire.
        return self._issue(client.client_id, scopes, refresh_token.resource)

    # --- access tokens ---------------------------------------------------------------------------
    async def load_access_token(self, token: str) -> AccessToken | None:
        found = self.access.get(token)
        if found is None or (found.expires_at is not None and found.expires_at <= time.time()):
            return None  # unknown or expired -> /mcp answers 401
        return found

    async def revoke_token(self, token: AccessToken | RefreshToken) -> None:
        # Revoke the pair: the access token and the refresh token minted with it, either way round.
        self.stats["revocations"] += 1
        if isinstance(token, AccessToken):
            self.access.pop(token.token, None)
            self.refresh.pop(self.refresh_of_access.pop(token.token, ""), None)
        else:
            self.refresh.pop(token.token, None)
            for access in [a for a, r in self.refresh_of_access.items() if r == token.token]:
                self.access.pop(access, None)
                del self.refresh_of_access[access]

    def _issue(self, client_id: str, scopes: list[str], resource: str | None) -> OAuthToken:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.access[access] = AccessToken(token=access, client_id=client_id, scopes=scopes,
                                          expires_at=int(time.time()) + self.token_ttl, resource=resource)
        self.refresh[refresh] = RefreshToken(token=refresh, client_id=client_id, scopes=scopes, resource=resource)
        self.refresh_of_access[access] = refresh
        return OAuthToken(access_token=access, token_type="Bearer", expires_in=self.token_ttl,
                          scope=" ".join(scopes), refresh_token=refresh)

    # --- test controls ---------------------------------------------------------------------------
    def expire_all(self) -> None:
        past = int(time.time()) - 1
        for token in self.access.values():
            token.expires_at = past

    def snapshot(self) -> dict[str, int]:
        now = time.time()
        live = sum(1 for t in self.access.values() if t.expires_at is None or t.expires_at > now)
        return {**self.stats, "live_access_tokens": live}


def build_app(port: int, scopes: list[str], required_scope: str, token_ttl: int):
    base = f"http://127.0.0.1:{port}"
    resource_url = f"{base}/mcp"
    provider = InMemoryProvider(resource_url, scopes, token_ttl)
    auth = AuthSettings(
        # The SDK wants https issuers but allows http for localhost / 127.0.0.1 (routes.validate_issuer_url).
        issuer_url=base,
        resource_server_url=resource_url,  # enables the PRM route and resource_metadata in WWW-Authenticate
        # The bearer check does not compare AccessToken.resource with resource_server_url (the provider
        # already refuses a foreign `resource` at /authorize); setting it silences the SDK's warning.
        validate_token_resource=False,
        required_scopes=[required_scope] if required_scope else None,
        client_registration_options=ClientRegistrationOptions(enabled=True, valid_scopes=scopes, default_scopes=scopes),
        revocation_options=RevocationOptions(enabled=True),
    )
    mcp = FastMCP(NAME, auth_server_provider=provider, auth=auth, port=port)

    @mcp.tool(description="Return the client_id and scopes of the calling access token, as JSON.")
    async def whoami(ctx: Context) -> str:
        # get_access_token() reads a contextvar that the session's task copied when the session was
        # opened, so after a refresh it still names the token that sent `initialize`. The HTTP
        # request that carried this call holds the current token: prefer it.
        request = ctx.request_context.request
        user = request.scope.get("user") if request is not None else None
        token = user.access_token if isinstance(user, AuthenticatedUser) else get_access_token()
        return json.dumps({"client_id": token.client_id if token else None, "scopes": token.scopes if token else []})

    @mcp.tool(description="Add two integers.")
    async def add(a: int, b: int) -> int:
        return a + b

    @mcp.tool(description="Return the headers of the HTTP request that carried this call (sloppy, on purpose).")
    async def echo_headers(ctx: Context) -> dict[str, str]:
        request = ctx.request_context.request
        return dict(request.headers.items()) if request is not None else {}

    @mcp.custom_route("/test/stats", methods=["GET"])
    async def stats(_: Request) -> Response:
        return JSONResponse(provider.snapshot())

    @mcp.custom_route("/test/fail-refresh", methods=["POST"])
    async def fail_refresh(_: Request) -> Response:
        provider.fail_refresh = True
        return JSONResponse({"fail_refresh": True})

    @mcp.custom_route("/test/heal-refresh", methods=["POST"])
    async def heal_refresh(_: Request) -> Response:
        provider.fail_refresh = False
        return JSONResponse({"fail_refresh": False})

    @mcp.custom_route("/test/expire-all", methods=["POST"])
    async def expire_all(_: Request) -> Response:
        provider.expire_all()
        return JSONResponse(provider.snapshot())

    @mcp.custom_route("/test/html-token", methods=["GET", "POST"])
    async def html_token(_: Request) -> Response:
        return HTMLResponse("<html><body><h1>Sign in</h1><p>This is not a token response.</p></body></html>")

    # The app's lifespan runs FastMCP's session manager.
    return mcp.streamable_http_app()


def port_arg(text: str) -> int:
    port = int(text)
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError("port must be in 1..65535 (0 is not allowed)")
    return port


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


class ReadyServer(uvicorn.Server):
    """Announces READY on stdout once the socket is listening (and the app's lifespan has started)."""

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)  # exits with status 3 when the port cannot be bound
        if self.started:
            print(f"READY http://{self.config.host}:{self.config.port}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=port_arg, required=True)
    parser.add_argument("--token-ttl", type=positive_int, default=3600, metavar="SECONDS",
                        help="access token lifetime (default 3600)")
    parser.add_argument("--scopes", default="mcp:read", help='scopes_supported, space separated (default "mcp:read")')
    parser.add_argument("--required-scope", default="mcp:read",
                        help='scope a token needs for /mcp (default "mcp:read"; "" for none)')
    args = parser.parse_args()
    app = build_app(args.port, args.scopes.split(), args.required_scope, args.token_ttl)
    config = uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning", lifespan="on")
    asyncio.run(ReadyServer(config).serve())


if __name__ == "__main__":
    main()
