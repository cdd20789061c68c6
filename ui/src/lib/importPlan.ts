/**
 * Importing servers from another host's configuration (Claude Desktop, VS Code, Cursor, `.mcp.json`), the pure
 * parts: which servers are picked, which VS Code inputs they need, what to warn about, and the summary afterwards.
 */
import type { ConfigInput, ImportPreview, ImportReport, ImportSource, PlannedServer } from "./bindings";
import { plural } from "./format";

export type ImportPicks = Record<string, boolean>;

/** Whether a planned server can be imported at all (a server with a problem cannot). */
export function importable(s: PlannedServer): boolean {
  return s.problem === null;
}

/** At first every importable server is picked, and none of the others. */
export function initialPicks(preview: ImportPreview): ImportPicks {
  return Object.fromEntries(preview.servers.map((s) => [s.name, importable(s)]));
}

/** The names to import, in file order: picked and importable. */
export function pickedNames(preview: ImportPreview, picks: ImportPicks): string[] {
  return preview.servers.filter((s) => importable(s) && picks[s.name]).map((s) => s.name);
}

/** Picks every importable server, or none when all of them are picked already. */
export function toggleAll(preview: ImportPreview, picks: ImportPicks): ImportPicks {
  const all = preview.servers.filter(importable);
  const on = !all.every((s) => picks[s.name]);
  return Object.fromEntries(preview.servers.map((s) => [s.name, importable(s) && on]));
}

/** The VS Code inputs the picked servers' secrets come from, in the file's order. */
export function inputsNeeded(preview: ImportPreview, picks: ImportPicks): ConfigInput[] {
  const picked = new Set(pickedNames(preview, picks));
  const wanted = new Set(
    preview.servers
      .filter((s) => picked.has(s.name))
      .flatMap((s) => s.secrets.map((x) => x.input))
      .filter((x): x is string => x !== null),
  );
  return preview.inputs.filter((i) => wanted.has(i.id));
}

/** Only the values of inputs that are needed and typed (nothing else leaves the dialog). */
export function inputValues(needed: readonly ConfigInput[], typed: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of needed) if (typed[i.id]) out[i.id] = typed[i.id];
  return out;
}

/** The program a stdio server runs, from its planned registration. */
export function commandOf(s: PlannedServer): string | null {
  const t = s.registration?.transport;
  return t?.type === "stdio" && t.command ? t.command : null;
}

/** The warning for a server that will not start once imported (a command off the allowlist, a refused variable):
 * the backend's reason when it gave one. */
export function allowlistWarning(s: PlannedServer): string | null {
  if (s.refusal) return `It will not start: ${s.refusal}`;
  if (s.allowed) return null;
  return `${commandOf(s) ?? "Its command"} is not on the allowlist: add it in settings to run it.`;
}

/** Where the configuration comes from: the pasted text when there is some, else the file path; null when neither. */
export function importSource(path: string, text: string): ImportSource | null {
  if (text.trim()) return { path: null, text };
  if (path.trim()) return { path: path.trim(), text: null };
  return null;
}

/** The toast after an import: what was created, which secrets were stored, and what still needs doing. */
export function reportSummary(r: ImportReport): { kind: "success" | "info"; title: string; body: string } {
  const title = r.created.length > 0 ? `Imported ${plural(r.created.length, "server")}` : "Nothing was imported";
  const parts: string[] = [];
  if (r.secrets_stored.length > 0) parts.push(`${plural(r.secrets_stored.length, "secret")} stored in the keychain.`);
  if (r.secrets_missing.length > 0)
    parts.push(`Still without a value: ${r.secrets_missing.join(", ")} — set ${r.secrets_missing.length === 1 ? "it" : "them"} on the Secrets screen.`);
  if (r.skipped.length > 0) parts.push(`Skipped: ${r.skipped.join("; ")}.`);
  const clean = r.created.length > 0 && r.secrets_missing.length === 0 && r.skipped.length === 0;
  return { kind: clean ? "success" : "info", title, body: parts.join(" ") };
}
