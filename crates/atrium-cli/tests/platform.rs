//! `atrium platform …` and `atrium relay` against the platform double shaped like the real deployments (the
//! double runs in the test's process; each `atrium` is a process of its own): the connection check in each shipped
//! layout, browser sign-in with a named provider and its address printed, a refused provider refused before any
//! browser opens, the relay saying why it is not connected (to its own terminal and to `platform status` in
//! another process), and the reason a session ended kept for the next process. Needs the keychain
//! (`scripts/with-keychain.sh`).

use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use atrium_testkit::platform::{DoubleLayout, DoubleOptions, DoubleProvider, PlatformDouble};
use serde_json::Value;

mod support;

use support::{Home, signal, wait_until};

async fn double(layout: DoubleLayout) -> PlatformDouble {
    PlatformDouble::start_with(DoubleOptions { layout, ..DoubleOptions::default() }).await.expect("double")
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn sign_in_with_password(home: &Home, double: &PlatformDouble, extra: &[&str]) -> Output {
    let user = double.user();
    let url = double.url();
    let mut args = vec!["platform", "sign-in", url.as_str(), "--user", user.username.as_str()];
    args.extend_from_slice(extra);
    home.run(&args, &format!("{}\n", user.password))
}

/// A `$BROWSER` that follows the sign-in page's redirects without a person (the double's `/auth/authorize`
/// bounces straight to Atrium's loopback listener) and keeps the last page it got.
fn headless_browser(home: &Home) -> (String, std::path::PathBuf) {
    let page = home.dir.path().join("last-page.html");
    let script = home.dir.path().join("browser.sh");
    std::fs::write(&script, format!("#!/bin/sh\nexec curl -s -L -o '{}' \"$1\"\n", page.display())).expect("script");
    std::process::Command::new("chmod").arg("+x").arg(&script).status().expect("chmod");
    (script.display().to_string(), page)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_check_says_what_each_service_answered_in_each_layout() {
    let home = Home::new();

    let front = double(DoubleLayout::Front { relay_routed: true }).await;
    let out = home.run(&["platform", "check", &front.url()], "");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains(&format!("Mantle (workspaces): {}/api (in the platform's front layout)", front.url())));
    assert!(stdout.contains(&format!("Chorus (the relay): {}", front.url())), "{stdout}");
    assert!(stdout.contains("google (Google), entra (Microsoft)"), "{stdout}");
    let json: Value = serde_json::from_str(&home.ok(&["--json", "platform", "check", &front.url()])).expect("json");
    assert_eq!(json["mantle"]["found_by"], "front_layout");
    front.shutdown().await;

    let shipped = double(DoubleLayout::Front { relay_routed: false }).await;
    let out = home.run(&["platform", "check", &shipped.url()], "");
    let (stdout, _) = text(&out);
    assert!(out.status.success(), "Origin and Mantle are enough to sign in: {stdout}");
    assert!(stdout.contains("Chorus (the relay): not found"), "{stdout}");
    assert!(stdout.contains("/relay is not routed to it"), "{stdout}");
    shipped.shutdown().await;

    let separate = double(DoubleLayout::Separate).await;
    let out = home.run(&["platform", "check", &separate.origin_url()], "");
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(68), "Mantle not found is the platform not reachable: {stdout}");
    assert!(stdout.contains("Mantle (workspaces): not found") && stdout.contains("--mantle-url"), "{stdout}");
    let given = home.run(
        &[
            "platform",
            "check",
            &separate.origin_url(),
            "--mantle-url",
            &separate.mantle_url(),
            "--chorus-url",
            &separate.chorus_url(),
        ],
        "",
    );
    assert!(given.status.success(), "{}", text(&given).0);
    assert!(text(&given).0.contains(&format!("Mantle (workspaces): {} (as given)", separate.mantle_url())));
    separate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sign_in_names_the_provider_and_prints_the_address_it_waits_on() {
    let double = double(DoubleLayout::Front { relay_routed: true }).await;
    let home = Home::new();
    let (browser, _) = headless_browser(&home);
    let out = home
        .command(&["platform", "sign-in", &double.url(), "--provider", "entra"])
        .env("BROWSER", &browser)
        .stdin(Stdio::null())
        .output()
        .expect("sign in");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("signed in to"), "{stdout}");
    assert!(stderr.contains("Open this address to sign in"), "{stderr}");
    assert!(stderr.contains("provider=entra"), "the printed address names the provider: {stderr}");
    assert_eq!(double.stats().authorize_providers.get("entra"), Some(&1));

    // A provider the platform does not offer is refused at once, before a browser opens on Origin's 400 page.
    let out = home
        .command(&["platform", "sign-in", &double.url(), "--provider", "github"])
        .env("BROWSER", &browser)
        .stdin(Stdio::null())
        .output()
        .expect("sign in");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(stderr.contains("no browser sign-in with \"github\"") && stderr.contains("entra (Microsoft)"), "{stderr}");
    assert!(!stderr.contains("Open this address"), "no browser opened: {stderr}");
    double.shutdown().await;

    // A platform with no identity provider at all says to use a password.
    let options = DoubleOptions { providers: Vec::new(), ..DoubleOptions::default() };
    let bare = PlatformDouble::start_with(options).await.expect("double");
    let out = home
        .command(&["platform", "sign-in", &bare.url()])
        .env("BROWSER", &browser)
        .stdin(Stdio::null())
        .output()
        .expect("sign in");
    assert!(text(&out).1.contains("no browser sign-in configured"), "{}", text(&out).1);
    bare.shutdown().await;

    // With one provider and none named, that one is used.
    let options = DoubleOptions { providers: vec![DoubleProvider::new("auth0", "Auth0")], ..DoubleOptions::default() };
    let single = PlatformDouble::start_with(options).await.expect("double");
    let out = home
        .command(&["platform", "sign-in", &single.url()])
        .env("BROWSER", &browser)
        .stdin(Stdio::null())
        .output()
        .expect("sign in");
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(single.stats().authorize_providers.get("auth0"), Some(&1));
    single.shutdown().await;
}

/// `atrium relay` as a child, with each line it writes to stderr.
fn start_relay(home: &Home) -> (std::process::Child, mpsc::Receiver<String>) {
    let mut relay = home.command(&["relay"]).stdin(Stdio::null()).stderr(Stdio::piped()).spawn().expect("relay");
    let (tx, rx) = mpsc::channel();
    let stderr = relay.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (relay, rx)
}

fn line_containing(lines: &mpsc::Receiver<String>, needle: &str) -> String {
    let mut seen = Vec::new();
    loop {
        match lines.recv_timeout(Duration::from_secs(20)) {
            Ok(line) if line.contains(needle) => return line,
            Ok(line) => seen.push(line),
            Err(_) => panic!("no line with {needle:?}; saw {seen:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_says_why_it_is_not_connected_to_its_terminal_and_to_other_processes() {
    let double = double(DoubleLayout::Front { relay_routed: true }).await;
    let home = Home::new();
    let key = double.api_key(&double.user());
    let out = home.run(&["platform", "sign-in", &double.url(), "--api-key-stdin"], &format!("{key}\n"));
    assert!(out.status.success(), "{}", text(&out).1);

    let (mut relay, lines) = start_relay(&home);
    let said = line_containing(&lines, "relay: needs a sign-in");
    assert!(said.contains("API key") && said.contains("sign in with the browser or a password"), "{said}");
    let status = home.ok(&["platform", "status"]);
    assert!(
        status.contains(&format!("relay: needs a sign-in (served by process {})", relay.id())),
        "another process tells the same truth: {status}"
    );
    let json: Value = serde_json::from_str(&home.ok(&["--json", "platform", "status"])).expect("json");
    assert_eq!(json["relay"]["reason"]["kind"], "api_key");
    signal(relay.id(), "TERM");
    assert!(relay.wait().expect("wait").success());
    assert!(home.ok(&["platform", "status"]).contains("relay: off"), "a stopped relay is off");

    // Signed in with a password, it connects; a platform that lost every session ends it, and says so.
    let out = sign_in_with_password(&home, &double, &[]);
    assert!(out.status.success(), "{}", text(&out).1);
    let (mut relay, lines) = start_relay(&home);
    line_containing(&lines, "relay: connected");
    assert!(home.ok(&["platform", "status"]).contains("relay: connected (served by process"));
    double.end_sessions();
    double.faults().drop_sockets();
    line_containing(&lines, "relay: needs a sign-in");
    signal(relay.id(), "INT");
    assert!(relay.wait().expect("wait").success());
    let status = home.ok(&["platform", "status"]);
    assert!(status.contains("signed out: Your platform session ended"), "the reason outlives the process: {status}");
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_chorus_the_sign_in_works_and_the_relay_says_what_to_give() {
    let double = double(DoubleLayout::Front { relay_routed: false }).await;
    let home = Home::new();
    let out = sign_in_with_password(&home, &double, &[]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("did not find the platform's Chorus"), "{stdout}");
    let (mut relay, lines) = start_relay(&home);
    let said = line_containing(&lines, "relay: unavailable");
    assert!(said.contains("give Chorus's URL"), "{said}");
    signal(relay.id(), "TERM");
    assert!(relay.wait().expect("wait").success());

    // Given by hand, the relay connects.
    let out = sign_in_with_password(&home, &double, &["--chorus-url", &double.chorus_url()]);
    assert!(out.status.success(), "{}", text(&out).1);
    let (mut relay, lines) = start_relay(&home);
    line_containing(&lines, "relay: connected");
    // The relay says so once its upgrade is answered; the double counts the session once its handler runs.
    wait_until("the double to hold one relay session", Duration::from_secs(10), || double.relay_sessions() == 1);
    signal(relay.id(), "TERM");
    assert!(relay.wait().expect("wait").success());
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_code_exchange_shows_a_failure_page_not_a_success() {
    let double = double(DoubleLayout::Front { relay_routed: true }).await;
    let home = Home::new();
    // A browser that takes Origin's redirect to the loopback listener but hands over a code Origin never issued:
    // the exchange is refused (400), and the page the person sees must say so.
    let page = home.dir.path().join("last-page.html");
    let script = home.dir.path().join("browser.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nnext=$(curl -s -o /dev/null -w '%{{redirect_url}}' \"$1\")\n\
             exec curl -s -o '{}' \"$(echo \"$next\" | sed 's/code=[^&]*/code=not-a-code/')\"\n",
            page.display()
        ),
    )
    .expect("script");
    std::process::Command::new("chmod").arg("+x").arg(&script).status().expect("chmod");
    let out = home
        .command(&["platform", "sign-in", &double.url(), "--provider", "google"])
        .env("BROWSER", &script)
        .stdin(Stdio::null())
        .output()
        .expect("sign in");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(77), "a failed sign-in: {stderr}");
    let shown = std::fs::read_to_string(&page).expect("the browser got a page");
    assert!(shown.contains("Sign-in did not complete") && !shown.contains("You are signed in"), "{shown}");
    assert!(home.ok(&["platform", "status"]).contains("signed out"));
    double.shutdown().await;
}
