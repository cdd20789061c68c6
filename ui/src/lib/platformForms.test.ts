import { describe, expect, it } from "vitest";
import type { SignInOptions } from "./bindings";
import {
  addressKey,
  addRoot,
  emptySignInForm,
  firstProblemField,
  formAddressOf,
  isAbsolutePath,
  normalizePlatformUrl,
  platformAddress,
  removeRoot,
  rootProblem,
  signInProblems,
  signInRequest,
  urlProblem,
} from "./platformForms";

describe("platform address", () => {
  it("adds https:// when no scheme was typed", () => {
    expect(normalizePlatformUrl("  agience.example.com ")).toBe("https://agience.example.com");
    expect(normalizePlatformUrl("http://localhost:8080")).toBe("http://localhost:8080");
    expect(normalizePlatformUrl("")).toBe("");
  });

  it("refuses what is not an http(s) address", () => {
    expect(urlProblem("")).toMatch(/Enter the platform's address/);
    expect(urlProblem("https://agience.example.com")).toBeNull();
    expect(urlProblem("agience.example.com")).toBeNull();
    expect(urlProblem("ftp://agience.example.com")).toMatch(/https:\/\//);
    expect(urlProblem("https://exa mple.com")).toMatch(/not an address/);
  });

  it("takes plain http only on this computer, as the platform client does", () => {
    expect(urlProblem("http://127.0.0.1:8765")).toBeNull();
    expect(urlProblem("http://localhost:8080")).toBeNull();
    expect(urlProblem("http://agience.example.com")).toMatch(/https:\/\/.*this computer/);
    expect(urlProblem("https://agience.example.com/?x=1")).toMatch(/\? or #/);
  });

  it("sends the service URLs only when given, as the address does", () => {
    expect(platformAddress(emptySignInForm("agience.example.com"))).toEqual({ url: "https://agience.example.com", mantle_url: null, chorus_url: null });
    expect(platformAddress({ url: "http://127.0.0.1:1", mantleUrl: " http://127.0.0.1:2 ", chorusUrl: "chorus.example.com" })).toEqual({
      url: "http://127.0.0.1:1",
      mantle_url: "http://127.0.0.1:2",
      chorus_url: "https://chorus.example.com",
    });
  });

  it("tells one address from another, whatever way it was typed", () => {
    const a = platformAddress(emptySignInForm("Agience.example.com/"));
    const b = platformAddress(emptySignInForm("https://agience.example.com"));
    expect(addressKey(a)).toBe(addressKey(b));
    expect(addressKey(a)).not.toBe(addressKey({ ...b, chorus_url: "https://c.example.com" }));
  });

  it("fills the form from the last sign-in, giving Mantle's URL only when discovery would not find it", () => {
    expect(formAddressOf(null)).toEqual({ url: "", mantleUrl: "" });
    expect(formAddressOf({ origin: "https://a.example", mantle: "https://a.example/api", chorus: null })).toEqual({ url: "https://a.example", mantleUrl: "" });
    expect(formAddressOf({ origin: "https://a.example/", mantle: "https://a.example", chorus: null })).toEqual({ url: "https://a.example", mantleUrl: "" });
    expect(formAddressOf({ origin: "http://127.0.0.1:1", mantle: "http://127.0.0.1:2", chorus: "http://127.0.0.1:3" })).toEqual({
      url: "http://127.0.0.1:1",
      mantleUrl: "http://127.0.0.1:2",
    });
  });
});

describe("sign-in form", () => {
  it("starts with the browser and the last address", () => {
    expect(emptySignInForm("https://a.example")).toEqual({
      url: "https://a.example",
      mantleUrl: "",
      chorusUrl: "",
      method: "browser",
      provider: "",
      identifier: "",
      password: "",
      apiKey: "",
    });
  });

  it("asks only for the chosen method's fields", () => {
    const v = { ...emptySignInForm("https://a.example"), identifier: "", password: "", apiKey: "" };
    expect(signInProblems(v)).toEqual({});
    expect(Object.keys(signInProblems({ ...v, method: "password" })).sort()).toEqual(["identifier", "password"]);
    expect(signInProblems({ ...v, method: "password", identifier: "dana", password: " " })).toEqual({});
    expect(signInProblems({ ...v, method: "api_key" }).api_key).toMatch(/agc_/);
    expect(signInProblems({ ...v, method: "api_key", apiKey: "agc_1 2" }).api_key).toMatch(/no spaces/);
    expect(signInProblems({ ...v, method: "api_key", apiKey: " agc_123 " })).toEqual({});
    expect(signInProblems({ ...v, url: "" }).url).toBeTruthy();
  });

  it("checks the service URLs only when given", () => {
    const v = emptySignInForm("https://a.example");
    expect(signInProblems({ ...v, mantleUrl: "  " })).toEqual({});
    expect(signInProblems({ ...v, mantleUrl: "ftp://m.example" }).mantle_url).toMatch(/Mantle's URL/);
    expect(signInProblems({ ...v, chorusUrl: "http://chorus.example.com" }).chorus_url).toMatch(/Chorus's URL starts with https/);
    expect(firstProblemField(signInProblems({ ...v, chorusUrl: "ftp://c", method: "password" }))).toBe("chorus_url");
  });

  it("checks the password against what the platform offers, and leaves the provider to the backend", () => {
    const v = emptySignInForm("https://a.example");
    const none: SignInOptions = { providers: [], password: true, otp: false };
    expect(signInProblems({ ...v, provider: "okta" }, none)).toEqual({});
    const pw = { ...v, method: "password" as const };
    expect(signInProblems(pw, { ...none, password: false })).toEqual({ method: expect.stringMatching(/password sign-in turned off/) });
    expect(firstProblemField(signInProblems(pw, { ...none, password: false }))).toBe("method");
    expect(signInProblems({ ...pw, identifier: "ada", password: "x" }, none)).toEqual({});
  });

  it("sends only the chosen method's credentials", () => {
    const v = { ...emptySignInForm("x"), method: "browser" as const, identifier: " dana ", password: " secret ", apiKey: " agc_1 " };
    expect(signInRequest(v)).toEqual({ method: "browser", provider: null });
    expect(signInRequest({ ...v, provider: " entra " })).toEqual({ method: "browser", provider: "entra" });
    expect(signInRequest({ ...v, method: "password" })).toEqual({ method: "password", identifier: "dana", password: " secret " });
    expect(signInRequest({ ...v, method: "api_key" })).toEqual({ method: "api_key", key: "agc_1" });
  });

  it("focuses the first problem in the form's order", () => {
    expect(firstProblemField({ password: "a", url: "b" })).toBe("url");
    expect(firstProblemField({ password: "a", identifier: "b" })).toBe("identifier");
    expect(firstProblemField({})).toBeNull();
  });
});

describe("shared folders", () => {
  it("knows absolute paths on each system", () => {
    for (const p of ["/home/dana", "~/projects", "~", "C:\\Users\\dana", "D:/work", "\\\\server\\share"]) expect(isAbsolutePath(p)).toBe(true);
    for (const p of ["projects", "./projects", "~dana", "C:relative"]) expect(isAbsolutePath(p)).toBe(false);
  });

  it("adds a new absolute folder once", () => {
    expect(addRoot(["/a"], " /home/dana/projects ")).toEqual({ roots: ["/a", "/home/dana/projects"], problem: null });
    expect(addRoot(["/a"], "projects")).toEqual({ roots: ["/a"], problem: expect.stringMatching(/full path/) });
    expect(addRoot(["/a"], "  ").problem).toMatch(/Enter a folder/);
    expect(addRoot(["/home/dana/"], "/home/dana").problem).toMatch(/shared already/);
    expect(rootProblem("/", ["/"])).toMatch(/shared already/);
    expect(rootProblem("/home", ["/"])).toBeNull();
  });

  it("removes one folder and leaves the others", () => {
    expect(removeRoot(["/a", "/b", "/c"], "/b")).toEqual(["/a", "/c"]);
    expect(removeRoot(["/a"], "/z")).toEqual(["/a"]);
  });
});
