//! Which client identity Atrium presents to an authorization server, and how it authenticates at the token
//! endpoint.

use serde_json::{Value, json};

use crate::discovery::Endpoints;
use crate::error::AuthError;
use crate::http::OAuthHttp;
use crate::{Sensitive, error::shown};

/// How the client authenticates at the token endpoint (RFC 7591 `token_endpoint_auth_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuthMethod {
    /// A public client: only its `client_id` in the form.
    None,
    /// HTTP Basic with the client id and secret.
    ClientSecretBasic,
    /// The client id and secret in the form.
    ClientSecretPost,
}

impl ClientAuthMethod {
    /// The RFC 7591 name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAuthMethod::None => "none",
            ClientAuthMethod::ClientSecretBasic => "client_secret_basic",
            ClientAuthMethod::ClientSecretPost => "client_secret_post",
        }
    }

    /// From the RFC 7591 name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "none" => Some(ClientAuthMethod::None),
            "client_secret_basic" => Some(ClientAuthMethod::ClientSecretBasic),
            "client_secret_post" => Some(ClientAuthMethod::ClientSecretPost),
            _ => None,
        }
    }

    /// The method to use with a secret (or without one) given what the server supports. RFC 8414: a server that
    /// lists nothing supports `client_secret_basic`.
    pub fn choose(supported: &[String], has_secret: bool) -> Self {
        if !has_secret {
            return ClientAuthMethod::None;
        }
        let offers = |m: &str| supported.iter().any(|s| s == m);
        if supported.is_empty() || offers("client_secret_basic") {
            ClientAuthMethod::ClientSecretBasic
        } else if offers("client_secret_post") {
            ClientAuthMethod::ClientSecretPost
        } else {
            ClientAuthMethod::ClientSecretBasic
        }
    }
}

/// A client identity.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    /// The client id (for a client ID metadata document, its URL).
    pub client_id: String,
    /// The client secret, for a confidential client.
    pub client_secret: Option<Sensitive<String>>,
    /// How it authenticates at the token endpoint.
    pub auth_method: ClientAuthMethod,
}

impl OAuthClient {
    /// A public client.
    pub fn public(client_id: impl Into<String>) -> Self {
        OAuthClient { client_id: client_id.into(), client_secret: None, auth_method: ClientAuthMethod::None }
    }

    /// Adds the client's authentication to a token-endpoint form; returns the Basic credentials to send, if any.
    pub(crate) fn authenticate<'a>(&'a self, form: &mut Vec<(&'a str, &'a str)>) -> Option<(&'a str, &'a str)> {
        match (self.auth_method, &self.client_secret) {
            (ClientAuthMethod::ClientSecretBasic, Some(secret)) => {
                // Some servers want the id in the form even with Basic; RFC 6749 allows it (it is not a second
                // authentication, the secret is sent once).
                form.push(("client_id", &self.client_id));
                Some((&self.client_id, secret.expose()))
            }
            (ClientAuthMethod::ClientSecretPost, Some(secret)) => {
                form.push(("client_id", &self.client_id));
                form.push(("client_secret", secret.expose()));
                None
            }
            _ => {
                form.push(("client_id", &self.client_id));
                None
            }
        }
    }
}

/// Where Atrium's client identity can come from, in order of preference (MCP 2025-11-25 "Client registration").
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// A client registered beforehand (from the registration, or the person).
    pub pre_registered: Option<OAuthClient>,
    /// The URL of Atrium's client ID metadata document, used when the server supports them.
    pub metadata_document_url: Option<String>,
    /// The name shown on the consent screen when Atrium registers itself.
    pub client_name: String,
}

/// Picks (or registers) the client for `endpoints`: a pre-registered client, else a client ID metadata document if
/// the server supports them, else dynamic registration with `redirect_uri`.
pub async fn client_for(
    http: &OAuthHttp,
    endpoints: &Endpoints,
    options: &ClientOptions,
    redirect_uri: &str,
    grant_types: &[&str],
) -> Result<OAuthClient, AuthError> {
    if let Some(client) = &options.pre_registered {
        let mut client = client.clone();
        if client.client_secret.is_some() && client.auth_method == ClientAuthMethod::None {
            client.auth_method = ClientAuthMethod::choose(&endpoints.token_auth_methods, true);
        }
        return Ok(client);
    }
    if endpoints.client_id_metadata_document_supported
        && let Some(url) = &options.metadata_document_url
    {
        return Ok(OAuthClient::public(url.clone()));
    }
    let Some(registration) = &endpoints.registration else {
        return Err(AuthError::NoClient { issuer: endpoints.issuer.clone() });
    };
    register(http, registration, endpoints, &options.client_name, redirect_uri, grant_types).await
}

/// Dynamic client registration (RFC 7591) as a native app: public if the server allows it.
async fn register(
    http: &OAuthHttp,
    url: &str,
    endpoints: &Endpoints,
    client_name: &str,
    redirect_uri: &str,
    grant_types: &[&str],
) -> Result<OAuthClient, AuthError> {
    let supported = &endpoints.token_auth_methods;
    let wanted = if supported.is_empty() || supported.iter().any(|m| m == "none") {
        "none"
    } else if supported.iter().any(|m| m == "client_secret_basic") {
        "client_secret_basic"
    } else {
        "client_secret_post"
    };
    let body = json!({
        "client_name": client_name,
        "redirect_uris": [redirect_uri],
        "grant_types": grant_types,
        "response_types": ["code"],
        "token_endpoint_auth_method": wanted,
        "application_type": "native",
    });
    let answer = http.post_json(url, &body).await?;
    let client_id =
        answer.get("client_id").and_then(Value::as_str).filter(|id| !id.is_empty()).ok_or_else(|| {
            AuthError::Malformed { url: shown(url), reason: "the registration has no client_id".into() }
        })?;
    let client_secret = answer
        .get("client_secret")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(|s| Sensitive::new(s.to_owned()));
    let auth_method = match answer.get("token_endpoint_auth_method").and_then(Value::as_str) {
        Some(method) => ClientAuthMethod::parse(method).unwrap_or(ClientAuthMethod::ClientSecretBasic),
        None => ClientAuthMethod::choose(supported, client_secret.is_some()),
    };
    let auth_method = if client_secret.is_none() { ClientAuthMethod::None } else { auth_method };
    Ok(OAuthClient { client_id: client_id.to_owned(), client_secret, auth_method })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_auth_method_follows_what_the_server_supports() {
        let list = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(ClientAuthMethod::choose(&list(&[]), true), ClientAuthMethod::ClientSecretBasic);
        assert_eq!(ClientAuthMethod::choose(&list(&["client_secret_post"]), true), ClientAuthMethod::ClientSecretPost);
        assert_eq!(ClientAuthMethod::choose(&list(&["client_secret_basic"]), false), ClientAuthMethod::None);
        let client = OAuthClient {
            client_id: "id".into(),
            client_secret: Some(Sensitive::new("s".into())),
            auth_method: ClientAuthMethod::ClientSecretPost,
        };
        let mut form = Vec::new();
        assert!(client.authenticate(&mut form).is_none());
        assert_eq!(form, vec![("client_id", "id"), ("client_secret", "s")]);
    }
}
