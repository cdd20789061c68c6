//! `bench-server`: serves [`atrium_testkit::EchoServer`] on stdin/stdout until stdin closes.

use rmcp::ServiceExt;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
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
