// Agents in the real app: the Agents screen teaches how to connect one while there are none; making one shows its
// token once (copyable, gone from the window once dismissed); the official TypeScript SDK client, as that agent,
// calls a server's tool through the gateway the app serves; the call is on the agent's page, in the audit log under
// the agent's name and found by the audit's agent filter. A port already taken is said plainly, and the gateway
// moves to another. An app that only does OAuth (the official SDK's OAuth client) asks in a consent dialog; approving
// there makes its agent, which the list marks as an OAuth one.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import net from "node:net";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { cli, Driver, setValue, snapshot, until } from "./app.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const EVERYTHING = join(ROOT, "tests/peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const NODE = existsSync(join(ROOT, ".tools/node22/node_modules/.bin/node")) ? join(ROOT, ".tools/node22/node_modules/.bin/node") : "node";

let driver;
before(async () => {
  assert.ok(existsSync(EVERYTHING), `the everything server is missing at ${EVERYTHING}: run 'make setup-test'`);
  driver = await Driver.start();
  // A workspace with server-everything in it, made from the command line before the app starts.
  cli(driver.home, "workspace", "create", "Recipes");
  cli(driver.home, "server", "add", "Recipes", "--title", "Everything", "--stdio", "--", "node", EVERYTHING, "stdio");
});
after(async () => {
  await driver?.stop();
});

const bodyText = (app) => app.execute("return document.body.innerText");

test("make an agent, see its token once, call a tool as it, find the call under its name", async () => {
  const app = await driver.launch();
  try {
    await (await until(app, "the workspace", async () => {
      for (const row of await app.allByTestId("workspace-item")) if ((await row.text()).includes("Recipes")) return row;
    })).click();
    await (await app.byTestId("nav-agents")).click();

    // No agents: the screen says how to connect one.
    const empty = await app.byTestId("agents-empty");
    assert.match(await empty.text(), /Claude Desktop/);
    const url = await until(app, "the gateway listening", async () => {
      const shown = (await app.findAll('[data-testid="gateway-url"]'))[0];
      return shown ? shown.text() : null;
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const snippet = await (await app.byTestId("connect-snippet")).text();
    assert.match(snippet, /"mcp",\s*"--agent"/);
    await snapshot(app, "agents-empty");

    // A new agent that may read and write; its token shows once.
    await (await app.byTestId("agent-add-empty")).click();
    await (await app.byTestId("agent-name")).fill("Cursor");
    await (await app.find('[data-testid="agent-scope"][data-scope="write"]')).click();
    await snapshot(app, "agent-form");
    await (await app.byTestId("agent-save")).click();
    const token = await (await app.byTestId("agent-token")).text();
    assert.match(token, /^atrium_agent_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    assert.match(await (await app.byTestId("connect-snippet")).text(), /atrium/);
    await snapshot(app, "agent-token-once");
    await (await app.byTestId("agent-token-done")).click();
    await until(app, "the token gone from the window", async () => !(await bodyText(app)).includes(token));
    const row = await app.find('[data-testid="agent-row"][data-agent="Cursor"]');
    assert.match(await row.text(), /never used/);

    // The official TypeScript SDK client, as Cursor, calls server-everything's echo through the app's gateway.
    const out = JSON.parse(
      execFileSync(NODE, [join(ROOT, "tests/peers/gateway_client.mjs"), url, token, "echo"], { encoding: "utf8" }).trim().split("\n").pop(),
    );
    assert.equal(out.whoami.agent.name, "Cursor", JSON.stringify(out));
    assert.equal(out.echo.content[0].text, "Echo: from the e2e agent", JSON.stringify(out));

    // Its page: used just now, the call among its recent ones.
    await (await app.byTestId("agents-refresh")).click();
    await until(app, "the last use", async () => /used /.test(await (await app.find('[data-testid="agent-row"][data-agent="Cursor"]')).text()) && !/never used/.test(await (await app.find('[data-testid="agent-row"][data-agent="Cursor"]')).text()));
    // (A new agent's page is open already.)
    const opener = await app.byTestId("agent-open");
    if ((await opener.attribute("aria-expanded")) !== "true") await opener.click();
    await until(app, "the call on the agent's page", async () => (await app.findAll('[data-testid="agent-call"][data-tool="echo"]'))[0]);
    await snapshot(app, "agent-page");

    // The audit log: the call under the agent's name, and the agent filter finds it.
    await (await app.byTestId("nav-audit")).click();
    const audited = await until(app, "the echo in the audit log", async () => (await app.findAll('[data-testid="audit-row"][data-tool="echo"]'))[0]);
    assert.match(await audited.text(), /Gateway · Cursor/);
    assert.equal(await (await app.find('[data-testid="audit-row"][data-tool="echo"] [data-testid="audit-agent-name"]')).text(), "Cursor");
    const agentId = await (await app.find('[data-testid="audit-agent"] option:nth-child(2)')).property("value");
    await setValue(app, "audit-agent", agentId);
    await until(app, "only Cursor's calls", async () => {
      const rows = await app.allByTestId("audit-row");
      if (rows.length === 0) return false;
      for (const r of rows) if (!/Cursor/.test(await r.text())) return false;
      return true;
    });
    await snapshot(app, "audit-by-agent");

    // A port already taken: said plainly; another one works.
    const blocker = net.createServer();
    const taken = await new Promise((ok) => blocker.listen(0, "127.0.0.1", () => ok(blocker.address().port)));
    try {
      await (await app.byTestId("nav-agents")).click();
      await (await app.byTestId("gateway-port")).fill(String(taken));
      await (await app.byTestId("gateway-port-save")).click();
      const failed = await app.byTestId("gateway-failed");
      assert.match(await failed.text(), new RegExp(`Port ${taken} is taken`));
      await snapshot(app, "gateway-port-taken");
    } finally {
      blocker.close();
    }
    const free = await new Promise((ok) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address();
        probe.close(() => ok(port));
      });
    });
    await (await app.byTestId("gateway-port")).fill(String(free));
    await (await app.byTestId("gateway-port-save")).click();
    await until(app, "the gateway on the new port", async () => {
      const shown = (await app.findAll('[data-testid="gateway-url"]'))[0];
      return shown && (await shown.text()) === `http://127.0.0.1:${free}/mcp`;
    });
  } catch (err) {
    await snapshot(app, "agents-failure");
    throw err;
  } finally {
    await app.quit();
  }
});

test("write Atrium into an app's configuration from the agent's page, and take it out again exactly", async () => {
  // The app's HOME is a scratch directory: the apps' configurations it writes are found there, never the real ones.
  const home = mkdtempSync(join(tmpdir(), "atrium-e2e-user-"));
  const own = await Driver.start({ env: { HOME: home, XDG_CONFIG_HOME: join(home, ".config") } });
  const cursor = join(home, ".cursor", "mcp.json");
  mkdirSync(dirname(cursor), { recursive: true });
  const original = '{\n  "mcpServers": {\n    "fs": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem"]}\n  }\n}\n';
  writeFileSync(cursor, original);
  cli(own.home, "workspace", "create", "Notes");
  cli(own.home, "agent", "add", "Claude");
  const app = await own.launch();
  try {
    await (await until(app, "the workspace", async () => {
      for (const row of await app.allByTestId("workspace-item")) if ((await row.text()).includes("Notes")) return row;
    })).click();
    await (await app.byTestId("nav-agents")).click();
    await (await until(app, "the agent", async () => (await app.findAll('[data-testid="agent-row"][data-agent="Claude"] [data-testid="agent-open"]'))[0])).click();
    const state = async () => (await app.find('[data-testid="agent-app"][data-app="cursor"] [data-testid="agent-app-state"]')).text();
    await until(app, "Cursor not connected", async () => (await state().catch(() => "")) === "not connected");
    assert.match(await (await app.find('[data-testid="agent-app"][data-app="cursor"]')).text(), /\.cursor\/mcp\.json/);
    await (await app.find('[data-testid="agent-app"][data-app="cursor"] [data-testid="agent-app-add"]')).click();
    await until(app, "Cursor launching Claude", async () => (await state().catch(() => "")) === "launches this agent");
    await snapshot(app, "agent-apps-connected");
    const written = JSON.parse(readFileSync(cursor, "utf8"));
    assert.deepEqual(written.mcpServers.fs, { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem"] });
    assert.deepEqual(written.mcpServers.atrium.args, ["--home", own.home, "mcp", "--agent", "Claude"]);
    assert.ok(!readFileSync(cursor, "utf8").includes("atrium_agent_"), "a token was written");

    await (await app.find('[data-testid="agent-app"][data-app="cursor"] [data-testid="agent-app-remove"]')).click();
    await until(app, "Cursor not connected again", async () => (await state().catch(() => "")) === "not connected");
    assert.equal(readFileSync(cursor, "utf8"), original);
  } catch (err) {
    await snapshot(app, "agent-apps-failure");
    throw err;
  } finally {
    await app.quit();
    await own.stop();
  }
});

test("an app that only does OAuth asks in the consent dialog; approving makes its agent", async () => {
  const app = await driver.launch();
  let peer;
  try {
    await (await until(app, "the workspace", async () => {
      for (const row of await app.allByTestId("workspace-item")) if ((await row.text()).includes("Recipes")) return row;
    })).click();
    await (await app.byTestId("nav-agents")).click();
    const url = await until(app, "the gateway listening", async () => {
      const shown = (await app.findAll('[data-testid="gateway-url"]'))[0];
      return shown ? shown.text() : null;
    });
    // The official TypeScript SDK's OAuth client: it registers, opens the authorization page (which waits), and
    // goes on once the window answers.
    let out = "";
    peer = spawn(NODE, [join(ROOT, "tests/peers/oauth_client.mjs"), url, "Cursor OAuth"], { stdio: ["ignore", "pipe", "inherit"] });
    peer.stdout.on("data", (d) => (out += d));
    const ended = new Promise((ok) => peer.on("exit", ok));

    const dialog = await until(app, "the consent dialog", async () => (await app.findAll('[data-testid="consent-dialog"]'))[0], 60_000);
    assert.match(await dialog.text(), /Cursor OAuth asks for read and write/);
    assert.equal(await (await app.byTestId("consent-name")).property("value"), "Cursor OAuth");
    assert.equal(await (await app.find('[data-testid="consent-scope"][data-scope="write"]')).property("checked"), true);
    assert.equal(await (await app.find('[data-testid="consent-scope"][data-scope="admin"]')).property("checked"), false);
    await (await app.find('[data-testid="consent-workspace"][data-workspace="Recipes"]')).click();
    await (await until(app, "the Everything server", async () => (await app.findAll('[data-testid="consent-server"][data-server="Everything"]'))[0])).click();
    assert.equal(await (await app.byTestId("consent-summary")).text(), "Cursor OAuth gets read and write on Recipes and the Everything server.");
    await snapshot(app, "agent-consent");
    await (await app.byTestId("consent-approve")).click();
    await until(app, "the dialog gone", async () => (await app.findAll('[data-testid="consent-dialog"]')).length === 0);

    const code = await ended;
    const result = JSON.parse(out.trim().split("\n").pop());
    assert.equal(code, 0, out);
    assert.equal(result.before.agent.name, "Cursor OAuth", out);
    assert.equal(result.refreshed, "AUTHORIZED", out);

    await (await app.byTestId("agents-refresh")).click();
    const row = await until(app, "the OAuth agent", async () => (await app.findAll('[data-testid="agent-row"][data-agent="Cursor OAuth"]'))[0]);
    assert.equal(await (await app.find('[data-testid="agent-row"][data-agent="Cursor OAuth"] [data-testid="agent-oauth"]')).text(), "OAuth · Cursor OAuth");
    await until(app, "its last use", async () => /used /.test(await row.text()) && !/never used/.test(await row.text()));
    const listed = cli(driver.home, "agent", "list").find((a) => a.name === "Cursor OAuth");
    assert.equal(listed?.oauth?.client_name, "Cursor OAuth", "the terminal lists it as an OAuth agent too");
    await snapshot(app, "agents-oauth");
  } catch (err) {
    await snapshot(app, "agents-oauth-failure");
    throw err;
  } finally {
    peer?.kill();
    await app.quit();
  }
});
