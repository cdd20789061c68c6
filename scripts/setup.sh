#!/usr/bin/env bash
# Installs what Atrium needs on a Debian/Ubuntu machine, idempotently: only what is missing is installed.
#   scripts/setup.sh          build + run the app (system libraries, UI packages)
#   scripts/setup.sh --test   also what the tests need (Xvfb, WebKitWebDriver, tauri-driver, the MCP test peers:
#                             node@22 in .tools/node22, tests/peers' npm packages, a Python venv in .tools/py)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
want_test=false
[[ "${1:-}" == "--test" ]] && want_test=true

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# bubblewrap: the sandbox servers from git repositories are installed and run in.
packages=(pkg-config build-essential libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
          libssl-dev libdbus-1-dev nodejs npm git bubblewrap)
# The keychain tests run a real GNOME Keyring in a private D-Bus session (scripts/with-keychain.sh).
$want_test && packages+=(xvfb xauth webkit2gtk-driver dbus-daemon dbus-bin dbus-x11 gnome-keyring python3-venv)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Any node with npm will do to bootstrap (nvm, a preinstalled toolchain, Debian's); see below for the version.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if ((${#missing[@]})); then
  say "installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The UI's build tools need Node >= 20.19; Debian 12 ships 18. When the system's is older, fetch node@22 from the
# npm registry into .tools/node (the Makefile puts it first on PATH).
node_ok() { node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; }
export PATH="$TOOLS/node/node_modules/.bin:$PATH"
if ! node_ok; then
  say "installing node@22 into .tools/node (system node $(node --version) is too old)"
  npm install --no-audit --no-fund --loglevel=error --prefix "$TOOLS/node" node@22
  node_ok || { echo "node@22 did not install"; exit 1; }
fi

# UI packages: reinstall only when the lock file changed since the last install.
if [[ ! -f "$ROOT/ui/node_modules/.package-lock.json" \
      || "$ROOT/ui/package-lock.json" -nt "$ROOT/ui/node_modules/.package-lock.json" ]]; then
  say "installing UI packages"
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
fi

if $want_test && [[ ! -x "$TOOLS/bin/tauri-driver" ]]; then
  say "installing tauri-driver into .tools/"
  cargo install tauri-driver --version '^2' --locked --root "$TOOLS" --quiet
fi

# MCP test peers (tests/peers/). The conformance suite needs Node >= 22 (it imports fs.globSync), whatever the
# system's node is: tests run .tools/node22/node_modules/.bin/node explicitly; it is not put on PATH.
if $want_test; then
  node22="$TOOLS/node22/node_modules/.bin/node"
  if ! { [[ -x "$node22" ]] && "$node22" -e 'process.exit(process.versions.node.startsWith("22.")?0:1)'; }; then
    say "installing node@22 into .tools/node22 (for the MCP conformance suite)"
    npm install --no-audit --no-fund --loglevel=error --prefix "$TOOLS/node22" node@22
    "$node22" --version >/dev/null || { echo "node@22 did not install into .tools/node22"; exit 1; }
  fi

  # server-everything and the conformance suite, pinned in tests/peers/package-lock.json: reinstall only when
  # the lock file changed since the last install.
  if [[ ! -f "$ROOT/tests/peers/node_modules/.package-lock.json" \
        || "$ROOT/tests/peers/package-lock.json" -nt "$ROOT/tests/peers/node_modules/.package-lock.json" ]]; then
    say "installing MCP test peers (server-everything, conformance) into tests/peers"
    (cd "$ROOT/tests/peers" && npm ci --no-audit --no-fund --loglevel=error)
  fi

  # The Python peer (FastMCP + uvicorn) in a venv; pip runs again only when requirements.txt changed.
  py="$TOOLS/py/bin/python"
  if ! { [[ -x "$py" ]] && "$py" -m pip --version >/dev/null 2>&1; }; then
    say "creating the Python venv .tools/py"
    python3 -m venv --clear "$TOOLS/py"
    rm -f "$TOOLS/py/.requirements-installed"
  fi
  if [[ ! -f "$TOOLS/py/.requirements-installed" \
        || "$ROOT/tests/peers/requirements.txt" -nt "$TOOLS/py/.requirements-installed" ]]; then
    say "installing Python test peers (mcp, uvicorn) into .tools/py"
    "$py" -m pip install --quiet --disable-pip-version-check -r "$ROOT/tests/peers/requirements.txt"
    touch "$TOOLS/py/.requirements-installed"
  fi
fi
