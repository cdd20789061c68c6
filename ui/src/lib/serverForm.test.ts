import { describe, expect, it } from "vitest";
import {
  emptyServerForm,
  envKind,
  envProblems,
  envSecretRef,
  envValue,
  formFieldOf,
  formFromRegistration,
  NEW_SECRET,
  pendingSecrets,
  settleNewSecrets,
  withEnvKind,
  withEnvSecret,
  type EnvRow,
  localProblems,
  parseEnvText,
  parseRegistrationText,
  problemsByFormField,
  registrationFromForm,
  splitLines,
  splitList,
} from "./serverForm";

describe("registrationFromForm", () => {
  it("builds each transport kind", () => {
    const v = { ...emptyServerForm(), title: "T" };
    expect(registrationFromForm({ ...v, kind: "http", url: " http://h/mcp " }).transport).toEqual({ type: "http", url: "http://h/mcp" });
    expect(registrationFromForm({ ...v, kind: "well_known", wellKnown: "https://h/.well-known/mcp.json" }).transport).toEqual({
      type: "http",
      well_known: "https://h/.well-known/mcp.json",
    });
    expect(registrationFromForm({ ...v, kind: "sse", url: "http://h/sse" }).transport).toEqual({ type: "sse", url: "http://h/sse" });
    expect(
      registrationFromForm({
        ...v,
        kind: "stdio",
        command: "node",
        args: "/abs/index.js\r\n\nstdio\n",
        cwd: " /tmp ",
        env: [
          { name: "A", value: "1", secretId: null },
          { name: "", value: "", secretId: null },
          { name: "TOKEN", value: "", secretId: "s1" },
        ],
      }).transport,
    ).toEqual({ type: "stdio", command: "node", args: ["/abs/index.js", "stdio"], cwd: "/tmp", env: { A: "1", TOKEN: { secret_id: "s1" } } });
  });

  it("writes allowed tools, timeouts and enabled, keeping odd timeouts for validation to name", () => {
    const r = registrationFromForm({ ...emptyServerForm(), url: "http://h", allowedTools: "echo, add\nsum", connectMs: "5000", callMs: "5s", enabled: false });
    expect(r).toEqual({
      transport: { type: "http", url: "http://h" },
      allowed_tools: ["echo", "add", "sum"],
      timeouts: { connect_ms: 5000, call_ms: "5s" },
      enabled: false,
    });
    expect(registrationFromForm({ ...emptyServerForm(), connectMs: "", callMs: "" }).timeouts).toEqual({});
  });

  it("keeps what the form does not show", () => {
    const base = { transport: { type: "sse", url: "x" }, auth: { type: "static", header: "X", secret_id: "header.1" }, notes: "n" };
    const f = formFromRegistration("T", base);
    if (!f.ok) throw new Error(f.reason);
    const r = registrationFromForm({ ...f.values, kind: "http", url: "http://h" }, f.base);
    expect(r.auth).toEqual(base.auth);
    expect(r.notes).toBe("n");
    expect(r.transport).toEqual({ type: "http", url: "http://h" });
  });

  it("writes the auth block the form describes, or none", () => {
    const v = { ...emptyServerForm(), url: "http://h" };
    expect(registrationFromForm(v, { auth: { type: "api_key", header: "X", secret_id: "k" } }).auth).toBeUndefined();
    expect(registrationFromForm({ ...v, auth: { ...v.auth, kind: "oauth2", authorizerId: "a1" } }).auth).toEqual({ type: "oauth2", authorizer_id: "a1" });
    const f = formFromRegistration("T", { transport: { type: "http", url: "http://h" }, auth: { type: "mcp_oauth", client_id: "c", scopes: ["a", "b"] } });
    expect(f.ok && f.values.auth).toMatchObject({ kind: "mcp_oauth", clientId: "c", scopes: "a b" });
    expect(formFromRegistration("T", { transport: { type: "http", url: "http://h" }, auth: [] as never }).ok).toBe(false);
  });
});

describe("formFromRegistration", () => {
  it("round-trips every kind", () => {
    for (const reg of [
      { transport: { type: "http", url: "http://h/mcp" } },
      { transport: { type: "http", well_known: "https://h/.well-known/mcp.json" } },
      { transport: { type: "sse", url: "http://h/sse" } },
      { transport: { type: "stdio", command: "npx", args: ["-y", "x"], cwd: "/w", env: { A: "1", B: { secret_id: "s" } } }, allowed_tools: ["echo"], timeouts: { connect_ms: 5000, call_ms: 9000 }, enabled: false, auth: { type: "x" } },
    ]) {
      const f = formFromRegistration("T", reg);
      if (!f.ok) throw new Error(f.reason);
      const back = registrationFromForm(f.values, f.base);
      expect(back.transport).toEqual(reg.transport);
      if ("allowed_tools" in reg) {
        expect(back).toEqual(reg);
      }
    }
  });

  it("fills the fields", () => {
    const f = formFromRegistration("Everything", { transport: { type: "stdio", command: "node", args: ["a.js", "stdio"] }, timeouts: { connect_ms: 100 } });
    expect(f.ok && f.values).toMatchObject({ title: "Everything", kind: "stdio", command: "node", args: "a.js\nstdio", connectMs: "100", callMs: "30000", enabled: true });
  });

  it("refuses what the form cannot show, with a reason", () => {
    expect(formFromRegistration("T", [] as never).ok).toBe(false);
    expect(formFromRegistration("T", {}).ok).toBe(false);
    const ws = formFromRegistration("T", { transport: { type: "websocket", url: "ws://h" } });
    expect(ws.ok === false && ws.reason).toMatch(/transport type/);
    expect(formFromRegistration("T", { transport: { type: "http", url: "a", well_known: "b" } }).ok).toBe(false);
    expect(formFromRegistration("T", { transport: { type: "stdio", command: "x", args: "nope" } }).ok).toBe(false);
  });
});

describe("problems", () => {
  it("maps backend fields onto form fields", () => {
    const byField = problemsByFormField(
      [
        { field: "transport.url", message: "Give the address." },
        { field: "transport.env.1X", message: "Bad name." },
        { field: "timeouts.call_ms", message: "Whole number." },
        { field: "auth.type", message: "Unknown." },
        { field: "auth", message: "Needs a header." },
        { field: "registration", message: "Not an object." },
      ],
      "http",
    );
    expect(byField).toEqual({
      url: ["Give the address."],
      env: ["1X: Bad name."],
      callMs: ["Whole number."],
      auth: ["Unknown.", "Needs a header."],
      general: ["Not an object."],
    });
    expect(problemsByFormField([{ field: "transport.well_known", message: "m" }], "well_known")).toEqual({ wellKnown: ["m"] });
  });
  it("checks the title locally", () => {
    expect(localProblems({ ...emptyServerForm(), title: " " })[0].field).toBe("title");
    expect(localProblems({ ...emptyServerForm(), title: "ok" })).toEqual([]);
  });
});

describe("text helpers", () => {
  it("splits lines and lists", () => {
    expect(splitLines("a\r\n\n b \n")).toEqual(["a", " b "]);
    expect(splitList(" echo,add \n\n sum ")).toEqual(["echo", "add", "sum"]);
  });
  it("parses env blocks", () => {
    expect(parseEnvText("A=1\nB = two=2\nnope\n=x")).toEqual([
      { name: "A", value: "1", secretId: null },
      { name: "B", value: " two=2", secretId: null },
    ]);
  });
  it("parses the JSON editor", () => {
    expect(parseRegistrationText('{"transport": {}}')).toEqual({ ok: true, value: { transport: {} } });
    expect(parseRegistrationText("[]").ok).toBe(false);
    expect(parseRegistrationText("{").ok).toBe(false);
    expect(parseRegistrationText(" ").ok).toBe(false);
  });
});

describe("environment values: text or secret", () => {
  const text: EnvRow = { name: "LEVEL", value: "debug", secretId: null };
  it("maps each kind to its registration value", () => {
    expect(envKind(text)).toBe("text");
    expect(envValue(text)).toBe("debug");
    const secret = withEnvSecret(withEnvKind(text, "secret"), "github-token");
    expect(envKind(secret)).toBe("secret");
    expect(envValue(secret)).toEqual({ secret_id: "github-token" });
    expect(envSecretRef(withEnvKind(text, "secret"))).toBe("");
    expect(envSecretRef(text)).toBeNull();
  });
  it("drops what was typed in the other kind", () => {
    const secret = withEnvKind(text, "secret");
    expect(secret).toEqual({ name: "LEVEL", value: "", secretId: "", newSecret: null });
    expect(withEnvKind(secret, "text")).toEqual({ name: "LEVEL", value: "", secretId: null, newSecret: null });
    expect(withEnvKind(text, "text")).toBe(text);
  });
  it("types a new secret inline, referred to by its id", () => {
    const row = withEnvSecret({ name: "TOKEN", value: "", secretId: "" }, NEW_SECRET, "token");
    expect(row.newSecret).toEqual({ id: "token", value: "" });
    const typed = { ...row, newSecret: { id: " tok ", value: "v" } };
    expect(envValue(typed)).toEqual({ secret_id: "tok" });
    expect(pendingSecrets([typed, text])).toEqual([{ name: "TOKEN", id: "tok", value: "v" }]);
    const settled = settleNewSecrets([typed, text]);
    expect(settled).toEqual([{ name: "TOKEN", value: "", secretId: "tok", newSecret: null }, text]);
    expect(JSON.stringify(settled)).not.toContain('"v"');
    // Choosing an existing secret again forgets the draft.
    expect(withEnvSecret(typed, "other").newSecret).toBeNull();
  });
  it("finds unchosen secrets and incomplete new ones", () => {
    expect(
      envProblems([
        { name: "A", value: "", secretId: "" },
        { name: "B", value: "", secretId: NEW_SECRET, newSecret: { id: "-bad", value: "v" } },
        { name: "C", value: "", secretId: NEW_SECRET, newSecret: { id: "ok", value: "" } },
        { name: "", value: "", secretId: "" },
        { name: "D", value: "", secretId: "fine" },
      ]).map((p) => `${p.field}: ${p.message.slice(0, 12)}`),
    ).toEqual(["transport.env.A: Choose a sec", "transport.env.B: The id must ", "transport.env.C: Type the new"]);
    const v = { ...emptyServerForm(), title: "T", kind: "stdio" as const, env: [{ name: "A", value: "", secretId: "" }] };
    expect(localProblems(v)).toHaveLength(1);
    expect(localProblems(v, true)).toEqual([]);
  });
});

describe("GitHub transport", () => {
  it("round-trips owner/repo and ref", () => {
    const f = formFromRegistration("G", { transport: { type: "github", owner_repo: "https://git.example.com/t/s.git", ref: "v1.2" }, enabled: true });
    expect(f.ok && f.values).toMatchObject({ kind: "github", ownerRepo: "https://git.example.com/t/s.git", gitRef: "v1.2" });
    if (!f.ok) throw new Error(f.reason);
    expect(registrationFromForm(f.values, f.base).transport).toEqual({ type: "github", owner_repo: "https://git.example.com/t/s.git", ref: "v1.2" });
    expect(registrationFromForm({ ...f.values, gitRef: " " }, f.base).transport).toEqual({ type: "github", owner_repo: "https://git.example.com/t/s.git" });
  });
  it("puts its problems next to its fields", () => {
    expect(formFieldOf("transport.owner_repo", "github")).toBe("ownerRepo");
    expect(formFieldOf("transport.ref", "github")).toBe("gitRef");
  });
});
