//! Server registrations: the context of an `application/vnd.agience.mcp-server+json` artifact (DESIGN §2), parsed
//! and checked field by field so that a form can show every problem as the user types.

use std::collections::BTreeMap;
use std::time::Duration;

use atrium_store::FieldProblem;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

mod schema;
pub use schema::SCHEMA;

/// The content type of a server registration artifact.
pub const SERVER_CONTENT_TYPE: &str = "application/vnd.agience.mcp-server+json";

/// How Atrium reaches a server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Transport {
    /// Streamable HTTP, at `url` or at the endpoint a discovery document (`well_known`) names. Exactly one is set.
    Http {
        /// The `/.well-known/mcp.json` URL.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        well_known: Option<String>,
        /// The MCP endpoint itself.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    /// Legacy HTTP+SSE (protocol 2024-11-05): a GET event stream plus POSTs to the endpoint it announces.
    Sse {
        /// The SSE endpoint.
        url: String,
    },
    /// A local process speaking MCP on stdin/stdout.
    Stdio {
        /// The program (looked up on PATH).
        command: String,
        /// Its arguments, passed as they are (never through a shell).
        #[serde(default)]
        args: Vec<String>,
        /// Its working directory.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cwd: Option<String>,
        /// Extra environment variables.
        // `default` after `skip_serializing_if`: specta then marks the field optional in TypeScript.
        #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
        env: BTreeMap<String, EnvValue>,
    },
    /// A server's source in a git repository, cloned, installed and run as a local server, sandboxed.
    Github {
        /// `owner/repo` on GitHub, or any git URL (https://, ssh://, git://, file://, or a path).
        owner_repo: String,
        /// Branch, tag or commit.
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        git_ref: Option<String>,
        /// Environment variables for the server (the only way a secret reaches it inside its sandbox).
        // `default` after `skip_serializing_if`: specta then marks the field optional in TypeScript.
        #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
        env: BTreeMap<String, EnvValue>,
    },
}

/// An environment value: literal text, or a keychain secret resolved when the process starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(untagged)]
pub enum EnvValue {
    /// The value itself.
    Text(String),
    /// A reference to a keychain secret.
    Secret {
        /// The secret's id.
        secret_id: String,
    },
}

/// How a client authenticates at a token endpoint when it has a credential (RFC 7591 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TokenAuthMethod {
    /// HTTP Basic with the client id and secret.
    ClientSecretBasic,
    /// The client id and secret in the form.
    ClientSecretPost,
    /// A JWT signed with the client's private key (RFC 7523); the key is the keychain secret.
    PrivateKeyJwt,
}

/// How Atrium authenticates to a server (DESIGN §2). Secrets are keychain references, never values — but for the
/// seed's `static` shape, whose `value` Atrium accepts on input and moves to the keychain before anything is
/// stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Auth {
    /// A fixed header whose value is a keychain secret (development only).
    Static {
        /// The header's name.
        header: String,
        /// The keychain secret holding its value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secret_id: Option<String>,
        /// On input only (the seed's shape): the value, moved to the keychain when the registration is saved.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<String>,
    },
    /// An API key from the keychain, sent in a header.
    ApiKey {
        /// The header's name (`Authorization`, `X-Api-Key`, …).
        header: String,
        /// The keychain secret holding the key.
        secret_id: String,
    },
    /// OAuth 2 through an Authorizer (its connection is shared by every server that uses it).
    #[serde(rename = "oauth2")]
    Oauth2 {
        /// The Authorizer artifact.
        authorizer_id: String,
    },
    /// The client credentials grant (machine to machine).
    ClientCredentials {
        /// The token endpoint; discovered from the server's authorization metadata when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_url: Option<String>,
        /// The client's id.
        client_id: String,
        /// The keychain secret: the client secret, or the private key (PEM) for `private_key_jwt`.
        secret_id: String,
        /// The scopes to ask for.
        // `default` after `skip_serializing_if`: specta then marks the field optional in TypeScript.
        #[serde(skip_serializing_if = "Vec::is_empty", default)]
        scopes: Vec<String>,
        /// How to authenticate at the token endpoint; what its metadata supports when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        auth_method: Option<TokenAuthMethod>,
        /// For `private_key_jwt`: the signing algorithm (`RS256`, `ES256`); from the key when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signing_alg: Option<String>,
    },
    /// MCP authorization with a client registered beforehand (servers without dynamic registration).
    McpOauth {
        /// The pre-registered client's id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
        /// The keychain secret holding its secret, for a confidential client.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secret_id: Option<String>,
        /// The scopes to ask for when the server names none.
        // `default` after `skip_serializing_if`: specta then marks the field optional in TypeScript.
        #[serde(skip_serializing_if = "Vec::is_empty", default)]
        scopes: Vec<String>,
    },
}

impl Auth {
    /// The keychain secrets it refers to.
    pub fn secret_ids(&self) -> Vec<&str> {
        match self {
            Auth::Static { secret_id, .. } | Auth::McpOauth { secret_id, .. } => {
                secret_id.iter().map(String::as_str).collect()
            }
            Auth::ApiKey { secret_id, .. } | Auth::ClientCredentials { secret_id, .. } => vec![secret_id.as_str()],
            Auth::Oauth2 { .. } => Vec::new(),
        }
    }
}

/// Per-server time limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Timeouts {
    /// Connecting and initializing, in milliseconds.
    #[serde(default = "default_connect_ms")]
    pub connect_ms: u32,
    /// One request without any progress, in milliseconds.
    #[serde(default = "default_call_ms")]
    pub call_ms: u32,
}

fn default_connect_ms() -> u32 {
    10_000
}
fn default_call_ms() -> u32 {
    30_000
}
fn default_true() -> bool {
    true
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect_ms: default_connect_ms(), call_ms: default_call_ms() }
    }
}

impl Timeouts {
    /// The connect limit.
    pub fn connect(&self) -> Duration {
        Duration::from_millis(u64::from(self.connect_ms))
    }
    /// The per-request limit.
    pub fn call(&self) -> Duration {
        Duration::from_millis(u64::from(self.call_ms))
    }
}

/// A server registration, as stored in the artifact's context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Registration {
    /// How to reach it.
    pub transport: Transport,
    /// How to authenticate; absent: none, or MCP authorization when the server asks for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
    /// When set, only these tools are visible and callable, anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_tools: Option<Vec<String>>,
    /// Time limits.
    #[serde(default)]
    pub timeouts: Timeouts,
    /// Whether Atrium keeps a live connection.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Everything else in the context (`title`, `notes`, `mcp_server`, …), kept untouched for the platform.
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub other: Map<String, Value>,
}

impl Registration {
    /// Whether `tool` may be listed and called.
    pub fn allows(&self, tool: &str) -> bool {
        self.allowed_tools.as_ref().is_none_or(|allowed| allowed.iter().any(|t| t == tool))
    }

    /// The registration as the JSON object stored in the artifact's context.
    pub fn to_context(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Every keychain secret it refers to: environment values and its auth's.
    pub fn secret_ids(&self) -> std::collections::BTreeSet<String> {
        let env = match &self.transport {
            Transport::Stdio { env, .. } | Transport::Github { env, .. } => Some(env),
            _ => None,
        };
        let from_env = env.into_iter().flat_map(|env| env.values()).filter_map(|value| match value {
            EnvValue::Secret { secret_id } => Some(secret_id.clone()),
            EnvValue::Text(_) => None,
        });
        let from_auth = self.auth.iter().flat_map(|a| a.secret_ids()).map(str::to_owned);
        from_env.chain(from_auth).collect()
    }

    /// The transport's name: `http`, `sse`, `stdio` or `github`.
    pub fn transport_name(&self) -> &'static str {
        match self.transport {
            Transport::Http { .. } => "http",
            Transport::Sse { .. } => "sse",
            Transport::Stdio { .. } => "stdio",
            Transport::Github { .. } => "github",
        }
    }

    /// A short description of where the server is, for lists.
    pub fn target(&self) -> String {
        match &self.transport {
            Transport::Http { well_known: Some(url), .. } => url.clone(),
            Transport::Http { url, .. } => url.clone().unwrap_or_default(),
            Transport::Sse { url } => url.clone(),
            Transport::Stdio { command, args, .. } => {
                std::iter::once(command.as_str()).chain(args.iter().map(String::as_str)).collect::<Vec<_>>().join(" ")
            }
            Transport::Github { owner_repo, .. } => format!("github:{owner_repo}"),
        }
    }
}

/// The registration stored in a server artifact: its context (the platform's and Atrium's place for it) when that
/// names a transport, else its content (the shape some documents and older Atriums wrote).
pub fn stored(artifact: &atrium_store::Artifact) -> Value {
    if artifact.context.get("transport").is_some() {
        return artifact.context.clone();
    }
    serde_json::from_str(&artifact.content).unwrap_or_else(|_| artifact.context.clone())
}

fn problem(field: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem { field: field.to_owned(), message: message.into(), position: None }
}

/// Parses and checks a registration, reporting every problem at once with the field it is in
/// (`transport.url`, `timeouts.call_ms`, …).
pub fn parse(value: &Value) -> Result<Registration, Vec<FieldProblem>> {
    let Some(object) = value.as_object() else {
        return Err(vec![problem("registration", "A registration is a JSON object, like {\"transport\": {…}}.")]);
    };
    let mut problems = Vec::new();
    match object.get("transport") {
        None => problems.push(problem("transport", "Say how to reach the server: add a \"transport\" object.")),
        Some(t) => check_transport(t, &mut problems),
    }
    if let Some(tools) = object.get("allowed_tools") {
        match tools.as_array() {
            Some(list) if list.iter().all(|t| t.as_str().is_some_and(|s| !s.trim().is_empty())) => {}
            _ => problems.push(problem("allowed_tools", "allowed_tools is a list of tool names, like [\"echo\"].")),
        }
    }
    if let Some(timeouts) = object.get("timeouts") {
        match timeouts.as_object() {
            None => problems
                .push(problem("timeouts", "timeouts is an object: {\"connect_ms\": 10000, \"call_ms\": 30000}.")),
            Some(t) => {
                for key in ["connect_ms", "call_ms"] {
                    if let Some(ms) = t.get(key) {
                        match ms.as_u64() {
                            Some(ms) if (100..=3_600_000).contains(&ms) => {}
                            _ => problems.push(problem(
                                &format!("timeouts.{key}"),
                                "A time limit is a whole number of milliseconds from 100 to 3600000.",
                            )),
                        }
                    }
                }
            }
        }
    }
    if let Some(enabled) = object.get("enabled")
        && !enabled.is_boolean()
    {
        problems.push(problem("enabled", "enabled is true or false."));
    }
    if let Some(auth) = object.get("auth")
        && !auth.is_null()
    {
        check_auth(auth, &mut problems);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    serde_json::from_value(value.clone()).map_err(|err| vec![problem("registration", err.to_string())])
}

fn check_transport(t: &Value, problems: &mut Vec<FieldProblem>) {
    let Some(t) = t.as_object() else {
        problems.push(problem("transport", "transport is an object with a \"type\": http, sse or stdio."));
        return;
    };
    let text = |key: &str| t.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    match t.get("type").and_then(Value::as_str) {
        Some("http") => match (t.get("well_known"), t.get("url")) {
            (Some(_), Some(_)) => problems.push(problem(
                "transport",
                "Give either \"well_known\" (the discovery document) or \"url\" (the MCP endpoint), not both.",
            )),
            (Some(_), None) => check_url("transport.well_known", text("well_known"), problems),
            (None, Some(_)) => check_url("transport.url", text("url"), problems),
            (None, None) => problems.push(problem(
                "transport.url",
                "Give the MCP endpoint (\"url\") or its discovery document (\"well_known\").",
            )),
        },
        Some("sse") => check_url("transport.url", text("url"), problems),
        Some("stdio") => {
            match text("command") {
                None => problems.push(problem("transport.command", "Give the program to run, like npx or python3.")),
                Some(cmd) if cmd.contains(char::is_whitespace) && !std::path::Path::new(cmd).is_absolute() => problems
                    .push(problem(
                        "transport.command",
                        "The command is one program; put its arguments in \"args\" (nothing runs through a shell).",
                    )),
                Some(_) => {}
            }
            if let Some(args) = t.get("args")
                && !args.as_array().is_some_and(|a| a.iter().all(Value::is_string))
            {
                problems.push(problem("transport.args", "args is a list of strings."));
            }
            if let Some(cwd) = t.get("cwd")
                && !cwd.is_null()
                && !cwd.as_str().is_some_and(|c| std::path::Path::new(c).is_absolute())
            {
                problems.push(problem("transport.cwd", "cwd is an absolute directory path."));
            }
            check_env(t.get("env"), problems);
        }
        Some("github") => {
            match text("owner_repo").map(repository_url) {
                Some(Ok(_)) => {}
                Some(Err(failure)) => problems.push(problem("transport.owner_repo", failure.message)),
                None => problems
                    .push(problem("transport.owner_repo", "Give the repository as owner/name (GitHub) or a git URL.")),
            }
            check_env(t.get("env"), problems);
        }
        Some(other) => problems.push(problem(
            "transport.type",
            format!("\"{other}\" is not a transport: use http, sse, stdio or github."),
        )),
        None => problems.push(problem("transport.type", "Say which transport: http, sse, stdio or github.")),
    }
}

/// The git URL of an `owner_repo`: `owner/repo` means GitHub; anything else must be a git URL Atrium accepts.
pub fn repository_url(owner_repo: &str) -> Result<String, crate::Failure> {
    let shorthand = owner_repo.split('/').count() == 2
        && owner_repo.split('/').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
    if shorthand {
        return Ok(format!("https://github.com/{owner_repo}.git"));
    }
    // git's `ext::` and other remote helpers run commands: only plain transports are accepted.
    let accepted = ["https://", "http://", "ssh://", "git://", "file://"].iter().any(|p| owner_repo.starts_with(p))
        || std::path::Path::new(owner_repo).is_absolute();
    if accepted && !owner_repo.chars().any(char::is_whitespace) {
        Ok(owner_repo.to_owned())
    } else {
        Err(crate::Failure::new(
            crate::FailureCode::ConfigError,
            format!(
                "\"{owner_repo}\" is neither owner/repo nor a git URL (https://, ssh://, git://, file:// or a path)."
            ),
        ))
    }
}

fn check_env(env: Option<&Value>, problems: &mut Vec<FieldProblem>) {
    let Some(env) = env else { return };
    let Some(env) = env.as_object() else {
        problems.push(problem("transport.env", "env is an object of NAME: value."));
        return;
    };
    for (name, value) in env {
        let ok_name = !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok_name {
            problems.push(problem(
                &format!("transport.env.{name}"),
                "A variable name uses letters, digits and _ and does not start with a digit.",
            ));
        }
        let ok_value =
            value.is_string() || value.get("secret_id").and_then(Value::as_str).is_some_and(|s| !s.is_empty());
        if !ok_value {
            problems.push(problem(
                &format!("transport.env.{name}"),
                "A value is text or {\"secret_id\": \"…\"} for a keychain secret.",
            ));
        }
    }
}

fn check_url(field: &str, text: Option<&str>, problems: &mut Vec<FieldProblem>) {
    let Some(text) = text else {
        problems.push(problem(field, "Give the address, like https://example.com/mcp."));
        return;
    };
    match url::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
        Ok(_) => problems.push(problem(field, "The address must start with http:// or https://.")),
        Err(err) => {
            problems.push(problem(field, format!("This is not an address ({err}): like https://example.com/mcp.")))
        }
    }
}

fn check_auth(auth: &Value, problems: &mut Vec<FieldProblem>) {
    let text = |key: &str| auth.get(key).and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty());
    let url_or_absent = |key: &str, problems: &mut Vec<FieldProblem>| {
        if let Some(value) = auth.get(key).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
            && !matches!(url::Url::parse(value).map(|u| u.scheme().to_owned()).as_deref(), Ok("https" | "http"))
        {
            problems.push(problem("auth", format!("auth.{key} must be an https URL.")));
        }
    };
    match auth.get("type").and_then(Value::as_str) {
        Some("static") => {
            if !text("header") || !(text("value") || text("secret_id")) {
                problems.push(problem("auth", "Static auth needs a \"header\" and a \"value\"."));
            }
        }
        Some("api_key") => {
            if !text("secret_id") || !text("header") {
                problems.push(problem("auth", "API key auth needs a \"secret_id\" and a \"header\"."));
            }
        }
        Some("oauth2") => {
            if !text("authorizer_id") {
                problems.push(problem("auth", "OAuth 2 auth needs an \"authorizer_id\"."));
            }
        }
        Some("client_credentials") => {
            // Without a token_url, the token endpoint is discovered from the server's authorization metadata.
            if !text("client_id") || !text("secret_id") {
                problems.push(problem("auth", "Client credentials need \"client_id\" and \"secret_id\"."));
            }
            url_or_absent("token_url", problems);
            if let Some(method) = auth.get("auth_method").filter(|m| !m.is_null())
                && serde_json::from_value::<TokenAuthMethod>(method.clone()).is_err()
            {
                problems.push(problem(
                    "auth.auth_method",
                    "auth_method is client_secret_basic, client_secret_post or private_key_jwt.",
                ));
            }
            if let Some(alg) = auth.get("signing_alg").filter(|a| !a.is_null())
                && !alg.as_str().is_some_and(|a| matches!(a, "RS256" | "ES256"))
            {
                problems.push(problem("auth.signing_alg", "signing_alg is RS256 or ES256."));
            }
        }
        // MCP authorization with a client registered beforehand (servers without dynamic registration).
        Some("mcp_oauth") => {
            if auth.get("secret_id").is_some() && !text("client_id") {
                problems.push(problem("auth", "A client secret needs its \"client_id\"."));
            }
        }
        _ => problems
            .push(problem("auth.type", "auth.type is one of static, api_key, oauth2, client_credentials, mcp_oauth.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(value: Value) -> Vec<String> {
        parse(&value).err().unwrap_or_default().into_iter().map(|p| p.field).collect()
    }

    #[test]
    fn every_transport_round_trips_to_the_design_shape() {
        for value in [
            json!({"transport": {"type": "http", "well_known": "https://x.example/.well-known/mcp.json"}}),
            json!({"transport": {"type": "http", "url": "http://127.0.0.1:3001/mcp"}}),
            json!({"transport": {"type": "sse", "url": "http://127.0.0.1:3001/sse"}}),
            json!({"transport": {"type": "stdio", "command": "npx", "args": ["-y", "x"], "env": {"A": "1", "B": {"secret_id": "s"}}}}),
            json!({"transport": {"type": "github", "owner_repo": "o/r", "ref": "main"}}),
        ] {
            let reg = parse(&value).expect("valid");
            assert_eq!(reg.to_context()["transport"], value["transport"]);
            assert!(reg.enabled);
            assert_eq!(reg.timeouts, Timeouts::default());
        }
    }

    #[test]
    fn unknown_fields_are_kept_for_the_platform() {
        let reg = parse(&json!({"title": "T", "transport": {"type": "sse", "url": "http://h/sse"},
            "mcp_server": {"kind": "relay"}}))
        .expect("valid");
        assert_eq!(reg.to_context()["mcp_server"]["kind"], "relay");
        assert_eq!(reg.to_context()["title"], "T");
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        assert_eq!(fields(json!([])), ["registration"]);
        assert_eq!(fields(json!({})), ["transport"]);
        assert_eq!(fields(json!({"transport": {"type": "ftp"}})), ["transport.type"]);
        assert_eq!(fields(json!({"transport": {"type": "http"}})), ["transport.url"]);
        assert_eq!(fields(json!({"transport": {"type": "http", "url": "ftp://x"}})), ["transport.url"]);
        assert_eq!(fields(json!({"transport": {"type": "http", "url": "a", "well_known": "b"}})), ["transport"]);
        assert_eq!(fields(json!({"transport": {"type": "stdio", "command": "npx -y x"}})), ["transport.command"]);
        assert_eq!(
            fields(json!({"transport": {"type": "stdio", "command": "node", "env": {"1X": "a", "OK": 3}},
                "timeouts": {"call_ms": 5}, "enabled": "yes", "allowed_tools": [""]})),
            ["transport.env.1X", "transport.env.OK", "allowed_tools", "timeouts.call_ms", "enabled"]
        );
    }

    #[test]
    fn allowed_tools_limits_what_is_allowed() {
        let mut reg = parse(&json!({"transport": {"type": "sse", "url": "http://h/sse"}})).expect("valid");
        assert!(reg.allows("anything"));
        reg.allowed_tools = Some(vec!["echo".into()]);
        assert!(reg.allows("echo") && !reg.allows("add"));
    }

    #[test]
    fn repositories_are_github_shorthands_or_plain_git_urls() {
        assert_eq!(
            repository_url("modelcontextprotocol/servers").expect("ok"),
            "https://github.com/modelcontextprotocol/servers.git"
        );
        for ok in ["https://example.com/x.git", "file:///tmp/repo.git", "/srv/git/repo.git", "ssh://git@host/x.git"] {
            assert_eq!(repository_url(ok).expect(ok), ok);
        }
        for bad in ["ext::sh -c evil", "relative/path/x", "-upload-pack=evil", "a/b/c", ""] {
            assert!(repository_url(bad).is_err(), "{bad}");
        }
    }
}
