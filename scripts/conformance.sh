#!/usr/bin/env bash
# Runs the official MCP conformance suite: its client scenarios against `atrium conformance-client` for the
# scenarios Atrium claims, then its server scenarios (below). Needs `scripts/setup.sh --test` (node@22 in
# .tools/node22, the suite in tests/peers) and a built CLI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE="$ROOT/.tools/node22/node_modules/.bin/node"
SUITE="$ROOT/tests/peers/node_modules/@modelcontextprotocol/conformance/dist/index.js"
CLIENT="$ROOT/target/debug/atrium conformance-client"
SCENARIOS=(initialize tools_call elicitation-sep1034-client-defaults sse-retry
  # Authorization (2025-11-25), the 2025-03-26 back-compat flows, client credentials, and the draft resource check.
  auth/metadata-default auth/metadata-var1 auth/metadata-var2 auth/metadata-var3 auth/basic-cimd
  auth/scope-from-www-authenticate auth/scope-from-scopes-supported auth/scope-omitted-when-undefined
  auth/scope-step-up auth/scope-retry-limit auth/token-endpoint-auth-basic auth/token-endpoint-auth-post
  auth/token-endpoint-auth-none auth/pre-registration
  auth/2025-03-26-oauth-metadata-backcompat auth/2025-03-26-oauth-endpoint-fallback
  auth/client-credentials-basic auth/client-credentials-jwt auth/resource-mismatch)
OUT="$ROOT/target/conformance"

for need in "$NODE" "$SUITE" "$ROOT/target/debug/atrium"; do
  [[ -e "$need" ]] || { echo "missing $need: run 'make setup-test build'"; exit 1; }
done
mkdir -p "$OUT"
failed=()
for scenario in "${SCENARIOS[@]}"; do
  if "$NODE" "$SUITE" client --command "$CLIENT" --scenario "$scenario" --timeout 30000 -o "$OUT" \
       >"$OUT/${scenario//\//_}.log" 2>&1; then
    echo "conformance $scenario: passed"
  else
    echo "conformance $scenario: FAILED"; tail -25 "$OUT/${scenario//\//_}.log"; failed+=("$scenario")
  fi
done

# The server scenarios: a fixture server that passes every one directly, then the same scenarios through Atrium's
# gateway as an agent (`/mcp/servers/<it>`; the scenarios that do not pass there yet are listed in
# conformance_through_atrium.yaml, and the suite fails the run when one of them starts passing), and
# dns-rebinding-protection against the gateway's own /mcp. The suite cannot send a header, so its requests carry
# the agent's token through a preloaded dispatcher (tests/peers/conformance_bearer.mjs, test-only).
PEERS="$ROOT/tests/peers"
SRV="$OUT/server"
rm -rf "$SRV"; mkdir -p "$SRV"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
FIXTURE_PORT=$(free_port)
(cd "$PEERS" && exec "$NODE" conformance_server.mjs "$FIXTURE_PORT") >"$SRV/fixture.log" 2>&1 & pids+=($!)
wait_port "$FIXTURE_PORT" || { echo "the conformance fixture server did not start"; cat "$SRV/fixture.log"; exit 1; }
server_suite() { # <log name> <url> [suite options…]
  local name=$1 url=$2; shift 2
  mkdir -p "$(dirname "$SRV/$name")"
  if (cd "$PEERS" && "$NODE" ${BEARER:+--import ./conformance_bearer.mjs} \
        node_modules/@modelcontextprotocol/conformance/dist/index.js server --url "$url" -o "$SRV/$name" "$@") \
        >"$SRV/$name.log" 2>&1; then
    echo "conformance server ($name): $(grep -E '^(Total|Passed):' "$SRV/$name.log" | tail -1)"
  else
    echo "conformance server ($name): FAILED"; sed -n '/=== SUMMARY ===/,$p;/^Test Results/,$p' "$SRV/$name.log"
    failed+=("server:$name")
  fi
}
BEARER='' server_suite direct "http://127.0.0.1:$FIXTURE_PORT/mcp" --suite all

export ATRIUM_HOME="$SRV/home"
ATRIUM="$ROOT/target/debug/atrium"
"$ATRIUM" workspace create Conformance >/dev/null
# A short call timeout: a scenario that waits on something Atrium does not forward yet fails in seconds.
"$ATRIUM" server add Conformance --title "Conformance fixture" --url "http://127.0.0.1:$FIXTURE_PORT/mcp" \
  --call-timeout 5000 >/dev/null
ATRIUM_CONFORMANCE_TOKEN=$("$ATRIUM" agent add conformance --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
export ATRIUM_CONFORMANCE_TOKEN
GATEWAY_PORT=$(free_port)
"$ATRIUM" gateway --port "$GATEWAY_PORT" >"$SRV/gateway.log" 2>&1 & pids+=($!)
wait_port "$GATEWAY_PORT" || { echo "the gateway did not start"; cat "$SRV/gateway.log"; exit 1; }
mapfile -t SERVER_SCENARIOS < <(cd "$PEERS" && "$NODE" node_modules/@modelcontextprotocol/conformance/dist/index.js \
  list | sed -n '/^Server scenarios/,/^$/s/^  - \([^ ]*\).*/\1/p')
((${#SERVER_SCENARIOS[@]} >= 32)) || { echo "the suite lists only ${#SERVER_SCENARIOS[@]} server scenarios"; exit 1; }
for scenario in "${SERVER_SCENARIOS[@]}"; do
  BEARER=1 server_suite "through-atrium/$scenario" "http://127.0.0.1:$GATEWAY_PORT/mcp/servers/conformance-fixture" \
    --scenario "$scenario" --expected-failures "$PEERS/conformance_through_atrium.yaml"
done
BEARER=1 server_suite gateway-dns-rebinding "http://127.0.0.1:$GATEWAY_PORT/mcp" --scenario dns-rebinding-protection

((${#failed[@]} == 0)) || { echo "failed scenarios: ${failed[*]} (logs in $OUT)"; exit 1; }
