#!/usr/bin/env bash
# Builds Atrium and the minimal Tauri 2 peer in release mode, then measures both under one Xvfb (bench/startup.py).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
cargo build --release -p atrium-desktop -p minimal-tauri
exec xvfb-run -a -s "-screen 0 1440x900x24" python3 bench/startup.py \
  --app "atrium=$ROOT/target/release/atrium-desktop" \
  --app "minimal=$ROOT/target/release/minimal-tauri" "$@"
