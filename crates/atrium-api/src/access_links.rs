//! Access links: giving others access to an artifact, or to one of its revisions, through the Agience platform.
//! On a workspace linked to the platform these are Origin's invites and grants on the artifact's platform id
//! (see [`atrium_platform::AccessLinks`]); the platform's answers are passed on as they came. A local workspace,
//! or an artifact sync has not yet put on the platform, has no links: the refusal says how to publish.

use atrium_platform::{AccessLinks, InviteRequest, InviteRole};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{ApiError, ApiResult, Artifact, Atrium, ErrorCode, ErrorDetails, PlatformFailure};

/// What an access link lets its holder do with the artifact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum LinkAccess {
    /// Read it (the platform's `viewer` role).
    #[default]
    Read,
    /// Read and change it (the platform's `editor` role).
    Write,
}

/// An access link to make.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct NewAccessLink {
    /// The local artifact.
    pub artifact_id: String,
    /// What it gives.
    #[serde(default)]
    pub access: LinkAccess,
    /// One revision only (a revision link); the artifact as it goes on changing when left out (a share link).
    #[serde(default)]
    pub version: Option<u32>,
    /// When it stops working (ISO 8601).
    #[serde(default)]
    pub expires_at: Option<String>,
    /// How many people may claim it (the platform makes it 1 when left out).
    #[serde(default)]
    pub max_uses: Option<u32>,
    /// A label for the person's own lists.
    #[serde(default)]
    pub name: Option<String>,
}

/// A link made: which platform resource it opens, and the platform's grant as it came (with `claim_url`, the
/// page a person opens, and `claim_token`, shown only now).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct AccessLink {
    /// The local artifact.
    pub artifact_id: String,
    /// The platform id the link opens: the artifact's root id, or the id of the revision's platform version.
    pub resource_id: String,
    /// The local revision, for a revision link.
    pub version: Option<u32>,
    /// Whether the link opens later changes too: always for a share link, and for a revision link when the
    /// platform keeps that revision as the artifact itself (its first version, whose id is the root id) or as a
    /// draft (edited in place). Only a committed version under an id of its own stays as it was.
    pub follows_later_changes: bool,
    /// The platform's answer, untouched.
    pub grant: Value,
}

/// Every grant the platform holds on an artifact, as it sent them (revoked ones included, marked so).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct AccessLinkList {
    /// The local artifact.
    pub artifact_id: String,
    /// Its platform root id (share links).
    pub resource_id: String,
    /// Grants on the root id.
    pub links: Vec<Value>,
    /// The platform version id of the revision sync last put there, when it differs from the root id.
    pub revision_resource_id: Option<String>,
    /// The local revision that version holds.
    pub revision_version: Option<u32>,
    /// Grants on that version (revision links).
    pub revision_links: Vec<Value>,
}

fn not_published(message: String) -> ApiError {
    ApiError {
        code: ErrorCode::InvalidInput,
        message,
        details: Some(ErrorDetails::Platform { reason: PlatformFailure::WorkspaceNotPublished }),
    }
}

impl Atrium {
    fn access_links_client(&self) -> AccessLinks {
        AccessLinks::new(self.platform.account.clone())
    }

    /// The artifact's platform root id, or the refusal that says to publish (or to let sync finish) first.
    async fn platform_root(&self, artifact: &Artifact) -> ApiResult<String> {
        let linked = self.store.sync_links().await?.into_iter().any(|l| l.workspace_id == artifact.workspace_id);
        if !linked {
            let workspace = self.store.get_workspace(&artifact.workspace_id).await?;
            return Err(not_published(format!(
                "\"{}\" is only on this computer: access links live on the Agience platform. Publish the workspace \
                 \"{}\" first (in Atrium: Platform → Workspaces → Publish; in a terminal: atrium platform publish \
                 \"{}\"), then make the link.",
                artifact.title, workspace.title, workspace.title
            )));
        }
        artifact.root_id.clone().ok_or_else(|| {
            not_published(format!(
                "\"{}\" has not reached the platform yet (its workspace is published; sync sends it shortly, or run \
                 atrium sync). Make the link once it is there.",
                artifact.title
            ))
        })
    }

    /// Makes an access link on the platform to an artifact (a share link) or to one revision (a revision link,
    /// which must be the revision sync last put on the platform: the platform keeps no older ones Atrium can name).
    /// `POST /auth/grants` with `grantee_type: "invite"`, the role `viewer` or `editor`.
    #[tracing::instrument(skip_all, fields(artifact = %link.artifact_id))]
    pub async fn access_link_create(&self, link: NewAccessLink) -> ApiResult<AccessLink> {
        let artifact = self.store.get_artifact(&link.artifact_id).await?;
        let root = self.platform_root(&artifact).await?;
        let (resource_id, follows_later_changes) = match link.version {
            None => (root, true),
            Some(version) => {
                let synced = self.store.synced_version(&artifact.id).await?;
                match (synced, artifact.remote_id.clone()) {
                    (Some(s), Some(remote)) if s == version => {
                        // What the platform holds under that id decides it, not the local state: an edit of a
                        // committed version becomes a draft row there.
                        let pinned = remote != root && {
                            let row = self.platform.sync.mantle().get(&remote).await?;
                            row.get("state").and_then(Value::as_str) == Some("committed")
                        };
                        (remote, !pinned)
                    }
                    (Some(s), _) => {
                        return Err(ApiError::new(
                            ErrorCode::InvalidInput,
                            format!(
                                "Revision {version} of \"{}\" is not on the platform: revision {s} is. A revision link \
                                 can name only the revision sync put there.",
                                artifact.title
                            ),
                        ));
                    }
                    (None, _) => {
                        return Err(not_published(format!("\"{}\" has not reached the platform yet.", artifact.title)));
                    }
                }
            }
        };
        let request = InviteRequest {
            resource_id: resource_id.clone(),
            role: match link.access {
                LinkAccess::Read => InviteRole::Viewer,
                LinkAccess::Write => InviteRole::Editor,
            },
            max_claims: link.max_uses,
            expires_at: link.expires_at,
            name: link.name,
        };
        let grant = self.access_links_client().create_invite(&request).await?;
        Ok(AccessLink { artifact_id: artifact.id, resource_id, version: link.version, follows_later_changes, grant })
    }

    /// The platform's grants on an artifact (`GET /auth/grants?resource_id=…`) and on the revision sync last put
    /// there, as the platform sent them.
    #[tracing::instrument(skip_all, fields(artifact = %artifact_id))]
    pub async fn access_links(&self, artifact_id: String) -> ApiResult<AccessLinkList> {
        let artifact = self.store.get_artifact(&artifact_id).await?;
        let root = self.platform_root(&artifact).await?;
        let client = self.access_links_client();
        let links = client.list(&root).await?;
        let revision = artifact.remote_id.clone().filter(|r| *r != root);
        let revision_links = match &revision {
            Some(id) => client.list(id).await?,
            None => Vec::new(),
        };
        let revision_version = match revision {
            Some(_) => self.store.synced_version(&artifact.id).await?,
            None => None,
        };
        Ok(AccessLinkList {
            artifact_id: artifact.id,
            resource_id: root,
            links,
            revision_resource_id: revision,
            revision_version,
            revision_links,
        })
    }

    /// Revokes an access link of an artifact (`DELETE /auth/grants/{id}`); the platform keeps it, marked revoked,
    /// and answers `{id, state}`. A link that is not on this artifact is "not found", whatever it opens.
    #[tracing::instrument(skip_all, fields(artifact = %artifact_id, link = %link_id))]
    pub async fn access_link_revoke(&self, artifact_id: String, link_id: String) -> ApiResult<Value> {
        let artifact = self.store.get_artifact(&artifact_id).await?;
        let root = self.platform_root(&artifact).await?;
        let no_such_link =
            || ApiError::new(ErrorCode::NotFound, format!("\"{}\" has no access link {link_id}.", artifact.title));
        // Origin's grant ids are UUIDs; anything else would be its 500.
        if uuid::Uuid::parse_str(&link_id).is_err() {
            return Err(no_such_link());
        }
        let client = self.access_links_client();
        let grant = match client.get(&link_id).await {
            Err(atrium_platform::PlatformError::NotFound(_)) => return Err(no_such_link()),
            other => other?,
        };
        let resource = grant.get("resource_id").and_then(Value::as_str);
        if resource != Some(root.as_str()) && resource != artifact.remote_id.as_deref() {
            return Err(no_such_link());
        }
        Ok(client.revoke(&link_id).await?)
    }
}
