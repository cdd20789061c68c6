//! Secrets and local settings. A secret's value goes from the caller to the keychain and never comes back: the UI
//! learns only that a secret is set, what it is for, and which servers use it.

use std::collections::BTreeSet;

use atrium_mcp::policy::{DEFAULT_ALLOWED_COMMANDS, check_allowlist_entry};
use atrium_mcp::{SERVER_CONTENT_TYPE, registration};
use atrium_secrets::{Keychain, SecretError, SecretId, Sensitive};
use atrium_store::FieldProblem;
use serde::{Deserialize, Serialize};

use crate::ApiResult;
use crate::Atrium;
use crate::error::{ApiError, ErrorCode, ErrorDetails};

/// The settings key of the commands allowed beyond the defaults.
const ALLOWED_COMMANDS_KEY: &str = "stdio.allowed_commands";

/// A secret as the UI sees it: never its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct SecretView {
    /// The id registrations refer to (`{"secret_id": "…"}`).
    pub id: String,
    /// What it is for.
    pub description: String,
    /// Whether the keychain holds a value for it (`false` when it was deleted outside Atrium, or when an import
    /// recorded a reference whose value is still to be given).
    pub is_set: bool,
    /// When the value was last set.
    pub updated_at: String,
    /// The servers whose registration refers to it, by title.
    pub used_by: Vec<String>,
}

/// A secret to store. The value travels from the caller to the keychain only.
#[derive(Clone, Deserialize, specta::Type)]
pub struct SecretInput {
    /// Its id.
    pub id: String,
    /// What it is for; kept when absent.
    #[serde(default)]
    pub description: Option<String>,
    /// The value.
    pub value: String,
}

impl std::fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretInput")
            .field("id", &self.id)
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

/// What local servers may run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct LocalSettings {
    /// The commands every Atrium allows.
    pub default_commands: Vec<String>,
    /// The ones this person added (kept on this machine, never synced).
    pub extra_commands: Vec<String>,
    /// The keychain namespace this home uses (the "service" of its entries).
    pub keychain_namespace: String,
}

impl From<SecretError> for ApiError {
    fn from(error: SecretError) -> Self {
        let message = error.to_string();
        match error {
            SecretError::InvalidId { .. } => ApiError {
                code: ErrorCode::InvalidInput,
                message: message.clone(),
                details: Some(ErrorDetails::Fields {
                    problems: vec![FieldProblem { field: "id".into(), message, position: None }],
                }),
            },
            SecretError::InvalidValue(_) => ApiError {
                code: ErrorCode::InvalidInput,
                message: message.clone(),
                details: Some(ErrorDetails::Fields {
                    problems: vec![FieldProblem { field: "value".into(), message, position: None }],
                }),
            },
            SecretError::NotSet(_) => ApiError::new(ErrorCode::NotFound, message),
            SecretError::Unavailable(_) | SecretError::Failed(_) => {
                ApiError::new(ErrorCode::KeychainUnavailable, message)
            }
        }
    }
}

/// Runs a blocking keychain call off the async workers.
pub(crate) async fn keychain_call<T: Send + 'static>(
    keychain: &Keychain,
    call: impl FnOnce(&Keychain) -> Result<T, SecretError> + Send + 'static,
) -> ApiResult<T> {
    let keychain = keychain.clone();
    tokio::task::spawn_blocking(move || call(&keychain))
        .await
        .map_err(|_| ApiError::new(ErrorCode::Internal, "The keychain call was interrupted."))?
        .map_err(ApiError::from)
}

/// The secret ids a stored server registration refers to.
pub(crate) fn secret_refs(artifact: &atrium_store::Artifact) -> BTreeSet<String> {
    registration::parse(&registration::stored(artifact)).map(|r| r.secret_ids()).unwrap_or_default()
}

/// The commands allowed beyond the defaults, from local settings.
pub(crate) async fn extra_commands(store: &atrium_store::Store) -> ApiResult<Vec<String>> {
    Ok(store
        .setting(ALLOWED_COMMANDS_KEY)
        .await?
        .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
        .unwrap_or_default())
}

impl Atrium {
    /// Every secret this home knows, with whether it is set and who uses it.
    pub async fn secret_list(&self) -> ApiResult<Vec<SecretView>> {
        let records = self.store.secret_records().await?;
        let servers = self.store.artifacts_of_type(SERVER_CONTENT_TYPE, None).await?;
        let usage: Vec<(String, BTreeSet<String>)> =
            servers.iter().map(|a| (a.title.clone(), secret_refs(a))).collect();
        let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
        let count = ids.len();
        let set = keychain_call(&self.keychain, move |keychain| {
            ids.iter()
                .map(|id| SecretId::parse(id).and_then(|id| keychain.is_set(&id)))
                .collect::<Result<Vec<bool>, SecretError>>()
        })
        .await
        // Without a keychain the ids, descriptions and users are still worth showing: every one reads "not set".
        .unwrap_or_else(|err| {
            tracing::warn!(error = %err.message, "cannot ask the keychain which secrets are set");
            vec![false; count]
        });
        Ok(records
            .into_iter()
            .zip(set)
            .map(|(record, is_set)| SecretView {
                used_by: usage.iter().filter(|(_, refs)| refs.contains(&record.id)).map(|(t, _)| t.clone()).collect(),
                id: record.id,
                description: record.description,
                is_set,
                updated_at: record.updated_at,
            })
            .collect())
    }

    /// Stores (or replaces) a secret's value in the keychain and records its id.
    #[tracing::instrument(skip_all, fields(id = %input.id))]
    pub async fn secret_set(&self, input: SecretInput) -> ApiResult<SecretView> {
        let id = SecretId::parse(input.id.trim())?;
        let value = Sensitive::new(input.value);
        let key = id.clone();
        keychain_call(&self.keychain, move |keychain| keychain.set(&key, &value)).await?;
        let description = input.description.as_deref().map(str::trim);
        let record = self.store.secret_record_upsert(id.as_str(), description).await?;
        // Just stored, so it is set; only the users need looking up (no further keychain round trips).
        let servers = self.store.artifacts_of_type(SERVER_CONTENT_TYPE, None).await?;
        Ok(SecretView {
            used_by: servers.iter().filter(|a| secret_refs(a).contains(&record.id)).map(|a| a.title.clone()).collect(),
            id: record.id,
            description: record.description,
            is_set: true,
            updated_at: record.updated_at,
        })
    }

    /// Deletes a secret from the keychain and forgets it. Servers that use it fail to start until it is set again.
    #[tracing::instrument(skip(self))]
    pub async fn secret_delete(&self, id: String) -> ApiResult<()> {
        let known = self.store.secret_records().await?.into_iter().any(|r| r.id == id);
        let parsed = SecretId::parse(&id)?;
        let removed = keychain_call(&self.keychain, move |keychain| keychain.delete(&parsed)).await?;
        if !known && !removed {
            return Err(ApiError::new(ErrorCode::NotFound, format!("No secret \"{id}\" is set.")));
        }
        self.store.secret_record_delete(&id).await?;
        Ok(())
    }

    /// What local servers may run.
    pub async fn local_settings(&self) -> ApiResult<LocalSettings> {
        Ok(LocalSettings {
            default_commands: DEFAULT_ALLOWED_COMMANDS.iter().map(|c| (*c).to_owned()).collect(),
            extra_commands: extra_commands(&self.store).await?,
            keychain_namespace: self.keychain.namespace().to_owned(),
        })
    }

    /// Replaces the commands allowed beyond the defaults. Every entry is checked; one bad entry refuses them all.
    pub async fn local_settings_set_commands(&self, commands: Vec<String>) -> ApiResult<LocalSettings> {
        let mut problems = Vec::new();
        let mut kept: Vec<String> = Vec::new();
        for (i, command) in commands.iter().enumerate() {
            match check_allowlist_entry(command) {
                Err(why) => problems.push(FieldProblem {
                    field: format!("extra_commands[{i}]"),
                    message: format!("\"{command}\": {why}"),
                    position: None,
                }),
                Ok(()) if DEFAULT_ALLOWED_COMMANDS.contains(&command.as_str()) || kept.contains(command) => {}
                Ok(()) => kept.push(command.clone()),
            }
        }
        if !problems.is_empty() {
            return Err(ApiError {
                code: ErrorCode::InvalidInput,
                message: problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>().join("; "),
                details: Some(ErrorDetails::Fields { problems }),
            });
        }
        self.store.set_setting(ALLOWED_COMMANDS_KEY, &serde_json::json!(kept)).await?;
        self.servers.set_allowed_commands(kept);
        self.local_settings().await
    }
}
