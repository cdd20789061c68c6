//! `atrium-platform-double [--port N] [--layout front|shipped|separate] [--advertise] [--providers a,b]`: the
//! test double of the Agience platform (Origin, Mantle with `/events`, Chorus's relay and gateway) on
//! `127.0.0.1`, for trying sync and the relay without a platform. A test tool, not part of Atrium:
//! `cargo run -p atrium-testkit --bin atrium-platform-double`.
//!
//! - `--layout front` (the default): one front URL with `/relay/*` routed to Chorus, as a self-hosted install
//!   that follows Atrium's README; `shipped`: the front as the platform ships it, `/relay/*` not routed (the web
//!   app answers it); `separate`: Origin, Mantle and Chorus each on a port of their own, nothing in front.
//! - `--port N` (default 8765; 0 for any free port): the front's port, or Origin's in the separate layout. The
//!   services' own listeners always take free ports.
//! - `--advertise`: the OpenID configuration also names `mantle_uri` and `chorus_uri` (the real Origin does not).
//! - `--providers google,entra` (the default): the sign-in providers Origin offers; `--providers ""` for none.
//!
//! Prints one line of JSON on stdout, `{"url", "origin", "mantle", "chorus", "front"}` (`front` is `null` in the
//! separate layout; `url` is what a client is given), then a line for people on stderr, and serves until Ctrl+C
//! or SIGTERM, or until its stdin closes (so a parent process that dies takes it along).

use std::io::Read;
use std::process::ExitCode;

use atrium_testkit::platform::{DoubleLayout, DoubleOptions, DoubleProvider, PlatformDouble};

const USAGE: &str = "usage: atrium-platform-double [--port N] [--layout front|shipped|separate] [--advertise] \
                     [--providers google,entra]";

/// What a sign-in page calls a provider the double is asked for by name.
fn provider(name: &str) -> DoubleProvider {
    let label = match name {
        "google" => "Google",
        "entra" | "microsoft" => "Microsoft",
        "github" => "GitHub",
        "apple" => "Apple",
        other => other,
    };
    DoubleProvider::new(name, label)
}

fn options() -> Result<DoubleOptions, String> {
    let mut options = DoubleOptions { port: Some(8765), ..DoubleOptions::default() };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--port" => {
                let port = value()?;
                options.port = Some(port.parse().map_err(|_| format!("not a port: {port}"))?);
            }
            "--layout" => {
                options.layout = match value()?.as_str() {
                    "front" => DoubleLayout::Front { relay_routed: true },
                    "shipped" => DoubleLayout::Front { relay_routed: false },
                    "separate" => DoubleLayout::Separate,
                    other => return Err(format!("unknown layout: {other}\n{USAGE}")),
                };
            }
            "--advertise" => options.advertise_service_urls = true,
            "--providers" => {
                let list = value()?;
                options.providers =
                    list.split(',').map(str::trim).filter(|name| !name.is_empty()).map(provider).collect();
            }
            _ => return Err(USAGE.into()),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let port = options.port.unwrap_or(0);
        let double = match PlatformDouble::start_with(options).await {
            Ok(double) => double,
            Err(err) => {
                eprintln!("cannot listen on 127.0.0.1:{port}: {err}");
                return ExitCode::FAILURE;
            }
        };
        let urls = serde_json::json!({
            "url": double.url(), "origin": double.origin_url(), "mantle": double.mantle_url(),
            "chorus": double.chorus_url(), "front": double.front_url(),
        });
        println!("{urls}");
        let user = double.user();
        eprintln!(
            "platform double at {} ({:?}; user {} / password {}); faults and seeding under /_double/. Ctrl+C stops it.",
            double.url(),
            double.layout(),
            user.username,
            user.password
        );
        let stdin_closed = tokio::task::spawn_blocking(|| {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
        });
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
            _ = stdin_closed => {}
        }
        double.shutdown().await;
        ExitCode::SUCCESS
    })
}
