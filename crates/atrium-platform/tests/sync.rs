//! Sync against the platform double over real HTTP and WebSockets on 127.0.0.1, with real SQLite files and the
//! real keychain (run inside `scripts/with-keychain.sh`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use atrium_auth::HeadlessBrowser;
use atrium_platform::{Account, NoReporter, PlatformAddress, SignInRequest, Sync, SyncState};
use atrium_secrets::Keychain;
use atrium_store::{ArtifactPatch, AtriumPaths, NewArtifact, NewWorkspace, Resolution, Store};
use atrium_testkit::platform::PlatformDouble;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

struct Side {
    _home: tempfile::TempDir,
    store: Store,
    sync: Sync,
}

async fn signed_in(double: &PlatformDouble) -> Side {
    let home = tempfile::tempdir().expect("home");
    let paths = AtriumPaths::at(home.path());
    let store = Store::open(&paths).await.expect("store");
    let account = Account::load(store.clone(), Some(Keychain::new(paths.keychain_namespace()))).await.expect("account");
    let user = double.user();
    let report = atrium_platform::discovery::check(&reqwest::Client::new(), &PlatformAddress::new(double.url()))
        .await
        .expect("check");
    let urls = report.urls().expect("Origin and Mantle found");
    account
        .sign_in(
            urls,
            SignInRequest::Password { identifier: user.username.clone(), password: user.password.clone() },
            &HeadlessBrowser::new(),
            &CancellationToken::new(),
        )
        .await
        .expect("sign in");
    let sync = Sync::new(account, Arc::new(NoReporter));
    Side { _home: home, store, sync }
}

fn title_of(raw: &Value) -> String {
    let context: Value = serde_json::from_str(raw["context"].as_str().unwrap_or("{}")).expect("context string");
    context["title"].as_str().unwrap_or_default().to_owned()
}

fn sorted(map: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut v = map;
    v.sort();
    v
}

/// Each side's artifacts as (title, content), sorted (titles may repeat after "keep both").
async fn local_state(store: &Store, workspace: &str) -> Vec<(String, String)> {
    let mut state = Vec::new();
    for summary in store.list_artifacts(workspace).await.expect("list") {
        let a = store.get_artifact(&summary.id).await.expect("get");
        state.push((a.title, a.content));
    }
    sorted(state)
}

fn content_of<'a>(state: &'a [(String, String)], title: &str) -> Option<&'a str> {
    state.iter().find(|(t, _)| t == title).map(|(_, c)| c.as_str())
}

fn remote_state(double: &PlatformDouble, container: &str) -> Vec<(String, String)> {
    let state = double
        .remote()
        .children(container)
        .iter()
        .map(|raw| {
            let id = raw["id"].as_str().expect("id");
            // Listings clear big content; the remote's own view has it whole.
            let full = double.remote().get(id).expect("get");
            (title_of(raw), full["content"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    sorted(state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_workspace_arrives_whole_including_content_kept_out_of_line() {
    let double = PlatformDouble::start().await.expect("double");
    let ws = double.remote().create_workspace("Research");
    let container = ws["id"].as_str().expect("id").to_owned();
    double.remote().create(&container, "Notes", "text/markdown", "# Notes");
    let big = "x".repeat(200 * 1024);
    double.remote().create(&container, "Big", "text/plain", &big);
    let side = signed_in(&double).await;

    let remote_list = side.sync.remote_workspaces().await.expect("list");
    assert_eq!(remote_list.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["Research"]);
    let local = side.sync.link_remote(&container).await.expect("link");
    assert_eq!(local.title, "Research");
    let report = side.sync.sync_workspace(&local.id).await.expect("sync");
    assert_eq!(report.pulled.applied.inserted, 2);

    let state = local_state(&side.store, &local.id).await;
    assert_eq!(content_of(&state, "Notes"), Some("# Notes"));
    assert_eq!(
        content_of(&state, "Big").map(str::len),
        Some(big.len()),
        "content over 128 KB comes through content-url"
    );
    assert!(double.stats().content_url_fetches >= 1);

    // A second sync changes nothing and sends nothing.
    let again = side.sync.sync_workspace(&local.id).await.expect("sync again");
    assert_eq!((again.pulled.applied.inserted, again.pulled.applied.updated, again.pushed.sent), (0, 0, 0));
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_workspace_keeps_what_of_its_description_a_local_one_may_hold() {
    let double = PlatformDouble::start().await.expect("double");
    let ws = double.remote().create_workspace("Brief");
    let container = ws["id"].as_str().expect("id").to_owned();
    // Whatever its writer put there: a control character and far more than a local description holds.
    let long = format!("Line one\u{7}\nline two {}", "x".repeat(3000));
    double.remote().describe(&container, &long).expect("described");
    let side = signed_in(&double).await;

    let local = side.sync.link_remote(&container).await.expect("link, not a refusal over the description");
    assert_eq!(local.title, "Brief");
    assert!(local.description.starts_with("Line one\nline two xxx"), "{:.30}", local.description);
    assert_eq!(local.description.chars().count(), atrium_store::validate::MAX_DESCRIPTION_CHARS);
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_edits_go_out_and_a_two_sided_edit_is_a_conflict_not_an_overwrite() {
    let double = PlatformDouble::start().await.expect("double");
    let side = signed_in(&double).await;
    let ws = side.store.create_workspace(NewWorkspace { title: "Plans".into(), description: None }).await.expect("ws");
    let a = new_artifact(&side.store, &ws.id, "Alpha", "one").await;
    let b = new_artifact(&side.store, &ws.id, "Beta", "two").await;
    let link = side.sync.publish_workspace(&ws.id).await.expect("publish");
    side.sync.sync_workspace(&ws.id).await.expect("sync");
    assert_eq!(remote_state(&double, &link.remote_id), local_state(&side.store, &ws.id).await);

    // Edit and delete here; both reach the platform.
    edit(&side.store, &a, "one, edited here").await;
    side.store.delete_artifact(&b).await.expect("delete");
    let report = side.sync.sync_workspace(&ws.id).await.expect("sync");
    assert_eq!(report.pushed.sent, 2);
    assert_eq!(remote_state(&double, &link.remote_id), local_state(&side.store, &ws.id).await);

    // The same artifact edited on both sides: neither side is overwritten.
    let root = side.store.get_artifact(&a).await.expect("a").root_id.expect("root");
    double.remote().update(&root, None, Some("edited on the platform")).expect("remote edit");
    edit(&side.store, &a, "edited here again").await;
    let report = side.sync.sync_workspace(&ws.id).await.expect("sync");
    assert_eq!(report.pulled.applied.conflicts, 1, "{report:?}");
    assert_eq!(side.store.get_artifact(&a).await.expect("a").content, "edited here again");
    assert_eq!(double.remote().get(&root).expect("remote")["content"], "edited on the platform");
    let conflicts = side.sync.conflicts(Some(&ws.id)).await.expect("conflicts");
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].remote.as_ref().expect("remote side")["content"], "edited on the platform");
    let status = side.sync.statuses().await.expect("status");
    assert_eq!((status[0].conflicts, status[0].pending), (1, 1));

    // Keep both: the platform's side stays in place, this computer's becomes a new artifact on both sides.
    side.sync.resolve(&a, Resolution::KeepBoth).await.expect("resolve");
    side.sync.sync_workspace(&ws.id).await.expect("sync");
    let local = local_state(&side.store, &ws.id).await;
    assert_eq!(local, remote_state(&double, &link.remote_id));
    let contents: Vec<&str> = local.iter().map(|(_, c)| c.as_str()).collect();
    assert!(contents.contains(&"edited on the platform") && contents.contains(&"edited here again"), "{local:?}");
    assert!(side.sync.conflicts(None).await.expect("none").is_empty());
    double.shutdown().await;
}

async fn new_artifact(store: &Store, ws: &str, title: &str, content: &str) -> String {
    store
        .create_artifact(NewArtifact {
            workspace_id: ws.into(),
            title: title.into(),
            content_type: "text/plain".into(),
            content: Some(content.into()),
            ..Default::default()
        })
        .await
        .expect("create")
        .id
}

async fn edit(store: &Store, id: &str, content: &str) {
    store
        .update_artifact(id, ArtifactPatch { content: Some(content.into()), ..Default::default() })
        .await
        .expect("edit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_survived_without_duplicates() {
    let double = PlatformDouble::start().await.expect("double");
    let side = signed_in(&double).await;
    let ws = side.store.create_workspace(NewWorkspace { title: "Faulty".into(), description: None }).await.expect("ws");
    let link = side.sync.publish_workspace(&ws.id).await.expect("publish");
    for i in 0..5 {
        new_artifact(&side.store, &ws.id, &format!("Item {i}"), &format!("body {i}")).await;
    }

    // 500s: the sync fails with a clear, retryable status and nothing is lost.
    double.faults().fail_next(3);
    assert!(side.sync.sync_workspace(&ws.id).await.is_err());
    let status = &side.sync.statuses().await.expect("status")[0];
    assert_eq!(status.state, SyncState::Offline, "{status:?}");
    assert!(status.message.as_deref().is_some_and(|m| m.contains("500")), "{status:?}");
    assert_eq!(status.pending, 5);

    // A listing cut short applies nothing it cannot read and deletes nothing.
    double.faults().reset();
    double.faults().malformed_next(1);
    assert!(side.sync.sync_workspace(&ws.id).await.is_err());
    assert_eq!(side.store.list_artifacts(&ws.id).await.expect("list").len(), 5);

    // A create whose answer is cut short: the platform made it, Atrium could not read the answer. The retry finds
    // it by the local id in its context instead of creating it again.
    double.faults().reset();
    double.faults().malformed_next(1);
    let pushed = side.sync.push_workspace(&ws.id).await.expect("push");
    assert_eq!((pushed.sent, pushed.failed), (4, 1), "{pushed:?}");
    double.faults().reset();
    wait_for_retry().await;
    side.sync.sync_workspace(&ws.id).await.expect("sync after faults");
    let remote = double.remote().children(&link.remote_id);
    assert_eq!(remote.len(), 5, "no duplicates: {:?}", remote.iter().map(title_of).collect::<Vec<_>>());
    assert_eq!(sorted(remote_state(&double, &link.remote_id)), sorted(local_state(&side.store, &ws.id).await));
    assert_eq!(side.store.outbox_count(&ws.id).await.expect("outbox"), 0);

    // Expired tokens: refreshed (once) and the sync goes on; latency changes nothing.
    let refreshes = double.stats().refreshes;
    double.faults().expire_tokens();
    double.faults().set_latency(30);
    double.remote().create(&link.remote_id, "Late", "text/plain", "arrived");
    side.sync.sync_workspace(&ws.id).await.expect("sync with an expired token");
    assert_eq!(double.stats().refreshes, refreshes + 1);
    assert_eq!(content_of(&local_state(&side.store, &ws.id).await, "Late"), Some("arrived"));
    double.shutdown().await;
}

/// Failed entries wait for their backoff; the first retry comes after about 2 s.
async fn wait_for_retry() {
    tokio::time::sleep(Duration::from_millis(2600)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_loop_follows_events_and_catches_up_after_a_dropped_socket() {
    let double = PlatformDouble::start().await.expect("double");
    let side = signed_in(&double).await;
    let remote_ws = double.remote().create_workspace("Live");
    let container = remote_ws["id"].as_str().expect("id").to_owned();
    let local = side.sync.link_remote(&container).await.expect("link");
    side.sync.start();
    let first = double.remote().create(&container, "First", "text/plain", "1");
    eventually(&side.store, &local.id, |s| content_of(s, "First") == Some("1")).await;
    double.remote().update(first["id"].as_str().expect("id"), None, Some("1b")).expect("update");
    eventually(&side.store, &local.id, |s| content_of(s, "First") == Some("1b")).await;

    // While the socket is down, a change is made; the re-list after reconnecting brings it.
    double.faults().drop_sockets();
    double.remote().create(&container, "While away", "text/plain", "2");
    eventually(&side.store, &local.id, |s| content_of(s, "While away").is_some()).await;

    // A local edit goes out on its own.
    let id = side
        .store
        .list_artifacts(&local.id)
        .await
        .expect("list")
        .into_iter()
        .find(|a| a.title == "First")
        .expect("first")
        .id;
    edit(&side.store, &id, "from here").await;
    side.sync.wake();
    for _ in 0..100 {
        if content_of(&remote_state(&double, &container), "First") == Some("from here") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(content_of(&remote_state(&double, &container), "First"), Some("from here"));
    side.sync.stop().await;
    double.shutdown().await;
}

async fn eventually(store: &Store, ws: &str, done: impl Fn(&[(String, String)]) -> bool) {
    for _ in 0..150 {
        if done(&local_state(store, ws).await) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not reached: {:?}", local_state(store, ws).await);
}

/// A small deterministic generator, so a failure can be replayed from its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One edit made in a round: on which side, to what, with the result (`None`: deleted).
struct Edit {
    here: bool,
    /// The local artifact (edits here).
    local_id: Option<String>,
    /// The platform identity, when known at the time (always for edits there).
    root: Option<String>,
    body: Option<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn randomized_edits_on_both_sides_converge_and_none_is_lost() {
    let double = PlatformDouble::start().await.expect("double");
    let side = signed_in(&double).await;
    let ws = side.store.create_workspace(NewWorkspace { title: "Random".into(), description: None }).await.expect("ws");
    let link = side.sync.publish_workspace(&ws.id).await.expect("publish");
    // ATRIUM_SYNC_SEED replays another run.
    let seed = std::env::var("ATRIUM_SYNC_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x9e37_79b9_7f4a_7c15u64);
    let mut rng = Rng(seed);
    let mut token = 0u32;
    for round in 0..6 {
        let mut edits: Vec<Edit> = Vec::new();
        for _ in 0..12 {
            token += 1;
            let body = format!("edit {token} (round {round})");
            let locals = side.store.list_artifacts(&ws.id).await.expect("list");
            let remotes = double.remote().children(&link.remote_id);
            match rng.below(6) {
                0 => {
                    new_artifact(&side.store, &ws.id, &format!("L{token}"), &body).await;
                }
                1 if !locals.is_empty() => {
                    let id = locals[rng.below(locals.len())].id.clone();
                    edit(&side.store, &id, &body).await;
                    let root = side.store.get_artifact(&id).await.expect("a").root_id;
                    edits.push(Edit { here: true, local_id: Some(id), root, body: Some(body) });
                }
                2 if !locals.is_empty() => {
                    let id = locals[rng.below(locals.len())].id.clone();
                    let root = side.store.get_artifact(&id).await.expect("a").root_id;
                    side.store.delete_artifact(&id).await.expect("delete");
                    edits.push(Edit { here: true, local_id: Some(id), root, body: None });
                }
                3 => {
                    double.remote().create(&link.remote_id, &format!("R{token}"), "text/plain", &body);
                }
                4 if !remotes.is_empty() => {
                    let root = remotes[rng.below(remotes.len())]["root_id"].as_str().expect("root").to_owned();
                    double.remote().update(&root, None, Some(&body));
                    edits.push(Edit { here: false, local_id: None, root: Some(root), body: Some(body) });
                }
                5 if !remotes.is_empty() => {
                    let root = remotes[rng.below(remotes.len())]["root_id"].as_str().expect("root").to_owned();
                    double.remote().delete(&root);
                    edits.push(Edit { here: false, local_id: None, root: Some(root), body: None });
                }
                _ => {}
            }
        }
        side.sync.sync_workspace(&ws.id).await.expect("sync");
        check_round(&side, &double, &ws.id, &edits)
            .await
            .unwrap_or_else(|e| panic!("seed {seed:#x} round {round}: {e}"));
        // Settle conflicts every other round (choices at random); leave them open across a sync otherwise.
        if round % 2 == 1 {
            settle(&side, &mut rng).await;
        }
    }
    settle(&side, &mut rng).await;
    settle(&side, &mut rng).await;
    assert!(side.sync.conflicts(None).await.expect("conflicts").is_empty());
    assert_eq!(local_state(&side.store, &ws.id).await, remote_state(&double, &link.remote_id), "seed {seed:#x}");
    assert_eq!(side.store.outbox_count(&ws.id).await.expect("outbox"), 0);
    double.shutdown().await;
}

/// Every edit of the round is either on both sides now, or its artifact is in conflict; an artifact edited
/// differently on both sides is always in conflict.
async fn check_round(side: &Side, double: &PlatformDouble, ws: &str, edits: &[Edit]) -> Result<(), String> {
    let conflicts: Vec<String> =
        side.sync.conflicts(Some(ws)).await.expect("conflicts").into_iter().map(|c| c.artifact_id).collect();
    let by_root = local_by_root(&side.store, ws).await;
    // Each edit's platform identity and local artifact, as known after the sync.
    let mut resolved = Vec::new();
    for e in edits {
        let root = match (&e.root, &e.local_id) {
            (Some(root), _) => Some(root.clone()),
            (None, Some(id)) => side.store.get_artifact(id).await.ok().and_then(|a| a.root_id),
            (None, None) => None,
        };
        let local_id =
            e.local_id.clone().or_else(|| root.as_ref().and_then(|r| by_root.get(r)).map(|(id, _)| id.clone()));
        resolved.push((e, root, local_id));
    }
    for (i, (e, root, local_id)) in resolved.iter().enumerate() {
        // Only the last edit of an artifact on each side counts.
        let superseded = resolved[i + 1..].iter().any(|(later, r, l)| {
            later.here == e.here && ((r.is_some() && r == root) || (l.is_some() && l == local_id))
        });
        if superseded {
            continue;
        }
        // The conflict is keyed by the local artifact, which a local delete's edit knows even when it is gone.
        let in_conflict = resolved
            .iter()
            .filter(|(_, r, l)| (r.is_some() && r == root) || (l.is_some() && l == local_id))
            .filter_map(|(_, _, l)| l.as_ref())
            .any(|id| conflicts.contains(id));
        let other_side = resolved.iter().rev().find(|(o, r, _)| o.here != e.here && r.is_some() && r == root);
        if let Some((other, _, _)) = other_side
            && other.body != e.body
        {
            if !in_conflict {
                let local = match local_id {
                    Some(id) => side.store.get_artifact(id).await.ok().map(|a| (a.content, a.version)),
                    None => None,
                };
                return Err(format!(
                    "{root:?} changed on both sides ({:?} / {:?}) without a conflict; local {local_id:?} now {local:?}",
                    e.body, other.body
                ));
            }
            continue;
        }
        if in_conflict {
            continue;
        }
        let local_now = match local_id {
            Some(id) => side.store.get_artifact(id).await.ok().map(|a| a.content),
            None => None,
        };
        let remote_now = root
            .as_ref()
            .and_then(|r| double.remote().get(r))
            .map(|r| r["content"].as_str().unwrap_or_default().to_owned());
        match &e.body {
            Some(body) if local_now.as_ref() == Some(body) && remote_now.as_ref() == Some(body) => {}
            None if local_now.is_none() && remote_now.is_none() => {}
            _ => return Err(format!("edit {:?} of {root:?} lost: here {local_now:?}, there {remote_now:?}", e.body)),
        }
    }
    Ok(())
}

async fn settle(side: &Side, rng: &mut Rng) {
    for conflict in side.sync.conflicts(None).await.expect("conflicts") {
        let choice = [Resolution::KeepLocal, Resolution::KeepRemote, Resolution::KeepBoth][rng.below(3)];
        side.sync.resolve(&conflict.artifact_id, choice).await.expect("resolve");
    }
    side.sync.sync_workspace(&side.store.list_workspaces().await.expect("ws")[0].id).await.expect("sync");
}

/// Local artifacts by platform root id: (local id, content).
async fn local_by_root(store: &Store, ws: &str) -> HashMap<String, (String, String)> {
    let mut map = HashMap::new();
    for summary in store.list_artifacts(ws).await.expect("list") {
        let a = store.get_artifact(&summary.id).await.expect("get");
        map.insert(a.root_id.clone().unwrap_or(a.id.clone()), (a.id, a.content));
    }
    map
}
