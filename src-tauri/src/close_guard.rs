//! Closing the window with unsaved edits. The page says whether it holds any; while it does, the window's close
//! button does not close it but asks the page (`atrium://close-requested`), which asks the person to save, discard
//! or stay, and closes the window itself once it may. Quitting by signal (SIGTERM, Ctrl+C in a terminal) does not
//! wait for anyone: the page keeps drafts of unsaved edits for that case.

use std::sync::atomic::{AtomicBool, Ordering};

use atrium_api::{ApiError, ErrorCode};
use tauri::{Emitter, Manager, State, Window, WindowEvent};

/// The window event a held-back close is told to the page with.
pub const CLOSE_REQUESTED_EVENT: &str = "atrium://close-requested";

/// Whether the page holds unsaved edits.
#[derive(Default)]
pub struct CloseGuard {
    unsaved: AtomicBool,
}

/// The page holds unsaved edits (or no longer does): a close of the window asks it first (or closes at once).
#[tauri::command]
#[specta::specta]
pub fn window_guard_close(guard: State<'_, CloseGuard>, unsaved: bool) -> Result<(), ApiError> {
    guard.unsaved.store(unsaved, Ordering::SeqCst);
    Ok(())
}

/// Closes the window now: the page asked and the person chose (their edits saved or discarded).
#[tauri::command]
#[specta::specta]
pub fn window_close(window: Window, guard: State<'_, CloseGuard>) -> Result<(), ApiError> {
    guard.unsaved.store(false, Ordering::SeqCst);
    window
        .close()
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("The window did not close ({e}); close it again.")))
}

/// Holds back a close request while the page has unsaved edits, and tells the page.
pub fn on_window_event(window: &Window, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event
        && window.state::<CloseGuard>().unsaved.load(Ordering::SeqCst)
    {
        api.prevent_close();
        if let Err(err) = window.emit(CLOSE_REQUESTED_EVENT, ()) {
            // Without the page's answer the window must still close: nothing would ever close it otherwise.
            tracing::warn!(%err, "cannot ask the page before closing; closing");
            window.state::<CloseGuard>().unsaved.store(false, Ordering::SeqCst);
            let _ = window.close();
        }
    }
}
