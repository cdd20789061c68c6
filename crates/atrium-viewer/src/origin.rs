//! A server's own origin for its views.
//!
//! Every view of one server is served from `http://127.0.0.1:<that server's port>`, a listener of its own: views
//! run with `allow-same-origin`, so what they keep in `localStorage`, `sessionStorage` or IndexedDB belongs to that
//! origin — shared by the server's views, invisible to every other server's (another port is another origin) and to
//! the app (`tauri://localhost`). The sandbox proxy lives on yet another port, so a view cannot reach its document
//! either. A port is picked once per server ([`candidate_ports`]: derived from the server's id, the first that binds)
//! and kept by the caller, so the origin — and with it WebKit's storage for it — stays the same across restarts.

use crate::ViewerError;
use crate::loopback::Loopback;

/// The ports views' origins are picked from: below Linux's ephemeral range (32768–60999), so an outgoing
/// connection never holds the port a server's views need at the next start.
pub const PORT_RANGE: std::ops::RangeInclusive<u16> = 20_000..=32_767;
/// How many candidates are tried before giving up on a deterministic port.
const ATTEMPTS: u32 = 64;

/// The ports to try, in order, for a server's view origin: a sequence derived from its id alone (FNV-1a, stable
/// across builds and platforms), so the same server asks for the same ports every time.
pub fn candidate_ports(server_id: &str) -> impl Iterator<Item = u16> + '_ {
    let span = u32::from(PORT_RANGE.end() - PORT_RANGE.start()) + 1;
    (0..ATTEMPTS).map(move |attempt| {
        let mut hash: u32 = 0x811c_9dc5;
        for byte in server_id.bytes().chain(attempt.to_le_bytes()) {
            hash ^= u32::from(byte);
            hash = hash.wrapping_mul(0x0100_0193);
        }
        // `span` is at most 12,768, so the remainder fits a u16.
        PORT_RANGE.start() + u16::try_from(hash % span).unwrap_or_default()
    })
}

/// One server's view listener.
#[derive(Clone, Debug)]
pub struct ViewOrigin {
    loopback: Loopback,
}

impl ViewOrigin {
    /// Binds the first of `ports` that is free. Must be called inside a tokio runtime.
    pub async fn bind(ports: impl IntoIterator<Item = u16>) -> Result<Self, ViewerError> {
        let mut last = None;
        for port in ports {
            match Loopback::bind(port).await {
                Ok(loopback) => return Ok(ViewOrigin { loopback }),
                Err(err) => last = Some(err),
            }
        }
        Err(ViewerError::Proxy(last.unwrap_or_else(|| std::io::Error::other("no port to bind"))))
    }

    /// Binds any free port: an origin for this run only (its storage is not found again after a restart).
    pub async fn bind_any() -> Result<Self, ViewerError> {
        Self::bind([0]).await
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.loopback.port()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> String {
        self.loopback.origin()
    }

    /// Mints a one-use URL serving the view's `html` under `csp` (the header value built by [`crate::csp::build`]).
    pub fn mint(&self, html: String, csp: String) -> String {
        self.loopback.mint(html, csp)
    }

    /// A `report-uri` (append it to the view's policy as `report-uri <it>`) whose reports go to `reporter`, and
    /// the token to stop them with [`ViewOrigin::forget_reports`].
    pub fn report_to(&self, reporter: crate::loopback::Reporter) -> (String, String) {
        self.loopback.report_to(reporter)
    }

    /// Stops taking a closed view's reports.
    pub fn forget_reports(&self, token: &str) {
        self.loopback.forget_reports(token);
    }

    /// Whether `url` is a view page of this origin.
    pub fn serves(&self, url: &str) -> bool {
        self.loopback.serves(url)
    }

    /// How many minted URLs have not been loaded yet.
    pub fn pending(&self) -> usize {
        self.loopback.pending()
    }

    /// Stops serving.
    pub fn shutdown(&self) {
        self.loopback.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_stable_per_server_and_in_range() {
        let a: Vec<u16> = candidate_ports("0190f0a1-aaaa-7bbb-8ccc-000000000001").collect();
        let again: Vec<u16> = candidate_ports("0190f0a1-aaaa-7bbb-8ccc-000000000001").collect();
        let b: Vec<u16> = candidate_ports("0190f0a1-aaaa-7bbb-8ccc-000000000002").collect();
        assert_eq!(a, again);
        assert_ne!(a[0], b[0]);
        assert_eq!(a.len(), ATTEMPTS as usize);
        assert!(a.iter().chain(&b).all(|p| PORT_RANGE.contains(p)));
        // Not one port repeated: a taken port moves on to a different one.
        assert!(a.windows(2).filter(|w| w[0] == w[1]).count() < 2);
    }
}
