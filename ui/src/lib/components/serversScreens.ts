// The Servers, Audit, Secrets, Authorizers, Platform, Agents, elicitation and OAuth consent screens, loaded on first use (see lazy.ts): most
// sessions start in Artifacts.
export { default as AgentsView } from "./AgentsView.svelte";
export { default as AuditView } from "./AuditView.svelte";
export { default as AuthorizersView } from "./AuthorizersView.svelte";
export { default as ConsentDialog } from "./ConsentDialog.svelte";
export { default as ElicitationDialog } from "./ElicitationDialog.svelte";
export { default as PlatformView } from "./PlatformView.svelte";
export { default as SecretsView } from "./SecretsView.svelte";
export { default as ServersMain } from "./ServersMain.svelte";
export { default as ServersView } from "./ServersView.svelte";
