// MCP Apps views in the real window: the seed-layout recipe server, its views registered the guide's way (no MIME
// type), renders an artifact in its viewer and calls back (the editor beside it follows what it saves),
// server-basic-vanillajs's view shows a tool's result and its buttons round-trip (a link opens only after the
// person confirms), views keep what they store — per server, across closing and reopening — and answer their
// teardown however they go away, a window reload ends the views it showed (and views work after it), and a hostile
// view is refused everything it tries while the app stays up and unchanged.

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
/** The origin of the second server's views (found by the storage test; the hostile view tries to reach it). */
let secondOrigin = "http://127.0.0.1:1";
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
  const allowed = ["scale_recipe", "on_open", "on_create", "extract_text", "model_only_tool", "storage_probe"];
  // Registered the guide's way: its type views have no MIME type (Atrium shows them, and says so in the server's log).
  const env = { RECIPE_EVENTS: events, RECIPE_AS_SEED: "1" };
  const recipes = { transport: { type: "stdio", command: "python3", args: [RECIPE_SERVER], env }, allowed_tools: allowed };
  cli(home, "server", "add", "Kitchen", "--title", "My Server", "--registration", JSON.stringify(recipes));
  // The same server a second time: another server, so another origin for its views.
  const second = { transport: { type: "stdio", command: "python3", args: [RECIPE_SERVER] }, allowed_tools: ["storage_probe"] };
  cli(home, "server", "add", "Kitchen", "--title", "Second Kitchen", "--registration", JSON.stringify(second));
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

async function openServer(app, title) {
  await (await app.byTestId("nav-servers")).click();
  const server = await until(app, `the ${title} server`, async () => {
    for (const row of await app.allByTestId("server-row")) if ((await row.text()).includes(title)) return row;
  });
  await server.click();
  // The pane of a server whose view is closing stays (inert) until the view has answered its teardown.
  await viewsGone(app);
}

async function openTool(app, name) {
  await (await app.find(`[data-testid="tool-row"][data-tool-name="${name}"]`, 30_000)).click();
}

/** Waits until every tool view has gone (a closing view's frame stays while it answers its teardown). */
async function viewsGone(app) {
  await until(app, "the closed views to go", async () => (await app.findAll('[data-testid="tool-view"]')).length === 0);
}

/** Runs storage_probe (its form's value first, when given) and reads what its view shows, inside the view. */
async function probe(app, value) {
  if (value !== undefined) await (await app.byTestId("field-value")).fill(value);
  const previous = (await app.findAll('[data-testid="tool-view"]')).map((e) => e.id);
  await (await app.byTestId("tool-run")).click();
  // A view this run replaces goes once it has answered its teardown: the one to read is the new one.
  await until(app, "the new view alone", async () => {
    const frames = await app.findAll('[data-testid="tool-view"]');
    return frames.length === 1 && !previous.includes(frames[0].id);
  });
  await enterView(app, "tool-view");
  await until(app, "the probe's reading", async () => (await app.findAll('body[data-ready="true"]')).length > 0);
  const read = async (id) => text(app, `#${id}`);
  return { local: await read("local"), idb: await read("idb"), teardowns: await read("teardowns"), origin: await read("origin") };
}

/** Clicks a button in the view by script: WebKitWebDriver's pointer misses buttons low in a nested frame. */
async function press(app, selector) {
  await app.execute(`const b = document.querySelector(${JSON.stringify(selector)}); b.scrollIntoView(); b.click()`);
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
    await leaveView(app);
    assert.match(await (await app.byTestId("artifact-meta")).text(), /Version 1 /);
    await enterView(app, "viewer-frame");
    await (await app.find("#favourite")).click();
    await until(app, "the saved artifact", async () => (await text(app, "#status")) === "Saved as favourite");
    await leaveView(app);
    // The editor beside the view shows what the view saved, without being reopened.
    await until(app, "the editor to follow the view's save", async () => /Version 2 /.test(await (await app.byTestId("artifact-meta")).text()));
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

test("a window reload ends the views it showed; views open and work again after it", async () => {
  const app = await driver.launch();
  try {
    await openWorkspace(app, "Kitchen");
    await until(app, "the Recipe badge", async () => (await (await artifactRow(app, "Pancakes")).text()).includes("Recipe"));
    // The window notes which view ids its relay posts for (to ask about them after the reload): Tauri's IPC is a
    // fetch of ipc://localhost/<command> whose body is the arguments.
    await app.execute(`
      const fetch = window.fetch.bind(window);
      window.__views = new Set();
      window.fetch = (input, init) => {
        const url = String(input?.url ?? input);
        if (url.endsWith("/viewer_post") && typeof init?.body === "string") {
          try { window.__views.add(JSON.parse(init.body).viewId); } catch {}
        }
        return fetch(input, init);
      };
    `);
    await app.doubleClick(await artifactRow(app, "Pancakes"));
    await until(app, "the view before the reload", async () => (await app.findAll('[data-testid="viewer-panel"][data-ready="true"]')).length > 0);
    const [viewId] = await app.execute("return [...window.__views]");
    assert.ok(viewId, "the view's relay posted");
    const ping = (id) => app.executeAsync(`
      const done = arguments[arguments.length - 1];
      window.__TAURI_INTERNALS__.invoke("viewer_post", { viewId: arguments[0], message: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "ping" }) })
        .then((reply) => done({ reply }), (error) => done({ error: String(error?.message ?? JSON.stringify(error)) }));
    `, id);
    assert.deepEqual((await ping(viewId)).reply, { jsonrpc: "2.0", id: 7, result: {} }, "the view is open before the reload");

    await app.execute("location.reload()");
    await until(app, "the reloaded window", async () => app.execute("return !window.__views && !!document.querySelector('[data-testid]')"));
    // The view is gone with the page, and its session with it: the backend no longer knows it.
    const gone = await until(app, "the view's session to end", async () => {
      const answer = await ping(viewId);
      return answer.error ? answer : null;
    });
    assert.match(gone.error, /no open view/);
    assert.equal((await app.allByTestId("viewer-panel")).length, 0);

    // Views open again and call back.
    await openWorkspace(app, "Kitchen");
    await app.doubleClick(await artifactRow(app, "Pancakes"));
    await app.byTestId("viewer-panel", '[data-ready="true"]');
    await enterView(app, "viewer-frame");
    assert.equal(await until(app, "the title", async () => text(app, "#recipe-title")), "Pancakes");
    await (await app.find("#scale")).click();
    await until(app, "the tool's answer after the reload", async () => /^Scaled .* x2$/.test(await text(app, "#status")));
    await leaveView(app);
    await snapshot(app, "viewer-after-reload");
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

test("views keep what they store, per server, across closing and reopening; teardown is answered however they go", async () => {
  let app = await driver.launch();
  let firstOrigin;
  try {
    await openWorkspace(app, "Kitchen");
    await openServer(app, "My Server");
    await openTool(app, "storage_probe");
    let seen = await probe(app, "from A");
    assert.deepEqual([seen.local, seen.idb], ["(none)", "(none)"]);
    await press(app, "#write");
    await until(app, "the write", async () => (await text(app, "#local")) === "from A");
    firstOrigin = seen.origin;
    assert.match(firstOrigin, /^http:\/\/127\.0\.0\.1:\d+$/);
    await leaveView(app);
    await snapshot(app, "viewer-storage-written");

    // Closed with its button, then opened again: what it stored is there, and it answered its teardown.
    await (await app.byTestId("tool-view-close")).click();
    await viewsGone(app);
    seen = await probe(app);
    assert.deepEqual([seen.local, seen.idb, seen.teardowns, seen.origin], ["from A", "from A", "1", firstOrigin]);
    await leaveView(app);
    // Replaced by another run (its teardown crosses the new view's start, so it is counted by the next one).
    await probe(app);
    await leaveView(app);
    // Gone with the screen (the person went to Artifacts and back).
    await (await app.byTestId("nav-artifacts")).click();
    await viewsGone(app);
    await openServer(app, "My Server");
    await openTool(app, "storage_probe");
    seen = await probe(app);
    assert.equal(seen.teardowns, "3", "a view replaced by a new run and one whose screen was left answer their teardown");
    await leaveView(app);

    // Another server's views: another origin, which sees none of it.
    await openServer(app, "Second Kitchen");
    await openTool(app, "storage_probe");
    seen = await probe(app, "from B");
    assert.notEqual(seen.origin, firstOrigin);
    assert.deepEqual([seen.local, seen.idb], ["(none)", "(none)"], "another server's views cannot read it");
    await press(app, "#write");
    await until(app, "the second write", async () => (await text(app, "#local")) === "from B");
    secondOrigin = seen.origin;
    await leaveView(app);
    // And the first server's views still see their own value, not the second's.
    await openServer(app, "My Server");
    await openTool(app, "storage_probe");
    seen = await probe(app);
    assert.deepEqual([seen.local, seen.idb], ["from A", "from A"]);
    await leaveView(app);
  } finally {
    await app.quit();
  }

  // After a restart a server's views have the same origin (its port is kept). What they stored is not there:
  // WebKit keeps the storage of a frame under another site (the app) in memory only.
  app = await driver.launch();
  try {
    await openWorkspace(app, "Kitchen");
    await openServer(app, "My Server");
    await openTool(app, "storage_probe");
    const seen = await probe(app);
    assert.equal(seen.origin, firstOrigin);
    await leaveView(app);
  } finally {
    await app.quit();
  }
});

test("a hostile view is refused everything; the app stays up and nothing changes", async () => {
  const app = await driver.launch();
  try {
    await openWorkspace(app, "Kitchen");
    const before = cli(driver.home, "workspace", "list").length;
    // The hostile view is told where the second server's views live, to try to reach them.
    const trap = cli(driver.home, "artifact", "list", "Kitchen").find((a) => a.title === "Trap");
    cli(driver.home, "artifact", "edit", trap.id, "--content", JSON.stringify({ other_origin: secondOrigin }));
    const okBefore = cli(driver.home, "audit", "--origin", "viewer", "--status", "ok", "--limit", "500").length;
    await app.doubleClick(await artifactRow(app, "Trap"));
    await app.byTestId("viewer-panel", '[data-ready="true"]');
    await enterView(app, "viewer-frame");
    await until(app, "the attempts to finish", async () => (await app.findAll('body[data-done="true"]')).length > 0, 60_000);
    const results = JSON.parse(await text(app, "#results"));
    await leaveView(app);
    await snapshot(app, "viewer-hostile");
    const attempted = Object.keys(results).filter((k) => k !== "initialized");
    assert.ok(attempted.length >= 26, JSON.stringify(results));
    for (const name of attempted) {
      assert.ok(["blocked", "sent"].includes(results[name].outcome), `${name} must fail: ${JSON.stringify(results[name])}`);
    }
    // Its policy's violations were reported too (eval is allowed; fetching out is not).
    assert.match(results.csp_violations.detail, /connect-src/);
    // The window is still the app, with its IPC, and the forged IPC message did nothing.
    assert.equal(await app.execute("return location.protocol + '//' + location.host"), "tauri://localhost");
    assert.ok(await app.execute("return !!document.querySelector('[data-testid=\"viewer-panel\"]')"));
    assert.equal(cli(driver.home, "workspace", "list").length, before, "no workspace was created");
    const after = cli(driver.home, "artifact", "list", "Kitchen").find((a) => a.title === "Trap");
    assert.equal(after.content_type, "application/vnd.atrium-test.hostile+json");
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
