//! The app's lifecycle: open Atrium, create the window, and close everything in bounded time on exit.

use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use std::sync::Arc;

use atrium_api::{
    ApiError, AppEvent, Atrium, AtriumPaths, ElicitationPolicy, ErrorCode, EventSink, OpenOptions, StartupStatus,
    logging,
};
use atrium_gateway::GatewayHost;
use tauri::webview::PageLoadEvent;
use tauri::{AppHandle, Emitter, Manager, RunEvent, WebviewUrl, WebviewWindowBuilder};

/// The window event every [`AppEvent`] is emitted as.
pub const EVENT_NAME: &str = "atrium://event";

/// The window event that carries a batch of [`AppEvent`]s no one waits for (see [`WindowEvents`]).
pub const BATCH_EVENT_NAME: &str = "atrium://events";
/// How long events no one waits for are gathered before they go to the window together.
const BATCH_WINDOW: Duration = Duration::from_millis(100);

/// Forwards Atrium's events to the window once it exists (earlier ones are dropped: the UI reads state on load).
/// Each event is a script the webview runs on its main thread, where views' answers are delivered too: a server
/// that logs a line per request would put one in front of every answer. So the lines of servers' logs and the
/// audit's "recorded" go together, at most every [`BATCH_WINDOW`], as one event; every other event goes at once.
#[derive(Default)]
struct WindowEvents {
    app: OnceLock<AppHandle>,
    gathered: Arc<std::sync::Mutex<Vec<AppEvent>>>,
}

impl EventSink for WindowEvents {
    fn emit(&self, event: AppEvent) {
        let Some(app) = self.app.get() else { return };
        if matches!(event, AppEvent::ServerLog { .. } | AppEvent::AuditRecorded { .. }) {
            let first = {
                let mut gathered = self.gathered.lock().unwrap_or_else(|p| p.into_inner());
                gathered.push(event);
                gathered.len() == 1
            };
            if first {
                let (app, gathered) = (app.clone(), self.gathered.clone());
                tauri::async_runtime::spawn(async move {
                    tokio::time::sleep(BATCH_WINDOW).await;
                    let batch = std::mem::take(&mut *gathered.lock().unwrap_or_else(|p| p.into_inner()));
                    if let Err(err) = app.emit(BATCH_EVENT_NAME, &batch) {
                        tracing::warn!(%err, "cannot emit events to the window");
                    }
                });
            }
            return;
        }
        if matches!(event, AppEvent::AgentConsentRequested { .. }) {
            // The person is in the agent's browser tab, which only waits: the window where they answer comes forward.
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }
        if let Err(err) = app.emit(EVENT_NAME, &event) {
            tracing::warn!(%err, "cannot emit an event to the window");
        }
    }
}

/// When set, the first `ui_ready` writes the wall-clock time (Unix nanoseconds) to this file, so `make bench` can
/// measure launch-to-interactive from outside the process.
const READY_FILE_ENV: &str = "ATRIUM_BENCH_READY_FILE";
/// How long disconnecting servers and closing the store may take on exit before the process leaves anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(6);

/// What opening Atrium gave: Atrium and its gateway when the store opened, the reason when it did not.
struct Opened {
    atrium: Option<Atrium>,
    status: StartupStatus,
    /// The agents' gateway (with Atrium): started once the first screen is up, stopped on the way out.
    gateway: Option<Arc<GatewayHost>>,
}

/// Atrium opening beside the window: the window and WebKit start at once instead of after the store is open, and
/// commands wait here until it is.
#[derive(Default)]
struct Opening {
    opened: OnceLock<Opened>,
    done: tokio::sync::Notify,
}

impl Opening {
    /// What opening gave, if it has finished.
    fn get(&self) -> Option<&Opened> {
        self.opened.get()
    }

    /// What opening gave, once it has finished.
    async fn wait(&self) -> &Opened {
        loop {
            // Made before the check: a `Notified` sees every `notify_waiters` after its creation.
            let done = self.done.notified();
            if let Some(opened) = self.opened.get() {
                return opened;
            }
            done.await;
        }
    }

    fn finish(&self, opened: Opened) {
        let _ = self.opened.set(opened);
        self.done.notify_waiters();
    }
}

/// The state every command reaches: Atrium once it opened, the reason when it did not.
pub struct Shell {
    opening: Arc<Opening>,
    launched: Instant,
    interactive: OnceLock<Duration>,
}

impl Shell {
    /// Atrium, or the error every command returns while the store is unavailable (waits until it has opened).
    pub async fn atrium(&self) -> Result<&Atrium, ApiError> {
        let opened = self.opening.wait().await;
        opened.atrium.as_ref().ok_or_else(|| match &opened.status {
            StartupStatus::Failed { error, .. } => error.clone(),
            StartupStatus::Ready { .. } => ApiError::new(ErrorCode::Internal, "Atrium is not open"),
        })
    }

    /// Whether the store opened (waits until opening has finished).
    pub async fn status(&self) -> &StartupStatus {
        &self.opening.wait().await.status
    }

    /// The agents' gateway, when Atrium opened (waits until opening has finished).
    pub async fn gateway(&self) -> Option<&GatewayHost> {
        self.opening.wait().await.gateway.as_deref()
    }

    /// Records the first moment the UI was usable.
    pub fn mark_interactive(&self) {
        let elapsed = self.launched.elapsed();
        if self.interactive.set(elapsed).is_err() {
            return;
        }
        tracing::info!(ms = elapsed.as_millis() as u64, "interactive");
        // The gateway starts only now, so that it adds nothing to the time before the first screen.
        let opening = self.opening.clone();
        tauri::async_runtime::spawn(async move {
            if let Some(gateway) = opening.wait().await.gateway.clone() {
                gateway.start().await;
            }
        });
        if let Some(path) = std::env::var_os(READY_FILE_ENV) {
            let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
            if let Err(err) = std::fs::write(&path, nanos.to_string()) {
                tracing::warn!(%err, "cannot write the ready file");
            }
        }
    }
}

/// Runs the desktop app until its last window closes.
pub fn run() -> ExitCode {
    let launched = Instant::now();
    let paths = match AtriumPaths::from_env() {
        Ok(paths) => paths,
        Err(err) => {
            eprintln!("atrium: {err}");
            return ExitCode::FAILURE;
        }
    };
    let _log = logging::init(&paths, "desktop", cfg!(debug_assertions));
    // WebKit's data (the app's own storage, its cache) lives in the home it belongs to: another home (a test's, say)
    // sees none of it. (What views store is theirs by origin, and kept by WebKit for the run only.)
    let webview_data = paths.home().join("webview");
    tracing::info!(home = %paths.home().display(), version = env!("CARGO_PKG_VERSION"), "starting");
    let events = Arc::new(WindowEvents::default());
    let options = OpenOptions {
        events: events.clone(),
        elicitation: ElicitationPolicy::Ask,
        connect_servers: true,
        watchdog: true,
        ..OpenOptions::default()
    };
    // Listening for SIGTERM / Ctrl+C before anything starts: a quit during start-up is clean too.
    let quit = tauri::async_runtime::block_on(async { atrium_api::QuitSignals::install() });
    // Atrium opens while the window and WebKit start: commands wait for it (see `Opening`).
    let opening = Arc::new(Opening::default());
    // `atrium server stop|restart` from a terminal act on the app's servers through the control socket.
    let control = tokio_util::sync::CancellationToken::new();
    {
        let (opening, control, paths) = (opening.clone(), control.clone(), paths.clone());
        // On a thread of its own, not as a task: the compiler cannot prove the store's (sqlx) futures `Send`.
        std::thread::spawn(move || {
            tauri::async_runtime::block_on(async move {
                let (atrium, status) = atrium_api::start(paths.clone(), options).await;
                let gateway = atrium.as_ref().map(|atrium| Arc::new(GatewayHost::new(atrium.clone(), paths)));
                if let Some(atrium) = &atrium {
                    let atrium = atrium.clone();
                    tauri::async_runtime::spawn(async move { atrium_api::control::serve(atrium, control).await });
                }
                opening.finish(Opened { atrium, status, gateway });
            })
        });
    }

    let commands = crate::specta_builder();
    let app = tauri::Builder::default()
        .invoke_handler(commands.invoke_handler())
        .manage(Shell { opening: opening.clone(), launched, interactive: OnceLock::new() })
        .manage(crate::close_guard::CloseGuard::default())
        .on_window_event(crate::close_guard::on_window_event)
        .setup(move |app| {
            let _ = events.app.set(app.handle().clone());
            // SIGTERM or Ctrl+C quit like closing the window does: servers are stopped, nothing is left running.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                quit.recv().await;
                handle.exit(0);
            });
            // Until Atrium has opened, no view can be showing.
            let frames = opening.clone();
            let reloads = opening.clone();
            WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                .data_directory(webview_data)
                // Dropped files go to the page as DOM files (it reads their text; no path reaches the backend).
                .disable_drag_drop_handler()
                .on_page_load(move |_, payload| {
                    // The window (re)loads: views it showed are gone with the old page, so their sessions end too.
                    if payload.event() == PageLoadEvent::Started
                        && let Some(atrium) = reloads.get().and_then(|opened| opened.atrium.clone())
                    {
                        tauri::async_runtime::spawn(async move { atrium.viewer_close_all().await });
                    }
                })
                .title("Atrium")
                .inner_size(1280.0, 800.0)
                .min_inner_size(880.0, 560.0)
                .on_navigation(move |url| {
                    // WebKit asks for frames too: a view's sandbox proxy, and the view in it (on its server's origin).
                    let allowed = atrium_api::navigation::is_app_page(url.as_str())
                        || frames
                            .get()
                            .and_then(|opened| opened.atrium.as_ref())
                            .is_some_and(|atrium| atrium.is_view_frame_url(url.as_str()));
                    if !allowed {
                        tracing::warn!(scheme = url.scheme(), "refused navigation away from the app");
                    }
                    allowed
                })
                .build()?;
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(err) => {
            tracing::error!(%err, "cannot start the window");
            eprintln!("atrium: cannot start the window: {err}");
            return ExitCode::FAILURE;
        }
    };
    app.run(move |handle, event| {
        if let RunEvent::Exit = event {
            control.cancel();
            let opening = handle.state::<Shell>().opening.clone();
            // The timer must be made inside the runtime: `timeout(…)` built out here panics ("no reactor
            // running"), and then nothing is stopped. A quit while Atrium is still opening waits for it within
            // the same grace, so that what it started is stopped too.
            // The gateway goes first: no agent's request reaches servers that are stopping.
            let closed = tauri::async_runtime::block_on(async {
                tokio::time::timeout(SHUTDOWN_GRACE, async {
                    let opened = opening.wait().await;
                    if let Some(gateway) = &opened.gateway {
                        gateway.stop().await;
                    }
                    if let Some(atrium) = &opened.atrium {
                        atrium.close().await;
                    }
                })
                .await
            });
            if closed.is_err() {
                tracing::warn!("the gateway, servers and store did not close within {SHUTDOWN_GRACE:?}");
            }
            tracing::info!("stopped");
        }
    });
    ExitCode::SUCCESS
}
