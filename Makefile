# Atrium. `make run` opens the app; `make test` runs every test; both install what they need first.
SHELL := /bin/bash
CARGO ?= cargo
TOOLS := $(CURDIR)/.tools
DESKTOP_DEBUG := target/debug/atrium-desktop
# A Node fetched by scripts/setup.sh (when the system's is too old) comes first.
export PATH := $(TOOLS)/node/node_modules/.bin:$(PATH)

.PHONY: run setup setup-test ui build test test-rust test-ui conformance e2e lint check-bindings bindings bench fmt

## Open the app on its embedded store (your data: ~/.local/share/atrium-dev for debug builds, or $ATRIUM_HOME).
run: setup build
	@if [[ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]]; then \
	  echo "No display found. Run this from a desktop session (or: xvfb-run -a make run)."; exit 1; fi
	$(DESKTOP_DEBUG)

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

ui:
	cd ui && npm run build

## Debug build of the UI bundle, the CLI and the desktop shell (one shared target dir).
build: ui
	$(CARGO) build -p atrium-cli -p atrium-desktop

## Every test: Rust (unit, integration against real MCP servers, multi-process), UI (types, unit), the MCP
## conformance suite, bindings freshness, lints, end-to-end.
test: setup-test build test-rust test-ui conformance check-bindings lint e2e

# Tests use temporary ATRIUM_HOMEs; the user data dir is pointed at an empty directory that must stay empty.
# They run inside a private D-Bus session with a real, unlocked GNOME Keyring (scripts/with-keychain.sh).
# The default members only: the tests build no WebKit (the shell is tested end to end, in e2e).
test-rust:
	@guard=$$(mktemp -d); export XDG_DATA_HOME=$$guard; \
	if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  scripts/with-keychain.sh $(CARGO) nextest run --no-fail-fast || exit 1; \
	else \
	  scripts/with-keychain.sh $(CARGO) test --no-fail-fast || exit 1; \
	fi; \
	if [[ -n "$$(ls -A $$guard)" ]]; then echo "tests wrote to the user data directory: $$(ls -A $$guard)"; exit 1; fi; \
	rmdir $$guard

test-ui:
	cd ui && npm run check && npm test

## The official MCP conformance suite (node@22): its client scenarios against `atrium conformance-client`, its
## server scenarios against a fixture server directly and through the gateway (scripts/conformance.sh).
conformance: build
	scripts/with-keychain.sh scripts/conformance.sh

e2e: build
	scripts/with-keychain.sh tests/e2e/run.sh

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## Regenerate ui/src/lib/bindings.ts from the command registry and ui/src/lib/registration.schema.json from
## crates/atrium-mcp (commit both).
bindings:
	$(CARGO) run --quiet -p atrium-desktop --bin export-bindings

## Fail when the committed bindings or registration schema differ from what the sources generate.
check-bindings:
	@tmp=$$(mktemp -d); \
	$(CARGO) run --quiet -p atrium-desktop --bin export-bindings -- $$tmp/bindings.ts $$tmp/schema.json >/dev/null || { rm -rf $$tmp; exit 1; }; \
	if ! diff -u ui/src/lib/bindings.ts $$tmp/bindings.ts; then \
	  echo "ui/src/lib/bindings.ts is stale: run 'make bindings' and commit it."; rm -rf $$tmp; exit 1; fi; \
	if ! diff -u ui/src/lib/registration.schema.json $$tmp/schema.json; then \
	  echo "ui/src/lib/registration.schema.json is stale: run 'make bindings' and commit it."; rm -rf $$tmp; exit 1; fi; \
	rm -rf $$tmp; echo "bindings are up to date"

## Benchmarks (release builds): store throughput and search latency, tool-call overhead beside a bare rmcp client,
## 20 stdio servers started at once, the gateway, a view's tools/call, app start-up and memory beside a minimal Tauri app, and
## (in the real window) click-to-render of a server's view and a view's tools/call the whole way.
bench: setup-test ui
	$(CARGO) bench -p atrium-store --bench store
	$(CARGO) bench -p atrium-testkit --bench tool_call
	$(CARGO) bench -p atrium-testkit --bench stdio_start
	$(CARGO) bench -p atrium-testkit --bench view_call
	scripts/with-keychain.sh $(CARGO) bench -p atrium-cli --bench sync
	scripts/with-keychain.sh $(CARGO) bench -p atrium-gateway --bench gateway
	bench/startup.sh
	bench/viewer.sh
	bench/bigworkspace.sh

fmt:
	$(CARGO) fmt --all
