//! A server's live state, as badges show it.

use serde::{Deserialize, Serialize};

use crate::error::{Failure, FailureCode};

/// Where a server's connection stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ServerStatus {
    /// Not connected (disabled, or never started).
    Stopped,
    /// Connecting.
    Starting,
    /// Connected and answering.
    Ready,
    /// Was ready, lost its connection, and is reconnecting.
    Degraded {
        /// Why.
        code: FailureCode,
        /// What happened.
        message: String,
    },
    /// Could not connect.
    Failed {
        /// Why.
        code: FailureCode,
        /// What happened and what to do.
        message: String,
        /// The last lines the process wrote to stderr (stdio servers).
        stderr_tail: Vec<String>,
    },
}

impl ServerStatus {
    pub(crate) fn failed(failure: &Failure, stderr_tail: Vec<String>) -> Self {
        ServerStatus::Failed { code: failure.code, message: failure.message.clone(), stderr_tail }
    }
}
