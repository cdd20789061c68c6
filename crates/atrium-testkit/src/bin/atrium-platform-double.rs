//! `atrium-platform-double [--port N]`: the test double of the Agience platform (Origin, Mantle with `/events`,
//! Chorus's relay and gateway) on `127.0.0.1`, for trying sync and the relay without a platform. A test tool, not
//! part of Atrium: `cargo run -p atrium-testkit --bin atrium-platform-double`. Prints its URL on stdout, then serves
//! until Ctrl+C or SIGTERM, or until its stdin closes (so a parent process that dies takes it along).

use std::io::Read;
use std::net::SocketAddr;
use std::process::ExitCode;

use atrium_testkit::platform::PlatformDouble;

fn port() -> Result<u16, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(8765),
        [flag, port] if flag == "--port" => port.parse().map_err(|_| format!("not a port: {port}")),
        _ => Err("usage: atrium-platform-double [--port N] (0: any free port)".into()),
    }
}

fn main() -> ExitCode {
    let port = match port() {
        Ok(port) => port,
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
        let double = match PlatformDouble::start_on(SocketAddr::from(([127, 0, 0, 1], port))).await {
            Ok(double) => double,
            Err(err) => {
                eprintln!("cannot listen on 127.0.0.1:{port}: {err}");
                return ExitCode::FAILURE;
            }
        };
        let user = double.user();
        println!("{}", double.url());
        eprintln!(
            "platform double at {} (user {} / password {}); faults and seeding under /_double/. Ctrl+C stops it.",
            double.url(),
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
