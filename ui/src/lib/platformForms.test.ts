import { describe, expect, it } from "vitest";
import {
  addRoot,
  emptySignInForm,
  firstProblemField,
  isAbsolutePath,
  normalizePlatformUrl,
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
});

describe("sign-in form", () => {
  it("starts with the browser and the last address", () => {
    expect(emptySignInForm("https://a.example")).toEqual({ url: "https://a.example", method: "browser", identifier: "", password: "", apiKey: "" });
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

  it("sends only the chosen method's credentials", () => {
    const v = { url: "x", method: "browser" as const, identifier: " dana ", password: " secret ", apiKey: " agc_1 " };
    expect(signInRequest(v)).toEqual({ method: "browser" });
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
