#!/usr/bin/env bash
# Runs the end-to-end tests: the real debug app, driven over WebDriver (tauri-driver + WebKitWebDriver) under Xvfb.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ATRIUM_APP="${ATRIUM_APP:-$ROOT/target/debug/atrium-desktop}"
export TAURI_DRIVER="${TAURI_DRIVER:-$ROOT/.tools/bin/tauri-driver}"
export E2E_ARTIFACTS="${E2E_ARTIFACTS:-$ROOT/target/e2e}"
export ATRIUM_PLATFORM_DOUBLE="${ATRIUM_PLATFORM_DOUBLE:-$ROOT/target/debug/atrium-platform-double}"
mkdir -p "$E2E_ARTIFACTS"
[[ -x "$ATRIUM_APP" ]] || { echo "no app at $ATRIUM_APP: run 'make build'"; exit 1; }
[[ -x "$TAURI_DRIVER" ]] || { echo "no tauri-driver at $TAURI_DRIVER: run 'make setup-test'"; exit 1; }
# The platform double (a test binary, not part of `make build`), in the one shared target dir.
(cd "$ROOT" && cargo build --quiet -p atrium-testkit --bin atrium-platform-double)
# A display of our own, even on a desktop: the tests must not depend on (or disturb) the user's session.
exec xvfb-run -a -s "-screen 0 1440x900x24" node --test --test-concurrency=1 "$ROOT"/tests/e2e/*.test.mjs
