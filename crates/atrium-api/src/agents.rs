//! The person's agents: the MCP clients (Claude Desktop, Cursor, a script) that reach Atrium through its gateway
//! (DESIGN §5b). An agent is a local record — a name, the workspaces it may see, its scopes, the servers it gets
//! with their tool allowlists — and a bearer token shown once, when it is made or rotated. The store keeps only
//! the token's SHA-256; a presented token names its agent and is compared with that hash in constant time, so a
//! token is never looked up by its hash (no timing on the lookup tells a guesser how close it came).

use atrium_store::{AgentRecord, AgentServer, NewAgentRecord, OAuthTokenKind};
use serde::{Deserialize, Serialize};

use crate::agent_tokens::{ACCESS_PREFIX, hash, live_hash, named_agent, random_secret, same};
use crate::{ApiError, ApiResult, Atrium, ErrorCode, FieldProblem};

/// Every token begins so (tells a reader what it is; secret scanners can match it).
const TOKEN_PREFIX: &str = "atrium_agent_";
/// How often a token's use is written down at most (a busy agent would otherwise write on every request).
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(30);

/// What an agent may do with the workspaces it sees (seed 001's scopes, plus `admin` for the server tools).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum AgentScope {
    /// List, search and read artifacts.
    Read,
    /// Publish, revise, retitle and delete artifacts.
    Write,
    /// Make and revoke share links (on a workspace that is on the platform).
    Share,
    /// Manage servers (register, update, remove, test).
    Admin,
}

impl AgentScope {
    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentScope::Read => "read",
            AgentScope::Write => "write",
            AgentScope::Share => "share",
            AgentScope::Admin => "admin",
        }
    }

    /// The scope named so, if any.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "read" => Some(AgentScope::Read),
            "write" => Some(AgentScope::Write),
            "share" => Some(AgentScope::Share),
            "admin" => Some(AgentScope::Admin),
            _ => None,
        }
    }
}

/// An agent as the window and the terminal show it. Its token is not here: it is shown once, in [`AgentToken`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct AgentView {
    /// Id (UUID).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The workspaces it may see; empty: all of them.
    pub workspaces: Vec<String>,
    /// What it may do there.
    pub scopes: Vec<AgentScope>,
    /// The servers it names, each with its tool allowlist; empty: every server no agent names.
    pub servers: Vec<AgentServer>,
    /// When it was made.
    pub created_time: String,
    /// When its token was made (at creation, or its last rotation).
    pub rotated_time: String,
    /// When its token was last used (to the nearest half minute).
    pub last_used_time: Option<String>,
    /// The OAuth client it was made for (approved in the consent dialog); `None` for an agent with a token.
    pub oauth: Option<AgentOAuth>,
}

/// An agent's OAuth side, as the window and the terminal show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct AgentOAuth {
    /// The client's id (from its registration).
    pub client_id: String,
    /// The name the client gave.
    pub client_name: String,
}

/// A new agent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct NewAgent {
    /// Its name (unique).
    pub name: String,
    /// The workspaces it may see (ids); empty: all of them.
    #[serde(default)]
    pub workspaces: Vec<String>,
    /// What it may do; empty: `read` only.
    #[serde(default)]
    pub scopes: Vec<AgentScope>,
    /// The servers it gets (ids), each with an optional tool allowlist; empty: every server no agent names.
    #[serde(default)]
    pub servers: Vec<AgentServer>,
}

/// An agent's token, the only time it is shown: after the agent was made, or its token rotated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct AgentToken {
    /// The agent's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The bearer token (`Authorization: Bearer …`). Atrium keeps only its hash: copy it now.
    pub token: String,
}

fn view(record: AgentRecord, client_name: Option<String>) -> AgentView {
    let mut scopes: Vec<AgentScope> = record.scopes.iter().filter_map(|s| AgentScope::parse(s)).collect();
    scopes.sort();
    scopes.dedup();
    AgentView {
        id: record.id,
        name: record.name,
        workspaces: record.workspaces,
        scopes,
        servers: record.servers,
        created_time: record.created_time,
        rotated_time: record.rotated_time,
        last_used_time: record.last_used_time,
        oauth: record
            .oauth_client_id
            .map(|client_id| AgentOAuth { client_name: client_name.unwrap_or_else(|| client_id.clone()), client_id }),
    }
}

/// A fresh token for the agent `id`: the prefix, the agent's id (so a presented token names whose hash to compare
/// with), and 256 random bits.
fn new_token(id: &uuid::Uuid) -> ApiResult<String> {
    Ok(format!("{TOKEN_PREFIX}{}_{}", id.simple(), random_secret()?))
}

/// The agent id a token names, if it is shaped like one of Atrium's.
fn token_agent(token: &str) -> Option<String> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    if secret.is_empty() {
        return None;
    }
    uuid::Uuid::try_parse(id).ok().map(|id| id.hyphenated().to_string())
}

fn invalid(field: &str, message: String) -> ApiError {
    crate::registrations::invalid(vec![FieldProblem { field: field.to_owned(), message, position: None }])
}

impl Atrium {
    /// Makes an agent and its token (shown this once). The workspaces and servers it names must exist; a
    /// server named twice is refused.
    #[tracing::instrument(skip(self, input), fields(name = %input.name))]
    pub async fn agent_create(&self, input: NewAgent) -> ApiResult<AgentToken> {
        self.agent_make(input, None).await
    }

    /// Makes an agent; one made for an OAuth client (`oauth_client_id`) signs in with OAuth tokens, and the token
    /// made here is never shown to anyone.
    pub(crate) async fn agent_make(&self, input: NewAgent, oauth_client_id: Option<String>) -> ApiResult<AgentToken> {
        let id = uuid::Uuid::new_v4();
        let token = new_token(&id)?;
        let mut record = self.agent_record(input, id.hyphenated().to_string()).await?;
        record.token_hash = hash(&token);
        record.oauth_client_id = oauth_client_id;
        let record = self.store.agent_insert(&record).await?;
        tracing::info!(agent = %record.id, "agent created");
        Ok(AgentToken { id: record.id, name: record.name, token })
    }

    /// Gives an agent the name, workspaces, scopes and servers of `input` (an OAuth client approved again): its
    /// tokens stay.
    pub(crate) async fn agent_regrant(&self, id: &str, input: NewAgent) -> ApiResult<AgentView> {
        let record = self.agent_record(input, id.to_owned()).await?;
        let record = self.store.agent_update_grants(id, &record).await?;
        tracing::info!(agent = %record.id, "agent's grants changed");
        self.view_of(record).await
    }

    /// `input` checked (a name; workspaces and servers that exist, none named twice; `read` when no scope) as the
    /// record to store, without its token.
    async fn agent_record(&self, input: NewAgent, id: String) -> ApiResult<NewAgentRecord> {
        let name = input.name.trim().to_owned();
        if name.is_empty() {
            return Err(invalid("name", "An agent needs a name.".into()));
        }
        for workspace in &input.workspaces {
            self.store
                .get_workspace(workspace)
                .await
                .map_err(|_| invalid("workspaces", format!("There is no workspace {workspace}.")))?;
        }
        let mut seen = std::collections::HashSet::new();
        for server in &input.servers {
            if !seen.insert(server.server_id.clone()) {
                return Err(invalid("servers", format!("The server {} is named twice.", server.server_id)));
            }
            self.server_artifact(&server.server_id)
                .await
                .map_err(|_| invalid("servers", format!("There is no server {}.", server.server_id)))?;
        }
        let mut scopes = if input.scopes.is_empty() { vec![AgentScope::Read] } else { input.scopes };
        scopes.sort();
        scopes.dedup();
        Ok(NewAgentRecord {
            id,
            name,
            token_hash: String::new(),
            workspaces: input.workspaces,
            scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            servers: input.servers,
            oauth_client_id: None,
        })
    }

    /// Every agent, by name.
    pub async fn agent_list(&self) -> ApiResult<Vec<AgentView>> {
        let clients: std::collections::HashMap<String, String> =
            self.store.oauth_client_list().await?.into_iter().map(|c| (c.client_id, c.client_name)).collect();
        Ok(self
            .store
            .agent_list()
            .await?
            .into_iter()
            .map(|a| {
                let name = a.oauth_client_id.as_ref().and_then(|c| clients.get(c).cloned());
                view(a, name)
            })
            .collect())
    }

    /// One agent, by id or exact name.
    pub async fn agent_get(&self, id_or_name: String) -> ApiResult<AgentView> {
        let record = self.store.agent_get(&id_or_name).await?;
        self.view_of(record).await
    }

    pub(crate) async fn view_of(&self, record: AgentRecord) -> ApiResult<AgentView> {
        let name = match &record.oauth_client_id {
            Some(client) => self.store.oauth_client_get(client).await?.map(|c| c.client_name),
            None => None,
        };
        Ok(view(record, name))
    }

    /// Removes an agent: its token stops working at once (sessions it holds end with their next request).
    pub async fn agent_remove(&self, id_or_name: String) -> ApiResult<()> {
        let agent = self.store.agent_get(&id_or_name).await?;
        self.store.agent_delete(&agent.id).await?;
        tracing::info!(agent = %agent.id, "agent removed");
        Ok(())
    }

    /// Gives an agent a new token (shown this once); the old one, and every OAuth token it holds, stop working at
    /// once (an OAuth client must then be approved again).
    pub async fn agent_rotate(&self, id_or_name: String) -> ApiResult<AgentToken> {
        let agent = self.store.agent_get(&id_or_name).await?;
        let id = uuid::Uuid::try_parse(&agent.id)
            .map_err(|_| ApiError::new(ErrorCode::Internal, format!("The agent id {} is not a UUID.", agent.id)))?;
        let token = new_token(&id)?;
        let record = self.store.agent_set_token_hash(&agent.id, &hash(&token)).await?;
        tracing::info!(agent = %record.id, "agent token rotated");
        Ok(AgentToken { id: record.id, name: record.name, token })
    }

    /// The agent a bearer token belongs to, or `None` (unknown shape, no such agent, a revoked or rotated token):
    /// the caller answers all of these alike. Its use is written down.
    pub async fn agent_authenticate(&self, token: &str) -> ApiResult<Option<AgentView>> {
        // An OAuth access token names its agent too, and is checked against that agent's live access tokens.
        let oauth = token.starts_with(ACCESS_PREFIX);
        let id = match named_agent(ACCESS_PREFIX, token) {
            Some(id) if oauth => live_hash(&self.store, &id, OAuthTokenKind::Access, token).await?.map(|_| id),
            _ if oauth => None,
            _ => token_agent(token),
        };
        let Some(id) = id else { return Ok(None) };
        let record = match self.store.agent_get(&id).await {
            Ok(record) if record.id == id => record,
            Ok(_) | Err(atrium_store::StoreError::NotFound { .. }) => return Ok(None),
            Err(err) => return Err(err.into()),
        };
        if !oauth && !same(hash(token).as_bytes(), record.token_hash.as_bytes()) {
            return Ok(None);
        }
        let mut agent = self.view_of(record).await?;
        let stale = agent
            .last_used_time
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .is_none_or(|t| chrono::Utc::now().signed_duration_since(t) > TOUCH_EVERY);
        if stale {
            agent.last_used_time = Some(self.store.agent_touch(&agent.id).await?);
        }
        Ok(Some(agent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_agent_and_nothing_else_passes() {
        let id = uuid::Uuid::new_v4();
        let token = new_token(&id).expect("token");
        assert_eq!(token_agent(&token), Some(id.hyphenated().to_string()));
        assert_ne!(new_token(&id).expect("token"), token, "every token is fresh");
        for shape in ["", "atrium_agent_", "atrium_agent_nope_x", "Bearer x", &format!("atrium_agent_{}_", id.simple())]
        {
            assert_eq!(token_agent(shape), None, "{shape}");
        }
        assert!(same(b"abc", b"abc") && !same(b"abc", b"abd") && !same(b"abc", b"ab"));
    }
}
