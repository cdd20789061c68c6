//! What each agent is offered — the servers it gets and the tools it is listed — worked out at most once a second
//! per agent and shared by all its sessions and requests. Every tool call and list needs the first; working it out
//! from the store each time cost a query or two per request, and a catalog change made every open session ask at
//! once (thousands of queries: the store's pool starved). The tools list of an agent with 20 servers × 50 tools was
//! rebuilt, a thousand schemas copied, for each `tools/list`.
//!
//! An entry serves only while the agent's own choice (its workspaces, scopes and servers) is the same, no server's
//! catalog moved, and it is under a second old: a registration renamed, or another agent naming a server, shows
//! within that second. Tokens are not cached here: a removed or rotated agent is refused on its next request.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atrium_api::{AgentScope, AgentServer, AgentServerAccess, AgentView, ApiResult, Atrium};
use serde_json::Value;
use tokio::sync::OnceCell;

/// How long a reading serves.
const FRESH_FOR: Duration = Duration::from_secs(1);

type Servers = OnceCell<ApiResult<Arc<Vec<AgentServerAccess>>>>;
type Tools = OnceCell<Arc<Vec<Value>>>;
type ToolsText = OnceCell<Arc<str>>;

/// What an agent is offered, as of one moment.
struct Entry {
    read_at: Instant,
    catalog: u64,
    workspaces: Vec<String>,
    scopes: Vec<AgentScope>,
    servers: Vec<AgentServer>,
    offered: Arc<Offered>,
}

#[derive(Default)]
struct Offered {
    servers: Servers,
    tools: Tools,
    /// `tools` as JSON text: what `tools/list` on `/mcp` answers, written once per reading.
    tools_text: ToolsText,
}

/// The agents' catalogs, shared by the gateway's requests.
#[derive(Default)]
pub(crate) struct AgentCatalogs {
    entries: Mutex<HashMap<String, Entry>>,
}

impl AgentCatalogs {
    /// The reading for `agent` now: the last one while it serves, else a new, empty one.
    fn offered(&self, atrium: &Atrium, agent: &AgentView) -> Arc<Offered> {
        let catalog = *atrium.catalog_changes().borrow();
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let serves = |e: &&Entry| {
            e.read_at.elapsed() < FRESH_FOR
                && e.catalog == catalog
                && e.workspaces == agent.workspaces
                && e.scopes == agent.scopes
                && e.servers == agent.servers
        };
        if let Some(entry) = entries.get(&agent.id).filter(serves) {
            return entry.offered.clone();
        }
        let offered = Arc::new(Offered::default());
        let entry = Entry {
            read_at: Instant::now(),
            catalog,
            workspaces: agent.workspaces.clone(),
            scopes: agent.scopes.clone(),
            servers: agent.servers.clone(),
            offered: offered.clone(),
        };
        entries.insert(agent.id.clone(), entry);
        offered
    }

    /// The servers `agent` gets now (see [`Atrium::agent_servers`]); concurrent askers share one read.
    pub(crate) async fn servers(&self, atrium: &Atrium, agent: &AgentView) -> ApiResult<Arc<Vec<AgentServerAccess>>> {
        let offered = self.offered(atrium, agent);
        offered.servers.get_or_init(|| async { atrium.agent_servers(agent).await.map(Arc::new) }).await.clone()
    }

    /// The tools `agent` is listed now, built by `build` from its servers once per reading.
    pub(crate) async fn tools<F, Fut>(&self, atrium: &Atrium, agent: &AgentView, build: F) -> Arc<Vec<Value>>
    where
        F: FnOnce(ApiResult<Arc<Vec<AgentServerAccess>>>) -> Fut,
        Fut: Future<Output = Vec<Value>>,
    {
        let offered = self.offered(atrium, agent);
        Self::built(atrium, agent, &offered, build).await
    }

    /// [`AgentCatalogs::tools`] as JSON text (an array), written once per reading: a list of a thousand tools is
    /// neither copied nor serialized again for each `tools/list`.
    pub(crate) async fn tools_text<F, Fut>(&self, atrium: &Atrium, agent: &AgentView, build: F) -> Arc<str>
    where
        F: FnOnce(ApiResult<Arc<Vec<AgentServerAccess>>>) -> Fut,
        Fut: Future<Output = Vec<Value>>,
    {
        let offered = self.offered(atrium, agent);
        let tools = Self::built(atrium, agent, &offered, build).await;
        let text = offered.tools_text.get_or_init(|| async {
            Arc::from(serde_json::to_string(tools.as_ref()).unwrap_or_else(|_| "[]".to_owned()))
        });
        text.await.clone()
    }

    async fn built<F, Fut>(atrium: &Atrium, agent: &AgentView, offered: &Offered, build: F) -> Arc<Vec<Value>>
    where
        F: FnOnce(ApiResult<Arc<Vec<AgentServerAccess>>>) -> Fut,
        Fut: Future<Output = Vec<Value>>,
    {
        let servers = offered.servers.get_or_init(|| async { atrium.agent_servers(agent).await.map(Arc::new) }).await;
        offered.tools.get_or_init(|| async { Arc::new(build(servers.clone()).await) }).await.clone()
    }
}
