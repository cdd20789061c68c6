//! Signing in to servers and Authorizers, and keeping header values out of the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use atrium_auth::{AuthError, Browser};
use atrium_mcp::{AUTHORIZER_CONTENT_TYPE, ServerAuth, authorizer_config};
use atrium_secrets::SecretId;
use atrium_store::{ArtifactPatch, NewArtifact};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::ApiResult;
use crate::error::{ApiError, ErrorCode};
use crate::{Atrium, SERVER_CONTENT_TYPE};

/// Opens authorization pages in the system browser (`$BROWSER` when set).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemBrowser;

impl Browser for SystemBrowser {
    fn open<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move { crate::links::open_in_browser(url).map_err(|e| AuthError::Browser(e.to_string())) })
    }
}

/// Sign-ins waiting for the person, by server or Authorizer id (so they can be cancelled).
#[derive(Debug, Default)]
pub(crate) struct SignIns {
    waiting: Mutex<HashMap<String, (u64, CancellationToken)>>,
    next: std::sync::atomic::AtomicU64,
}

/// One waiting sign-in: its cancel token, and which entry of [`SignIns`] is its own.
pub(crate) struct Waiting {
    generation: u64,
    pub(crate) cancel: CancellationToken,
}

impl SignIns {
    fn begin(&self, id: &str) -> Waiting {
        let generation = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let cancel = CancellationToken::new();
        let previous =
            self.waiting.lock().unwrap_or_else(|p| p.into_inner()).insert(id.to_owned(), (generation, cancel.clone()));
        // A second click replaces the first sign-in.
        if let Some((_, previous)) = previous {
            previous.cancel();
        }
        Waiting { generation, cancel }
    }
    fn end(&self, id: &str, waiting: &Waiting) {
        let mut map = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        if map.get(id).is_some_and(|(generation, _)| *generation == waiting.generation) {
            map.remove(id);
        }
    }
    fn cancel(&self, id: &str) -> bool {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner()).remove(id).map(|(_, t)| t.cancel()).is_some()
    }
}

/// An Authorizer: an OAuth provider configuration (`application/vnd.agience.authorizer+json`). The connection it
/// yields (the tokens) lives in the keychain; this view says whether there is one, never what it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct AuthorizerView {
    /// The artifact id (what a registration's `auth.authorizer_id` names).
    pub id: String,
    /// Its workspace.
    pub workspace_id: String,
    /// Its title.
    pub title: String,
    /// Its version (pass it back to update).
    pub version: u32,
    /// The configuration.
    pub config: AuthorizerConfig,
    /// Titles of the servers that sign in through it.
    pub used_by: Vec<String>,
    /// Whether it holds a connection (tokens in the keychain).
    pub connected: bool,
}

/// An Authorizer's configuration (the seed's fields, plus optional `revoke_url` and `token_auth_method`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct AuthorizerConfig {
    /// The provider's name (`github`, `google`, …).
    pub provider: String,
    /// The authorization endpoint.
    pub auth_url: String,
    /// The token endpoint.
    pub token_url: String,
    /// The revocation endpoint, if the provider has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_url: Option<String>,
    /// The scopes to ask for.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The OAuth app's client id.
    pub client_id: String,
    /// Kept for the platform's schema; Atrium always uses PKCE (S256).
    #[serde(default = "yes")]
    pub pkce: bool,
    /// The keychain secret holding the client secret, for a confidential app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_id: Option<String>,
    /// `client_secret_post` (the default) or `client_secret_basic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_auth_method: Option<String>,
}

fn yes() -> bool {
    true
}

/// A new Authorizer.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct NewAuthorizer {
    /// Its workspace.
    pub workspace_id: String,
    /// Its title.
    pub title: String,
    /// The configuration.
    pub config: AuthorizerConfig,
}

impl AuthorizerConfig {
    fn check(&self) -> ApiResult<()> {
        atrium_auth::Endpoints::explicit(&self.auth_url, &self.token_url, self.revoke_url.as_deref())
            .map_err(|e| ApiError::new(ErrorCode::InvalidInput, e.to_string()))?;
        if self.client_id.trim().is_empty() {
            return Err(ApiError::new(ErrorCode::InvalidInput, "An Authorizer needs the OAuth app's client id."));
        }
        if let Some(id) = &self.secret_id {
            SecretId::parse(id)?;
        }
        if let Some(method) = &self.token_auth_method
            && !matches!(method.as_str(), "client_secret_post" | "client_secret_basic")
        {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                "token_auth_method is client_secret_post or client_secret_basic.",
            ));
        }
        Ok(())
    }
}

impl Atrium {
    pub(crate) fn browser(&self) -> Arc<dyn Browser> {
        self.options.browser.clone().unwrap_or_else(|| Arc::new(SystemBrowser))
    }

    /// Signs in to a server in the browser (its Authorizer, or MCP authorization when the server asked for it),
    /// waits for the person (at most 5 minutes, or until cancelled), stores the tokens in the keychain and
    /// reconnects the server.
    #[tracing::instrument(skip(self))]
    pub async fn server_sign_in(&self, id: String) -> ApiResult<ServerAuth> {
        // The CLI connects on demand: the first attempt also learns what the server asks for.
        self.live_server(&id).await?;
        let waiting = self.sign_ins.begin(&id);
        let browser = self.browser();
        let result = self.servers.sign_in(&id, browser.as_ref(), &waiting.cancel).await;
        self.sign_ins.end(&id, &waiting);
        Ok(result?)
    }

    /// Cancels a sign-in waiting for the browser; `false` when none was.
    pub async fn server_sign_in_cancel(&self, id: String) -> ApiResult<bool> {
        Ok(self.sign_ins.cancel(&id))
    }

    /// Cancels an Authorizer's connect waiting for the browser; `false` when none was.
    pub async fn authorizer_connect_cancel(&self, id: String) -> ApiResult<bool> {
        Ok(self.sign_ins.cancel(&id))
    }

    /// Signs out of a server: revokes its tokens where the server supports it, forgets them, and reconnects it.
    /// Returns whether the tokens were revoked.
    pub async fn server_sign_out(&self, id: String) -> ApiResult<bool> {
        self.live_server(&id).await?;
        Ok(self.servers.sign_out(&id).await?)
    }

    /// Every Authorizer (of one workspace, or all).
    pub async fn authorizer_list(&self, workspace_id: Option<String>) -> ApiResult<Vec<AuthorizerView>> {
        let artifacts = self.store.artifacts_of_type(AUTHORIZER_CONTENT_TYPE, workspace_id.as_deref()).await?;
        let servers = self.store.artifacts_of_type(SERVER_CONTENT_TYPE, None).await?;
        let mut views = Vec::new();
        for artifact in artifacts {
            views.push(self.authorizer_view(&artifact, &servers).await);
        }
        Ok(views)
    }

    async fn authorizer_view(
        &self,
        artifact: &atrium_store::Artifact,
        servers: &[atrium_store::Artifact],
    ) -> AuthorizerView {
        let config = authorizer_config(&artifact.context, &artifact.content)
            .ok()
            .and_then(|v| serde_json::from_value::<AuthorizerConfig>(v).ok())
            .unwrap_or(AuthorizerConfig {
                provider: String::new(),
                auth_url: String::new(),
                token_url: String::new(),
                revoke_url: None,
                scopes: Vec::new(),
                client_id: String::new(),
                pkce: true,
                secret_id: None,
                token_auth_method: None,
            });
        let used_by = servers
            .iter()
            .filter(|s| {
                let registration = atrium_mcp::registration::parse(&atrium_mcp::registration::stored(s));
                matches!(registration, Ok(r) if matches!(&r.auth, Some(atrium_mcp::Auth::Oauth2 { authorizer_id }) if *authorizer_id == artifact.id))
            })
            .map(|s| s.title.clone())
            .collect();
        AuthorizerView {
            id: artifact.id.clone(),
            workspace_id: artifact.workspace_id.clone(),
            title: artifact.title.clone(),
            version: artifact.version,
            config,
            used_by,
            connected: self.servers.authorizer_connected(&artifact.id).await,
        }
    }

    /// Creates an Authorizer.
    pub async fn authorizer_create(&self, input: NewAuthorizer) -> ApiResult<AuthorizerView> {
        input.config.check()?;
        let content = serde_json::to_string_pretty(&input.config)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        let artifact = self
            .store
            .create_artifact(NewArtifact {
                workspace_id: input.workspace_id,
                title: input.title,
                content_type: AUTHORIZER_CONTENT_TYPE.to_owned(),
                content: Some(content),
                context: None,
                state: None,
            })
            .await?;
        let servers = self.store.artifacts_of_type(SERVER_CONTENT_TYPE, None).await?;
        Ok(self.authorizer_view(&artifact, &servers).await)
    }

    /// Changes an Authorizer's title or configuration. Its connection is kept.
    pub async fn authorizer_update(
        &self,
        id: String,
        expected_version: u32,
        title: Option<String>,
        config: Option<AuthorizerConfig>,
    ) -> ApiResult<AuthorizerView> {
        self.authorizer_artifact(&id).await?;
        let content = match &config {
            Some(config) => {
                config.check()?;
                Some(
                    serde_json::to_string_pretty(config)
                        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?,
                )
            }
            None => None,
        };
        let artifact = self
            .store
            .update_artifact(
                &id,
                ArtifactPatch { expected_version: Some(expected_version), title, content, ..ArtifactPatch::default() },
            )
            .await?;
        let servers = self.store.artifacts_of_type(SERVER_CONTENT_TYPE, None).await?;
        Ok(self.authorizer_view(&artifact, &servers).await)
    }

    /// Deletes an Authorizer and its connection. Refused while servers sign in through it.
    pub async fn authorizer_delete(&self, id: String) -> ApiResult<()> {
        let artifact = self.authorizer_artifact(&id).await?;
        let servers = self.store.artifacts_of_type(SERVER_CONTENT_TYPE, None).await?;
        let view = self.authorizer_view(&artifact, &servers).await;
        if !view.used_by.is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!("{} is used by {}: change their authentication first.", view.title, view.used_by.join(", ")),
            ));
        }
        self.servers.authorizer_sign_out(&id).await?;
        self.store.delete_artifact(&id).await?;
        Ok(())
    }

    /// Connects an Authorizer in the browser (for every server that uses it).
    pub async fn authorizer_connect(&self, id: String) -> ApiResult<AuthorizerView> {
        self.authorizer_artifact(&id).await?;
        let waiting = self.sign_ins.begin(&id);
        let browser = self.browser();
        let result = self.servers.authorizer_sign_in(&id, browser.as_ref(), &waiting.cancel).await;
        self.sign_ins.end(&id, &waiting);
        result?;
        let artifact = self.store.get_artifact(&id).await?;
        let servers = self.store.artifacts_of_type(SERVER_CONTENT_TYPE, None).await?;
        Ok(self.authorizer_view(&artifact, &servers).await)
    }

    /// Disconnects an Authorizer: revokes the connection's tokens where the provider supports it and forgets them.
    /// Returns whether they were revoked.
    pub async fn authorizer_disconnect(&self, id: String) -> ApiResult<bool> {
        self.authorizer_artifact(&id).await?;
        Ok(self.servers.authorizer_sign_out(&id).await?)
    }

    async fn authorizer_artifact(&self, id: &str) -> ApiResult<atrium_store::Artifact> {
        let artifact = self.store.get_artifact(id).await?;
        if artifact.content_type != AUTHORIZER_CONTENT_TYPE {
            return Err(ApiError::new(ErrorCode::NotFound, format!("{id} is not an Authorizer.")));
        }
        Ok(artifact)
    }
}
