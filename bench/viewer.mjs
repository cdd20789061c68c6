// Viewer benchmarks in the real window (release app under Xvfb, driven over WebDriver):
// - click to first render: a double-click on a recipe artifact whose viewer's server (the seed-layout FastMCP
//   recipe server) is running locally, until the view has rendered it; 15 opens, each closed before the next;
// - a view's tools/call round trip, warm, the whole way: from inside the view (its own document, in the sandbox
//   proxy's inner frame), postMessage → proxy → app window → Rust → server → back into the view; 300 calls, beside
//   the same call made to the same server bare (the MCP TypeScript SDK's client over stdio, no Atrium);
// - click to first render for every app of the compatibility matrix (tests/e2e/matrix.test.mjs): Run in the tool
//   runner until the view has its data; 5 runs each, the view closed before the next.
// Usage: node bench/viewer.mjs (run by bench/viewer.sh, which builds the release app and starts Xvfb).

import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Driver, cli } from "../tests/e2e/app.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OPENS = Number(process.env.BENCH_OPENS ?? 15);
const CALLS = Number(process.env.BENCH_CALLS ?? 300);

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];
const line = (name, samples) => {
  const s = [...samples].sort((a, b) => a - b);
  return `${name.padEnd(46)} p50 ${pct(s, 0.5).toFixed(1).padStart(7)} ms   p95 ${pct(s, 0.95).toFixed(1).padStart(7)} ms   p99 ${pct(s, 0.99).toFixed(1).padStart(7)} ms   (n=${s.length})`;
};

const MATRIX_RUNS = Number(process.env.BENCH_MATRIX_RUNS ?? 5);
const PEERS = join(ROOT, "tests/peers/node_modules/@modelcontextprotocol");
const RECIPE_SERVER = join(ROOT, "tests/fixtures/recipe-server/server.py");
const MATRIX = [
  ["server-basic-react", "get-time"],
  ["server-basic-vue", "get-time"],
  ["server-basic-svelte", "get-time"],
  ["server-basic-solid", "get-time"],
  ["server-basic-preact", "get-time"],
  ["server-threejs", "show_threejs_scene"],
  ["server-shadertoy", "render-shadertoy"],
  ["server-scenario-modeler", "get-scenario-data"],
  ["server-cohort-heatmap", "get-cohort-data"],
  ["server-video-resource", "play_video"],
];
const sorted = (samples) => [...samples].sort((a, b) => a - b);
const mark = (ok) => (ok ? "✔" : "✗");

/** The same tools/call the view makes, to the same server, bare: the MCP SDK's client over stdio. */
async function bareCalls(count) {
  const sdk = join(PEERS, "sdk/dist/esm/client");
  const { Client } = await import(join(sdk, "index.js"));
  const { StdioClientTransport } = await import(join(sdk, "stdio.js"));
  const client = new Client({ name: "bench-bare", version: "1" }, {});
  // The Python the tests' servers run on (`make setup-test` installs `mcp` there), as Atrium finds it.
  const python = existsSync(join(ROOT, ".tools/py/bin/python3")) ? join(ROOT, ".tools/py/bin/python3") : "python3";
  await client.connect(new StdioClientTransport({ command: python, args: [RECIPE_SERVER], stderr: "ignore" }));
  const times = [];
  try {
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await client.callTool({ name: "scale_recipe", arguments: { factor: 2 } });
      times.push(performance.now() - start);
    }
  } finally {
    await client.close();
  }
  return times.slice(Math.floor(times.length / 10));
}

const bare = await bareCalls(CALLS);
const driver = await Driver.start();
try {
  const home = driver.home;
  cli(home, "workspace", "create", "Bench");
  const server = {
    transport: { type: "stdio", command: "python3", args: [join(ROOT, "tests/fixtures/recipe-server/server.py")] },
  };
  cli(home, "server", "add", "Bench", "--title", "My Server", "--registration", JSON.stringify(server));
  const recipe = { title: "Pancakes", servings: 4, ingredients: ["flour", "eggs", "milk"], steps: ["Whisk", "Fry"] };
  cli(home, "artifact", "create", "Bench", "--title", "Pancakes", "--type", "application/vnd.my-org.recipe+json", "--content", JSON.stringify(recipe));
  for (const [name] of MATRIX) cli(home, "server", "add", "Bench", "--title", name, "--stdio", "--", "node", join(PEERS, name, "dist/index.js"), "--stdio");
  const app = await driver.launch();
  try {
    await app.waitFor("the workspace", async () => {
      for (const row of await app.allByTestId("workspace-item")) if ((await row.text()).includes("Bench")) return row.click().then(() => true);
    }, 30_000);
    // The server's type must be known (the server is up) before the first open is measured.
    await app.waitFor("the recipe server", async () => {
      for (const row of await app.allByTestId("artifact-item")) if ((await row.text()).includes("Recipe")) return true;
    }, 60_000);

    const opens = [];
    for (let i = 0; i < OPENS + 1; i++) {
      const ms = await app.executeAsync(`
        const done = arguments[arguments.length - 1];
        const row = [...document.querySelectorAll('[data-testid="artifact-item"]')].find((r) => r.textContent.includes("Pancakes"));
        const start = performance.now();
        const check = () => document.querySelector('[data-testid="viewer-panel"][data-ready="true"]');
        const observer = new MutationObserver(() => { if (check()) { observer.disconnect(); done(performance.now() - start); } });
        observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-ready"] });
        row.dispatchEvent(new MouseEvent("dblclick", { bubbles: true, cancelable: true, view: window }));
        setTimeout(() => { observer.disconnect(); done(-1); }, 10000);
      `);
      if (ms < 0) throw new Error("the view did not open within 10 s");
      if (i > 0) opens.push(ms); // the first open also starts the proxy server
      if (i < OPENS) {
        await (await app.byTestId("viewer-close")).click();
        await app.waitFor("the panel to close", async () => (await app.allByTestId("viewer-panel")).length === 0);
      }
    }

    // Into the view's own document: the outer proxy frame, then the inner one.
    await app.switchToFrame(await app.byTestId("viewer-frame"));
    await app.switchToFrame(await app.find("iframe", 15_000));
    await app.waitFor("the rendered recipe", async () => (await app.findAll("#recipe-title")).length > 0);
    const roundTrips = (method, params) => app.executeAsync(`
      const done = arguments[arguments.length - 1];
      const [count, method, params] = [arguments[0], arguments[1], arguments[2]];
      const times = [];
      let id = 100000;
      const next = () => {
        if (times.length === count) return done(times);
        const myId = ++id;
        const start = performance.now();
        const onMessage = (event) => {
          if (event.data && event.data.id === myId) {
            window.removeEventListener("message", onMessage);
            times.push(performance.now() - start);
            next();
          }
        };
        window.addEventListener("message", onMessage);
        window.parent.postMessage({ jsonrpc: "2.0", id: myId, method, params }, "*");
      };
      next();
    `, CALLS, method, params);
    // ping is answered by Atrium itself: the webview's share of the round trip (frames, IPC, events) alone.
    const pings = await roundTrips("ping", {});
    const calls = await roundTrips("tools/call", { name: "scale_recipe", arguments: { factor: 2 } });
    await app.switchToFrame(null);
    const warm = calls.slice(Math.floor(calls.length / 10));

    // Click to first render, app by app: Run in the tool runner until the view has its data.
    const renders = [];
    await (await app.byTestId("nav-servers")).click();
    for (const [name, tool] of MATRIX) {
      await app.waitFor(`the ${name} server`, async () => {
        for (const row of await app.allByTestId("server-row")) if ((await row.text()).trim().startsWith(name)) return row.click().then(() => true);
      }, 60_000);
      await app.waitFor("the last view to go", async () => (await app.allByTestId("tool-view")).length === 0);
      // The row may be there before it can be clicked (the server's pane still laying out): try until it takes.
      const row = `[data-testid="tool-row"][data-tool-name="${tool}"]`;
      await app.waitFor(`${tool} to be clickable`, async () => (await app.find(row, 60_000)).click().then(() => true), 60_000);
      const times = [];
      for (let i = 0; i < MATRIX_RUNS + 1; i++) {
        const ms = await app.executeAsync(`
          const done = arguments[arguments.length - 1];
          const check = () => document.querySelector('[data-testid="tool-view-box"][data-ready="true"]');
          const start = performance.now();
          const observer = new MutationObserver(() => { if (check()) { observer.disconnect(); done(performance.now() - start); } });
          observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-ready"] });
          document.querySelector('[data-testid="tool-run"]').click();
          setTimeout(() => { observer.disconnect(); done(-1); }, 15000);
        `);
        if (ms < 0) throw new Error(`${name}'s view did not render within 15 s`);
        if (i > 0) times.push(ms); // the first run also starts the server's view origin
        await (await app.byTestId("tool-view-close")).click();
        await app.waitFor("the view to go", async () => (await app.allByTestId("tool-view")).length === 0);
      }
      renders.push([name, times]);
    }

    const callP50 = pct(sorted(warm), 0.5);
    const callP95 = pct(sorted(warm), 0.95);
    console.log("viewer in the real window (release build, Xvfb)");
    console.log(line("click to first render (recipe, local server)", opens));
    console.log(line("view ping round trip (answered by Atrium)", pings.slice(Math.floor(pings.length / 10))));
    console.log(line("view tools/call round trip, warm (FastMCP)", warm));
    console.log(line("the same tools/call, bare (SDK client, stdio)", bare));
    for (const [name, times] of renders) console.log(line(`click to first render: ${name}`, times));
    console.log("targets:");
    console.log(`  ${mark(callP50 <= 5)} view tools/call the whole way p50 ≤ 5 ms: ${callP50.toFixed(1)} ms`);
    console.log(`  ${mark(callP95 <= 10)} view tools/call the whole way p95 ≤ 10 ms: ${callP95.toFixed(1)} ms`);
    const openP50 = pct(sorted(opens), 0.5);
    console.log(`  ${mark(openP50 <= 300)} click to first render ≤ 300 ms, recipe: p50 ${openP50.toFixed(0)} ms`);
    for (const [name, times] of renders) {
      const p50 = pct(sorted(times), 0.5);
      console.log(`  ${mark(p50 <= 300)} click to first render ≤ 300 ms, ${name}: p50 ${p50.toFixed(0)} ms`);
    }
  } finally {
    await app.quit();
  }
} finally {
  await driver.stop();
}
