//! Importing the four configuration shapes people have, from fixture files, with secrets into the real keychain.

use atrium_api::{ConfigFormat, ErrorCode, ErrorDetails, ImportRequest, ImportSource};
use serde_json::json;

use crate::peers::{Fixture, as_json, repo};

fn fixture(name: &str) -> ImportSource {
    ImportSource { path: Some(repo().join("tests/fixtures/import").join(name).display().to_string()), text: None }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_config_shape_imports_with_its_secrets_in_the_keychain() {
    let fx = Fixture::new().await;
    let cases = [
        ("claude_desktop_config.json", ConfigFormat::ClaudeDesktop, vec!["filesystem", "github"]),
        ("vscode/mcp.json", ConfigFormat::VsCode, vec!["perplexity", "remote-docs"]),
        (".cursor/mcp.json", ConfigFormat::Cursor, vec!["events", "sqlite"]),
        (".mcp.json", ConfigFormat::McpJson, vec!["docker-tool", "tracker"]),
    ];
    for (file, format, names) in cases {
        let preview = fx.atrium.import_preview(fixture(file)).await.expect(file);
        assert_eq!(preview.format, format, "{file}");
        // Servers come by name (JSON objects have no order Atrium keeps).
        assert_eq!(preview.servers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), names, "{file}");
        assert!(!serde_json::to_string(&preview).expect("json").contains("fixture-token"), "{file}: preview leaks");
        let inputs = if file.starts_with("vscode") {
            [("perplexity-key".to_owned(), "typed-perplexity-key-42".to_owned())].into()
        } else {
            Default::default()
        };
        let report = fx
            .atrium
            .import_apply(ImportRequest {
                workspace_id: fx.workspace.clone(),
                source: fixture(file),
                names: None,
                input_values: inputs,
            })
            .await
            .expect(file);
        assert_eq!(report.created.len(), names.len(), "{file}: {report:?}");
        assert!(report.skipped.is_empty() && report.secrets_missing.is_empty(), "{file}: {report:?}");
    }
    let servers = fx.atrium.server_list(Some(fx.workspace.clone())).await.expect("list");
    let by = |title: &str| {
        servers
            .iter()
            .find(|s| s.title == title)
            .expect(title)
            .registration
            .clone()
            .map(|r| as_json(&r))
            .unwrap_or_default()
    };
    assert_eq!(
        by("github")["transport"]["env"],
        json!({"GITHUB_HOST": "github.com", "GITHUB_PERSONAL_ACCESS_TOKEN": {"secret_id": "github.GITHUB_PERSONAL_ACCESS_TOKEN"}})
    );
    assert_eq!(
        by("perplexity")["transport"]["env"]["PERPLEXITY_API_KEY"],
        json!({"secret_id": "perplexity.PERPLEXITY_API_KEY"})
    );
    assert_eq!(
        by("remote-docs")["auth"],
        json!({"type": "api_key", "secret_id": "remote-docs.Authorization", "header": "Authorization"})
    );
    assert_eq!(by("events")["transport"]["type"], "sse");
    let secrets = fx.atrium.secret_list().await.expect("secrets");
    let set: Vec<&str> = secrets.iter().filter(|s| s.is_set).map(|s| s.id.as_str()).collect();
    for id in [
        "github.GITHUB_PERSONAL_ACCESS_TOKEN",
        "perplexity.PERPLEXITY_API_KEY",
        "remote-docs.Authorization",
        "events.X-API-Key",
        "tracker.TRACKER_TOKEN",
    ] {
        assert!(set.contains(&id), "{id} in {set:?}");
    }
    // The server using it is named, so deleting it can say what breaks.
    let github = secrets.iter().find(|s| s.id == "github.GITHUB_PERSONAL_ACCESS_TOKEN").expect("github secret");
    assert_eq!(github.used_by, ["github"]);
    // docker is not on the allowlist: imported, but it says so.
    let preview = fx.atrium.import_preview(fixture(".mcp.json")).await.expect("preview");
    assert!(!preview.servers.iter().find(|s| s.name == "docker-tool").expect("docker").allowed);
    fx.atrium.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_file_is_reported_with_its_line_and_nothing_is_created() {
    let fx = Fixture::new().await;
    let err = fx.atrium.import_preview(fixture("malformed.json")).await.expect_err("malformed");
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("line 4"), "{}", err.message);
    let Some(ErrorDetails::Fields { problems }) = &err.details else { panic!("{err:?}") };
    assert_eq!(problems[0].position.as_ref().map(|p| p.line), Some(4));
    let request = ImportRequest {
        workspace_id: fx.workspace.clone(),
        source: fixture("malformed.json"),
        names: None,
        input_values: Default::default(),
    };
    assert!(fx.atrium.import_apply(request).await.is_err());
    let pasted = ImportSource { path: None, text: Some("{\"servers\": [1, 2".into()) };
    assert_eq!(fx.atrium.import_preview(pasted).await.expect_err("truncated").code, ErrorCode::InvalidInput);
    assert!(fx.atrium.server_list(None).await.expect("list").is_empty(), "nothing created");
    assert!(fx.atrium.secret_list().await.expect("secrets").is_empty(), "no secret stored");
    fx.atrium.close().await;
}
