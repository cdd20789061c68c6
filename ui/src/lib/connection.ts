/**
 * The connection check as the sign-in card shows it: each of the platform's three services (found where and how,
 * or not found and what was tried), the notes worth acting on, whether a sign-in can go ahead, and how people sign
 * in there (the identity providers of the browser sign-in, whether passwords work). Pure. (A provider the platform
 * does not offer is refused by the backend before a browser opens, `details.reason` "unknown_provider".)
 */
import type { ConnectionReport, FoundBy, PlatformService, ProbeAnswer, ServiceCheck, ServiceNote, SignInOptions, SignInProvider } from "./bindings";
import type { Badge } from "./platform";
import { shortUrl } from "./platform";

/** What each service is, in words. */
export const SERVICES: Record<PlatformService, { name: string; role: string; required: boolean }> = {
  origin: { name: "Origin", role: "sign-in", required: true },
  mantle: { name: "Mantle", role: "workspaces", required: true },
  chorus: { name: "Chorus", role: "the relay", required: false },
};

/** How a service's URL was learned, after "found …". */
export const FOUND_BY: Record<FoundBy, string> = {
  given: "at the URL you gave",
  advertised: "where the platform advertises it",
  front_layout: "where a one-address install puts it",
  front_config: "where the web app's configuration names it",
  same_url: "at the address",
};

/** What one probe saw, after "→". */
export function probeAnswerText(answer: ProbeAnswer): string {
  switch (answer.kind) {
    case "service":
      return "answered";
    case "unreachable":
      return `no answer (${answer.reason})`;
    case "status":
      return `HTTP ${answer.status}`;
    case "web_page":
      return "a web page, not the service";
    case "not_the_service":
      return `not the service (${answer.reason})`;
  }
}

/** The notes a check can carry: what it means, and what to do. */
export const NOTES: Record<ServiceNote, { title: string; text: string }> = {
  setup_required: {
    title: "Setup is not finished.",
    text: "The platform says its first-run setup is not done: an administrator must finish it in the platform's web app before anyone can sign in and sync.",
  },
  relay_not_routed: {
    title: "The relay is not routed.",
    text: "Chorus runs behind this address, but the front does not route /relay to it, so the relay cannot connect through it. Ask the administrator to route /relay/ to Chorus, or give Chorus's own URL under Service URLs.",
  },
};

export type ServiceState = "found" | "not_found";

export interface ServiceView {
  service: PlatformService;
  name: string;
  role: string;
  required: boolean;
  badge: Badge<ServiceState>;
  /** Where it answers, as people read it. */
  where: string | null;
  url: string | null;
  /** How it was found ("where a one-address install puts it"). */
  how: string | null;
  /** Every URL tried, with its answer in words. */
  tried: { url: string; answer: string; answered: boolean }[];
  note: { kind: ServiceNote; title: string; text: string } | null;
}

/** One service's line in the report. */
export function serviceView(check: ServiceCheck): ServiceView {
  const meta = SERVICES[check.service];
  const found = check.url !== null;
  const badge: Badge<ServiceState> = found
    ? { state: "found", label: "Found", tone: "success", title: `${meta.name} (${meta.role}) answered.` }
    : meta.required
      ? { state: "not_found", label: "Not found", tone: "danger", title: `Atrium needs ${meta.name} (${meta.role}) to sign in.` }
      : { state: "not_found", label: "Not found", tone: "warning", title: `Signing in works without ${meta.name}; the relay stays off until it is found.` };
  return {
    service: check.service,
    name: meta.name,
    role: meta.role,
    required: meta.required,
    badge,
    where: check.url === null ? null : shortUrl(check.url),
    url: check.url,
    how: check.found_by === null ? null : FOUND_BY[check.found_by],
    tried: check.tried.map((p) => ({ url: p.url, answer: probeAnswerText(p.answer), answered: p.answer.kind === "service" })),
    note: check.note === null ? null : { kind: check.note, ...NOTES[check.note] },
  };
}

export interface ReportView {
  services: ServiceView[];
  /** Origin and Mantle were found: a sign-in can go ahead. */
  canSignIn: boolean;
  /** The first required service that was not found. */
  missing: "origin" | "mantle" | null;
  /** Mantle's or Chorus's URL may need to be given: the Service URLs fields open. */
  openServiceUrls: boolean;
  summary: { tone: "success" | "warning" | "danger"; text: string };
}

/** The whole report: its three lines, whether a sign-in can go ahead, and one sentence saying where it stands. */
export function reportView(report: ConnectionReport): ReportView {
  const services = [report.origin, report.mantle, report.chorus].map(serviceView);
  const missing = report.origin.url === null ? "origin" : report.mantle.url === null ? "mantle" : null;
  const setup = [report.origin, report.mantle, report.chorus].some((c) => c.note === "setup_required");
  let summary: ReportView["summary"];
  if (missing === "origin") {
    summary = { tone: "danger", text: "Nothing at this address answers as the platform's sign-in. Check the address: it is the one you open in the browser." };
  } else if (missing === "mantle") {
    summary = { tone: "danger", text: "The sign-in answered, but Atrium did not find the platform's workspaces (Mantle). Give Mantle's URL under Service URLs." };
  } else if (setup) {
    summary = { tone: "warning", text: "The platform answered, but its setup is not finished." };
  } else if (report.chorus.url === null) {
    summary = { tone: "warning", text: "You can sign in and sync. The relay stays off until Chorus is found." };
  } else {
    summary = { tone: "success", text: "Everything answered. You can sign in." };
  }
  return {
    services,
    canSignIn: missing === null,
    missing,
    openServiceUrls: report.mantle.url === null || report.chorus.url === null,
    summary,
  };
}

/** How the browser sign-in's identity provider is chosen: from the platform's list, or typed when it lists none. */
export type ProviderField =
  | { kind: "select"; providers: SignInProvider[]; initial: string }
  /** `none_listed`: the platform says it has none; `unknown`: its list could not be read (or not yet). */
  | { kind: "text"; why: "none_listed" | "unknown" };

/** The platform's default provider when it is listed (Origin bounces to Google when none is named), else the first. */
export function defaultProvider(providers: readonly SignInProvider[]): string {
  return (providers.find((p) => p.name === "google") ?? providers[0])?.name ?? "";
}

export function providerField(options: SignInOptions | null): ProviderField {
  if (options === null) return { kind: "text", why: "unknown" };
  if (options.providers.length === 0) return { kind: "text", why: "none_listed" };
  return { kind: "select", providers: options.providers, initial: defaultProvider(options.providers) };
}

/** Whether the password sign-in is offered (when the platform's options are not known, it may be). */
export function passwordOffered(options: SignInOptions | null): boolean {
  return options?.password ?? true;
}
