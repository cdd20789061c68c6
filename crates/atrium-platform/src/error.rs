//! Everything that can go wrong talking to the platform.

use atrium_auth::AuthError;
use atrium_store::StoreError;
use serde_json::Value;

/// A failure of a platform operation. Transient ones ([`PlatformError::is_transient`]) are retried with backoff;
/// the others need the person (sign in again, fix a URL).
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// A platform URL that cannot be used.
    #[error("The platform URL \"{url}\" cannot be used: {reason}")]
    BadUrl {
        /// The URL given.
        url: String,
        /// Why.
        reason: String,
    },
    /// Discovery did not find a service the operation needs.
    #[error("Atrium cannot find the platform's {service}. Tried: {tried}. Give its URL by hand.")]
    ServiceNotFound {
        /// Which service.
        service: crate::PlatformService,
        /// Each URL tried and its answer.
        tried: String,
    },
    /// The browser sign-in cannot use the identity provider asked for (or none was named and the platform has
    /// several, or none).
    #[error("{}", unknown_provider_message(asked.as_deref(), offered))]
    UnknownProvider {
        /// The provider named, if any.
        asked: Option<String>,
        /// What the platform offers (`name (label)`).
        offered: Vec<String>,
    },
    /// Nobody is signed in, or the session ended (its refresh was refused).
    #[error("Not signed in to the platform. Sign in again on the Platform screen.")]
    SignedOut,
    /// The platform refused the credentials given at sign-in.
    #[error("The platform refused the sign-in: {0}")]
    Refused(String),
    /// The operation needs a signed-in user (a JWT), and an API key is in use.
    #[error("{0} needs a sign-in with the browser or a password; an API key only works for workspaces.")]
    NeedsUserToken(&'static str),
    /// No answer from the platform.
    #[error("The platform at {url} cannot be reached: {reason}")]
    Unreachable {
        /// Where.
        url: String,
        /// What the network said.
        reason: String,
    },
    /// An HTTP status the operation does not expect.
    #[error("The platform answered {status} to {what}: {message}")]
    Status {
        /// The status.
        status: u16,
        /// The request.
        what: String,
        /// The platform's message.
        message: String,
    },
    /// Not found, or no access (the platform answers 404 to both).
    #[error("The platform has no {0} that this account can read.")]
    NotFound(String),
    /// An answer that is not what the contract says.
    #[error("The platform sent an unreadable answer to {what}: {reason}")]
    Malformed {
        /// The request.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The OAuth flow failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The keychain failed.
    #[error("The keychain failed: {0}")]
    Keychain(String),
    /// Stopped on request.
    #[error("Cancelled.")]
    Cancelled,
}

fn unknown_provider_message(asked: Option<&str>, offered: &[String]) -> String {
    match (asked, offered) {
        (_, []) => "This platform has no browser sign-in configured: sign in with a password or an API key.".into(),
        (Some(asked), offered) => {
            format!("The platform offers no browser sign-in with \"{asked}\"; choose one of: {}.", offered.join(", "))
        }
        (None, offered) => format!("Choose the identity provider to sign in with: {}.", offered.join(", ")),
    }
}

impl PlatformError {
    /// The platform's message in an error body (`detail`, `error` or `message`), cut short.
    pub(crate) fn from_status(status: u16, what: &str, body: &str) -> PlatformError {
        let parsed: Option<Value> = serde_json::from_str(body).ok();
        let message = parsed
            .as_ref()
            .and_then(|v| v.get("detail").or_else(|| v.get("error")).or_else(|| v.get("message")).cloned())
            .map(|v| match v {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .unwrap_or_else(|| "no details".into());
        PlatformError::Status { status, what: what.to_owned(), message: message.chars().take(300).collect() }
    }

    /// A stable code for the API edge.
    pub fn code(&self) -> &'static str {
        match self {
            PlatformError::BadUrl { .. } => "config_error",
            PlatformError::ServiceNotFound { .. } => "not_found",
            PlatformError::UnknownProvider { .. } => "config_error",
            PlatformError::SignedOut => "signed_out",
            PlatformError::Refused(_) | PlatformError::NeedsUserToken(_) => "auth_error",
            PlatformError::Unreachable { .. } => "connection_error",
            PlatformError::Status { .. } => "platform_error",
            PlatformError::NotFound(_) => "not_found",
            PlatformError::Malformed { .. } => "protocol_error",
            PlatformError::Store(_) => "store_error",
            PlatformError::Auth(e) => e.code(),
            PlatformError::Keychain(_) => "keychain_error",
            PlatformError::Cancelled => "cancelled",
        }
    }

    /// Whether trying again later may succeed without anyone doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            PlatformError::Unreachable { .. } | PlatformError::Malformed { .. } => true,
            PlatformError::Status { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            _ => false,
        }
    }
}
