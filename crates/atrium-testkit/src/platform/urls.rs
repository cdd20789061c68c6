//! Where the double's services answer, and which of those URLs a client is told about.

use super::options::DoubleLayout;

/// The base URLs of a running double (no trailing slash).
#[derive(Clone, Debug)]
pub(crate) struct Urls {
    pub layout: DoubleLayout,
    /// The front listener's URL, in the front layout.
    pub front: Option<String>,
    pub origin: String,
    pub mantle: String,
    pub chorus: String,
}

impl Urls {
    /// The URL a client is given for the platform, which is also Origin's outward face: tokens' `iss` and
    /// `aud`, and the redirect URI Origin allows as its own. The front URL in the front layout, else Origin's.
    pub(crate) fn platform(&self) -> &str {
        self.front.as_deref().unwrap_or(&self.origin)
    }

    /// `mantle_uri` when the discovery hints are on: Mantle as a client reaches it (`{front}/api` behind the
    /// front, which strips `/api`).
    pub(crate) fn mantle_hint(&self) -> String {
        match &self.front {
            Some(front) => format!("{front}/api"),
            None => self.mantle.clone(),
        }
    }

    /// `chorus_uri` when the discovery hints are on: the front when it routes the relay, else Chorus's own URL
    /// (the shipped front does not route `/relay/*`, so a client must go to Chorus directly).
    pub(crate) fn chorus_hint(&self) -> String {
        match (&self.front, self.layout) {
            (Some(front), DoubleLayout::Front { relay_routed: true }) => front.clone(),
            _ => self.chorus.clone(),
        }
    }
}
