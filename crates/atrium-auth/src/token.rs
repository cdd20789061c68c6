//! The token endpoint: exchanging a code, refreshing, the client credentials grant; and revocation (RFC 7009).

use serde_json::{Value, json};

use crate::Sensitive;
use crate::client::OAuthClient;
use crate::error::{AuthError, shown};
use crate::http::OAuthHttp;

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

    /// Reads a token answer (RFC 6749 §5.1) received at `now`.
    pub fn from_answer(url: &str, answer: &Value, now: i64) -> Result<Self, AuthError> {
        let malformed = |reason: &str| AuthError::Malformed { url: shown(url), reason: reason.to_owned() };
        let access_token = answer
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| malformed("it has no access_token"))?;
        match answer.get("token_type").and_then(Value::as_str) {
            Some(kind) if kind.eq_ignore_ascii_case("bearer") => {}
            Some(_) => return Err(malformed("its token_type is not Bearer")),
            // Some providers omit it; a token without a type is used as a bearer token.
            None => {}
        }
        let expires_in = match answer.get("expires_in") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            // Some providers send it as a string.
            Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
            Some(_) => return Err(malformed("its expires_in is not a number")),
        };
        Ok(TokenSet {
            access_token: Sensitive::new(access_token.to_owned()),
            refresh_token: answer
                .get("refresh_token")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(|t| Sensitive::new(t.to_owned())),
            expires_at: expires_in.map(|s| now + s.max(0)),
            scope: answer.get("scope").and_then(Value::as_str).map(str::to_owned),
        })
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

/// Seconds since the epoch.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
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
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier),
    ];
    if let Some(resource) = resource {
        form.push(("resource", resource));
    }
    request(http, token_url, client, form).await
}

/// Uses a refresh token. A server that does not rotate refresh tokens keeps the old one valid: it is kept.
pub async fn refresh(
    http: &OAuthHttp,
    token_url: &str,
    client: &OAuthClient,
    refresh_token: &Sensitive<String>,
    resource: Option<&str>,
) -> Result<TokenSet, AuthError> {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", refresh_token.expose().as_str())];
    if let Some(resource) = resource {
        form.push(("resource", resource));
    }
    let mut tokens = request(http, token_url, client, form).await?;
    if tokens.refresh_token.is_none() {
        tokens.refresh_token = Some(refresh_token.clone());
    }
    Ok(tokens)
}

/// The client credentials grant (machine to machine).
pub async fn client_credentials(
    http: &OAuthHttp,
    token_url: &str,
    client: &OAuthClient,
    scope: Option<&str>,
    resource: Option<&str>,
) -> Result<TokenSet, AuthError> {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(scope) = scope.filter(|s| !s.is_empty()) {
        form.push(("scope", scope));
    }
    if let Some(resource) = resource {
        form.push(("resource", resource));
    }
    request(http, token_url, client, form).await
}

/// Revokes a token (RFC 7009). The server answers 200 even for unknown tokens.
pub async fn revoke(
    http: &OAuthHttp,
    revocation_url: &str,
    client: &OAuthClient,
    token: &Sensitive<String>,
    hint: &str,
) -> Result<(), AuthError> {
    let mut form = vec![("token", token.expose().as_str()), ("token_type_hint", hint)];
    let basic = client.authenticate(&mut form);
    match http.post_form(revocation_url, &form, basic).await {
        // RFC 7009 answers have no defined body: any success (including an empty or non-JSON one) is fine.
        Ok(_) | Err(AuthError::NotJson { .. } | AuthError::Malformed { .. }) => Ok(()),
        Err(other) => Err(other),
    }
}

async fn request<'a>(
    http: &OAuthHttp,
    token_url: &str,
    client: &'a OAuthClient,
    mut form: Vec<(&'a str, &'a str)>,
) -> Result<TokenSet, AuthError> {
    let basic = client.authenticate(&mut form);
    let answer = http.post_form(token_url, &form, basic).await?;
    TokenSet::from_answer(token_url, &answer, now())
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
}
