//! The rules of MCP authorization that both of Atrium's OAuth steps apply (the consent in `agent_consent`, the
//! tokens in `oauth_server`): the OAuth errors they answer with, which redirect URIs codes may go to, and which
//! `resource` (RFC 8707) is this gateway's.

use serde_json::{Value, json};

/// An OAuth error code (RFC 6749 §4.1.2.1 and §5.2, RFC 7591 §3.2.2, RFC 8707 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthErrorCode {
    /// A parameter is missing, repeated or malformed.
    InvalidRequest,
    /// The client is unknown (HTTP 401).
    InvalidClient,
    /// The code or refresh token is wrong, used, expired, or not this client's; or the PKCE verifier is wrong.
    InvalidGrant,
    /// Only `authorization_code` and `refresh_token` are offered.
    UnsupportedGrantType,
    /// Only `code` is offered.
    UnsupportedResponseType,
    /// The `resource` is not this gateway's MCP endpoint.
    InvalidTarget,
    /// The person refused.
    AccessDenied,
    /// A registration's redirect URI is not one Atrium sends codes to.
    InvalidRedirectUri,
    /// A registration is malformed otherwise.
    InvalidClientMetadata,
    /// Nothing can ask the person now (a gateway without Atrium's window).
    TemporarilyUnavailable,
}

impl OAuthErrorCode {
    /// The code as the wire spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthErrorCode::InvalidRequest => "invalid_request",
            OAuthErrorCode::InvalidClient => "invalid_client",
            OAuthErrorCode::InvalidGrant => "invalid_grant",
            OAuthErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            OAuthErrorCode::UnsupportedResponseType => "unsupported_response_type",
            OAuthErrorCode::InvalidTarget => "invalid_target",
            OAuthErrorCode::AccessDenied => "access_denied",
            OAuthErrorCode::InvalidRedirectUri => "invalid_redirect_uri",
            OAuthErrorCode::InvalidClientMetadata => "invalid_client_metadata",
            OAuthErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }

    /// The HTTP status an endpoint answers it with.
    pub fn http_status(self) -> u16 {
        match self {
            OAuthErrorCode::InvalidClient => 401,
            OAuthErrorCode::TemporarilyUnavailable => 503,
            _ => 400,
        }
    }
}

/// An OAuth refusal: an expected outcome, answered to the client as `{"error", "error_description"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthRefusal {
    /// What kind of refusal.
    pub error: OAuthErrorCode,
    /// Why, for a person reading it.
    pub description: String,
}

impl OAuthRefusal {
    /// A refusal of kind `error`, saying why.
    pub fn new(error: OAuthErrorCode, description: impl Into<String>) -> Self {
        OAuthRefusal { error, description: description.into() }
    }

    /// The JSON body an endpoint answers with.
    pub fn body(&self) -> Value {
        json!({"error": self.error.as_str(), "error_description": self.description})
    }
}

/// Single-word schemes of MCP clients that sign in with OAuth and redirect to themselves.
const APP_SCHEMES: [&str; 6] = ["cursor", "vscode", "vscode-insiders", "windsurf", "zed", "claude"];

/// Whether `uri` is a redirect Atrium sends codes to: https; http to a loopback address (RFC 8252 §7.3); or an
/// app's private-use scheme, reverse-domain (RFC 8252 §7.1) or one of [`APP_SCHEMES`] (Cursor's `cursor://…`).
/// No fragment, no `javascript:`/`data:`/`file:` or other scheme a browser runs, no plain http elsewhere.
pub(crate) fn redirect_allowed(uri: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(uri).map_err(|e| format!("{uri} is not a URL ({e})."))?;
    if url.fragment().is_some() {
        return Err(format!("{uri} has a fragment; a redirect URI may not."));
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" => match url.host_str() {
            Some("127.0.0.1" | "localhost" | "[::1]") => Ok(url),
            _ => Err(format!("{uri} is plain http to another computer: use https or a loopback address.")),
        },
        // RFC 8252 §7.1: an app's own scheme, reverse-domain — or one of the editors' single-word schemes, which
        // they use instead (Cursor's `cursor://anysphere.cursor-mcp/oauth/callback`). Another app claiming the
        // scheme gets a code it cannot redeem without the PKCE verifier. Never a scheme a browser runs or reads.
        scheme if scheme.contains('.') || APP_SCHEMES.contains(&scheme) => Ok(url),
        _ => Err(format!(
            "{uri}: a redirect URI is https, http on 127.0.0.1/localhost, or an app's reverse-domain scheme."
        )),
    }
}

/// Whether `resource` (RFC 8707) names this gateway's MCP endpoint (`/mcp`, or a server under it) at `issuer`.
pub(crate) fn resource_allowed(resource: &str, issuer: &str) -> bool {
    let (Ok(given), Ok(ours)) = (url::Url::parse(resource), url::Url::parse(issuer)) else { return false };
    let loopback = matches!(given.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    let path = given.path();
    given.scheme() == "http"
        && loopback
        && given.port() == ours.port()
        && given.fragment().is_none()
        && (path == "/mcp" || path == "/mcp/" || path.starts_with("/mcp/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_and_resources_are_checked() {
        for ok in [
            "https://app.example/cb",
            "http://127.0.0.1:5555/callback",
            "http://localhost/cb",
            "cursor.app://x/cb",
            "cursor://anysphere.cursor-mcp/oauth/callback",
        ] {
            assert!(redirect_allowed(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://evil.example/cb",
            "javascript:alert(1)",
            "https://a/cb#x",
            "file:///etc",
            "nope",
            "data:x",
            "vbscript:x",
            "blob:https://a/b",
            "myapp://cb",
        ] {
            assert!(redirect_allowed(bad).is_err(), "{bad}");
        }
        let issuer = "http://127.0.0.1:7477";
        for ok in ["http://127.0.0.1:7477/mcp", "http://localhost:7477/mcp/", "http://127.0.0.1:7477/mcp/servers/x"] {
            assert!(resource_allowed(ok, issuer), "{ok}");
        }
        for bad in ["http://127.0.0.1:7478/mcp", "http://127.0.0.1:7477/other", "https://127.0.0.1:7477/mcp", "x"] {
            assert!(!resource_allowed(bad, issuer), "{bad}");
        }
    }
}
