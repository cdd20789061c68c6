// Starts tauri-driver for the real Atrium binary and opens app sessions on a temporary ATRIUM_HOME.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "./webdriver.mjs";

const ROOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tauri-driver did not listen on ${port}`);
}

/**
 * A tauri-driver process bound to one Atrium home; `launch()` starts the app, `session.quit()` closes it. `env`: more
 * variables for the app (which tauri-driver starts), like `BROWSER`.
 */
export class Driver {
  static async start({ env = {} } = {}) {
    const home = mkdtempSync(join(tmpdir(), "atrium-e2e-"));
    const port = await freePort();
    const nativePort = await freePort();
    const child = spawn(
      process.env.TAURI_DRIVER,
      ["--port", String(port), "--native-port", String(nativePort), "--native-driver", "/usr/bin/WebKitWebDriver"],
      {
        env: {
          ...process.env,
          ATRIUM_HOME: home,
          ATRIUM_LOG: "info,rmcp=warn",
          // The agents' gateway on a free port: never the one a real Atrium (or another test's app) listens on.
          ATRIUM_GATEWAY_PORT: "0",
          // Local servers find the Node setup installs first, whatever the machine's login shell says.
          ATRIUM_STDIO_PATH: [join(ROOT_DIR, ".tools/node22/node_modules/.bin"), join(ROOT_DIR, ".tools/py/bin"), process.env.PATH].join(":"),
          ...env,
        },
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    await waitForPort(port);
    return new Driver(child, `http://127.0.0.1:${port}`, home);
  }

  constructor(child, base, home) {
    this.child = child;
    this.base = base;
    this.home = home;
  }

  /** Starts the app and waits until its first screen is up. */
  async launch() {
    const session = await Session.start(this.base, {
      browserName: "wry",
      "tauri:options": { application: process.env.ATRIUM_APP },
    });
    await session.waitFor("the app to render", async () => (await session.execute("return !!document.querySelector('[data-testid]')")), 30_000);
    return session;
  }

  async stop() {
    this.child.kill("SIGTERM");
  }
}

/** Runs the `atrium` CLI on a home (to prepare data before the app starts); returns its parsed `--json` output. */
export function cli(home, ...args) {
  const out = execFileSync(join(ROOT_DIR, "target/debug/atrium"), ["--home", home, "--json", ...args], { encoding: "utf8" });
  return out.trim() ? JSON.parse(out) : null;
}

/** Saves a screenshot for the test report; failures keep the evidence. */
export async function snapshot(session, name) {
  const dir = process.env.E2E_ARTIFACTS;
  if (!dir) return;
  try {
    writeFileSync(join(dir, `${name}.png`), await session.screenshot());
  } catch {
    // A screenshot is evidence, not a test step.
  }
}

/** Waits like `session.waitFor` (30 s by default), saving a screenshot named after what was missing on failure. */
export async function until(session, what, check, timeout = 30_000) {
  try {
    return await session.waitFor(what, check, timeout);
  } catch (err) {
    await snapshot(session, `missing-${what.replace(/\W+/g, "-")}`);
    throw err;
  }
}

/** Sets a control's value the way typing would (input + change events), for selects and multi-line text. */
export async function setValue(session, testId, value) {
  await session.byTestId(testId);
  await session.execute(
    `const el = document.querySelector('[data-testid="${testId}"]');
     const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
     Object.getOwnPropertyDescriptor(proto, "value").set.call(el, arguments[0]);
     el.dispatchEvent(new Event("input", { bubbles: true }));
     el.dispatchEvent(new Event("change", { bubbles: true }));`,
    value,
  );
}
