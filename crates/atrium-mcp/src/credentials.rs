//! A server's credentials, applied to each HTTP request: a header from the keychain (`api_key`, `static`), or an
//! OAuth token (`oauth2` through an Authorizer, `client_credentials`, MCP authorization) renewed 60 s before it
//! expires with one exchange at a time, shared by every server using the same grant. Client credentials
//! authenticate the way the registration says, else the way the token endpoint's metadata allows (a client secret
//! by Basic or in the form, a private key by a signed assertion).
//!
//! Tokens and grants live in the keychain only (ids `oauth.server.<server>` and `oauth.authorizer.<authorizer>`);
//! nothing here logs a value.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use atrium_auth::client::ClientOptions;
use atrium_auth::grant::{Grant, SignIn, sign_in_explicit, sign_in_to_server};
use atrium_auth::{
    AuthError, BearerChallenge, Browser, ClientAuthMethod, Endpoints, OAuthClient, OAuthHttp, SigningAlg, TokenCell,
    TokenEndpoint,
};
use atrium_secrets::{Keychain, SecretId, Sensitive};
use atrium_store::Store;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::auth_state::{AuthKind, AuthState, ServerAuth};
use crate::error::{Failure, FailureCode};
use crate::events::Events;
use crate::registration::{Auth, TokenAuthMethod};
use crate::secret_mask::SecretMask;

/// The content type of an Authorizer artifact.
pub const AUTHORIZER_CONTENT_TYPE: &str = "application/vnd.agience.authorizer+json";

/// How many sign-ins one request may trigger on its own (automatic sign-in only): a server that keeps asking for
/// more is not asked forever.
const MAX_AUTOMATIC_SIGN_INS: u32 = 3;

/// How the manager signs in without a person: only conformance runs and tests set a browser here.
#[derive(Clone, Default)]
pub struct AuthSetup {
    /// Signs in as soon as a server asks, through this browser (a headless one). `None`: a person signs in.
    pub automatic_sign_in: Option<Arc<dyn Browser>>,
    /// The URL of Atrium's client ID metadata document, offered to servers that support them.
    pub client_metadata_url: Option<String>,
}

impl std::fmt::Debug for AuthSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSetup")
            .field("automatic_sign_in", &self.automatic_sign_in.is_some())
            .field("client_metadata_url", &self.client_metadata_url)
            .finish()
    }
}

fn kind_of(auth: Option<&Auth>) -> AuthKind {
    match auth {
        None => AuthKind::None,
        Some(Auth::Static { .. }) => AuthKind::Static,
        Some(Auth::ApiKey { .. }) => AuthKind::ApiKey,
        Some(Auth::Oauth2 { .. }) => AuthKind::Oauth2,
        Some(Auth::ClientCredentials { .. }) => AuthKind::ClientCredentials,
        Some(Auth::McpOauth { .. }) => AuthKind::McpOauth,
    }
}

/// One grant's tokens, shared by every server that uses it.
#[derive(Default)]
pub(crate) struct GrantSlot {
    cell: TokenCell,
    grant: Mutex<Option<Grant>>,
    /// Set once the keychain was read; concurrent first users all wait for that one read.
    loaded: tokio::sync::OnceCell<()>,
    /// One sign-in at a time per grant.
    signing_in: tokio::sync::Mutex<()>,
}

/// Grants by keychain id.
#[derive(Default)]
pub(crate) struct Grants(Mutex<HashMap<String, Arc<GrantSlot>>>);

impl Grants {
    fn slot(&self, key: &str) -> Arc<GrantSlot> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).entry(key.to_owned()).or_default().clone()
    }
}

/// What the machine offers credentials.
#[derive(Clone)]
pub(crate) struct CredentialHost {
    pub(crate) keychain: Option<Keychain>,
    pub(crate) store: Store,
    pub(crate) http: OAuthHttp,
    pub(crate) grants: Arc<Grants>,
    pub(crate) setup: AuthSetup,
    pub(crate) events: Events,
}

/// What to do after the server refused a request.
pub(crate) enum Verdict {
    Retry,
    GiveUp,
}

/// What changes while a server's credentials are used, behind one lock (never held across an await).
#[derive(Default)]
struct CredentialState {
    /// The server's MCP endpoint (for discovery).
    endpoint: Option<String>,
    /// Where authentication stands, as the window shows it.
    auth: AuthState,
    /// A header read from the keychain (API key, static): name and value.
    header: Option<(HeaderName, Sensitive<String>)>,
    /// The server's last Bearer challenge.
    challenge: Option<BearerChallenge>,
    /// Client credentials: the token endpoint, configured or discovered (with its metadata) from the server's 401.
    token_endpoint: Option<TokenEndpoint>,
    /// Whether the token endpoint's metadata was read: discovery reads it; for a configured token URL it is looked
    /// up once, when the client's method is not configured or is `private_key_jwt` (whose assertion names the
    /// server's issuer).
    token_metadata_read: bool,
}

/// One server's credentials.
pub(crate) struct Credentials {
    server_id: String,
    auth: Option<Auth>,
    host: CredentialHost,
    /// Every value sent to the server (header secrets, tokens, client secrets) is masked in what comes back.
    mask: Arc<SecretMask>,
    state: Mutex<CredentialState>,
    /// Client credentials: the token, in memory only (renewed by a new grant, never stored).
    cc_cell: TokenCell,
    automatic_sign_ins: AtomicU32,
}

impl Credentials {
    pub(crate) fn new(server_id: &str, auth: Option<&Auth>, host: CredentialHost, mask: Arc<SecretMask>) -> Arc<Self> {
        let state = CredentialState {
            auth: match auth {
                None => AuthState::NotNeeded,
                Some(Auth::Static { .. } | Auth::ApiKey { .. }) => AuthState::Configured,
                Some(_) => AuthState::SignedOut,
            },
            token_endpoint: match auth {
                Some(Auth::ClientCredentials { token_url: Some(url), .. }) => Some(TokenEndpoint::bare(url.clone())),
                _ => None,
            },
            ..CredentialState::default()
        };
        Arc::new(Credentials {
            server_id: server_id.to_owned(),
            auth: auth.cloned(),
            host,
            mask,
            state: Mutex::new(state),
            cc_cell: TokenCell::default(),
            automatic_sign_ins: AtomicU32::new(0),
        })
    }

    fn locked(&self) -> std::sync::MutexGuard<'_, CredentialState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The state for lists.
    pub(crate) fn view(&self) -> ServerAuth {
        let (state, asked) = {
            let locked = self.locked();
            (locked.auth.clone(), locked.challenge.is_some())
        };
        let can_sign_in = match self.auth {
            Some(Auth::Oauth2 { .. } | Auth::McpOauth { .. }) => true,
            None => asked || !matches!(state, AuthState::NotNeeded),
            _ => false,
        };
        ServerAuth { kind: kind_of(self.auth.as_ref()), state, can_sign_in }
    }

    fn set_state(&self, state: AuthState) {
        let changed = {
            let mut locked = self.locked();
            let changed = locked.auth != state;
            locked.auth = state;
            changed
        };
        if changed {
            self.host.events.auth_changed(&self.server_id, &self.view());
        }
    }

    /// The keychain id of this server's grant: its Authorizer's connection, or its own.
    fn grant_key(&self) -> Option<String> {
        match &self.auth {
            Some(Auth::Oauth2 { authorizer_id }) => Some(format!("oauth.authorizer.{authorizer_id}")),
            None | Some(Auth::McpOauth { .. }) => Some(format!("oauth.server.{}", self.server_id)),
            _ => None,
        }
    }

    /// Called before each connection: reads header secrets afresh (a changed key takes effect on reconnect).
    pub(crate) async fn prepare(&self, endpoint: Option<&str>) -> Result<(), Failure> {
        self.locked().endpoint = endpoint.map(str::to_owned);
        self.automatic_sign_ins.store(0, Ordering::SeqCst);
        let header = match &self.auth {
            Some(Auth::Static { header, secret_id: Some(id), .. } | Auth::ApiKey { header, secret_id: id }) => {
                Some((header_name(header)?, self.secret(id).await?))
            }
            Some(Auth::Static { header, value: Some(value), .. }) => {
                Some((header_name(header)?, Sensitive::new(value.clone())))
            }
            Some(Auth::Static { .. }) => {
                return Err(Failure::new(FailureCode::ConfigError, "The static header has no value: set it again."));
            }
            _ => None,
        };
        if let Some((_, value)) = &header {
            HeaderValue::from_str(value.expose())
                .map_err(|_| Failure::new(FailureCode::ConfigError, "The header value is not valid in HTTP."))?;
            self.mask.learn(value.expose());
        }
        self.locked().header = header;
        if let Some(key) = self.grant_key() {
            let slot = self.host.grants.slot(&key);
            self.load(&key, &slot).await;
            if let Some(tokens) = slot.cell.peek() {
                self.set_state(AuthState::signed_in(&tokens));
            }
        }
        Ok(())
    }

    /// Loads a stored grant into its slot, once; whoever comes meanwhile waits for it (never an empty slot that
    /// would look signed out).
    async fn load(&self, key: &str, slot: &GrantSlot) {
        slot.loaded
            .get_or_init(|| async {
                let Some(keychain) = self.host.keychain.clone() else { return };
                let Ok(id) = SecretId::parse(key) else { return };
                let stored = tokio::task::spawn_blocking(move || keychain.get(&id)).await.ok().and_then(Result::ok);
                if let Some(grant) = stored.as_ref().and_then(Grant::from_keychain) {
                    self.learn_tokens(&grant.tokens);
                    slot.cell.set(Some(grant.tokens.clone()));
                    *slot.grant.lock().unwrap_or_else(|p| p.into_inner()) = Some(grant);
                }
            })
            .await;
    }

    async fn secret(&self, id: &str) -> Result<Sensitive<String>, Failure> {
        let keychain = self.host.keychain.clone().ok_or_else(|| {
            Failure::new(
                FailureCode::ConfigError,
                "This Atrium has no keychain, so it cannot read the server's secret.",
            )
        })?;
        let id = SecretId::parse(id).map_err(|e| Failure::new(FailureCode::ConfigError, e.to_string()))?;
        let value = tokio::task::spawn_blocking(move || keychain.get(&id))
            .await
            .map_err(|_| Failure::new(FailureCode::ConfigError, "Reading the keychain failed."))?
            .map_err(|e| Failure::new(FailureCode::ConfigError, format!("{e} Set it in Settings → Secrets.")))?;
        self.mask.learn(value.expose());
        Ok(value)
    }

    /// Masks a grant's tokens in what the server sends back.
    fn learn_tokens(&self, tokens: &atrium_auth::TokenSet) {
        self.mask.learn(tokens.access_token.expose());
        if let Some(refresh) = &tokens.refresh_token {
            self.mask.learn(refresh.expose());
        }
    }

    /// The header to send with the next request: `(name, value, bearer token sent)`.
    pub(crate) async fn header(&self) -> Result<Option<(HeaderName, HeaderValue, Option<String>)>, Failure> {
        if let Some((name, value)) = self.locked().header.as_ref() {
            let mut value = HeaderValue::from_str(value.expose())
                .map_err(|_| Failure::new(FailureCode::ConfigError, "The header value is not valid in HTTP."))?;
            value.set_sensitive(true);
            return Ok(Some((name.clone(), value, None)));
        }
        let token = match &self.auth {
            Some(Auth::ClientCredentials { .. }) => self.client_credentials_token().await?,
            _ => self.grant_token().await?,
        };
        Ok(token.map(|t| {
            self.mask.learn(t.expose());
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", t.expose())).unwrap_or(HeaderValue::from_static(""));
            value.set_sensitive(true);
            (reqwest::header::AUTHORIZATION, value, Some(t.expose().clone()))
        }))
    }

    /// The grant's access token, renewed when due; `None` when there is no grant (yet).
    async fn grant_token(&self) -> Result<Option<Sensitive<String>>, Failure> {
        let Some(key) = self.grant_key() else { return Ok(None) };
        let slot = self.host.grants.slot(&key);
        self.load(&key, &slot).await;
        if slot.cell.peek().is_none() {
            return Ok(None);
        }
        let grant = slot.grant.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(grant) = grant else { return Ok(None) };
        let http = self.host.http.clone();
        let renewed = slot
            .cell
            .fresh(|held| async move {
                self.set_state(AuthState::Refreshing);
                let mut current = grant.clone();
                if let Some(held) = held {
                    current.tokens = (*held).clone();
                }
                current.refreshed(&http).await
            })
            .await;
        match renewed {
            Ok(tokens) => {
                self.learn_tokens(&tokens);
                let changed = slot
                    .grant
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .as_ref()
                    .is_some_and(|g| g.tokens.access_token.expose() != tokens.access_token.expose());
                if changed {
                    let updated = {
                        let mut guard = slot.grant.lock().unwrap_or_else(|p| p.into_inner());
                        if let Some(g) = guard.as_mut() {
                            g.tokens = (*tokens).clone();
                        }
                        guard.clone()
                    };
                    if let Some(updated) = updated {
                        self.save(&key, &updated).await;
                    }
                }
                self.set_state(AuthState::signed_in(&tokens));
                Ok(Some(tokens.access_token.clone()))
            }
            Err(err) if err.grant_is_dead() => {
                // The registration stays; only the dead grant goes.
                self.forget(&key, &slot).await;
                let reason = format!("The sign-in expired and could not be renewed ({err}). Sign in again.");
                self.set_state(AuthState::LoginRequired { reason: reason.clone() });
                Err(Failure::new(FailureCode::AuthError, reason))
            }
            Err(err) => {
                self.set_state(AuthState::Denied { message: format!("Renewing the sign-in failed: {err}") });
                Err(Failure::new(FailureCode::AuthError, format!("Renewing the sign-in failed: {err}")))
            }
        }
    }

    async fn client_credentials_token(&self) -> Result<Option<Sensitive<String>>, Failure> {
        let Some(Auth::ClientCredentials { client_id, secret_id, scopes, auth_method, signing_alg, .. }) = &self.auth
        else {
            return Ok(None);
        };
        let (known, resource) = {
            let locked = self.locked();
            (locked.token_endpoint.is_some(), locked.endpoint.clone())
        };
        // Learned from the server's first 401 when the registration does not say.
        if !known {
            return Ok(None);
        }
        let configured = auth_method.map(|method| match method {
            TokenAuthMethod::ClientSecretBasic => ClientAuthMethod::ClientSecretBasic,
            TokenAuthMethod::ClientSecretPost => ClientAuthMethod::ClientSecretPost,
            TokenAuthMethod::PrivateKeyJwt => ClientAuthMethod::PrivateKeyJwt { alg: None },
        });
        let signing_alg = match signing_alg.as_deref() {
            Some(name) => Some(SigningAlg::parse(name).ok_or_else(|| {
                Failure::new(FailureCode::ConfigError, format!("signing_alg {name} is not RS256 or ES256."))
            })?),
            None => None,
        };
        let scope = (!scopes.is_empty()).then(|| scopes.join(" "));
        let http = self.host.http.clone();
        let tokens = self
            .cc_cell
            .fresh(|_| async move {
                // Only when a token is due: the keychain and the metadata are not asked on every request.
                let endpoint = self.token_endpoint(configured).await?;
                let credential = self.secret(secret_id).await.map_err(|f| AuthError::Config(f.message))?;
                let client = OAuthClient::machine(
                    client_id.clone(),
                    credential,
                    configured,
                    signing_alg,
                    &endpoint.auth_methods,
                )?;
                atrium_auth::token::client_credentials(&http, &endpoint, &client, scope.as_deref(), resource.as_deref())
                    .await
            })
            .await;
        match tokens {
            Ok(tokens) => {
                self.set_state(AuthState::signed_in(&tokens));
                Ok(Some(tokens.access_token.clone()))
            }
            // The secret is missing or is no key Atrium can use: a configuration to fix, not a refusal.
            Err(AuthError::Config(message)) => Err(Failure::new(FailureCode::ConfigError, message)),
            Err(err) => {
                let message = format!("The client credentials were refused: {err}");
                self.set_state(AuthState::Denied { message: message.clone() });
                Err(Failure::new(FailureCode::AuthError, message))
            }
        }
    }

    /// The client credentials' token endpoint, with its authorization server's metadata when the method is not
    /// configured (or is `private_key_jwt`): for a token URL given by hand, looked up once at the URL's origin. A
    /// lookup that fails leaves the RFC 8414 defaults and is tried again at the next renewal.
    async fn token_endpoint(&self, configured: Option<ClientAuthMethod>) -> Result<TokenEndpoint, AuthError> {
        let (endpoint, read) = {
            let locked = self.locked();
            (locked.token_endpoint.clone(), locked.token_metadata_read)
        };
        let endpoint = endpoint.ok_or_else(|| AuthError::Config("The token endpoint is not known yet.".into()))?;
        let needed = matches!(configured, None | Some(ClientAuthMethod::PrivateKeyJwt { .. }));
        if read || !needed {
            return Ok(endpoint);
        }
        match atrium_auth::discovery::token_endpoint_metadata(&self.host.http, &endpoint.url).await {
            Ok(found) => {
                let endpoint = found.unwrap_or(endpoint);
                let mut locked = self.locked();
                locked.token_endpoint = Some(endpoint.clone());
                locked.token_metadata_read = true;
                Ok(endpoint)
            }
            Err(err) => {
                tracing::warn!(server = %self.server_id, "the token endpoint's metadata could not be read: {err}");
                Ok(endpoint)
            }
        }
    }

    /// The server refused a request (401 or 403) that carried `sent`: decide whether to try again.
    pub(crate) async fn refused(&self, sent: Option<&str>, www_authenticate: &str, forbidden: bool) -> Verdict {
        let challenge = BearerChallenge::parse(www_authenticate);
        self.locked().challenge = Some(challenge.clone());
        match &self.auth {
            Some(Auth::Static { .. } | Auth::ApiKey { .. }) => {
                let what = if matches!(self.auth, Some(Auth::ApiKey { .. })) { "API key" } else { "header" };
                self.set_state(AuthState::Denied {
                    message: format!(
                        "The server refused the {what} (HTTP {}). Check it and reconnect.",
                        if forbidden { 403 } else { 401 }
                    ),
                });
                return Verdict::GiveUp;
            }
            Some(Auth::ClientCredentials { .. }) => {
                let known = self.locked().token_endpoint.is_some();
                if !known {
                    return match self.discover_token_url(&challenge).await {
                        Ok(()) => Verdict::Retry,
                        Err(err) => {
                            self.set_state(AuthState::Denied {
                                message: format!("Could not find where to get a token: {err}"),
                            });
                            Verdict::GiveUp
                        }
                    };
                }
                if let (Some(sent), false) = (sent, forbidden) {
                    self.cc_cell.reject(sent);
                    return Verdict::Retry;
                }
                self.set_state(AuthState::Denied { message: "The server refused the client's token.".into() });
                return Verdict::GiveUp;
            }
            _ => {}
        }
        // A stale token: renewed already by a request that was refused at the same time (try the new one), or one
        // a refresh can replace.
        if let (Some(sent), false, Some(key)) = (sent, forbidden, self.grant_key()) {
            let slot = self.host.grants.slot(&key);
            let (renewed_since, renewable) = slot
                .grant
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
                .map(|g| (g.tokens.access_token.expose() != sent, g.tokens.refresh_token.is_some()))
                .unwrap_or((false, false));
            if renewed_since {
                return Verdict::Retry;
            }
            if renewable {
                slot.cell.reject(sent);
                return Verdict::Retry;
            }
        }
        if let Some(browser) = self.host.setup.automatic_sign_in.clone()
            && self.automatic_sign_ins.fetch_add(1, Ordering::SeqCst) < MAX_AUTOMATIC_SIGN_INS
        {
            let cancel = CancellationToken::new();
            return match self.sign_in(browser.as_ref(), &cancel).await {
                Ok(()) => Verdict::Retry,
                Err(_) => Verdict::GiveUp,
            };
        }
        let reason = if challenge.is_insufficient_scope() {
            format!(
                "The server needs more permissions{}. Sign in again to grant them.",
                challenge.scope.as_deref().map(|s| format!(" ({s})")).unwrap_or_default()
            )
        } else {
            "The server wants you to sign in.".to_owned()
        };
        self.set_state(AuthState::LoginRequired { reason });
        Verdict::GiveUp
    }

    async fn discover_token_url(&self, challenge: &BearerChallenge) -> Result<(), AuthError> {
        let endpoint = self.locked().endpoint.clone();
        let endpoint = endpoint.ok_or_else(|| AuthError::Config("the server has no URL".into()))?;
        let discovery = atrium_auth::discovery::discover(&self.host.http, &endpoint, challenge).await?;
        let mut locked = self.locked();
        locked.token_endpoint = Some(discovery.endpoints.token_endpoint());
        locked.token_metadata_read = true;
        Ok(())
    }

    /// Whether the server's last refusal left it needing a person.
    pub(crate) fn needs_login(&self) -> Option<String> {
        match &self.locked().auth {
            AuthState::LoginRequired { reason } => Some(reason.clone()),
            _ => None,
        }
    }

    /// Signs in (the Authorizer's flow, or MCP authorization) and stores the grant in the keychain.
    pub(crate) async fn sign_in(&self, browser: &dyn Browser, cancel: &CancellationToken) -> Result<(), AuthError> {
        let key =
            self.grant_key().ok_or_else(|| AuthError::Config("This server's authentication has no sign-in.".into()))?;
        let slot = self.host.grants.slot(&key);
        let _one = slot.signing_in.lock().await;
        self.load(&key, &slot).await;
        let sign_in = SignIn { http: &self.host.http, browser, limit: atrium_auth::CALLBACK_TIMEOUT, cancel };
        let previous = slot.grant.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let result = match &self.auth {
            Some(Auth::Oauth2 { authorizer_id }) => {
                let (endpoints, client, scope) = self.authorizer(authorizer_id).await?;
                sign_in_explicit(&sign_in, &endpoints, &client, scope.as_deref()).await
            }
            _ => {
                let (endpoint, mut challenge) = {
                    let locked = self.locked();
                    (locked.endpoint.clone(), locked.challenge.clone())
                };
                let endpoint = endpoint.ok_or_else(|| AuthError::Config("Only HTTP servers can sign in.".into()))?;
                if challenge.is_none() {
                    challenge = Some(probe(&endpoint).await?);
                }
                let mut challenge = challenge.unwrap_or_default();
                let options = self.client_options().await?;
                if let Some(Auth::McpOauth { scopes, .. }) = &self.auth
                    && challenge.scope.is_none()
                    && !scopes.is_empty()
                {
                    challenge.scope = Some(scopes.join(" "));
                }
                sign_in_to_server(&sign_in, &endpoint, &challenge, &options, previous.as_ref()).await
            }
        };
        match result {
            Ok(grant) => {
                self.learn_tokens(&grant.tokens);
                slot.cell.set(Some(grant.tokens.clone()));
                *slot.grant.lock().unwrap_or_else(|p| p.into_inner()) = Some(grant.clone());
                self.save(&key, &grant).await;
                self.locked().challenge = None;
                self.set_state(AuthState::signed_in(&grant.tokens));
                tracing::info!(server = %self.server_id, "signed in");
                Ok(())
            }
            Err(err) => {
                let state = match err {
                    AuthError::Cancelled => AuthState::LoginRequired { reason: "Sign-in was cancelled.".into() },
                    ref other => AuthState::Denied { message: other.to_string() },
                };
                self.set_state(state);
                Err(err)
            }
        }
    }

    /// Signs out: revokes the tokens where the server supports it, then forgets them. `Ok(true)` if revoked.
    pub(crate) async fn sign_out(&self) -> Result<bool, Failure> {
        let Some(key) = self.grant_key() else { return Ok(false) };
        let slot = self.host.grants.slot(&key);
        self.load(&key, &slot).await;
        let grant = slot.grant.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let revoked = match &grant {
            Some(grant) => match grant.revoke(&self.host.http).await {
                Ok(revoked) => revoked,
                Err(err) => {
                    tracing::warn!(server = %self.server_id, "revoking the tokens failed: {err}");
                    false
                }
            },
            None => false,
        };
        self.forget(&key, &slot).await;
        self.set_state(AuthState::SignedOut);
        Ok(revoked)
    }

    async fn forget(&self, key: &str, slot: &GrantSlot) {
        slot.cell.set(None);
        *slot.grant.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if let (Some(keychain), Ok(id)) = (self.host.keychain.clone(), SecretId::parse(key)) {
            let _ = tokio::task::spawn_blocking(move || keychain.delete(&id)).await;
        }
    }

    async fn save(&self, key: &str, grant: &Grant) {
        let (Some(keychain), Ok(id)) = (self.host.keychain.clone(), SecretId::parse(key)) else { return };
        let text = grant.to_keychain();
        let saved = tokio::task::spawn_blocking(move || keychain.set(&id, &text)).await;
        if !matches!(saved, Ok(Ok(()))) {
            tracing::warn!(server = %self.server_id, "could not keep the sign-in in the keychain; it lasts until Atrium quits");
        }
    }

    async fn client_options(&self) -> Result<ClientOptions, AuthError> {
        let pre_registered = match &self.auth {
            Some(Auth::McpOauth { client_id: Some(client_id), secret_id, .. }) => {
                let secret = match secret_id {
                    Some(id) => Some(self.secret(id).await.map_err(|f| AuthError::Config(f.message))?),
                    None => None,
                };
                Some(OAuthClient {
                    client_id: client_id.clone(),
                    client_secret: secret,
                    auth_method: ClientAuthMethod::None,
                })
            }
            _ => None,
        };
        Ok(ClientOptions {
            pre_registered,
            metadata_document_url: self.host.setup.client_metadata_url.clone(),
            client_name: "Atrium".into(),
        })
    }

    /// An Authorizer artifact's endpoints, client and scopes.
    async fn authorizer(&self, id: &str) -> Result<(Endpoints, OAuthClient, Option<String>), AuthError> {
        let artifact =
            self.host.store.get_artifact(id).await.map_err(|_| {
                AuthError::Config(format!("The Authorizer {id} does not exist (any more): pick another."))
            })?;
        if artifact.content_type != AUTHORIZER_CONTENT_TYPE {
            return Err(AuthError::Config(format!("{id} is not an Authorizer.")));
        }
        let config = authorizer_config(&artifact.context, &artifact.content)?;
        let text = |key: &str| config.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let endpoints = Endpoints::explicit(
            text("auth_url").ok_or_else(|| AuthError::Config("The Authorizer has no auth_url.".into()))?,
            text("token_url").ok_or_else(|| AuthError::Config("The Authorizer has no token_url.".into()))?,
            text("revoke_url"),
        )?;
        let client_id =
            text("client_id").ok_or_else(|| AuthError::Config("The Authorizer has no client_id.".into()))?;
        let secret = match text("secret_id") {
            Some(secret_id) => Some(self.secret(secret_id).await.map_err(|f| AuthError::Config(f.message))?),
            None => None,
        };
        // Provider apps (GitHub, Slack, …) take the secret in the form; `token_auth_method` says otherwise.
        let auth_method = match (&secret, text("token_auth_method").and_then(ClientAuthMethod::parse)) {
            (None, _) => ClientAuthMethod::None,
            (Some(_), Some(method)) => method,
            (Some(_), None) => ClientAuthMethod::ClientSecretPost,
        };
        let scopes: Vec<&str> = config
            .get("scopes")
            .and_then(Value::as_array)
            .map(|s| s.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let scope = (!scopes.is_empty()).then(|| scopes.join(" "));
        Ok((endpoints, OAuthClient { client_id: client_id.to_owned(), client_secret: secret, auth_method }, scope))
    }

    /// Whether a grant is held (loading it from the keychain first).
    pub(crate) async fn has_grant(&self) -> bool {
        let Some(key) = self.grant_key() else { return false };
        let slot = self.host.grants.slot(&key);
        self.load(&key, &slot).await;
        slot.cell.peek().is_some()
    }

    /// The Authorizer this server signs in through.
    pub(crate) fn authorizer_id(&self) -> Option<&str> {
        match &self.auth {
            Some(Auth::Oauth2 { authorizer_id }) => Some(authorizer_id),
            _ => None,
        }
    }

    /// The MCP endpoint the last connection used.
    pub(crate) fn endpoint(&self) -> Option<String> {
        self.locked().endpoint.clone()
    }

    /// Sets the MCP endpoint (for a sign-in before any connection).
    pub(crate) fn set_endpoint(&self, endpoint: Option<String>) {
        self.locked().endpoint = endpoint;
    }
}

/// An Authorizer's configuration: the seed keeps it in `content` (JSON text), Atrium also accepts it in `context`.
pub fn authorizer_config(context: &Value, content: &str) -> Result<Value, AuthError> {
    if context.get("auth_url").is_some() {
        return Ok(context.clone());
    }
    match serde_json::from_str::<Value>(content) {
        Ok(value) if value.is_object() => Ok(value),
        _ => Err(AuthError::Config("The Authorizer's configuration is not a JSON object.".into())),
    }
}

fn header_name(header: &str) -> Result<HeaderName, Failure> {
    HeaderName::from_bytes(header.as_bytes())
        .map_err(|_| Failure::new(FailureCode::ConfigError, format!("\"{header}\" is not an HTTP header name.")))
}

/// Asks the server for its challenge with an unauthenticated `initialize`.
async fn probe(endpoint: &str) -> Result<BearerChallenge, AuthError> {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "atrium", "version": env!("CARGO_PKG_VERSION")}}});
    let response = reqwest::Client::new()
        .post(endpoint)
        .header(reqwest::header::ACCEPT, "application/json, text/event-stream")
        .json(&body)
        .send()
        .await
        .map_err(|e| AuthError::Unreachable {
            url: crate::discovery::shown_url(endpoint),
            reason: crate::discovery::root_cause(&e),
        })?;
    match response.headers().get(reqwest::header::WWW_AUTHENTICATE).and_then(|h| h.to_str().ok()) {
        Some(header) if matches!(response.status().as_u16(), 401 | 403) => Ok(BearerChallenge::parse(header)),
        _ => Err(AuthError::Config("The server does not ask for a sign-in.".into())),
    }
}
