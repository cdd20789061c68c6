// A workspace of 100,000 artifacts in the real window: the list shows its first screen, holds only the rows in
// view in the document, and finds an artifact by scrolling to it and by filtering the whole workspace (not the
// rows read so far). Behaviour only: how fast is bench/bigworkspace.mjs's to say.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Driver, cli, setValue, snapshot, until } from "./app.mjs";

const COUNT = 100_000;

let driver;
before(async () => {
  driver = await Driver.start();
  // Titles sort as their numbers; one stands out, in the middle of the order by date.
  const lines = [];
  for (let i = 0; i < COUNT; i++) {
    const title = i === 54_321 ? "Needle in the haystack" : `Note ${String(i).padStart(6, "0")}`;
    lines.push(JSON.stringify({ title, content: `Body of ${title}` }));
  }
  lines.push(JSON.stringify({ title: "Zebra, the last by title", content_type: "application/json", content: "{}" }));
  const file = join(driver.home, "big.jsonl");
  writeFileSync(file, lines.join("\n"));
  cli(driver.home, "workspace", "create", "Big");
  assert.equal(cli(driver.home, "artifact", "import", "Big", file).created, COUNT + 1);
});
after(async () => {
  await driver?.stop();
});

/** The titles of the rows in the document. */
async function rowTitles(app) {
  return app.execute(`return [...document.querySelectorAll('[data-testid="artifact-item"] .title')].map((t) => t.textContent)`);
}

async function openFromList(app, title) {
  await app.execute(
    `[...document.querySelectorAll('[data-testid="artifact-item"]')].find((r) => r.textContent.includes(arguments[0])).click()`,
    title,
  );
  await until(app, `the editor on ${title}`, async () => (await (await app.byTestId("artifact-title")).property("value")) === title);
}

test("a 100k workspace shows a screen of rows, and finds an artifact by scrolling and by filter", async () => {
  const app = await driver.launch();
  try {
    await until(app, "the workspace", async () => {
      for (const row of await app.allByTestId("workspace-item")) if ((await row.text()).includes("Big")) return row.click().then(() => true);
    });
    await until(app, "the first rows", async () => (await app.allByTestId("artifact-item")).length > 0);
    assert.equal(await (await app.byTestId("artifact-list")).attribute("data-total"), String(COUNT + 1));
    const inDocument = (await app.allByTestId("artifact-item")).length;
    assert.ok(inDocument < 100, `only the rows in view are in the document, not ${inDocument}`);

    // By scrolling: sorted by title, the last row is at the very end of the list.
    await setValue(app, "sort-select", "title");
    await until(app, "the list by title", async () => (await rowTitles(app))[0] === "Needle in the haystack");
    await app.execute(`const l = document.querySelector('[data-testid="artifact-list"]'); l.scrollTop = l.scrollHeight;`);
    await until(app, "the last row after scrolling", async () => (await rowTitles(app)).includes("Zebra, the last by title"));
    await snapshot(app, "bigworkspace-scrolled-to-the-end");
    assert.ok((await app.allByTestId("artifact-item")).length < 100, "still only the rows in view");
    await openFromList(app, "Zebra, the last by title");

    // By filter: the store filters all 100,001, not the pages read so far.
    await setValue(app, "filter-input", "haystack");
    await until(app, "the filtered list", async () => {
      const titles = await rowTitles(app);
      return titles.length === 1 && titles[0] === "Needle in the haystack";
    });
    assert.equal(await (await app.byTestId("artifact-list")).attribute("data-total"), "1");
    await openFromList(app, "Needle in the haystack");

    // And by type, over the whole workspace too.
    await setValue(app, "filter-input", "");
    await setValue(app, "type-filter", "application/json");
    await until(app, "the JSON artifacts", async () => {
      const titles = await rowTitles(app);
      return titles.length === 1 && titles[0] === "Zebra, the last by title";
    });
    await snapshot(app, "bigworkspace-filtered");
  } finally {
    await app.quit();
  }
});
