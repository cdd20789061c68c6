// The official TypeScript MCP SDK client, as VS Code, Claude Desktop and Cursor use it, running a fixed plan of
// requests against one streamable-HTTP endpoint. Atrium's relay tests run it once against a server directly and
// once through the platform's gateway and the relay, and compare the two outputs field by field.
//
//   node tests/peers/fidelity_client.mjs URL PLAN_JSON [BEARER]
//
// PLAN_JSON is an array of {"method", "params"} for tools/call, resources/read and prompts/get; the lists
// (tools, resources, templates, prompts) are always requested. Prints one JSON document on stdout:
//   {"initialize": <InitializeResult as sent>, "wire": [<every JSON-RPC response as it came over the wire>],
//    "sdk": [<what the SDK returned for each request, after its own validation>]}
// The SDK validates every result against its schemas: a field sent as null where the schema wants an object
// makes it throw, and the script exits 1 with that error.
//
// FIDELITY_CAPABILITIES (JSON, optional) are the client capabilities to declare: a server may offer different
// tools to a client that can answer elicitations, so a direct run declares what the relayed session's client does.

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, planText, bearer] = process.argv.slice(2);
if (!url || !planText) {
  console.error("usage: fidelity_client.mjs URL PLAN_JSON [BEARER]");
  process.exit(2);
}
const plan = JSON.parse(planText);

// Every POST answer's body, read from a copy so the SDK reads the original undisturbed.
const bodies = [];
const recordingFetch = async (input, init) => {
  const response = await fetch(input, init);
  if ((init?.method ?? "GET").toUpperCase() === "POST") {
    bodies.push(response.clone().text().then((text) => ({ type: response.headers.get("content-type") ?? "", text })));
  }
  return response;
};

function messagesOf({ type, text }) {
  if (!text.trim()) return [];
  if (type.startsWith("text/event-stream")) {
    const messages = [];
    for (const event of text.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).replace(/^ /, ""))
        .join("\n");
      if (data) messages.push(JSON.parse(data));
    }
    return messages;
  }
  const parsed = JSON.parse(text);
  return Array.isArray(parsed) ? parsed : [parsed];
}

const headers = bearer ? { Authorization: `Bearer ${bearer}` } : {};
const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: recordingFetch, requestInit: { headers } });
const capabilities = JSON.parse(process.env.FIDELITY_CAPABILITIES || "{}");
const client = new Client({ name: "atrium-fidelity", version: "1.0.0" }, { capabilities });

const sdk = [];
try {
  await client.connect(transport);
  sdk.push({ method: "tools/list", result: await client.listTools() });
  sdk.push({ method: "resources/list", result: await client.listResources() });
  sdk.push({ method: "resources/templates/list", result: await client.listResourceTemplates() });
  sdk.push({ method: "prompts/list", result: await client.listPrompts() });
  for (const { method, params } of plan) {
    let result;
    if (method === "tools/call") result = await client.callTool(params);
    else if (method === "resources/read") result = await client.readResource(params);
    else if (method === "prompts/get") result = await client.getPrompt(params);
    else throw new Error(`the plan has an unknown method ${method}`);
    sdk.push({ method, result });
  }
} catch (error) {
  console.error(`the SDK client failed: ${error?.stack ?? error}`);
  process.exit(1);
}

const wire = [];
for (const body of await Promise.all(bodies)) {
  for (const message of messagesOf(body)) {
    // Answers only: notifications a server sends along (logging, progress) depend on timing.
    if (message.id !== undefined && ("result" in message || "error" in message)) wire.push(message);
  }
}
const initialize = wire.find((m) => m.result?.serverInfo)?.result ?? null;
await client.close().catch(() => {});
process.stdout.write(JSON.stringify({ initialize, wire, sdk }) + "\n");
process.exit(0);
