//! Access links on the platform: Origin's invites (`POST /auth/grants` with `grantee_type: "invite"`) on an
//! artifact, the grants on an artifact (`GET /auth/grants?resource_id=…`) and revoking one
//! (`DELETE /auth/grants/{id}`). Answers are passed on as the platform sent them; an invite's answer holds its
//! `claim_token` (shown once) and `claim_url` (the page a person opens to claim it).
//!
//! Origin decides who may do what: an invite needs share or admin on the artifact, listing needs admin; its
//! refusals arrive as [`PlatformError::Status`] with Origin's words.

use serde::Serialize;
use serde_json::Value;

use crate::account::Account;
use crate::authed::{self, encode};
use crate::{PlatformError, Result};

/// What an invite gives, as Origin's role presets name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InviteRole {
    /// Read only.
    Viewer,
    /// Read, create, update, delete and evict.
    Editor,
}

/// An invite to make on one artifact (`CreateGrantRequest` with `grantee_type: "invite"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InviteRequest {
    /// The artifact's platform id (its root id for the artifact, a version's id for that version).
    pub resource_id: String,
    /// What it gives.
    pub role: InviteRole,
    /// How many people may claim it; the platform makes it 1 when left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_claims: Option<u32>,
    /// When it stops (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// A label for the person's own lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The grants client of the signed-in account (Origin).
#[derive(Clone, Debug)]
pub struct AccessLinks {
    account: Account,
}

impl AccessLinks {
    /// A client acting as `account`.
    pub fn new(account: Account) -> Self {
        AccessLinks { account }
    }

    fn base(&self) -> Result<String> {
        Ok(self.account.info().ok_or(PlatformError::SignedOut)?.urls.origin)
    }

    /// Makes an invite; the answer is the platform's grant with `claim_token` and `claim_url`.
    #[tracing::instrument(skip_all, fields(resource = %request.resource_id))]
    pub async fn create_invite(&self, request: &InviteRequest) -> Result<Value> {
        let mut body = serde_json::to_value(request)
            .map_err(|e| PlatformError::Malformed { what: "an invite".into(), reason: e.to_string() })?;
        body["grantee_type"] = Value::from("invite");
        authed::json(&self.account, &self.base()?, "creating an access link", |c, b| {
            c.post(format!("{b}/auth/grants")).json(&body)
        })
        .await
    }

    /// Every grant on a resource (revoked ones included, as the platform keeps them).
    #[tracing::instrument(skip_all, fields(resource = %resource_id))]
    pub async fn list(&self, resource_id: &str) -> Result<Vec<Value>> {
        let value = authed::json(&self.account, &self.base()?, "the artifact's access links", |c, b| {
            c.get(format!("{b}/auth/grants?resource_id={}", encode(resource_id)))
        })
        .await?;
        match value {
            Value::Array(items) => Ok(items),
            _ => Err(PlatformError::Malformed {
                what: "the artifact's access links".into(),
                reason: "not a JSON array".into(),
            }),
        }
    }

    /// One grant.
    pub async fn get(&self, grant_id: &str) -> Result<Value> {
        authed::json(&self.account, &self.base()?, "an access link", |c, b| {
            c.get(format!("{b}/auth/grants/{}", encode(grant_id)))
        })
        .await
    }

    /// Revokes a grant; the platform answers `{id, state: "revoked"}` and keeps the row.
    #[tracing::instrument(skip_all, fields(grant = %grant_id))]
    pub async fn revoke(&self, grant_id: &str) -> Result<Value> {
        authed::json(&self.account, &self.base()?, "revoking an access link", |c, b| {
            c.delete(format!("{b}/auth/grants/{}", encode(grant_id)))
        })
        .await
    }
}
