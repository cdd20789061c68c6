//! MCP authorization discovery (MCP 2025-11-25 "Authorization", with the 2025-03-26 fallbacks): from a server's
//! `401`, find its protected-resource metadata (RFC 9728), its authorization server's metadata (RFC 8414 or
//! OpenID discovery), and the scopes to ask for.

use serde_json::Value;
use url::Url;

use crate::endpoints::{Endpoints, TokenEndpoint, endpoint_url};
use crate::error::{AuthError, shown};
use crate::http::{Fetched, OAuthHttp};

/// The parameters of a `WWW-Authenticate: Bearer …` challenge (RFC 6750 §3, RFC 9728 §5.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BearerChallenge {
    /// Where the protected-resource metadata is.
    pub resource_metadata: Option<String>,
    /// The scopes the request needs.
    pub scope: Option<String>,
    /// The error code (`invalid_token`, `insufficient_scope`).
    pub error: Option<String>,
    /// The error's description.
    pub error_description: Option<String>,
}

impl BearerChallenge {
    /// Reads the Bearer challenge out of a `WWW-Authenticate` value (other schemes are skipped); an empty
    /// challenge when there is none.
    pub fn parse(header: &str) -> Self {
        let mut challenge = BearerChallenge::default();
        let mut in_bearer = false;
        let mut rest = header.trim();
        while !rest.is_empty() {
            rest = rest.trim_start_matches([',', ' ', '\t']);
            let name_end = rest.find(['=', ' ', ',', '\t']).unwrap_or(rest.len());
            let name = &rest[..name_end];
            let after = rest[name_end..].trim_start_matches([' ', '\t']);
            if !after.starts_with('=') {
                // A scheme name starts a new challenge.
                in_bearer = name.eq_ignore_ascii_case("bearer");
                rest = after;
                continue;
            }
            let (value, next) = read_value(after[1..].trim_start_matches([' ', '\t']));
            if in_bearer {
                let slot = match name.to_ascii_lowercase().as_str() {
                    "resource_metadata" => Some(&mut challenge.resource_metadata),
                    "scope" => Some(&mut challenge.scope),
                    "error" => Some(&mut challenge.error),
                    "error_description" => Some(&mut challenge.error_description),
                    _ => None,
                };
                if let Some(slot) = slot {
                    *slot = Some(value);
                }
            }
            rest = next;
        }
        challenge
    }

    /// Whether the server said the token lacks scope (a 403 step-up).
    pub fn is_insufficient_scope(&self) -> bool {
        self.error.as_deref() == Some("insufficient_scope")
    }
}

/// A quoted string (with `\` escapes) or a token, and what follows it.
fn read_value(input: &str) -> (String, &str) {
    if let Some(quoted) = input.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                '"' => return (value, &quoted[i + 1..]),
                other => value.push(other),
            }
        }
        (value, "")
    } else {
        let end = input.find([',', ' ', '\t']).unwrap_or(input.len());
        (input[..end].to_owned(), &input[end..])
    }
}

impl Endpoints {
    /// Reads authorization-server metadata fetched from `url` for `issuer`.
    fn from_metadata(
        url: &str,
        doc: &Value,
        issuer: &str,
        strict_issuer: bool,
        need_pkce: bool,
    ) -> Result<Self, AuthError> {
        let malformed = |reason: &str| AuthError::Malformed { url: shown(url), reason: reason.to_owned() };
        let found = doc.get("issuer").and_then(Value::as_str).ok_or_else(|| malformed("it names no issuer"))?;
        let same = if strict_issuer { same_issuer(found, issuer) } else { same_origin(found, issuer) };
        if !same {
            return Err(AuthError::IssuerMismatch {
                expected: issuer.to_owned(),
                found: found.chars().take(200).collect(),
            });
        }
        let text = |key: &str| doc.get(key).and_then(Value::as_str);
        let list = |key: &str| {
            doc.get(key)
                .and_then(Value::as_array)
                .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect::<Vec<_>>())
        };
        let authorization = endpoint_url(
            text("authorization_endpoint").ok_or_else(|| malformed("it has no authorization_endpoint"))?,
            "authorization_endpoint",
        )?;
        let token = endpoint_url(
            text("token_endpoint").ok_or_else(|| malformed("it has no token_endpoint"))?,
            "token_endpoint",
        )?;
        if need_pkce && !list("code_challenge_methods_supported").unwrap_or_default().iter().any(|m| m == "S256") {
            return Err(AuthError::NoPkce { issuer: issuer.to_owned() });
        }
        Ok(Endpoints {
            issuer: found.to_owned(),
            authorization,
            token,
            registration: text("registration_endpoint")
                .map(|u| endpoint_url(u, "registration_endpoint"))
                .transpose()?,
            revocation: text("revocation_endpoint").map(|u| endpoint_url(u, "revocation_endpoint")).transpose()?,
            token_auth_methods: list("token_endpoint_auth_methods_supported").unwrap_or_default(),
            client_id_metadata_document_supported: doc
                .get("client_id_metadata_document_supported")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            scopes_supported: list("scopes_supported"),
        })
    }
}

/// What discovery found for one MCP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// The authorization server.
    pub endpoints: Endpoints,
    /// The resource indicator to send (RFC 8707): the protected-resource metadata's `resource`, else the server URL.
    pub resource: String,
    /// The resource's `scopes_supported`, if its metadata states them.
    pub resource_scopes: Option<Vec<String>>,
    /// True when the server has no protected-resource metadata (2025-03-26 behaviour).
    pub legacy: bool,
}

/// Discovers how to authorize against the MCP server at `server_url`, which answered with `challenge`.
#[tracing::instrument(skip_all, fields(server = %shown(server_url)))]
pub async fn discover(http: &OAuthHttp, server_url: &str, challenge: &BearerChallenge) -> Result<Discovery, AuthError> {
    let server =
        Url::parse(server_url).map_err(|_| AuthError::Config(format!("{} is not a URL.", shown(server_url))))?;
    if let Some((url, doc)) = protected_resource(http, &server, challenge).await? {
        let malformed = |reason: &str| AuthError::Malformed { url: shown(&url), reason: reason.to_owned() };
        let resource = doc.get("resource").and_then(Value::as_str).ok_or_else(|| malformed("it names no resource"))?;
        if !resource_covers(resource, &server) {
            return Err(AuthError::ResourceMismatch {
                expected: shown(server_url),
                found: resource.chars().take(200).collect(),
            });
        }
        let issuer = doc
            .get("authorization_servers")
            .and_then(Value::as_array)
            .and_then(|servers| servers.iter().find_map(Value::as_str))
            .ok_or_else(|| malformed("it names no authorization server"))?;
        let endpoints = authorization_server(http, issuer).await?;
        let resource_scopes = doc
            .get("scopes_supported")
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect());
        return Ok(Discovery { endpoints, resource: resource.to_owned(), resource_scopes, legacy: false });
    }
    // 2025-03-26: no protected-resource metadata; the authorization server is the MCP server's origin.
    let origin = server.origin().ascii_serialization();
    let metadata_url = format!("{origin}/.well-known/oauth-authorization-server");
    let endpoints = match http.get_json(&metadata_url).await? {
        Fetched::Document(doc) => Endpoints::from_metadata(&metadata_url, &doc, &origin, false, false)?,
        Fetched::Missing(_) => Endpoints {
            issuer: origin.clone(),
            authorization: format!("{origin}/authorize"),
            token: format!("{origin}/token"),
            registration: Some(format!("{origin}/register")),
            revocation: None,
            token_auth_methods: Vec::new(),
            client_id_metadata_document_supported: false,
            scopes_supported: None,
        },
    };
    Ok(Discovery { endpoints, resource: canonical(&server), resource_scopes: None, legacy: true })
}

/// The protected-resource metadata: where the challenge says, else the path-aware well-known URL, else the root one.
async fn protected_resource(
    http: &OAuthHttp,
    server: &Url,
    challenge: &BearerChallenge,
) -> Result<Option<(String, Value)>, AuthError> {
    let origin = server.origin().ascii_serialization();
    let path = server.path().trim_end_matches('/');
    let mut candidates = Vec::new();
    if let Some(url) = challenge.resource_metadata.as_deref().filter(|u| is_http_url(u)) {
        candidates.push(url.to_owned());
    }
    if !path.is_empty() {
        candidates.push(format!("{origin}/.well-known/oauth-protected-resource{path}"));
    }
    candidates.push(format!("{origin}/.well-known/oauth-protected-resource"));
    for url in candidates {
        match http.get_json(&url).await {
            Ok(Fetched::Document(doc)) => return Ok(Some((url, doc))),
            Ok(Fetched::Missing(_)) => continue,
            // A document that is there but broken is an error, not a reason to guess.
            Err(err @ (AuthError::Malformed { .. } | AuthError::NotJson { .. })) => return Err(err),
            Err(_) => continue,
        }
    }
    Ok(None)
}

/// Authorization-server metadata for `issuer`, from the RFC 8414 and OpenID well-known URLs in the MCP order.
pub async fn authorization_server(http: &OAuthHttp, issuer: &str) -> Result<Endpoints, AuthError> {
    let parsed = Url::parse(issuer).map_err(|_| AuthError::Config(format!("{issuer} is not an issuer URL.")))?;
    if !is_http_url(issuer) {
        return Err(AuthError::Config(format!("{} is not an http(s) issuer.", shown(issuer))));
    }
    let origin = parsed.origin().ascii_serialization();
    let path = parsed.path().trim_end_matches('/');
    let candidates = if path.is_empty() {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server"),
            format!("{origin}/.well-known/openid-configuration"),
        ]
    } else {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server{path}"),
            format!("{origin}/.well-known/openid-configuration{path}"),
            format!("{origin}{path}/.well-known/openid-configuration"),
        ]
    };
    let mut last_status = 404;
    for url in &candidates {
        match http.get_json(url).await? {
            Fetched::Document(doc) => return Endpoints::from_metadata(url, &doc, issuer, true, true),
            Fetched::Missing(status) => last_status = status,
        }
    }
    Err(AuthError::Status { url: shown(&candidates[0]), status: last_status })
}

/// What the authorization server behind a token URL configured by hand says about it: its metadata at the URL's
/// origin (RFC 8414's `/.well-known/oauth-authorization-server`, then OpenID's `/.well-known/openid-configuration`).
/// `Ok(None)` when neither is there; an error when a document is there but broken or names an issuer on another
/// origin.
pub async fn token_endpoint_metadata(http: &OAuthHttp, token_url: &str) -> Result<Option<TokenEndpoint>, AuthError> {
    let parsed = Url::parse(token_url).map_err(|_| AuthError::Config("The token_url is not a URL.".into()))?;
    if !is_http_url(token_url) {
        return Err(AuthError::Config(format!("The token_url ({}) is not an http(s) URL.", shown(token_url))));
    }
    let origin = parsed.origin().ascii_serialization();
    for url in [
        format!("{origin}/.well-known/oauth-authorization-server"),
        format!("{origin}/.well-known/openid-configuration"),
    ] {
        let Fetched::Document(doc) = http.get_json(&url).await? else { continue };
        let issuer = doc
            .get("issuer")
            .and_then(Value::as_str)
            .ok_or_else(|| AuthError::Malformed { url: shown(&url), reason: "it names no issuer".into() })?;
        if !same_origin(issuer, &origin) {
            return Err(AuthError::IssuerMismatch { expected: origin, found: issuer.chars().take(200).collect() });
        }
        let auth_methods = doc
            .get("token_endpoint_auth_methods_supported")
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        return Ok(Some(TokenEndpoint { url: token_url.to_owned(), issuer: Some(issuer.to_owned()), auth_methods }));
    }
    Ok(None)
}

/// The scopes to request (MCP "Scope selection strategy"): the challenge's, else everything the resource
/// supports, else none; with a step-up, the union with what was asked before.
pub fn select_scope(
    challenge: &BearerChallenge,
    resource_scopes: Option<&[String]>,
    previous: Option<&str>,
) -> Option<String> {
    let wanted: Vec<String> = match (&challenge.scope, resource_scopes) {
        (Some(scope), _) => scope.split_whitespace().map(str::to_owned).collect(),
        (None, Some(supported)) if !supported.is_empty() => supported.to_vec(),
        _ => Vec::new(),
    };
    let mut all: Vec<String> = previous.map(|p| p.split_whitespace().map(str::to_owned).collect()).unwrap_or_default();
    for scope in wanted {
        if !all.contains(&scope) {
            all.push(scope);
        }
    }
    (!all.is_empty()).then(|| all.join(" "))
}

fn is_http_url(url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// An endpoint must be https, or http on a loopback host (OAuth 2.1 §1.5).
fn same_issuer(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

fn same_origin(a: &str, b: &str) -> bool {
    matches!((Url::parse(a), Url::parse(b)), (Ok(a), Ok(b)) if a.origin() == b.origin())
}

/// The server URL without fragment (what RFC 8707 calls its canonical URI).
fn canonical(server: &Url) -> String {
    let mut url = server.clone();
    url.set_fragment(None);
    url.to_string()
}

/// Whether a metadata `resource` identifies this server: the same origin, and a path that is the server's or
/// one of its parents.
fn resource_covers(resource: &str, server: &Url) -> bool {
    let Ok(resource) = Url::parse(resource) else { return false };
    if resource.origin() != server.origin() || resource.fragment().is_some() {
        return false;
    }
    let parent = resource.path().trim_end_matches('/');
    let path = server.path().trim_end_matches('/');
    path == parent || path.starts_with(&format!("{parent}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_are_read_whatever_their_quoting() {
        let c = BearerChallenge::parse(
            r#"Basic realm="x", Bearer error="insufficient_scope", scope="a b", resource_metadata="http://h/.well-known/oauth-protected-resource/mcp", error_description="say \"no\"""#,
        );
        assert_eq!(c.scope.as_deref(), Some("a b"));
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
        assert_eq!(c.resource_metadata.as_deref(), Some("http://h/.well-known/oauth-protected-resource/mcp"));
        assert_eq!(c.error_description.as_deref(), Some("say \"no\""));
        assert!(c.is_insufficient_scope());
        let plain = BearerChallenge::parse("Bearer realm=example, error=invalid_token");
        assert_eq!(plain.error.as_deref(), Some("invalid_token"));
        assert_eq!(BearerChallenge::parse("Basic realm=\"x\", scope=\"no\""), BearerChallenge::default());
    }

    #[test]
    fn scopes_come_from_the_challenge_then_the_resource_and_step_up_adds() {
        let challenge = BearerChallenge { scope: Some("mcp:basic".into()), ..Default::default() };
        let supported = vec!["r".to_owned(), "w".to_owned()];
        assert_eq!(select_scope(&challenge, Some(&supported), None).as_deref(), Some("mcp:basic"));
        assert_eq!(select_scope(&BearerChallenge::default(), Some(&supported), None).as_deref(), Some("r w"));
        assert_eq!(select_scope(&BearerChallenge::default(), None, None), None);
        let step_up = BearerChallenge { scope: Some("mcp:basic mcp:write".into()), ..Default::default() };
        assert_eq!(select_scope(&step_up, None, Some("mcp:basic")).as_deref(), Some("mcp:basic mcp:write"));
    }

    #[test]
    fn a_resource_must_be_the_server_or_a_parent_of_it() {
        let server = Url::parse("http://localhost:3000/mcp").expect("url");
        assert!(resource_covers("http://localhost:3000/mcp", &server));
        assert!(resource_covers("http://localhost:3000", &server));
        assert!(!resource_covers("https://evil.example.com/mcp", &server));
        assert!(!resource_covers("http://localhost:3000/other", &server));
        assert!(!resource_covers("http://localhost:3000/m", &server));
    }

    #[test]
    fn endpoints_must_be_https_except_on_loopback() {
        assert!(
            Endpoints::explicit(
                "https://github.com/login/oauth/authorize",
                "https://github.com/login/oauth/access_token",
                None
            )
            .is_ok()
        );
        assert!(Endpoints::explicit("http://127.0.0.1:9/authorize", "http://localhost:9/token", None).is_ok());
        let err = Endpoints::explicit("http://example.com/authorize", "https://example.com/token", None)
            .expect_err("plain http");
        assert!(err.to_string().contains("must use https"), "{err}");
        assert!(Endpoints::explicit("javascript:alert(1)", "https://x/token", None).is_err());
    }
}
