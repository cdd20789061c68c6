/** Cross-cutting UI services: toasts and the confirmation dialog. */
import { nextStep, toFailure } from "./errors";

export type ToastKind = "error" | "info" | "success";

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  body: string;
  hint: string;
}

const LIFETIME: Record<ToastKind, number> = { error: 12_000, info: 5_000, success: 3_500 };
const MAX_TOASTS = 4;

class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;
  #timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** Log folder, mentioned in hints for internal errors once known. */
  logDir: string | null = null;

  push(kind: ToastKind, title: string, body = "", hint = ""): number {
    const id = this.#next++;
    this.items = [...this.items, { id, kind, title, body, hint }].slice(-MAX_TOASTS);
    this.#timers.set(
      id,
      setTimeout(() => this.dismiss(id), LIFETIME[kind]),
    );
    return id;
  }

  /** Error toast: what failed, the backend's message, and what to do next. Never raw JSON. */
  error(what: string, e: unknown): number {
    const f = toFailure(e);
    return this.push("error", what, f.message, nextStep(f.error, this.logDir));
  }

  info(title: string, body = ""): number {
    return this.push("info", title, body);
  }

  success(title: string, body = ""): number {
    return this.push("success", title, body);
  }

  /** Hovering a toast keeps it up; leaving restarts a short timer. */
  hold(id: number): void {
    const t = this.#timers.get(id);
    if (t) clearTimeout(t);
  }
  release(id: number): void {
    this.hold(id);
    this.#timers.set(
      id,
      setTimeout(() => this.dismiss(id), 3_000),
    );
  }

  dismiss(id: number): void {
    const t = this.#timers.get(id);
    if (t) clearTimeout(t);
    this.#timers.delete(id);
    this.items = this.items.filter((x) => x.id !== id);
  }
}

export const toasts = new Toasts();

export interface ConfirmOptions {
  title: string;
  message: string;
  /** A second paragraph, e.g. "This cannot be undone." */
  detail?: string;
  okLabel?: string;
  cancelLabel?: string;
  danger?: boolean;
}

export interface ConfirmRequest extends Required<Omit<ConfirmOptions, "detail">> {
  detail: string;
  /** A third answer's button ("Save" beside "Discard" and "Keep editing"); empty when there is none. */
  extraLabel: string;
  resolve: (ok: boolean) => void;
  /** Answers with the third button. */
  resolveExtra: () => void;
}

/** The answer to a question with three buttons. */
export type Choice = "ok" | "extra" | "cancel";

class Confirmer {
  current = $state<ConfirmRequest | null>(null);

  ask(opts: ConfirmOptions): Promise<boolean> {
    return this.choose(opts, "").then((c) => c === "ok");
  }

  /** Asks with a third answer besides OK and Cancel (`extraLabel` names its button; "" for none). */
  choose(opts: ConfirmOptions, extraLabel: string): Promise<Choice> {
    // Only one question at a time: a new one answers the old one with "no".
    this.current?.resolve(false);
    return new Promise<Choice>((resolve) => {
      const answer = (c: Choice) => {
        this.current = null;
        resolve(c);
      };
      this.current = {
        title: opts.title,
        message: opts.message,
        detail: opts.detail ?? "",
        okLabel: opts.okLabel ?? "OK",
        cancelLabel: opts.cancelLabel ?? "Cancel",
        danger: opts.danger ?? false,
        extraLabel,
        resolve: (ok: boolean) => answer(ok ? "ok" : "cancel"),
        resolveExtra: () => answer("extra"),
      };
    });
  }
}

export const confirmer = new Confirmer();

/** Whether any modal is open; global shortcuts stand down while one is. */
class Modals {
  count = $state(0);
  get open(): boolean {
    return this.count > 0;
  }
}
export const modals = new Modals();
