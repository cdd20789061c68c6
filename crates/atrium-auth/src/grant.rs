//! A grant: tokens plus everything needed to renew and revoke them, and the sign-ins that produce one.

use std::time::Duration;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::Sensitive;
use crate::client::{ClientAuthMethod, ClientOptions, OAuthClient, client_for};
use crate::discovery::{BearerChallenge, discover, select_scope};
use crate::endpoints::Endpoints;
use crate::error::AuthError;
use crate::flow::{AuthorizationRequest, Browser, authorize};
use crate::http::OAuthHttp;
use crate::loopback::CallbackListener;
use crate::token::{self, TokenKind, TokenSet};

/// Tokens and how to renew them. Serialized only for the keychain ([`Grant::to_keychain`]).
#[derive(Debug, Clone)]
pub struct Grant {
    /// The tokens.
    pub tokens: TokenSet,
    /// The client they were issued to.
    pub client: OAuthClient,
    /// The authorization server's issuer.
    pub issuer: String,
    /// Where to refresh.
    pub token_endpoint: String,
    /// Where to revoke, if the server supports it.
    pub revocation_endpoint: Option<String>,
    /// The resource indicator the tokens are for.
    pub resource: Option<String>,
    /// The scopes that were asked for.
    pub scope: Option<String>,
    /// For a dynamically registered client: the loopback port its redirect URI names.
    pub redirect_port: Option<u16>,
}

impl Grant {
    /// The grant as JSON text for the keychain (the only place it may go).
    pub fn to_keychain(&self) -> Sensitive<String> {
        let doc = json!({
            "v": 1,
            "tokens": self.tokens.to_keychain(),
            "client": {
                "client_id": self.client.client_id,
                "client_secret": self.client.client_secret.as_ref().map(|s| s.expose().clone()),
                "auth_method": self.client.auth_method.as_str(),
            },
            "issuer": self.issuer,
            "token_endpoint": self.token_endpoint,
            "revocation_endpoint": self.revocation_endpoint,
            "resource": self.resource,
            "scope": self.scope,
            "redirect_port": self.redirect_port,
        });
        Sensitive::new(doc.to_string())
    }

    /// A grant from [`Grant::to_keychain`]'s text; `None` if it is not one (it is then treated as signed out).
    pub fn from_keychain(text: &Sensitive<String>) -> Option<Self> {
        let doc: Value = serde_json::from_str(text.expose()).ok()?;
        let client = doc.get("client")?;
        let string = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
        Some(Grant {
            tokens: TokenSet::from_keychain(doc.get("tokens")?)?,
            client: OAuthClient {
                client_id: string(client, "client_id")?,
                client_secret: string(client, "client_secret").map(Sensitive::new),
                auth_method: ClientAuthMethod::parse(client.get("auth_method")?.as_str()?)?,
            },
            issuer: string(&doc, "issuer")?,
            token_endpoint: string(&doc, "token_endpoint")?,
            revocation_endpoint: string(&doc, "revocation_endpoint"),
            resource: string(&doc, "resource"),
            scope: string(&doc, "scope"),
            redirect_port: doc.get("redirect_port").and_then(Value::as_u64).and_then(|p| u16::try_from(p).ok()),
        })
    }

    /// Renews the tokens with the refresh token. Without one there is nothing to renew with: sign in again.
    pub async fn refreshed(&self, http: &OAuthHttp) -> Result<TokenSet, AuthError> {
        let Some(refresh_token) = &self.tokens.refresh_token else {
            return Err(AuthError::Refused {
                error: "invalid_grant".into(),
                description: Some("the access token expired and no refresh token was issued".into()),
            });
        };
        token::refresh(http, &self.token_endpoint, &self.client, refresh_token, self.resource.as_deref()).await
    }

    /// Revokes the refresh token (which takes its access tokens with it on most servers) and the access token,
    /// where the server has a revocation endpoint. `Ok(false)`: nothing to revoke at.
    pub async fn revoke(&self, http: &OAuthHttp) -> Result<bool, AuthError> {
        let Some(url) = &self.revocation_endpoint else { return Ok(false) };
        if let Some(refresh_token) = &self.tokens.refresh_token {
            token::revoke(http, url, &self.client, refresh_token, TokenKind::Refresh).await?;
        }
        token::revoke(http, url, &self.client, &self.tokens.access_token, TokenKind::Access).await?;
        Ok(true)
    }
}

/// What a sign-in needs besides its target.
pub struct SignIn<'a> {
    /// HTTP.
    pub http: &'a OAuthHttp,
    /// Opens the authorization page.
    pub browser: &'a dyn Browser,
    /// How long the person has.
    pub limit: Duration,
    /// Cancels the sign-in.
    pub cancel: &'a CancellationToken,
}

/// Signs in to an MCP server that answered `challenge` (MCP authorization): discovery, a client identity (reusing
/// `previous`'s where it still fits), scope selection (a step-up adds to what `previous` asked for), then the
/// authorization code flow.
pub async fn sign_in_to_server(
    sign_in: &SignIn<'_>,
    server_url: &str,
    challenge: &BearerChallenge,
    options: &ClientOptions,
    previous: Option<&Grant>,
) -> Result<Grant, AuthError> {
    let discovery = discover(sign_in.http, server_url, challenge).await?;
    let step_up = challenge.is_insufficient_scope();
    let scope = select_scope(
        challenge,
        discovery.resource_scopes.as_deref(),
        previous.filter(|_| step_up).and_then(|p| p.scope.as_deref()),
    );
    let reusable = previous.filter(|p| p.issuer == discovery.endpoints.issuer);
    let listener = CallbackListener::bind(reusable.and_then(|p| p.redirect_port)).await?;
    let client = match reusable {
        // A registered redirect URI names its port: the client is reusable only on that port.
        Some(p) if p.redirect_port.is_none_or(|port| port == listener.port()) => p.client.clone(),
        _ => {
            client_for(
                sign_in.http,
                &discovery.endpoints,
                options,
                &listener.redirect_uri(),
                &["authorization_code", "refresh_token"],
            )
            .await?
        }
    };
    let registered = options.pre_registered.is_none()
        && !(discovery.endpoints.client_id_metadata_document_supported && options.metadata_document_url.is_some());
    let redirect_port = registered.then_some(listener.port());
    let request = AuthorizationRequest {
        endpoints: &discovery.endpoints,
        client: &client,
        scope: scope.as_deref(),
        resource: Some(&discovery.resource),
        check_issuer: !discovery.legacy,
    };
    let tokens = authorize(sign_in.http, request, listener, sign_in.browser, sign_in.limit, sign_in.cancel).await?;
    Ok(Grant {
        tokens,
        client,
        issuer: discovery.endpoints.issuer.clone(),
        token_endpoint: discovery.endpoints.token.clone(),
        revocation_endpoint: discovery.endpoints.revocation.clone(),
        resource: Some(discovery.resource),
        scope,
        redirect_port,
    })
}

/// Signs in through endpoints given by hand (an Authorizer), with its own client.
pub async fn sign_in_explicit(
    sign_in: &SignIn<'_>,
    endpoints: &Endpoints,
    client: &OAuthClient,
    scope: Option<&str>,
) -> Result<Grant, AuthError> {
    let listener = CallbackListener::bind(None).await?;
    let request = AuthorizationRequest { endpoints, client, scope, resource: None, check_issuer: false };
    let tokens = authorize(sign_in.http, request, listener, sign_in.browser, sign_in.limit, sign_in.cancel).await?;
    Ok(Grant {
        tokens,
        client: client.clone(),
        issuer: endpoints.issuer.clone(),
        token_endpoint: endpoints.token.clone(),
        revocation_endpoint: endpoints.revocation.clone(),
        resource: None,
        scope: scope.map(str::to_owned),
        redirect_port: None,
    })
}
