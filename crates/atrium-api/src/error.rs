use atrium_mcp::{FailureCode, McpError};
use atrium_store::{FieldProblem, StoreError};
use serde::{Deserialize, Serialize};

/// A stable, machine-readable error code: the UI and scripts branch on it, never on the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input was refused; `details` lists the fields.
    InvalidInput,
    /// The record does not exist (any more).
    NotFound,
    /// The record changed since it was read; nothing was written.
    VersionConflict,
    /// The database belongs to a newer Atrium.
    DatabaseTooNew,
    /// The database could not be opened or migrated.
    DatabaseUnavailable,
    /// Reading or writing the store failed.
    StorageError,
    /// The MCP server is not connected (disabled, starting, or failed); `details` has its failure code.
    ServerUnavailable,
    /// The MCP server or the request to it failed; `details` has the failure code.
    ServerFailed,
    /// The system keychain is not available or refused.
    KeychainUnavailable,
    /// Nobody is signed in to the platform (or the session ended): sign in again.
    SignedOut,
    /// The platform cannot be reached; changes wait and go when it is back.
    PlatformUnavailable,
    /// The platform refused or answered something unreadable.
    PlatformFailed,
    /// Signing in (to a server, an Authorizer or the platform) did not complete; `details` says why.
    SignInFailed,
    /// Stopped on request.
    Cancelled,
    /// A bug: something that should not happen.
    Internal,
}

impl ErrorCode {
    /// The process exit code the CLI uses for this error (sysexits-style, so scripts can branch).
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorCode::InvalidInput => 65,        // EX_DATAERR
            ErrorCode::NotFound => 66,            // EX_NOINPUT
            ErrorCode::VersionConflict => 75,     // EX_TEMPFAIL: re-read and retry
            ErrorCode::DatabaseTooNew => 76,      // EX_PROTOCOL
            ErrorCode::DatabaseUnavailable => 74, // EX_IOERR
            ErrorCode::StorageError => 74,        // EX_IOERR
            ErrorCode::ServerUnavailable => 69,   // EX_UNAVAILABLE
            ErrorCode::ServerFailed => 69,        // EX_UNAVAILABLE
            ErrorCode::KeychainUnavailable => 71, // EX_OSERR: the system's keychain
            ErrorCode::SignedOut => 77,           // EX_NOPERM
            ErrorCode::SignInFailed => 77,        // EX_NOPERM
            ErrorCode::PlatformUnavailable => 68, // EX_NOHOST: cannot be reached
            ErrorCode::PlatformFailed => 79,      // beyond sysexits: the platform refused or answered nonsense
            ErrorCode::Cancelled => 1,            // like a "no" at a prompt
            ErrorCode::Internal => 70,            // EX_SOFTWARE
        }
    }
}

/// Structured facts about an error, for the UI to act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErrorDetails {
    /// Which fields were refused and why.
    Fields {
        /// One entry per problem.
        problems: Vec<FieldProblem>,
    },
    /// The versions involved in a conflict.
    VersionConflict {
        /// The version the edit was based on.
        expected: u32,
        /// The version stored now.
        actual: u32,
    },
    /// Why an MCP server or request failed.
    Server {
        /// The failure code (`connection_error`, `timeout`, `crashed`, …).
        failure_code: FailureCode,
    },
    /// The file involved.
    Path {
        /// Its path.
        path: String,
    },
    /// Why a sign-in did not complete.
    SignIn {
        /// The reason, to branch on.
        reason: SignInFailure,
    },
    /// What the platform (or its address) had against the request.
    Platform {
        /// The reason, to branch on.
        reason: PlatformFailure,
    },
}

/// Why a sign-in — to a server, an Authorizer or the platform — did not complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SignInFailure {
    /// The authorization server (or the platform) could not be reached.
    Unreachable,
    /// It answered an unexpected HTTP status.
    HttpStatus,
    /// It answered something that is not JSON (usually a wrong URL).
    NotJson,
    /// Its JSON is not the document it should be.
    Malformed,
    /// It tried to redirect a token request.
    Redirected,
    /// The grant (a code, a refresh token) was refused: sign in again.
    InvalidGrant,
    /// Atrium's client (its id or secret) was refused.
    InvalidClient,
    /// Another refusal of a token request.
    Refused,
    /// Its metadata names another issuer.
    IssuerMismatch,
    /// The protected-resource metadata is for another resource.
    ResourceMismatch,
    /// It does not support PKCE S256.
    NoPkce,
    /// No way to identify Atrium to it: a client id is needed.
    NoClient,
    /// The answer did not match the request (`state`).
    StateMismatch,
    /// The person (or the provider) denied access.
    AccessDenied,
    /// Another denial on the authorization page.
    Denied,
    /// No answer came back in time.
    CallbackTimeout,
    /// The sign-in was cancelled.
    Cancelled,
    /// The browser could not be opened.
    Browser,
    /// The loopback listener could not be started.
    Listener,
    /// The configuration is unusable.
    Config,
}

impl From<&atrium_auth::AuthError> for SignInFailure {
    fn from(error: &atrium_auth::AuthError) -> Self {
        use atrium_auth::AuthError as E;
        match error {
            E::Unreachable { .. } => SignInFailure::Unreachable,
            E::Status { .. } => SignInFailure::HttpStatus,
            E::NotJson { .. } => SignInFailure::NotJson,
            E::Malformed { .. } => SignInFailure::Malformed,
            E::Redirected { .. } => SignInFailure::Redirected,
            E::Refused { error, .. } if error == "invalid_grant" => SignInFailure::InvalidGrant,
            E::Refused { error, .. } if error == "invalid_client" || error == "unauthorized_client" => {
                SignInFailure::InvalidClient
            }
            E::Refused { .. } => SignInFailure::Refused,
            E::IssuerMismatch { .. } => SignInFailure::IssuerMismatch,
            E::ResourceMismatch { .. } => SignInFailure::ResourceMismatch,
            E::NoPkce { .. } => SignInFailure::NoPkce,
            E::NoClient { .. } => SignInFailure::NoClient,
            E::StateMismatch => SignInFailure::StateMismatch,
            E::Denied { error, .. } if error == "access_denied" => SignInFailure::AccessDenied,
            E::Denied { .. } => SignInFailure::Denied,
            E::CallbackTimeout { .. } => SignInFailure::CallbackTimeout,
            E::Cancelled => SignInFailure::Cancelled,
            E::Browser(_) => SignInFailure::Browser,
            E::Listener(_) => SignInFailure::Listener,
            E::Config(_) => SignInFailure::Config,
        }
    }
}

impl From<atrium_auth::AuthError> for ApiError {
    fn from(error: atrium_auth::AuthError) -> Self {
        let reason = SignInFailure::from(&error);
        let code = if reason == SignInFailure::Cancelled { ErrorCode::Cancelled } else { ErrorCode::SignInFailed };
        ApiError { code, message: error.to_string(), details: Some(ErrorDetails::SignIn { reason }) }
    }
}

/// What the platform had against a request, beyond a failed sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum PlatformFailure {
    /// The address is not one Atrium can use.
    BadUrl,
    /// Nothing at the address answers as the platform's sign-in service (Origin).
    OriginNotFound,
    /// The platform's workspace service (Mantle) was not found: give its URL.
    MantleNotFound,
    /// The browser sign-in needs an identity provider the platform offers (the message lists them).
    UnknownProvider,
    /// The username, password or API key was refused.
    BadCredentials,
    /// The relay needs a user's sign-in; an API key does not do.
    NeedsUserToken,
    /// The workspace must be on the platform first (publish it).
    WorkspaceNotPublished,
}

/// The one error type that crosses the IPC boundary and the CLI's `--json` output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// What kind of error.
    pub code: ErrorCode,
    /// A sentence for a person, saying what to do next where there is something to do.
    pub message: String,
    /// Structured facts, when there are any.
    pub details: Option<ErrorDetails>,
}

impl ApiError {
    /// An error without details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), details: None }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        let message = error.to_string();
        let (code, details) = match error {
            StoreError::Invalid(problems) => (ErrorCode::InvalidInput, Some(ErrorDetails::Fields { problems })),
            StoreError::NotFound { .. } => (ErrorCode::NotFound, None),
            StoreError::VersionConflict { expected, actual, .. } => {
                (ErrorCode::VersionConflict, Some(ErrorDetails::VersionConflict { expected, actual }))
            }
            StoreError::DatabaseTooNew { path, .. } => {
                (ErrorCode::DatabaseTooNew, Some(ErrorDetails::Path { path: path.display().to_string() }))
            }
            StoreError::MigrationChanged { path, .. } | StoreError::Open { path, .. } => {
                (ErrorCode::DatabaseUnavailable, Some(ErrorDetails::Path { path: path.display().to_string() }))
            }
            StoreError::Io { path, .. } => {
                (ErrorCode::DatabaseUnavailable, Some(ErrorDetails::Path { path: path.display().to_string() }))
            }
            StoreError::NoHomeDirectory => (ErrorCode::DatabaseUnavailable, None),
            StoreError::Corrupt { .. } | StoreError::Database(_) => (ErrorCode::StorageError, None),
        };
        ApiError { code, message, details }
    }
}

impl From<McpError> for ApiError {
    fn from(error: McpError) -> Self {
        match error {
            McpError::UnknownServer(_) => ApiError::new(ErrorCode::NotFound, error.to_string()),
            McpError::Failed(failure) => {
                let code = if failure.code == FailureCode::NotConnected {
                    ErrorCode::ServerUnavailable
                } else {
                    ErrorCode::ServerFailed
                };
                ApiError {
                    code,
                    message: failure.message,
                    details: Some(ErrorDetails::Server { failure_code: failure.code }),
                }
            }
            McpError::Store(err) => err.into(),
            McpError::SignIn(err) => err.into(),
        }
    }
}
