//! Naming things on the command line: by id, or by exact title (`--workspace Notes`, `server call Everything`).

use atrium_api::{ApiError, ApiResult, Atrium, AuthorizerView, ErrorCode, ServerView, Workspace};

use crate::failure::invalid;

/// Picks the one item whose id is `reference`, or else whose title matches it exactly (ignoring case), so
/// scripts can say `--workspace Notes`. `kind` names the items in messages ("workspace", "server").
pub(crate) fn pick_by_id_or_title<T: Clone>(
    items: &[T],
    reference: &str,
    kind: &str,
    id: impl Fn(&T) -> &str,
    title: impl Fn(&T) -> &str,
) -> ApiResult<T> {
    if let Some(item) = items.iter().find(|i| id(i) == reference) {
        return Ok(item.clone());
    }
    let matches: Vec<&T> = items.iter().filter(|i| title(i).eq_ignore_ascii_case(reference)).collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(ApiError::new(ErrorCode::NotFound, format!("no {kind} with id or title \"{reference}\""))),
        _ => Err(invalid(format!("{} {kind}s are titled \"{reference}\": use the id", matches.len()))),
    }
}

/// Finds a workspace by id or exact title.
pub(crate) async fn resolve_workspace(atrium: &Atrium, reference: &str) -> ApiResult<Workspace> {
    pick_by_id_or_title(&atrium.workspace_list().await?, reference, "workspace", |w| &w.id, |w| &w.title)
}

/// Finds a server by id or exact title.
pub(crate) async fn resolve_server(atrium: &Atrium, reference: &str) -> ApiResult<ServerView> {
    pick_by_id_or_title(&atrium.server_list(None).await?, reference, "server", |s| &s.id, |s| &s.title)
}

/// Finds an Authorizer by id or exact title.
pub(crate) async fn resolve_authorizer(atrium: &Atrium, reference: &str) -> ApiResult<AuthorizerView> {
    pick_by_id_or_title(&atrium.authorizer_list(None).await?, reference, "Authorizer", |a| &a.id, |a| &a.title)
}
