//! The gateway as the desktop app hosts it: started when asked (after the first screen), a port already taken
//! said plainly as a status (the app goes on), moved to another port when the setting changes, and stopped for
//! good on the way out (its run file gone, its port free, no start after that).

use atrium_api::{Atrium, AtriumPaths, GatewayStatus, OpenOptions};
use atrium_gateway::{GatewayHost, run_file};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_s_gateway_starts_moves_says_a_taken_port_and_stops_for_good() {
    // This test picks its ports through the setting: no port from the environment may win over it.
    assert!(std::env::var_os(atrium_gateway::PORT_ENV).is_none(), "run without ATRIUM_GATEWAY_PORT");
    let home = tempfile::tempdir().expect("home");
    let paths = AtriumPaths::at(home.path());
    let atrium = Atrium::open_with(paths.clone(), OpenOptions::default()).await.expect("open");
    assert_eq!(atrium.gateway_port().await.expect("port"), atrium_api::GATEWAY_DEFAULT_PORT);
    let refused = atrium.gateway_port_set(80).await.expect_err("a privileged port");
    assert!(refused.message.contains("1024"), "{}", refused.message);

    // Taken: the status says so, plainly; nothing listens, no run file.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let taken_port = taken.local_addr().expect("addr").port();
    atrium.gateway_port_set(taken_port).await.expect("keep the port");
    let host = GatewayHost::new(atrium.clone(), paths.clone());
    assert_eq!(host.status(), GatewayStatus::Stopped { port: atrium_api::GATEWAY_DEFAULT_PORT });
    match host.start().await {
        GatewayStatus::Failed { port, port_taken: true, message } => {
            assert_eq!(port, taken_port);
            assert!(message.contains(&format!("Port {taken_port} is taken")), "{message}");
        }
        other => panic!("a taken port: {other:?}"),
    }
    assert!(!run_file(&paths).exists());

    // Another port: kept in the setting, listened on at once.
    let port = free_port();
    let status = host.set_port(port).await.expect("move");
    assert_eq!(status, GatewayStatus::Running { port, url: format!("http://127.0.0.1:{port}/mcp") });
    assert_eq!(host.status(), status);
    assert_eq!(atrium.gateway_port().await.expect("port"), port);
    assert!(run_file(&paths).exists());
    let metadata = format!("http://127.0.0.1:{port}/.well-known/oauth-protected-resource");
    assert!(reqwest::get(&metadata).await.expect("the gateway answers").status().is_success());
    // Starting again is nothing new.
    assert_eq!(host.start().await, status);

    // Moving: the old port is let go.
    let next = free_port();
    assert!(matches!(host.set_port(next).await.expect("move"), GatewayStatus::Running { port, .. } if port == next));
    assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(), "the old port is still taken");

    // The way out: stopped for good.
    host.stop().await;
    assert_eq!(host.status(), GatewayStatus::Stopped { port: next });
    assert!(!run_file(&paths).exists());
    assert!(std::net::TcpListener::bind(("127.0.0.1", next)).is_ok(), "the port is still taken after the stop");
    assert_eq!(host.start().await, GatewayStatus::Stopped { port: next }, "nothing starts after the way out");
    drop(taken);
    atrium.close().await;
}
