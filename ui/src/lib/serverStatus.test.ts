import { describe, expect, it } from "vitest";
import { auditTone, failureHint, logTone, progressLabel, statusBadge, transportLabel } from "./serverStatus";

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
    const degraded = statusBadge({ state: "degraded", code: "timeout", message: "Slow." });
    expect(degraded).toMatchObject({ label: "timeout", tone: "warning", message: "Reconnecting: Slow." });
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
