//! [`Remote`]: another client of the default user, editing concurrently through the same write paths as REST,
//! so its edits reach `/events` exactly as REST edits do.

use std::sync::Arc;

use serde_json::{Value, json};

use super::ops::{self, Patch};
use super::state::Shared;
use super::store::{WORKSPACE_CT, child_out, py_dumps};
use super::util::lock;

/// Acts as "another client of the same user" (the default user). Cheap to clone.
#[derive(Clone)]
pub struct Remote {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote").field("platform", &self.shared.urls.platform()).finish()
    }
}

impl Remote {
    fn user_id(&self) -> String {
        self.shared.default_user().id
    }

    /// The default user's workspaces, as `GET /artifacts/visible?content_type=…workspace+json` lists them.
    pub fn workspaces(&self) -> Vec<Value> {
        let store = lock(&self.shared.store);
        store.visible(&self.user_id(), Some(WORKSPACE_CT)).into_iter().map(|r| r.to_value()).collect()
    }

    /// A container's children, as `GET /artifacts/{id}/children` lists them (empty if unreadable).
    pub fn children(&self, container: &str) -> Vec<Value> {
        let user_id = self.user_id();
        let store = lock(&self.shared.store);
        let Some(root) = store.find_readable(&user_id, container).map(|c| c.root_id.clone()) else {
            return Vec::new();
        };
        store
            .children(&root)
            .into_iter()
            .map(|(key, row, committed)| serde_json::to_value(child_out(key, row, committed)).unwrap_or(Value::Null))
            .collect()
    }

    /// One artifact by version or root id, as `GET /artifacts/{id}` returns it.
    pub fn get(&self, id_or_root: &str) -> Option<Value> {
        ops::read(&self.shared, &self.user_id(), id_or_root).ok()
    }

    /// Creates a workspace (no event, like the platform).
    pub fn create_workspace(&self, name: &str) -> Value {
        ops::create_workspace(&self.shared, &self.user_id(), name)
    }

    /// Creates a child with context `{"title", "content_type"}`; emits `artifact.created`.
    /// Returns `Value::Null` if the container is not the default user's.
    pub fn create(&self, container_id: &str, title: &str, content_type: &str, content: &str) -> Value {
        let context = py_dumps(&json!({ "title": title, "content_type": content_type }));
        ops::create_child(&self.shared, &self.user_id(), container_id, &context, content, Some(content_type))
            .unwrap_or(Value::Null)
    }

    /// Edits the title (inside the context) and/or the content; emits `artifact.updated`. `None` if not found.
    pub fn update(&self, id_or_root: &str, title: Option<&str>, content: Option<&str>) -> Option<Value> {
        let user_id = self.user_id();
        let context = match title {
            Some(title) => {
                let current = lock(&self.shared.store).find_readable(&user_id, id_or_root)?.context.clone();
                let mut ctx = match serde_json::from_str::<Value>(&current) {
                    Ok(Value::Object(map)) => map,
                    _ => serde_json::Map::new(),
                };
                ctx.insert("title".into(), json!(title));
                Some(py_dumps(&Value::Object(ctx)))
            }
            None => None,
        };
        let patch = Patch { context, content: content.map(str::to_owned), ..Patch::default() };
        ops::update(&self.shared, &user_id, id_or_root, patch).ok()
    }

    /// Sets a container's description, as `PATCH /artifacts/{id} {description}` does (the platform ignores one
    /// given on create). `None` if not found.
    pub fn describe(&self, id_or_root: &str, description: &str) -> Option<Value> {
        let patch = Patch { description: Some(description.to_owned()), ..Patch::default() };
        ops::update(&self.shared, &self.user_id(), id_or_root, patch).ok()
    }

    /// Deletes an artifact; emits `artifact.deleted`. `false` if it was not found (or is a container).
    pub fn delete(&self, id_or_root: &str) -> bool {
        ops::delete(&self.shared, &self.user_id(), id_or_root).is_ok()
    }

    /// Bulk-inserts `count` text/markdown artifacts of `content_bytes` bytes each, without events (benchmarks).
    pub fn seed(&self, container_id: &str, count: usize, content_bytes: usize) {
        ops::seed(&self.shared, &self.user_id(), container_id, count, content_bytes);
    }
}
