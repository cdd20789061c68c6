//! Atrium's side of an Agience platform.
//!
//! - [`discovery`]: the three services (Origin for sign-in, Mantle for artifacts and `/events`, Chorus for the
//!   relay) found from the address a person gives, with a report of what each answered; [`PlatformUrls`] holds them.
//! - [`Account`]: signing in (browser with PKCE as `desktop-host`, password, or an `agc_…` API key), the tokens in
//!   the keychain, refreshed ahead of expiry one exchange at a time, and a plain "signed out" when that fails.
//! - [`Mantle`]: the artifact REST calls sync uses, each failure a typed [`PlatformError`].
//! - [`AccessLinks`]: Origin's invites and grants on an artifact (share links), passed on as the platform sends them.
//! - [`Sync`]: two-way sync of linked workspaces: a streamed initial pull, live changes from `/events` with a full
//!   re-list after every reconnect, local edits through the store's persistent outbox with backoff, and conflict
//!   detection (the platform is last-write-wins; Atrium never overwrites either side silently).
//! - [`Relay`]: the Desktop Host Relay client, which answers the platform's `mcp_request`s as a full MCP server
//!   per local server, over that server's persistent supervised session.
#![deny(missing_docs)]

mod access_links;
mod account;
mod authed;
mod backoff;
pub mod discovery;
mod error;
mod events;
mod json_stream;
mod mantle;
pub mod relay;
pub mod sync;
mod urls;
pub mod wire;

pub use access_links::{AccessLinks, InviteRequest, InviteRole};
pub use account::{Account, AccountInfo, AccountStatus, PlatformUser, SignInMethod, SignInRequest, http_client};
pub use discovery::{ConnectionReport, PlatformAddress, PlatformService, SignInOptions, SignInProvider};
pub use error::PlatformError;
pub use mantle::Mantle;
pub use relay::{Relay, RelayOptions, RelayReason, RelayReporter, RelayState, RelayStatus};
pub use sync::{NoReporter, Sync, SyncPhase, SyncProgress, SyncReport, SyncReporter, SyncState, WorkspaceSync};
pub use urls::PlatformUrls;

/// The result type of this crate.
pub type Result<T, E = PlatformError> = std::result::Result<T, E>;

/// The client id Atrium signs in with: the one the platform's documents recommend for the desktop host.
pub const CLIENT_ID: &str = "desktop-host";
