//! The smallest useful Tauri 2 app: one window, one command. `make bench` measures Atrium beside it.

use std::time::{SystemTime, UNIX_EPOCH};

/// Records the wall-clock time the page became interactive, in the same file format Atrium writes.
#[tauri::command]
fn ready() {
    if let Some(path) = std::env::var_os("ATRIUM_BENCH_READY_FILE") {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
        let _ = std::fs::write(path, nanos.to_string());
    }
}

fn main() {
    let app =
        tauri::Builder::default().invoke_handler(tauri::generate_handler![ready]).build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(err) => eprintln!("minimal-tauri: {err}"),
    }
}
