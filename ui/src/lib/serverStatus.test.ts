import { describe, expect, it } from "vitest";
import {
  auditTone,
  failureHint,
  installProgress,
  lifecycleActions,
  logTone,
  progressLabel,
  retryText,
  statusBadge,
  transportLabel,
} from "./serverStatus";

describe("statusBadge", () => {
  it("names plain states", () => {
    expect(statusBadge({ state: "ready" })).toMatchObject({ state: "ready", label: "Ready", tone: "success", code: null });
    expect(statusBadge({ state: "starting" })).toMatchObject({ state: "starting", tone: "progress" });
    expect(statusBadge({ state: "stopped" }).label).toBe("Stopped");
    expect(statusBadge({ state: "stopped" }, false).label).toBe("Disabled");
  });
  it("shows the failure code, with the message for the tooltip", () => {
    const failed = statusBadge({ state: "failed", code: "config_error", message: "No transport.", stderr_tail: [] });
    expect(failed).toEqual({ state: "failed", label: "config_error", tone: "danger", code: "config_error", message: "No transport." });
    const degraded = statusBadge({ state: "degraded", code: "timeout", message: "Slow.", attempt: 2, retry_in_ms: 2000 });
    expect(degraded).toMatchObject({ label: "timeout", tone: "warning", message: "Reconnecting (attempt 2): Slow." });
  });
  it("asks for a sign-in in the backend's words", () => {
    expect(statusBadge({ state: "needs_login", message: "Sign in to Linear." })).toEqual({
      state: "needs_login",
      label: "Login required",
      tone: "warning",
      code: null,
      message: "Sign in to Linear.",
    });
    expect(statusBadge({ state: "needs_login", message: "" }).message).toMatch(/asks you to sign in/);
  });
  it("shows an install in progress", () => {
    const b = statusBadge({ state: "installing", step: "npm install", done: 2, total: 4 });
    expect(b).toMatchObject({ state: "installing", label: "Installing…", tone: "progress", message: "Installing: npm install (2/4)" });
  });
});

describe("local server lifecycle", () => {
  it("offers start, stop and restart by state", () => {
    expect(lifecycleActions("stopped")).toEqual(["start"]);
    expect(lifecycleActions("failed")).toEqual(["start"]);
    expect(lifecycleActions("starting")).toEqual(["stop"]);
    expect(lifecycleActions("installing")).toEqual(["stop"]);
    expect(lifecycleActions("needs_login")).toEqual(["stop"]);
    expect(lifecycleActions("ready")).toEqual(["stop", "restart"]);
    expect(lifecycleActions("degraded")).toEqual(["stop", "restart"]);
  });
  it("counts down to the next restart in whole seconds", () => {
    expect(retryText(3, 4000)).toBe("restarting in 4 s (attempt 3)");
    expect(retryText(3, 3001)).toBe("restarting in 4 s (attempt 3)");
    expect(retryText(1, 0)).toBe("restarting now (attempt 1)");
    expect(retryText(1, -50)).toBe("restarting now (attempt 1)");
  });
  it("measures install progress", () => {
    expect(installProgress({ step: "Cloning", done: 1, total: 4 })).toEqual({ label: "Cloning (1/4)", fraction: 0.25 });
    expect(installProgress({ step: "", done: 0, total: 0 })).toEqual({ label: "Preparing", fraction: null });
    expect(installProgress({ step: "Done", done: 9, total: 4 })).toEqual({ label: "Done (4/4)", fraction: 1 });
  });
});

describe("tones and hints", () => {
  it("colours audit statuses and log levels", () => {
    expect(auditTone("ok")).toBe("success");
    expect(auditTone("tool_error")).toBe("warning");
    expect(auditTone("denied")).toBe("danger");
    expect(auditTone("cancelled")).toBe("neutral");
    expect(logTone("ERROR")).toBe("danger");
    expect(logTone("warning")).toBe("warning");
    expect(logTone("atrium")).toBe("accent");
    expect(logTone("stderr")).toBe("neutral");
  });
  it("says what to do next for every failure code", () => {
    expect(failureHint("crashed")).toMatch(/log/);
    expect(failureHint("nope")).toBe("");
    expect(failureHint(null)).toBe("");
  });
  it("labels transports", () => {
    expect(transportLabel("http")).toBe("HTTP");
    expect(transportLabel("")).toBe("Invalid");
  });
});

describe("progressLabel", () => {
  it("says the message and the count", () => {
    expect(progressLabel({ progress: 2, total: 5, message: "Step 2 of 5" })).toBe("Step 2 of 5 · 2 / 5");
    expect(progressLabel({ progress: 2, total: 5, message: null })).toBe("2 / 5");
    expect(progressLabel({ progress: 7, total: null, message: null })).toBe("7");
    expect(progressLabel({ progress: 7, total: null, message: "Indexing" })).toBe("Indexing");
  });
});
