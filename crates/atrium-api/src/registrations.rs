//! How server registrations are stored, and how the connection manager follows them.
//!
//! One canonical form: the typed [`Registration`], written into the artifact's `context` (where the platform keeps
//! it too) and nowhere else — the `content` is left empty. Other shapes are accepted on input and made canonical:
//! a registration given as `content` (the seed's shape, an older Atrium's, text from an editor or a script), the
//! seed's `static` header with its `value` (which moves to the keychain before anything is stored). For people, an
//! artifact read through the API shows its registration as its content (see [`presented`]).

use atrium_mcp::{Auth, Registration, SERVER_CONTENT_TYPE, ServerSet, ServerSpec, registration};
use atrium_secrets::{SecretId, Sensitive};
use atrium_store::{Artifact, FieldProblem, Revision};
use serde_json::Value;

use crate::secrets::keychain_call;
use crate::{ApiError, ApiResult, Atrium, ErrorCode, ErrorDetails};

/// A refusal naming every field that is wrong.
pub(crate) fn invalid(problems: Vec<FieldProblem>) -> ApiError {
    let message = problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join(" ");
    ApiError { code: ErrorCode::InvalidInput, message, details: Some(ErrorDetails::Fields { problems }) }
}

/// A registration as JSON (what a person typed, a file, a script's argument), checked and typed; every problem
/// is named with its field.
pub fn parse_registration(value: &Value) -> ApiResult<Registration> {
    registration::parse(value).map_err(invalid)
}

/// The canonical context of a registration.
pub(crate) fn canonical_context(registration: &Registration) -> Value {
    registration.to_context()
}

/// A registration given as an artifact's content (generic writes: the editor, `atrium artifact …`), read as input;
/// `None` for other types, or for content that is not JSON (the store's own validation reports that, with its
/// position).
pub(crate) fn from_content(content_type: &str, content: Option<&str>) -> ApiResult<Option<Registration>> {
    if content_type != SERVER_CONTENT_TYPE {
        return Ok(None);
    }
    let Some(content) = content.filter(|c| !c.trim().is_empty()) else { return Ok(None) };
    let Ok(value) = serde_json::from_str::<Value>(content) else { return Ok(None) };
    registration::parse(&value).map(Some).map_err(|problems| {
        invalid(
            problems
                .into_iter()
                .map(|p| FieldProblem {
                    field: "content".into(),
                    message: format!("{}: {}", p.field, p.message),
                    position: None,
                })
                .collect(),
        )
    })
}

/// The registration as people read it: pretty JSON, without the fields the artifact shows elsewhere (its title).
fn rendered(context: &Value) -> String {
    let mut shown = context.clone();
    if let Some(object) = shown.as_object_mut() {
        object.remove("title");
    }
    serde_json::to_string_pretty(&shown).unwrap_or_default()
}

/// A server artifact as people read it: its content is its registration (stored once, in the context).
pub(crate) fn presented(mut artifact: Artifact) -> Artifact {
    if artifact.content_type == SERVER_CONTENT_TYPE && artifact.content.is_empty() {
        artifact.content = rendered(&artifact.context);
    }
    artifact
}

/// The same for one of its revisions.
pub(crate) fn presented_revision(mut revision: Revision) -> Revision {
    if revision.content_type == SERVER_CONTENT_TYPE && revision.content.is_empty() {
        revision.content = rendered(&revision.context);
    }
    revision
}

/// Brings the connection manager in line with a server artifact as it is stored now: a changed registration
/// reconnects (and is checked against the person's approval again), an invalid or retyped one disconnects.
/// `connect`: keep every enabled server connected (the desktop app); otherwise only servers already loaded follow.
pub(crate) fn apply_registration(servers: &ServerSet, artifact: &Artifact, connect: bool) {
    if artifact.content_type != SERVER_CONTENT_TYPE {
        // Retyped away from a registration (or never one): nothing may stay connected under its id.
        servers.remove(&artifact.id);
        return;
    }
    match ServerSpec::from_artifact(artifact) {
        Ok(spec) if connect || servers.state(&spec.id).is_ok() => servers.upsert(spec),
        Ok(_) => {}
        Err(_) => servers.remove(&artifact.id),
    }
}

/// After sync changed a workspace: its server registrations as they are now reach the connection manager, and
/// those deleted there disconnect. What the platform changed is never run without the person's approval: the
/// connection manager checks it at every start.
pub(crate) async fn reconcile_servers(
    store: &atrium_store::Store,
    servers: &ServerSet,
    workspace_id: &str,
    connect: bool,
) -> ApiResult<()> {
    for artifact in &store.artifacts_of_type(SERVER_CONTENT_TYPE, Some(workspace_id)).await? {
        apply_registration(servers, artifact, connect);
    }
    for id in servers.ids() {
        if matches!(store.get_artifact(&id).await, Err(atrium_store::StoreError::NotFound { .. })) {
            servers.remove(&id);
        }
    }
    Ok(())
}

impl Atrium {
    /// A server registration given through a generic artifact write — as its content (JSON text) or as a context
    /// naming a transport — made canonical: the `(content, context)` to store. `None` when the write carries none.
    pub(crate) async fn registration_written(
        &self,
        content_type: &str,
        content: Option<&str>,
        context: Option<&Value>,
        title: &str,
    ) -> ApiResult<Option<(String, Value)>> {
        let given = match from_content(content_type, content)? {
            Some(registration) => Some(registration),
            None if content_type == SERVER_CONTENT_TYPE => match context {
                Some(context) if context.get("transport").is_some() => {
                    Some(registration::parse(context).map_err(invalid)?)
                }
                _ => None,
            },
            None => None,
        };
        let Some(registration) = given else { return Ok(None) };
        let registration = self.secured(registration, title).await?;
        Ok(Some((String::new(), canonical_context(&registration))))
    }

    /// A registration ready to store: a static header's value moved to the keychain (the registration keeps a
    /// reference to it).
    pub(crate) async fn secured(&self, mut registration: Registration, title: &str) -> ApiResult<Registration> {
        let Some(Auth::Static { value, secret_id, .. }) = registration.auth.as_mut() else { return Ok(registration) };
        let Some(text) = value.take() else { return Ok(registration) };
        if text.is_empty() {
            return Err(ApiError::new(ErrorCode::InvalidInput, "The static header needs a value."));
        }
        let id = SecretId::parse(&format!("header.{}", &uuid::Uuid::new_v4().simple().to_string()[..12]))?;
        let key = id.clone();
        let secret = Sensitive::new(text);
        keychain_call(&self.keychain, move |keychain| keychain.set(&key, &secret)).await?;
        self.store
            .secret_record_upsert(id.as_str(), Some(&format!("Static header for {title} (development only)")))
            .await?;
        *secret_id = Some(id.as_str().to_owned());
        Ok(registration)
    }
}
