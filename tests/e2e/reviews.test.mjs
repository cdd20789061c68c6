// An agent's review in the real app: with an artifact open, an agent reviews it through the gateway the app serves;
// the History tab says so at once, and the version's preview shows the verdict, the agent's name and its comment.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { cli, Driver, snapshot, until } from "./app.mjs";

let driver;
let artifact;
let token;
before(async () => {
  driver = await Driver.start();
  const ws = cli(driver.home, "workspace", "create", "Drafts");
  artifact = cli(driver.home, "artifact", "create", ws.id, "--title", "Essay", "--content", "# On saffron");
  token = cli(driver.home, "agent", "add", "Critic", "--scope", "read").token;
});
after(async () => {
  await driver?.stop();
});

/** One JSON-RPC request to the gateway as the agent; the answer's body. */
async function rpc(url, session, body) {
  const headers = { authorization: `Bearer ${token}`, accept: "application/json, text/event-stream", "content-type": "application/json" };
  if (session) headers["mcp-session-id"] = session;
  const answer = await fetch(url, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", ...body }) });
  assert.equal(answer.status, 200, await answer.clone().text());
  return { session: answer.headers.get("mcp-session-id"), body: await answer.json() };
}

test("an agent's review shows on the open artifact's history", async () => {
  const app = await driver.launch();
  try {
    await (await app.byTestId("nav-agents")).click();
    const url = await until(app, "the gateway listening", async () => {
      const shown = (await app.findAll('[data-testid="gateway-url"]'))[0];
      return shown ? shown.text() : null;
    });
    await (await app.byTestId("nav-artifacts")).click();
    await (await until(app, "the artifact", async () => (await app.allByTestId("artifact-item"))[0])).click();
    await app.byTestId("artifact-history-tab");

    const { session } = await rpc(url, null, {
      id: 0,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "e2e", version: "1" } },
    });
    const { body } = await rpc(url, session, {
      id: 1,
      method: "tools/call",
      params: { name: "review_artifact", arguments: { artifact_id: artifact.id, verdict: "changes_requested", comment: "Cite the harvest figures." } },
    });
    assert.equal(body.result.isError, false, JSON.stringify(body));

    // The tab hears of it without being opened.
    const badge = await until(app, "the verdict on the History tab", async () =>
      (await app.findAll('[data-testid="artifact-history-tab"] [data-testid="review-verdict"]'))[0]);
    assert.equal(await badge.attribute("data-verdict"), "changes_requested");
    assert.match(await badge.text(), /Changes requested\s·\sCritic/);

    await (await app.byTestId("artifact-history-tab")).click();
    await (await until(app, "version 1", async () => (await app.findAll('[data-testid="revision-item"][data-version="1"]'))[0])).click();
    const review = await until(app, "the review of version 1", async () => (await app.findAll('[data-testid="revision-reviews"] [data-testid="review"]'))[0]);
    const text = await review.text();
    assert.match(text, /Changes requested/);
    assert.match(text, /Critic/);
    assert.match(text, /Cite the harvest figures\./);
    await snapshot(app, "review-on-history");
  } catch (err) {
    await snapshot(app, "reviews-failure");
    throw err;
  } finally {
    await app.quit();
  }
});
