// The editing experience of issue 21 in the real window: the code editor (JSON formatted and highlighted, the
// store's problem marked at its line, Format, save), Markdown with a table in the live preview, a link that asks
// before it opens, two revisions compared in History, the question when leaving unsaved edits (for another
// artifact, and when the window is closed), a draft that comes back after the app was killed, and a big JSON
// artifact that opens and takes typing without lag; code blocks highlighted and image artifacts shown in rendered
// Markdown.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync, chmodSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { Driver, snapshot, setValue, until } from "./app.mjs";
import { Keys } from "./webdriver.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));

// A "browser" that writes down what it was asked to open.
const scratch = mkdtempSync(join(tmpdir(), "atrium-e2e-browser-"));
const opened = join(scratch, "opened.txt");
const browser = join(scratch, "browser.sh");
writeFileSync(browser, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
chmodSync(browser, 0o755);

let driver;
before(async () => {
  driver = await Driver.start({ env: { BROWSER: browser } });
});
after(async () => {
  await driver?.stop();
});

/** Replaces the editor's text the way a person would: select all, type. */
async function typeContent(app, text) {
  const content = await app.byTestId("artifact-content");
  await content.click();
  await app.chord([Keys.CONTROL], "a");
  // A new line is the Enter key (WebKitWebDriver drops a bare "\n" in an editable element).
  await content.type(text.replaceAll("\n", Keys.ENTER));
}

/** The editor's text (a trailing newline aside: WebKitWebDriver's typing sometimes adds one). */
async function contentText(app) {
  return ((await (await app.byTestId("artifact-content")).property("value")) ?? "").trimEnd();
}

async function rowWithText(app, testId, text) {
  return until(app, `${testId} "${text}"`, async () => {
    for (const row of await app.allByTestId(testId)) if ((await row.text()).includes(text)) return row;
  });
}

async function saved(app) {
  await until(app, "the save done", async () => {
    const save = await app.findAll('[data-testid="artifact-save"]');
    return save.length > 0 && !(await save[0].enabled()) && (await app.findAll('[data-testid="dirty-indicator"]')).length === 0;
  });
}

/** The process id of the app running on this driver's home (tauri-driver started it). */
function appPid(home) {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readlinkSync(`/proc/${name}/exe`).endsWith("atrium-desktop")) continue;
      if (readFileSync(`/proc/${name}/environ`, "utf8").split("\0").includes(`ATRIUM_HOME=${home}`)) return Number(name);
    } catch {
      /* gone, or not ours */
    }
  }
  return null;
}

test("edit JSON and Markdown in the code editor, compare revisions, and lose no edit", async () => {
  let app = await driver.launch();
  try {
    await (await app.byTestId("workspace-new")).click();
    await (await app.byTestId("workspace-title-input")).type(`Kitchen${Keys.ENTER}`);
    await (await rowWithText(app, "workspace-item", "Kitchen")).click();

    // A JSON artifact typed on one line, then formatted: indented, highlighted.
    await (await app.byTestId("artifact-new")).click();
    await (await app.byTestId("artifact-title")).fill("Soup");
    await (await app.byTestId("artifact-content-type")).fill("application/json");
    await typeContent(app, '{"name":"Soup","serves":4,"steps":["chop","boil"]}');
    await until(app, "valid JSON", async () => (await app.findAll('[data-testid="json-status"][data-valid="true"]')).length === 1);
    await (await app.byTestId("artifact-format")).click();
    await until(app, "formatted JSON", async () => (await contentText(app)).startsWith('{\n  "name": "Soup",\n  "serves": 4,'));
    const highlighted = await app.execute(
      "return [...document.querySelectorAll('[data-testid=artifact-content] .cm-line span')].map((s) => getComputedStyle(s).color)",
    );
    assert.ok(new Set(highlighted).size >= 2, `keys and values in different colours, got ${JSON.stringify(highlighted)}`);
    await (await app.byTestId("artifact-save")).click();
    await rowWithText(app, "artifact-item", "Soup");
    await saved(app);
    await snapshot(app, "editor-json-formatted");

    // An error on line 3 is marked on line 3, then fixed and saved.
    await typeContent(app, '{\n"name": "Soup",\n"serves": ,\n"steps": []\n}');
    // (While the keys go in, the store checks the text as it was then: wait for its word on the whole text.)
    const markedLines = () =>
      app.execute(`return [...document.querySelectorAll('[data-testid=artifact-content] .cm-lintRange-error')].map((mark) => {
        const line = mark.closest('.cm-line');
        return [...line.parentElement.querySelectorAll(':scope > .cm-line')].indexOf(line) + 1;
      });`);
    await until(app, "the problem marked on line 3", async () => JSON.stringify(await markedLines()) === "[3]");
    assert.match(await (await app.byTestId("field-error", '[data-field="content"]')).text(), /line 3/);
    assert.equal(await (await app.byTestId("artifact-save")).enabled(), false);
    await snapshot(app, "editor-json-problem");
    await typeContent(app, '{\n"name": "Soup",\n"serves": 6,\n"steps": []\n}');
    await until(app, "the mark gone", async () => (await app.findAll(".cm-lintRange-error")).length === 0);
    await app.chord([Keys.CONTROL], "s");
    await saved(app);

    // Markdown: a table in the live preview; a link asks before it opens, and opens after yes.
    await (await app.byTestId("artifact-new")).click();
    await (await app.byTestId("artifact-title")).fill("Menu");
    await (await app.byTestId("artifact-content-type")).fill("text/markdown");
    await typeContent(app, "# Menu\n\n| dish | price |\n|---|---|\n| soup | 4 |\n\nSee [the market](https://example.org/market).");
    await until(app, "the table in the preview", async () => (await app.findAll('[data-testid="markdown-preview"] table td')).length === 2);
    await (await app.byTestId("artifact-save")).click();
    await saved(app);
    await snapshot(app, "editor-markdown-preview");
    await (await app.find('[data-testid="markdown-preview"] a')).click();
    const question = await app.byTestId("confirm-dialog");
    assert.match(await question.text(), /https:\/\/example\.org\/market/);
    assert.equal(existsSync(opened), false, "nothing opened before the answer");
    await (await app.byTestId("confirm-ok")).click();
    await until(app, "the browser asked", async () => existsSync(opened) && readFileSync(opened, "utf8").includes("https://example.org/market"));

    // Version 2, then History compares it with version 1 (word level).
    await typeContent(app, "# Menu\n\n| dish | price |\n|---|---|\n| soup | 5 |\n");
    await app.chord([Keys.CONTROL], "s");
    await saved(app);
    await (await app.byTestId("artifact-history-tab")).click();
    await until(app, "two revisions", async () => (await app.allByTestId("revision-item")).length === 2);
    await (await app.byTestId("revision-item", '[data-version="1"]')).click();
    await app.byTestId("revision-compare");
    await setValue(app, "revision-compare", "2");
    const diff = await app.byTestId("revision-diff");
    await until(app, "the diff", async () => Number(await diff.attribute("data-changes")) > 0);
    const words = await app.execute("return [...document.querySelectorAll('[data-testid=revision-diff] mark')].map((m) => m.textContent)");
    assert.ok(words.includes("4") && words.includes("5"), `changed words marked, got ${JSON.stringify(words)}`);
    await snapshot(app, "history-compare");
    await (await app.byTestId("artifact-edit-tab")).click();

    // Leaving unsaved edits asks: save, discard or stay. Staying keeps them.
    await typeContent(app, "# Menu\n\nsoup, bread");
    await (await rowWithText(app, "artifact-item", "Soup")).click();
    await app.byTestId("confirm-extra");
    await snapshot(app, "leave-question");
    await (await app.byTestId("confirm-cancel")).click();
    assert.equal(await contentText(app), "# Menu\n\nsoup, bread");
    // Closing the window (as the window manager's close button does) asks the same; staying keeps it open.
    execFileSync("python3", [join(HERE, "close_window.py"), String(appPid(driver.home))]);
    await app.byTestId("confirm-extra");
    await snapshot(app, "close-question");
    await (await app.byTestId("confirm-cancel")).click();
    assert.equal(await contentText(app), "# Menu\n\nsoup, bread");
    // The draft is kept a moment after typing stops; then the app dies without a word.
    await new Promise((r) => setTimeout(r, 1500));
    const pid = appPid(driver.home);
    assert.ok(pid, "the app's process found");
    process.kill(pid, "SIGKILL");
  } finally {
    await app.quit().catch(() => {});
  }

  // Started again: opening the artifact offers the kept edits back.
  app = await driver.launch();
  try {
    await (await rowWithText(app, "workspace-item", "Kitchen")).click();
    await (await rowWithText(app, "artifact-item", "Menu")).click();
    await app.byTestId("draft-offer");
    await snapshot(app, "draft-offered");
    await (await app.byTestId("draft-restore")).click();
    await until(app, "the draft restored", async () => (await contentText(app)) === "# Menu\n\nsoup, bread");
    await app.byTestId("dirty-indicator");
  } finally {
    await app.quit();
  }
});

test("a 4 MiB JSON artifact opens in the editor and takes typing without lag", async () => {
  const big = JSON.stringify({ items: Array.from({ length: 45_000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ["a", "b"] })) }, null, 2);
  assert.ok(big.length > 4 * 1024 * 1024, `${big.length} characters`);
  const atrium = join(HERE, "../../target/debug/atrium");
  execFileSync(atrium, ["--home", driver.home, "--json", "workspace", "create", "Stores"]);
  execFileSync(atrium, ["--home", driver.home, "--json", "artifact", "create", "Stores", "--title", "Inventory", "--type", "application/json", "--stdin"], {
    input: big,
    maxBuffer: 64 * 1024 * 1024,
  });
  const app = await driver.launch();
  try {
    await (await rowWithText(app, "workspace-item", "Stores")).click();
    const row = await rowWithText(app, "artifact-item", "Inventory");
    const started = Date.now();
    await row.click();
    await until(app, "the big artifact in the editor", async () =>
      app.execute("return document.querySelector('[data-testid=artifact-content] .cm-line')?.textContent === '{'"),
    );
    const opening = Date.now() - started;
    // Only what is in view is drawn, however long the text.
    const drawn = await app.execute("return document.querySelectorAll('[data-testid=artifact-content] .cm-line').length");
    assert.ok(drawn < 2000, `${drawn} lines drawn`);
    const content = await app.byTestId("artifact-content");
    await content.click();
    const typing = Date.now();
    await content.type("          ");
    const typed = Date.now() - typing;
    await app.byTestId("dirty-indicator");
    // The edit stays an edit (the checks of the big text coming back change nothing).
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await app.findAll('[data-testid="dirty-indicator"]')).length, 1, "still unsaved");
    assert.equal(await (await app.byTestId("artifact-save")).enabled(), true);
    console.log(`# ${(big.length / 1048576).toFixed(1)} MiB: opened in ${opening} ms, 10 keys in ${typed} ms`);
    assert.ok(opening < 10_000, `opened in ${opening} ms`);
    assert.ok(typed < 3_000, `10 keys took ${typed} ms`);
    await snapshot(app, "editor-big-json");
  } finally {
    await app.quit();
  }
});

/** Drops files on an element the way the webview delivers a drop from the desktop (DOM files). */
async function dropFiles(app, selector, files) {
  await app.find(selector);
  await app.execute(
    `const dt = new DataTransfer();
     for (const [name, text] of arguments[1]) dt.items.add(new File([text], name));
     const el = document.querySelector(arguments[0]);
     for (const type of ["dragenter", "dragover", "drop"]) el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));`,
    selector,
    files,
  );
}

test("files dropped on a workspace become artifacts; a client config dropped on Servers opens the import preview", async () => {
  const atrium = join(HERE, "../../target/debug/atrium");
  execFileSync(atrium, ["--home", driver.home, "--json", "workspace", "create", "Drops"]);
  const app = await driver.launch();
  try {
    await (await rowWithText(app, "workspace-item", "Drops")).click();
    await dropFiles(app, '[data-testid="artifact-drop"] [data-testid="editor-empty"]', [
      ["Plan.md", "# Plan\n\n- [ ] seeds"],
      ["broken.json", '{"a": '],
      ["photo.png", "not text"],
    ]);
    await rowWithText(app, "artifact-item", "Plan");
    const rows = await app.allByTestId("artifact-item");
    assert.equal(rows.length, 1, "the broken JSON and the picture are not added");
    await until(app, "the refusal said", async () => (await app.execute("return document.body.textContent")).includes("broken.json"));
    await snapshot(app, "dropped-files");

    await (await app.byTestId("nav-servers")).click();
    const config = JSON.stringify({ mcpServers: { everything: { command: "npx", args: ["-y", "@modelcontextprotocol/server-everything"] } } });
    await dropFiles(app, '[data-testid="server-drop"] [data-testid="server-empty"]', [[".mcp.json", config]]);
    await app.byTestId("import-dialog");
    // Previewed without a click: the file's server is listed, ready to import.
    await app.byTestId("import-server", '[data-name="everything"]');
    await snapshot(app, "dropped-config-preview");
  } finally {
    await app.quit();
  }
});

test("rendered Markdown highlights code blocks and shows image artifacts, but no remote image", async () => {
  const atrium = join(HERE, "../../target/debug/atrium");
  const cli = (args, input) => JSON.parse(execFileSync(atrium, ["--home", driver.home, "--json", ...args], { input }).toString());
  cli(["workspace", "create", "Studio"]);
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" rx="6" fill="#2f7d5b"/></svg>';
  const logo = cli(["artifact", "create", "Studio", "--title", "Logo", "--type", "image/svg+xml", "--stdin"], svg);
  const notes = cli(["artifact", "create", "Studio", "--title", "Notes", "--type", "text/plain", "--content", "not a picture"]);
  const text = [
    "# Brand",
    "",
    `![the logo](artifact:${logo.id})`,
    "",
    `![notes](artifact:${notes.id}) ![tracker](https://tracker.example/p.gif)`,
    "",
    "```json",
    '{"name": "Studio", "colours": 2, "dark": true}',
    "```",
  ].join("\n");
  cli(["artifact", "create", "Studio", "--title", "Brand", "--type", "text/markdown", "--stdin"], text);
  const app = await driver.launch();
  try {
    await (await rowWithText(app, "workspace-item", "Studio")).click();
    await (await rowWithText(app, "artifact-item", "Brand")).click();
    const preview = '[data-testid="markdown-preview"]';
    await until(app, "the code highlighted", async () => (await app.findAll(`${preview} pre code .tok-propertyName`)).length === 3);
    const colours = await app.execute(
      `return [...document.querySelectorAll('${preview} pre code span')].map((s) => getComputedStyle(s).color)`,
    );
    assert.ok(new Set(colours).size >= 2, `keys and values in different colours, got ${JSON.stringify(colours)}`);
    await until(app, "the logo shown", async () =>
      app.execute(`const img = document.querySelector('${preview} img[alt="the logo"]'); return !!img && img.complete && img.naturalWidth === 120;`),
    );
    const problems = await app.execute(
      `return [...document.querySelectorAll('${preview} [data-image-problem]')].map((p) => [p.textContent, p.title])`,
    );
    assert.equal(problems.length, 2, JSON.stringify(problems));
    assert.match(problems[0][1], /“Notes” is text\/plain, not an image/);
    assert.match(problems[1][1], /not loaded, for privacy/);
    // (A decoded image is painted with the next frames: the screenshot waits for them.)
    await app.executeAsync("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));");
    await snapshot(app, "markdown-code-and-images");
  } finally {
    await app.quit();
  }
});
