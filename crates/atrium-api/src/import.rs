//! Importing servers from other hosts' configuration files, and exporting a registration without its secrets.

use std::collections::BTreeMap;

use atrium_mcp::Registration;
use atrium_mcp::SERVER_CONTENT_TYPE;
use atrium_mcp::import::{
    ConfigError, ConfigFormat, ConfigInput, ImportedConfig, SecretValue, export_entry, parse_config,
};
use atrium_secrets::{SecretId, Sensitive};
use atrium_store::{FieldProblem, TextPosition};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{ApiError, ErrorCode, ErrorDetails};
use crate::secrets::keychain_call;
use crate::server_view::ServerView;
use crate::servers::NewServer;
use crate::{ApiResult, Atrium};

/// Where a configuration comes from: a file, or text pasted by a person.
#[derive(Clone, Deserialize, specta::Type)]
pub struct ImportSource {
    /// A file to read.
    #[serde(default)]
    pub path: Option<String>,
    /// Pasted text (may contain secrets: it goes no further than this process).
    #[serde(default)]
    pub text: Option<String>,
}

impl std::fmt::Debug for ImportSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportSource").field("path", &self.path).finish_non_exhaustive()
    }
}

/// One secret an imported server will need, without its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct PlannedSecret {
    /// The keychain id the registration will refer to.
    pub secret_id: String,
    /// Where it was found (`env GITHUB_TOKEN`, `header Authorization`).
    pub source: String,
    /// The VS Code input whose value the person must type, when the file has no value.
    pub input: Option<String>,
    /// Whether a secret with this id exists already (it will be replaced).
    pub replaces: bool,
}

/// A server an import would create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct PlannedServer {
    /// Its name in the file (the title it gets).
    pub name: String,
    /// `stdio`, `http` or `sse`.
    pub transport: String,
    /// The command line or address.
    pub target: String,
    /// The registration that will be stored (secrets as references only); none when it cannot be imported (see
    /// `problem`).
    pub registration: Option<Registration>,
    /// The secrets that go to the keychain.
    pub secrets: Vec<PlannedSecret>,
    /// What is not carried over or needs attention.
    pub warnings: Vec<String>,
    /// Why it cannot be imported, when it cannot.
    pub problem: Option<String>,
    /// Whether the command is on the allowlist (stdio servers); it will not start until it is.
    pub allowed: bool,
    /// Why it will not start once imported (a command off the allowlist, a variable that is refused), if it will
    /// not: it is imported, and refused each time it would start until the cause is fixed.
    pub refusal: Option<String>,
}

/// What an import would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ImportPreview {
    /// Which tool the file belongs to.
    pub format: ConfigFormat,
    /// For people.
    pub format_label: String,
    /// The servers, by name.
    pub servers: Vec<PlannedServer>,
    /// VS Code inputs whose values the person can type now.
    pub inputs: Vec<ConfigInput>,
}

/// An import to carry out.
#[derive(Clone, Deserialize, specta::Type)]
pub struct ImportRequest {
    /// The workspace the servers go into.
    pub workspace_id: String,
    /// The configuration.
    pub source: ImportSource,
    /// The names to import; all importable ones when absent.
    #[serde(default)]
    pub names: Option<Vec<String>>,
    /// Values typed for VS Code inputs, by input id.
    #[serde(default)]
    pub input_values: BTreeMap<String, String>,
}

impl std::fmt::Debug for ImportRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportRequest")
            .field("workspace_id", &self.workspace_id)
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ImportReport {
    /// The servers created.
    pub created: Vec<ServerView>,
    /// The secrets stored in the keychain.
    pub secrets_stored: Vec<String>,
    /// Secrets referred to but without a value (an input left empty): set them on the Secrets screen.
    pub secrets_missing: Vec<String>,
    /// Servers not imported, with why.
    pub skipped: Vec<String>,
}

/// A registration exported for other hosts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ServerExport {
    /// A file name to offer.
    pub file_name: String,
    /// The `.mcp.json` text (`{"mcpServers": {…}}`), without any secret value.
    pub text: String,
    /// What was left empty because it is secret.
    pub omitted: Vec<String>,
}

fn config_error(err: ConfigError) -> ApiError {
    let position = err.line.map(|line| TextPosition { line, column: err.column.unwrap_or(1) });
    let where_ = err.line.map(|l| format!(" (line {l})")).unwrap_or_default();
    ApiError {
        code: ErrorCode::InvalidInput,
        message: format!("The configuration cannot be read{where_}: {}", err.message),
        details: Some(ErrorDetails::Fields {
            problems: vec![FieldProblem { field: "source".into(), message: err.message, position }],
        }),
    }
}

async fn read_source(source: &ImportSource) -> ApiResult<(String, Option<String>)> {
    match (&source.path, &source.text) {
        (Some(path), None) => {
            let bytes = tokio::fs::read(path).await.map_err(|err| ApiError {
                code: if err.kind() == std::io::ErrorKind::NotFound {
                    ErrorCode::NotFound
                } else {
                    ErrorCode::InvalidInput
                },
                message: format!("Cannot read {path}: {err}."),
                details: Some(ErrorDetails::Path { path: path.clone() }),
            })?;
            // The file is there; what is in it is not a configuration: invalid input, not "not found".
            let text = String::from_utf8(bytes).map_err(|_| ApiError {
                code: ErrorCode::InvalidInput,
                message: format!("{path} is not a text file, so it is not an MCP configuration (JSON)."),
                details: Some(ErrorDetails::Path { path: path.clone() }),
            })?;
            Ok((text, Some(path.clone())))
        }
        (None, Some(text)) => Ok((text.clone(), None)),
        _ => Err(ApiError::new(ErrorCode::InvalidInput, "Give either a file path or the configuration's text.")),
    }
}

impl Atrium {
    async fn read_config(&self, source: &ImportSource) -> ApiResult<ImportedConfig> {
        let (text, path) = read_source(source).await?;
        parse_config(&text, path.as_deref()).map_err(config_error)
    }

    /// What importing a configuration would create; nothing is stored.
    pub async fn import_preview(&self, source: ImportSource) -> ApiResult<ImportPreview> {
        let config = self.read_config(&source).await?;
        let known: Vec<String> = self.store.secret_records().await?.into_iter().map(|r| r.id).collect();
        let allowed = self.servers.allowed_commands();
        let servers = config
            .servers
            .iter()
            .map(|server| {
                let parsed = atrium_mcp::registration::parse(&server.registration).ok();
                let command = match parsed.as_ref().map(|r| &r.transport) {
                    Some(atrium_mcp::Transport::Stdio { command, .. }) => Some(command.as_str()),
                    _ => None,
                };
                PlannedServer {
                    name: server.name.clone(),
                    transport: parsed.as_ref().map(|r| r.transport_name().to_owned()).unwrap_or_default(),
                    target: parsed.as_ref().map(|r| r.target()).unwrap_or_default(),
                    secrets: server
                        .secrets
                        .iter()
                        .map(|s| PlannedSecret {
                            secret_id: s.secret_id.clone(),
                            source: s.source.clone(),
                            input: match &s.value {
                                SecretValue::Input(id) => Some(id.clone()),
                                SecretValue::Literal(_) => None,
                            },
                            replaces: known.contains(&s.secret_id),
                        })
                        .collect(),
                    warnings: server.warnings.clone(),
                    problem: server.problem.clone(),
                    allowed: command.is_none_or(|c| allowed.iter().any(|a| a == c)),
                    refusal: parsed.as_ref().and_then(|r| self.servers.launch_refusal(r)),
                    registration: parsed,
                }
            })
            .collect();
        Ok(ImportPreview {
            format: config.format,
            format_label: config.format.label().to_owned(),
            servers,
            inputs: config.inputs,
        })
    }

    /// Imports servers: stores their secrets in the keychain first (nothing is created when that fails), then
    /// creates one registration per server.
    #[tracing::instrument(skip_all, fields(workspace = %request.workspace_id))]
    pub async fn import_apply(&self, request: ImportRequest) -> ApiResult<ImportReport> {
        self.store.get_workspace(&request.workspace_id).await?;
        let config = self.read_config(&request.source).await?;
        let wanted = |name: &str| request.names.as_ref().is_none_or(|names| names.iter().any(|n| n == name));
        let mut report = ImportReport {
            created: Vec::new(),
            secrets_stored: Vec::new(),
            secrets_missing: Vec::new(),
            skipped: Vec::new(),
        };
        let mut to_store: Vec<(SecretId, Sensitive<String>, String)> = Vec::new();
        let mut chosen = Vec::new();
        for server in config.servers {
            if !wanted(&server.name) {
                continue;
            }
            if let Some(problem) = &server.problem {
                report.skipped.push(format!("{}: {problem}", server.name));
                continue;
            }
            for secret in &server.secrets {
                let value = match &secret.value {
                    SecretValue::Literal(value) => Some(value.clone()),
                    SecretValue::Input(input) => {
                        request.input_values.get(input).filter(|v| !v.is_empty()).map(|v| Sensitive::new(v.clone()))
                    }
                };
                match value {
                    Some(value) => to_store.push((SecretId::parse(&secret.secret_id)?, value, secret.source.clone())),
                    None => report.secrets_missing.push(secret.secret_id.clone()),
                }
            }
            chosen.push(server);
        }
        let ids: Vec<(SecretId, String)> =
            to_store.iter().map(|(id, _, source)| (id.clone(), source.clone())).collect();
        keychain_call(&self.keychain, move |keychain| {
            to_store.iter().try_for_each(|(id, value, _)| keychain.set(id, value))
        })
        .await?;
        for (id, source) in ids {
            let description = format!("imported ({source})");
            self.store.secret_record_upsert(id.as_str(), Some(&description)).await?;
            report.secrets_stored.push(id.to_string());
        }
        for secret in &report.secrets_missing {
            self.store.secret_record_upsert(secret, Some("imported: value still to be set")).await?;
        }
        for server in chosen {
            let view = self
                .server_create(NewServer {
                    workspace_id: request.workspace_id.clone(),
                    title: server.name.clone(),
                    registration: atrium_mcp::registration::parse(&server.registration)
                        .map_err(crate::registrations::invalid)?,
                })
                .await?;
            report.created.push(view);
        }
        Ok(report)
    }

    /// A server's registration as an `.mcp.json` file for other hosts, without any secret value.
    pub async fn server_export(&self, id: String) -> ApiResult<ServerExport> {
        let artifact = self.store.get_artifact(&id).await?;
        if artifact.content_type != SERVER_CONTENT_TYPE {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("{} is not a server registration.", artifact.title),
            ));
        }
        let registration = crate::registrations::parse_registration(&atrium_mcp::registration::stored(&artifact))?;
        let (entry, omitted) = export_entry(&registration);
        let text = serde_json::to_string_pretty(&json!({ "mcpServers": { artifact.title.clone(): entry } }))
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        Ok(ServerExport {
            file_name: format!("{}.mcp.json", crate::servers::server_slug(&artifact.title)),
            text,
            omitted,
        })
    }
}
