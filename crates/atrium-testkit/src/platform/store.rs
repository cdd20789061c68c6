//! The in-memory artifact store: version rows, containment edges and Mantle's read rules
//! (`_find_artifact`, `list_collection_artifacts`, `to_dict`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

/// The workspace content type; only it has a type-declared `create` operation in the platform.
pub(crate) const WORKSPACE_CT: &str = "application/vnd.agience.workspace+json";
/// Content above this many bytes is cleared inline and served only through `content-url`.
pub const INLINE_LIMIT: usize = 131_072;

/// An artifact's lifecycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArtState {
    Draft,
    Committed,
    Archived,
}

impl ArtState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ArtState::Draft => "draft",
            ArtState::Committed => "committed",
            ArtState::Archived => "archived",
        }
    }
}

/// One stored version row (Mantle's `Artifact` entity).
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub id: String,
    pub root_id: String,
    /// The container's id; empty for containers.
    pub collection_id: String,
    pub context: String,
    /// The full content (the S3 object); responses clear it inline above [`INLINE_LIMIT`].
    pub content: Arc<str>,
    pub content_type: Option<String>,
    pub state: ArtState,
    pub created_by: String,
    pub created_time: String,
    pub modified_by: Option<String>,
    pub modified_time: String,
    /// Microseconds behind `modified_time`, for "newest version" picks.
    pub modified_us: i64,
    pub name: Option<String>,
    pub description: Option<String>,
}

impl Row {
    pub(crate) fn is_container(&self) -> bool {
        self.collection_id.is_empty()
    }

    /// The wire shape (`to_dict`, null fields dropped) with no computed fields.
    pub(crate) fn out(&self) -> Out<'_> {
        let content: &str = if self.content.len() > INLINE_LIMIT { "" } else { &self.content };
        Out {
            id: &self.id,
            root_id: &self.root_id,
            collection_id: &self.collection_id,
            context: &self.context,
            content,
            content_type: self.content_type.as_deref(),
            state: self.state.as_str(),
            created_by: &self.created_by,
            created_time: &self.created_time,
            modified_by: self.modified_by.as_deref(),
            modified_time: &self.modified_time,
            name: self.name.as_deref(),
            description: self.description.as_deref(),
            has_children: None,
            child_count: None,
            order_key: None,
            has_committed_version: None,
            origin: None,
            propagate: None,
            relationship: None,
            committed_collection_ids: None,
        }
    }

    pub(crate) fn to_value(&self) -> Value {
        serde_json::to_value(self.out()).unwrap_or(Value::Null)
    }

    /// `content_type` from the context (falling back to the top-level field), as the event bus extracts it.
    pub(crate) fn event_content_type(&self) -> Option<String> {
        serde_json::from_str::<Value>(&self.context)
            .ok()
            .and_then(|c| c.get("content_type").and_then(Value::as_str).map(str::to_owned))
            .or_else(|| self.content_type.clone())
    }
}

/// A serialized artifact, borrowed from its row so 50k children serialize without copies.
#[derive(Serialize)]
pub(crate) struct Out<'a> {
    id: &'a str,
    root_id: &'a str,
    collection_id: &'a str,
    context: &'a str,
    content: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_type: Option<&'a str>,
    state: &'static str,
    created_by: &'a str,
    created_time: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    modified_by: Option<&'a str>,
    modified_time: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_children: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_committed_version: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<bool>,
    /// `Some(Null)` serializes as `null`: the edge's unrestricted propagation mask.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagate: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub committed_collection_ids: Option<Vec<&'a str>>,
}

/// A container's containment edges, ordered by fractional-index `order_key`.
#[derive(Default)]
pub(crate) struct Edges {
    pub by_key: BTreeMap<String, String>,
    pub key_of: HashMap<String, String>,
    next: u64,
}

impl Edges {
    /// Appends a child root at the end (`after_key(last)`).
    pub(crate) fn push(&mut self, root_id: &str) {
        let key = order_key(self.next);
        self.next += 1;
        self.by_key.insert(key.clone(), root_id.to_owned());
        self.key_of.insert(root_id.to_owned(), key);
    }

    pub(crate) fn remove(&mut self, root_id: &str) {
        if let Some(key) = self.key_of.remove(root_id) {
            self.by_key.remove(&key);
        }
    }
}

/// The n-th key of an append-only fractional index: a length head (`a` = 1 digit, `b` = 2, …) then base-62
/// digits, so plain string order is insertion order, like the platform's `after_key`.
pub(crate) fn order_key(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut len = 1u32;
    let mut span = 62u64;
    while n >= span && len < 10 {
        n -= span;
        len += 1;
        span = span.saturating_mul(62);
    }
    let mut digits = vec![b'0'; len as usize];
    for slot in digits.iter_mut().rev() {
        *slot = DIGITS[(n % 62) as usize];
        n /= 62;
    }
    let head = char::from(b'a' + (len - 1) as u8);
    format!("{head}{}", String::from_utf8_lossy(&digits))
}

/// All rows, version chains and edges.
#[derive(Default)]
pub(crate) struct Store {
    pub rows: HashMap<String, Row>,
    /// root id → version ids, oldest first.
    pub versions: HashMap<String, Vec<String>>,
    /// container root id → its children.
    pub edges: HashMap<String, Edges>,
    /// Container ids in creation order.
    pub containers: Vec<String>,
}

impl Store {
    pub(crate) fn insert(&mut self, row: Row) {
        self.versions.entry(row.root_id.clone()).or_default().push(row.id.clone());
        if row.is_container() {
            self.containers.push(row.id.clone());
        }
        self.rows.insert(row.id.clone(), row);
    }

    /// `_find_artifact`: the exact non-archived version, else the newest non-archived version of that root.
    pub(crate) fn find(&self, id: &str) -> Option<&Row> {
        if let Some(row) = self.rows.get(id).filter(|r| r.state != ArtState::Archived) {
            return Some(row);
        }
        self.versions
            .get(id)?
            .iter()
            .filter_map(|v| self.rows.get(v))
            .filter(|r| r.state != ArtState::Archived)
            .max_by_key(|r| r.modified_us)
    }

    /// Who owns the container a row lives in (or the container itself); readers are exactly its owner.
    pub(crate) fn owner_of<'a>(&'a self, row: &'a Row) -> Option<&'a str> {
        if row.is_container() {
            return Some(&row.created_by);
        }
        self.rows.get(&row.collection_id).map(|c| c.created_by.as_str())
    }

    pub(crate) fn readable(&self, user_id: &str, row: &Row) -> bool {
        self.owner_of(row) == Some(user_id)
    }

    /// A readable, non-archived artifact by version or root id (no-access and not-found are the same to callers).
    pub(crate) fn find_readable(&self, user_id: &str, id: &str) -> Option<&Row> {
        self.find(id).filter(|r| self.readable(user_id, r))
    }

    pub(crate) fn child_count(&self, root_id: &str) -> usize {
        self.edges.get(root_id).map_or(0, |e| e.by_key.len())
    }

    /// The draft of a root homed in a container, if any.
    pub(crate) fn draft_of(&self, root_id: &str, container: &str) -> Option<&Row> {
        self.versions
            .get(root_id)?
            .iter()
            .rev()
            .filter_map(|v| self.rows.get(v))
            .find(|r| r.state == ArtState::Draft && r.collection_id == container)
    }

    /// `list_collection_artifacts`: per edge the current version (draft-preferred in the container, else the
    /// newest there, else the newest committed anywhere), archived ones skipped, in `order_key` order.
    pub(crate) fn children(&self, container_root: &str) -> Vec<(&str, &Row, bool)> {
        let Some(edges) = self.edges.get(container_root) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(edges.by_key.len());
        for (key, root) in &edges.by_key {
            let Some(ids) = self.versions.get(root) else { continue };
            let rows: Vec<&Row> = ids.iter().filter_map(|v| self.rows.get(v)).collect();
            let in_coll = rows.iter().filter(|r| r.collection_id == container_root);
            let current = in_coll
                .clone()
                .rev()
                .find(|r| r.state == ArtState::Draft)
                .or_else(|| in_coll.clone().next_back())
                .copied();
            let committed = rows.iter().rev().find(|r| r.state == ArtState::Committed).copied();
            let Some(chosen) = current.or(committed) else { continue };
            if chosen.state == ArtState::Archived {
                continue;
            }
            out.push((key.as_str(), chosen, committed.is_some()));
        }
        out
    }

    /// Every readable current artifact: the user's containers, then their children (`/artifacts/visible`).
    pub(crate) fn visible(&self, user_id: &str, content_type: Option<&str>) -> Vec<&Row> {
        let mut out = Vec::new();
        let mine = self.containers.iter().filter_map(|c| self.find(c)).filter(|c| c.created_by == user_id);
        for container in mine {
            if content_type.is_none_or(|ct| container.content_type.as_deref() == Some(ct)) {
                out.push(container);
            }
            if content_type == Some(WORKSPACE_CT) {
                continue;
            }
            for (_, row, _) in self.children(&container.root_id) {
                if content_type.is_none_or(|ct| row.content_type.as_deref() == Some(ct)) {
                    out.push(row);
                }
            }
        }
        out
    }
}

/// Serializes a child listing entry with its edge fields.
pub(crate) fn child_out<'a>(key: &'a str, row: &'a Row, has_committed: bool) -> Out<'a> {
    let mut out = row.out();
    out.order_key = Some(key);
    out.has_committed_version = Some(has_committed);
    out.origin = Some(true);
    out.propagate = Some(Value::Null);
    out.relationship = Some(Value::Null);
    out.committed_collection_ids = Some(if has_committed { vec![row.collection_id.as_str()] } else { Vec::new() });
    out
}

/// Python's `json.dumps(obj)`: `", "` and `": "` separators and `ensure_ascii` escapes, so contexts the
/// double rewrites look like the ones Mantle rewrites.
pub(crate) fn py_dumps(value: &Value) -> String {
    struct Py;
    impl serde_json::ser::Formatter for Py {
        fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
            if first { Ok(()) } else { w.write_all(b", ") }
        }
        fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
            if first { Ok(()) } else { w.write_all(b", ") }
        }
        fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
            w.write_all(b": ")
        }
        fn write_string_fragment<W: ?Sized + std::io::Write>(&mut self, w: &mut W, s: &str) -> std::io::Result<()> {
            for ch in s.chars() {
                if ch.is_ascii() {
                    w.write_all(&[ch as u8])?;
                } else {
                    let mut units = [0u16; 2];
                    for unit in ch.encode_utf16(&mut units) {
                        write!(w, "\\u{unit:04x}")?;
                    }
                }
            }
            Ok(())
        }
    }
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, Py);
    if value.serialize(&mut ser).is_err() {
        return value.to_string();
    }
    String::from_utf8(buf).unwrap_or_else(|_| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_keys_sort_in_insertion_order() {
        let keys: Vec<String> = (0..5000).map(order_key).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(order_key(0), "a0");
        assert_eq!(order_key(62), "b00");
    }

    #[test]
    fn py_dumps_matches_python() {
        let v = serde_json::json!({"a": [1, 2], "b": "é"});
        assert_eq!(py_dumps(&v), r#"{"a": [1, 2], "b": "\u00e9"}"#);
    }
}
