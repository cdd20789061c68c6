//! Atrium as the OAuth authorization server of its own gateway (MCP authorization, 2025-06-18 / 2025-11-25), for
//! agents that only do OAuth: dynamic client registration (RFC 7591, public clients only), the token endpoint
//! (authorization code with PKCE S256, refresh tokens rotated on every use), revocation (RFC 7009), and the
//! check of an access token on every gateway request. The consent step — where an agent is made — is
//! `agent_consent`. The gateway only carries these over HTTP.
//!
//! Tokens name their agent (`atrium_oat_<agent>_<secret>`, `atrium_ort_<agent>_<secret>`, 256 random bits) and are
//! kept as SHA-256 hashes only, compared in constant time with that agent's hashes: as with an agent's own token,
//! nothing is looked up by a hash a guesser controls. Access tokens hold an hour; refresh tokens thirty days, and
//! each is exchanged once. Removing or rotating the agent ends them all at once (the store's cascade).

use std::collections::HashSet;

use atrium_store::{NewOAuthToken, OAuthClientRecord, OAuthTokenKind};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::agent_tokens::{ACCESS_PREFIX, REFRESH_PREFIX, hash, live_hash, named_agent, now_text, random_secret};
use crate::oauth_rules::{OAuthErrorCode, OAuthRefusal, redirect_allowed, resource_allowed};
use crate::{AgentView, ApiResult, Atrium};

/// How long an access token holds.
pub const ACCESS_LIFETIME: chrono::Duration = chrono::Duration::hours(1);
/// How long a refresh token holds (each use gives a new one).
const REFRESH_LIFETIME: chrono::Duration = chrono::Duration::days(30);
/// The most clients registered at once. Registration is open to every program on this machine, so it is bounded;
/// clients that never led to an agent are forgotten after a day.
const MAX_CLIENTS: i64 = 200;
/// The largest registration document taken.
const MAX_METADATA: usize = 16 * 1024;

/// A token request's form fields (RFC 6749 §4.1.3 and §6), as they came; each is checked here.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TokenRequest {
    /// `authorization_code` or `refresh_token`.
    pub grant_type: Option<String>,
    /// The code (authorization_code).
    pub code: Option<String>,
    /// The redirect URI the code was sent to (authorization_code).
    pub redirect_uri: Option<String>,
    /// The client.
    pub client_id: Option<String>,
    /// The PKCE verifier (authorization_code).
    pub code_verifier: Option<String>,
    /// The refresh token (refresh_token).
    pub refresh_token: Option<String>,
    /// RFC 8707: the resource the token is for.
    pub resource: Option<String>,
}

/// A revocation request's form fields (RFC 7009 §2.1).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RevokeRequest {
    /// The token to revoke (access or refresh).
    pub token: Option<String>,
    /// The client, when it says.
    pub client_id: Option<String>,
}

fn new_token(prefix: &str, agent_id: &str) -> ApiResult<String> {
    let id = agent_id.replace('-', "");
    Ok(format!("{prefix}{id}_{}", random_secret()?))
}

/// What the window calls a client: its `client_name`, or the host it sends codes to.
fn client_name(metadata: &Map<String, Value>, redirects: &[url::Url]) -> String {
    let given = metadata.get("client_name").and_then(Value::as_str).map(str::trim).filter(|n| !n.is_empty());
    match given {
        Some(name) => name.chars().take(80).collect(),
        None => redirects.first().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_else(|| "An app".into()),
    }
}

impl Atrium {
    /// RFC 8414 authorization-server metadata for the gateway at `issuer` (`http://127.0.0.1:<port>`).
    pub fn oauth_metadata(&self, issuer: &str) -> Value {
        json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/authorize"),
            "token_endpoint": format!("{issuer}/token"),
            "registration_endpoint": format!("{issuer}/register"),
            "revocation_endpoint": format!("{issuer}/revoke"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "revocation_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": ["read", "write", "share", "admin"],
            "authorization_response_iss_parameter_supported": true,
        })
    }

    /// RFC 7591 dynamic registration of a public client. The answer is the client's metadata as it sent it, with
    /// its `client_id` and what Atrium settled (`token_endpoint_auth_method: none`, the grant and response types).
    #[tracing::instrument(skip_all)]
    pub async fn oauth_register(&self, body: &[u8]) -> ApiResult<Result<Value, OAuthRefusal>> {
        let bad = |why: String| Ok(Err(OAuthRefusal::new(OAuthErrorCode::InvalidClientMetadata, why)));
        if body.len() > MAX_METADATA {
            return bad(format!("The registration is over {MAX_METADATA} bytes."));
        }
        let Ok(Value::Object(mut metadata)) = serde_json::from_slice::<Value>(body) else {
            return bad("The registration is not a JSON object.".into());
        };
        let Some(uris) = metadata.get("redirect_uris").and_then(Value::as_array).filter(|u| !u.is_empty()) else {
            return Ok(Err(OAuthRefusal::new(
                OAuthErrorCode::InvalidRedirectUri,
                "redirect_uris must list at least one URI.",
            )));
        };
        let mut redirects = Vec::new();
        for uri in uris {
            let Some(uri) = uri.as_str() else { return bad("redirect_uris holds something not a string.".into()) };
            match redirect_allowed(uri) {
                Ok(url) => redirects.push(url),
                Err(why) => return Ok(Err(OAuthRefusal::new(OAuthErrorCode::InvalidRedirectUri, why))),
            }
        }
        let offered: HashSet<&str> = ["authorization_code", "refresh_token"].into();
        if let Some(grants) = metadata.get("grant_types").and_then(Value::as_array)
            && let Some(other) = grants.iter().find(|g| g.as_str().is_none_or(|g| !offered.contains(g)))
        {
            return bad(format!("The grant type {other} is not offered: only authorization_code and refresh_token."));
        }
        if let Some(types) = metadata.get("response_types").and_then(Value::as_array)
            && types.iter().any(|t| t.as_str() != Some("code"))
        {
            return bad("Only the response type code is offered.".into());
        }
        let cutoff = now_text(-chrono::Duration::days(1));
        self.store.oauth_clients_prune(&cutoff).await?;
        if self.store.oauth_client_count().await? >= MAX_CLIENTS {
            return Ok(Err(OAuthRefusal::new(
                OAuthErrorCode::TemporarilyUnavailable,
                "Too many clients registered in the last day: try again tomorrow, or remove OAuth agents.",
            )));
        }
        let client_id = format!("atrium-client-{}", uuid::Uuid::new_v4().simple());
        let name = client_name(&metadata, &redirects);
        let record = OAuthClientRecord {
            client_id: client_id.clone(),
            client_name: name,
            redirect_uris: Value::Array(uris.clone()).to_string(),
            metadata: String::from_utf8_lossy(body).into_owned(),
            created_time: now_text(chrono::Duration::zero()),
        };
        self.store.oauth_client_insert(&record).await?;
        tracing::info!(client = %client_id, name = %record.client_name, "OAuth client registered");
        // A public client: whatever method it asked for, it authenticates with none (no secret is issued).
        metadata.insert("client_id".into(), json!(client_id));
        metadata.insert("client_id_issued_at".into(), json!(chrono::Utc::now().timestamp()));
        metadata.insert("token_endpoint_auth_method".into(), json!("none"));
        metadata.insert("grant_types".into(), json!(["authorization_code", "refresh_token"]));
        metadata.insert("response_types".into(), json!(["code"]));
        Ok(Ok(Value::Object(metadata)))
    }

    /// A fresh access and refresh token for `agent`, stored as hashes (replacing the refresh token whose hash is
    /// `replacing`, once). `None` when that refresh token was exchanged already.
    async fn oauth_issue(&self, agent: &AgentView, replacing: Option<&str>) -> ApiResult<Option<Value>> {
        let access = new_token(ACCESS_PREFIX, &agent.id)?;
        let refresh = new_token(REFRESH_PREFIX, &agent.id)?;
        let tokens = [
            NewOAuthToken {
                token_hash: hash(&access),
                kind: OAuthTokenKind::Access,
                expires_time: now_text(ACCESS_LIFETIME),
            },
            NewOAuthToken {
                token_hash: hash(&refresh),
                kind: OAuthTokenKind::Refresh,
                expires_time: now_text(REFRESH_LIFETIME),
            },
        ];
        if !self.store.oauth_tokens_issue(&agent.id, replacing, &tokens).await? {
            return Ok(None);
        }
        let scope: Vec<&str> = agent.scopes.iter().map(|s| s.as_str()).collect();
        Ok(Some(json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": ACCESS_LIFETIME.num_seconds(),
            "refresh_token": refresh,
            "scope": scope.join(" "),
        })))
    }

    /// The token endpoint (RFC 6749 §4.1.3, §6): a code with its PKCE verifier, or a refresh token, for a new
    /// pair. The answer is the token response; it is never logged.
    #[tracing::instrument(skip_all, fields(grant = request.grant_type.as_deref().unwrap_or("")))]
    pub async fn oauth_token(&self, request: TokenRequest, issuer: &str) -> ApiResult<Result<Value, OAuthRefusal>> {
        use OAuthErrorCode::*;
        let refuse = |code, why: &str| Ok(Err(OAuthRefusal::new(code, why)));
        let Some(client_id) = request.client_id.as_deref() else {
            return refuse(InvalidRequest, "client_id is missing.");
        };
        if self.store.oauth_client_get(client_id).await?.is_none() {
            return refuse(InvalidClient, "No client registered by that id.");
        }
        if let Some(resource) = &request.resource
            && !resource_allowed(resource, issuer)
        {
            return refuse(InvalidTarget, "The resource is not this gateway's MCP endpoint.");
        }
        match request.grant_type.as_deref() {
            Some("authorization_code") => {
                let (Some(code), Some(verifier)) = (&request.code, &request.code_verifier) else {
                    return refuse(InvalidRequest, "code and code_verifier are both needed.");
                };
                let redeemed = match self.consents.redeem(code, client_id, request.redirect_uri.as_deref(), verifier) {
                    Ok(redeemed) => redeemed,
                    Err(why) => return refuse(InvalidGrant, why),
                };
                if let (Some(asked), Some(given)) = (&redeemed.resource, &request.resource)
                    && asked.trim_end_matches('/') != given.trim_end_matches('/')
                {
                    return refuse(InvalidTarget, "The resource is not the one the code was given for.");
                }
                let Ok(agent) = self.agent_get(redeemed.agent_id).await else {
                    return refuse(InvalidGrant, "The agent this code was for was removed.");
                };
                let issued = self.oauth_issue(&agent, None).await?;
                tracing::info!(agent = %agent.id, "OAuth tokens issued for a code");
                Ok(issued.ok_or_else(|| OAuthRefusal::new(InvalidGrant, "The code was used.")))
            }
            Some("refresh_token") => {
                let Some(refresh) = &request.refresh_token else {
                    return refuse(InvalidRequest, "refresh_token is missing.");
                };
                let stale = "The refresh token is wrong, used, expired or revoked: authorize again.";
                let Some(agent_id) = named_agent(REFRESH_PREFIX, refresh) else { return refuse(InvalidGrant, stale) };
                let Ok(agent) = self.agent_get(agent_id).await else { return refuse(InvalidGrant, stale) };
                if agent.oauth.as_ref().is_none_or(|o| o.client_id != client_id) {
                    return refuse(InvalidGrant, stale);
                }
                let Some(hash) = live_hash(&self.store, &agent.id, OAuthTokenKind::Refresh, refresh).await? else {
                    return refuse(InvalidGrant, stale);
                };
                let issued = self.oauth_issue(&agent, Some(&hash)).await?;
                tracing::info!(agent = %agent.id, "OAuth tokens refreshed");
                Ok(issued.ok_or_else(|| OAuthRefusal::new(InvalidGrant, stale)))
            }
            Some(other) => refuse(UnsupportedGrantType, &format!("The grant type {other} is not offered.")),
            None => refuse(InvalidRequest, "grant_type is missing."),
        }
    }

    /// RFC 7009 revocation: the token (access or refresh) stops working. Unknown tokens are no error, as the RFC
    /// says; a `client_id` that is not the token's revokes nothing.
    #[tracing::instrument(skip_all)]
    pub async fn oauth_revoke(&self, request: RevokeRequest) -> ApiResult<()> {
        let Some(token) = request.token.as_deref() else { return Ok(()) };
        let (agent_id, kind) = match (named_agent(ACCESS_PREFIX, token), named_agent(REFRESH_PREFIX, token)) {
            (Some(id), _) => (id, OAuthTokenKind::Access),
            (_, Some(id)) => (id, OAuthTokenKind::Refresh),
            _ => return Ok(()),
        };
        let Ok(agent) = self.agent_get(agent_id).await else { return Ok(()) };
        if let Some(client) = &request.client_id
            && agent.oauth.as_ref().is_none_or(|o| &o.client_id != client)
        {
            return Ok(());
        }
        if let Some(hash) = live_hash(&self.store, &agent.id, kind, token).await? {
            self.store.oauth_token_delete(&agent.id, &hash).await?;
            tracing::info!(agent = %agent.id, "OAuth token revoked");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_agent_and_kind() {
        let id = uuid::Uuid::new_v4().hyphenated().to_string();
        let token = new_token(ACCESS_PREFIX, &id).expect("token");
        assert_eq!(named_agent(ACCESS_PREFIX, &token), Some(id));
        assert_eq!(named_agent(REFRESH_PREFIX, &token), None);
    }
}
