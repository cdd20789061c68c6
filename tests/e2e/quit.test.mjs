// Every way out of the real app stops every server, with five running — three server-everything, one that ignores
// the end of its stdin, one with a child process of its own: closing the window (the close message a window manager
// sends), SIGTERM, and kill -9 (then Atrium's watchdog stops them). Nothing is left in /proc, "stopped" is logged,
// nothing panics. The agents' gateway the app serves (started after the first screen) stops too: its port is free
// again and its run file gone.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { cli } from "./app.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const EVERYTHING = join(ROOT, "tests/peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const MISBEHAVING = join(ROOT, "tests/peers/misbehaving_server.py");
const SEARCH_PATH = [join(ROOT, ".tools/node22/node_modules/.bin"), join(ROOT, ".tools/py/bin"), process.env.PATH].join(":");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, check, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Every live process: pid, process group, whether its environment says it is a server of `instancePrefix`. */
function processes() {
  const found = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z") continue;
      let environ = "";
      try {
        environ = readFileSync(`/proc/${name}/environ`, "latin1");
      } catch {
        // Not ours to read.
      }
      found.push({ pid: Number(name), group: Number(fields[2]), environ });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** The process groups of the servers the app `pid` started (they carry ATRIUM_SERVER_OF=<pid>.<start>). */
function serverGroups(pid) {
  const marker = `ATRIUM_SERVER_OF=${pid}.`;
  return new Set(processes().filter((p) => p.environ.split("\0").some((v) => v.startsWith(marker))).map((p) => p.group));
}

function members(groups) {
  return processes().filter((p) => groups.has(p.group));
}

/** A home with the five servers, registered (and so approved) from the command line. */
function homeWithFiveServers() {
  const home = mkdtempSync(join(tmpdir(), "atrium-quit-"));
  const env = { ...process.env, ATRIUM_STDIO_PATH: SEARCH_PATH };
  const run = (...args) => execFileSync(join(ROOT, "target/debug/atrium"), ["--home", home, "--json", ...args], { env, encoding: "utf8" });
  run("workspace", "create", "Lab");
  for (const title of ["One", "Two", "Three"]) run("server", "add", "Lab", "--title", title, "--stdio", "--", "node", EVERYTHING, "stdio");
  run("server", "add", "Lab", "--title", "Sloppy", "--stdio", "--", "python3", MISBEHAVING, "--mode", "sloppy");
  run("server", "add", "Lab", "--title", "Parent", "--stdio", "--", "python3", MISBEHAVING, "--mode", "parent");
  assert.equal(cli(home, "server", "list").length, 5);
  return home;
}

/** Starts the release or debug app on `home` under the test's display and waits until its servers all run. */
async function launch(home) {
  const ready = join(home, "ready");
  const app = spawn(process.env.ATRIUM_APP, [], {
    env: {
      ...process.env,
      ATRIUM_HOME: home,
      ATRIUM_STDIO_PATH: SEARCH_PATH,
      ATRIUM_LOG: "info,rmcp=warn",
      ATRIUM_BENCH_READY_FILE: ready,
      ATRIUM_GATEWAY_PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  app.stdout.on("data", (d) => (output += d));
  app.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => app.once("exit", (code, signal) => resolve({ code, signal })));
  await until("the window", () => existsSync(ready), 60_000);
  // Five servers, and the child one of them started.
  const groups = await until("five running servers", () => {
    const groups = serverGroups(app.pid);
    return groups.size === 5 && members(groups).length >= 6 ? groups : null;
  }, 60_000);
  // The gateway, once the first screen is up: where it listens.
  const runFile = join(home, "run/gateway.json");
  const gateway = await until("the gateway's run file", () => existsSync(runFile) && JSON.parse(readFileSync(runFile, "utf8")), 30_000);
  return { app, groups, exited, output: () => output, gatewayPort: Number(new URL(gateway.url).port), runFile };
}

/** Whether something accepts connections on the loopback port. */
function listening(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function appLog(home) {
  const dir = join(home, "logs");
  return readdirSync(dir)
    .filter((f) => f.startsWith("desktop"))
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");
}

async function assertCleanExit(home, run, how) {
  const { code, signal } = await Promise.race([run.exited, sleep(15_000).then(() => ({ code: "timeout" }))]);
  assert.notEqual(code, "timeout", `${how}: the app did not exit`);
  assert.ok(code === 0 || signal === "SIGTERM", `${how}: exit ${code} ${signal}`);
  await until(`${how}: every server gone`, () => members(run.groups).length === 0, 10_000);
  assert.doesNotMatch(run.output(), /panicked/, `${how}: ${run.output()}`);
  const log = appLog(home);
  assert.doesNotMatch(log, /panicked/, `${how}: the log shows a panic`);
  assert.match(log, /INFO.*\bstopped\b/, `${how}: "stopped" is logged`);
  assert.match(log, /gateway stopped/, `${how}: the gateway stopped`);
  assert.equal(existsSync(run.runFile), false, `${how}: the gateway's run file outlived the app`);
  assert.equal(await listening(run.gatewayPort), false, `${how}: the gateway's port is still taken`);
}

test("closing the window stops every server", async () => {
  const home = homeWithFiveServers();
  const run = await launch(home);
  execFileSync("python3", [join(ROOT, "tests/e2e/close_window.py"), String(run.app.pid)]);
  await assertCleanExit(home, run, "closing the window");
});

test("SIGTERM stops every server", async () => {
  const home = homeWithFiveServers();
  const run = await launch(home);
  run.app.kill("SIGTERM");
  await assertCleanExit(home, run, "SIGTERM");
  assert.match(appLog(home), /SIGTERM: shutting down/);
});

test("after kill -9 of the app its watchdog stops every server within seconds", async () => {
  const home = homeWithFiveServers();
  const run = await launch(home);
  run.app.kill("SIGKILL");
  await run.exited;
  const killedAt = Date.now();
  await until("every server gone after kill -9", () => members(run.groups).length === 0, 5_000);
  assert.ok(Date.now() - killedAt < 5_000);
});
