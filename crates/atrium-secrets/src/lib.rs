//! Atrium's secrets. Values live only in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows) and travel inside [`Sensitive`], which cannot be printed, logged or serialized and is wiped
//! when dropped. What Atrium knows about a secret elsewhere (its id and description, in the store) never includes
//! its value.
//!
//! Keychain calls block (D-Bus round trips): call them from `spawn_blocking`, never on an async worker.
#![deny(missing_docs)]

mod sensitive;

use std::fmt;

pub use sensitive::Sensitive;

/// What can go wrong with a secret. Every variant says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The id is not one Atrium accepts.
    #[error("\"{id}\" is not a valid secret id: {reason}")]
    InvalidId {
        /// The id given.
        id: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The value is not one the keychain can hold.
    #[error("the secret's value cannot be stored: {0}")]
    InvalidValue(&'static str),
    /// No value is stored under this id.
    #[error("the secret \"{0}\" is not set: set it on the Secrets screen (or `atrium secret set {0}`)")]
    NotSet(String),
    /// No keychain answers (no Secret Service running, or it is locked and nobody can unlock it).
    #[error(
        "the system keychain is not available ({0}). On Linux Atrium needs a Secret Service such as GNOME Keyring \
         or KWallet, running and unlocked"
    )]
    Unavailable(String),
    /// The keychain answered with an error.
    #[error("the system keychain refused: {0}")]
    Failed(String),
}

/// A secret's id: 1–128 characters of `A-Z a-z 0-9 . _ -`, starting with a letter or digit. Ids are what
/// registrations refer to (`{"secret_id": "github.token"}`), so they must survive JSON, file names and shells.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretId(String);

impl SecretId {
    /// Checks an id.
    pub fn parse(id: &str) -> Result<Self, SecretError> {
        let invalid = |reason| SecretError::InvalidId { id: id.chars().take(64).collect(), reason };
        if id.is_empty() {
            return Err(invalid("it is empty"));
        }
        if id.len() > 128 {
            return Err(invalid("it is longer than 128 characters"));
        }
        if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(invalid("it must start with a letter or a digit"));
        }
        if !id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
            return Err(invalid("only letters, digits, '.', '_' and '-' are allowed"));
        }
        Ok(SecretId(id.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SecretId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The largest value stored: a token, a key, a password — not a file.
pub const MAX_VALUE_BYTES: usize = 16 * 1024;

/// One keychain namespace (the keyring "service"). Release builds on the default home use `atrium`; debug builds
/// `atrium-dev`; any other home (tests, a second profile) its own namespace derived from its path, so a test can
/// never read, replace or delete a person's real entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keychain {
    namespace: String,
}

impl Keychain {
    /// A keychain namespace.
    pub fn new(namespace: impl Into<String>) -> Self {
        Keychain { namespace: namespace.into() }
    }

    /// The namespace (the keyring service name).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    fn entry(&self, id: &SecretId) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.namespace, id.as_str()).map_err(|e| classify(e, id))
    }

    /// Stores (or replaces) a value. Blocks.
    #[tracing::instrument(skip(self, value), fields(namespace = %self.namespace, %id))]
    pub fn set(&self, id: &SecretId, value: &Sensitive<String>) -> Result<(), SecretError> {
        let text = value.expose();
        if text.is_empty() {
            return Err(SecretError::InvalidValue("it is empty"));
        }
        if text.len() > MAX_VALUE_BYTES {
            return Err(SecretError::InvalidValue("it is larger than 16 KB"));
        }
        self.entry(id)?.set_password(text).map_err(|e| classify(e, id))
    }

    /// Reads a value. Blocks.
    #[tracing::instrument(skip(self), fields(namespace = %self.namespace, %id))]
    pub fn get(&self, id: &SecretId) -> Result<Sensitive<String>, SecretError> {
        self.entry(id)?.get_password().map(Sensitive::new).map_err(|e| classify(e, id))
    }

    /// Whether a value is stored. Blocks.
    pub fn is_set(&self, id: &SecretId) -> Result<bool, SecretError> {
        match self.get(id) {
            Ok(_) => Ok(true),
            Err(SecretError::NotSet(_)) => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// Deletes a value; `false` when there was none. Blocks.
    #[tracing::instrument(skip(self), fields(namespace = %self.namespace, %id))]
    pub fn delete(&self, id: &SecretId) -> Result<bool, SecretError> {
        match self.entry(id)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(other) => Err(classify(other, id)),
        }
    }
}

/// Maps keyring's errors to ours. keyring's messages never contain the value.
fn classify(err: keyring::Error, id: &SecretId) -> SecretError {
    match err {
        keyring::Error::NoEntry => SecretError::NotSet(id.to_string()),
        keyring::Error::NoStorageAccess(inner) => SecretError::Unavailable(inner.to_string()),
        keyring::Error::PlatformFailure(inner) => {
            let text = inner.to_string();
            // D-Bus without a Secret Service on it (or no session bus at all) is "unavailable", not a refusal.
            if text.contains("org.freedesktop.secrets") || text.contains("D-Bus") || text.contains("dbus") {
                SecretError::Unavailable(text)
            } else {
                SecretError::Failed(text)
            }
        }
        keyring::Error::TooLong(..) => SecretError::InvalidValue("it is too long for this keychain"),
        keyring::Error::BadEncoding(_) => SecretError::Failed("the stored value is not text".into()),
        keyring::Error::Invalid(what, why) => SecretError::Failed(format!("{what}: {why}")),
        keyring::Error::Ambiguous(_) => {
            SecretError::Failed(format!("more than one keychain entry is named {id}: remove the duplicates"))
        }
        other => SecretError::Failed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        for good in ["github.token", "a", "OPENAI_API_KEY", "srv-1.env.KEY"] {
            assert!(SecretId::parse(good).is_ok(), "{good}");
        }
        for bad in ["", ".hidden", "has space", "semi;colon", "ünïcode", &"x".repeat(129)] {
            assert!(matches!(SecretId::parse(bad), Err(SecretError::InvalidId { .. })), "{bad}");
        }
    }
}
