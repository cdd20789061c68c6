// A small W3C WebDriver client over fetch, enough to drive Atrium through tauri-driver + WebKitWebDriver.
// Kept dependency-free so the end-to-end tests need nothing from npm.

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
export const Keys = { TAB: "\uE004", ENTER: "\uE007", ESCAPE: "\uE00C", DELETE: "\uE017", CONTROL: "\uE009", BACKSPACE: "\uE003" };

export class WebDriverError extends Error {}

async function call(base, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    const v = json.value ?? {};
    throw new WebDriverError(`${method} ${path}: ${v.error ?? response.status}: ${v.message ?? ""}`);
  }
  return json.value;
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async start(base, capabilities) {
    const value = await call(base, "POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, value.sessionId);
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async quit() {
    await this.cmd("DELETE", "");
  }

  execute(script, ...args) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  /** Runs an async script: it gets a callback as its last argument and finishes when it calls it. */
  executeAsync(script, ...args) {
    return this.cmd("POST", "/execute/async", { script, args });
  }

  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }

  async findAll(selector) {
    const found = await this.cmd("POST", "/elements", { using: "css selector", value: selector });
    return found.map((e) => new Element(this, e[ELEMENT]));
  }

  /** Waits until `probe` returns a truthy value, retrying on errors; fails with `what` after `timeout` ms. */
  async waitFor(what, probe, timeout = 10_000) {
    const deadline = Date.now() + timeout;
    let last;
    while (Date.now() < deadline) {
      try {
        const value = await probe();
        if (value) return value;
      } catch (err) {
        last = err;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new WebDriverError(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
  }

  /** The first element matching a CSS selector, waiting for it to appear. */
  async find(selector, timeout) {
    return this.waitFor(selector, async () => (await this.findAll(selector))[0], timeout);
  }

  /** Elements by data-testid (the UI's stable hooks). */
  byTestId(id, extra = "") {
    return this.find(`[data-testid="${id}"]${extra}`);
  }

  allByTestId(id) {
    return this.findAll(`[data-testid="${id}"]`);
  }

  /** Switches into a frame element (`null`: back to the top document). */
  async switchToFrame(element) {
    await this.cmd("POST", "/frame", { id: element ? { [ELEMENT]: element.id } : null });
  }

  /** Switches to the parent of the current frame. */
  async switchToParentFrame() {
    await this.cmd("POST", "/frame/parent", {});
  }

  /** Double-clicks an element with the pointer. */
  async doubleClick(element) {
    const origin = { [ELEMENT]: element.id };
    const actions = [
      { type: "pointerMove", origin, x: 0, y: 0 },
      { type: "pointerDown", button: 0 },
      { type: "pointerUp", button: 0 },
      { type: "pointerDown", button: 0 },
      { type: "pointerUp", button: 0 },
    ];
    await this.cmd("POST", "/actions", { actions: [{ type: "pointer", id: "mouse", parameters: { pointerType: "mouse" }, actions }] });
    await this.cmd("DELETE", "/actions");
  }

  /** Presses keys with modifiers held, e.g. chord([Keys.CONTROL], "s"). */
  async chord(modifiers, key) {
    const down = modifiers.map((value) => ({ type: "keyDown", value }));
    const up = modifiers.map((value) => ({ type: "keyUp", value })).reverse();
    const actions = [...down, { type: "keyDown", value: key }, { type: "keyUp", value: key }, ...up];
    await this.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
    await this.cmd("DELETE", "/actions");
  }
}

export class Element {
  constructor(session, id) {
    this.session = session;
    this.id = id;
  }

  cmd(method, path, body) {
    return this.session.cmd(method, `/element/${this.id}${path}`, body);
  }

  click() {
    return this.cmd("POST", "/click", {});
  }

  async clear() {
    await this.cmd("POST", "/clear", {});
  }

  type(text) {
    return this.cmd("POST", "/value", { text });
  }

  async fill(text) {
    await this.clear();
    await this.type(text);
  }

  /** The element's text content. (WebKitWebDriver's "Get Element Text" returns "" for some rendered rows.) */
  async text() {
    const text = await this.session.execute("return arguments[0].textContent", { [ELEMENT]: this.id });
    return (text ?? "").replace(/\s+/g, " ").trim();
  }

  property(name) {
    return this.cmd("GET", `/property/${name}`);
  }

  attribute(name) {
    return this.cmd("GET", `/attribute/${name}`);
  }

  enabled() {
    return this.cmd("GET", "/enabled");
  }
}
