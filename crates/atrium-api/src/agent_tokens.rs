//! What every secret Atrium gives an agent is made of, and how it is kept: 256 random bits (agent tokens, OAuth
//! access and refresh tokens, codes, the consent page's poll id), stored as SHA-256 only, compared in constant time.
//! A token names its agent, so a presented token is compared with that agent's hashes — never looked up by a hash a
//! guesser controls.

use atrium_store::{OAuthTokenKind, Store};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::{ApiError, ApiResult, ErrorCode};

/// Random bytes in a secret (256 bits).
const TOKEN_BYTES: usize = 32;
/// OAuth access tokens begin so.
pub(crate) const ACCESS_PREFIX: &str = "atrium_oat_";
/// OAuth refresh tokens begin so.
pub(crate) const REFRESH_PREFIX: &str = "atrium_ort_";

/// SHA-256 of a token, lowercase hex: all the store keeps of it.
pub(crate) fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Equal bytes, compared without stopping at the first difference.
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 256 random bits, base64url: the secret part of every token, code and poll id.
pub(crate) fn random_secret() -> ApiResult<String> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("No randomness for a token: {e}.")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub(crate) fn now_text(offset: chrono::Duration) -> String {
    (chrono::Utc::now() + offset).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The agent id a token of `prefix` names, if it is shaped like one.
pub(crate) fn named_agent(prefix: &str, token: &str) -> Option<String> {
    let (id, secret) = token.strip_prefix(prefix)?.split_once('_')?;
    if secret.is_empty() {
        return None;
    }
    uuid::Uuid::try_parse(id).ok().map(|id| id.hyphenated().to_string())
}

/// The stored hash of `token` among the agent's live OAuth tokens of `kind`, compared in constant time.
pub(crate) async fn live_hash(
    store: &Store,
    agent_id: &str,
    kind: OAuthTokenKind,
    token: &str,
) -> ApiResult<Option<String>> {
    let presented = hash(token);
    let mut found = None;
    for stored in store.oauth_tokens_of(agent_id, kind).await? {
        if same(presented.as_bytes(), stored.token_hash.as_bytes()) {
            found = Some(stored.token_hash);
        }
    }
    Ok(found)
}
