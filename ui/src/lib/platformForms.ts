/**
 * The Platform screen's two small forms as plain data: the sign-in card (address, method and credentials, checked
 * before anything is sent) and the relay's shared folders (adding and removing paths).
 */
import type { SignInMethod, SignInRequest } from "./bindings";

export interface SignInFormValues {
  url: string;
  method: SignInMethod;
  identifier: string;
  password: string;
  apiKey: string;
}

export type SignInField = "url" | "identifier" | "password" | "api_key";

export function emptySignInForm(url = ""): SignInFormValues {
  return { url, method: "browser", identifier: "", password: "", apiKey: "" };
}

/** The platform address as sent: trimmed, `https://` added when no scheme was typed. */
export function normalizePlatformUrl(text: string): string {
  const t = text.trim();
  if (!t) return "";
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(t) ? t : `https://${t}`;
}

/** What is wrong with the platform address, or null. */
export function urlProblem(text: string): string | null {
  const url = normalizePlatformUrl(text);
  if (!url) return "Enter the platform's address, like https://agience.example.com.";
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "This is not an address: enter one like https://agience.example.com.";
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return "The address starts with https:// (or http:// for a platform on this computer).";
  if (!u.hostname) return "The address needs a host name, like agience.example.com.";
  return null;
}

/** What the form still needs before it can sign in, by field (only the fields of the chosen method). */
export function signInProblems(v: SignInFormValues): Partial<Record<SignInField, string>> {
  const out: Partial<Record<SignInField, string>> = {};
  const url = urlProblem(v.url);
  if (url) out.url = url;
  if (v.method === "password") {
    if (!v.identifier.trim()) out.identifier = "Enter your username or email.";
    if (!v.password) out.password = "Enter your password.";
  } else if (v.method === "api_key") {
    if (!v.apiKey.trim()) out.api_key = "Paste an API key (it starts with agc_).";
    else if (/\s/.test(v.apiKey.trim())) out.api_key = "An API key has no spaces: paste it again.";
  }
  return out;
}

/** The request the form sends (call `signInProblems` first). Only the chosen method's fields go. */
export function signInRequest(v: SignInFormValues): SignInRequest {
  switch (v.method) {
    case "browser":
      return { method: "browser" };
    case "password":
      return { method: "password", identifier: v.identifier.trim(), password: v.password };
    case "api_key":
      return { method: "api_key", key: v.apiKey.trim() };
  }
}

/** Where the form's first problem is, to focus it. */
export function firstProblemField(problems: Partial<Record<SignInField, string>>): SignInField | null {
  return (["url", "identifier", "password", "api_key"] as const).find((f) => problems[f]) ?? null;
}

/** Whether a path is absolute on some system (`/home/…`, `~/…`, `C:\…`, `\\server\share`). */
export function isAbsolutePath(path: string): boolean {
  return /^(?:\/|~(?:\/|$)|[A-Za-z]:[\\/]|\\\\)/.test(path);
}

function sameRoot(a: string, b: string): boolean {
  const norm = (p: string) => (p.length > 1 ? p.replace(/[\\/]+$/, "") : p);
  return norm(a) === norm(b);
}

/** What is wrong with a folder to share, or null. The backend checks that it exists. */
export function rootProblem(draft: string, roots: readonly string[]): string | null {
  const path = draft.trim();
  if (!path) return "Enter a folder's full path, like /home/you/projects.";
  if (!isAbsolutePath(path)) return "Enter the folder's full path, starting with / (or a drive letter on Windows).";
  if (roots.some((r) => sameRoot(r, path))) return "This folder is shared already.";
  return null;
}

/** The shared folders with one more, or the reason it cannot be added. */
export function addRoot(roots: readonly string[], draft: string): { roots: string[]; problem: string | null } {
  const problem = rootProblem(draft, roots);
  return problem ? { roots: [...roots], problem } : { roots: [...roots, draft.trim()], problem: null };
}

/** The shared folders without one. */
export function removeRoot(roots: readonly string[], path: string): string[] {
  return roots.filter((r) => r !== path);
}
