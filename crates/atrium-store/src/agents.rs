//! The person's agents (the MCP clients of Atrium's gateway): local records, never synced. The store keeps an
//! agent's token only as a hash; making, checking and rotating tokens is the API's business.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::clock::now;
use crate::error::Entity;
use crate::{Result, Store, StoreError};

/// A server an agent gets, with the tools it may call there (`None`: every tool the registration allows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AgentServer {
    /// The server registration's id.
    pub server_id: String,
    /// Only these tools (intersected with the registration's `allowed_tools`); `None` for all.
    #[serde(default)]
    pub tools: Option<Vec<String>>,
}

/// An agent as stored. There is no token here: only its hash, which never leaves the store's callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRecord {
    /// Id (UUID).
    pub id: String,
    /// Its name, unique.
    pub name: String,
    /// SHA-256 of its token, lowercase hex.
    pub token_hash: String,
    /// The workspaces it may see (empty: all).
    pub workspaces: Vec<String>,
    /// Its scopes (`read`, `write`, `share`, `admin`).
    pub scopes: Vec<String>,
    /// The servers it names (empty: every server no agent names).
    pub servers: Vec<AgentServer>,
    /// When it was made.
    pub created_time: String,
    /// When its token was last made (at creation or rotation).
    pub rotated_time: String,
    /// When its token was last used.
    pub last_used_time: Option<String>,
    /// The OAuth client it was made for (approved in the window's consent dialog); `None` for a token agent.
    pub oauth_client_id: Option<String>,
}

/// A new agent, its token already hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgentRecord {
    /// Id (UUID), chosen by the caller (the token names it).
    pub id: String,
    /// Its name.
    pub name: String,
    /// SHA-256 of its token, lowercase hex.
    pub token_hash: String,
    /// The workspaces it may see (empty: all).
    pub workspaces: Vec<String>,
    /// Its scopes.
    pub scopes: Vec<String>,
    /// Its servers (empty: every server no agent names).
    pub servers: Vec<AgentServer>,
    /// The OAuth client it is made for, if any.
    pub oauth_client_id: Option<String>,
}

#[derive(FromRow)]
struct AgentRow {
    id: String,
    name: String,
    token_hash: String,
    workspaces: String,
    scopes: String,
    servers: String,
    created_time: String,
    rotated_time: String,
    last_used_time: Option<String>,
    oauth_client_id: Option<String>,
}

impl TryFrom<AgentRow> for AgentRecord {
    type Error = StoreError;
    fn try_from(row: AgentRow) -> Result<Self> {
        let corrupt = |e: serde_json::Error| StoreError::Corrupt {
            entity: Entity::Agent,
            id: row.id.clone(),
            message: e.to_string(),
        };
        Ok(AgentRecord {
            workspaces: serde_json::from_str(&row.workspaces).map_err(corrupt)?,
            scopes: serde_json::from_str(&row.scopes).map_err(corrupt)?,
            servers: serde_json::from_str(&row.servers).map_err(corrupt)?,
            id: row.id,
            name: row.name,
            token_hash: row.token_hash,
            created_time: row.created_time,
            rotated_time: row.rotated_time,
            last_used_time: row.last_used_time,
            oauth_client_id: row.oauth_client_id,
        })
    }
}

/// A list as the JSON text its column holds (lists of strings and plain records always serialize).
fn json_list<T: Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound { entity: Entity::Agent, id: id.to_owned() }
}

impl Store {
    /// Stores a new agent; a name already taken is refused as invalid input naming `name`.
    pub async fn agent_insert(&self, agent: &NewAgentRecord) -> Result<AgentRecord> {
        let mut tx = self.begin_write().await?;
        let taken: Option<(String,)> =
            sqlx::query_as("SELECT id FROM agents WHERE name = ?1").bind(&agent.name).fetch_optional(&mut *tx).await?;
        if taken.is_some() {
            return Err(StoreError::Invalid(vec![crate::FieldProblem {
                field: "name".into(),
                message: format!("An agent named {} exists already.", agent.name),
                position: None,
            }]));
        }
        let time = now();
        let row: AgentRow = sqlx::query_as(
            "INSERT INTO agents (id, name, token_hash, workspaces, scopes, servers, created_time, rotated_time,
                                 oauth_client_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8) RETURNING *",
        )
        .bind(&agent.id)
        .bind(&agent.name)
        .bind(&agent.token_hash)
        .bind(json_list(&agent.workspaces))
        .bind(json_list(&agent.scopes))
        .bind(json_list(&agent.servers))
        .bind(time)
        .bind(&agent.oauth_client_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit_quietly().await?;
        row.try_into()
    }

    /// Every agent, by name.
    pub async fn agent_list(&self) -> Result<Vec<AgentRecord>> {
        let rows: Vec<AgentRow> =
            sqlx::query_as("SELECT * FROM agents ORDER BY name COLLATE NOCASE").fetch_all(self.pool()).await?;
        rows.into_iter().map(AgentRecord::try_from).collect()
    }

    /// One agent by id or exact name.
    pub async fn agent_get(&self, id_or_name: &str) -> Result<AgentRecord> {
        let row: Option<AgentRow> = sqlx::query_as("SELECT * FROM agents WHERE id = ?1 OR name = ?1 LIMIT 1")
            .bind(id_or_name)
            .fetch_optional(self.pool())
            .await?;
        row.ok_or_else(|| not_found(id_or_name))?.try_into()
    }

    /// Replaces an agent's token hash (rotation): the old token, and every OAuth token it holds, stop working at
    /// once.
    pub async fn agent_set_token_hash(&self, id: &str, token_hash: &str) -> Result<AgentRecord> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM oauth_tokens WHERE agent_id = ?1").bind(id).execute(&mut *tx).await?;
        let row: Option<AgentRow> =
            sqlx::query_as("UPDATE agents SET token_hash = ?2, rotated_time = ?3 WHERE id = ?1 RETURNING *")
                .bind(id)
                .bind(token_hash)
                .bind(now())
                .fetch_optional(&mut *tx)
                .await?;
        tx.commit_quietly().await?;
        row.ok_or_else(|| not_found(id))?.try_into()
    }

    /// Changes what an agent is called and may do (an OAuth client approved again: the person's new answer); a name
    /// another agent has is refused as invalid input naming `name`.
    pub async fn agent_update_grants(&self, id: &str, agent: &NewAgentRecord) -> Result<AgentRecord> {
        let mut tx = self.begin_write().await?;
        let taken: Option<(String,)> = sqlx::query_as("SELECT id FROM agents WHERE name = ?1 AND id <> ?2")
            .bind(&agent.name)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Invalid(vec![crate::FieldProblem {
                field: "name".into(),
                message: format!("An agent named {} exists already.", agent.name),
                position: None,
            }]));
        }
        let row: Option<AgentRow> = sqlx::query_as(
            "UPDATE agents SET name = ?2, workspaces = ?3, scopes = ?4, servers = ?5 WHERE id = ?1 RETURNING *",
        )
        .bind(id)
        .bind(&agent.name)
        .bind(json_list(&agent.workspaces))
        .bind(json_list(&agent.scopes))
        .bind(json_list(&agent.servers))
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit_quietly().await?;
        row.ok_or_else(|| not_found(id))?.try_into()
    }

    /// The agent made for an OAuth client, if there is one.
    pub async fn agent_of_client(&self, client_id: &str) -> Result<Option<AgentRecord>> {
        let row: Option<AgentRow> = sqlx::query_as("SELECT * FROM agents WHERE oauth_client_id = ?1 LIMIT 1")
            .bind(client_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(AgentRecord::try_from).transpose()
    }

    /// Records that an agent's token was used now.
    pub async fn agent_touch(&self, id: &str) -> Result<String> {
        let time = now();
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE agents SET last_used_time = ?2 WHERE id = ?1")
            .bind(id)
            .bind(&time)
            .execute(&mut *tx)
            .await?;
        tx.commit_quietly().await?;
        Ok(time)
    }

    /// Removes an agent (its token and its OAuth tokens stop working at once); `false` when there was none.
    pub async fn agent_delete(&self, id: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM agents WHERE id = ?1").bind(id).execute(&mut *tx).await?;
        tx.commit_quietly().await?;
        Ok(done.rows_affected() > 0)
    }
}
