//! Crash safety of sync, with real processes: `atrium sync` pulling 10k artifacts from the platform double (in
//! the test's process) is killed with SIGKILL half-way; the store passes SQLite's integrity check, the edit committed
//! before the crash is not lost, and the next `atrium sync` completes both ways. Needs the keychain
//! (`scripts/with-keychain.sh`), like every sign-in.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const COUNT: usize = 10_000;

fn atrium(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atrium"));
    command.arg("--home").arg(home).env_remove("ATRIUM_HOME");
    command
}

fn run(home: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = atrium(home)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run atrium");
    if let Some(text) = stdin {
        child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write stdin");
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().expect("wait");
    assert!(output.status.success(), "atrium {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

async fn count_local(db: &Path) -> (i64, String) {
    use sqlx::Connection;
    let url = format!("sqlite://{}?mode=ro", db.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("open the store");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM artifacts").fetch_one(&mut conn).await.expect("count");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut conn).await.expect("check");
    (count, integrity)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_half_way_loses_nothing_and_completes_after_restart() {
    // The double runs in this test's process; `atrium sync` is a process of its own, killed half-way.
    let double = atrium_testkit::platform::PlatformDouble::start().await.expect("double");
    let url = double.url();
    let http = reqwest::Client::new();
    let seeded: Value = http
        .post(format!("{}/_double/seed", url))
        .json(&json!({"workspace_name": "Big", "count": COUNT, "content_bytes": 400}))
        .send()
        .await
        .expect("seed")
        .json()
        .await
        .expect("seed answer");
    let container = seeded["container_id"].as_str().expect("container").to_owned();

    let home = tempfile::tempdir().expect("home");
    let db = home.path().join("atrium.db");
    run(home.path(), &["platform", "sign-in", &url, "--user", "ada"], Some("correct-horse-battery\n"));
    let linked: Value =
        serde_json::from_slice(&run(home.path(), &["--json", "platform", "link", &container], None).stdout)
            .expect("workspace json");
    let workspace = linked["id"].as_str().expect("id").to_owned();
    run(
        home.path(),
        &["artifact", "create", &workspace, "--title", "Written before the crash", "--content", "kept"],
        None,
    );

    // Slow the platform a little so the kill lands mid-pull.
    http.post(format!("{}/_double/faults", url)).json(&json!({"latency_ms": 5})).send().await.expect("faults");
    let mut sync = atrium(home.path()).arg("sync").stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("sync");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if db.exists() && count_local(&db).await.0 > 1 + 500 {
            break;
        }
        assert!(Instant::now() < deadline, "the sync never got going");
        assert!(sync.try_wait().expect("poll").is_none(), "the sync finished before it could be killed");
    }
    sync.kill().expect("SIGKILL");
    sync.wait().expect("reap");
    let (partial, integrity) = count_local(&db).await;
    assert_eq!(integrity, "ok");
    assert!(partial > 1 && partial < (COUNT + 1) as i64, "killed half-way: {partial}");

    http.post(format!("{}/_double/faults", url)).json(&json!({"reset": true})).send().await.expect("faults");
    run(home.path(), &["sync"], None);
    let (count, integrity) = count_local(&db).await;
    assert_eq!((count, integrity.as_str()), ((COUNT + 1) as i64, "ok"));

    // The edit made before the crash reached the platform, once.
    let login: Value = http
        .post(format!("{}/auth/password/login", url))
        .json(&json!({"identifier": "ada", "password": "correct-horse-battery"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("tokens");
    let children: Vec<Value> = http
        .get(format!("{}/artifacts/{container}/children", double.mantle_url()))
        .bearer_auth(login["access_token"].as_str().expect("token"))
        .send()
        .await
        .expect("children")
        .json()
        .await
        .expect("array");
    assert_eq!(children.len(), COUNT + 1);
    let ours =
        children.iter().filter(|c| c["context"].as_str().is_some_and(|s| s.contains("Written before the crash")));
    assert_eq!(ours.count(), 1);
}
