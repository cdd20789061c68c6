// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    // Started again as the watchdog of its own servers: nothing of the app is set up.
    if let Some(code) = atrium_api::run_watchdog_if_asked() {
        return code;
    }
    atrium_desktop::run()
}
