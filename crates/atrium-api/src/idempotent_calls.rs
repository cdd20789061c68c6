//! Idempotency keys for agents' writes through the gateway (the store keeps them; see `IdempotentStart`).

use atrium_store::IdempotentStart;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::agents::AgentView;
use crate::{ApiResult, Atrium};

impl Atrium {
    /// Claims `key` for `agent`'s call of `tool` with `arguments`, or says why not (a key is told apart from one
    /// used for other arguments by their SHA-256; the arguments themselves are not kept).
    pub async fn agent_idempotent_begin(
        &self,
        agent: &AgentView,
        tool: &str,
        key: &str,
        arguments: &Value,
    ) -> ApiResult<IdempotentStart> {
        let hash = request_hash(arguments);
        Ok(self.store.idempotent_begin(&agent.id, tool, key, &hash).await?)
    }

    /// Ends a claimed call: its result (JSON text) kept for retries, or the key let go when it failed (`None`).
    pub async fn agent_idempotent_finish(
        &self,
        agent: &AgentView,
        tool: &str,
        key: &str,
        result: Option<&str>,
    ) -> ApiResult<()> {
        Ok(self.store.idempotent_finish(&agent.id, tool, key, result).await?)
    }
}

/// The SHA-256 of the arguments as JSON text, lowercase hex: the same request sends the same text again.
fn request_hash(arguments: &Value) -> String {
    Sha256::digest(arguments.to_string().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}
