/** Routes the backend's live events to the screens' state. Started once by the app. */
import { onEvent } from "./api";
import { app } from "./app.svelte";
import { auditLog } from "./auditLog.svelte";
import { consents } from "./consent.svelte";
import { debounce } from "./debounce";
import { elicitations } from "./elicitation.svelte";
import { platform } from "./platform.svelte";
import { servers } from "./servers.svelte";
import { conflicts } from "./syncConflicts.svelte";
import { viewerHub } from "./viewers.svelte";

/** Servers declare content types: when one connects or its catalog changes, the badges are read again (once for a burst). */
const TYPES_REFRESH_MS = 400;

export function startLive(): () => void {
  const stopGuard = app.addLeaveGuard(() => servers.confirmDiscardForm());
  const refreshTypes = debounce(() => void app.loadContentTypes({ quiet: true }), TYPES_REFRESH_MS);
  // Also when the Servers screen's polling sees a server become ready (its event may have come before we listened).
  const stopBumps = servers.onCatalogBump(() => refreshTypes.schedule());
  const stopEvents = onEvent((e) => {
    switch (e.kind) {
      case "server_status":
        servers.onStatus(e.server_id, e.status);
        if (e.status.state === "ready") refreshTypes.schedule();
        break;
      case "server_auth":
        servers.onAuth(e.server_id, e.auth);
        break;
      case "server_log":
        servers.onLog(e.server_id, e.line);
        break;
      case "call_progress":
        servers.onProgress(e.progress);
        break;
      case "elicitation_requested":
        elicitations.add(e.request);
        break;
      case "elicitation_closed":
        elicitations.close(e.id);
        break;
      case "agent_consent_requested":
        consents.add(e.request);
        break;
      case "agent_consent_closed":
        consents.close(e.id);
        break;
      case "catalog_changed":
        servers.onCatalogChanged(e.server_id);
        refreshTypes.schedule();
        break;
      case "audit_recorded":
        auditLog.onRecorded();
        break;
      case "viewer":
        viewerHub.dispatch(e.view_id, e.event);
        break;
      case "viewer_link_request":
        viewerHub.requestLink(e.view_id, e.request_id, e.url);
        break;
      case "sync_progress":
        platform.onSyncProgress(e.progress);
        break;
      case "sync_status":
        platform.onSyncStatus(e.status);
        conflicts.onSyncStatus(e.status);
        break;
      case "artifacts_changed":
        app.onArtifactsChanged(e.workspace_id);
        break;
      case "artifact_changed":
        app.onArtifactChanged(e);
        break;
      case "artifact_reviewed":
        app.editor.reviews.onReviewed(e.artifact_id);
        break;
      case "relay_status":
        platform.onRelayStatus(e.status);
        break;
    }
  });
  // Requests an OAuth client made before the window listened (the gateway starts with the app).
  void consents.load();
  return () => {
    refreshTypes.cancel();
    stopBumps();
    stopGuard();
    stopEvents();
  };
}
