//! Several processes on one file, and a process killed mid-write. Each child is this test binary re-running the
//! same test, with a mode in the environment that makes the test play the child's part.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use atrium_store::{AtriumPaths, NewWorkspace, SearchQuery, Store};

const MODE_ENV: &str = "ATRIUM_STORE_TEST_CHILD";
const HOME_ENV: &str = "ATRIUM_STORE_TEST_HOME";
const WRITERS: usize = 6;
const WRITES_EACH: usize = 40;

/// The id in a child's "committed <id>" line; libtest may print its own prefix on the same line.
fn committed_id(line: &str) -> Option<&str> {
    line.rsplit_once("committed ").map(|(_, id)| id.trim())
}

fn spawn_child(test: &str, mode: &str, home: &Path) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(MODE_ENV, mode)
        .env(HOME_ENV, home)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child")
}

/// The child's part, when this process is a child (the mode variable is set): `true` when it played it.
async fn played_child() -> bool {
    let Ok(mode) = std::env::var(MODE_ENV) else { return false };
    let home = std::env::var_os(HOME_ENV).expect("home");
    let store = Store::open(&AtriumPaths::at(&home)).await.expect("child opens the store");
    let ws = store
        .create_workspace(NewWorkspace { title: format!("from pid {}", std::process::id()), description: None })
        .await
        .expect("child creates a workspace");
    let mut out = std::io::stdout().lock();
    let mut i = 0usize;
    loop {
        let a = store
            .create_artifact(crate::common::note(&ws, &format!("note {i}"), &"words ".repeat(50)))
            .await
            .expect("child writes");
        // Reported only after the commit returned: everything printed must survive a kill -9.
        writeln!(out, "committed {}", a.id).expect("stdout");
        out.flush().expect("flush");
        i += 1;
        if mode == "writer" && i == WRITES_EACH {
            break;
        }
    }
    store.close().await;
    true
}

#[tokio::test]
async fn several_processes_open_one_fresh_file_and_write_at_once() {
    if played_child().await {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    // No database yet: every child races to create and migrate it.
    let children: Vec<Child> = (0..WRITERS)
        .map(|_| {
            spawn_child("concurrency::several_processes_open_one_fresh_file_and_write_at_once", "writer", dir.path())
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("wait");
        assert!(output.status.success(), "a writer failed: {:?}", output.status);
        let committed = String::from_utf8_lossy(&output.stdout).lines().filter_map(committed_id).count();
        assert_eq!(committed, WRITES_EACH);
    }
    let store = Store::open(&AtriumPaths::at(dir.path())).await.expect("open");
    let workspaces = store.list_workspaces().await.expect("list");
    assert_eq!(workspaces.len(), WRITERS);
    assert!(workspaces.iter().all(|w| w.artifact_count as usize == WRITES_EACH));
    assert_eq!(store.integrity_check().await.expect("check"), "ok");
}

#[tokio::test]
async fn a_kill_9_mid_write_loses_nothing_committed() {
    if played_child().await {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let mut child = spawn_child("concurrency::a_kill_9_mid_write_loses_nothing_committed", "forever", dir.path());
    let stdout = child.stdout.take().expect("stdout");
    let mut committed = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if let Some(id) = committed_id(&line) {
            committed.push(id.to_owned());
            if committed.len() == 150 {
                break;
            }
        }
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");

    let store = Store::open(&AtriumPaths::at(dir.path())).await.expect("reopen after the crash");
    assert_eq!(store.integrity_check().await.expect("check"), "ok");
    for id in &committed {
        let artifact = store.get_artifact(id).await.expect("a committed write survived");
        assert_eq!(artifact.version, 1);
        // Indexed in the background (or not yet, when the kill came first): search finds it either way.
        let hits = store.search(&SearchQuery { text: artifact.title.clone(), ..Default::default() }).await;
        assert!(hits.expect("search").iter().any(|h| h.artifact_id == *id), "{} is found by its title", artifact.title);
    }
    let fts_check = sqlx_integrity(&store).await;
    assert!(fts_check, "the full-text index is sound after the crash");
}

async fn sqlx_integrity(store: &Store) -> bool {
    use sqlx::Connection;
    let url = format!("sqlite://{}", store.search_index_path().display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("connect");
    let ok = sqlx::query("INSERT INTO artifacts_fts(artifacts_fts, rank) VALUES('integrity-check', 1)")
        .execute(&mut conn)
        .await
        .is_ok();
    conn.close().await.expect("close");
    ok
}
