//! Where an authorization server answers: its endpoints as discovery found them or a person gave them, and the
//! token endpoint with what is known about authenticating there.

use url::Url;

use crate::error::{AuthError, shown};

/// An authorization server's endpoints and what it supports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Its issuer identifier.
    pub issuer: String,
    /// The authorization endpoint.
    pub authorization: String,
    /// The token endpoint.
    pub token: String,
    /// The dynamic client registration endpoint, if it has one.
    pub registration: Option<String>,
    /// The revocation endpoint, if it has one.
    pub revocation: Option<String>,
    /// `token_endpoint_auth_methods_supported` (empty: not stated).
    pub token_auth_methods: Vec<String>,
    /// Whether it accepts client ID metadata documents as client ids.
    pub client_id_metadata_document_supported: bool,
    /// `scopes_supported`, if stated.
    pub scopes_supported: Option<Vec<String>>,
}

impl Endpoints {
    /// Endpoints given by hand (an Authorizer), checked to be usable URLs.
    pub fn explicit(authorization: &str, token: &str, revocation: Option<&str>) -> Result<Self, AuthError> {
        let authorization = endpoint_url(authorization, "auth_url")?;
        let token = endpoint_url(token, "token_url")?;
        let revocation = revocation.map(|r| endpoint_url(r, "revoke_url")).transpose()?;
        Ok(Endpoints {
            issuer: origin_of(&authorization),
            authorization,
            token,
            registration: None,
            revocation,
            token_auth_methods: Vec::new(),
            client_id_metadata_document_supported: false,
            scopes_supported: None,
        })
    }

    /// Only a token endpoint (the client credentials grant needs nothing else).
    pub fn token_only(token: &str) -> Result<Self, AuthError> {
        let token = endpoint_url(token, "token_url")?;
        Ok(Endpoints {
            issuer: origin_of(&token),
            authorization: token.clone(),
            token,
            registration: None,
            revocation: None,
            token_auth_methods: Vec::new(),
            client_id_metadata_document_supported: false,
            scopes_supported: None,
        })
    }

    /// The token endpoint, with what the metadata says about authenticating there.
    pub fn token_endpoint(&self) -> TokenEndpoint {
        TokenEndpoint {
            url: self.token.clone(),
            issuer: Some(self.issuer.clone()),
            auth_methods: self.token_auth_methods.clone(),
        }
    }
}

/// A token endpoint, and what its authorization server's metadata says about authenticating there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEndpoint {
    /// The endpoint.
    pub url: String,
    /// The authorization server's issuer, when its metadata was read.
    pub issuer: Option<String>,
    /// `token_endpoint_auth_methods_supported` (empty: not stated, or no metadata).
    pub auth_methods: Vec<String>,
}

impl TokenEndpoint {
    /// An endpoint about which nothing else is known (yet).
    pub fn bare(url: impl Into<String>) -> Self {
        TokenEndpoint { url: url.into(), issuer: None, auth_methods: Vec::new() }
    }

    /// The audience of a client assertion sent here: the issuer, which is what identifies an authorization
    /// server (RFC 7523 §3; the 7523bis draft allows nothing else), or the token endpoint when the issuer is not
    /// known (which RFC 7523 also allows).
    pub(crate) fn assertion_audience(&self) -> &str {
        self.issuer.as_deref().unwrap_or(&self.url)
    }
}

pub(crate) fn endpoint_url(url: &str, field: &str) -> Result<String, AuthError> {
    let parsed = Url::parse(url).map_err(|_| AuthError::Config(format!("The {field} is not a URL.")))?;
    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(url.to_owned()),
        "http" if loopback => Ok(url.to_owned()),
        "http" => Err(AuthError::Config(format!("The {field} ({}) must use https.", shown(url)))),
        _ => Err(AuthError::Config(format!("The {field} must be an https URL."))),
    }
}

fn origin_of(url: &str) -> String {
    Url::parse(url).map(|u| u.origin().ascii_serialization()).unwrap_or_default()
}
