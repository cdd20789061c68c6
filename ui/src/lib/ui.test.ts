import { afterEach, describe, expect, it, vi } from "vitest";
import { confirmer, toasts } from "./ui.svelte";

afterEach(() => {
  for (const t of [...toasts.items]) toasts.dismiss(t.id);
  confirmer.current?.resolve(false);
});

describe("confirmer", () => {
  it("resolves with the answer and clears itself", async () => {
    const p = confirmer.ask({ title: "Delete?", message: "Gone for good", danger: true });
    expect(confirmer.current?.title).toBe("Delete?");
    expect(confirmer.current?.okLabel).toBe("OK");
    confirmer.current?.resolve(true);
    await expect(p).resolves.toBe(true);
    expect(confirmer.current).toBeNull();
  });
  it("answers an older question with no when a new one comes", async () => {
    const first = confirmer.ask({ title: "One", message: "" });
    const second = confirmer.ask({ title: "Two", message: "" });
    await expect(first).resolves.toBe(false);
    expect(confirmer.current?.title).toBe("Two");
    confirmer.current?.resolve(true);
    await expect(second).resolves.toBe(true);
  });
  it("asks with a third answer and tells which one was given", async () => {
    const saving = confirmer.choose({ title: "Save?", message: "" }, "Save");
    expect(confirmer.current?.extraLabel).toBe("Save");
    confirmer.current?.resolveExtra();
    await expect(saving).resolves.toBe("extra");
    const discarding = confirmer.choose({ title: "Save?", message: "" }, "Save");
    confirmer.current?.resolve(true);
    await expect(discarding).resolves.toBe("ok");
    const staying = confirmer.choose({ title: "Save?", message: "" }, "Save");
    confirmer.current?.resolve(false);
    await expect(staying).resolves.toBe("cancel");
    // A plain question has no third button.
    void confirmer.ask({ title: "Delete?", message: "" });
    expect(confirmer.current?.extraLabel).toBe("");
  });
});

describe("toasts", () => {
  it("shows the backend message and a next step, never JSON", () => {
    toasts.error("Couldn't save", { code: "storage_error", message: "Disk full.", details: null });
    const t = toasts.items.at(-1);
    expect(t?.title).toBe("Couldn't save");
    expect(t?.body).toBe("Disk full.");
    expect(t?.hint).toMatch(/disk space/);
    expect(JSON.stringify(t)).not.toContain("storage_error");
  });
  it("keeps at most four and expires them", () => {
    vi.useFakeTimers();
    try {
      for (let i = 0; i < 6; i++) toasts.info(`n${i}`);
      expect(toasts.items.map((t) => t.title)).toEqual(["n2", "n3", "n4", "n5"]);
      vi.advanceTimersByTime(6_000);
      expect(toasts.items).toHaveLength(0);
    } finally {
      vi.useRealTimers();
    }
  });
  it("dismisses by id", () => {
    const id = toasts.success("Saved");
    toasts.dismiss(id);
    expect(toasts.items.find((t) => t.id === id)).toBeUndefined();
  });
});
