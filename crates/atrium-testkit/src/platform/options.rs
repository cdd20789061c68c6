//! How a double is started: which deployment it imitates and what its Origin offers for sign-in.

/// Which of the platform's deployment layouts the double imitates. Origin, Mantle and Chorus always get a
/// loopback listener each (no path prefixes, as in the dev compose file); the layout decides whether a front
/// listener composes them the way the shipped Caddy front does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DoubleLayout {
    /// One front URL, as the shipped home and plain installs put Caddy before the services: `/auth/*`,
    /// `/setup/*` and `/.well-known/*` reach Origin with their path kept; `/.well-known/mcp*` reaches Chorus;
    /// `/api/*` reaches Mantle with `/api` stripped (bare `/api` does not); everything else is the web app's
    /// `index.html` (200 `text/html`), Chorus's gateway `/{uuid}/mcp` included.
    Front {
        /// Whether `/relay/*` reaches Chorus. The shipped front files do not route it (a relay upgrade there
        /// gets the web app's 200 page); a self-hosted install that follows Atrium's README adds the route.
        relay_routed: bool,
    },
    /// Origin, Mantle and Chorus each on a port of their own, nothing in front (the platform's dev compose).
    Separate,
}

/// A sign-in provider that Origin offers (`GET /auth/providers`, `GET /auth/authorize?provider=`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DoubleProvider {
    /// The provider's name, as `?provider=` names it (`google`, `entra`, …).
    pub name: String,
    /// What a sign-in page shows (`Google`, `Microsoft`, …).
    pub label: String,
}

impl DoubleProvider {
    /// A provider with this name and label.
    pub fn new(name: &str, label: &str) -> DoubleProvider {
        DoubleProvider { name: name.to_owned(), label: label.to_owned() }
    }
}

/// Options for `PlatformDouble::start_with`. The default is the configured self-hosted front
/// (`Front { relay_routed: true }`), no service hints in discovery, Google and Microsoft sign-in and passwords
/// on, on ephemeral ports.
#[derive(Clone, Debug)]
pub struct DoubleOptions {
    /// The deployment layout to imitate.
    pub layout: DoubleLayout,
    /// Adds the non-standard `mantle_uri` and `chorus_uri` to the OpenID configuration. The real Origin does not
    /// send them, so leave this off unless a test wants a client that relies on them.
    pub advertise_service_urls: bool,
    /// The sign-in providers Origin offers.
    pub providers: Vec<DoubleProvider>,
    /// Whether password sign-in is on (`POST /auth/password/login`; `password` in `/auth/providers`).
    pub password_enabled: bool,
    /// The port of the front listener (of Origin's in the separate layout); `None` for an ephemeral one. The
    /// other listeners always take ephemeral ports.
    pub port: Option<u16>,
}

impl Default for DoubleOptions {
    fn default() -> Self {
        DoubleOptions {
            layout: DoubleLayout::Front { relay_routed: true },
            advertise_service_urls: false,
            providers: vec![DoubleProvider::new("google", "Google"), DoubleProvider::new("entra", "Microsoft")],
            password_enabled: true,
            port: None,
        }
    }
}
