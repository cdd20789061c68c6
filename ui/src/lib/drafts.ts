/**
 * Unsaved edits kept on this computer (the webview's localStorage) while they are typed, so that a crash, a
 * killed window or a power cut does not take them: when the artifact is opened again the draft is offered back.
 * One draft per artifact (or per workspace for a new artifact); saving or discarding removes it.
 */
import type { ArtifactForm } from "./patch";

export interface Draft {
  form: ArtifactForm;
  /** The version the edits started from (null for a new artifact): tells whether it changed since. */
  baseVersion: number | null;
  /** When it was kept (ms since the epoch). */
  savedAt: number;
}

/** Where drafts are kept: localStorage in the window, a map in tests. */
export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const PREFIX = "atrium.draft.";

/**
 * Drafts bigger than this are not kept: the webview's storage holds a few MiB in all, and one huge artifact must
 * not push out everything else (its edits are still asked about before they can be lost).
 */
export const MAX_DRAFT_CHARS = 1_500_000;

/** The key of a draft: the artifact's id, or `new:<workspace id>` for an artifact not created yet. */
export function draftKey(mode: "none" | "new" | "edit", artifactId: string | null, workspaceId: string | null): string | null {
  if (mode === "edit" && artifactId) return artifactId;
  if (mode === "new" && workspaceId) return `new:${workspaceId}`;
  return null;
}

function isForm(v: unknown): v is ArtifactForm {
  if (typeof v !== "object" || v === null) return false;
  const f = v as Record<string, unknown>;
  return typeof f.title === "string" && typeof f.content_type === "string" && typeof f.content === "string" && typeof f.state === "string";
}

export class Drafts {
  #storage: () => DraftStorage | null;

  constructor(storage: () => DraftStorage | null) {
    this.#storage = storage;
  }

  /** Keeps a draft; false when it was not kept (too big, storage full or unavailable). */
  write(key: string, draft: Draft): boolean {
    const size = draft.form.content.length + draft.form.title.length;
    if (size > MAX_DRAFT_CHARS) {
      this.remove(key); // an older, smaller draft of it would be offered back as if current
      return false;
    }
    try {
      this.#storage()?.setItem(PREFIX + key, JSON.stringify(draft));
      return this.#storage() !== null;
    } catch {
      return false; // quota: the question before leaving still guards the edits
    }
  }

  read(key: string): Draft | null {
    try {
      const raw = this.#storage()?.getItem(PREFIX + key);
      if (!raw) return null;
      const d = JSON.parse(raw) as Partial<Draft>;
      if (!isForm(d.form) || typeof d.savedAt !== "number") return null;
      return { form: d.form, baseVersion: typeof d.baseVersion === "number" ? d.baseVersion : null, savedAt: d.savedAt };
    } catch {
      return null;
    }
  }

  remove(key: string): void {
    try {
      this.#storage()?.removeItem(PREFIX + key);
    } catch {
      /* nothing kept */
    }
  }
}

/** The drafts of this window. */
export const drafts = new Drafts(() => {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
});

/** Whether a kept draft says something the form does not (then it is worth offering back). */
export function differs(draft: Draft, form: ArtifactForm): boolean {
  const d = draft.form;
  return d.title !== form.title || d.content_type !== form.content_type || d.content !== form.content || d.state !== form.state;
}
