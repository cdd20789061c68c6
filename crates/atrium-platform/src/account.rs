//! The signed-in platform account: how Atrium got in, who it is, and a fresh bearer token on demand.
//!
//! What is not secret (the URLs, the method, the user's name) is a local setting; the tokens or the API key live
//! only in the keychain, as one entry. A refresh the platform refuses ends the session: the entry is deleted and
//! the status says "signed out" with the reason, so nothing keeps retrying a dead token.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use atrium_auth::flow::AuthorizationRequest;
use atrium_auth::token::{self, TokenSet};
use atrium_auth::{AuthError, Browser, CallbackListener, Endpoints, OAuthClient, OAuthHttp, Sensitive, TokenCell};
use atrium_secrets::{Keychain, SecretId};
use atrium_store::Store;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::{CLIENT_ID, PlatformError, PlatformUrls, Result};

/// The keychain entry holding the session's tokens (or API key).
const SESSION_KEY: &str = "platform.session";
/// The local setting holding what is not secret.
const ACCOUNT_SETTING: &str = "platform.account";
/// What Atrium asks for at sign-in (Facet asks for the same).
const SCOPE: &str = "openid email profile";

/// How a person signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    /// The platform's sign-in page in the system browser (authorization code + PKCE, loopback redirect).
    Browser,
    /// Username or email and password (self-hosted installs).
    Password,
    /// An `agc_…` API key: workspaces only, the relay needs a user token.
    ApiKey,
}

/// A sign-in as the person asks for it. The password or key is used once and kept only in the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum SignInRequest {
    /// Open the platform's sign-in page.
    Browser {
        /// The identity provider to use (`google`, `entra`, … from the platform's list); the platform's default
        /// (`google`) when none is named.
        provider: Option<String>,
    },
    /// Username/email and password.
    Password {
        /// Username or email.
        identifier: String,
        /// The password.
        password: String,
    },
    /// An API key.
    ApiKey {
        /// `agc_` followed by 32 hex digits.
        key: String,
    },
}

/// Who is signed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PlatformUser {
    /// The platform's user id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Email, when known.
    pub email: Option<String>,
}

/// A signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountInfo {
    /// The platform.
    pub urls: PlatformUrls,
    /// How.
    pub method: SignInMethod,
    /// Who.
    pub user: PlatformUser,
}

impl AccountInfo {
    /// Whether this sign-in can carry the relay (it needs a user JWT).
    pub fn relay_capable(&self) -> bool {
        self.method != SignInMethod::ApiKey
    }
}

/// Whether Atrium is signed in to a platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AccountStatus {
    /// Not signed in.
    SignedOut {
        /// Why, when the session ended by itself (a refused refresh).
        reason: Option<String>,
        /// The platform last used, to prefill the form.
        last_urls: Option<PlatformUrls>,
    },
    /// Signed in.
    SignedIn {
        /// The account.
        account: AccountInfo,
    },
}

#[derive(Default)]
struct Session {
    info: Option<AccountInfo>,
    api_key: Option<Sensitive<String>>,
    ended: Option<String>,
    last_urls: Option<PlatformUrls>,
}

struct Inner {
    store: Store,
    keychain: Option<Keychain>,
    http: reqwest::Client,
    oauth: OAuthHttp,
    cell: TokenCell,
    session: Mutex<Session>,
    /// Bumped on every sign-in or sign-out, so long-running clients (sync, relay) notice.
    changes: tokio::sync::watch::Sender<u64>,
}

/// The platform account of one Atrium home. Cheap to clone.
#[derive(Clone)]
pub struct Account {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account").field("status", &self.status()).finish()
    }
}

fn session_id() -> SecretId {
    SecretId::parse(SESSION_KEY).unwrap_or_else(|_| unreachable!("a constant valid id"))
}

/// An HTTP client for the platform: no redirects (a redirect on an API call is a misconfiguration, and must not
/// carry the bearer elsewhere), bounded time.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap_or_default()
}

/// The claims of a JWT, read without verification: only to show who is signed in.
fn jwt_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn user_from(value: &Value) -> PlatformUser {
    let text = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_owned);
    PlatformUser {
        id: text("id").or_else(|| text("sub")).unwrap_or_default(),
        name: text("name").or_else(|| text("username")).or_else(|| text("email")).unwrap_or_else(|| "Signed in".into()),
        email: text("email"),
    }
}

fn valid_api_key(key: &str) -> bool {
    // `agc_<32 lowercase hex>`, optionally prefixed `{artifact_id}:` as the platform accepts.
    let key = key.rsplit(':').next().unwrap_or(key);
    key.strip_prefix("agc_")
        .is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

impl Account {
    /// The account of this home, as the settings and the keychain left it.
    pub async fn load(store: Store, keychain: Option<Keychain>) -> Result<Self> {
        let (changes, _) = tokio::sync::watch::channel(0);
        let account = Account {
            inner: Arc::new(Inner {
                store,
                keychain,
                http: http_client(),
                oauth: OAuthHttp::new(),
                cell: TokenCell::new(None),
                session: Mutex::new(Session::default()),
                changes,
            }),
        };
        let saved = account.inner.store.setting(ACCOUNT_SETTING).await?;
        let info: Option<AccountInfo> = saved.as_ref().and_then(|v| serde_json::from_value(v["account"].clone()).ok());
        let last_urls: Option<PlatformUrls> =
            saved.as_ref().and_then(|v| serde_json::from_value(v["last_urls"].clone()).ok());
        // Why the last session ended, as the process that ended it wrote it.
        let ended = saved.as_ref().and_then(|v| v["ended"].as_str()).map(str::to_owned);
        let stored = match (&info, account.inner.keychain.clone()) {
            (Some(_), Some(keychain)) => tokio::task::spawn_blocking(move || keychain.get(&session_id()))
                .await
                .ok()
                .and_then(Result::ok)
                .and_then(|text| serde_json::from_str::<Value>(text.expose()).ok()),
            _ => None,
        };
        let mut session = Session { last_urls, ended, ..Session::default() };
        match (info, stored) {
            (Some(info), Some(stored)) => {
                if let Some(key) = stored.get("api_key").and_then(Value::as_str) {
                    session.api_key = Some(Sensitive::new(key.to_owned()));
                } else {
                    account.inner.cell.set(TokenSet::from_keychain(&stored));
                }
                session.info = Some(info);
            }
            (Some(_), None) => session.ended = Some("The saved sign-in is no longer in the keychain.".into()),
            _ => {}
        }
        *account.lock() = session;
        Ok(account)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Session> {
        self.inner.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Signed in or not, and as whom.
    pub fn status(&self) -> AccountStatus {
        let session = self.lock();
        match &session.info {
            Some(account) => AccountStatus::SignedIn { account: account.clone() },
            None => AccountStatus::SignedOut { reason: session.ended.clone(), last_urls: session.last_urls.clone() },
        }
    }

    /// The signed-in account, if any.
    pub fn info(&self) -> Option<AccountInfo> {
        self.lock().info.clone()
    }

    /// A receiver that changes on every sign-in and sign-out.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.changes.subscribe()
    }

    /// The store of this home.
    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The HTTP client platform calls share.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Signs in to the platform at `urls`, replacing any earlier sign-in.
    #[tracing::instrument(skip_all, fields(origin = %urls.origin))]
    pub async fn sign_in(
        &self,
        urls: PlatformUrls,
        request: SignInRequest,
        browser: &dyn Browser,
        cancel: &CancellationToken,
    ) -> Result<AccountInfo> {
        let (method, tokens, api_key) = match request {
            SignInRequest::Browser { provider } => {
                let provider = self.choose_provider(&urls, provider.as_deref()).await?;
                let tokens = self.browser_sign_in(&urls, provider.as_deref(), browser, cancel).await?;
                (SignInMethod::Browser, Some(tokens), None)
            }
            SignInRequest::Password { identifier, password } => {
                (SignInMethod::Password, Some(self.password_sign_in(&urls, &identifier, password).await?), None)
            }
            SignInRequest::ApiKey { key } => {
                let key = key.trim().to_owned();
                if !valid_api_key(&key) {
                    return Err(PlatformError::Refused("an API key is agc_ followed by 32 hex digits.".into()));
                }
                (SignInMethod::ApiKey, None, Some(Sensitive::new(key)))
            }
        };
        let bearer = match (&tokens, &api_key) {
            (Some(t), _) => t.access_token.expose().clone(),
            (None, Some(k)) => k.expose().clone(),
            (None, None) => return Err(PlatformError::SignedOut),
        };
        let user = self.who(&urls, &bearer, method).await?;
        let info = AccountInfo { urls: urls.clone(), method, user };
        let secret = match (&tokens, &api_key) {
            (Some(t), _) => t.to_keychain(),
            (None, Some(k)) => json!({"api_key": k.expose()}),
            (None, None) => Value::Null,
        };
        self.save(&info, &secret).await?;
        {
            let mut session = self.lock();
            session.info = Some(info.clone());
            session.api_key = api_key;
            session.ended = None;
            session.last_urls = Some(urls);
        }
        self.inner.cell.set(tokens);
        self.inner.changes.send_modify(|n| *n += 1);
        tracing::info!(method = ?method, "signed in to the platform");
        Ok(info)
    }

    /// The provider to name at `/auth/authorize`, checked against Origin's list before the browser opens: a
    /// provider Origin does not know ends on its 400 page and the sign-in would wait for nothing.
    async fn choose_provider(&self, urls: &PlatformUrls, asked: Option<&str>) -> Result<Option<String>> {
        let asked = asked.map(str::trim).filter(|p| !p.is_empty());
        let Some(options) = crate::discovery::sign_in_options(&self.inner.http, &urls.origin).await else {
            // No list to check against: as asked (the platform's default when nothing is).
            return Ok(asked.map(str::to_owned));
        };
        let names: Vec<&str> = options.providers.iter().map(|p| p.name.as_str()).collect();
        let chosen = match asked {
            Some(name) => names.contains(&name).then_some(name),
            // Origin's own default, when it offers it; the only one, when there is one.
            None if names.contains(&"google") => Some("google"),
            None => match names.as_slice() {
                [only] => Some(*only),
                _ => None,
            },
        };
        chosen.map(|name| Some(name.to_owned())).ok_or_else(|| PlatformError::UnknownProvider {
            asked: asked.map(str::to_owned),
            offered: options.providers.iter().map(|p| format!("{} ({})", p.name, p.label)).collect(),
        })
    }

    async fn browser_sign_in(
        &self,
        urls: &PlatformUrls,
        provider: Option<&str>,
        browser: &dyn Browser,
        cancel: &CancellationToken,
    ) -> Result<TokenSet> {
        // Origin has no sign-in page of its own: `provider` picks the identity provider it bounces to.
        let mut authorize = url::Url::parse(&format!("{}/auth/authorize", urls.origin))
            .map_err(|e| PlatformError::BadUrl { url: urls.origin.clone(), reason: e.to_string() })?;
        if let Some(provider) = provider {
            authorize.query_pairs_mut().append_pair("provider", provider);
        }
        let endpoints = Endpoints::explicit(authorize.as_str(), &format!("{}/auth/token", urls.origin), None)?;
        let client = OAuthClient::public(CLIENT_ID);
        let listener = CallbackListener::bind(None).await?;
        let request = AuthorizationRequest {
            endpoints: &endpoints,
            client: &client,
            scope: Some(SCOPE),
            resource: None,
            check_issuer: false,
        };
        atrium_auth::flow::authorize(
            &self.inner.oauth,
            request,
            listener,
            browser,
            atrium_auth::CALLBACK_TIMEOUT,
            cancel,
        )
        .await
        .map_err(|e| match e {
            AuthError::Cancelled => PlatformError::Cancelled,
            other => PlatformError::Auth(other),
        })
    }

    async fn password_sign_in(&self, urls: &PlatformUrls, identifier: &str, password: String) -> Result<TokenSet> {
        let password = Sensitive::new(password);
        let url = format!("{}/auth/password/login", urls.origin);
        let response = self
            .inner
            .http
            .post(&url)
            .json(&json!({"identifier": identifier.trim(), "password": password.expose()}))
            .send()
            .await
            .map_err(|e| PlatformError::Unreachable { url: urls.origin.clone(), reason: e.to_string() })?;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        match status {
            200 => {}
            401 | 403 => return Err(PlatformError::Refused("the username or password is wrong.".into())),
            _ => return Err(PlatformError::from_status(status, "the password sign-in", &body)),
        }
        let answer: Value = serde_json::from_str(&body)
            .map_err(|e| PlatformError::Malformed { what: "the password sign-in".into(), reason: e.to_string() })?;
        Ok(TokenSet::from_answer(&url, &answer, token::now())?)
    }

    /// Who the bearer belongs to: Origin's userinfo (the token's own claims if that fails), and for an API key
    /// also a check that Mantle accepts it, since workspaces are all a key is for.
    async fn who(&self, urls: &PlatformUrls, bearer: &str, method: SignInMethod) -> Result<PlatformUser> {
        let url = format!("{}/auth/userinfo", urls.origin);
        let info = match self.inner.http.get(&url).bearer_auth(bearer).send().await {
            Ok(r) if r.status().is_success() => r.json::<Value>().await.ok(),
            _ => None,
        };
        if method == SignInMethod::ApiKey {
            let url = format!(
                "{}/artifacts/visible?content_type={}",
                urls.mantle,
                crate::wire::WORKSPACE_TYPE.replace('+', "%2B")
            );
            let response = self
                .inner
                .http
                .get(&url)
                .bearer_auth(bearer)
                .send()
                .await
                .map_err(|e| PlatformError::Unreachable { url: urls.mantle.clone(), reason: e.to_string() })?;
            return match response.status().as_u16() {
                200 => Ok(info.map(|v| user_from(&v)).unwrap_or_else(|| PlatformUser {
                    id: String::new(),
                    name: "API key".into(),
                    email: None,
                })),
                401 | 403 if info.is_some() => Err(PlatformError::Refused(
                    "Origin knows this API key but Mantle refuses it, so workspaces cannot sync with it; sign in \
                     with a password or the browser instead."
                        .into(),
                )),
                401 | 403 => Err(PlatformError::Refused("the platform does not accept this API key.".into())),
                status => Err(PlatformError::from_status(status, "checking the API key", "")),
            };
        }
        Ok(info.or_else(|| jwt_claims(bearer)).map(|v| user_from(&v)).unwrap_or_default())
    }

    async fn save(&self, info: &AccountInfo, secret: &Value) -> Result<()> {
        let keychain = self.inner.keychain.clone().ok_or_else(|| PlatformError::Keychain("no keychain".into()))?;
        let text = Sensitive::new(secret.to_string());
        tokio::task::spawn_blocking(move || keychain.set(&session_id(), &text))
            .await
            .map_err(|e| PlatformError::Keychain(e.to_string()))?
            .map_err(|e| PlatformError::Keychain(e.to_string()))?;
        self.inner.store.set_setting(ACCOUNT_SETTING, &json!({"account": info, "last_urls": info.urls})).await?;
        Ok(())
    }

    /// Signs out: the keychain entry goes, the platform URLs stay to prefill the next sign-in.
    pub async fn sign_out(&self) -> Result<()> {
        self.end(None).await
    }

    async fn end(&self, reason: Option<String>) -> Result<()> {
        let last_urls = {
            let mut session = self.lock();
            let urls = session.info.take().map(|i| i.urls).or_else(|| session.last_urls.clone());
            session.api_key = None;
            session.ended = reason.clone();
            session.last_urls = urls.clone();
            urls
        };
        self.inner.cell.set(None);
        if let Some(keychain) = self.inner.keychain.clone() {
            let _ = tokio::task::spawn_blocking(move || keychain.delete(&session_id())).await;
        }
        self.inner
            .store
            .set_setting(ACCOUNT_SETTING, &json!({"account": null, "last_urls": last_urls, "ended": reason}))
            .await?;
        self.inner.changes.send_modify(|n| *n += 1);
        Ok(())
    }

    /// A bearer for the next request: the API key, or an access token good for at least a minute (refreshed, one
    /// exchange at a time, when due). A refused refresh signs out and says so.
    pub async fn bearer(&self) -> Result<Sensitive<String>> {
        let (info, api_key) = {
            let session = self.lock();
            (session.info.clone(), session.api_key.clone())
        };
        let info = info.ok_or(PlatformError::SignedOut)?;
        if let Some(key) = api_key {
            return Ok(key);
        }
        let held = self.inner.cell.peek();
        let renewed = self
            .inner
            .cell
            .fresh(|held| async move {
                let held = held.ok_or(AuthError::Config("no tokens".into()))?;
                let refresh_token = held.refresh_token.clone().ok_or(AuthError::Refused {
                    error: "invalid_grant".into(),
                    description: Some("no refresh token".into()),
                })?;
                let url = format!("{}/auth/token", info.urls.origin);
                let mut tokens =
                    token::refresh(&self.inner.oauth, &url, &OAuthClient::public(CLIENT_ID), &refresh_token, None)
                        .await?;
                // Origin does not rotate refresh tokens: keep the one we have.
                if tokens.refresh_token.is_none() {
                    tokens.refresh_token = Some(refresh_token);
                }
                Ok(tokens)
            })
            .await;
        match renewed {
            Ok(tokens) => {
                let refreshed = !held.is_some_and(|h| Arc::ptr_eq(&h, &tokens));
                if refreshed && let Some(info) = self.info() {
                    // Keep the refreshed tokens; a keychain failure only costs a refresh at the next start.
                    let _ = self.save(&info, &tokens.to_keychain()).await;
                }
                Ok(tokens.access_token.clone())
            }
            Err(e) if session_is_dead(&e) => {
                tracing::warn!(code = e.code(), "the platform refused the refresh; signed out");
                self.end(Some("Your platform session ended. Sign in again.".into())).await?;
                Err(PlatformError::SignedOut)
            }
            Err(AuthError::Unreachable { url, reason }) => Err(PlatformError::Unreachable { url, reason }),
            Err(e) => Err(PlatformError::Auth(e)),
        }
    }

    /// A user JWT for the relay (an API key cannot carry it).
    pub async fn user_token(&self) -> Result<Sensitive<String>> {
        if self.info().is_some_and(|i| !i.relay_capable()) {
            return Err(PlatformError::NeedsUserToken("The relay"));
        }
        self.bearer().await
    }

    /// Marks a token the platform answered 401 (or 403 at a WebSocket upgrade) to, so the next call refreshes.
    pub fn reject(&self, token: &str) {
        self.inner.cell.reject(token);
    }
}

fn session_is_dead(e: &AuthError) -> bool {
    e.grant_is_dead()
        || matches!(e, AuthError::Status { status: 400 | 401 | 403, .. })
        || matches!(e, AuthError::Config(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_are_checked_for_shape() {
        assert!(valid_api_key("agc_0123456789abcdef0123456789abcdef"));
        assert!(valid_api_key("art-1:agc_0123456789abcdef0123456789abcdef"));
        for bad in ["agc_short", "agc_0123456789ABCDEF0123456789ABCDEF", "sk-0123456789abcdef0123456789abcdef", ""] {
            assert!(!valid_api_key(bad), "{bad}");
        }
    }

    #[test]
    fn the_user_is_read_from_jwt_claims() {
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"sub":"u1","name":"Ada","email":"ada@example.org"}"#);
        let user = user_from(&jwt_claims(&format!("h.{claims}.s")).expect("claims"));
        assert_eq!(user, PlatformUser { id: "u1".into(), name: "Ada".into(), email: Some("ada@example.org".into()) });
    }
}
