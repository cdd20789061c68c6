/**
 * Sync conflicts as the Conflicts view shows them: the two sides (this computer's artifact and the platform's
 * version) and what each way of settling it does in words (what differs is `textDiff`'s). Pure.
 */
import type { Artifact, ConflictKind, JsonValue, Resolution, SyncConflict } from "./bindings";

/** One side of a conflict, as shown. */
export interface ConflictSide {
  title: string;
  content: string;
  contentType: string;
  modifiedTime: string | null;
  modifiedBy: string | null;
}

type Obj = { [k: string]: JsonValue | undefined };

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function text(o: Obj, key: string): string | null {
  const v = o[key];
  return typeof v === "string" ? v : null;
}

/** The platform sends `context` as JSON text; the backend parses it, but either is read. */
function contextOf(o: Obj): Obj {
  const c = o.context;
  if (isObj(c)) return c;
  if (typeof c === "string" && c.trim()) {
    try {
      const parsed: unknown = JSON.parse(c);
      if (isObj(parsed)) return parsed;
    } catch {
      /* not JSON: no context */
    }
  }
  return {};
}

function nonEmpty(...values: (string | null)[]): string | null {
  return values.find((v) => v !== null && v.trim() !== "") ?? null;
}

/** A platform artifact's JSON (`conflict.remote`), or an artifact as it was (`conflict.local`), as a side. */
export function sideFromJson(raw: JsonValue | null | undefined): ConflictSide | null {
  if (!isObj(raw)) return null;
  const context = contextOf(raw);
  return {
    title: nonEmpty(text(context, "title"), text(raw, "title"), text(raw, "name")) ?? "Untitled",
    content: text(raw, "content") ?? "",
    contentType: nonEmpty(text(raw, "content_type"), text(context, "content_type")) ?? "text/plain",
    modifiedTime: nonEmpty(text(raw, "modified_time"), text(raw, "created_time")),
    modifiedBy: nonEmpty(text(raw, "modified_by")),
  };
}

/** The platform's side; null when it was deleted there. */
export function remoteSide(c: Pick<SyncConflict, "kind" | "remote">): ConflictSide | null {
  return c.kind === "edited_here_deleted_there" ? null : sideFromJson(c.remote);
}

/** Whether this computer's side is a delete (then `local` is the artifact as it was, when known). */
export function deletedHere(c: Pick<SyncConflict, "kind">): boolean {
  return c.kind === "deleted_here_edited_there";
}

/** This computer's artifact as a side. */
export function localSide(a: Pick<Artifact, "title" | "content" | "content_type" | "modified_time" | "modified_by">): ConflictSide {
  return { title: a.title, content: a.content, contentType: a.content_type, modifiedTime: a.modified_time, modifiedBy: a.modified_by };
}

/** The conflict's name in the list: the platform's title, else the local snapshot's, else the artifact's. */
export function conflictTitle(c: Pick<SyncConflict, "kind" | "remote" | "local">, localTitle: string | null = null): string {
  return remoteSide(c)?.title ?? sideFromJson(c.local)?.title ?? localTitle ?? "An artifact";
}

export const KIND_LABELS: Record<ConflictKind, string> = {
  both_edited: "Changed on both sides",
  edited_here_deleted_there: "Changed here, deleted on the platform",
  deleted_here_edited_there: "Deleted here, changed on the platform",
};

export interface ResolutionChoice {
  resolution: Resolution;
  label: string;
  /** What it does, in one sentence (the button's tooltip and the line under the buttons). */
  hint: string;
  testid: "resolve-local" | "resolve-remote" | "resolve-both";
}

/** The ways to settle a conflict of this kind, worded for it. Keeping both makes no sense after a local delete. */
export function resolutionChoices(kind: ConflictKind): ResolutionChoice[] {
  switch (kind) {
    case "both_edited":
      return [
        { resolution: "keep_local", testid: "resolve-local", label: "Keep this computer's", hint: "This computer's version goes to the platform and replaces its edit there (the platform keeps no draft history)." },
        { resolution: "keep_remote", testid: "resolve-remote", label: "Keep the platform's", hint: "The platform's version becomes the current one here; yours stays in the artifact's history." },
        { resolution: "keep_both", testid: "resolve-both", label: "Keep both", hint: "Your version becomes a new artifact (and goes to the platform too); the original takes the platform's version." },
      ];
    case "edited_here_deleted_there":
      return [
        { resolution: "keep_local", testid: "resolve-local", label: "Keep this computer's", hint: "It goes back to the platform as a new artifact." },
        { resolution: "keep_remote", testid: "resolve-remote", label: "Delete it here too", hint: "It is deleted here as well, as it was on the platform." },
        { resolution: "keep_both", testid: "resolve-both", label: "Keep both", hint: "Your version stays as a new artifact (and goes back to the platform); the original follows the platform's delete." },
      ];
    case "deleted_here_edited_there":
      return [
        { resolution: "keep_local", testid: "resolve-local", label: "Delete it on the platform too", hint: "Your delete goes ahead: it is deleted on the platform as well." },
        { resolution: "keep_remote", testid: "resolve-remote", label: "Keep the platform's", hint: "The platform's version comes back to this computer." },
      ];
  }
}
