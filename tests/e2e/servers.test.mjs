// MCP servers in the real app: register the reference "everything" server (stdio), test the connection, wait until it
// is ready, run its echo tool from the form generated from its schema, and find the call in the audit log.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Driver, setValue, snapshot } from "./app.mjs";
import { Keys } from "./webdriver.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const EVERYTHING = join(ROOT, "tests/peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js");

let driver;
before(async () => {
  assert.ok(existsSync(EVERYTHING), `the everything server is missing at ${EVERYTHING}: run 'make setup-test'`);
  driver = await Driver.start();
});
after(async () => {
  await driver?.stop();
});

async function rowWithText(session, testId, text, timeout) {
  try {
    return await session.waitFor(
      `${testId} "${text}"`,
      async () => {
        for (const row of await session.allByTestId(testId)) if ((await row.text()).includes(text)) return row;
      },
      timeout,
    );
  } catch (err) {
    await snapshot(session, `missing-${testId}`);
    const texts = await Promise.all((await session.allByTestId(testId)).map((r) => r.text()));
    throw new Error(`${err.message}; ${testId} rows: ${JSON.stringify(texts)}`);
  }
}

/** The server row's status badge: its state, and its code and message when it failed. */
async function serverStatus(session, title) {
  return session.execute(
    `for (const row of document.querySelectorAll('[data-testid="server-row"]')) {
       if (!row.textContent.includes(arguments[0])) continue;
       const b = row.querySelector('[data-testid="server-status"]');
       return b ? { state: b.dataset.state, code: b.dataset.code ?? null, message: b.title } : null;
     }
     return null;`,
    title,
  );
}

test("register a stdio server, run a tool, and find the call in the audit log", async () => {
  const app = await driver.launch();
  try {
    await (await app.byTestId("workspace-new")).click();
    await (await app.byTestId("workspace-title-input")).type(`Tools lab${Keys.ENTER}`);
    await (await rowWithText(app, "workspace-item", "Tools lab")).click();

    // An empty Servers screen says what a server is and offers to add one.
    await (await app.byTestId("nav-servers")).click();
    await app.byTestId("server-empty");
    await (await app.byTestId("server-add")).click();
    await app.byTestId("server-form");

    await (await app.byTestId("server-title")).fill("Everything");
    await setValue(app, "server-transport-kind", "stdio");
    await (await app.byTestId("server-command")).fill("node");
    await setValue(app, "server-args", `${EVERYTHING}\nstdio`);

    // Test connection connects on the side and lists the tools, without saving anything.
    await (await app.byTestId("server-test")).click();
    const tested = await app.waitFor(
      "the connection test",
      async () => {
        const r = (await app.findAll('[data-testid="server-test-result"][data-done="true"]'))[0];
        return r ? { ok: (await r.attribute("data-success")) === "true", text: await r.text() } : null;
      },
      30_000,
    );
    await snapshot(app, "server-test");
    assert.ok(tested.ok, `test connection failed: ${tested.text}`);
    assert.match(tested.text, /echo/);

    await (await app.byTestId("server-save")).click();
    await rowWithText(app, "server-row", "Everything");

    // It connects in the background; the row's badge follows its state.
    let last = null;
    try {
      await app.waitFor(
        "the server to be ready",
        async () => {
          last = await serverStatus(app, "Everything");
          if (last?.state === "failed") throw new Error(`failed: ${last.code}: ${last.message}`);
          return last?.state === "ready";
        },
        30_000,
      );
    } catch (err) {
      await snapshot(app, "server-not-ready");
      throw new Error(`${err.message}; last status: ${JSON.stringify(last)}`);
    }
    await snapshot(app, "server-ready");

    // Open it and run echo from the generated form.
    await (await rowWithText(app, "server-row", "Everything")).click();
    // The form is checked against the tool's schema in the window itself (no eval there: the CSP refuses it):
    // get-resource-links takes a count from 1 to 10.
    await (await app.find('[data-testid="tool-row"][data-tool-name="get-resource-links"]', 20_000)).click();
    await (await app.byTestId("field-count")).fill("20");
    await (await app.byTestId("tool-run")).click();
    const tooMany = await app.find('[data-testid="field-error"][data-field="count"]', 10_000);
    assert.equal(await tooMany.text(), "Enter 10 or less.");
    await (await app.find('[data-testid="tool-row"][data-tool-name="echo"]', 20_000)).click();
    await (await app.byTestId("field-message")).fill("hello from e2e");
    await (await app.byTestId("tool-run")).click();
    const result = await app.waitFor(
      "the echo result",
      async () => {
        const r = (await app.findAll('[data-testid="tool-result"]'))[0];
        return r && (await r.text()).includes("hello from e2e") ? r : null;
      },
      20_000,
    );
    assert.equal(await result.attribute("data-status"), "ok");
    assert.match(await (await app.byTestId("tool-duration")).text(), /^\d+ ms$/);
    await snapshot(app, "tool-result");

    // The call is in the audit log.
    await (await app.byTestId("nav-audit")).click();
    let tries = 0;
    const row = await app.waitFor(
      "the echo call in the audit log",
      async () => {
        for (const r of await app.allByTestId("audit-row")) {
          const text = await r.text();
          if (text.includes("echo") && text.includes("ok")) return r;
        }
        // The log is written just after the call returns: ask again now and then.
        if (++tries % 10 === 0) await (await app.byTestId("audit-refresh")).click();
        return null;
      },
      15_000,
    );
    assert.equal(await row.attribute("data-status"), "ok");
    await (await app.find('[data-testid="audit-row"][data-tool="echo"][data-status="ok"] [data-testid="audit-expand"]')).click();
    assert.match(await (await app.byTestId("audit-details")).text(), /hello from e2e/);
    await snapshot(app, "audit");
  } finally {
    await app.quit();
  }
});

test("the JSON tab completes a registration from the exported schema and marks what it refuses", async () => {
  const app = await driver.launch();
  try {
    await (await app.byTestId("workspace-new")).click();
    await (await app.byTestId("workspace-title-input")).type(`Json lab${Keys.ENTER}`);
    await (await rowWithText(app, "workspace-item", "Json lab")).click();
    await (await app.byTestId("nav-servers")).click();
    await (await app.byTestId("server-add")).click();
    await (await app.byTestId("server-title")).fill("Typed by hand");
    await (await app.byTestId("server-mode-json")).click();

    // The JSON tab is the code editor (loaded on first use). Typed on one line: Enter would accept a completion.
    const editor = await app.find('[data-testid="server-json"].cm-content', 20_000);
    await editor.click();
    await app.chord([Keys.CONTROL], "a");
    await editor.type('{"transport": {"type": "ftp", "command": "node"}}');
    const marked = () =>
      app.execute(`return [...document.querySelectorAll('[data-testid=server-form] .cm-lintRange-error')].map((m) => m.textContent);`);
    await app.waitFor(
      "the wrong transport marked",
      async () => (await editor.property("value")).trimEnd().endsWith("}}") && (await marked()).includes('"ftp"'),
      10_000,
    );
    await snapshot(app, "server-json-marked");

    // Completion: a value of the transport's enum, then a name the stdio branch has.
    await app.chord([Keys.CONTROL], "a");
    await editor.type('{"transport": {"type": "st');
    const offered = () => app.execute(`return [...document.querySelectorAll('.cm-tooltip-autocomplete li')].map((li) => li.textContent);`);
    const option = async (label) => {
      try {
        await app.waitFor(`the completion ${label}`, async () => (await offered()).includes(label), 10_000);
      } catch (err) {
        await snapshot(app, "server-json-no-completion");
        throw new Error(`${err.message}; offered ${JSON.stringify(await offered())} at ${JSON.stringify(await editor.property("value"))}`);
      }
      // CodeMirror ignores Enter for a list open less than 75 ms (its interactionDelay), as a person would see it.
      await new Promise((r) => setTimeout(r, 150));
    };
    await option('"stdio"');
    await snapshot(app, "server-json-completion");
    await editor.type(Keys.ENTER);
    await editor.type(', "comm');
    await option('"command"');
    await editor.type(Keys.ENTER);
    await editor.type(`"node", "args": ["${EVERYTHING}", "stdio"]}}`);
    const text = await editor.property("value");
    assert.equal(text.trimEnd(), `{"transport": {"type": "stdio", "command": "node", "args": ["${EVERYTHING}", "stdio"]}}`);
    await app.waitFor("no marks left", async () => (await marked()).length === 0, 10_000);

    // The app's shortcut still saves from inside the editor.
    await app.chord([Keys.CONTROL], "s");
    await rowWithText(app, "server-row", "Typed by hand", 20_000);
  } finally {
    await app.quit();
  }
});
