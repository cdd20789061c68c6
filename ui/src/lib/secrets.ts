/** Secrets and local-server settings, the pure parts: id rules, allowlist entries, what a deletion affects. */
import type { FieldProblem, SecretView } from "./bindings";

/** Why a secret id is refused, in the backend's words (atrium-secrets `SecretId::parse`); null when it is fine. */
export function secretIdProblem(id: string): string | null {
  if (!id) return "Give the secret an id, like github-token.";
  if (id.length > 128) return "The id is longer than 128 characters.";
  if (!/^[A-Za-z0-9]/.test(id)) return "The id must start with a letter or a digit.";
  if (!/^[A-Za-z0-9._-]+$/.test(id)) return "Use only letters, digits, '.', '_' and '-' in the id.";
  return null;
}

/** An id suggested for an environment variable's new secret: `GITHUB_TOKEN` → `github-token`. */
export function suggestSecretId(name: string, taken: readonly string[] = []): string {
  const base =
    name
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/_/g, "-")
      .replace(/^[^a-z0-9]+/, "")
      .replace(/-+$/, "")
      .slice(0, 100) || "secret";
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) if (!taken.includes(`${base}-${n}`)) return `${base}-${n}`;
}

/** The confirmation text for deleting a secret: who stops working. */
export function deleteConsequence(secret: Pick<SecretView, "used_by">): string {
  const users = secret.used_by;
  if (users.length === 0) return "No server refers to it.";
  const names = users.map((t) => `“${t}”`);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `${list} ${users.length === 1 ? "uses" : "use"} it and will not start until a secret with this id is set again.`;
}

/** Why an allowlist entry is refused (the backend's `check_allowlist_entry`, plus duplicates); null when fine. */
export function commandProblem(entry: string, defaults: readonly string[], extras: readonly string[]): string | null {
  if (!entry.trim()) return "Type a command name, like bun, or an absolute path.";
  if (entry.trim() !== entry) return "Remove the spaces around the command.";
  if (/[\s|&;<>()$`"'*?[\]{}~]/.test(entry) || [...entry].some((c) => c.charCodeAt(0) < 32))
    return "A command is one program name or path, without spaces, quotes or shell characters.";
  if (entry.includes("/") && !entry.startsWith("/")) return "A path must be absolute, like /opt/tools/bin/server.";
  if (defaults.includes(entry)) return `${entry} is allowed already (a default).`;
  if (extras.includes(entry)) return `${entry} is on the list already.`;
  return null;
}

/**
 * The backend's problems with a list of extra commands (`extra_commands[i]`), by command, so each shows next to its
 * chip or the input.
 */
export function commandProblems(problems: readonly FieldProblem[], commands: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) {
    const m = /^extra_commands\[(\d+)\]$/.exec(p.field);
    const cmd = m ? commands[Number(m[1])] : undefined;
    out[cmd ?? ""] = p.message;
  }
  return out;
}
