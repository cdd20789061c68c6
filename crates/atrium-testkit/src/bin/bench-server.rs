//! `bench-server`: serves [`atrium_testkit::EchoServer`] on stdin/stdout until stdin closes.
//! `--startup-ms N` waits N ms before answering anything, like a server that loads its runtime or connects to a
//! backend first.

use rmcp::ServiceExt;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let startup_ms = args
        .iter()
        .position(|a| a == "--startup-ms")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    if startup_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(startup_ms)).await;
    }
    let served = atrium_testkit::EchoServer.serve(rmcp::transport::stdio()).await;
    match served {
        Ok(service) => {
            let _ = service.waiting().await;
            std::process::ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("bench-server: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
