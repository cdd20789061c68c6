// The official TypeScript MCP SDK client as an agent of Atrium's gateway (what Claude Desktop, Cursor and VS Code
// run), driving one scenario over streamable HTTP and printing what it saw as one JSON document on stdout.
//
//   node tests/peers/gateway_client.mjs URL TOKEN SCENARIO [WORKSPACE_ID [EXTRA_JSON]]
//   node tests/peers/gateway_client.mjs stdio COMMAND_JSON SCENARIO [WORKSPACE_ID]
//
// With `stdio`, the second argument is the command line that serves MCP on its stdin/stdout, as a JSON array
// (`["atrium", "--home", "…", "mcp", "--agent", "Claude"]`): the SDK launches it, as Claude Desktop would, with
// this process's environment.
//
// Scenarios:
//   workspace    the workspace tools end to end (publish, read, revise with a stale version, search, page, delete)
//   aggregate    server-everything's echo and a long operation through /mcp: progress received, then one cancelled
//   list_changed prints {"ready":true} once connected, then waits for notifications/tools/list_changed and
//                prints the tools listed after it, and whether prompts/list_changed came too (and the prompts)
//   echo         whoami, then server-everything's echo once (the window's end-to-end test)
//   resources    artifacts as resources (EXTRA is {"target": id, "secret": id}): every page of resources/list,
//                the target read, the secret (another workspace's) refused, templates, server-everything's prompt
//                and a resource of its through /mcp; then subscribes to the target, prints {"ready":true}, and
//                waits for notifications/resources/updated and resources/list_changed before reading it again
// A token that is refused makes the SDK throw; the script prints {"error": …} and exits 3.

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

const [url, token, scenario, workspace, extra] = process.argv.slice(2);
function stdioTransport(commandLine) {
  const [command, ...args] = JSON.parse(commandLine);
  return new StdioClientTransport({ command, args, env: { ...process.env }, stderr: "inherit" });
}
const transport = url === "stdio"
  ? stdioTransport(token)
  : new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
const client = new Client({ name: "gateway-test-agent", version: "1.0.0" });
const out = {};

function structured(result) {
  if (result.isError) return { isError: true, text: result.content?.[0]?.text };
  return result.structuredContent;
}
const call = async (name, args = {}) => structured(await client.callTool({ name, arguments: args }));

try {
  await client.connect(transport);
} catch (error) {
  console.log(JSON.stringify({ error: String(error?.message ?? error), code: error?.code }));
  process.exit(3);
}
out.server = client.getServerVersion();
out.protocol = transport.protocolVersion ?? null;

if (scenario === "workspace") {
  out.tools = (await client.listTools()).tools.map((t) => t.name);
  out.whoami = await call("whoami");
  out.workspaces = await call("list_workspaces");
  const made = await call("publish_artifact", {
    workspace_id: workspace, title: "Agent notes", content: "first draft about saffron",
  });
  out.published = made;
  out.read = await call("read_artifact", { artifact_id: made.artifact_id });
  out.revised = await call("add_revision", {
    artifact_id: made.artifact_id, content: "second draft about saffron", expected_version: made.version,
  });
  out.stale = await call("add_revision", {
    artifact_id: made.artifact_id, content: "a lost update", expected_version: made.version,
  });
  out.old = await call("read_artifact", { artifact_id: made.artifact_id, version: made.version });
  out.revisions = await call("list_revisions", { artifact_id: made.artifact_id });
  out.search = await call("search_artifacts", { query: "saffron" });
  for (let i = 0; i < 3; i++) {
    await call("publish_artifact", { workspace_id: workspace, title: `Page ${i}`, content: "x", content_type: "text/plain" });
  }
  const first = await call("list_artifacts", { workspace_id: workspace, limit: 2 });
  const second = await call("list_artifacts", { workspace_id: workspace, limit: 2, cursor: first.next_cursor });
  const plain = await call("list_artifacts", { workspace_id: workspace, content_type: "text/plain" });
  out.pages = { first: first.artifacts.length, second: second.artifacts.length, next: second.next_cursor,
    total: first.total, plain: plain.total };
  out.retitled = await call("update_display_metadata", { artifact_id: made.artifact_id, title: "Saffron notes" });
  out.registration = await call("publish_artifact", {
    workspace_id: workspace, title: "sneaky", content: "{}", content_type: "application/vnd.agience.mcp-server+json",
  });
  out.deleted = await call("delete_artifact", { artifact_id: made.artifact_id });
  out.gone = await call("read_artifact", { artifact_id: made.artifact_id });
} else if (scenario === "aggregate") {
  const tools = (await client.listTools()).tools;
  out.tools = tools.map((t) => t.name);
  out.echo = await client.callTool({ name: "everything__echo", arguments: { message: "through Atrium" } });
  const progress = [];
  out.long = await client.callTool(
    { name: "everything__trigger-long-running-operation", arguments: { duration: 1, steps: 4 } },
    undefined,
    { onprogress: (p) => progress.push(p), timeout: 30000 },
  );
  out.progress = progress;
  // A second one, cancelled after its first progress: the SDK sends notifications/cancelled.
  const controller = new AbortController();
  const started = Date.now();
  try {
    await client.callTool(
      { name: "everything__trigger-long-running-operation", arguments: { duration: 20, steps: 20 } },
      undefined,
      { signal: controller.signal, onprogress: () => controller.abort("enough"), timeout: 60000 },
    );
    out.cancelled = { error: null };
  } catch (error) {
    out.cancelled = { error: String(error?.message ?? error), seconds: (Date.now() - started) / 1000 };
  }
  try {
    await client.callTool({ name: "nobody__echo", arguments: {} });
  } catch (error) {
    out.unknown = { code: error?.code, message: String(error?.message ?? error) };
  }
} else if (scenario === "echo") {
  out.whoami = await call("whoami");
  out.echo = await client.callTool({ name: "everything__echo", arguments: { message: "from the e2e agent" } });
} else if (scenario === "list_changed") {
  const changed = new Promise((resolve) => {
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve(true));
  });
  let prompts = false;
  client.setNotificationHandler(PromptListChangedNotificationSchema, () => { prompts = true; });
  out.before = (await client.listTools()).tools.map((t) => t.name);
  // The standalone stream (GET) is opened by the SDK after initialization; give it a moment before saying ready.
  await new Promise((r) => setTimeout(r, 500));
  console.log(JSON.stringify({ ready: true }));
  const timeout = new Promise((resolve) => setTimeout(() => resolve(false), 45000));
  out.changed = await Promise.race([changed, timeout]);
  out.after = (await client.listTools()).tools.map((t) => t.name);
  const until = Date.now() + 5000;
  while (!prompts && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  out.promptsChanged = prompts;
  out.prompts = (await client.listPrompts()).prompts.map((p) => p.name);
} else if (scenario === "resources") {
  const { target, secret } = JSON.parse(extra);
  const targetUri = `atrium://artifacts/${target}`;
  const caps = client.getServerCapabilities();
  out.capabilities = { resources: caps.resources, prompts: caps.prompts };
  const resources = [];
  let cursor;
  out.pages = 0;
  do {
    const page = await client.listResources(cursor ? { cursor } : {});
    out.pages += 1;
    resources.push(...page.resources);
    cursor = page.nextCursor;
  } while (cursor && out.pages < 50);
  out.resources = resources.map((r) => r.uri);
  out.entry = resources.find((r) => r.uri === targetUri);
  out.read = await client.readResource({ uri: targetUri });
  try {
    await client.readResource({ uri: `atrium://artifacts/${secret}` });
    out.secret = { leaked: true };
  } catch (error) {
    out.secret = { code: error?.code, message: String(error?.message ?? error) };
  }
  out.templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
  out.prompts = (await client.listPrompts()).prompts.map((p) => p.name);
  out.prompt = await client.getPrompt({ name: "everything__simple-prompt" });
  const document = out.resources.find((u) => u.startsWith("atrium://servers/everything/"));
  out.serverRead = document ? await client.readResource({ uri: document }) : null;
  const updated = [];
  let listChanged = 0;
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updated.push(n.params.uri));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => { listChanged += 1; });
  await client.subscribeResource({ uri: targetUri });
  // The standalone stream (GET) is opened by the SDK after initialization; give it a moment before saying ready.
  await new Promise((r) => setTimeout(r, 500));
  console.log(JSON.stringify({ ready: true }));
  const deadline = Date.now() + 30000;
  while (!(updated.includes(targetUri) && listChanged > 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  out.updated = updated;
  out.listChanged = listChanged;
  out.reread = await client.readResource({ uri: targetUri });
  await client.unsubscribeResource({ uri: targetUri });
} else {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}
await transport.terminateSession?.().catch(() => {});
await client.close();
console.log(JSON.stringify(out));
