"""The official Python MCP SDK client running a fixed plan of requests against one streamable-HTTP endpoint.

Atrium's relay tests run it once against a server directly and once through the platform's gateway and the relay,
and compare the two outputs field by field.

    .tools/py/bin/python tests/peers/fidelity_client.py URL PLAN_JSON [BEARER]

PLAN_JSON is a list of {"method", "params"} for tools/call, resources/read and prompts/get; the lists (tools,
resources, templates, prompts) are always requested. Prints one JSON document on stdout:
    {"initialize": <InitializeResult>, "sdk": [{"method", "result"}...]}
Each result is dumped with exclude_unset, so a field the server sent (even as null) shows and one it did not send
does not: an added null or a dropped field changes the output.

FIDELITY_CAPABILITIES (JSON, optional): with an "elicitation" key the client declares it can answer elicitations
(a server may offer other tools then), so a direct run declares what the relayed session's client does.
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession
from mcp import types
from mcp.client.streamable_http import streamablehttp_client


def dump(result) -> dict:
    return result.model_dump(mode="json", by_alias=True, exclude_unset=True)


async def decline(_context, _params) -> types.ElicitResult:
    return types.ElicitResult(action="decline")


async def run(url: str, plan: list, bearer: str | None) -> dict:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else None
    capabilities = json.loads(os.environ.get("FIDELITY_CAPABILITIES") or "{}")
    elicitation = decline if "elicitation" in capabilities else None
    if elicitation and "url" not in capabilities["elicitation"]:
        # The SDK declares URL elicitation along with form whenever there is a callback; declare form only, as
        # asked (a None capability is left out of the initialize request).
        types.UrlElicitationCapability = lambda: None
    async with streamablehttp_client(url, headers=headers) as (read, write, _):
        async with ClientSession(read, write, elicitation_callback=elicitation) as session:
            initialize = await session.initialize()
            answers = [
                {"method": "tools/list", "result": dump(await session.list_tools())},
                {"method": "resources/list", "result": dump(await session.list_resources())},
                {"method": "resources/templates/list", "result": dump(await session.list_resource_templates())},
                {"method": "prompts/list", "result": dump(await session.list_prompts())},
            ]
            for step in plan:
                method, params = step["method"], step.get("params", {})
                if method == "tools/call":
                    result = await session.call_tool(params["name"], params.get("arguments"))
                elif method == "resources/read":
                    result = await session.read_resource(params["uri"])
                elif method == "prompts/get":
                    result = await session.get_prompt(params["name"], params.get("arguments"))
                else:
                    raise ValueError(f"the plan has an unknown method {method}")
                answers.append({"method": method, "result": dump(result)})
            return {"initialize": dump(initialize), "sdk": answers}


def main() -> int:
    if len(sys.argv) < 3:
        print("usage: fidelity_client.py URL PLAN_JSON [BEARER]", file=sys.stderr)
        return 2
    url, plan = sys.argv[1], json.loads(sys.argv[2])
    bearer = sys.argv[3] if len(sys.argv) > 3 else None
    try:
        output = asyncio.run(run(url, plan, bearer))
    except Exception as error:  # noqa: BLE001 - any failure is the test's answer
        print(f"the SDK client failed: {error!r}", file=sys.stderr)
        return 1
    print(json.dumps(output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
