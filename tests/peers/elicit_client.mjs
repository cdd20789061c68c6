// The official TypeScript MCP SDK client as an agent that answers a server's elicitation through Atrium's gateway
// (`/mcp/servers/<slug>`), for crates/atrium-gateway/tests/server_requests.rs. It calls the conformance fixture's
// `test_elicitation` (the server asks the client for a form while the call runs) and `test_tool_with_logging`,
// and prints what it was asked, what the calls returned and the log lines it heard, as one JSON document. With
// TOOL `trigger-elicitation-request` it calls server-everything's instead (and nothing else), answering `name`;
// with TOOL `<slug>__test_elicitation` it calls the fixture's tools namespaced, through `/mcp`.
//
//   node tests/peers/elicit_client.mjs URL TOKEN NAME DECLARE [TOOL]
//
// NAME is what this client answers the form with (two clients at once must each get their own answer back);
// DECLARE is `yes` to declare the elicitation capability, `no` to leave it out (the server must then be refused,
// not left waiting).

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const [url, token, name, declare, tool = "test_elicitation"] = process.argv.slice(2);
// Through /mcp the fixture's tools are namespaced (`form-fixture__test_elicitation`).
const fixture = tool.endsWith("test_elicitation");
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
const capabilities = declare === "yes" ? { elicitation: {} } : {};
const client = new Client({ name: `elicit-${name}`, version: "1.0.0" }, { capabilities });
const out = { asked: [], logs: [] };
if (declare === "yes") {
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    out.asked.push(request.params);
    return { action: "accept", content: fixture ? { response: name } : { name } };
  });
}
client.setNotificationHandler(LoggingMessageNotificationSchema, (note) => { out.logs.push(note.params.data); });

const text = (result) => result.content?.map((c) => c.text).join("\n");
await client.connect(transport);
try {
  const args = fixture ? { message: `Who are you, ${name}?` } : {};
  out.elicited = text(await client.callTool({ name: tool, arguments: args }));
} catch (error) {
  out.refused = String(error?.message ?? error);
}
if (fixture) {
  const logging = tool.replace(/test_elicitation$/, "test_tool_with_logging");
  out.logged = text(await client.callTool({ name: logging, arguments: {} }));
}
await transport.terminateSession?.().catch(() => {});
await client.close();
console.log(JSON.stringify(out));
