//! A workspace's artifacts as `/mcp` lists them: one resource each, `atrium://artifacts/<id>`, with its title,
//! content type, size and last change, its workspace and version in `_meta`.

use atrium_api::{ArtifactListQuery, ArtifactSort};
use serde_json::{Value, json};

use crate::Shared;
use crate::resource_uris;

/// One page of a workspace's artifacts as resources, by title (an order edits do not shuffle); the inner cursor is
/// the offset.
pub(crate) async fn page(
    shared: &Shared,
    workspace: &str,
    inner: Option<String>,
    room: usize,
) -> (Vec<Value>, Option<String>) {
    let offset = inner.and_then(|o| o.parse::<u32>().ok()).unwrap_or(0);
    let query = ArtifactListQuery {
        workspace_id: workspace.to_owned(),
        sort: ArtifactSort::Title,
        offset: Some(offset),
        limit: Some(u32::try_from(room).unwrap_or(u32::MAX)),
        ..ArtifactListQuery::default()
    };
    let page = match shared.atrium.artifact_page(query).await {
        Ok(page) => page,
        Err(err) => {
            tracing::warn!(%err, workspace, "could not list a workspace's artifacts");
            return (Vec::new(), None);
        }
    };
    let end = page.offset + u32::try_from(page.rows.len()).unwrap_or(u32::MAX);
    let next = (end < page.total && !page.rows.is_empty()).then(|| end.to_string());
    let entries = page
        .rows
        .into_iter()
        .map(|a| {
            json!({
                "uri": resource_uris::artifact(&a.id),
                "name": a.title,
                "title": a.title,
                "mimeType": a.content_type,
                "size": a.size_bytes,
                "annotations": {"lastModified": a.modified_time},
                "_meta": {"atrium/workspaceId": a.workspace_id, "atrium/version": a.version},
            })
        })
        .collect();
    (entries, next)
}
