// Where a view's tools/call spends its time, hop by hop, in the real window (release app under Xvfb): the recipe
// view calls its server CALLS times while each frame on the way notes when the message passed it, on one clock
// (performance.timeOrigin + performance.now()):
//   view sends → proxy has it → window has it → viewer_post invoked → its answer resolved → proxy has the answer →
//   view has it.
// Prints each hop's p50/p95/p99 and the slowest calls whole, so a tail can be traced to its hop.
// Usage: bench/viewer.sh builds the app; then
//   ATRIUM_APP=target/release/atrium-desktop TAURI_DRIVER=.tools/bin/tauri-driver \
//     xvfb-run -a -s "-screen 0 1440x900x24" node bench/viewer_hops.mjs

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Driver, cli } from "../tests/e2e/app.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const METHOD = process.env.BENCH_METHOD ?? "tools/call";
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];
const stats = (samples) => {
  const s = [...samples].sort((a, b) => a - b);
  return `p50 ${pct(s, 0.5).toFixed(2).padStart(6)}  p95 ${pct(s, 0.95).toFixed(2).padStart(6)}  p99 ${pct(s, 0.99).toFixed(2).padStart(6)}  max ${s[s.length - 1].toFixed(2).padStart(6)}`;
};

// Notes every JSON-RPC message with a numeric id ≥ 100000 passing this frame, and (in the window) viewer_post.
const NOTE = `
  const now = () => performance.timeOrigin + performance.now();
  window.__hops = window.__hops || [];
  window.addEventListener("message", (e) => {
    const d = e.data;
    if (d && typeof d.id === "number" && d.id >= 100000) window.__hops.push([d.method ? "req" : "ans", d.id, now()]);
  }, true);
  // Tauri's IPC is a fetch of ipc://localhost/<command> whose body is the arguments.
  if (window.__TAURI_INTERNALS__ && !window.__hopped) {
    window.__hopped = true;
    const fetch = window.fetch.bind(window);
    window.fetch = (input, init) => {
      const url = String(input?.url ?? input);
      let id = null;
      if (url.endsWith("/viewer_post") && typeof init?.body === "string") {
        try { id = JSON.parse(JSON.parse(init.body).message).id; } catch {}
      }
      if (typeof id !== "number" || id < 100000) return fetch(input, init);
      window.__hops.push(["invoke", id, now()]);
      const reply = fetch(input, init);
      reply.then(() => window.__hops.push(["resolved", id, now()]));
      return reply;
    };
  }
  return true;
`;

const driver = await Driver.start();
try {
  const home = driver.home;
  cli(home, "workspace", "create", "Bench");
  // BENCH_SERVER_ENV: more environment for the server, as JSON (e.g. {"FASTMCP_LOG_LEVEL":"WARNING"}).
  const env = JSON.parse(process.env.BENCH_SERVER_ENV ?? "{}");
  const script = join(ROOT, "tests/fixtures/recipe-server/server.py");
  // BENCH_QUIET_SERVER=1: the server's stderr (a line per request) is thrown away before Atrium sees it.
  const transport = process.env.BENCH_QUIET_SERVER
    ? { type: "stdio", command: "python3", args: ["-c", `import os, runpy, sys; os.dup2(os.open(os.devnull, os.O_WRONLY), 2); sys.argv = [${JSON.stringify(script)}]; runpy.run_path(sys.argv[0], run_name="__main__")`], env }
    : { type: "stdio", command: "python3", args: [script], env };
  const server = { transport };
  cli(home, "server", "add", "Bench", "--title", "My Server", "--registration", JSON.stringify(server));
  const recipe = { title: "Pancakes", servings: 4, ingredients: ["flour"], steps: ["Fry"] };
  cli(home, "artifact", "create", "Bench", "--title", "Pancakes", "--type", "application/vnd.my-org.recipe+json", "--content", JSON.stringify(recipe));
  const app = await driver.launch();
  try {
    await app.waitFor("the workspace", async () => {
      for (const row of await app.allByTestId("workspace-item")) if ((await row.text()).includes("Bench")) return row.click().then(() => true);
    }, 30_000);
    await app.waitFor("the recipe", async () => {
      for (const row of await app.allByTestId("artifact-item")) if ((await row.text()).includes("Pancakes")) return app.doubleClick(row).then(() => true);
    }, 60_000);
    await app.waitFor("the view", async () => (await app.allByTestId("viewer-panel")).length > 0, 30_000);
    await app.execute(NOTE);
    await app.switchToFrame(await app.byTestId("viewer-frame"));
    await app.execute(NOTE);
    await app.switchToFrame(await app.find("iframe", 15_000));
    await app.waitFor("the rendered recipe", async () => (await app.findAll("#recipe-title")).length > 0, 30_000);
    const view = await app.executeAsync(`
      const done = arguments[arguments.length - 1];
      const [count, method] = [arguments[0], arguments[1]];
      const now = () => performance.timeOrigin + performance.now();
      const notes = [];
      let id = 100000;
      const params = method === "tools/call" ? { name: "scale_recipe", arguments: { factor: 2 } } : {};
      const next = () => {
        if (notes.length === count) return done(notes);
        const myId = ++id;
        const sent = now();
        const onMessage = (event) => {
          if (event.data && event.data.id === myId) {
            window.removeEventListener("message", onMessage);
            notes.push([myId, sent, now()]);
            next();
          }
        };
        window.addEventListener("message", onMessage);
        window.parent.postMessage({ jsonrpc: "2.0", id: myId, method, params }, "*");
      };
      next();
    `, CALLS, METHOD);
    await app.switchToParentFrame();
    const proxy = await app.execute("return window.__hops");
    await app.switchToFrame(null);
    const win = await app.execute("return window.__hops");
    console.log("noted:", ["req", "ans"].map((k) => `proxy ${k} ${proxy.filter(([x]) => x === k).length}`).join(", "), "|", ["req", "invoke", "resolved"].map((k) => `window ${k} ${win.filter(([x]) => x === k).length}`).join(", "));
    const at = (list, kind) => new Map(list.filter(([k]) => k === kind).map(([, id, t]) => [id, t]));
    const [pReq, pAns, wReq, wInv, wRes] = [at(proxy, "req"), at(proxy, "ans"), at(win, "req"), at(win, "invoke"), at(win, "resolved")];
    const hops = { "view→proxy": [], "proxy→window": [], "window→invoke": [], "invoke→fetched (IPC+Rust+server)": [], "fetched→proxy": [], "proxy→view": [], whole: [] };
    const rows = [];
    for (const [id, sent, got] of view.slice(Math.floor(view.length / 10))) {
      const t = [sent, pReq.get(id), wReq.get(id), wInv.get(id), wRes.get(id), pAns.get(id), got];
      if (t.some((x) => x === undefined)) continue;
      const d = t.slice(1).map((x, i) => x - t[i]);
      Object.values(hops).forEach((list, i) => list.push(i < 6 ? d[i] : got - sent));
      rows.push([id, got - sent, d]);
    }
    console.log(`${METHOD}: ${rows.length} calls, load ${(await import("node:fs")).readFileSync("/proc/loadavg", "utf8").trim()}`);
    for (const [name, list] of Object.entries(hops)) console.log(`${name.padEnd(36)} ${stats(list)}`);
    console.log("slowest (whole, then each hop):");
    for (const [id, whole, d] of rows.sort((a, b) => b[1] - a[1]).slice(0, 8)) {
      console.log(`  #${id} ${whole.toFixed(2)} ms: ${d.map((x) => x.toFixed(2)).join(" / ")}`);
    }
  } finally {
    await app.quit();
  }
} finally {
  await driver.stop();
}
