//! The sandbox proxy's loopback server: the outer iframe's origin.
//!
//! One listener on a random port of `127.0.0.1` serves the proxy page, one-use per view (see [`crate::loopback`]).
//! Each page is minted with the URL of its view on the view's server's own origin ([`crate::origin`]) and the
//! `allow` attribute the view was granted; its own policy lets it run only its own script and frame only that
//! origin. The proxy holds nothing of value, and the view cannot reach it anyway: it is another origin.

use std::sync::OnceLock;

use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::ViewerError;
use crate::loopback::Loopback;

/// The proxy page every view is mounted from (`{{CONFIG}}` is the page's JSON: view URL, `allow`, app origins).
pub const PROXY_PAGE: &str = include_str!("../assets/proxy.html");

pub use crate::loopback::TOKEN_TTL;

/// A running proxy server; stops when [`ProxyServer::shutdown`] is called or the last clone is dropped.
#[derive(Clone, Debug)]
pub struct ProxyServer {
    loopback: Loopback,
}

impl ProxyServer {
    /// Binds `127.0.0.1:0` and starts serving. Must be called inside a tokio runtime.
    pub async fn start() -> Result<Self, ViewerError> {
        let loopback = Loopback::bind(0).await.map_err(ViewerError::Proxy)?;
        tracing::debug!(origin = %loopback.origin(), "sandbox proxy listening");
        Ok(ProxyServer { loopback })
    }

    /// The origin proxies are served from, e.g. `http://127.0.0.1:43117`.
    pub fn origin(&self) -> String {
        self.loopback.origin()
    }

    /// Mints a one-use URL for a proxy page that mounts the view at `view_url` (a one-use URL on the view's
    /// origin) with the iframe `allow` attribute `allow`, for a window on one of `hosts` (the app's origins).
    pub fn mint(&self, view_url: &str, allow: &str, hosts: &[String]) -> String {
        let view_origin = url::Url::parse(view_url).map(|u| u.origin().ascii_serialization()).unwrap_or_default();
        // JSON in a non-script <script>: `<` is escaped so nothing in it can close the element.
        let config = json!({"view": view_url, "allow": allow, "hosts": hosts}).to_string().replace('<', "\\u003c");
        let page = PROXY_PAGE.replace("{{CONFIG}}", &config);
        let policy = [
            "default-src 'none'".to_owned(),
            format!("script-src '{}'", script_hash()),
            "style-src 'unsafe-inline'".to_owned(),
            format!("frame-src {view_origin}"),
            "base-uri 'none'".to_owned(),
            "form-action 'none'".to_owned(),
            format!("frame-ancestors {}", if hosts.is_empty() { "'none'".to_owned() } else { hosts.join(" ") }),
        ];
        self.loopback.mint(page, policy.join("; "))
    }

    /// Whether `url` is a proxy page of this server.
    pub fn serves(&self, url: &str) -> bool {
        self.loopback.serves(url)
    }

    /// How many minted URLs have not been used yet.
    pub fn pending(&self) -> usize {
        self.loopback.pending()
    }

    /// Stops serving (in-flight responses finish).
    pub fn shutdown(&self) {
        self.loopback.shutdown();
    }
}

/// `sha256-…` of the proxy page's one executable script: the only script its policy lets run.
fn script_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let script = proxy_script();
        format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes())))
    })
}

/// The text of the page's `<script>` element (the one without a `type`).
fn proxy_script() -> &'static str {
    const OPEN: &str = "<script>";
    let start = PROXY_PAGE.find(OPEN).map(|i| i + OPEN.len()).unwrap_or_default();
    let end = PROXY_PAGE[start..].find("</script>").map(|i| start + i).unwrap_or(start);
    &PROXY_PAGE[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hashed_script_is_the_proxy_itself() {
        let script = proxy_script();
        assert!(script.contains("sandbox-proxy-ready") && script.trim_end().ends_with("})();"), "{script}");
        assert!(script_hash().starts_with("sha256-") && script_hash().len() > 50);
    }
}
