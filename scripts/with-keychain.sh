#!/usr/bin/env bash
# Runs a command inside its own D-Bus session with a real, unlocked GNOME Keyring (Secret Service), so keychain
# tests use the real thing and never touch the person's own keyring. The keyring's files live in a temporary
# directory that is removed afterwards.
#   scripts/with-keychain.sh cargo nextest run
set -euo pipefail
if (($# == 0)); then echo "usage: $0 command [args...]" >&2; exit 2; fi
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/setup.sh --test" >&2; exit 1; }
done
if [[ "${ATRIUM_IN_KEYCHAIN_SESSION:-}" == 1 ]]; then exec "$@"; fi
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export ATRIUM_IN_KEYCHAIN_SESSION=1 KEYRING_HOME="$keyring_home"
dbus-run-session -- bash -c '
  set -euo pipefail
  # Its own data dir: the keyring file must not land in the (guarded) user data directory.
  eval "$(printf "atrium-test" | XDG_DATA_HOME="$KEYRING_HOME" HOME="$KEYRING_HOME" \
          gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
  export GNOME_KEYRING_CONTROL
  # Wait for the daemon to own the Secret Service name before anything asks for it.
  for _ in $(seq 50); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
      string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
    sleep 0.1
  done
  exec "$@"
' with-keychain "$@"
