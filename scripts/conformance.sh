#!/usr/bin/env bash
# Runs the official MCP client conformance suite against `atrium conformance-client` for the scenarios Atrium
# claims. Needs `scripts/setup.sh --test` (node@22 in .tools/node22, the suite in tests/peers) and a built CLI.
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
((${#failed[@]} == 0)) || { echo "failed scenarios: ${failed[*]} (logs in $OUT)"; exit 1; }
