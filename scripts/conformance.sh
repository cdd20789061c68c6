#!/usr/bin/env bash
# Runs the official MCP client conformance suite against `atrium conformance-client` for the scenarios Atrium
# claims. Needs `scripts/setup.sh --test` (node@22 in .tools/node22, the suite in tests/peers) and a built CLI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE="$ROOT/.tools/node22/node_modules/.bin/node"
SUITE="$ROOT/tests/peers/node_modules/@modelcontextprotocol/conformance/dist/index.js"
CLIENT="$ROOT/target/debug/atrium conformance-client"
SCENARIOS=(initialize tools_call elicitation-sep1034-client-defaults sse-retry)
OUT="$ROOT/target/conformance"

for need in "$NODE" "$SUITE" "$ROOT/target/debug/atrium"; do
  [[ -e "$need" ]] || { echo "missing $need: run 'make setup-test build'"; exit 1; }
done
mkdir -p "$OUT"
failed=()
for scenario in "${SCENARIOS[@]}"; do
  if "$NODE" "$SUITE" client --command "$CLIENT" --scenario "$scenario" --timeout 30000 -o "$OUT" \
       >"$OUT/$scenario.log" 2>&1; then
    echo "conformance $scenario: passed"
  else
    echo "conformance $scenario: FAILED"; tail -25 "$OUT/$scenario.log"; failed+=("$scenario")
  fi
done
((${#failed[@]} == 0)) || { echo "failed scenarios: ${failed[*]} (logs in $OUT)"; exit 1; }
