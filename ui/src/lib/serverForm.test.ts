import { describe, expect, it } from "vitest";
import type { Registration } from "./bindings";
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

  it("writes allowed tools, timeouts and enabled; a time limit that is not a number is the form's to name", () => {
    const r = registrationFromForm({ ...emptyServerForm(), url: "http://h", allowedTools: "echo, add\nsum", connectMs: "5000", callMs: "5s", enabled: false });
    expect(r).toEqual({
      transport: { type: "http", url: "http://h" },
      allowed_tools: ["echo", "add", "sum"],
      timeouts: { connect_ms: 5000 },
      enabled: false,
    });
    expect(localProblems({ ...emptyServerForm(), title: "T", callMs: "5s" })).toEqual([{ field: "timeouts.call_ms", message: expect.stringMatching(/whole number/) }]);
    expect(registrationFromForm({ ...emptyServerForm(), connectMs: "", callMs: "" }).timeouts).toEqual({});
  });

  it("keeps what the form does not show", () => {
    // What the backend sends beyond the typed fields (a note, the platform's keys) comes back as it was.
    const base = { transport: { type: "sse", url: "x" }, auth: { type: "static", header: "X", secret_id: "header.1" }, notes: "n" } as Registration;
    const r = registrationFromForm({ ...formFromRegistration("T", base), kind: "http", url: "http://h" }, base);
    expect(r.auth).toEqual(base.auth);
    expect((r as { notes?: string }).notes).toBe("n");
    expect(r.transport).toEqual({ type: "http", url: "http://h" });
  });

  it("writes the auth the form describes, or none", () => {
    const v = { ...emptyServerForm(), url: "http://h" };
    const base: Registration = { transport: { type: "http", url: "http://h" }, auth: { type: "api_key", header: "X", secret_id: "k" } };
    expect(registrationFromForm(v, base)).not.toHaveProperty("auth");
    expect(registrationFromForm({ ...v, auth: { ...v.auth, kind: "oauth2", authorizerId: "a1" } }).auth).toEqual({ type: "oauth2", authorizer_id: "a1" });
    const f = formFromRegistration("T", { transport: { type: "http", url: "http://h" }, auth: { type: "mcp_oauth", client_id: "c", scopes: ["a", "b"] } });
    expect(f.auth).toMatchObject({ kind: "mcp_oauth", clientId: "c", scopes: "a b" });
  });
});

describe("formFromRegistration", () => {
  it("round-trips every kind", () => {
    const every: Registration[] = [
      { transport: { type: "http", url: "http://h/mcp" }, timeouts: {}, enabled: true },
      { transport: { type: "http", well_known: "https://h/.well-known/mcp.json" }, timeouts: {}, enabled: true },
      { transport: { type: "sse", url: "http://h/sse" }, timeouts: {}, enabled: true },
      {
        transport: { type: "stdio", command: "npx", args: ["-y", "x"], cwd: "/w", env: { A: "1", B: { secret_id: "s" } } },
        allowed_tools: ["echo"],
        timeouts: { connect_ms: 5000, call_ms: 9000 },
        enabled: false,
        auth: { type: "api_key", header: "X", secret_id: "k" },
      },
      { transport: { type: "github", owner_repo: "o/r", ref: "v1", env: { TOKEN: { secret_id: "gh" } } }, timeouts: { connect_ms: 10000, call_ms: 30000 }, enabled: true },
    ];
    for (const reg of every) {
      const back = registrationFromForm(formFromRegistration("T", reg), reg);
      expect(back.transport).toEqual(reg.transport);
      if (reg.allowed_tools || reg.transport.type === "github") expect(back).toEqual(reg);
    }
  });

  it("fills the fields", () => {
    // As the backend sends it: an empty `env` left out.
    const sent = { transport: { type: "stdio", command: "node", args: ["a.js", "stdio"] }, timeouts: { connect_ms: 100 } } as Registration;
    expect(formFromRegistration("Everything", sent)).toMatchObject({
      title: "Everything",
      kind: "stdio",
      command: "node",
      args: "a.js\nstdio",
      env: [],
      connectMs: "100",
      callMs: "30000",
      enabled: true,
    });
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
    // Whether it is a registration is the backend's to say (serverValidate).
    expect(parseRegistrationText("[]")).toEqual({ ok: true, value: [] });
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
  it("round-trips owner/repo, ref and its environment", () => {
    const reg: Registration = { transport: { type: "github", owner_repo: "https://git.example.com/t/s.git", ref: "v1.2", env: { LEVEL: "debug" } }, enabled: true };
    const v = formFromRegistration("G", reg);
    expect(v).toMatchObject({ kind: "github", ownerRepo: "https://git.example.com/t/s.git", gitRef: "v1.2", env: [{ name: "LEVEL", value: "debug", secretId: null }] });
    expect(registrationFromForm(v, reg).transport).toEqual(reg.transport);
    expect(registrationFromForm({ ...v, gitRef: " ", env: [] }, reg).transport).toEqual({ type: "github", owner_repo: "https://git.example.com/t/s.git", env: {} });
  });
  it("checks its new secrets like a local program's", () => {
    const v = { ...emptyServerForm(), title: "T", kind: "github" as const, env: [{ name: "A", value: "", secretId: "" }] };
    expect(localProblems(v)).toHaveLength(1);
  });
  it("puts its problems next to its fields", () => {
    expect(formFieldOf("transport.owner_repo", "github")).toBe("ownerRepo");
    expect(formFieldOf("transport.ref", "github")).toBe("gitRef");
  });
});
