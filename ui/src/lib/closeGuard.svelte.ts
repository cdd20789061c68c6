/**
 * Closing the window with unsaved edits asks first. The shell is told whether there are any (so that a window
 * without them closes at once, with no round trip); when the person closes it anyway, the same save / discard /
 * stay question as leaving an artifact is asked, and the window closes only after Save or Discard.
 */
import { api, onCloseRequested } from "./api";
import type { AppState } from "./app.svelte";

export function guardWindowClose(app: AppState): () => void {
  let told: boolean | null = null;
  const stopTracking = $effect.root(() => {
    $effect(() => {
      const unsaved = app.editor.dirty;
      if (unsaved === told) return;
      told = unsaved;
      api.quiet.windowGuardClose(unsaved).catch((e: unknown) => console.warn("the shell was not told about unsaved edits", e));
    });
  });
  let asking = false;
  const stopListening = onCloseRequested(() => {
    if (asking) return;
    asking = true;
    void app
      .confirmLeaveAll()
      .then(async (ok) => {
        if (ok) await api.windowClose();
      })
      .catch((e: unknown) => console.error("closing the window failed", e))
      .finally(() => (asking = false));
  });
  return () => {
    stopTracking();
    stopListening();
  };
}
