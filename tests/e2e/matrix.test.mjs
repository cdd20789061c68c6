// The compatibility matrix: the official example MCP App servers from npm (pinned in tests/peers, installed by
// `make setup-test`), each registered as a person would (`node <its bin> --stdio`), its tool run from the tool
// runner and shown in its view in the real window. Each view must show its data — asserted on what it shows: the
// time the server gave, the pixels a WebGL scene or shader drew, the table a tool computed, the video it streamed
// through `resources/read` — its buttons must round-trip, and Atrium must have refused nothing. A screenshot of
// each is kept in target/e2e/matrix-<app>.png.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Driver, cli, setValue, snapshot, until } from "./app.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PEERS = join(ROOT, "tests/peers/node_modules/@modelcontextprotocol");
const bin = (name) => join(PEERS, name, "dist/index.js");

// A scene whose every pixel is known: three.js clears to red, so the view shows red if (and only if) the code ran
// (through `new Function`, which needs 'unsafe-eval') and WebGL drew.
const RED_SCENE = `const renderer = new THREE.WebGLRenderer({ canvas });
renderer.setSize(width, height);
renderer.setClearColor(0xff0000, 1);
const scene = new THREE.Scene();
const camera = new THREE.PerspectiveCamera(60, width / height, 0.1, 10);
function frame() { requestAnimationFrame(frame); renderer.render(scene, camera); }
frame();`;
const RED_SHADER = "void mainImage(out vec4 fragColor, in vec2 fragCoord) { fragColor = vec4(1.0, 0.0, 0.0, 1.0); }";

/** The centre pixel of the view's WebGL canvas, read right after the app drew a frame (its buffer is cleared after). */
async function centrePixel(app) {
  return app.executeAsync(`const done = arguments[arguments.length - 1];
    const canvas = document.querySelector("canvas");
    if (!canvas) return done("no canvas");
    requestAnimationFrame(() => {
      const gl = canvas.getContext("webgl2") || canvas.getContext("webgl");
      if (!gl) return done("no webgl context");
      const px = new Uint8Array(4);
      gl.readPixels(Math.floor(gl.drawingBufferWidth / 2), Math.floor(gl.drawingBufferHeight / 2), 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
      done(Array.from(px).join(","));
    });`);
}

async function bodyText(app) {
  return app.execute("return document.body.innerText");
}

/** All the view's text, what is in lists and selects too. */
async function allText(app) {
  return app.execute("return document.body.textContent");
}

/** Clicks the view's button whose text matches (by script: the pointer misses buttons in nested frames). */
async function pressButton(app, pattern) {
  const pressed = await app.execute(
    `const b = [...document.querySelectorAll("button")].find((b) => new RegExp(arguments[0], "i").test(b.textContent));
     if (!b) return false; b.scrollIntoView(); b.click(); return true;`,
    pattern,
  );
  assert.ok(pressed, `a button matching /${pattern}/`);
}

const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;

/** What each app is run with and what its view must show. */
const MATRIX = [
  ...["react", "svelte", "solid", "preact"].map((framework) => ({
    name: `server-basic-${framework}`,
    tool: "get-time",
    async check(app) {
      const first = await until(app, "the server's time", async () => (await bodyText(app)).match(ISO_TIME)?.[0]);
      await new Promise((r) => setTimeout(r, 1100));
      await pressButton(app, "server time");
      await until(app, "a new time from the button's call", async () => {
        const now = (await bodyText(app)).match(ISO_TIME)?.[0];
        return now && now !== first;
      });
    },
  })),
  {
    // Renders the server's time; its button cannot call back, in Atrium or any host whose sandbox proxy is another
    // origin than the view: the example keeps the SDK's App in a deep Vue ref, so Vue's proxy reads a property of
    // the transport's `window.parent` (the proxy, cross-origin here by design), which throws a SecurityError before
    // anything is sent. The view shows "[ERROR]"; nothing reaches Atrium.
    name: "server-basic-vue",
    tool: "get-time",
    async check(app) {
      await until(app, "the server's time", async () => ISO_TIME.test(await bodyText(app)));
      await pressButton(app, "server time");
      await until(app, "the example's own error", async () => /Server Time:\s*\[ERROR\]/.test(await bodyText(app)));
    },
  },
  {
    name: "server-threejs",
    tool: "show_threejs_scene",
    args: { code: RED_SCENE, height: 300 },
    async check(app) {
      await until(app, "a red scene", async () => (await centrePixel(app)) === "255,0,0,255", 20_000);
    },
  },
  {
    name: "server-shadertoy",
    tool: "render-shadertoy",
    args: { fragmentShader: RED_SHADER },
    async check(app) {
      await until(app, "a red shader", async () => (await centrePixel(app)) === "255,0,0,255", 20_000);
    },
  },
  {
    name: "server-scenario-modeler",
    // No arguments: the form leaves the optional customInputs out (its fields are required only inside it).
    tool: "get-scenario-data",
    async check(app) {
      await until(app, "the scenario templates", async () => /Bootstrapped Growth/.test(await allText(app)));
      await until(app, "a 12-month projection", async () => /12-Month Projection/i.test(await allText(app)));
    },
  },
  {
    name: "server-cohort-heatmap",
    tool: "get-cohort-data",
    async check(app) {
      // Twelve monthly cohorts (the tool's defaults), one row each, and the triangle of their retention figures.
      const cohorts = async () => (await allText(app)).match(/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}/g) ?? [];
      await until(app, "twelve cohorts", async () => (await cohorts()).length >= 12);
      const before = await allText(app);
      assert.match(before, /M0M1M2M3M4M5M6M7M8M9M10M11/, "a column per period");
      // Another metric: the view redraws its heatmap.
      await app.execute(`const s = [...document.querySelectorAll("select")].find((s) => [...s.options].some((o) => /revenue/i.test(o.text)));
        s.value = [...s.options].find((o) => /revenue/i.test(o.text)).value; s.dispatchEvent(new Event("change", { bubbles: true }));`);
      await until(app, "the revenue heatmap", async () => (await allText(app)) !== before && (await cohorts()).length >= 12);
    },
  },
  {
    name: "server-video-resource",
    tool: "play_video",
    async check(app) {
      if (videoBare.error) {
        // Its server downloads the video from the internet; offline, the view shows the server's own error, which
        // came through Atrium unchanged (resources/read, answered with the server's JSON-RPC error).
        await until(app, "the server's error in the view", async () => {
          const t = await allText(app);
          return /Error loading video/.test(t) && t.includes(videoBare.error);
        });
        return;
      }
      // The video comes through resources/read (a blob the view turns into a media URL).
      const state = await until(app, "the video's metadata", async () => {
        const s = await app.execute(
          "const v = document.querySelector('video'); return v && v.src ? { ready: v.readyState, duration: v.duration, width: v.videoWidth, error: v.error && v.error.code } : null",
        );
        return s && (s.ready >= 1 || s.error) ? s : null;
      }, 30_000);
      assert.equal(state.error, null, `the video plays: ${JSON.stringify(state)}`);
      assert.ok(state.duration > 0 && state.width > 0, JSON.stringify(state));
    },
  },
];

/** What server-video-resource's own read of its video gives, asked bare (no Atrium): `{error}` when offline. */
async function readVideoBare() {
  const sdk = join(ROOT, "tests/peers/node_modules/@modelcontextprotocol/sdk/dist/esm/client");
  const { Client } = await import(join(sdk, "index.js"));
  const { StdioClientTransport } = await import(join(sdk, "stdio.js"));
  const client = new Client({ name: "matrix-bare", version: "1" }, {});
  await client.connect(new StdioClientTransport({ command: "node", args: [bin("server-video-resource"), "--stdio"], stderr: "ignore" }));
  try {
    await client.readResource({ uri: "videos://bunny-1mb" });
    return {};
  } catch (e) {
    return { error: String(e.message).replace(/^MCP error -?\d+: /, "") };
  } finally {
    await client.close();
  }
}

let driver;
let videoBare = {};
before(async () => {
  for (const { name } of MATRIX) assert.ok(existsSync(bin(name)), `${name} is missing: run 'make setup-test'`);
  videoBare = await readVideoBare();
  driver = await Driver.start();
  cli(driver.home, "workspace", "create", "Apps");
  for (const { name } of MATRIX) cli(driver.home, "server", "add", "Apps", "--title", name, "--stdio", "--", "node", bin(name), "--stdio");
});
after(async () => {
  await driver?.stop();
});

async function openWorkspace(app) {
  const row = await until(app, "the Apps workspace", async () => {
    for (const row of await app.allByTestId("workspace-item")) if ((await row.text()).includes("Apps")) return row;
  });
  await row.click();
  await (await app.byTestId("nav-servers")).click();
}

async function openTool(app, server, tool) {
  const row = await until(app, `the ${server} server`, async () => {
    for (const row of await app.allByTestId("server-row")) if ((await row.text()).trim().startsWith(server)) return row;
  });
  await row.click();
  // The pane of the server before may linger while its view answers its teardown.
  await until(app, "the last view to go", async () => (await app.findAll('[data-testid="tool-view"]')).length === 0);
  await (await app.find(`[data-testid="tool-row"][data-tool-name="${tool}"]`, 60_000)).click();
}

async function runInView(app, args) {
  if (args) {
    await (await app.byTestId("tool-args-mode")).click();
    await setValue(app, "tool-args-raw", JSON.stringify(args));
  }
  assert.equal(await (await app.byTestId("tool-view-toggle")).property("checked"), true, "a tool with a view shows it");
  await (await app.byTestId("tool-run")).click();
  await app.byTestId("tool-view-box", '[data-ready="true"]');
  await app.switchToFrame(await app.byTestId("tool-view"));
  await app.switchToFrame(await app.find("iframe", 15_000));
}

for (const entry of MATRIX) {
  test(`${entry.name}: ${entry.tool} renders its data in its view and round-trips`, async () => {
    const app = await driver.launch();
    try {
      await openWorkspace(app);
      await openTool(app, entry.name, entry.tool);
      await runInView(app, entry.args);
      await entry.check(app);
      await app.switchToFrame(null);
      const refused = await app.allByTestId("viewer-refusal");
      const texts = await Promise.all(refused.map((r) => r.text()));
      assert.deepEqual(texts, [], "Atrium refused nothing the app needs");
      await snapshot(app, `matrix-${entry.name}`);
    } catch (e) {
      await app.switchToFrame(null).catch(() => {});
      await snapshot(app, `matrix-${entry.name}-failed`);
      throw e;
    } finally {
      await app.quit();
    }
  });
}
