// The first scenario of the foundation issue, in the real app: create a workspace, describe it, add two artifacts,
// edit one, find it by search, restore an older revision, quit, start again — everything is still there.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Driver, snapshot } from "./app.mjs";
import { Keys } from "./webdriver.mjs";

let driver;
before(async () => {
  driver = await Driver.start();
});
after(async () => {
  await driver?.stop();
});

async function textOf(session, testId) {
  return (await session.byTestId(testId)).text();
}

async function valueOf(session, testId) {
  return (await session.byTestId(testId)).property("value");
}

async function artifactRows(session) {
  return session.allByTestId("artifact-item");
}

async function createArtifact(session, title, content) {
  await (await session.byTestId("artifact-new")).click();
  await (await session.byTestId("artifact-title")).fill(title);
  await (await session.byTestId("artifact-content")).fill(content);
  const save = await session.byTestId("artifact-save");
  await session.waitFor(`save enabled for ${title}`, () => save.enabled());
  await save.click();
  await rowWithText(session, "artifact-item", title);
}

async function rowWithText(session, testId, text) {
  try {
    return await session.waitFor(`${testId} "${text}"`, async () => {
      for (const row of await session.allByTestId(testId)) if ((await row.text()).includes(text)) return row;
    });
  } catch (err) {
    await snapshot(session, `missing-${testId}`);
    const texts = await Promise.all((await session.allByTestId(testId)).map((r) => r.text()));
    throw new Error(`${err.message}; ${testId} rows: ${JSON.stringify(texts)}`);
  }
}

test("create, edit, search, restore, quit and find everything again", async () => {
  let app = await driver.launch();
  try {
    // An empty home teaches what to do first.
    await app.byTestId("workspace-new");
    assert.equal((await app.allByTestId("workspace-item")).length, 0);

    await (await app.byTestId("workspace-new")).click();
    await (await app.byTestId("workspace-title-input")).type(`Garden${Keys.ENTER}`);
    await (await rowWithText(app, "workspace-item", "Garden")).click();

    // The description is edited in place under the title: Enter saves, Esc puts the old text back.
    const description = () => textOf(app, "workspace-description");
    assert.match(await description(), /Add a description/);
    await (await app.byTestId("workspace-description")).click();
    await (await app.byTestId("workspace-description-input")).type(`Vegetables by the south fence${Keys.ENTER}`);
    await app.waitFor("the description saved", async () => (await description()) === "Vegetables by the south fence");
    await snapshot(app, "workspace-description");
    await (await app.byTestId("workspace-description")).click();
    await (await app.byTestId("workspace-description-input")).type(`Something else${Keys.ESCAPE}`);
    await app.waitFor("Esc kept the old text", async () => (await description()) === "Vegetables by the south fence");

    await createArtifact(app, "Tomatoes", "Plant after the last frost.");
    await createArtifact(app, "Compost", "Turn the pile every week.");
    assert.equal((await artifactRows(app)).length, 2);

    // Bad input is refused with a message next to the field, and the save button stays off.
    await (await app.byTestId("artifact-new")).click();
    await (await app.byTestId("artifact-title")).fill("Broken");
    await (await app.byTestId("artifact-content-type")).fill("application/json");
    await (await app.byTestId("artifact-content")).fill("{\"beds\": ");
    const problem = await app.byTestId("field-error", '[data-field="content"]');
    assert.match(await problem.text(), /line 1/i);
    assert.equal(await (await app.byTestId("artifact-save")).enabled(), false);
    await snapshot(app, "invalid-json");

    // Edit Tomatoes (leaving the abandoned draft behind).
    await (await rowWithText(app, "artifact-item", "Tomatoes")).click();
    const discard = await app.findAll('[data-testid="confirm-ok"]');
    if (discard.length) await discard[0].click();
    await app.waitFor("Tomatoes in the editor", async () => (await valueOf(app, "artifact-title")) === "Tomatoes");
    await (await app.byTestId("artifact-content")).fill("Plant after the last frost. Stake them early.");
    await (await app.byTestId("artifact-save")).click();
    await app.waitFor("the edit saved", async () => {
      const save = await app.findAll('[data-testid="artifact-save"]');
      return save.length && !(await save[0].enabled());
    });

    // Find it by search.
    await (await app.byTestId("search-input")).type("stake");
    const hit = await app.byTestId("search-result");
    assert.match(await hit.text(), /Tomatoes/);
    await snapshot(app, "search");
    await hit.click();
    await app.waitFor("search opened Tomatoes", async () => (await valueOf(app, "artifact-title")) === "Tomatoes");

    // Restore version 1.
    await (await app.byTestId("artifact-history-tab")).click();
    await app.waitFor("two revisions", async () => (await app.allByTestId("revision-item")).length === 2);
    await (await app.byTestId("revision-item", '[data-version="1"]')).click();
    await (await app.byTestId("revision-restore")).click();
    await (await app.byTestId("confirm-ok")).click();
    await app.waitFor("three revisions", async () => (await app.allByTestId("revision-item")).length === 3);
    await snapshot(app, "history");
  } finally {
    await app.quit();
  }

  // Start again on the same home: everything is still there.
  app = await driver.launch();
  try {
    await (await rowWithText(app, "workspace-item", "Garden")).click();
    await app.waitFor("both artifacts", async () => (await artifactRows(app)).length === 2);
    assert.equal(await textOf(app, "workspace-description"), "Vegetables by the south fence");
    await (await rowWithText(app, "artifact-item", "Tomatoes")).click();
    await app.waitFor("restored content", async () => (await valueOf(app, "artifact-content")) === "Plant after the last frost.");
    await (await app.byTestId("artifact-history-tab")).click();
    await app.waitFor("history kept", async () => (await app.allByTestId("revision-item")).length === 3);
    await snapshot(app, "after-restart");
  } finally {
    await app.quit();
  }
});
