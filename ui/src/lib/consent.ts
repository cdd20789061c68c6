/**
 * Pure helpers for the consent dialog (an OAuth client asking for an agent): the sentence that says what it asks
 * for and what approving gives, and a name for the agent that no other agent has.
 */
import type { AgentScope } from "./bindings";

/** "read", "read and write", "read, write and share". */
export function listed(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** What approving gives, as one sentence: "Cursor gets read and write on Recipes and the Everything server." */
export function consentSummary(
  name: string,
  scopes: readonly AgentScope[],
  workspaces: readonly string[],
  servers: readonly string[],
): string {
  const who = name.trim() || "The agent";
  const what = scopes.length > 0 ? listed(scopes) : "nothing";
  const where = workspaces.length > 0 ? listed(workspaces) : "every workspace";
  const with_ =
    servers.length === 0
      ? "every server no other agent names"
      : `the ${listed(servers)} server${servers.length === 1 ? "" : "s"}`;
  return `${who} gets ${what} on ${where} and ${with_}.`;
}

/** `base`, or `base 2`, `base 3` … — the first no agent is called (names are unique, compared without case). */
export function freeName(base: string, taken: readonly string[]): string {
  const stem = base.trim() || "OAuth app";
  const used = new Set(taken.map((t) => t.toLowerCase()));
  if (!used.has(stem.toLowerCase())) return stem;
  for (let n = 2; ; n++) {
    const name = `${stem} ${n}`;
    if (!used.has(name.toLowerCase())) return name;
  }
}

/** The host a code goes to, for the dialog ("127.0.0.1:33418", "cursor://anysphere.cursor-mcp"). */
export function redirectHost(uri: string): string {
  try {
    const u = new URL(uri);
    return u.host ? (u.protocol === "https:" || u.protocol === "http:" ? u.host : `${u.protocol}//${u.host}`) : u.protocol;
  } catch {
    return uri;
  }
}
