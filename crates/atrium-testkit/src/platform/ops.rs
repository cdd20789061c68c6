//! Mantle's write and read paths (`workspace_service` and the artifacts router), shared by the REST handlers,
//! `Remote` and the control surface, so a remote edit emits exactly what a REST edit emits.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::bus::Event;
use super::error::ApiError;
use super::state::{Shared, bump};
use super::store::{ArtState, Row, Store, WORKSPACE_CT, py_dumps};
use super::util::{iso_from_micros, lock};

/// A partial update (`UpdateArtifactRequest`).
#[derive(Default, Debug)]
pub(crate) struct Patch {
    pub context: Option<String>,
    pub content: Option<String>,
    pub state: Option<String>,
    pub content_type: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
}

fn parse_object(context: &str) -> Map<String, Value> {
    match serde_json::from_str(context) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn content_key_for(id: &str) -> String {
    format!("artifacts/{id}.content")
}

/// Creates a workspace (`dispatch_create_workspace`): context `""`, state committed, no event.
pub(crate) fn create_workspace(shared: &Shared, user_id: &str, name: &str) -> Value {
    let (us, now) = shared.clock.tick();
    let id = uuid::Uuid::new_v4().to_string();
    let row = Row {
        id: id.clone(),
        root_id: id,
        collection_id: String::new(),
        context: String::new(),
        content: Arc::from(""),
        content_type: Some(WORKSPACE_CT.to_owned()),
        state: ArtState::Committed,
        created_by: user_id.to_owned(),
        created_time: now.clone(),
        modified_by: None,
        modified_time: now,
        modified_us: us,
        name: Some(name.to_owned()),
        description: None,
    };
    let value = row.to_value();
    lock(&shared.store).insert(row);
    bump(&shared.counters.creates);
    value
}

/// Builds a new child row (`create_workspace_artifact`): content type merged into the context, a
/// `content_key` added when there is content.
fn new_child(shared: &Shared, user_id: &str, container: &str, context: &str, content: &str, ct: Option<&str>) -> Row {
    let (us, now) = shared.clock.tick();
    let id = uuid::Uuid::new_v4().to_string();
    let mut context = context.to_owned();
    if let Some(ct) = ct {
        context = if context.is_empty() {
            py_dumps(&json!({ "content_type": ct }))
        } else {
            let mut obj = parse_object(&context);
            obj.entry("content_type").or_insert_with(|| json!(ct));
            py_dumps(&Value::Object(obj))
        };
    }
    if !content.is_empty() {
        let mut obj = parse_object(&context);
        if !obj.contains_key("content_key") {
            obj.insert("content_key".into(), json!(content_key_for(&id)));
            context = py_dumps(&Value::Object(obj));
        }
    }
    Row {
        id: id.clone(),
        root_id: id,
        collection_id: container.to_owned(),
        context,
        content: Arc::from(content),
        content_type: ct.map(str::to_owned),
        state: ArtState::Draft,
        created_by: user_id.to_owned(),
        created_time: now.clone(),
        modified_by: Some(user_id.to_owned()),
        modified_time: now,
        modified_us: us,
        name: None,
        description: None,
    }
}

fn event(name: &'static str, payload: Value, row: &Row, actor: &str, owner: &str, artifact_id: &str) -> Event {
    Event {
        name,
        payload,
        container_id: row.collection_id.clone(),
        artifact_id: artifact_id.to_owned(),
        content_type: row.event_content_type(),
        actor_id: actor.to_owned(),
        container_owner: owner.to_owned(),
    }
}

fn updated_event(row: &Row, actor: &str, owner: &str) -> Event {
    event("artifact.updated", json!({ "artifact": row.to_value() }), row, actor, owner, &row.id)
}

/// Creates a child in a container the user can read, emitting `artifact.created`.
pub(crate) fn create_child(
    shared: &Shared,
    user_id: &str,
    container_id: &str,
    context: &str,
    content: &str,
    content_type: Option<&str>,
) -> Result<Value, ApiError> {
    let (value, ev) = {
        let mut store = lock(&shared.store);
        let container = store
            .rows
            .get(container_id)
            .filter(|c| c.is_container() && store.readable(user_id, c))
            .ok_or_else(|| ApiError::detail(StatusCode::NOT_FOUND, "Container not found"))?;
        let owner = container.created_by.clone();
        let row = new_child(shared, user_id, container_id, context, content, content_type);
        let value = row.to_value();
        let ev = event("artifact.created", json!({ "artifact": value }), &row, user_id, &owner, &row.id);
        store.edges.entry(container_id.to_owned()).or_default().push(&row.root_id);
        store.insert(row);
        (value, ev)
    };
    bump(&shared.counters.creates);
    shared.events.emit(ev);
    Ok(value)
}

/// Inserts `count` markdown children straight into the store: no events, for big benchmarks. The rows share
/// one content buffer, and nothing happens if the container is not the user's.
pub(crate) fn seed(shared: &Shared, user_id: &str, container_id: &str, count: usize, content_bytes: usize) {
    let content: Arc<str> = Arc::from("x".repeat(content_bytes));
    let mut store = lock(&shared.store);
    if !store.rows.get(container_id).is_some_and(|c| c.is_container() && store.readable(user_id, c)) {
        return;
    }
    store.rows.reserve(count);
    store.versions.reserve(count);
    let first_us = shared.clock.reserve(count);
    let mut roots = Vec::with_capacity(count);
    for i in 0..count {
        let us = first_us + i64::try_from(i).unwrap_or(0);
        let now = iso_from_micros(us);
        let id = uuid::Uuid::new_v4().to_string();
        // Written out directly (the shape py_dumps gives): json round trips would dominate a 50k seed.
        let key =
            if content_bytes > 0 { format!(", \"content_key\": \"{}\"", content_key_for(&id)) } else { String::new() };
        let context = format!("{{\"title\": \"Seeded note {i}\", \"content_type\": \"text/markdown\"{key}}}");
        let row = Row {
            id: id.clone(),
            root_id: id,
            collection_id: container_id.to_owned(),
            context,
            content: content.clone(),
            content_type: Some("text/markdown".to_owned()),
            state: ArtState::Draft,
            created_by: user_id.to_owned(),
            created_time: now.clone(),
            modified_by: Some(user_id.to_owned()),
            modified_time: now,
            modified_us: us,
            name: None,
            description: None,
        };
        roots.push(row.root_id.clone());
        store.insert(row);
    }
    let edges = store.edges.entry(container_id.to_owned()).or_default();
    for root in &roots {
        edges.push(root);
    }
}

/// `GET /artifacts/{id}`: the artifact plus `has_children` and `child_count`.
pub(crate) fn read(shared: &Shared, user_id: &str, id: &str) -> Result<Value, ApiError> {
    let store = lock(&shared.store);
    let row = store.find_readable(user_id, id).ok_or_else(ApiError::not_found)?;
    let count = store.child_count(&row.root_id);
    let mut out = row.out();
    out.has_children = Some(count > 0);
    out.child_count = Some(count);
    Ok(serde_json::to_value(out).unwrap_or(Value::Null))
}

/// `PATCH /artifacts/{id}`: containers in place without events; children through the draft rules.
pub(crate) fn update(shared: &Shared, user_id: &str, id: &str, patch: Patch) -> Result<Value, ApiError> {
    let (value, ev) = {
        let mut store = lock(&shared.store);
        let found = store.find_readable(user_id, id).ok_or_else(ApiError::not_found)?;
        let owner = store.owner_of(found).unwrap_or_default().to_owned();
        if found.is_container() {
            let row_id = found.id.clone();
            let (us, now) = shared.clock.tick();
            let row = store.rows.get_mut(&row_id).ok_or_else(ApiError::not_found)?;
            let mut changed = false;
            if let Some(name) = patch.name.filter(|n| Some(n) != row.name.as_ref()) {
                row.name = Some(name);
                changed = true;
            }
            if let Some(desc) = patch.description.filter(|d| Some(d) != row.description.as_ref()) {
                row.description = Some(desc);
                changed = true;
            }
            if let Some(context) = patch.context {
                let mut obj = parse_object(&context);
                obj.entry("collections").or_insert_with(|| json!([]));
                row.context = py_dumps(&Value::Object(obj));
                changed = true;
            }
            if changed {
                row.modified_time = now;
                row.modified_us = us;
            }
            (row.to_value(), None)
        } else {
            update_child(shared, &mut store, user_id, &owner, id, patch)?
        }
    };
    bump(&shared.counters.updates);
    if let Some(ev) = ev {
        shared.events.emit(ev);
    }
    Ok(value)
}

fn update_child(
    shared: &Shared,
    store: &mut Store,
    user_id: &str,
    owner: &str,
    id: &str,
    patch: Patch,
) -> Result<(Value, Option<Event>), ApiError> {
    let found = store.find_readable(user_id, id).ok_or_else(ApiError::not_found)?;
    let container = found.collection_id.clone();
    // workspace_service.update_artifact: the exact row, else the root's draft, else its newest committed version.
    let target_id = store
        .rows
        .get(id)
        .filter(|r| r.collection_id == container)
        .or_else(|| store.draft_of(id, &container))
        .or_else(|| {
            let versions = store.versions.get(id)?;
            versions
                .iter()
                .rev()
                .filter_map(|v| store.rows.get(v))
                .find(|r| r.state == ArtState::Committed && r.collection_id == container)
        })
        .map(|r| r.id.clone())
        .ok_or_else(|| ApiError::detail(StatusCode::NOT_FOUND, "Artifact not found"))?;
    let (us, now) = shared.clock.tick();
    let mut target = store.rows.get(&target_id).cloned().ok_or_else(ApiError::not_found)?;
    let wanted = patch.state.as_deref();
    let stamp = |row: &mut Row| {
        row.modified_by = Some(user_id.to_owned());
        row.modified_time = now.clone();
        row.modified_us = us;
    };
    let state_change = match (wanted, target.state) {
        (Some("archived"), s) if s != ArtState::Archived => Some(ArtState::Archived),
        (Some(w), ArtState::Archived) if w != "archived" => Some(ArtState::Draft),
        (_, ArtState::Archived) => {
            return Err(ApiError::detail(StatusCode::CONFLICT, "Cannot edit an archived artifact"));
        }
        (Some("committed"), ArtState::Draft) => Some(ArtState::Committed),
        (Some("committed"), _) => return Ok((target.to_value(), None)),
        _ => None,
    };
    if let Some(state) = state_change {
        target.state = state;
        stamp(&mut target);
        let ev = updated_event(&target, user_id, owner);
        let value = target.to_value();
        store.rows.insert(target.id.clone(), target);
        return Ok((value, Some(ev)));
    }
    if target.state == ArtState::Committed {
        // _ensure_draft: editing a committed version makes (or reuses) a draft row with the same root_id.
        target = match store.draft_of(&target.root_id, &container) {
            Some(draft) => draft.clone(),
            None => {
                let draft = Row {
                    id: uuid::Uuid::new_v4().to_string(),
                    state: ArtState::Draft,
                    created_by: user_id.to_owned(),
                    created_time: now.clone(),
                    modified_by: Some(user_id.to_owned()),
                    modified_time: now.clone(),
                    modified_us: us,
                    // The platform's _ensure_draft copies context and content but not the top-level content_type.
                    content_type: None,
                    name: None,
                    description: None,
                    ..target.clone()
                };
                store.insert(draft.clone());
                draft
            }
        };
    }
    let mut dirty = false;
    if let Some(context) = patch.context.filter(|c| *c != target.context) {
        target.context = context;
        dirty = true;
    }
    if let Some(ct) = patch.content_type.filter(|c| Some(c) != target.content_type.as_ref()) {
        target.content_type = Some(ct);
        dirty = true;
    }
    if let Some(content) = patch.content.filter(|c| **c != *target.content) {
        if !content.is_empty() {
            let mut obj = parse_object(&target.context);
            let key = obj
                .get("content_key")
                .and_then(Value::as_str)
                .map_or_else(|| content_key_for(&target.id), str::to_owned);
            obj.insert("content_key".into(), json!(key));
            target.context = py_dumps(&Value::Object(obj));
        }
        target.content = Arc::from(content);
        dirty = true;
    }
    if !dirty {
        return Ok((target.to_value(), None));
    }
    stamp(&mut target);
    let ev = updated_event(&target, user_id, owner);
    let value = target.to_value();
    store.rows.insert(target.id.clone(), target);
    Ok((value, Some(ev)))
}

/// `DELETE /artifacts/{id}`: deletes that exact version; the edge goes with the last version of the root.
pub(crate) fn delete(shared: &Shared, user_id: &str, id: &str) -> Result<Value, ApiError> {
    let ev = {
        let mut store = lock(&shared.store);
        let found = store.find_readable(user_id, id).ok_or_else(ApiError::not_found)?;
        if found.is_container() {
            return Err(ApiError::detail(StatusCode::INTERNAL_SERVER_ERROR, "Artifact missing collection_id"));
        }
        let container = found.collection_id.clone();
        let owner = store.owner_of(found).unwrap_or_default().to_owned();
        let row = store
            .rows
            .get(id)
            .filter(|r| r.collection_id == container)
            .cloned()
            .ok_or_else(|| ApiError::detail(StatusCode::NOT_FOUND, "Artifact not found"))?;
        store.rows.remove(&row.id);
        let remaining = store.versions.get_mut(&row.root_id).map_or(0, |v| {
            v.retain(|x| *x != row.id);
            v.len()
        });
        if remaining == 0 {
            store.versions.remove(&row.root_id);
            for edges in store.edges.values_mut() {
                edges.remove(&row.root_id);
            }
        }
        event("artifact.deleted", json!({ "artifact_id": id }), &row, user_id, &owner, id)
    };
    bump(&shared.counters.deletes);
    shared.events.emit(ev);
    Ok(json!({ "id": id, "deleted": true }))
}
