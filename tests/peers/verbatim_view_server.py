"""A stdio MCP App server (plain Python, no packages) whose answers carry what typed models would change: fields no
MCP revision Atrium knows defines, fields set explicitly to null, and optional fields left out. Atrium's viewer tests
check that a view receives every answer exactly as this server wrote it (ANSWERS below)."""
import json
import sys

VIEW = "ui://verbatim/view.html"
HTML = "<!doctype html><html><body><p id='verbatim'>verbatim</p></body></html>"

TOOL = {
    "name": "show",
    "description": "Shows a result in its view.",
    "inputSchema": {"type": "object", "properties": {"n": {"type": "integer"}}},
    "title": None,
    "execution": {"taskSupport": "forbidden"},
    "x-vendor": {"kept": True, "nothing": None},
    "_meta": {"ui": {"resourceUri": VIEW}, "note": None},
}

ANSWERS = {
    "tools/list": {"tools": [TOOL]},
    "tools/call": {
        "content": [{"type": "text", "text": "shown", "annotations": None, "x-extra": 1}],
        "structuredContent": {"n": 1, "empty": None},
        "x-vendor": {"deep": [None, {"a": None}]},
        "_meta": {"trace": None},
    },
    "resources/list": {
        "resources": [{"uri": VIEW, "name": "view", "mimeType": "text/html;profile=mcp-app", "size": None,
                       "x-vendor": 2}],
        "nextCursor": None,
    },
    "resources/templates/list": {
        "resourceTemplates": [{"uriTemplate": "data://{id}", "name": "data", "x-vendor": [1, None]}],
    },
    "resources/read": {
        "contents": [{"uri": VIEW, "mimeType": "text/html;profile=mcp-app", "text": HTML, "x-vendor": None,
                      "_meta": {"ui": {"prefersBorder": False}}}],
        "x-read": "kept",
    },
    "prompts/list": {"prompts": [{"name": "p", "arguments": None, "x-vendor": {}}]},
}


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    if sys.argv[1:] == ["--answers"]:
        print(json.dumps(ANSWERS))
        return
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            continue
        if "id" not in request or "method" not in request:
            continue
        method, rid = request["method"], request["id"]
        if method == "initialize":
            send({"jsonrpc": "2.0", "id": rid, "result": {
                "protocolVersion": request["params"]["protocolVersion"],
                "capabilities": {"tools": {}, "resources": {}, "prompts": {}},
                "serverInfo": {"name": "verbatim", "version": "0.0.1"}}})
        elif method == "ping":
            send({"jsonrpc": "2.0", "id": rid, "result": {}})
        elif method in ANSWERS:
            send({"jsonrpc": "2.0", "id": rid, "result": ANSWERS[method]})
        else:
            send({"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "method not found"}})


if __name__ == "__main__":
    main()
