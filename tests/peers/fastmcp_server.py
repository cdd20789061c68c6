"""A real FastMCP server for Atrium's tests, shaped after the seed's "Minimal Python server".

Serves MCP over streamable HTTP at http://127.0.0.1:PORT/mcp and the discovery document at
GET /.well-known/mcp.json. Prints `READY http://127.0.0.1:PORT` on stdout once it is listening.

    .tools/py/bin/python tests/peers/fastmcp_server.py --port 8123
    .tools/py/bin/python tests/peers/fastmcp_server.py --port 8123 --bad-discovery not-json

--bad-discovery MODE breaks the discovery document on purpose:
    missing         no well-known route at all (404)
    not-json        200 text/html that is not JSON
    points-nowhere  a valid document whose endpoints.streamable_http is "/nowhere" (404s)
"""

import argparse
import asyncio

import uvicorn
from mcp.server.fastmcp import Context, FastMCP
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

NAME = "fastmcp-greeter"
VERSION = "1.0.0"
BAD_DISCOVERY_MODES = ("missing", "not-json", "points-nowhere")

mcp = FastMCP(NAME)
# FastMCP takes no version and reports the mcp package's; report the discovery document's instead.
mcp._mcp_server.version = VERSION


@mcp.tool(description="Return a greeting for the given name.")
async def greet(name: str) -> str:
    return f"Hello, {name}!"


@mcp.tool(description="Add two integers.")
async def add(a: int, b: int) -> int:
    return a + b


@mcp.tool(description="Return the headers of the HTTP request that carried this call (a sloppy server, on purpose).")
async def echo_headers(ctx: Context) -> dict[str, str]:
    request = ctx.request_context.request
    return dict(request.headers.items()) if request is not None else {}


def discovery_route(bad: str | None) -> Route | None:
    if bad == "missing":
        return None
    if bad == "not-json":

        async def endpoint(_: Request) -> Response:
            return HTMLResponse("<html><body><h1>Not a discovery document</h1>{oops</body></html>")

    else:
        path = "/nowhere" if bad == "points-nowhere" else "/mcp"
        doc = {"name": NAME, "version": VERSION, "endpoints": {"streamable_http": path}}

        async def endpoint(_: Request) -> Response:
            return JSONResponse(doc)

    return Route("/.well-known/mcp.json", endpoint=endpoint, methods=["GET"])


def build_app(bad: str | None):
    # The app's lifespan runs FastMCP's session manager; adding a route keeps that lifespan.
    app = mcp.streamable_http_app()
    route = discovery_route(bad)
    if route is not None:
        app.router.routes.append(route)
    return app


def port_arg(text: str) -> int:
    port = int(text)
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError("port must be in 1..65535 (0 is not allowed)")
    return port


class ReadyServer(uvicorn.Server):
    """Announces READY on stdout once the socket is listening (and the app's lifespan has started)."""

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)  # exits with status 3 when the port cannot be bound
        if self.started:
            print(f"READY http://{self.config.host}:{self.config.port}", flush=True)


def serve(port: int, bad: str | None) -> None:
    config = uvicorn.Config(build_app(bad), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    asyncio.run(ReadyServer(config).serve())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=port_arg, required=True)
    parser.add_argument("--bad-discovery", choices=BAD_DISCOVERY_MODES, metavar="MODE",
                        help="one of: " + ", ".join(BAD_DISCOVERY_MODES))
    args = parser.parse_args()
    serve(args.port, args.bad_discovery)


if __name__ == "__main__":
    main()
