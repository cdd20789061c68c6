//! The platform's three services and where they live.

use serde::{Deserialize, Serialize};

use crate::{PlatformError, Result};

/// Where Origin (sign-in), Mantle (artifacts, `/events`) and Chorus (the relay) answer, as
/// [`crate::discovery::check`] found them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PlatformUrls {
    /// Origin: `/auth/*`, `/.well-known/openid-configuration`.
    pub origin: String,
    /// Mantle: `/artifacts/*`, `/events`.
    pub mantle: String,
    /// Chorus: `/relay/v1/connect`; none when it was not found (the relay then says so).
    pub chorus: Option<String>,
}

/// Checks and normalises one base URL: http(s), no query or fragment, no trailing slash. Plain http is only
/// accepted on loopback, because tokens travel on every request.
pub fn normalise(raw: &str) -> Result<String> {
    let bad = |reason: &str| PlatformError::BadUrl { url: raw.to_owned(), reason: reason.to_owned() };
    let url = url::Url::parse(raw.trim()).map_err(|e| bad(&e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(bad("use https (plain http is only for 127.0.0.1 or localhost)")),
        _ => return Err(bad("it must start with https://")),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("leave out the ? and # parts"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl PlatformUrls {
    /// One URL serving all three services.
    pub fn single(base: &str) -> Result<Self> {
        let base = normalise(base)?;
        Ok(PlatformUrls { origin: base.clone(), mantle: base.clone(), chorus: Some(base) })
    }

    /// Three explicit URLs.
    pub fn explicit(origin: &str, mantle: &str, chorus: &str) -> Result<Self> {
        Ok(PlatformUrls { origin: normalise(origin)?, mantle: normalise(mantle)?, chorus: Some(normalise(chorus)?) })
    }

    /// The `/events` WebSocket on Mantle.
    pub fn events_ws(&self) -> String {
        format!("{}/events", ws_base(&self.mantle))
    }

    /// The relay WebSocket on Chorus, when Chorus is known.
    pub fn relay_ws(&self) -> Option<String> {
        self.chorus.as_ref().map(|chorus| format!("{}/relay/v1/connect", ws_base(chorus)))
    }
}

pub(crate) fn ws_base(http: &str) -> String {
    if let Some(rest) = http.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = http.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        format!("wss://{http}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_url_serves_all_three_and_maps_to_websockets() {
        let urls = PlatformUrls::single("https://agience.example.com/").expect("valid");
        assert_eq!(urls.mantle, "https://agience.example.com");
        assert_eq!(urls.relay_ws().as_deref(), Some("wss://agience.example.com/relay/v1/connect"));
        let local = PlatformUrls::single("http://127.0.0.1:8081").expect("loopback http");
        assert_eq!(local.events_ws(), "ws://127.0.0.1:8081/events");
    }

    #[test]
    fn plain_http_off_loopback_and_odd_urls_are_refused() {
        for bad in ["http://agience.example.com", "ftp://x", "https://x/?a=1", "not a url", ""] {
            assert!(matches!(PlatformUrls::single(bad), Err(PlatformError::BadUrl { .. })), "{bad}");
        }
    }
}
