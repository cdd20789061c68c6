/** Routes the backend's live events to the screens' state. Started once by the app. */
import { onEvent } from "./api";
import { app } from "./app.svelte";
import { auditLog } from "./auditLog.svelte";
import { elicitations } from "./elicitation.svelte";
import { servers } from "./servers.svelte";

export function startLive(): () => void {
  const stopGuard = app.addLeaveGuard(() => servers.confirmDiscardForm());
  const stopEvents = onEvent((e) => {
    switch (e.kind) {
      case "server_status":
        servers.onStatus(e.server_id, e.status);
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
      case "catalog_changed":
        servers.onCatalogChanged(e.server_id);
        break;
      case "audit_recorded":
        auditLog.onRecorded();
        break;
    }
  });
  return () => {
    stopGuard();
    stopEvents();
  };
}
