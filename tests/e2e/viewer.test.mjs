// MCP Apps views in the real window: the seed-layout recipe server's viewer renders an artifact and calls back,
// server-basic-vanillajs's view shows a tool's result and its buttons round-trip (a link opens only after the
// person confirms), and a hostile view is refused everything it tries while the app stays up and unchanged.

import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Driver, cli, snapshot, until } from "./app.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const RECIPE_SERVER = join(ROOT, "tests/fixtures/recipe-server/server.py");
const VANILLA = join(ROOT, "tests/peers/node_modules/@modelcontextprotocol/server-basic-vanillajs/dist/index.js");
const RECIPE = "application/vnd.my-org.recipe+json";

let driver;
let events;
let opened;
before(async () => {
  assert.ok(existsSync(VANILLA), `server-basic-vanillajs is missing at ${VANILLA}: run 'make setup-test'`);
  // The "browser" records what it is asked to open.
  const scratch = mkdtempSync(join(tmpdir(), "atrium-viewer-e2e-"));
  opened = join(scratch, "opened.txt");
  events = join(scratch, "recipe-events.txt");
  const browser = join(scratch, "browser.sh");
  writeFileSync(browser, `#!/bin/sh\necho "$1" >> "${opened}"\n`);
  chmodSync(browser, 0o755);
  process.env.BROWSER = browser;
  driver = await Driver.start();
  const home = driver.home;
  cli(home, "workspace", "create", "Kitchen");
  const recipes = {
    transport: { type: "stdio", command: "python3", args: [RECIPE_SERVER], env: { RECIPE_EVENTS: events } },
    allowed_tools: ["scale_recipe", "on_open", "on_create", "extract_text", "model_only_tool"],
  };
  cli(home, "server", "add", "Kitchen", "--title", "My Server", "--registration", JSON.stringify(recipes));
  cli(home, "server", "add", "Kitchen", "--title", "Basic App", "--stdio", "--", "node", VANILLA, "--stdio");
  const pancakes = { title: "Pancakes", servings: 4, ingredients: ["200 g flour", "2 eggs", "300 ml milk"], steps: ["Whisk", "Rest", "Fry"] };
  cli(home, "artifact", "create", "Kitchen", "--title", "Pancakes", "--type", RECIPE, "--content", JSON.stringify(pancakes));
  cli(home, "artifact", "create", "Kitchen", "--title", "Trap", "--type", "application/vnd.atrium-test.hostile+json", "--content", "{}");
});
after(async () => {
  await driver?.stop();
});

async function openWorkspace(app, title) {
  const row = await until(app, `the ${title} workspace`, async () => {
    for (const row of await app.allByTestId("workspace-item")) if ((await row.text()).includes(title)) return row;
  });
  await row.click();
}

async function artifactRow(app, title) {
  return until(app, `the ${title} artifact`, async () => {
    for (const row of await app.allByTestId("artifact-item")) if ((await row.text()).includes(title)) return row;
  });
}

/** Switches into the view's own document (the inner frame inside the sandbox proxy) of the frame `testId`. */
async function enterView(app, testId) {
  const outer = await app.byTestId(testId);
  await app.switchToFrame(outer);
  const inner = await app.find("iframe", 15_000);
  await app.switchToFrame(inner);
}

async function leaveView(app) {
  await app.switchToFrame(null);
}

async function text(app, selector) {
  return (await app.find(selector)).text();
}

test("a recipe opens in its server's viewer, renders, and calls back through the host", async () => {
  const app = await driver.launch();
  try {
    await openWorkspace(app, "Kitchen");
    // The server's type.json gives the badge its label once the server is up.
    await until(app, "the Recipe badge", async () => (await (await artifactRow(app, "Pancakes")).text()).includes("Recipe"));
    await app.doubleClick(await artifactRow(app, "Pancakes"));
    await app.byTestId("viewer-panel", '[data-ready="true"]');
    await enterView(app, "viewer-frame");
    assert.equal(await until(app, "the title", async () => text(app, "#recipe-title")), "Pancakes");
    assert.match(await text(app, "#ingredients"), /200 g flour/);
    assert.match(await text(app, "#steps"), /Rest/);
    assert.equal(await app.execute("return typeof window.__TAURI_INTERNALS__"), "undefined");
    await (await app.find("#scale")).click();
    await until(app, "the tool's answer", async () => (await text(app, "#status")) === "Scaled Pancakes x2");
    await (await app.find("#favourite")).click();
    await until(app, "the saved artifact", async () => (await text(app, "#status")) === "Saved as favourite");
    await leaveView(app);
    await snapshot(app, "viewer-recipe");
    const log = readFileSync(events, "utf8");
    assert.match(log, /^on_open /m, "on_open ran before the view opened");
    assert.match(log, /^scale_recipe 2(\.0)?$/m);
    const rows = cli(driver.home, "audit", "--origin", "viewer");
    assert.ok(rows.some((r) => r.tool === "scale_recipe" && r.status === "ok"), JSON.stringify(rows));
    assert.ok(rows.some((r) => r.tool === "update_artifact" && r.status === "ok"), JSON.stringify(rows));
    await (await app.byTestId("viewer-close")).click();
    await until(app, "the panel to close", async () => (await app.allByTestId("viewer-panel")).length === 0);
  } finally {
    await app.quit();
  }
});

test("server-basic-vanillajs: a tool's view shows its result, its buttons round-trip, links need consent", async () => {
  const app = await driver.launch();
  try {
    await openWorkspace(app, "Kitchen");
    await (await app.byTestId("nav-servers")).click();
    const server = await until(app, "the Basic App server", async () => {
      for (const row of await app.allByTestId("server-row")) if ((await row.text()).includes("Basic App")) return row;
    });
    await server.click();
    await (await app.find('[data-testid="tool-row"][data-tool-name="get-time"]', 30_000)).click();
    const toggle = await app.byTestId("tool-view-toggle");
    assert.equal(await toggle.property("checked"), true, "a tool with a view shows it by default");
    await (await app.byTestId("tool-run")).click();
    await enterView(app, "tool-view");
    const first = await until(app, "the tool's result in the view", async () => {
      const t = await text(app, "#server-time");
      return t && !/Loading/.test(t) ? t : null;
    });
    await new Promise((r) => setTimeout(r, 1100));
    await (await app.find("#get-time-btn")).click();
    await until(app, "a new time from the button's call", async () => (await text(app, "#server-time")) !== first);
    await app.execute("document.getElementById('open-link-btn').scrollIntoView(); document.getElementById('open-link-btn').click()");
    await leaveView(app);
    await app.byTestId("link-confirm");
    assert.match(await (await app.byTestId("link-confirm")).text(), /modelcontextprotocol\.io/);
    await snapshot(app, "viewer-link-confirm");
    assert.ok(!existsSync(opened), "nothing opens before the person agrees");
    await (await app.byTestId("link-open")).click();
    await until(app, "the browser to be asked", async () => existsSync(opened) && readFileSync(opened, "utf8").includes("https://modelcontextprotocol.io/"));
    await snapshot(app, "viewer-vanilla");
  } finally {
    await app.quit();
  }
});

test("a hostile view is refused everything; the app stays up and nothing changes", async () => {
  const app = await driver.launch();
  try {
    await openWorkspace(app, "Kitchen");
    const before = cli(driver.home, "workspace", "list").length;
    const okBefore = cli(driver.home, "audit", "--origin", "viewer", "--status", "ok", "--limit", "500").length;
    await app.doubleClick(await artifactRow(app, "Trap"));
    await app.byTestId("viewer-panel", '[data-ready="true"]');
    await enterView(app, "viewer-frame");
    await until(app, "the attempts to finish", async () => (await app.findAll('body[data-done="true"]')).length > 0, 60_000);
    const results = JSON.parse(await text(app, "#results"));
    await leaveView(app);
    await snapshot(app, "viewer-hostile");
    const attempted = Object.keys(results).filter((k) => k !== "initialized");
    assert.ok(attempted.length >= 16, JSON.stringify(results));
    for (const name of attempted) {
      assert.ok(["blocked", "sent"].includes(results[name].outcome), `${name} must fail: ${JSON.stringify(results[name])}`);
    }
    // The window is still the app, with its IPC, and the forged IPC message did nothing.
    assert.equal(await app.execute("return location.protocol + '//' + location.host"), "tauri://localhost");
    assert.ok(await app.execute("return !!document.querySelector('[data-testid=\"viewer-panel\"]')"));
    assert.equal(cli(driver.home, "workspace", "list").length, before, "no workspace was created");
    const trap = cli(driver.home, "artifact", "list", "Kitchen").find((a) => a.title === "Trap");
    assert.equal(trap.content_type, "application/vnd.atrium-test.hostile+json");
    // Every refusal is shown in the panel and audited.
    const shown = await until(app, "the refusals", async () => {
      const items = await app.allByTestId("viewer-refusal");
      return items.length >= 8 ? items : null;
    });
    assert.ok(shown.length >= 8);
    const denied = cli(driver.home, "audit", "--origin", "viewer", "--status", "denied", "--limit", "100");
    assert.ok(denied.length >= 8, JSON.stringify(denied));
    const okAfter = cli(driver.home, "audit", "--origin", "viewer", "--status", "ok", "--limit", "500").length;
    assert.equal(okAfter, okBefore, "no call of the hostile view succeeded");
  } finally {
    await app.quit();
  }
});
