//! Atrium against real MCP servers: `@modelcontextprotocol/server-everything` over stdio, streamable HTTP and
//! legacy SSE, a FastMCP server registered by its `/.well-known/mcp.json`, and servers that misbehave on purpose.
//! Local servers run as real processes; secrets go to the real keychain (`make test` runs the suite inside a D-Bus
//! session with GNOME Keyring). The peers are installed by `scripts/setup.sh --test` (`make setup-test`); a missing peer fails the test.

mod auth;
mod bad_input;
mod http;
mod import;
mod local;
mod masking;
mod peers;
mod relay;
mod relay_fidelity;
mod stdio;
mod trust;
mod view_relay;
mod viewer;
mod viewer_spec;
