//! The content types Atrium knows (built in, and declared by running servers) and which viewer shows each.
//!
//! A server contributes what it lists (`ui://…` views, and `…/type.json` resources) and, when it is a local stdio
//! server laid out as the seed's Part 5/6, what its `ui/<top>/<sub>/` folders hold. This is read once per server
//! connection and forgotten when the server's status or catalog changes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use atrium_mcp::{ResourceInfo, ServerStatus, Transport};
use atrium_viewer::types::{self, TypeDefinition};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::servers::server_slug;
use crate::{ApiResult, Atrium, SERVER_CONTENT_TYPE};

/// What one connected server contributes.
#[derive(Debug, Default)]
pub(crate) struct ServerTypes {
    /// Its `ui://` views as listed, with the listing's `_meta`.
    pub(crate) views: Vec<ResourceInfo>,
    /// The content types it declares.
    pub(crate) types: Vec<TypeDefinition>,
    /// Its tool names (for lifecycle hooks).
    pub(crate) tools: Vec<String>,
}

/// Per-server discoveries, dropped whenever a server's status or catalog changes.
#[derive(Debug, Clone, Default)]
pub(crate) struct TypeCache(Arc<Mutex<HashMap<String, Arc<ServerTypes>>>>);

impl TypeCache {
    pub(crate) fn forget(&self, server_id: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(server_id);
    }
    fn get(&self, server_id: &str) -> Option<Arc<ServerTypes>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(server_id).cloned()
    }
    fn put(&self, server_id: &str, types: Arc<ServerTypes>) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(server_id.to_owned(), types);
    }
}

/// A viewer the user can pick for a content type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ViewerChoice {
    /// Atrium's own rendering (Markdown, JSON, text).
    BuiltIn,
    /// The view a server ships.
    Server {
        /// The server.
        server_id: String,
    },
}

/// One viewer that can show a type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ViewerCandidate {
    /// How to choose it.
    pub choice: ViewerChoice,
    /// Its name for a person (`Built-in`, or the server's title).
    pub label: String,
    /// The `ui://` view, for a server.
    pub resource_uri: Option<String>,
}

/// The viewers for a type, and which one is used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ViewerChoices {
    /// The type.
    pub content_type: String,
    /// What the user picked (`None`: the first candidate).
    pub chosen: Option<ViewerChoice>,
    /// Every viewer that can show it, the default first.
    pub candidates: Vec<ViewerCandidate>,
}

/// A server's view for a type.
#[derive(Debug, Clone)]
pub(crate) struct ServerView {
    pub(crate) server_id: String,
    pub(crate) server_title: String,
    pub(crate) uri: String,
    pub(crate) listing_meta: Option<Value>,
}

fn setting_key(content_type: &str) -> String {
    format!("viewer:{}", types::normalize_mime(content_type))
}

impl Atrium {
    /// What a connected server contributes, read on first use after it connected.
    pub(crate) async fn server_types(&self, server_id: &str) -> Option<Arc<ServerTypes>> {
        let state = self.servers.state(server_id).ok()?;
        if !matches!(state.status, ServerStatus::Ready) {
            return None;
        }
        if let Some(cached) = self.types.get(server_id) {
            return Some(cached);
        }
        let tools = self.servers.tools(server_id).unwrap_or_default().into_iter().map(|t| t.name).collect();
        let listed = self.servers.resources(server_id).await.map(|c| c.resources).unwrap_or_default();
        let mut discovered = ServerTypes { tools, ..ServerTypes::default() };
        for resource in listed {
            if resource.uri.ends_with("/type.json") {
                let text = self
                    .servers
                    .read_resource(server_id, &resource.uri)
                    .await
                    .ok()
                    .and_then(|c| c.into_iter().next())
                    .and_then(|c| c.text);
                match text.map(|t| types::parse_type_json(&t)) {
                    Some(Ok(definition)) => discovered.types.push(definition),
                    Some(Err(err)) => {
                        tracing::warn!(server = server_id, uri = %resource.uri, %err, "invalid type.json")
                    }
                    None => {}
                }
            } else if atrium_viewer::resource::is_ui_uri(&resource.uri) {
                discovered.views.push(resource);
            }
        }
        if let Some(root) = self.local_folder(server_id).await {
            for found in types::scan_types_folder(&root) {
                if !discovered.types.iter().any(|t| t.mime == found.definition.mime) {
                    discovered.types.push(found.definition);
                }
            }
        }
        let discovered = Arc::new(discovered);
        self.types.put(server_id, discovered.clone());
        Some(discovered)
    }

    /// The folder a local server runs from: its `cwd`, else the folder of the first argument that is a file
    /// (`python /srv/recipes/server.py`).
    async fn local_folder(&self, server_id: &str) -> Option<PathBuf> {
        let artifact = self.store.get_artifact(server_id).await.ok()?;
        let registration = atrium_mcp::registration::parse(&atrium_mcp::registration::stored(&artifact)).ok()?;
        let Transport::Stdio { args, cwd, .. } = registration.transport else { return None };
        if let Some(cwd) = cwd {
            return Some(PathBuf::from(cwd));
        }
        args.iter()
            .map(PathBuf::from)
            .find(|p| p.is_absolute() && p.is_file())
            .and_then(|p| p.parent().map(PathBuf::from))
    }

    /// Servers in the order a workspace prefers them: its own first, then the others.
    async fn servers_for(&self, workspace_id: Option<&str>) -> ApiResult<Vec<(String, String)>> {
        let mut servers = self.store.artifacts_of_type(SERVER_CONTENT_TYPE, None).await?;
        servers.sort_by_key(|s| Some(s.workspace_id.as_str()) != workspace_id);
        Ok(servers.into_iter().map(|s| (s.id, s.title)).collect())
    }

    /// Every definition known: built-in ones are not definitions, so this is only what servers declare.
    async fn declared_types(&self, servers: &[(String, String)]) -> Vec<(String, TypeDefinition)> {
        let mut declared = Vec::new();
        for (id, _) in servers {
            if let Some(found) = self.server_types(id).await {
                declared.extend(found.types.iter().cloned().map(|t| (id.clone(), t)));
            }
        }
        declared
    }

    /// The server views that can show `content_type`, best first: for the type itself, then along its fallback
    /// chain; within a step, servers of the artifact's workspace first.
    pub(crate) async fn server_views(
        &self,
        content_type: &str,
        workspace_id: Option<&str>,
    ) -> ApiResult<Vec<ServerView>> {
        let servers = self.servers_for(workspace_id).await?;
        let declared = self.declared_types(&servers).await;
        let chain = types::fallback_chain(content_type, |m| declared.iter().map(|(_, t)| t).find(|t| t.mime == m));
        let mut views = Vec::new();
        for mime in &chain {
            for (id, title) in &servers {
                let Some(found) = self.server_types(id).await else { continue };
                let listed = found.views.iter().find(|v| types::is_view_for(&v.uri, mime));
                let view = match listed {
                    Some(v) => Some((v.uri.clone(), v.meta.clone())),
                    // Declared but not listed (servers may leave views out of resources/list): the Agience rule.
                    None if found.types.iter().any(|t| &t.mime == mime) => {
                        types::view_slug(mime).map(|slug| (format!("ui://{}/{slug}.html", server_slug(title)), None))
                    }
                    None => None,
                };
                if let Some((uri, listing_meta)) = view
                    && !views.iter().any(|v: &ServerView| v.server_id == *id)
                {
                    views.push(ServerView { server_id: id.clone(), server_title: title.clone(), uri, listing_meta });
                }
            }
        }
        Ok(views)
    }

    /// The server that owns a content type (declares it or serves its view), for lifecycle hooks.
    pub(crate) async fn type_owner(
        &self,
        content_type: &str,
        workspace_id: &str,
    ) -> Option<(String, Arc<ServerTypes>)> {
        let mime = types::normalize_mime(content_type);
        if mime == SERVER_CONTENT_TYPE || types::view_slug(&mime).is_none() {
            return None;
        }
        for (id, _) in self.servers_for(Some(workspace_id)).await.ok()? {
            if let Some(found) = self.server_types(&id).await
                && (found.types.iter().any(|t| t.mime == mime)
                    || found.views.iter().any(|v| types::is_view_for(&v.uri, &mime)))
            {
                return Some((id, found));
            }
        }
        None
    }

    /// The viewers that can show a content type, and the user's choice.
    pub async fn viewer_choices(&self, content_type: String) -> ApiResult<ViewerChoices> {
        let views = self.server_views(&content_type, None).await?;
        let mut candidates: Vec<ViewerCandidate> = views
            .into_iter()
            .map(|v| ViewerCandidate {
                choice: ViewerChoice::Server { server_id: v.server_id },
                label: v.server_title,
                resource_uri: Some(v.uri),
            })
            .collect();
        candidates.push(ViewerCandidate {
            choice: ViewerChoice::BuiltIn,
            label: "Built-in".into(),
            resource_uri: None,
        });
        let chosen = self.chosen_viewer(&content_type).await?;
        Ok(ViewerChoices { content_type: types::normalize_mime(&content_type), chosen, candidates })
    }

    /// Picks the viewer for a content type (`None`: back to the default).
    pub async fn viewer_choose(&self, content_type: String, choice: Option<ViewerChoice>) -> ApiResult<ViewerChoices> {
        let value = match &choice {
            Some(choice) => serde_json::to_value(choice)
                .map_err(|e| crate::ApiError::new(crate::ErrorCode::Internal, e.to_string()))?,
            None => Value::Null,
        };
        self.store.set_setting(&setting_key(&content_type), &value).await?;
        self.viewer_choices(content_type).await
    }

    pub(crate) async fn chosen_viewer(&self, content_type: &str) -> ApiResult<Option<ViewerChoice>> {
        let value = self.store.setting(&setting_key(content_type)).await?;
        Ok(value.and_then(|v| serde_json::from_value(v).ok()))
    }

    /// Types declared by connected servers, as badges (after the built-in ones, which win).
    pub(crate) async fn discovered_content_types(&self) -> ApiResult<Vec<crate::ContentTypeInfo>> {
        let servers = self.servers_for(None).await?;
        let mut infos: Vec<crate::ContentTypeInfo> = Vec::new();
        for (server_id, definition) in self.declared_types(&servers).await {
            if infos.iter().any(|i| i.mime == definition.mime) {
                continue;
            }
            let sub = definition.mime.split_once('/').map(|(_, s)| s.to_owned()).unwrap_or_default();
            infos.push(crate::ContentTypeInfo {
                label: definition.ui.label.clone().unwrap_or(sub),
                icon: definition.ui.icon.clone().unwrap_or_else(|| "file".into()),
                color: definition.ui.color.clone().unwrap_or_default(),
                json: atrium_store::validate::is_json_content_type(&definition.mime),
                mime: definition.mime,
                server_id: Some(server_id),
            });
        }
        Ok(infos)
    }
}
