//! The token endpoint — exchanging a code, refreshing, the client credentials grant — and revocation (RFC 7009),
//! through the `oauth2` crate over Atrium's own HTTP client ([`crate::http`]). What is Atrium's here: which
//! client authentication each request carries (including `private_key_jwt`, which the crate does not do), how a
//! token answer is read, and what a failure says.

use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AccessToken, AuthType, AuthorizationCode, ClientId, ClientSecret, EndpointNotSet, ErrorResponseType,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, RevocationUrl, Scope, StandardErrorResponse,
    StandardRevocableToken, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::Sensitive;
use crate::assertion::{JWT_BEARER, client_assertion};
use crate::client::{ClientAuthMethod, OAuthClient};
use crate::endpoints::TokenEndpoint;
use crate::error::{AuthError, shown};
use crate::http::{OAuthHttp, Transport, refused};

/// Tokens from one grant. Expiry is absolute (seconds since the epoch), stamped when the answer arrived, so a
/// stored token's age is never lost (a relative `expires_in` on disk is how other hosts end up never refreshing).
#[derive(Debug, Clone)]
pub struct TokenSet {
    /// The access token.
    pub access_token: Sensitive<String>,
    /// The refresh token, if the server issued one.
    pub refresh_token: Option<Sensitive<String>>,
    /// When the access token expires, if the server said.
    pub expires_at: Option<i64>,
    /// The scopes granted (space-separated), if the server said.
    pub scope: Option<String>,
}

impl TokenSet {
    /// Whether the access token is still good `margin_s` seconds from `now` (a token without expiry is).
    pub fn fresh_at(&self, now: i64, margin_s: i64) -> bool {
        self.expires_at.is_none_or(|at| at - margin_s > now)
    }

    /// Reads a token answer (RFC 6749 §5.1) received at `now` from `url` (for answers that do not come through
    /// this crate's token requests, such as a password sign-in).
    pub fn from_answer(url: &str, answer: &Value, now: i64) -> Result<Self, AuthError> {
        TokenAnswer::try_from(answer.clone())
            .map(|answer| answer.into_tokens(now))
            .map_err(|reason| AuthError::Malformed { url: shown(url), reason })
    }

    /// The tokens as JSON text, for the keychain only.
    pub fn to_keychain(&self) -> Value {
        json!({
            "access_token": self.access_token.expose(),
            "refresh_token": self.refresh_token.as_ref().map(|t| t.expose().clone()),
            "expires_at": self.expires_at,
            "scope": self.scope,
        })
    }

    /// The tokens from [`TokenSet::to_keychain`]'s JSON.
    pub fn from_keychain(value: &Value) -> Option<Self> {
        Some(TokenSet {
            access_token: Sensitive::new(value.get("access_token")?.as_str()?.to_owned()),
            refresh_token: value.get("refresh_token").and_then(Value::as_str).map(|t| Sensitive::new(t.to_owned())),
            expires_at: value.get("expires_at").and_then(Value::as_i64),
            scope: value.get("scope").and_then(Value::as_str).map(str::to_owned),
        })
    }
}

/// A token answer as `oauth2` hands it over ([`TokenResponse`]), read a little more forgivingly than the crate's
/// own `StandardTokenResponse`: providers in the field omit `token_type` or send `expires_in` as a string (or a
/// float). Anything but a bearer token is refused.
#[derive(Debug, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub(crate) struct TokenAnswer {
    access_token: AccessToken,
    token_type: BasicTokenType,
    expires_in: Option<u64>,
    refresh_token: Option<RefreshToken>,
    scope: Option<Vec<Scope>>,
}

impl TryFrom<Value> for TokenAnswer {
    /// Why the answer is not one, in words that end "… sent a document Atrium cannot use: <reason>".
    type Error = String;

    fn try_from(answer: Value) -> Result<Self, String> {
        if !answer.is_object() {
            return Err("it is not a JSON object".into());
        }
        let access_token = answer
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or("it has no access_token")?;
        match answer.get("token_type").and_then(Value::as_str) {
            Some(kind) if kind.eq_ignore_ascii_case("bearer") => {}
            Some(_) => return Err("its token_type is not Bearer".into()),
            // Some providers omit it; a token without a type is used as a bearer token.
            None => {}
        }
        let expires_in = match answer.get("expires_in") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            // Some providers send it as a string.
            Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
            Some(_) => return Err("its expires_in is not a number".into()),
        };
        Ok(TokenAnswer {
            access_token: AccessToken::new(access_token.to_owned()),
            token_type: BasicTokenType::Bearer,
            expires_in: expires_in.map(|s| u64::try_from(s).unwrap_or(0)),
            refresh_token: answer
                .get("refresh_token")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(|t| RefreshToken::new(t.to_owned())),
            scope: answer
                .get("scope")
                .and_then(Value::as_str)
                .map(|s| s.split_whitespace().map(|scope| Scope::new(scope.to_owned())).collect()),
        })
    }
}

impl TokenResponse for TokenAnswer {
    type TokenType = BasicTokenType;

    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }

    fn expires_in(&self) -> Option<Duration> {
        self.expires_in.map(Duration::from_secs)
    }

    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    fn scopes(&self) -> Option<&Vec<Scope>> {
        self.scope.as_ref()
    }
}

impl TokenAnswer {
    /// The tokens, their expiry stamped absolute at `now`.
    fn into_tokens(self, now: i64) -> TokenSet {
        TokenSet {
            access_token: Sensitive::new(self.access_token.into_secret()),
            refresh_token: self.refresh_token.map(|t| Sensitive::new(t.into_secret())),
            expires_at: self.expires_in.map(|s| now.saturating_add(i64::try_from(s).unwrap_or(i64::MAX))),
            scope: self.scope.map(|scopes| scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")),
        }
    }
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Which token the revocation is for (its `token_type_hint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// An access token.
    Access,
    /// A refresh token.
    Refresh,
}

/// Exchanges an authorization code (with its PKCE verifier) for tokens.
pub async fn exchange_code(
    http: &OAuthHttp,
    token_url: &str,
    client: &OAuthClient,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
    resource: Option<&str>,
) -> Result<TokenSet, AuthError> {
    let redirect = RedirectUrl::new(redirect_uri.to_owned())
        .map_err(|_| AuthError::Config("The redirect URI is not a URL.".into()))?;
    let oauth = oauth2_client(client).set_token_uri(token_url_of(token_url)?).set_redirect_uri(redirect);
    let mut request = oauth
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()));
    for (name, value) in request_params(client, token_url, resource)? {
        request = request.add_extra_param(name, value);
    }
    let answer = request.request_async(&Transport::new(http)).await.map_err(|e| failed(token_url, e))?;
    Ok(answer.into_tokens(now()))
}

/// Uses a refresh token. A server that does not rotate refresh tokens keeps the old one valid: it is kept.
pub async fn refresh(
    http: &OAuthHttp,
    token_url: &str,
    client: &OAuthClient,
    refresh_token: &Sensitive<String>,
    resource: Option<&str>,
) -> Result<TokenSet, AuthError> {
    let oauth = oauth2_client(client).set_token_uri(token_url_of(token_url)?);
    let token = RefreshToken::new(refresh_token.expose().clone());
    let mut request = oauth.exchange_refresh_token(&token);
    for (name, value) in request_params(client, token_url, resource)? {
        request = request.add_extra_param(name, value);
    }
    let answer = request.request_async(&Transport::new(http)).await.map_err(|e| failed(token_url, e))?;
    let mut tokens = answer.into_tokens(now());
    if tokens.refresh_token.is_none() {
        tokens.refresh_token = Some(refresh_token.clone());
    }
    Ok(tokens)
}

/// The client credentials grant (machine to machine).
pub async fn client_credentials(
    http: &OAuthHttp,
    endpoint: &TokenEndpoint,
    client: &OAuthClient,
    scope: Option<&str>,
    resource: Option<&str>,
) -> Result<TokenSet, AuthError> {
    let oauth = oauth2_client(client).set_token_uri(token_url_of(&endpoint.url)?);
    let mut request = oauth.exchange_client_credentials();
    if let Some(scope) = scope {
        request = request.add_scopes(scopes(scope));
    }
    for (name, value) in request_params(client, endpoint.assertion_audience(), resource)? {
        request = request.add_extra_param(name, value);
    }
    let answer = request.request_async(&Transport::new(http)).await.map_err(|e| failed(&endpoint.url, e))?;
    Ok(answer.into_tokens(now()))
}

/// Revokes a token (RFC 7009). The server answers 200 even for unknown tokens.
pub async fn revoke(
    http: &OAuthHttp,
    revocation_url: &str,
    client: &OAuthClient,
    token: &Sensitive<String>,
    kind: TokenKind,
) -> Result<(), AuthError> {
    let url = url::Url::parse(revocation_url)
        .map_err(|_| AuthError::Config(format!("The revocation endpoint {} is not a URL.", shown(revocation_url))))?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let (revocation, transport) = if url.scheme() == "http" && loopback {
        let mut https = url.clone();
        let _ = https.set_scheme("https");
        (https, Transport::sending_to(http, url))
    } else {
        (url, Transport::new(http))
    };
    let oauth = oauth2_client(client).set_revocation_url(RevocationUrl::from_url(revocation));
    let token = match kind {
        TokenKind::Access => StandardRevocableToken::AccessToken(AccessToken::new(token.expose().clone())),
        TokenKind::Refresh => StandardRevocableToken::RefreshToken(RefreshToken::new(token.expose().clone())),
    };
    let mut request = oauth
        .revoke_token(token)
        .map_err(|_| AuthError::Config(format!("The revocation endpoint {} must use https.", shown(revocation_url))))?;
    for (name, value) in request_params(client, revocation_url, None)? {
        request = request.add_extra_param(name, value);
    }
    match request.request_async(&transport).await {
        // RFC 7009 answers have no defined body: any success (including an empty or non-JSON one) is fine.
        Ok(()) | Err(RequestTokenError::Request(AuthError::NotJson { .. } | AuthError::Malformed { .. })) => Ok(()),
        Err(other) => Err(failed(revocation_url, other)),
    }
}

/// `oauth2`'s client, reading token answers as [`TokenAnswer`].
type Oauth2Client<Revocation = EndpointNotSet, Token = EndpointNotSet> = oauth2::Client<
    BasicErrorResponse,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    Revocation,
    Token,
>;

/// `oauth2`'s client for `client`, with the client authentication the crate does itself: HTTP Basic or the secret
/// in the form, and for a public client (or one that signs assertions) its id in the form.
fn oauth2_client(client: &OAuthClient) -> Oauth2Client {
    let oauth = Oauth2Client::new(ClientId::new(client.client_id.clone()));
    match (client.auth_method, &client.client_secret) {
        (ClientAuthMethod::ClientSecretBasic, Some(secret)) => {
            oauth.set_client_secret(ClientSecret::new(secret.expose().clone())).set_auth_type(AuthType::BasicAuth)
        }
        (ClientAuthMethod::ClientSecretPost, Some(secret)) => {
            oauth.set_client_secret(ClientSecret::new(secret.expose().clone())).set_auth_type(AuthType::RequestBody)
        }
        _ => oauth.set_auth_type(AuthType::RequestBody),
    }
}

/// What a request to an endpoint for `audience` adds beyond `oauth2`'s own parameters: the client's id with HTTP
/// Basic (some servers want it in the form too; RFC 6749 allows it, the secret is still sent once), a signed
/// assertion for `private_key_jwt` (RFC 7523 §2.2), and the resource indicator (RFC 8707).
fn request_params(
    client: &OAuthClient,
    audience: &str,
    resource: Option<&str>,
) -> Result<Vec<(&'static str, String)>, AuthError> {
    let mut params = Vec::new();
    match (client.auth_method, &client.client_secret) {
        (ClientAuthMethod::ClientSecretBasic, Some(_)) => params.push(("client_id", client.client_id.clone())),
        (ClientAuthMethod::PrivateKeyJwt { alg }, key) => {
            let key = key.as_ref().ok_or_else(|| {
                AuthError::Config("private_key_jwt needs the client's private key as its keychain secret.".into())
            })?;
            let assertion = client_assertion(&client.client_id, audience, key, alg, now())?;
            params.push(("client_assertion_type", JWT_BEARER.to_owned()));
            params.push(("client_assertion", assertion.expose().clone()));
        }
        _ => {}
    }
    if let Some(resource) = resource {
        params.push(("resource", resource.to_owned()));
    }
    Ok(params)
}

fn token_url_of(url: &str) -> Result<TokenUrl, AuthError> {
    TokenUrl::new(url.to_owned()).map_err(|_| AuthError::Config(format!("The token URL {} is not a URL.", shown(url))))
}

/// A space-separated scope list as `oauth2`'s scopes.
pub(crate) fn scopes(scope: &str) -> impl Iterator<Item = Scope> + '_ {
    scope.split_whitespace().map(|s| Scope::new(s.to_owned()))
}

/// What a failed request to `url` says: the transport's own error, the server's OAuth error, or why its answer
/// could not be read.
fn failed<T: ErrorResponseType + std::fmt::Display>(
    url: &str,
    err: RequestTokenError<AuthError, StandardErrorResponse<T>>,
) -> AuthError {
    match err {
        RequestTokenError::Request(err) => err,
        RequestTokenError::ServerResponse(answer) => {
            refused(&answer.error().to_string(), answer.error_description().map(String::as_str))
        }
        RequestTokenError::Parse(err, _) => AuthError::Malformed { url: shown(url), reason: reason_of(err.inner()) },
        RequestTokenError::Other(reason) => AuthError::Malformed { url: shown(url), reason },
    }
}

/// A JSON error's message without serde's position (the reasons [`TokenAnswer`] gives are whole sentences).
fn reason_of(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let position = format!(" at line {} column {}", err.line(), err.column());
    text.strip_suffix(&position).map(str::to_owned).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_stamped_absolute_and_bad_answers_are_refused() {
        let tokens = TokenSet::from_answer(
            "https://as/token",
            &json!({"access_token": "a", "token_type": "bearer", "expires_in": "120"}),
            1000,
        )
        .expect("a token");
        assert_eq!(tokens.expires_at, Some(1120));
        assert!(tokens.fresh_at(1000, 60));
        assert!(!tokens.fresh_at(1061, 60));
        let stored = TokenSet::from_keychain(&tokens.to_keychain()).expect("round trip");
        assert_eq!(stored.access_token.expose(), "a");
        assert_eq!(stored.expires_at, Some(1120));
        for bad in [json!({"token_type": "Bearer"}), json!({"access_token": "a", "token_type": "mac"})] {
            let err = TokenSet::from_answer("https://as/token?code=x", &bad, 0).expect_err("refused");
            assert!(matches!(err, AuthError::Malformed { ref url, .. } if url == "https://as/token"), "{err:?}");
        }
    }

    #[test]
    fn answers_read_through_the_crate_keep_their_reasons() {
        // What `oauth2` deserializes is what `from_answer` reads; its complaint is the same sentence.
        let err = serde_json::from_str::<TokenAnswer>(r#"{"token_type": "mac", "access_token": "secret-token"}"#)
            .expect_err("not bearer");
        assert_eq!(reason_of(&err), "its token_type is not Bearer");
        let answer: TokenAnswer =
            serde_json::from_str(r#"{"access_token": "t", "expires_in": 60.5, "scope": "a  b"}"#).expect("read");
        assert_eq!(answer.token_type(), &BasicTokenType::Bearer);
        let tokens = answer.into_tokens(10);
        assert_eq!((tokens.expires_at, tokens.scope.as_deref()), (Some(70), Some("a b")));
        let negative: TokenAnswer = serde_json::from_str(r#"{"access_token": "t", "expires_in": -5}"#).expect("read");
        assert_eq!(negative.into_tokens(10).expires_at, Some(10));
    }

    #[test]
    fn each_method_adds_what_the_crate_does_not() {
        let secret = Some(Sensitive::new("s".to_owned()));
        let client = |auth_method, client_secret: Option<Sensitive<String>>| OAuthClient {
            client_id: "id".into(),
            client_secret,
            auth_method,
        };
        let names = |params: Vec<(&'static str, String)>| params.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        let basic = request_params(&client(ClientAuthMethod::ClientSecretBasic, secret.clone()), "a", None);
        assert_eq!(names(basic.expect("basic")), ["client_id"]);
        let post = request_params(&client(ClientAuthMethod::ClientSecretPost, secret.clone()), "a", Some("r"));
        assert_eq!(post.expect("post"), [("resource", "r".to_owned())]);
        let keyless = request_params(&client(ClientAuthMethod::PrivateKeyJwt { alg: None }, None), "a", None);
        assert_eq!(keyless.expect_err("no key").code(), "config");
        let not_a_key = request_params(&client(ClientAuthMethod::PrivateKeyJwt { alg: None }, secret), "a", None);
        assert_eq!(not_a_key.expect_err("no key").code(), "config");
    }
}
