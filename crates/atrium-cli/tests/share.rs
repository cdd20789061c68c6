//! `atrium share …` against the platform double (in the test's process; each `atrium` a process of its own): a
//! local workspace is told how to publish, then a link is made on the published artifact (its URL printed), listed
//! and revoked — and the platform holds it revoked. Needs the keychain (`scripts/with-keychain.sh`).

use atrium_testkit::platform::PlatformDouble;

mod support;

use support::Home;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_are_made_listed_and_revoked_from_the_terminal() {
    let double = PlatformDouble::start().await.expect("double");
    let home = Home::new();
    home.ok(&["workspace", "create", "Garden"]);
    let made = home.json(&["artifact", "create", "Garden", "--title", "Tomatoes", "--content", "After the frost."]);
    let artifact = made["id"].as_str().expect("id").to_owned();

    let local = home.run(&["share", "link", &artifact], "");
    assert!(!local.status.success());
    let said = String::from_utf8_lossy(&local.stderr);
    assert!(said.contains("atrium platform publish \"Garden\""), "{said}");

    let user = double.user();
    let out =
        home.run(&["platform", "sign-in", &double.url(), "--user", &user.username], &format!("{}\n", user.password));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    home.ok(&["platform", "publish", "Garden"]);
    home.ok(&["sync"]);

    let printed = home.ok(&["share", "link", &artifact, "--write", "--max-uses", "2", "--name", "for Bo"]);
    let url = printed.lines().next().unwrap_or_default();
    assert!(url.starts_with(&format!("{}/invite/agc_", double.url())), "{printed}");
    let link_id = printed.lines().nth(1).and_then(|l| l.split_whitespace().nth(1)).expect("link id").to_owned();

    let listed = home.ok(&["share", "list", &artifact]);
    assert!(listed.contains(&link_id) && listed.contains("active  write  invite  0/2 claimed  for Bo"), "{listed}");
    assert!(listed.contains("for Bo"), "{listed}");

    assert_eq!(home.ok(&["share", "revoke", &artifact, &link_id]).trim(), format!("revoked {link_id}"));
    let root = home.json(&["artifact", "show", &artifact])["root_id"].as_str().expect("root").to_owned();
    assert_eq!(double.grants_on(&root)[0]["state"], "revoked");
    let listed = home.json(&["share", "list", &artifact]);
    assert_eq!(listed["links"][0]["state"], "revoked");
    double.shutdown().await;
}
