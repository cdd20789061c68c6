"""A stdio MCP server that misbehaves on purpose, for Atrium's bad-input tests (plain Python, no packages).

  --mode silent      reads requests and never answers, not even `initialize`
  --mode die         answers the handshake and tools/list, then exits in the middle of any tools/call
  --mode malformed   answers tools/call with a result that is not a tool result (content is not a list)
  --mode garbage     answers the handshake, then writes a line that is not JSON before each answer
  --mode sloppy      answers everything, but does not leave when its stdin closes (only a signal ends it)
  --mode parent      answers everything, and first starts a child process of its own (`sleep 600`), like npx
"""
import argparse
import json
import subprocess
import sys
import time

TOOLS = [{"name": "work", "description": "Does nothing useful.", "inputSchema": {"type": "object", "properties": {}}}]


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", required=True, choices=["silent", "die", "malformed", "garbage", "sloppy", "parent"])
    mode = parser.parse_args().mode
    if mode == "parent":
        subprocess.Popen(["sleep", "600"])
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            continue
        if mode == "silent" or "id" not in request:
            continue
        method, rid = request.get("method"), request["id"]
        if mode == "garbage":
            sys.stdout.write("this is not json\n")
        if method == "initialize":
            send({"jsonrpc": "2.0", "id": rid, "result": {
                "protocolVersion": request["params"]["protocolVersion"],
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "misbehaving", "version": "0.0.1"}}})
        elif method == "tools/list":
            send({"jsonrpc": "2.0", "id": rid, "result": {"tools": TOOLS}})
        elif method == "tools/call":
            if mode == "die":
                sys.stderr.write("about to die in the middle of a call\n")
                sys.stderr.flush()
                sys.exit(3)
            if mode == "malformed":
                send({"jsonrpc": "2.0", "id": rid, "result": {"content": "not a list", "isError": "perhaps"}})
            else:
                send({"jsonrpc": "2.0", "id": rid, "result": {"content": [{"type": "text", "text": "done"}]}})
        else:
            send({"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "method not found"}})
    if mode == "sloppy":
        # The end of stdin is the polite way to stop an MCP server: this one does not listen.
        while True:
            time.sleep(60)


if __name__ == "__main__":
    main()
