// An artifact's access links in the real app: the workspace is published to the platform double and two links are
// made from the terminal (`atrium share`, one then revoked); the open artifact's History tab lists both — what each
// gives, how often it was used, and the revoked one marked.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { cli, Driver, snapshot, until } from "./app.mjs";
import { PlatformDouble } from "./double.mjs";

const ATRIUM = join(resolve(dirname(fileURLToPath(import.meta.url)), "../.."), "target/debug/atrium");

let double;
let driver;
let app;
before(async () => {
  double = await PlatformDouble.start();
  driver = await Driver.start();
  cli(driver.home, "workspace", "create", "Garden");
  const artifact = cli(driver.home, "artifact", "create", "Garden", "--title", "Tomatoes", "--content", "Plant after the last frost.");
  execFileSync(ATRIUM, ["--home", driver.home, "platform", "sign-in", double.url, "--user", "ada"], { input: "correct-horse-battery\n" });
  cli(driver.home, "platform", "publish", "Garden");
  cli(driver.home, "sync");
  cli(driver.home, "share", "link", artifact.id, "--write", "--max-uses", "3", "--name", "For the allotment");
  const old = cli(driver.home, "share", "link", artifact.id, "--name", "Old link");
  cli(driver.home, "share", "revoke", artifact.id, old.grant.id);
  app = await driver.launch();
});
after(async () => {
  await app?.quit();
  await driver?.stop();
  await double?.stop();
});

test("the history tab lists the artifact's access links", async () => {
  await (await until(app, "the artifact", async () => (await app.allByTestId("artifact-item"))[0])).click();
  await (await app.byTestId("artifact-history-tab")).click();
  const rows = await until(app, "two access links", async () => {
    const all = await app.allByTestId("access-link");
    return all.length === 2 ? all : null;
  });
  assert.equal(await rows[0].attribute("data-state"), "active");
  assert.match(await rows[0].text(), /For the allotment\s+Can edit/);
  assert.match(await rows[0].text(), /0 of 3 used/);
  assert.equal(await rows[1].attribute("data-state"), "revoked");
  assert.match(await rows[1].text(), /Old link\s+Revoked/);
  await snapshot(app, "access-links");
});
