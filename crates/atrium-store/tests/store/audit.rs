use atrium_store::{AuditEntry, AuditFilter, AuditOrigin, AuditStatus};

use crate::common::Fixture;

fn entry(n: u32, server: &str, status: AuditStatus, origin: AuditOrigin) -> AuditEntry {
    AuditEntry {
        id: format!("00000000-0000-7000-8000-{n:012}"),
        time: format!("2026-11-21T08:00:{:02}.000Z", n % 60),
        origin,
        workspace_id: Some("ws".into()),
        server_id: server.into(),
        server_title: format!("Server {server}"),
        tool: if n.is_multiple_of(2) { "echo".into() } else { "get-sum".into() },
        arguments: "{}".into(),
        result: "{}".into(),
        status,
        error_code: (status == AuditStatus::Failed).then(|| "timeout".into()),
        duration_ms: n,
        agent_id: None,
        agent_name: None,
    }
}

#[tokio::test]
async fn audit_rows_are_appended_filtered_and_paged_newest_first() {
    let fx = Fixture::new().await;
    let rows: Vec<AuditEntry> = (1..=300)
        .map(|n: u32| {
            let status = if n.is_multiple_of(10) { AuditStatus::Failed } else { AuditStatus::Ok };
            let origin = if n.is_multiple_of(3) { AuditOrigin::Cli } else { AuditOrigin::Ui };
            entry(n, if n <= 150 { "a" } else { "b" }, status, origin)
        })
        .collect();
    fx.store.audit_append(&rows).await.expect("append");

    let newest = fx.store.audit_list(&AuditFilter { limit: Some(5), ..Default::default() }).await.expect("list");
    assert_eq!(newest.iter().map(|r| r.duration_ms).collect::<Vec<_>>(), [300, 299, 298, 297, 296]);
    assert_eq!(newest[0], rows[299], "a row reads back exactly as written");

    let next = fx
        .store
        .audit_list(&AuditFilter { limit: Some(3), before: Some(newest[4].id.clone()), ..Default::default() })
        .await
        .expect("page");
    assert_eq!(next.iter().map(|r| r.duration_ms).collect::<Vec<_>>(), [295, 294, 293]);

    let failed_a = fx
        .store
        .audit_list(&AuditFilter {
            server_id: Some("a".into()),
            status: Some(AuditStatus::Failed),
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .expect("filter");
    assert_eq!(failed_a.len(), 15);
    assert!(failed_a.iter().all(|r| r.server_id == "a" && r.error_code.as_deref() == Some("timeout")));

    let cli_echo = fx
        .store
        .audit_list(&AuditFilter {
            origin: Some(AuditOrigin::Cli),
            tool: Some("ECH".into()),
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .expect("filter");
    assert_eq!(cli_echo.len(), 50, "multiples of 6 up to 300");
    assert!(cli_echo.iter().all(|r| r.tool == "echo" && r.origin == AuditOrigin::Cli));

    // A duplicate id is refused and the batch it came in writes nothing.
    let before = fx.store.audit_list(&AuditFilter { limit: Some(1000), ..Default::default() }).await.expect("list");
    let err = fx.store.audit_append(&[entry(301, "a", AuditStatus::Ok, AuditOrigin::Ui), rows[0].clone()]).await;
    assert!(err.is_err());
    let after = fx.store.audit_list(&AuditFilter { limit: Some(1000), ..Default::default() }).await.expect("list");
    assert_eq!(before.len(), after.len());
}
