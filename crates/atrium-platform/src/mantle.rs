//! Mantle's artifact REST calls, as sync and publishing use them. Every call carries a fresh bearer; a 401 makes
//! the account refresh and the call is sent once more; every failure is a typed [`PlatformError`].

use atrium_store::Artifact;
use serde_json::{Value, json};

use crate::account::Account;
use crate::authed::{self, encode, without_url};
use crate::wire::{self, RemoteWorkspace, WORKSPACE_TYPE};
use crate::{PlatformError, Result};

/// How many ids go in one `POST /artifacts/batch`.
pub const BATCH_SIZE: usize = 200;

/// The Mantle client of the signed-in account.
#[derive(Clone, Debug)]
pub struct Mantle {
    account: Account,
}

impl Mantle {
    /// A client acting as `account`.
    pub fn new(account: Account) -> Self {
        Mantle { account }
    }

    /// The account it acts as.
    pub fn account(&self) -> &Account {
        &self.account
    }

    fn base(&self) -> Result<String> {
        Ok(self.account.info().ok_or(PlatformError::SignedOut)?.urls.mantle)
    }

    /// Sends a request built by `build` (given the client and the Mantle base) with a bearer; on 401 the token is
    /// renewed and the request sent once more. Maps 404 and other failures to errors.
    pub(crate) async fn send<F>(&self, what: &str, build: F) -> Result<reqwest::Response>
    where
        F: Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    {
        authed::send(&self.account, &self.base()?, what, build).await
    }

    async fn json<F>(&self, what: &str, build: F) -> Result<Value>
    where
        F: Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    {
        authed::json(&self.account, &self.base()?, what, build).await
    }

    /// The workspaces this account can read.
    pub async fn workspaces(&self) -> Result<Vec<RemoteWorkspace>> {
        let value = self
            .json("the workspace list", |c, b| {
                c.get(format!("{b}/artifacts/visible?content_type={}", encode(WORKSPACE_TYPE)))
            })
            .await?;
        let items = value.as_array().ok_or_else(|| PlatformError::Malformed {
            what: "the workspace list".into(),
            reason: "not a JSON array".into(),
        })?;
        items.iter().map(wire::remote_workspace).collect()
    }

    /// Creates a workspace on the platform.
    pub async fn create_workspace(&self, name: &str, description: &str) -> Result<RemoteWorkspace> {
        let body = json!({"name": name, "description": description, "content_type": WORKSPACE_TYPE});
        let value = self.json("creating a workspace", |c, b| c.post(format!("{b}/artifacts")).json(&body)).await?;
        wire::remote_workspace(&value)
    }

    /// Starts the children listing of a container; the caller streams the body.
    pub async fn children(&self, container: &str) -> Result<reqwest::Response> {
        self.send("the workspace's artifacts", |c, b| c.get(format!("{b}/artifacts/{}/children", encode(container))))
            .await
    }

    /// One artifact (by version id or root id).
    pub async fn get(&self, id: &str) -> Result<Value> {
        self.json("an artifact", |c, b| c.get(format!("{b}/artifacts/{}", encode(id)))).await
    }

    /// Many artifacts by id; missing and unreadable ones are left out, as the platform does.
    pub async fn batch(&self, ids: &[String]) -> Result<Vec<Value>> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_SIZE) {
            let body = json!({"artifact_ids": chunk});
            let value =
                self.json("a batch of artifacts", |c, b| c.post(format!("{b}/artifacts/batch")).json(&body)).await?;
            let artifacts = value.get("artifacts").and_then(Value::as_array).ok_or_else(|| {
                PlatformError::Malformed { what: "a batch of artifacts".into(), reason: "no artifacts array".into() }
            })?;
            found.extend(artifacts.iter().cloned());
        }
        Ok(found)
    }

    /// Creates a local artifact in a platform container.
    pub async fn create(&self, container: &str, artifact: &Artifact) -> Result<Value> {
        let body = json!({
            "container_id": container,
            "content_type": artifact.content_type,
            "context": wire::context_for(artifact, true),
            "content": artifact.content,
        });
        let created = self.json("creating an artifact", |c, b| c.post(format!("{b}/artifacts")).json(&body)).await?;
        // The platform may answer without the state; a local non-draft state is a second write.
        if artifact.state != atrium_store::ArtifactState::Draft {
            let id = created.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
            let body = json!({"state": artifact.state});
            return self
                .json("setting an artifact's state", |c, b| {
                    c.patch(format!("{b}/artifacts/{}", encode(&id))).json(&body)
                })
                .await;
        }
        Ok(created)
    }

    /// Writes a local artifact over its platform version (last write wins there: the caller checked the base).
    pub async fn update(&self, root_id: &str, artifact: &Artifact) -> Result<Value> {
        let body = json!({
            "context": wire::context_for(artifact, false),
            "content": artifact.content,
            "content_type": artifact.content_type,
            "state": artifact.state,
        });
        self.json("updating an artifact", |c, b| c.patch(format!("{b}/artifacts/{}", encode(root_id))).json(&body))
            .await
    }

    /// Deletes an artifact; one already gone counts as deleted.
    pub async fn delete(&self, id: &str) -> Result<()> {
        match self.send("deleting an artifact", |c, b| c.delete(format!("{b}/artifacts/{}", encode(id)))).await {
            Ok(_) | Err(PlatformError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// An artifact's content through `content-url` (for content the platform keeps out of line).
    pub async fn content(&self, id: &str) -> Result<String> {
        let value =
            self.json("a content URL", |c, b| c.get(format!("{b}/artifacts/{}/content-url", encode(id)))).await?;
        let url = value
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| PlatformError::Malformed { what: "a content URL".into(), reason: "no url".into() })?;
        // A presigned URL: no bearer goes with it.
        let response = self
            .account
            .http()
            .get(url)
            .send()
            .await
            .map_err(|e| PlatformError::Unreachable { url: "the content store".into(), reason: without_url(&e) })?;
        if !response.status().is_success() {
            return Err(PlatformError::from_status(response.status().as_u16(), "the content download", ""));
        }
        response
            .text()
            .await
            .map_err(|e| PlatformError::Unreachable { url: "the content store".into(), reason: without_url(&e) })
    }

    /// Creates an artifact from a ready body (used to publish a server registration).
    pub async fn create_raw(&self, body: &Value) -> Result<Value> {
        self.json("creating an artifact", |c, b| c.post(format!("{b}/artifacts")).json(body)).await
    }
}
