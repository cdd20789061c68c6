// A database Atrium cannot open is explained in the window, and the file is left exactly as it was.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Driver, snapshot } from "./app.mjs";

let driver;
before(async () => {
  driver = await Driver.start();
});
after(async () => {
  await driver?.stop();
});

test("a file that is not a database is reported, not replaced", async () => {
  const db = join(driver.home, "atrium.db");
  const original = Buffer.from("my notes, certainly not SQLite\n".repeat(100));
  writeFileSync(db, original);
  const app = await driver.launch();
  try {
    const screen = await app.byTestId("startup-error");
    const text = await screen.text();
    assert.match(text, /atrium\.db/);
    assert.equal((await app.allByTestId("workspace-list")).length, 0, "the normal screens are not shown");
    await snapshot(app, "startup-error");
  } finally {
    await app.quit();
  }
  assert.deepEqual(readFileSync(db), original);
});
