/**
 * The Platform screen's two small forms as plain data: the sign-in card (address and service URLs, method and
 * credentials, checked before anything is sent) and the relay's shared folders (adding and removing paths).
 */
import type { PlatformAddress, PlatformUrls, SignInMethod, SignInOptions, SignInRequest } from "./bindings";
import { passwordOffered } from "./connection";

export interface SignInFormValues {
  url: string;
  /** Mantle's URL, when discovery cannot find it (blank: found from the address). */
  mantleUrl: string;
  /** Chorus's URL, when discovery cannot find it (blank: found from the address). */
  chorusUrl: string;
  method: SignInMethod;
  /** The browser sign-in's identity provider (`google`, `entra`, …); blank: the platform's default. */
  provider: string;
  identifier: string;
  password: string;
  apiKey: string;
}

export type SignInField = "url" | "mantle_url" | "chorus_url" | "method" | "identifier" | "password" | "api_key";

export function emptySignInForm(url = "", services: { mantleUrl?: string; chorusUrl?: string } = {}): SignInFormValues {
  return {
    url,
    mantleUrl: services.mantleUrl ?? "",
    chorusUrl: services.chorusUrl ?? "",
    method: "browser",
    provider: "",
    identifier: "",
    password: "",
    apiKey: "",
  };
}

/**
 * The form's address fields for a platform signed in before: its address, and Mantle's URL only when it is not
 * where discovery finds it from the address anyway (`<address>/api`, or the address itself). Chorus's is left to
 * give (or to find again).
 */
export function formAddressOf(urls: PlatformUrls | null): { url: string; mantleUrl: string } {
  if (!urls) return { url: "", mantleUrl: "" };
  const trim = (u: string) => u.trim().replace(/\/+$/, "");
  const origin = trim(urls.origin);
  const mantle = trim(urls.mantle);
  return { url: origin, mantleUrl: mantle === origin || mantle === `${origin}/api` ? "" : mantle };
}

/** The platform address as sent: trimmed, `https://` added when no scheme was typed. */
export function normalizePlatformUrl(text: string): string {
  const t = text.trim();
  if (!t) return "";
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(t) ? t : `https://${t}`;
}

/** A service URL as sent: blank is null (found from the address), else as the platform address. */
function optionalUrl(text: string): string | null {
  const url = normalizePlatformUrl(text);
  return url ? url : null;
}

/** What the form sends as the platform's address. */
export function platformAddress(v: Pick<SignInFormValues, "url" | "mantleUrl" | "chorusUrl">): PlatformAddress {
  return { url: normalizePlatformUrl(v.url), mantle_url: optionalUrl(v.mantleUrl), chorus_url: optionalUrl(v.chorusUrl) };
}

/** The same address, whatever way it was typed (a trailing slash, `https://` left out): to tell whether a check is of it. */
export function addressKey(a: PlatformAddress): string {
  const norm = (u: string | null) => (u ?? "").trim().replace(/\/+$/, "").toLowerCase();
  return [norm(a.url), norm(a.mantle_url), norm(a.chorus_url)].join(" ");
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * What is wrong with the platform address, or null. `what` names the field in the messages when it is one of the
 * service URLs ("Mantle's URL"), whose example is given too.
 */
export function urlProblem(text: string, what = "The address", example = "https://agience.example.com"): string | null {
  const url = normalizePlatformUrl(text);
  if (!url) return `Enter the platform's address, like ${example}.`;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `This is not an address: enter one like ${example}.`;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return `${what} starts with https:// (or http:// for a platform on this computer).`;
  if (!u.hostname) return `${what} needs a host name, like ${new URL(example).hostname}.`;
  if (u.protocol === "http:" && !isLoopback(u.hostname)) return `${what} starts with https://: plain http:// is only for a platform on this computer (localhost).`;
  if (u.search || u.hash) return `${what} has no ? or # part: leave it out.`;
  return null;
}

/** What is wrong with a service URL (blank is fine: found from the address). */
function serviceUrlProblem(text: string, what: string, example: string): string | null {
  return text.trim() ? urlProblem(text, what, example) : null;
}

/**
 * What the form still needs before it can sign in, by field (only the fields of the chosen method). `options`: how
 * the platform lets people sign in, when a connection check said (whether passwords work). The provider is the
 * backend's to check (against the platform's list, before a browser opens).
 */
export function signInProblems(v: SignInFormValues, options: SignInOptions | null = null): Partial<Record<SignInField, string>> {
  const out: Partial<Record<SignInField, string>> = {};
  const url = urlProblem(v.url);
  if (url) out.url = url;
  const mantle = serviceUrlProblem(v.mantleUrl, "Mantle's URL", "https://agience.example.com/api");
  if (mantle) out.mantle_url = mantle;
  const chorus = serviceUrlProblem(v.chorusUrl, "Chorus's URL", "https://chorus.agience.example.com");
  if (chorus) out.chorus_url = chorus;
  if (v.method === "password") {
    if (!passwordOffered(options)) out.method = "This platform has password sign-in turned off: sign in with the browser.";
    else {
      if (!v.identifier.trim()) out.identifier = "Enter your username or email.";
      if (!v.password) out.password = "Enter your password.";
    }
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
      return { method: "browser", provider: v.provider.trim() || null };
    case "password":
      return { method: "password", identifier: v.identifier.trim(), password: v.password };
    case "api_key":
      return { method: "api_key", key: v.apiKey.trim() };
  }
}

/** Where the form's first problem is, to focus it. */
export function firstProblemField(problems: Partial<Record<SignInField, string>>): SignInField | null {
  return (["url", "mantle_url", "chorus_url", "method", "identifier", "password", "api_key"] as const).find((f) => problems[f]) ?? null;
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
