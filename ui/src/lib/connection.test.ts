import { describe, expect, it } from "vitest";
import type { ConnectionReport, ServiceCheck, SignInOptions } from "./bindings";
import { defaultProvider, passwordOffered, probeAnswerText, providerField, reportView, serviceView } from "./connection";

const found = (service: ServiceCheck["service"], url: string, found_by: ServiceCheck["found_by"] = "front_layout"): ServiceCheck => ({
  service,
  url,
  found_by,
  tried: [{ url: `${url}/`, answer: { kind: "service" } }],
  note: null,
});
const missing = (service: ServiceCheck["service"], tried: ServiceCheck["tried"], note: ServiceCheck["note"] = null): ServiceCheck => ({
  service,
  url: null,
  found_by: null,
  tried,
  note,
});
const options: SignInOptions = { providers: [{ name: "entra", label: "Microsoft" }, { name: "google", label: "Google" }], password: true, otp: false };
const report = (over: Partial<ConnectionReport> = {}): ConnectionReport => ({
  origin: found("origin", "https://agience.example.com", "same_url"),
  mantle: found("mantle", "https://agience.example.com/api"),
  chorus: found("chorus", "https://agience.example.com"),
  sign_in: options,
  ...over,
});

describe("connection report", () => {
  it("shows each service found, where and how", () => {
    const v = reportView(report());
    expect(v.canSignIn).toBe(true);
    expect(v.missing).toBeNull();
    expect(v.openServiceUrls).toBe(false);
    expect(v.summary).toEqual({ tone: "success", text: "Everything answered. You can sign in." });
    expect(v.services.map((s) => [s.name, s.badge.state, s.where, s.how])).toEqual([
      ["Origin", "found", "agience.example.com", "at the address"],
      ["Mantle", "found", "agience.example.com/api", "where a one-address install puts it"],
      ["Chorus", "found", "agience.example.com", "where a one-address install puts it"],
    ]);
  });

  it("signs in without Chorus, saying the relay stays off and why the front does not reach it", () => {
    const chorus = missing("chorus", [{ url: "wss://agience.example.com/relay/v1/connect", answer: { kind: "web_page" } }], "relay_not_routed");
    const v = reportView(report({ chorus }));
    expect(v.canSignIn).toBe(true);
    expect(v.openServiceUrls).toBe(true);
    expect(v.summary.tone).toBe("warning");
    expect(v.summary.text).toMatch(/relay stays off/);
    const c = v.services[2];
    expect(c.badge).toMatchObject({ state: "not_found", tone: "warning" });
    expect(c.tried).toEqual([{ url: "wss://agience.example.com/relay/v1/connect", answer: "a web page, not the service", answered: false }]);
    expect(c.note?.kind).toBe("relay_not_routed");
    expect(c.note?.text).toMatch(/route \/relay\/ to Chorus, or give Chorus's own URL/);
  });

  it("does not sign in without Mantle (or Origin), and opens the Service URLs", () => {
    const mantle = missing("mantle", [
      { url: "https://a.example/api/", answer: { kind: "status", status: 404 } },
      { url: "https://a.example/", answer: { kind: "web_page" } },
    ]);
    const v = reportView(report({ mantle }));
    expect(v).toMatchObject({ canSignIn: false, missing: "mantle", openServiceUrls: true });
    expect(v.summary.text).toMatch(/Give Mantle's URL under Service URLs/);
    expect(v.services[1].badge).toMatchObject({ state: "not_found", tone: "danger", label: "Not found" });
    expect(v.services[1].tried.map((t) => t.answer)).toEqual(["HTTP 404", "a web page, not the service"]);
    const origin = missing("origin", [{ url: "https://a.example/.well-known/openid-configuration", answer: { kind: "unreachable", reason: "connection refused" } }]);
    expect(reportView(report({ origin, mantle })).missing).toBe("origin");
  });

  it("says when the platform's setup is not finished", () => {
    const mantle = { ...found("mantle", "https://a.example/api"), note: "setup_required" as const };
    const v = reportView(report({ mantle }));
    expect(v.summary).toMatchObject({ tone: "warning" });
    expect(v.services[1].note).toMatchObject({ kind: "setup_required", text: expect.stringMatching(/administrator must finish it in the platform's web app/) });
  });

  it("words every probe answer and every way of finding", () => {
    expect(probeAnswerText({ kind: "service" })).toBe("answered");
    expect(probeAnswerText({ kind: "unreachable", reason: "timed out" })).toBe("no answer (timed out)");
    expect(probeAnswerText({ kind: "not_the_service", reason: "not JSON" })).toBe("not the service (not JSON)");
    expect(serviceView(found("mantle", "https://m.example", "given")).how).toBe("at the URL you gave");
    expect(serviceView(found("mantle", "https://m.example", "advertised")).how).toMatch(/advertises/);
    expect(serviceView(found("mantle", "https://m.example", "front_config")).how).toMatch(/web app's configuration/);
  });
});

describe("sign-in choices", () => {
  it("lists the platform's providers, picking its default (Google) when listed", () => {
    expect(providerField(options)).toEqual({ kind: "select", providers: options.providers, initial: "google" });
    expect(defaultProvider([{ name: "entra", label: "Microsoft" }])).toBe("entra");
    expect(defaultProvider([])).toBe("");
  });

  it("asks for a provider's name when none is listed or the list is not known", () => {
    expect(providerField({ ...options, providers: [] })).toEqual({ kind: "text", why: "none_listed" });
    expect(providerField(null)).toEqual({ kind: "text", why: "unknown" });
  });

  it("offers the password unless the platform turned it off", () => {
    expect(passwordOffered(null)).toBe(true);
    expect(passwordOffered(options)).toBe(true);
    expect(passwordOffered({ ...options, password: false })).toBe(false);
  });
});
