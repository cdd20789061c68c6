//! Which client identity Atrium presents to an authorization server, and how it authenticates at the token
//! endpoint.

use serde_json::{Value, json};

use crate::assertion::{SigningAlg, is_private_key};
use crate::endpoints::Endpoints;
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
    /// A JWT signed with the client's private key (RFC 7523); the client's "secret" is that key, in PEM.
    PrivateKeyJwt {
        /// The signing algorithm; the key's own (RS256 for RSA, ES256 for EC P-256) when `None`.
        alg: Option<SigningAlg>,
    },
}

impl ClientAuthMethod {
    /// The RFC 7591 name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAuthMethod::None => "none",
            ClientAuthMethod::ClientSecretBasic => "client_secret_basic",
            ClientAuthMethod::ClientSecretPost => "client_secret_post",
            ClientAuthMethod::PrivateKeyJwt { .. } => "private_key_jwt",
        }
    }

    /// From the RFC 7591 name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "none" => Some(ClientAuthMethod::None),
            "client_secret_basic" => Some(ClientAuthMethod::ClientSecretBasic),
            "client_secret_post" => Some(ClientAuthMethod::ClientSecretPost),
            "private_key_jwt" => Some(ClientAuthMethod::PrivateKeyJwt { alg: None }),
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
    /// The client secret, for a confidential client; for `private_key_jwt`, the private key (PEM).
    pub client_secret: Option<Sensitive<String>>,
    /// How it authenticates at the token endpoint.
    pub auth_method: ClientAuthMethod,
}

impl OAuthClient {
    /// A public client.
    pub fn public(client_id: impl Into<String>) -> Self {
        OAuthClient { client_id: client_id.into(), client_secret: None, auth_method: ClientAuthMethod::None }
    }

    /// A client of the client credentials grant. `credential` is its secret or its private key (PEM); it
    /// authenticates the way `configured` says, else the way the token endpoint supports (`supported`, from its
    /// metadata) for that credential: a private key signs assertions (`private_key_jwt`, with `signing_alg` or the
    /// key's own), a secret goes by HTTP Basic unless the server lists only `client_secret_post` (RFC 8414's
    /// default is Basic). A private key is never sent as a secret.
    pub fn machine(
        client_id: impl Into<String>,
        credential: Sensitive<String>,
        configured: Option<ClientAuthMethod>,
        signing_alg: Option<SigningAlg>,
        supported: &[String],
    ) -> Result<Self, AuthError> {
        let key = is_private_key(&credential);
        let auth_method = match configured {
            Some(ClientAuthMethod::PrivateKeyJwt { alg }) => {
                ClientAuthMethod::PrivateKeyJwt { alg: alg.or(signing_alg) }
            }
            Some(ClientAuthMethod::ClientSecretBasic | ClientAuthMethod::ClientSecretPost) if key => {
                return Err(AuthError::Config(
                    "The client's keychain secret is a private key, which Atrium never sends as a client secret: \
                     set auth_method to private_key_jwt (or store the client secret instead)."
                        .into(),
                ));
            }
            Some(method) => method,
            None if key => ClientAuthMethod::PrivateKeyJwt { alg: signing_alg },
            None => ClientAuthMethod::choose(supported, true),
        };
        Ok(OAuthClient { client_id: client_id.into(), client_secret: Some(credential), auth_method })
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
        // Atrium registers with a secret or none; a method it did not ask for is taken as the default.
        Some(method) => match ClientAuthMethod::parse(method) {
            Some(
                known @ (ClientAuthMethod::None
                | ClientAuthMethod::ClientSecretBasic
                | ClientAuthMethod::ClientSecretPost),
            ) => known,
            _ => ClientAuthMethod::ClientSecretBasic,
        },
        None => ClientAuthMethod::choose(supported, client_secret.is_some()),
    };
    let auth_method = if client_secret.is_none() { ClientAuthMethod::None } else { auth_method };
    Ok(OAuthClient { client_id: client_id.to_owned(), client_secret, auth_method })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_auth_method_follows_what_the_server_supports() {
        assert_eq!(ClientAuthMethod::choose(&list(&[]), true), ClientAuthMethod::ClientSecretBasic);
        assert_eq!(ClientAuthMethod::choose(&list(&["client_secret_post"]), true), ClientAuthMethod::ClientSecretPost);
        assert_eq!(ClientAuthMethod::choose(&list(&["client_secret_basic"]), false), ClientAuthMethod::None);
        for method in ["none", "client_secret_basic", "client_secret_post", "private_key_jwt"] {
            assert_eq!(ClientAuthMethod::parse(method).map(ClientAuthMethod::as_str), Some(method));
        }
    }

    #[test]
    fn a_machine_client_authenticates_as_configured_else_as_the_metadata_allows() {
        let secret = || Sensitive::new("s3cret".to_owned());
        let key = || Sensitive::new("-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n".to_owned());
        let method = |credential, configured, alg, supported: &[&str]| {
            OAuthClient::machine("id", credential, configured, alg, &list(supported)).map(|c| c.auth_method)
        };
        // The Agience platform: `none` and `client_secret_post` only.
        assert_eq!(
            method(secret(), None, None, &["none", "client_secret_post"]),
            Ok(ClientAuthMethod::ClientSecretPost)
        );
        // Nothing listed (or no metadata): RFC 8414's default.
        assert_eq!(method(secret(), None, None, &[]), Ok(ClientAuthMethod::ClientSecretBasic));
        assert_eq!(
            method(secret(), None, None, &["client_secret_post", "client_secret_basic"]),
            Ok(ClientAuthMethod::ClientSecretBasic)
        );
        // The registration's method wins over the metadata.
        assert_eq!(
            method(secret(), Some(ClientAuthMethod::ClientSecretPost), None, &["client_secret_basic"]),
            Ok(ClientAuthMethod::ClientSecretPost)
        );
        // A key signs, even where the server also takes secrets; its algorithm comes along.
        let es256 = ClientAuthMethod::PrivateKeyJwt { alg: Some(SigningAlg::Es256) };
        assert_eq!(
            method(key(), None, Some(SigningAlg::Es256), &["client_secret_basic", "private_key_jwt"]),
            Ok(es256)
        );
        assert_eq!(
            method(key(), Some(ClientAuthMethod::PrivateKeyJwt { alg: None }), Some(SigningAlg::Es256), &[]),
            Ok(es256)
        );
        // …and is never sent as a secret, whatever the registration says.
        let err = method(key(), Some(ClientAuthMethod::ClientSecretBasic), None, &[]).expect_err("a key as a secret");
        assert_eq!(err.code(), "config");
        assert!(!err.to_string().contains("MIGH"), "{err}");
    }
}
