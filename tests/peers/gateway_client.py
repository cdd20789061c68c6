"""The official Python MCP SDK client as an agent of Atrium's gateway: connects over streamable HTTP with a bearer
token, lists the tools, calls whoami, publishes and reads back an artifact (by the tool, then as the resource
atrium://artifacts/<id>), and calls server-everything's echo through /mcp. Prints one JSON document on stdout; a refused token exits 3.

    python tests/peers/gateway_client.py URL TOKEN WORKSPACE_ID
    python tests/peers/gateway_client.py stdio COMMAND_JSON WORKSPACE_ID

With `stdio`, the second argument is the command line that serves MCP on stdin/stdout, as a JSON array; the SDK
launches it with this process's environment.
"""

import asyncio
import contextlib
import json
import os
import sys

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamablehttp_client
from pydantic import AnyUrl


def structured(result):
    if result.isError:
        return {"isError": True, "text": result.content[0].text if result.content else None}
    return result.structuredContent


@contextlib.asynccontextmanager
async def connect(url: str, token: str):
    """The client's two streams: over stdio to a launched command, or over streamable HTTP with the token."""
    if url == "stdio":
        command, *args = json.loads(token)
        params = StdioServerParameters(command=command, args=args, env=dict(os.environ))
        async with stdio_client(params) as (read, write):
            yield read, write
    else:
        async with streamablehttp_client(url, headers={"Authorization": f"Bearer {token}"}) as (read, write, _):
            yield read, write


async def run(url: str, token: str, workspace: str) -> dict:
    out = {}
    async with connect(url, token) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            out["protocol"] = init.protocolVersion
            out["server"] = init.serverInfo.name
            out["tools"] = [t.name for t in (await session.list_tools()).tools]
            out["whoami"] = structured(await session.call_tool("whoami", {}))
            made = structured(
                await session.call_tool(
                    "publish_artifact", {"workspace_id": workspace, "title": "From Python", "content": "hello"}
                )
            )
            out["published"] = made
            out["read"] = structured(await session.call_tool("read_artifact", {"artifact_id": made["artifact_id"]}))
            resource = await session.read_resource(AnyUrl(f"atrium://artifacts/{made['artifact_id']}"))
            out["resource"] = resource.model_dump(mode="json", exclude_none=True)
            echo = await session.call_tool("everything__echo", {"message": "python through Atrium"})
            out["echo"] = echo.model_dump(mode="json", exclude_none=True)
    return out


def main() -> None:
    url, token, workspace = sys.argv[1], sys.argv[2], sys.argv[3]
    try:
        print(json.dumps(asyncio.run(run(url, token, workspace))))
    except Exception as error:  # noqa: BLE001 — the test reads what went wrong
        print(json.dumps({"error": repr(error)}))
        sys.exit(3)


main()
