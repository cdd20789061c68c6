#!/usr/bin/env bash
# A 100k-artifact workspace in the real window: builds the release app, then runs bench/bigworkspace.mjs under Xvfb.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
cargo build --release -p atrium-desktop
cargo build -p atrium-cli
export ATRIUM_APP="$ROOT/target/release/atrium-desktop"
export TAURI_DRIVER="${TAURI_DRIVER:-$ROOT/.tools/bin/tauri-driver}"
export PATH="$ROOT/.tools/node22/node_modules/.bin:$PATH"
exec xvfb-run -a -s "-screen 0 1440x900x24" node bench/bigworkspace.mjs
