//! How a command ends when it does not succeed: an API error (reported with its exit code), a refusal at a
//! confirmation prompt, or a failure already reported on stdout.

use atrium_api::{ApiError, ErrorCode};

/// Why a command did not complete.
pub enum Failure {
    /// The API refused or failed.
    Api(ApiError),
    /// The user said no at a confirmation prompt.
    Cancelled,
    /// Already reported on stdout; exit with this code.
    Quiet(u8),
}

impl From<ApiError> for Failure {
    fn from(err: ApiError) -> Self {
        Failure::Api(err)
    }
}

pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message)
}
