//! Finding a platform's three services from the address a person gives, and saying what each one answered.
//!
//! The real Origin's OpenID configuration names neither Mantle nor Chorus, so Atrium tries, in order: URLs given
//! by hand; `mantle_uri` / `chorus_uri` when a deployment advertises them; the layout the platform's installers
//! ship (one front URL with Mantle under `/api` and Chorus's relay at the front when the install routes it); the
//! front's Facet `config.js`, which names Mantle; and last the front URL itself (services served together). Each
//! probe is anonymous and answers from what the service itself says: Mantle's root document, Chorus refusing an
//! unauthenticated relay upgrade (403), Origin's OpenID configuration.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::urls::{normalise, ws_base};
use crate::{PlatformError, PlatformUrls, Result};

/// How long one probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(8);

/// Where a person says the platform is: its front URL (or Origin's), and Mantle's and Chorus's when they know them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PlatformAddress {
    /// The address people open in the browser (one front URL), or Origin's own.
    pub url: String,
    /// Mantle's base URL, when discovery cannot find it.
    pub mantle_url: Option<String>,
    /// Chorus's base URL (where `/relay/v1/connect` answers), when discovery cannot find it.
    pub chorus_url: Option<String>,
}

impl PlatformAddress {
    /// Just a URL.
    pub fn new(url: impl Into<String>) -> Self {
        PlatformAddress { url: url.into(), ..PlatformAddress::default() }
    }
}

/// One of the platform's services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PlatformService {
    /// Sign-in.
    Origin,
    /// Artifacts and `/events`.
    Mantle,
    /// The Desktop Host Relay.
    Chorus,
}

impl std::fmt::Display for PlatformService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PlatformService::Origin => "Origin (sign-in)",
            PlatformService::Mantle => "Mantle (workspaces)",
            PlatformService::Chorus => "Chorus (the relay)",
        })
    }
}

/// How a service's URL was learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FoundBy {
    /// The person gave it.
    Given,
    /// Origin's OpenID configuration advertises it.
    Advertised,
    /// The shipped front layout (Mantle under `/api`, the relay at the front).
    FrontLayout,
    /// The front's `config.js` names it.
    FrontConfig,
    /// It answers at the URL given (services served together).
    SameUrl,
}

/// What one probe saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProbeAnswer {
    /// The service answered as itself.
    Service,
    /// Nothing answered.
    Unreachable {
        /// What the network said.
        reason: String,
    },
    /// An HTTP status that is not this service's answer.
    Status {
        /// The status.
        status: u16,
    },
    /// A web page (the platform's web app answers every path it does not route).
    WebPage,
    /// An answer that is not this service's document.
    NotTheService {
        /// What was wrong with it.
        reason: String,
    },
}

/// One URL tried and what it answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Probe {
    /// The URL requested.
    pub url: String,
    /// What came back.
    pub answer: ProbeAnswer,
}

/// Something worth knowing about a service that was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ServiceNote {
    /// Mantle says the platform's setup is not finished (an administrator must finish it in the web app).
    SetupRequired,
    /// Chorus answers at the front (`/.well-known/mcp`) but the front does not route `/relay` to it.
    RelayNotRouted,
}

/// What discovery found for one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ServiceCheck {
    /// Which service.
    pub service: PlatformService,
    /// Its base URL, when found.
    pub url: Option<String>,
    /// How it was found.
    pub found_by: Option<FoundBy>,
    /// Every probe, in order (the last one found it, when it was found).
    pub tried: Vec<Probe>,
    /// Anything the person should know.
    pub note: Option<ServiceNote>,
}

impl ServiceCheck {
    fn new(service: PlatformService) -> Self {
        ServiceCheck { service, url: None, found_by: None, tried: Vec::new(), note: None }
    }

    fn found(&mut self, url: String, by: FoundBy) {
        self.url = Some(url);
        self.found_by = Some(by);
    }

    /// One line per probe, for messages and the CLI.
    pub fn tried_summary(&self) -> String {
        self.tried.iter().map(|p| format!("{} → {}", p.url, p.answer)).collect::<Vec<_>>().join("; ")
    }
}

impl std::fmt::Display for ProbeAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbeAnswer::Service => f.write_str("answered"),
            ProbeAnswer::Unreachable { reason } => write!(f, "no answer ({reason})"),
            ProbeAnswer::Status { status } => write!(f, "HTTP {status}"),
            ProbeAnswer::WebPage => f.write_str("a web page"),
            ProbeAnswer::NotTheService { reason } => write!(f, "not it ({reason})"),
        }
    }
}

/// A way to sign in with the browser that the platform offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SignInProvider {
    /// What `/auth/authorize` takes as `provider` (`google`, `entra`, …).
    pub name: String,
    /// What people see (`Google`, `Microsoft`, …).
    pub label: String,
}

/// How the platform lets people sign in (Origin's `/auth/providers`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SignInOptions {
    /// The identity providers the browser sign-in can use; empty when none is configured.
    pub providers: Vec<SignInProvider>,
    /// Whether username/password sign-in is on.
    pub password: bool,
    /// Whether one-time codes by email are on (Atrium does not offer them).
    pub otp: bool,
}

/// What a connection check found: each service, and the sign-in choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConnectionReport {
    /// Sign-in.
    pub origin: ServiceCheck,
    /// Workspaces.
    pub mantle: ServiceCheck,
    /// The relay.
    pub chorus: ServiceCheck,
    /// How people sign in, when Origin lists it.
    pub sign_in: Option<SignInOptions>,
}

impl ConnectionReport {
    /// The services to use: Origin and Mantle must have been found; without Chorus the relay says why it is off.
    pub fn urls(&self) -> Result<PlatformUrls> {
        let missing = |check: &ServiceCheck| PlatformError::ServiceNotFound {
            service: check.service,
            tried: check.tried_summary(),
        };
        let origin = self.origin.url.clone().ok_or_else(|| missing(&self.origin))?;
        let mantle = self.mantle.url.clone().ok_or_else(|| missing(&self.mantle))?;
        Ok(PlatformUrls { origin, mantle, chorus: self.chorus.url.clone() })
    }

    /// The three checks, in order.
    pub fn services(&self) -> [&ServiceCheck; 3] {
        [&self.origin, &self.mantle, &self.chorus]
    }
}

/// Finds the services of the platform at `address` and reports what each answered. Fails only on an address that
/// cannot be used at all; a service that was not found is a part of the report.
#[tracing::instrument(skip_all, fields(url = %address.url))]
pub async fn check(http: &reqwest::Client, address: &PlatformAddress) -> Result<ConnectionReport> {
    let front = normalise(&address.url)?;
    let given_mantle = address.mantle_url.as_deref().filter(|u| !u.trim().is_empty()).map(normalise).transpose()?;
    let given_chorus = address.chorus_url.as_deref().filter(|u| !u.trim().is_empty()).map(normalise).transpose()?;

    let (origin, advertised) = check_origin(http, &front).await;
    let hint = |name: &str| {
        advertised.as_ref().and_then(|doc| doc.get(name)).and_then(Value::as_str).and_then(|u| normalise(u).ok())
    };
    let (mantle_hint, chorus_hint) = (hint("mantle_uri"), hint("chorus_uri"));
    let (mantle, chorus, sign_in) = tokio::join!(
        check_mantle(http, &front, given_mantle, mantle_hint),
        check_chorus(http, &front, given_chorus, chorus_hint),
        async {
            match origin.url.is_some() {
                true => sign_in_options(http, &front).await,
                false => None,
            }
        },
    );
    let report = ConnectionReport { origin, mantle, chorus, sign_in };
    for check in report.services() {
        tracing::info!(service = ?check.service, found = check.url.is_some(), "platform service check");
    }
    Ok(report)
}

async fn check_origin(http: &reqwest::Client, front: &str) -> (ServiceCheck, Option<Value>) {
    let mut check = ServiceCheck::new(PlatformService::Origin);
    let url = format!("{front}/.well-known/openid-configuration");
    let (answer, doc) = match get_json(http, &url).await {
        Ok(doc) if doc.get("token_endpoint").is_some() && doc.get("authorization_endpoint").is_some() => {
            (ProbeAnswer::Service, Some(doc))
        }
        Ok(_) => (ProbeAnswer::NotTheService { reason: "not an OpenID configuration".into() }, None),
        Err(answer) => (answer, None),
    };
    let found = answer == ProbeAnswer::Service;
    check.tried.push(Probe { url, answer });
    if found {
        // The person's URL, not the advertised issuer: behind a TLS proxy Origin reports its own `http://` view.
        check.found(front.to_owned(), FoundBy::SameUrl);
    }
    (check, doc)
}

async fn check_mantle(
    http: &reqwest::Client,
    front: &str,
    given: Option<String>,
    advertised: Option<String>,
) -> ServiceCheck {
    let mut check = ServiceCheck::new(PlatformService::Mantle);
    if let Some(given) = given {
        // A URL the person typed is the only candidate: guessing past it would hide their mistake.
        if probe_mantle(http, &given, &mut check).await {
            check.found(given, FoundBy::Given);
        }
        return check;
    }
    let mut candidates: Vec<(String, FoundBy)> = Vec::new();
    if let Some(url) = advertised {
        candidates.push((url, FoundBy::Advertised));
    }
    candidates.push((format!("{front}/api"), FoundBy::FrontLayout));
    for (url, by) in candidates {
        if probe_mantle(http, &url, &mut check).await {
            check.found(url, by);
            return check;
        }
    }
    if let Some(url) = front_config_mantle(http, front).await.filter(|u| !check.tried.iter().any(|p| p.url == *u))
        && probe_mantle(http, &url, &mut check).await
    {
        check.found(url, FoundBy::FrontConfig);
        return check;
    }
    if probe_mantle(http, front, &mut check).await {
        check.found(front.to_owned(), FoundBy::SameUrl);
    }
    check
}

/// Mantle's root (`GET /`, with the slash: the shipped proxy does not match `/api` without it) is a small JSON
/// document with `status` and `links`.
async fn probe_mantle(http: &reqwest::Client, base: &str, check: &mut ServiceCheck) -> bool {
    let url = format!("{base}/");
    let answer = match get_json(http, &url).await {
        Ok(doc) if doc.get("links").is_some_and(Value::is_object) && doc.get("status").is_some() => {
            if doc.get("status").and_then(Value::as_str) == Some("setup_required") {
                check.note = Some(ServiceNote::SetupRequired);
            }
            ProbeAnswer::Service
        }
        Ok(_) => ProbeAnswer::NotTheService { reason: "not Mantle's root document".into() },
        Err(answer) => answer,
    };
    let found = answer == ProbeAnswer::Service;
    check.tried.push(Probe { url, answer });
    found
}

/// The Facet web app's runtime configuration names Mantle (`mantleUri: "…"`); it is JavaScript, read loosely.
async fn front_config_mantle(http: &reqwest::Client, front: &str) -> Option<String> {
    let response = http.get(format!("{front}/config.js")).timeout(PROBE_TIMEOUT).send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let text = response.text().await.ok()?;
    let after = &text[text.find("mantleUri")? + "mantleUri".len()..];
    let start = after.find('"')? + 1;
    let end = start + after[start..].find('"')?;
    let value = &after[start..end];
    // A relative value is relative to the front.
    let absolute = if value.starts_with('/') { format!("{front}{value}") } else { value.to_owned() };
    normalise(&absolute).ok()
}

async fn check_chorus(
    http: &reqwest::Client,
    front: &str,
    given: Option<String>,
    advertised: Option<String>,
) -> ServiceCheck {
    let mut check = ServiceCheck::new(PlatformService::Chorus);
    let mut candidates = Vec::new();
    match given {
        Some(url) => candidates.push((url, FoundBy::Given)),
        None => {
            if let Some(url) = advertised {
                candidates.push((url, FoundBy::Advertised));
            }
            candidates.push((front.to_owned(), FoundBy::FrontLayout));
        }
    }
    for (url, by) in candidates {
        if probe_relay(&url, &mut check).await {
            check.found(url, by);
            return check;
        }
    }
    // Say why when Chorus is at the front but its relay is not: the install must route `/relay` to it.
    if check.tried.last().is_some_and(|p| p.answer == ProbeAnswer::WebPage)
        && get_json(http, &format!("{front}/.well-known/mcp"))
            .await
            .is_ok_and(|doc| doc.get("service").and_then(Value::as_str) == Some("chorus"))
    {
        check.note = Some(ServiceNote::RelayNotRouted);
    }
    check
}

/// Chorus refuses a relay upgrade without a bearer with HTTP 403; a web app answers 200 with a page.
async fn probe_relay(base: &str, check: &mut ServiceCheck) -> bool {
    use tokio_tungstenite::tungstenite::Error;
    let url = format!("{}/relay/v1/connect", ws_base(base));
    let answer = match url.as_str().into_client_request() {
        Err(e) => ProbeAnswer::NotTheService { reason: e.to_string() },
        Ok(request) => match tokio::time::timeout(PROBE_TIMEOUT, tokio_tungstenite::connect_async(request)).await {
            Err(_) => ProbeAnswer::Unreachable { reason: "no answer in time".into() },
            Ok(Ok((mut socket, _))) => {
                // A relay that takes anyone: it is the relay, whatever we think of it.
                let _ = socket.close(None).await;
                ProbeAnswer::Service
            }
            Ok(Err(Error::Http(response))) => match response.status().as_u16() {
                401 | 403 => ProbeAnswer::Service,
                200 => ProbeAnswer::WebPage,
                status => ProbeAnswer::Status { status },
            },
            Ok(Err(e)) => ProbeAnswer::Unreachable { reason: e.to_string() },
        },
    };
    let found = answer == ProbeAnswer::Service;
    check.tried.push(Probe { url, answer });
    found
}

/// How people sign in at Origin (`/auth/providers`), when it says.
pub(crate) async fn sign_in_options(http: &reqwest::Client, origin: &str) -> Option<SignInOptions> {
    let doc = get_json(http, &format!("{origin}/auth/providers")).await.ok()?;
    let providers = doc
        .get("providers")?
        .as_array()?
        .iter()
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?.to_owned();
            let label = p.get("label").and_then(Value::as_str).unwrap_or(&name).to_owned();
            Some(SignInProvider { name, label })
        })
        .collect();
    Some(SignInOptions {
        providers,
        password: doc.get("password").and_then(Value::as_bool).unwrap_or(false),
        otp: doc.get("otp").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// A GET that must answer 200 with a JSON object.
async fn get_json(http: &reqwest::Client, url: &str) -> std::result::Result<Value, ProbeAnswer> {
    let response = http
        .get(url)
        .header("accept", "application/json")
        .timeout(PROBE_TIMEOUT)
        .send()
        .await
        .map_err(|e| ProbeAnswer::Unreachable { reason: without_url(e) })?;
    let status = response.status().as_u16();
    let html = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if status == 200 && html {
        return Err(ProbeAnswer::WebPage);
    }
    if status != 200 {
        return Err(ProbeAnswer::Status { status });
    }
    let text = response.text().await.map_err(|e| ProbeAnswer::Unreachable { reason: without_url(e) })?;
    match serde_json::from_str::<Value>(&text) {
        Ok(doc) if doc.is_object() => Ok(doc),
        _ => Err(ProbeAnswer::NotTheService { reason: "not a JSON object".into() }),
    }
}

/// reqwest's message repeats the URL, which the probe already names; its causes say what happened.
fn without_url(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}
