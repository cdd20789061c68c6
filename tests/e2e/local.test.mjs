// Local servers in the real app: store a secret in the (real) keychain, register a stdio server whose environment
// refers to it, see it start and log, stop it, and check that its process is gone and the secret never reached the
// window.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Driver, setValue, snapshot, until } from "./app.mjs";
import { Keys } from "./webdriver.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const EVERYTHING = join(ROOT, "tests/peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const SECRET = "e2e-secret-value-5521";

let driver;
before(async () => {
  assert.ok(existsSync(EVERYTHING), `the everything server is missing at ${EVERYTHING}: run 'make setup-test'`);
  driver = await Driver.start();
});
after(async () => {
  await driver?.stop();
});

test("a stdio server with a keychain secret: add it, start it, read its log, stop it", async () => {
  const app = await driver.launch();
  try {
    await (await app.byTestId("workspace-new")).click();
    await (await app.byTestId("workspace-title-input")).type(`Local lab${Keys.ENTER}`);
    await until(app, "the workspace", async () => {
      for (const row of await app.allByTestId("workspace-item")) if ((await row.text()).includes("Local lab")) return row;
    }).then((row) => row.click());

    // The secret goes to the keychain; the screen only learns that it is set.
    await (await app.byTestId("nav-secrets")).click();
    await app.byTestId("secrets-empty");
    await (await app.byTestId("secret-add-empty")).click();
    await (await app.byTestId("secret-id")).fill("e2e.TOKEN");
    await (await app.byTestId("secret-value")).fill(SECRET);
    await (await app.byTestId("secret-save")).click();
    await until(app, "the secret row", async () =>
      (await app.findAll('[data-testid="secret-row-e2e.TOKEN"][data-set="true"]'))[0],
    );
    await snapshot(app, "secret-set");

    // A stdio server whose environment refers to it.
    await (await app.byTestId("nav-servers")).click();
    await (await app.byTestId("server-add")).click();
    await (await app.byTestId("server-title")).fill("Local everything");
    await setValue(app, "server-transport-kind", "stdio");
    await (await app.byTestId("server-command")).fill("node");
    await setValue(app, "server-args", `${EVERYTHING}\nstdio`);
    await (await app.byTestId("server-env-add")).click();
    await (await app.byTestId("server-env-name")).fill("E2E_TOKEN");
    await setValue(app, "env-kind-0", "secret");
    await setValue(app, "env-secret-0", "e2e.TOKEN");
    await snapshot(app, "server-form-secret");
    await (await app.byTestId("server-save")).click();

    // It starts by itself (enabled); the detail shows the running process.
    await until(app, "the server row", async () => {
      for (const row of await app.allByTestId("server-row")) if ((await row.text()).includes("Local everything")) return row;
    }).then((row) => row.click());
    const pid = await until(app, "the running pid", async () => {
      const el = (await app.findAll('[data-testid="server-pid"]'))[0];
      const text = el ? await el.text() : "";
      return /\d+/.test(text) ? Number(text.match(/\d+/)[0]) : null;
    });
    assert.ok(existsSync(`/proc/${pid}`), `process ${pid} runs`);

    // Its log, live.
    await (await app.byTestId("server-tab-log")).click();
    await until(app, "the connected line in the log", async () => {
      for (const line of await app.allByTestId("log-line")) if ((await line.text()).includes("connected to")) return true;
    });
    await snapshot(app, "server-log");

    // Stop: the badge says so and the process is gone.
    await (await app.byTestId("server-stop")).click();
    await until(app, "the stopped state", async () =>
      (await app.findAll('[data-testid="server-lifecycle"][data-state="stopped"]'))[0],
    );
    await until(app, "the process to be gone", async () => !existsSync(`/proc/${pid}`), 10_000);
    await snapshot(app, "server-stopped");

    const html = await app.execute("return document.documentElement.outerHTML");
    assert.ok(!html.includes(SECRET), "the secret value reached the window");
  } finally {
    await app.quit();
  }
});
