// A server that implements every scenario of the official conformance suite's server side
// (`conformance server`), so that running the suite against it directly and through Atrium's
// `/mcp/servers/<it>` compares every scenario. Streamable HTTP, stateful (one session per initialize),
// resumable (an event store, for the SSE polling scenario), and it refuses a foreign Host or Origin.
// Usage: node conformance_server.mjs <port>   (prints "listening <url>" once it listens)
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema, CompleteRequestSchema, GetPromptRequestSchema, ListPromptsRequestSchema,
  ListResourcesRequestSchema, ListResourceTemplatesRequestSchema, ListToolsRequestSchema,
  ReadResourceRequestSchema, SetLevelRequestSchema, SubscribeRequestSchema, UnsubscribeRequestSchema,
  CreateMessageResultSchema, ElicitResultSchema,
} from '@modelcontextprotocol/sdk/types.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const WAV = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';
const none = { type: 'object', properties: {} };
const text = (t) => ({ content: [{ type: 'text', text: t }] });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const TOOLS = [
  { name: 'test_simple_text', description: 'Returns simple text', inputSchema: none },
  { name: 'test_image_content', description: 'Returns an image', inputSchema: none },
  { name: 'test_audio_content', description: 'Returns audio', inputSchema: none },
  { name: 'test_embedded_resource', description: 'Returns an embedded resource', inputSchema: none },
  { name: 'test_multiple_content_types', description: 'Returns text, an image and a resource', inputSchema: none },
  { name: 'test_tool_with_logging', description: 'Logs while it runs', inputSchema: none },
  { name: 'test_tool_with_progress', description: 'Reports progress', inputSchema: none },
  { name: 'test_error_handling', description: 'Fails as a tool error', inputSchema: none },
  { name: 'test_reconnection', description: 'Closes its SSE stream mid-call (SEP-1699)', inputSchema: none },
  { name: 'test_sampling', description: 'Asks the client to sample',
    inputSchema: { type: 'object', properties: { prompt: { type: 'string' } }, required: ['prompt'] } },
  { name: 'test_elicitation', description: 'Asks the client to elicit',
    inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } },
  { name: 'test_elicitation_sep1034_defaults', description: 'Elicits with defaults (SEP-1034)', inputSchema: none },
  { name: 'test_elicitation_sep1330_enums', description: 'Elicits enums (SEP-1330)', inputSchema: none },
  { name: 'json_schema_2020_12_tool', description: 'JSON Schema 2020-12 input (SEP-1613)', inputSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object',
    $defs: { address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
    properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } }, additionalProperties: false } },
];

const RESOURCES = [
  { uri: 'test://static-text', name: 'static-text', mimeType: 'text/plain', description: 'Static text' },
  { uri: 'test://static-binary', name: 'static-binary', mimeType: 'image/png', description: 'Static binary' },
  { uri: 'test://watched-resource', name: 'watched-resource', mimeType: 'text/plain', description: 'Watched' },
];

const PROMPTS = [
  { name: 'test_simple_prompt', description: 'No arguments' },
  { name: 'test_prompt_with_arguments', description: 'Two arguments',
    arguments: [{ name: 'arg1', required: true }, { name: 'arg2', required: true }] },
  { name: 'test_prompt_with_embedded_resource', description: 'Embeds a resource',
    arguments: [{ name: 'resourceUri', required: true }] },
  { name: 'test_prompt_with_image', description: 'An image' },
];

const elicitDefaults = { type: 'object', required: [], properties: {
  name: { type: 'string', default: 'John Doe' }, age: { type: 'integer', default: 30 },
  score: { type: 'number', default: 95.5 },
  status: { type: 'string', enum: ['active', 'inactive', 'pending'], default: 'active' },
  verified: { type: 'boolean', default: true } } };
const elicitEnums = { type: 'object', required: [], properties: {
  untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
  titledSingle: { type: 'string', oneOf: [{ const: 'value1', title: 'First' }, { const: 'value2', title: 'Second' }] },
  legacyEnum: { type: 'string', enum: ['opt1', 'opt2'], enumNames: ['Option One', 'Option Two'] },
  untitledMulti: { type: 'array', minItems: 1, items: { type: 'string', enum: ['option1', 'option2'] } },
  titledMulti: { type: 'array', minItems: 1,
    items: { anyOf: [{ const: 'value1', title: 'First' }, { const: 'value2', title: 'Second' }] } } } };

const transports = new Map();
const events = new Map();
const eventStore = {
  async storeEvent(streamId, message) {
    const id = `${streamId}::${String(events.size).padStart(8, '0')}`;
    events.set(id, { streamId, message });
    return id;
  },
  async replayEventsAfter(last, { send }) {
    const streamId = last.split('::')[0];
    for (const [id, e] of [...events].sort(([a], [b]) => a.localeCompare(b))) {
      if (e.streamId === streamId && id > last && Object.keys(e.message).length > 0) await send(id, e.message);
    }
    return streamId;
  },
};

function makeServer() {
  const server = new Server({ name: 'atrium-conformance-fixture', version: '1.0.0' }, { capabilities: {
    tools: { listChanged: true }, resources: { subscribe: true, listChanged: true },
    prompts: { listChanged: true }, logging: {}, completions: {} } });
  const log = (data) => server.notification({ method: 'notifications/message', params: { level: 'info', data } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));
  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const args = req.params.arguments ?? {};
    const note = (n) => extra.sendNotification(n);
    switch (req.params.name) {
      case 'test_simple_text': return text('This is a simple text response for testing.');
      case 'test_image_content': return { content: [{ type: 'image', data: PNG, mimeType: 'image/png' }] };
      case 'test_audio_content': return { content: [{ type: 'audio', data: WAV, mimeType: 'audio/wav' }] };
      case 'test_embedded_resource': return { content: [{ type: 'resource', resource: {
        uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }] };
      case 'test_multiple_content_types': return { content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: PNG, mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json',
          text: '{"test":"data","value":123}' } }] };
      case 'test_tool_with_logging':
        for (const data of ['Tool execution started', 'Tool processing data', 'Tool execution completed']) {
          await note({ method: 'notifications/message', params: { level: 'info', data } });
          await sleep(50);
        }
        return text('Tool with logging executed successfully');
      case 'test_tool_with_progress': {
        const progressToken = req.params._meta?.progressToken ?? 0;
        for (const progress of [0, 50, 100]) {
          await note({ method: 'notifications/progress', params: { progressToken, progress, total: 100 } });
          await sleep(50);
        }
        return text(String(progressToken));
      }
      case 'test_error_handling':
        return { isError: true, content: [{ type: 'text', text: 'This tool intentionally returns an error' }] };
      case 'test_reconnection': {
        const t = transports.get(extra.sessionId);
        if (t && extra.requestId !== undefined) t.closeSSEStream(extra.requestId);
        await sleep(100);
        return text('Reconnection test completed successfully.');
      }
      case 'test_sampling': {
        const r = await extra.sendRequest({ method: 'sampling/createMessage', params: {
          messages: [{ role: 'user', content: { type: 'text', text: args.prompt } }], maxTokens: 100 } },
        CreateMessageResultSchema);
        return text(`LLM response: ${r.content?.text ?? 'No response'}`);
      }
      case 'test_elicitation':
      case 'test_elicitation_sep1034_defaults':
      case 'test_elicitation_sep1330_enums': {
        const requestedSchema = req.params.name === 'test_elicitation'
          ? { type: 'object', properties: { response: { type: 'string' } }, required: ['response'] }
          : req.params.name.endsWith('defaults') ? elicitDefaults : elicitEnums;
        const r = await extra.sendRequest({ method: 'elicitation/create', params: {
          mode: 'form', message: args.message ?? 'Please fill in the form', requestedSchema } }, ElicitResultSchema);
        return text(`User response: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`);
      }
      case 'json_schema_2020_12_tool': return text(`called with ${JSON.stringify(args)}`);
      default: throw new Error(`Unknown tool ${req.params.name}`);
    }
  });
  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: RESOURCES }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: [
    { uriTemplate: 'test://template/{id}/data', name: 'template', mimeType: 'application/json' }] }));
  server.setRequestHandler(ReadResourceRequestSchema, (req) => {
    const uri = req.params.uri;
    if (uri === 'test://static-binary') return { contents: [{ uri, mimeType: 'image/png', blob: PNG }] };
    const m = /^test:\/\/template\/([^/]+)\/data$/.exec(uri);
    if (m) return { contents: [{ uri, mimeType: 'application/json',
      text: JSON.stringify({ id: m[1], templateTest: true, data: `Data for ID: ${m[1]}` }) }] };
    if (uri === 'test://static-text') return { contents: [{ uri, mimeType: 'text/plain',
      text: 'This is the content of the static text resource.' }] };
    if (uri === 'test://watched-resource') return { contents: [{ uri, mimeType: 'text/plain', text: 'Watched' }] };
    throw new Error(`Unknown resource ${uri}`);
  });
  server.setRequestHandler(SubscribeRequestSchema, (req) => { log(`Subscribed to ${req.params.uri}`); return {}; });
  server.setRequestHandler(UnsubscribeRequestSchema, (req) => { log(`Unsubscribed ${req.params.uri}`); return {}; });
  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: PROMPTS }));
  server.setRequestHandler(GetPromptRequestSchema, (req) => {
    const a = req.params.arguments ?? {};
    const user = (content) => ({ role: 'user', content });
    switch (req.params.name) {
      case 'test_simple_prompt':
        return { messages: [user({ type: 'text', text: 'This is a simple prompt for testing.' })] };
      case 'test_prompt_with_arguments':
        return { messages: [user({ type: 'text', text: `Prompt with arguments: arg1='${a.arg1}', arg2='${a.arg2}'` })] };
      case 'test_prompt_with_embedded_resource':
        return { messages: [user({ type: 'resource', resource: { uri: a.resourceUri, mimeType: 'text/plain',
          text: 'Embedded resource content for testing.' } }), user({ type: 'text', text: 'Process it.' })] };
      case 'test_prompt_with_image':
        return { messages: [user({ type: 'image', data: PNG, mimeType: 'image/png' }),
          user({ type: 'text', text: 'Please analyze the image above.' })] };
      default: throw new Error(`Unknown prompt ${req.params.name}`);
    }
  });
  server.setRequestHandler(SetLevelRequestSchema, (req) => { log(`Log level set to ${req.params.level}`); return {}; });
  server.setRequestHandler(CompleteRequestSchema, () => ({ completion: { values: [], total: 0, hasMore: false } }));
  return server;
}

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const raw = Buffer.concat(chunks).toString();
  return raw ? JSON.parse(raw) : undefined;
}

const port = Number(process.argv[2] ?? 0);
const httpServer = http.createServer(async (req, res) => {
  try {
    if (!req.url.startsWith('/mcp')) { res.writeHead(404).end(); return; }
    // DNS rebinding: only a loopback Host (and Origin, when sent) is served.
    const loopback = (h) => /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(h ?? '');
    const origin = req.headers.origin;
    if (!loopback(req.headers.host) || (origin && !loopback(origin.replace(/^https?:\/\//, '')))) {
      res.writeHead(403, { 'content-type': 'application/json' })
        .end('{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Host or Origin refused"}}');
      return;
    }
    const sid = req.headers['mcp-session-id'];
    const parsed = req.method === 'POST' ? await body(req) : undefined;
    let transport = sid ? transports.get(sid) : undefined;
    if (!transport && !sid && req.method === 'POST' && parsed?.method === 'initialize') {
      const server = makeServer();
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(), eventStore, retryInterval: 500,
        onsessioninitialized: (id) => transports.set(id, transport) });
      transport.onclose = () => transport.sessionId && transports.delete(transport.sessionId);
      await server.connect(transport);
    }
    if (!transport) {
      res.writeHead(sid ? 404 : 400, { 'content-type': 'application/json' })
        .end('{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"No such session"}}');
      return;
    }
    await transport.handleRequest(req, res, parsed);
  } catch (err) {
    if (!res.headersSent) res.writeHead(500).end(String(err));
  }
});
httpServer.listen(port, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${httpServer.address().port}/mcp`));
