//! What OAuth adds to the agents (MCP authorization for clients that only do OAuth): the clients registered by
//! dynamic registration, and the access and refresh tokens of the agents made for them — tokens as hashes only.
//! Issuing, checking and rotating tokens is the API's business; this is their storage.

use sqlx::FromRow;

use crate::clock::now;
use crate::{Result, Store};

/// A client registered by RFC 7591 dynamic registration (a public client: it has no secret).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OAuthClientRecord {
    /// Its id, chosen by Atrium.
    pub client_id: String,
    /// The name it gave (`client_name`), or its first redirect's host when it gave none.
    pub client_name: String,
    /// The redirect URIs it registered, as a JSON array: a request must name one of them exactly.
    pub redirect_uris: String,
    /// The registration as the client sent it (JSON text, verbatim).
    pub metadata: String,
    /// When it registered.
    pub created_time: String,
}

/// Which of an agent's OAuth tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthTokenKind {
    /// Short-lived, sent on every request.
    Access,
    /// Long-lived, exchanged (once) for a new pair.
    Refresh,
}

impl OAuthTokenKind {
    fn as_str(self) -> &'static str {
        match self {
            OAuthTokenKind::Access => "access",
            OAuthTokenKind::Refresh => "refresh",
        }
    }
}

/// One stored token: its hash and until when it holds.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OAuthTokenRecord {
    /// SHA-256 of the token, lowercase hex.
    pub token_hash: String,
    /// The agent it authenticates as.
    pub agent_id: String,
    /// RFC 3339; the token is refused after.
    pub expires_time: String,
}

/// A token to store: the hash, and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOAuthToken {
    /// SHA-256 of the token, lowercase hex.
    pub token_hash: String,
    /// Access or refresh.
    pub kind: OAuthTokenKind,
    /// RFC 3339.
    pub expires_time: String,
}

impl Store {
    /// Stores a registered client.
    pub async fn oauth_client_insert(&self, client: &OAuthClientRecord) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO oauth_clients (client_id, client_name, redirect_uris, metadata, created_time)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(&client.client_id)
        .bind(&client.client_name)
        .bind(&client.redirect_uris)
        .bind(&client.metadata)
        .bind(&client.created_time)
        .execute(&mut *tx)
        .await?;
        tx.commit_quietly().await?;
        Ok(())
    }

    /// A registered client, if there is one by that id.
    pub async fn oauth_client_get(&self, client_id: &str) -> Result<Option<OAuthClientRecord>> {
        Ok(sqlx::query_as("SELECT * FROM oauth_clients WHERE client_id = ?1")
            .bind(client_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Every registered client.
    pub async fn oauth_client_list(&self) -> Result<Vec<OAuthClientRecord>> {
        Ok(sqlx::query_as("SELECT * FROM oauth_clients ORDER BY created_time").fetch_all(self.pool()).await?)
    }

    /// Forgets the clients registered before `before` that no agent was made for (registration is open to any
    /// program on this machine: what never came to anything does not pile up).
    pub async fn oauth_clients_prune(&self, before: &str) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "DELETE FROM oauth_clients WHERE created_time < ?1
             AND client_id NOT IN (SELECT oauth_client_id FROM agents WHERE oauth_client_id IS NOT NULL)",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?;
        tx.commit_quietly().await?;
        Ok(done.rows_affected())
    }

    /// How many clients are registered.
    pub async fn oauth_client_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM oauth_clients").fetch_one(self.pool()).await?;
        Ok(n)
    }

    /// Stores tokens for `agent_id`; when `replacing` names a refresh token's hash, that token is removed in the
    /// same transaction and nothing is stored unless it was there (a refresh token is exchanged once: `false`
    /// when it was used already, or revoked).
    pub async fn oauth_tokens_issue(
        &self,
        agent_id: &str,
        replacing: Option<&str>,
        tokens: &[NewOAuthToken],
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if let Some(old) = replacing {
            let gone =
                sqlx::query("DELETE FROM oauth_tokens WHERE token_hash = ?1 AND agent_id = ?2 AND kind = 'refresh'")
                    .bind(old)
                    .bind(agent_id)
                    .execute(&mut *tx)
                    .await?;
            if gone.rows_affected() == 0 {
                return Ok(false);
            }
        }
        let time = now();
        // Expired tokens of this agent go while we are here.
        sqlx::query("DELETE FROM oauth_tokens WHERE agent_id = ?1 AND expires_time < ?2")
            .bind(agent_id)
            .bind(&time)
            .execute(&mut *tx)
            .await?;
        for token in tokens {
            sqlx::query(
                "INSERT INTO oauth_tokens (token_hash, agent_id, kind, expires_time, created_time)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .bind(&token.token_hash)
            .bind(agent_id)
            .bind(token.kind.as_str())
            .bind(&token.expires_time)
            .bind(&time)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit_quietly().await?;
        Ok(true)
    }

    /// An agent's tokens of one kind that have not expired (the caller compares hashes in constant time).
    pub async fn oauth_tokens_of(&self, agent_id: &str, kind: OAuthTokenKind) -> Result<Vec<OAuthTokenRecord>> {
        Ok(sqlx::query_as(
            "SELECT token_hash, agent_id, expires_time FROM oauth_tokens
             WHERE agent_id = ?1 AND kind = ?2 AND expires_time > ?3",
        )
        .bind(agent_id)
        .bind(kind.as_str())
        .bind(now())
        .fetch_all(self.pool())
        .await?)
    }

    /// Removes one token by its hash (revocation); `false` when there was none.
    pub async fn oauth_token_delete(&self, agent_id: &str, token_hash: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM oauth_tokens WHERE agent_id = ?1 AND token_hash = ?2")
            .bind(agent_id)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit_quietly().await?;
        Ok(done.rows_affected() > 0)
    }

    /// Removes every OAuth token of an agent (a revoked grant: the client must ask again).
    pub async fn oauth_tokens_delete_agent(&self, agent_id: &str) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM oauth_tokens WHERE agent_id = ?1").bind(agent_id).execute(&mut *tx).await?;
        tx.commit_quietly().await?;
        Ok(done.rows_affected())
    }
}
