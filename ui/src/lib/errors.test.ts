import { describe, expect, it } from "vitest";
import { ApiFailure, groupProblems, nextStep, normalizeApiError, problemPosition, toFailure } from "./errors";

describe("normalizeApiError", () => {
  it("keeps a well-formed ApiError", () => {
    const e = { code: "not_found", message: "No such artifact", details: null };
    expect(normalizeApiError(e)).toEqual(e);
  });
  it("keeps and cleans field details", () => {
    const e = {
      code: "invalid_input",
      message: "Invalid",
      details: { kind: "fields", problems: [{ field: "title", message: "Required" }, { bogus: 1 }] },
    };
    expect(normalizeApiError(e).details).toEqual({ kind: "fields", problems: [{ field: "title", message: "Required" }] });
  });
  it("keeps version conflict details", () => {
    const e = { code: "version_conflict", message: "m", details: { kind: "version_conflict", expected: 2, actual: 3 } };
    expect(normalizeApiError(e).details).toEqual({ kind: "version_conflict", expected: 2, actual: 3 });
  });
  it("turns strings and Errors into internal errors without JSON", () => {
    expect(normalizeApiError("command artifact_get not found")).toEqual({
      code: "internal",
      message: "command artifact_get not found",
      details: null,
    });
    expect(normalizeApiError(new Error("IPC down")).message).toBe("IPC down");
    expect(normalizeApiError({ weird: true }).message).toBe("Something went wrong inside Atrium.");
    expect(normalizeApiError({ code: "nope", message: "x" }).code).toBe("internal");
    expect(normalizeApiError(undefined).code).toBe("internal");
  });
});

describe("ApiFailure", () => {
  it("exposes code, message and field problems", () => {
    const f = toFailure({ code: "invalid_input", message: "Bad", details: { kind: "fields", problems: [{ field: "title", message: "Too long" }] } });
    expect(f).toBeInstanceOf(ApiFailure);
    expect(f).toBeInstanceOf(Error);
    expect(f.code).toBe("invalid_input");
    expect(f.message).toBe("Bad");
    expect(f.problems).toEqual([{ field: "title", message: "Too long" }]);
    expect(toFailure(f)).toBe(f);
  });
});

describe("groupProblems", () => {
  it("groups by field in order", () => {
    expect(
      groupProblems([
        { field: "title", message: "a" },
        { field: "content", message: "b" },
        { field: "title", message: "c" },
      ]),
    ).toEqual({ title: ["a", "c"], content: ["b"] });
  });
});

describe("nextStep", () => {
  it("gives an action for every code and mentions the log folder when known", () => {
    const codes = ["invalid_input", "not_found", "version_conflict", "database_too_new", "database_unavailable", "storage_error", "internal"] as const;
    for (const code of codes) expect(nextStep({ code, message: "", details: null }).length).toBeGreaterThan(10);
    expect(nextStep({ code: "internal", message: "", details: null }, "/logs")).toContain("/logs");
  });

  it("keeps the platform's codes and says what to do after each", () => {
    for (const code of ["signed_out", "platform_unavailable", "platform_failed", "cancelled"] as const) {
      expect(normalizeApiError({ code, message: "m", details: null }).code).toBe(code);
      expect(nextStep({ code, message: "", details: null }).length).toBeGreaterThan(10);
    }
    expect(nextStep({ code: "signed_out", message: "", details: null })).toMatch(/Sign in under Platform/);
    expect(nextStep({ code: "platform_unavailable", message: "", details: null })).toMatch(/network/);
  });
});

describe("server errors", () => {
  it("keeps server failure details and exposes the failure code", () => {
    const e = { code: "server_failed", message: "Timed out.", details: { kind: "server", failure_code: "timeout" } };
    expect(normalizeApiError(e)).toEqual(e);
    expect(toFailure(e).failureCode).toBe("timeout");
    expect(toFailure({ code: "server_unavailable", message: "x", details: { kind: "server", failure_code: "nope" } }).failureCode).toBeNull();
    expect(toFailure({ code: "not_found", message: "x", details: null }).failureCode).toBeNull();
  });
  it("says what to do next", () => {
    expect(nextStep({ code: "server_unavailable", message: "", details: null })).toMatch(/Servers/);
    expect(nextStep({ code: "server_failed", message: "", details: null })).toMatch(/log/);
  });
});

describe("keychain and positions", () => {
  it("knows keychain_unavailable and says what to run", () => {
    const e = normalizeApiError({ code: "keychain_unavailable", message: "No Secret Service.", details: null });
    expect(e.code).toBe("keychain_unavailable");
    expect(nextStep(e)).toMatch(/GNOME Keyring/);
  });
  it("keeps where in a file a problem is", () => {
    const e = normalizeApiError({
      code: "invalid_input",
      message: "The configuration cannot be read (line 3): expected “,”",
      details: { kind: "fields", problems: [{ field: "source", message: "expected “,”", position: { line: 3, column: 7 } }, { field: "x", message: "y", position: "bad" }] },
    });
    expect(e.details).toEqual({
      kind: "fields",
      problems: [
        { field: "source", message: "expected “,”", position: { line: 3, column: 7 } },
        { field: "x", message: "y" },
      ],
    });
    expect(problemPosition(e)).toEqual({ line: 3, column: 7 });
    expect(problemPosition({ code: "not_found", message: "", details: null })).toBeNull();
  });
});
