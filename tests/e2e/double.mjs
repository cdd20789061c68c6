// The Agience platform double (`atrium-platform-double`, crates/atrium-testkit) for the end-to-end tests: started on
// free ports with a layout and sign-in providers, its URLs read from the one line it prints, and its control surface
// under /_double/ (remote edits, stats). It stops when its stdin closes, so a test that dies takes it along.

import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const ROOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BINARY = process.env.ATRIUM_PLATFORM_DOUBLE || join(ROOT_DIR, "target/debug/atrium-platform-double");

/** A running double: `url` (what a person is given), `origin`, `mantle`, `chorus`, `front` (null when separate). */
export class PlatformDouble {
  /** `args`: `--layout front|shipped|separate`, `--providers a,b` ("" for none), `--advertise`. */
  static async start(...args) {
    const child = spawn(BINARY, ["--port", "0", ...args], { stdio: ["pipe", "pipe", "inherit"] });
    const urls = await new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`the platform double (${BINARY}) exited (${code}) before saying where it listens`)));
      createInterface({ input: child.stdout }).once("line", (line) => {
        try {
          resolve(JSON.parse(line));
        } catch (err) {
          reject(new Error(`the platform double said ${JSON.stringify(line)}: ${err.message}`));
        }
      });
    });
    return new PlatformDouble(child, urls);
  }

  constructor(child, urls) {
    this.child = child;
    this.url = urls.url;
    this.origin = urls.origin;
    this.mantle = urls.mantle;
    this.chorus = urls.chorus;
    this.front = urls.front;
  }

  /** `GET` (no body) or `POST` (a JSON body) to `/_double/<path>`; the JSON answer, or null. */
  async control(path, body) {
    const init = body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
    const response = await fetch(`${this.url}/_double/${path}`, init);
    const text = await response.text();
    if (!response.ok) throw new Error(`/_double/${path}: HTTP ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  /** The counters: requests, grants by type, `authorize_providers` (the provider each browser sign-in named), … */
  stats() {
    return this.control("stats");
  }

  /** An edit made on the platform side (another client of the default user): `{title?, content?}`. */
  edit(id, change) {
    return this.control("edit", { id, ...change });
  }

  /** Stops it (closing its stdin), and kills it if it is still there after 3 s. */
  async stop() {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }
}
