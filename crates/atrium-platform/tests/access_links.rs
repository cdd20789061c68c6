//! Access links against the platform double's Origin over real HTTP, with a real store and keychain: an invite
//! comes back as the platform sent it, a 401 renews the token once, and every failure is a typed value
//! (refused with Origin's words, not found, signed out, unreachable).

use atrium_auth::HeadlessBrowser;
use atrium_platform::{AccessLinks, Account, InviteRequest, InviteRole, PlatformAddress, PlatformError, SignInRequest};
use atrium_secrets::Keychain;
use atrium_store::{AtriumPaths, Store};
use atrium_testkit::platform::PlatformDouble;
use tokio_util::sync::CancellationToken;

async fn signed_in(double: &PlatformDouble) -> (tempfile::TempDir, Account) {
    let home = tempfile::tempdir().expect("home");
    let paths = AtriumPaths::at(home.path());
    let store = Store::open(&paths).await.expect("store");
    let account = Account::load(store, Some(Keychain::new(paths.keychain_namespace()))).await.expect("account");
    let user = double.user();
    let report = atrium_platform::discovery::check(&reqwest::Client::new(), &PlatformAddress::new(double.url()))
        .await
        .expect("check");
    let request = SignInRequest::Password { identifier: user.username.clone(), password: user.password.clone() };
    let urls = report.urls().expect("Origin and Mantle found");
    account.sign_in(urls, request, &HeadlessBrowser::new(), &CancellationToken::new()).await.expect("sign in");
    (home, account)
}

fn invite(resource_id: &str) -> InviteRequest {
    InviteRequest {
        resource_id: resource_id.to_owned(),
        role: InviteRole::Viewer,
        max_claims: Some(2),
        expires_at: None,
        name: Some("desk".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invites_come_back_whole_and_failures_are_typed() {
    let double = PlatformDouble::start().await.expect("double");
    let (_home, account) = signed_in(&double).await;
    let remote = double.remote();
    let ws = remote.create_workspace("Shared");
    let note = remote.create(ws["id"].as_str().expect("id"), "Note", "text/markdown", "hi");
    let note_id = note["id"].as_str().expect("id").to_owned();
    let links = AccessLinks::new(account.clone());

    let made = links.create_invite(&invite(&note_id)).await.expect("invite");
    let token = made["claim_token"].as_str().expect("token");
    assert_eq!(made["claim_url"], format!("{}/invite/{token}", double.url()));
    assert_eq!((made["max_claims"].as_u64(), made["name"].as_str()), (Some(2), Some("desk")));
    assert_eq!(made.as_object().map(|o| o.len()), Some(36), "every field the platform sent: {made}");

    // An expired token is renewed once and the call goes through.
    double.faults().expire_tokens();
    let listed = links.list(&note_id).await.expect("list after renewal");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].get("claim_token").is_none());

    // Refused with Origin's words; not found; a 500 is a transient status.
    let elsewhere = uuid::Uuid::new_v4().to_string();
    match links.create_invite(&invite(&elsewhere)).await {
        Err(PlatformError::Status { status: 403, message, .. }) => {
            assert!(message.contains("share or admin"), "{message}")
        }
        other => panic!("expected a 403, got {other:?}"),
    }
    let missing = links.get(&uuid::Uuid::new_v4().to_string()).await.expect_err("no such grant");
    assert!(matches!(missing, PlatformError::NotFound(_)), "{missing:?}");
    double.faults().fail_next(1);
    let failed = links.list(&note_id).await.expect_err("a 500");
    assert!(failed.is_transient(), "{failed:?}");

    let id = made["id"].as_str().expect("id");
    let revoked = links.revoke(id).await.expect("revoke");
    assert_eq!(revoked, serde_json::json!({"id": id, "state": "revoked"}));
    assert_eq!(double.grants_on(&note_id)[0]["state"], "revoked");

    // Signed out, and a platform that is gone.
    account.sign_out().await.expect("sign out");
    let out = links.list(&note_id).await.expect_err("signed out");
    assert!(matches!(out, PlatformError::SignedOut), "{out:?}");
    let (_home2, account) = signed_in(&double).await;
    let links = AccessLinks::new(account);
    double.shutdown().await;
    let gone = links.list(&note_id).await.expect_err("unreachable");
    assert!(matches!(gone, PlatformError::Unreachable { .. }), "{gone:?}");
}
