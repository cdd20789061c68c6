//! The platform's connection report and the relay's status, as a terminal shows them.

use atrium_api::{ConnectionReport, FoundBy, RelayState, RelayStatus, ServiceCheck, ServiceNote};

fn found_by(by: FoundBy) -> &'static str {
    match by {
        FoundBy::Given => "as given",
        FoundBy::Advertised => "advertised by Origin",
        FoundBy::FrontLayout => "in the platform's front layout",
        FoundBy::FrontConfig => "named by the web app's config.js",
        FoundBy::SameUrl => "at the address",
    }
}

fn service_line(check: &ServiceCheck) -> String {
    let head = match (&check.url, check.found_by) {
        (Some(url), Some(by)) => format!("{}: {url} ({})", check.service, found_by(by)),
        _ => format!("{}: not found", check.service),
    };
    let note = match check.note {
        Some(ServiceNote::SetupRequired) => {
            "\n  the platform's setup is not finished: an administrator finishes it in the web app"
        }
        Some(ServiceNote::RelayNotRouted) => {
            "\n  Chorus answers at the address, but /relay is not routed to it: route /relay/* to Chorus in the \
             front proxy, or give Chorus's own URL with --chorus-url"
        }
        None => "",
    };
    let tried = if check.url.is_none() {
        check.tried.iter().map(|p| format!("\n  tried {} → {}", p.url, p.answer)).collect::<String>()
    } else {
        String::new()
    };
    format!("{head}{note}{tried}")
}

/// Prints what each service answered and how people sign in.
pub fn print_report(report: &ConnectionReport) {
    for check in report.services() {
        say!("{}", service_line(check));
    }
    if report.mantle.url.is_none() && report.origin.url.is_some() {
        say!("give Mantle's URL with --mantle-url (on a one-address install it is usually <address>/api)");
    }
    match &report.sign_in {
        Some(options) => {
            let providers: Vec<String> =
                options.providers.iter().map(|p| format!("{} ({})", p.name, p.label)).collect();
            say!(
                "sign-in: browser providers {}; password {}",
                if providers.is_empty() { "none configured".to_owned() } else { providers.join(", ") },
                if options.password { "on" } else { "off" }
            );
        }
        None if report.origin.url.is_some() => say!("sign-in: the platform does not list its providers"),
        None => {}
    }
}

fn relay_line(relay: &RelayStatus) -> String {
    let state = match relay.state {
        RelayState::Off => "off",
        RelayState::Paused => "paused",
        RelayState::Connecting => "connecting",
        RelayState::Connected => "connected",
        RelayState::Offline => "offline",
        RelayState::SignedOut => "needs a sign-in",
        RelayState::Unavailable => "unavailable",
    };
    let by = relay.served_by.map(|pid| format!(" (served by process {pid})")).unwrap_or_default();
    let retry = relay.retry_in_ms.map(|ms| format!("; retrying in {}s", ms.div_ceil(1000))).unwrap_or_default();
    let why = relay.reason.as_ref().map(|r| format!(": {}", r.explain())).unwrap_or_default();
    format!("relay: {state}{by}{why}{retry}")
}

/// The relay's line in `platform status`.
pub fn print_relay(relay: &RelayStatus) {
    say!("{}", relay_line(relay));
}

/// The relay's line as `atrium relay` follows it (stderr: stdout stays free for scripts).
pub fn print_relay_to_stderr(relay: &RelayStatus) {
    eprintln!("{}", relay_line(relay));
}
