//! Tracing to a daily rolling file under `ATRIUM_HOME/logs` (14 days kept), optionally also to stderr.
//! The level comes from `ATRIUM_LOG` (an `EnvFilter` directive, default `info,rmcp=warn`: rmcp logs every
//! handshake at info with the whole server description).

use atrium_store::AtriumPaths;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt};

/// What is logged unless `ATRIUM_LOG` says otherwise.
const DEFAULT_FILTER: &str = "info,rmcp=warn";

/// Keeps the background log writer alive; dropping it flushes the file.
#[must_use = "logs stop being written when the guard is dropped"]
pub struct LogGuard {
    _file: Option<WorkerGuard>,
}

/// Starts logging for a process named `app` (the file prefix). Logging is best effort: when the log directory
/// cannot be created, the app still runs, logging only to stderr if asked.
pub fn init(paths: &AtriumPaths, app: &str, also_stderr: bool) -> LogGuard {
    let filter = || EnvFilter::try_from_env("ATRIUM_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let appender = std::fs::create_dir_all(paths.logs()).ok().and_then(|()| {
        Builder::new()
            .rotation(Rotation::DAILY)
            .filename_prefix(app)
            .filename_suffix("log")
            .max_log_files(14)
            .build(paths.logs())
            .ok()
    });
    let (file_layer, guard) = match appender {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            (Some(fmt::layer().with_ansi(false).with_writer(writer).with_filter(filter())), Some(guard))
        }
        None => (None, None),
    };
    let stderr_layer = also_stderr.then(|| fmt::layer().with_writer(std::io::stderr).with_filter(filter()));
    // A second init (tests) is harmless: the first subscriber stays.
    let _ = tracing_subscriber::registry().with(file_layer).with(stderr_layer).try_init();
    LogGuard { _file: guard }
}
