//! Atrium against real MCP servers: `@modelcontextprotocol/server-everything` over stdio, streamable HTTP and
//! legacy SSE, a FastMCP server registered by its `/.well-known/mcp.json`, and servers that misbehave on purpose.
//! The peers are installed by `scripts/setup.sh --test` (`make setup-test`); a missing peer fails the test.

mod bad_input;
mod http;
mod peers;
mod stdio;
