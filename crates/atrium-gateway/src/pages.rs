//! Lists on `/mcp` that span several sources (Atrium's workspaces, then each of the agent's servers): a page takes
//! whole pages of sources, in order, until it holds enough; its `nextCursor` names the source to go on with and
//! that source's own cursor (the server's, as it wrote it), so every server pages as it pages on its own. A
//! server's list is asked of its live session as the client would, and its entries come as the server wrote them
//! (only their names or URIs namespaced by the caller).

use std::sync::Arc;

use atrium_api::{AgentServerAccess, AgentView};
use serde_json::{Map, Value, json};

use crate::rpc::{self, INVALID_PARAMS};
use crate::sessions::Session;
use crate::{Shared, artifact_resources, resource_uris, server_requests};

/// Entries a page aims for; one source's own page may take it past this.
pub(crate) const PAGE: usize = 100;

/// Where a list's entries come from.
pub(crate) enum Source {
    /// A workspace's artifacts (by its id).
    Workspace(String),
    /// A server's own list.
    Server(AgentServerAccess),
}

impl Source {
    fn key(&self) -> String {
        match self {
            Source::Workspace(id) => format!("w:{id}"),
            Source::Server(server) => format!("s:{}", server.server_id),
        }
    }
}

/// Where a page starts: a source and its own cursor.
struct Position {
    at: usize,
    inner: Option<String>,
}

/// A cursor `/mcp` cannot continue from (the spec's answer is invalid params).
pub(crate) struct BadCursor;

fn encode(sources: &[Source], position: &Position) -> String {
    json!({"source": sources[position.at].key(), "cursor": position.inner}).to_string()
}

fn decode(sources: &[Source], cursor: &str) -> Result<Position, BadCursor> {
    let value: Value = serde_json::from_str(cursor).map_err(|_| BadCursor)?;
    let key = value.get("source").and_then(Value::as_str).ok_or(BadCursor)?;
    // A source that went away since (a server stopped being the agent's) ends the paging.
    let at = sources.iter().position(|s| s.key() == key).ok_or(BadCursor)?;
    Ok(Position { at, inner: value.get("cursor").and_then(Value::as_str).map(str::to_owned) })
}

/// How one list is made: the request it answers, what each server is asked, and how a server's entries are
/// renamed on `/mcp`.
pub(crate) struct Lister<'a> {
    pub(crate) shared: &'a Arc<Shared>,
    pub(crate) session: &'a Arc<Session>,
    pub(crate) agent: &'a AgentView,
    /// The client's request id (the servers are asked under it).
    pub(crate) id: &'a Value,
    /// The method asked of each server.
    pub(crate) method: &'static str,
    /// The array in its result.
    pub(crate) key: &'static str,
    /// The capability a server must have declared to be asked.
    pub(crate) capability: &'static str,
    /// How an entry is renamed.
    pub(crate) rename: Rename,
}

/// How a server's entry is renamed on `/mcp`.
#[derive(Clone, Copy)]
pub(crate) enum Rename {
    /// This field holds a URI (or URI template), namespaced by the server's slug.
    Uri(&'static str),
    /// The `name` gets the server's slug: `{slug}__{name}`.
    Name,
}

impl Lister<'_> {
    /// One page: entries from `sources` from `cursor` on (the start without one); the cursor of what follows, if
    /// anything does.
    pub(crate) async fn collect(
        &self,
        sources: &[Source],
        cursor: Option<&str>,
    ) -> Result<(Vec<Value>, Option<String>), BadCursor> {
        let mut position = match cursor {
            Some(cursor) => decode(sources, cursor)?,
            None => Position { at: 0, inner: None },
        };
        let mut entries = Vec::new();
        while position.at < sources.len() {
            let room = PAGE.saturating_sub(entries.len()).max(1);
            let (page, next) = self.page(&sources[position.at], position.inner.take(), room).await;
            entries.extend(page);
            position = match next {
                Some(inner) => Position { at: position.at, inner: Some(inner) },
                None => Position { at: position.at + 1, inner: None },
            };
            if entries.len() >= PAGE {
                break;
            }
        }
        let next = (position.at < sources.len()).then(|| encode(sources, &position));
        Ok((entries, next))
    }

    async fn page(&self, source: &Source, inner: Option<String>, room: usize) -> (Vec<Value>, Option<String>) {
        let server = match source {
            Source::Workspace(workspace) => return artifact_resources::page(self.shared, workspace, inner, room).await,
            Source::Server(server) => server,
        };
        if !declares(self.shared, server, self.capability) {
            return (Vec::new(), None);
        }
        let (mut entries, next) = self.server_page(server, inner).await;
        for entry in &mut entries {
            let field = match self.rename {
                Rename::Uri(field) => field,
                Rename::Name => "name",
            };
            if let Some(value) = entry.get_mut(field)
                && let Some(own) = value.as_str()
            {
                *value = Value::String(match self.rename {
                    Rename::Uri(_) => resource_uris::namespaced(&server.slug, own),
                    Rename::Name => format!("{}__{own}", server.slug),
                });
            }
        }
        (entries, next)
    }

    /// One page of a server's list: the entries as it wrote them and its next cursor. A server that fails to
    /// answer adds nothing (the others' entries still come), and says why in the log.
    async fn server_page(&self, server: &AgentServerAccess, cursor: Option<String>) -> (Vec<Value>, Option<String>) {
        let (method, id) = (self.method, self.id);
        let mut message = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if let Some(cursor) = cursor {
            message["params"] = json!({"cursor": cursor});
        }
        let (shared, session, agent) = (self.shared, self.session, self.agent);
        let answer =
            server_requests::forward(shared, session, agent, &server.server_id, id, &message, None, None).await;
        let mut answer = match answer {
            Ok(Some(answer)) => answer,
            Ok(None) => return (Vec::new(), None),
            Err(err) => {
                tracing::warn!(server = %server.slug, method, %err, "a server's list did not come");
                return (Vec::new(), None);
            }
        };
        if let Some(error) = answer.get("error") {
            tracing::warn!(server = %server.slug, method, %error, "a server refused its list");
            return (Vec::new(), None);
        }
        let Some(result) = answer.get_mut("result") else { return (Vec::new(), None) };
        let next = result.get("nextCursor").and_then(Value::as_str).map(str::to_owned);
        let entries = match result.get_mut(self.key).map(Value::take) {
            Some(Value::Array(entries)) => entries,
            _ => Vec::new(),
        };
        (entries, next)
    }

    /// The answer to the request: the page under `key`, with its `nextCursor`.
    pub(crate) fn answer(&self, page: Result<(Vec<Value>, Option<String>), BadCursor>) -> Value {
        match page {
            Ok((entries, next)) => {
                let mut result = Map::new();
                result.insert(self.key.into(), Value::Array(entries));
                if let Some(next) = next {
                    result.insert("nextCursor".into(), Value::String(next));
                }
                rpc::result(self.id, Value::Object(result))
            }
            Err(BadCursor) => {
                rpc::error(self.id, INVALID_PARAMS, "The cursor is not one this list gave (or its source is gone).")
            }
        }
    }
}

/// Whether the server's live session declared `capability` (`resources`, `prompts`, `resources/subscribe`); a
/// server not connected offers nothing now, as with its tools.
pub(crate) fn declares(shared: &Shared, server: &AgentServerAccess, capability: &str) -> bool {
    shared.atrium.gateway_initialize_result(&server.server_id).is_ok_and(|init| {
        init.pointer(&format!("/capabilities/{capability}")).is_some_and(|c| !c.is_null() && *c != false)
    })
}

/// The agent's servers, or none (and why in the log) when they cannot be read.
pub(crate) async fn servers(shared: &Shared, agent: &AgentView) -> Vec<AgentServerAccess> {
    match shared.catalogs.servers(&shared.atrium, agent).await {
        Ok(servers) => servers.as_ref().clone(),
        Err(err) => {
            tracing::warn!(%err, "could not read the agent's servers");
            Vec::new()
        }
    }
}
