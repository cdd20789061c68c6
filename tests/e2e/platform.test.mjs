// The Agience platform in the real window, against the platform double: the connection check of each install
// layout (a shipped front that does not route the relay; services on ports of their own, given by hand), the relay
// saying why it is off and the way to fix it, a provider the platform does not offer refused, a wrong password
// refused, signing in with a password and in the browser through a provider picked from the platform's list,
// publishing a workspace, an edit made on the platform arriving, a conflict settled from the Conflicts view, and the
// relay connected.

import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Driver, cli, setValue, snapshot, until } from "./app.mjs";
import { PlatformDouble } from "./double.mjs";
import { Keys } from "./webdriver.mjs";

const USER = "ada";
const PASSWORD = "correct-horse-battery";

// The person's browser, for the browser sign-in: it follows the platform's redirects (the double's /auth/authorize
// approves at once) to Atrium's loopback listener.
const browserDir = mkdtempSync(join(tmpdir(), "atrium-e2e-browser-"));
const BROWSER = join(browserDir, "browser.sh");
writeFileSync(BROWSER, '#!/bin/sh\nexec curl -sSL --max-time 60 -o /dev/null "$1"\n');
chmodSync(BROWSER, 0o755);

let driver;
let app;
let tomatoes;
before(async () => {
  driver = await Driver.start({ env: { BROWSER } });
  cli(driver.home, "workspace", "create", "Garden");
  tomatoes = cli(driver.home, "artifact", "create", "Garden", "--title", "Tomatoes", "--content", "Plant after the last frost.");
  app = await driver.launch();
});
after(async () => {
  await app?.quit();
  await driver?.stop();
});

/** Evaluates `expr` over the first element matching `selector` (`el`), or null when there is none. */
function probe(selector, expr) {
  return app.execute(`const el = document.querySelector(arguments[0]); return el ? (${expr}) : null;`, selector);
}

// The check of the address as typed (a dimmed one is of the address before an edit).
const service = (name) => `[data-testid="platform-check"]:not([data-stale]) [data-testid="platform-service"][data-service="${name}"]`;
const serviceState = (name) => probe(service(name), "el.dataset.state");
const relayState = () => probe('[data-testid="relay-badge"]', "el.dataset.state");
const present = async (testId) => (await app.allByTestId(testId)).length > 0;

async function rowWithText(testId, text) {
  return until(app, `${testId} "${text}"`, async () => {
    for (const row of await app.allByTestId(testId)) if ((await row.text()).includes(text)) return row;
  });
}

async function show(view) {
  await (await app.byTestId(`nav-${view}`)).click();
}

async function openPlatform() {
  if (!(await present("nav-platform"))) await (await rowWithText("workspace-item", "Garden")).click();
  await show("platform");
  await app.byTestId("platform-screen");
}

async function signInWithPassword(password = PASSWORD) {
  await (await app.byTestId("platform-method-password")).click();
  await (await app.byTestId("platform-identifier")).fill(USER);
  await (await app.byTestId("platform-password")).fill(password);
  await (await app.byTestId("platform-sign-in")).click();
}

async function waitSignedIn() {
  await until(app, "the account", () => present("platform-account"));
}

async function signOut() {
  await (await app.byTestId("platform-sign-out")).click();
  await (await app.byTestId("confirm-ok")).click();
  await until(app, "the sign-in card", () => present("platform-sign-in-card"));
}

/** A test that leaves a screenshot of the window when it fails. */
function scenario(name, body) {
  test(name, async () => {
    try {
      await body();
    } catch (err) {
      await snapshot(app, `failed-${name.slice(0, 40).replace(/\W+/g, "-")}`);
      throw err;
    }
  });
}

async function checkAddress(url) {
  await (await app.byTestId("platform-url")).fill(url);
  await (await app.byTestId("platform-check-run")).click();
  await until(app, `the check of ${url}`, async () => (await serviceState("origin")) !== null);
}

scenario("the connection check explains a shipped install, and the relay is fixed by giving Chorus's URL", async () => {
  const shipped = await PlatformDouble.start("--layout", "shipped");
  try {
    await openPlatform();
    // Leaving the address field checks it.
    await (await app.byTestId("platform-url")).type(shipped.url + Keys.TAB);
    await until(app, "Chorus not found", async () => (await serviceState("chorus")) === "not_found");
    assert.equal(await serviceState("origin"), "found");
    assert.equal(await serviceState("mantle"), "found");
    assert.equal(await probe(service("mantle"), "el.querySelector('[data-testid=platform-service-url]').textContent"), `${shipped.url.replace("http://", "")}/api`);
    assert.equal(await probe(service("chorus"), "el.dataset.note"), "relay_not_routed");
    assert.match(await probe(service("chorus"), "el.querySelector('[data-testid=platform-service-note]').textContent"), /does not route \/relay to it/);
    assert.equal(await probe('[data-testid="platform-check"]:not([data-stale])', "el.dataset.canSignIn"), "true");
    // Chorus was not found: the fields to give it open by themselves.
    assert.equal(await probe('[data-testid="platform-service-urls"]', "el.open"), true);
    await snapshot(app, "platform-check-shipped");

    // Without Chorus the sign-in works, and the relay says why it is off and what to do.
    await signInWithPassword();
    await waitSignedIn();
    await until(app, "the relay unavailable", async () => (await relayState()) === "unavailable");
    assert.equal(await probe('[data-testid="relay-message"]', "el.dataset.reason"), "no_chorus");
    const fix = await app.byTestId("relay-fix");
    assert.equal(await fix.attribute("data-action"), "sign_in_with_chorus");
    assert.equal(await fix.text(), "Sign in again with Chorus's URL");
    await snapshot(app, "platform-relay-no-chorus");
    await fix.click();

    // The sign-in card again, its Service URLs open and Chorus's URL to type.
    await app.byTestId("platform-sign-in-card", '[data-again="true"]');
    assert.equal(await probe('[data-testid="platform-service-urls"]', "el.open"), true);
    await until(app, "Chorus's URL focused", () => app.execute("return document.activeElement?.dataset.testid === 'platform-chorus-url'"));
    await (await app.byTestId("platform-chorus-url")).type(shipped.chorus);
    await signInWithPassword();
    await waitSignedIn();
    await until(app, "the relay connected", async () => (await relayState()) === "connected");
    await signOut();
  } finally {
    await shipped.stop();
  }
});

scenario("services on ports of their own: Mantle not found, then Mantle's and Chorus's URLs given by hand", async () => {
  const separate = await PlatformDouble.start("--layout", "separate");
  try {
    await openPlatform();
    await checkAddress(separate.url);
    await until(app, "Mantle not found", async () => (await serviceState("mantle")) === "not_found");
    assert.equal(await serviceState("chorus"), "not_found");
    assert.equal(await probe('[data-testid="platform-check"]:not([data-stale])', "el.dataset.canSignIn"), "false");
    assert.equal(await probe('[data-testid="platform-service-urls"]', "el.open"), true);
    // What was tried is folded under the service.
    const tried = await app.find(`${service("mantle")} [data-testid="platform-service-tried"]`);
    assert.equal(await tried.property("open"), false);
    await (await app.find(`${service("mantle")} [data-testid="platform-service-tried"] summary`)).click();
    assert.match(await tried.text(), /\/api\/ → HTTP 404/);
    await snapshot(app, "platform-check-separate");

    // Signing in is refused before anything is sent, saying what to do.
    await signInWithPassword();
    const problem = await app.byTestId("platform-sign-in-error");
    assert.match(await problem.text(), /did not find its workspaces \(Mantle\)/);
    assert.ok((await problem.text()).includes(`Give Mantle's URL under Service URLs: on a one-address install it is ${separate.url}/api`));
    assert.equal(await present("platform-account"), false);

    // Mantle's and Chorus's own URLs, given by hand.
    await (await app.byTestId("platform-mantle-url")).fill(separate.mantle);
    await (await app.byTestId("platform-chorus-url")).fill(separate.chorus);
    await (await app.byTestId("platform-check-run")).click();
    await until(app, "Mantle and Chorus found", async () => (await serviceState("mantle")) === "found" && (await serviceState("chorus")) === "found");
    assert.match(await (await app.find(service("mantle"))).text(), /at the URL you gave/);
    await (await app.byTestId("platform-sign-in")).click();
    await waitSignedIn();
    await until(app, "the relay connected", async () => (await relayState()) === "connected");
    await signOut();
  } finally {
    await separate.stop();
  }
});

scenario("a platform without browser sign-in refuses a provider typed by hand, and says why", async () => {
  const bare = await PlatformDouble.start("--providers", "");
  try {
    await openPlatform();
    await setValue(app, "platform-mantle-url", "");
    await setValue(app, "platform-chorus-url", "");
    await checkAddress(bare.url);
    await until(app, "the check", async () => (await serviceState("mantle")) === "found");
    await (await app.byTestId("platform-method-browser")).click();
    const provider = await app.byTestId("platform-provider");
    assert.equal(await provider.attribute("data-kind"), "text");
    assert.match(await (await app.byTestId("platform-no-providers")).text(), /no browser sign-in set up.*password may be the way/);
    await provider.fill("okta");
    await (await app.byTestId("platform-sign-in")).click();
    const problem = await app.byTestId("platform-sign-in-error");
    assert.match(await problem.text(), /no browser sign-in configured/);
    assert.match(await problem.text(), /Choose one of the providers this platform offers/);
    await snapshot(app, "platform-no-providers");
    // Refused before a browser opened.
    assert.deepEqual((await bare.stats()).authorize_providers, {});
    assert.equal(await present("platform-account"), false);
  } finally {
    await bare.stop();
  }
});

scenario("sign in by password and in the browser, publish, see the platform's edit, settle a conflict, relay connected", async () => {
  const front = await PlatformDouble.start("--providers", "google,entra");
  try {
    await openPlatform();
    await setValue(app, "platform-mantle-url", "");
    await setValue(app, "platform-chorus-url", "");
    await checkAddress(front.url);
    await until(app, "everything found", async () => (await serviceState("chorus")) === "found" && (await serviceState("mantle")) === "found");

    // A wrong password is refused and explained.
    await signInWithPassword("not-the-password");
    const refused = await app.byTestId("platform-sign-in-error");
    assert.match(await refused.text(), /Check what you typed/);
    assert.equal(await present("platform-account"), false);

    // The right one signs in; the relay connects.
    await signInWithPassword();
    await waitSignedIn();
    assert.equal(await (await app.byTestId("platform-account")).attribute("data-method"), "password");
    await until(app, "the relay connected", async () => (await relayState()) === "connected");
    await signOut();

    // In the browser, through a provider picked from the platform's list.
    await (await app.byTestId("platform-method-browser")).click();
    const provider = await app.byTestId("platform-provider");
    assert.equal(await provider.attribute("data-kind"), "select");
    assert.deepEqual(await probe('[data-testid="platform-provider"]', "Array.from(el.options).map((o) => o.value)"), ["google", "entra"]);
    assert.equal(await provider.property("value"), "google");
    await setValue(app, "platform-provider", "entra");
    await (await app.byTestId("platform-sign-in")).click();
    await waitSignedIn();
    assert.equal(await (await app.byTestId("platform-account")).attribute("data-method"), "browser");
    assert.deepEqual((await front.stats()).authorize_providers, { entra: 1 });
    await until(app, "the relay connected again", async () => (await relayState()) === "connected");
    await snapshot(app, "platform-signed-in");

    // Publish the workspace: it syncs, and Tomatoes goes to the platform.
    const publish = await app.find('[data-testid="local-workspace-row"] [data-testid="publish-workspace"]');
    await publish.click();
    await until(app, "Garden linked and up to date", async () => (await probe('[data-testid="sync-row"]', "el.dataset.state")) === "idle");
    const remoteId = await until(app, "Tomatoes on the platform", async () => cli(driver.home, "artifact", "show", tomatoes.id).remote_id);

    // An edit made on the platform arrives.
    await front.edit(remoteId, { title: "Tomatoes (staked)", content: "Stake them early." });
    await show("artifacts");
    await (await rowWithText("artifact-item", "Tomatoes (staked)")).click();
    await until(app, "the platform's content", async () => (await (await app.byTestId("artifact-content")).property("value")) === "Stake them early.");

    // Both sides edit it while this computer is signed out: a conflict when it is back.
    await show("platform");
    await signOut();
    await show("artifacts");
    await (await rowWithText("artifact-item", "Tomatoes (staked)")).click();
    await (await app.byTestId("artifact-content")).fill("Plant them deeper.");
    await (await app.byTestId("artifact-save")).click();
    await until(app, "the local edit saved", async () => !(await (await app.byTestId("artifact-save")).enabled()));
    await front.edit(remoteId, { content: "Water them at dawn." });
    await show("platform");
    await signInWithPassword();
    await waitSignedIn();
    const conflicts = await until(app, "the conflict", async () => (await app.allByTestId("sync-conflicts"))[0]);
    await snapshot(app, "platform-conflict");
    await conflicts.click();
    await app.byTestId("conflicts-view");
    await until(app, "both sides", async () => (await (await app.byTestId("conflict-local")).text()).includes("deeper"));
    assert.match(await (await app.byTestId("conflict-remote")).text(), /Water them at dawn/);
    await (await app.byTestId("resolve-local")).click();
    await app.byTestId("conflicts-empty");
    await (await app.byTestId("conflicts-back")).click();
    await until(app, "no conflicts left", () => present("sync-conflicts-none"));

    // The relay is connected through it all.
    await until(app, "the relay connected at the end", async () => (await relayState()) === "connected");
  } finally {
    await front.stop();
  }
});
