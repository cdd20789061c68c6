//! The authorization code grant with PKCE S256 (OAuth 2.1 §4.1) through the system browser and a loopback
//! redirect. The authorization URL, its `state` and the PKCE pair come from the `oauth2` crate; the listener, the
//! browser and the order of things (the redirect bound before the URL is minted) are Atrium's.

use std::time::Duration;

use futures::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use crate::client::OAuthClient;
use crate::endpoints::Endpoints;
use crate::error::{AuthError, shown};
use crate::http::OAuthHttp;
use crate::loopback::CallbackListener;
use crate::token::{self, TokenSet};

/// How long the person has to finish signing in.
pub const CALLBACK_TIMEOUT: Duration = Duration::from_secs(300);

/// Opens the authorization URL for the person.
pub trait Browser: Send + Sync {
    /// Opens `url` (it carries the PKCE challenge and `state`, never a secret).
    fn open<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<(), AuthError>>;
}

/// A browser without a person, for conformance runs and tests: it follows the authorization server's redirects
/// (which must end at the loopback redirect without any page to click) and delivers the answer to the listener.
#[derive(Debug, Clone, Default)]
pub struct HeadlessBrowser {
    http: OAuthHttp,
}

impl HeadlessBrowser {
    /// A headless browser.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Browser for HeadlessBrowser {
    fn open<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move {
            let client = self.http.no_redirects();
            let mut next = url.to_owned();
            for _ in 0..8 {
                let response = client.get(&next).send().await.map_err(|e| AuthError::Browser(e.to_string()))?;
                if !response.status().is_redirection() {
                    // The last hop (the loopback listener) answered: the listener has the outcome.
                    return Ok(());
                }
                let location = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .ok_or_else(|| AuthError::Browser("a redirect without a Location".into()))?;
                next = url::Url::parse(&next)
                    .and_then(|base| base.join(location))
                    .map_err(|_| AuthError::Browser("a redirect to an invalid URL".into()))?
                    .to_string();
            }
            Err(AuthError::Browser(format!("too many redirects from {}", shown(url))))
        })
    }
}

/// One authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest<'a> {
    /// The authorization server.
    pub endpoints: &'a Endpoints,
    /// The client.
    pub client: &'a OAuthClient,
    /// The scopes to ask for (omitted when `None`).
    pub scope: Option<&'a str>,
    /// The resource indicator (RFC 8707), sent to both endpoints.
    pub resource: Option<&'a str>,
    /// Whether to check an `iss` parameter on the answer against the issuer (RFC 9207).
    pub check_issuer: bool,
}

/// Runs the flow: mints the URL for the already-bound `listener` (PKCE S256, fresh `state`), opens it, waits for
/// the answer (at most `limit`, or until `cancel`), checks it and exchanges the code.
#[tracing::instrument(skip_all, fields(issuer = %request.endpoints.issuer))]
pub async fn authorize(
    http: &OAuthHttp,
    request: AuthorizationRequest<'_>,
    listener: CallbackListener,
    browser: &dyn Browser,
    limit: Duration,
    cancel: &CancellationToken,
) -> Result<TokenSet, AuthError> {
    let redirect_uri = listener.redirect_uri();
    let authorization = url::Url::parse(&request.endpoints.authorization)
        .map_err(|_| AuthError::Config("The authorization endpoint is not a URL.".into()))?;
    let redirect = oauth2::RedirectUrl::new(redirect_uri.clone())
        .map_err(|_| AuthError::Listener("its redirect URI is not a URL".into()))?;
    let (challenge, verifier) = oauth2::PkceCodeChallenge::new_random_sha256();
    let oauth = oauth2::basic::BasicClient::new(oauth2::ClientId::new(request.client.client_id.clone()))
        .set_auth_uri(oauth2::AuthUrl::from_url(authorization))
        .set_redirect_uri(redirect);
    // 192 bits of state: more than the crate's default 128, as Atrium always sent.
    let mut authorize = oauth.authorize_url(|| oauth2::CsrfToken::new_random_len(24)).set_pkce_challenge(challenge);
    if let Some(scope) = request.scope {
        authorize = authorize.add_scopes(token::scopes(scope));
    }
    if let Some(resource) = request.resource {
        authorize = authorize.add_extra_param("resource", resource);
    }
    let (url, state) = authorize.url();
    let state = state.into_secret();
    listener.expect(&state, request.check_issuer.then_some(request.endpoints.issuer.as_str()));
    let mut listener = listener;
    let (code, verdict) = open_and_wait(browser, url.as_str(), &mut listener, limit, cancel).await?;
    let tokens = token::exchange_code(
        http,
        &request.endpoints.token,
        request.client,
        &code,
        verifier.secret(),
        &redirect_uri,
        request.resource,
    )
    .await;
    listener.finish(verdict, tokens.as_ref().map(|_| ()).map_err(ToString::to_string)).await;
    tokens
}

/// Opens the authorization page and waits for the listener's answer. Both run together: a headless browser's
/// request to the listener is answered only once the flow reports the outcome, a real browser returns at once.
/// A browser that cannot open ends the wait.
pub async fn open_and_wait(
    browser: &dyn Browser,
    url: &str,
    listener: &mut CallbackListener,
    limit: Duration,
    cancel: &CancellationToken,
) -> Result<(String, crate::loopback::Verdict), AuthError> {
    tracing::info!("opening the authorization page");
    let opening = browser.open(url);
    tokio::pin!(opening);
    let waiting = listener.wait(limit, cancel);
    tokio::pin!(waiting);
    let mut opened = false;
    loop {
        tokio::select! {
            result = &mut opening, if !opened => {
                result?;
                opened = true;
            }
            answer = &mut waiting => return answer,
        }
    }
}
