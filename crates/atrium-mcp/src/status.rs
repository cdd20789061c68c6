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
    /// Being installed before its first start (a server run from a git repository).
    Installing {
        /// What is happening (`cloning`, `installing dependencies`, …).
        step: String,
        /// Steps done.
        done: u32,
        /// Steps in all.
        total: u32,
    },
    /// Connected and answering.
    Ready,
    /// Lost its connection or its process, and is being started again after a pause.
    Degraded {
        /// Why.
        code: FailureCode,
        /// What happened.
        message: String,
        /// How many times in a row it has failed.
        attempt: u32,
        /// When the next try starts.
        retry_in_ms: u32,
    },
    /// The server wants a sign-in before it answers: one button away from `ready`.
    NeedsLogin {
        /// Why, for the person.
        message: String,
    },
    /// Would start a process or use this machine's credentials, and the person has not approved that (it came
    /// from the platform, or changed since): nothing runs until they do.
    NeedsApproval {
        /// What it would do, for the person.
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
    /// The state's name as it is serialized (`ready`, `stopped`, `needs_login`, …).
    pub fn state_name(&self) -> &'static str {
        match self {
            ServerStatus::Stopped => "stopped",
            ServerStatus::Starting => "starting",
            ServerStatus::Installing { .. } => "installing",
            ServerStatus::Ready => "ready",
            ServerStatus::Degraded { .. } => "degraded",
            ServerStatus::NeedsLogin { .. } => "needs_login",
            ServerStatus::NeedsApproval { .. } => "needs_approval",
            ServerStatus::Failed { .. } => "failed",
        }
    }

    pub(crate) fn failed(failure: &Failure, stderr_tail: Vec<String>) -> Self {
        ServerStatus::Failed { code: failure.code, message: failure.message.clone(), stderr_tail }
    }
}
