//! Reading the MCP configurations people already have — Claude Desktop's `claude_desktop_config.json`, VS Code's
//! `mcp.json` (`servers` + `inputs`), Cursor's `.cursor/mcp.json` and Claude Code's `.mcp.json` (`mcpServers`) —
//! into Atrium registrations. Values of environment variables and headers that look secret become keychain
//! references; the values themselves are handed back separately, inside [`Sensitive`], for the caller to put in
//! the keychain. Pure: no I/O, nothing stored.

use std::collections::BTreeMap;

use atrium_secrets::Sensitive;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::registration::{self, Auth, EnvValue, Registration, Transport};

/// Which tool a configuration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ConfigFormat {
    /// `claude_desktop_config.json`.
    ClaudeDesktop,
    /// VS Code's `mcp.json` (`servers`, `inputs`).
    VsCode,
    /// Cursor's `.cursor/mcp.json`.
    Cursor,
    /// A project's `.mcp.json` (Claude Code), or any other `mcpServers` file.
    McpJson,
}

impl ConfigFormat {
    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            ConfigFormat::ClaudeDesktop => "Claude Desktop",
            ConfigFormat::VsCode => "VS Code",
            ConfigFormat::Cursor => "Cursor",
            ConfigFormat::McpJson => ".mcp.json (mcpServers)",
        }
    }
}

/// A configuration that cannot be read, with where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    /// What is wrong.
    pub message: String,
    /// The line (from 1), when the problem is at one place.
    pub line: Option<u32>,
    /// The column (from 1).
    pub column: Option<u32>,
}

/// Where a secret's value comes from.
#[derive(Debug, Clone)]
pub enum SecretValue {
    /// Written in the file.
    Literal(Sensitive<String>),
    /// A VS Code `${input:id}` the person has to type (VS Code asks at start; Atrium asks at import).
    Input(String),
}

/// One secret an imported server needs.
#[derive(Debug, Clone)]
pub struct ImportedSecret {
    /// The keychain id the registration refers to.
    pub secret_id: String,
    /// Where it was found (`env GITHUB_TOKEN`, `header Authorization`).
    pub source: String,
    /// Its value, or the input that gives it.
    pub value: SecretValue,
}

/// One server read from a configuration.
#[derive(Debug, Clone)]
pub struct ImportedServer {
    /// Its name in the file (becomes the title).
    pub name: String,
    /// The registration to store: secrets are references only.
    pub registration: Value,
    /// The secrets it needs.
    pub secrets: Vec<ImportedSecret>,
    /// What was not carried over, or needs attention.
    pub warnings: Vec<String>,
    /// Why it cannot be imported at all (then `registration` is not valid).
    pub problem: Option<String>,
}

/// A VS Code input declaration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConfigInput {
    /// Its id (`${input:<id>}`).
    pub id: String,
    /// The prompt VS Code shows.
    pub description: String,
    /// Whether VS Code hides what is typed.
    pub password: bool,
}

/// A whole configuration, read.
#[derive(Debug, Clone)]
pub struct ImportedConfig {
    /// Which tool it came from.
    pub format: ConfigFormat,
    /// Its servers, by name.
    pub servers: Vec<ImportedServer>,
    /// VS Code inputs used by the servers.
    pub inputs: Vec<ConfigInput>,
}

/// Whether an environment variable or header name looks like it holds a secret.
pub fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "AUTHORIZATION", "CREDENTIAL", "COOKIE"]
        .iter()
        .any(|word| upper.contains(word))
}

/// A keychain id for a server's secret: `<server slug>.<name>`.
pub fn secret_id_for(server: &str, name: &str) -> String {
    let clean = |text: &str| -> String {
        let mut out: String = text
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '-' })
            .collect::<String>()
            .trim_matches('-')
            .to_owned();
        out.truncate(60);
        out
    };
    let server = clean(&server.to_ascii_lowercase());
    let server = if server.is_empty() { "server".to_owned() } else { server };
    format!("{server}.{}", clean(name))
}

/// Reads a configuration. `file_name` (when the text came from a file) tells Claude Desktop and Cursor files
/// apart from other `mcpServers` files; the shape alone decides the rest. JSON with comments and trailing commas
/// (VS Code's dialect) is accepted.
pub fn parse_config(text: &str, file_name: Option<&str>) -> Result<ImportedConfig, ConfigError> {
    let root = parse_jsonc(text)?;
    let Some(root) = root.as_object() else {
        return Err(ConfigError {
            message: "The file must hold a JSON object.".into(),
            line: Some(1),
            column: Some(1),
        });
    };
    let (format, servers) = match (root.get("mcpServers"), root.get("servers")) {
        (Some(servers), _) => {
            let name = file_name.unwrap_or_default().replace('\\', "/");
            let format = if name.ends_with("claude_desktop_config.json") {
                ConfigFormat::ClaudeDesktop
            } else if name.ends_with(".cursor/mcp.json") {
                ConfigFormat::Cursor
            } else {
                ConfigFormat::McpJson
            };
            (format, servers)
        }
        (None, Some(servers)) => (ConfigFormat::VsCode, servers),
        (None, None) => {
            return Err(ConfigError {
                message: "No servers found: the file has neither \"mcpServers\" (Claude Desktop, Cursor, .mcp.json) \
                          nor \"servers\" (VS Code)."
                    .into(),
                line: None,
                column: None,
            });
        }
    };
    let Some(servers) = servers.as_object() else {
        return Err(ConfigError {
            message: "The servers must be a JSON object, one entry per server name.".into(),
            line: None,
            column: None,
        });
    };
    let inputs: Vec<ConfigInput> = root
        .get("inputs")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|input| {
                    Some(ConfigInput {
                        id: input.get("id")?.as_str()?.to_owned(),
                        description: input.get("description").and_then(Value::as_str).unwrap_or_default().to_owned(),
                        password: input.get("password").and_then(Value::as_bool).unwrap_or(false),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let servers = servers.iter().map(|(name, entry)| server(name, entry)).collect();
    Ok(ImportedConfig { format, servers, inputs })
}

fn server(name: &str, entry: &Value) -> ImportedServer {
    let mut out = ImportedServer {
        name: name.to_owned(),
        registration: Value::Null,
        secrets: Vec::new(),
        warnings: Vec::new(),
        problem: None,
    };
    let Some(entry) = entry.as_object() else {
        out.problem = Some("its entry is not a JSON object".into());
        return out;
    };
    let kind = entry.get("type").and_then(Value::as_str).unwrap_or_default();
    let url = entry.get("url").or_else(|| entry.get("serverUrl")).and_then(Value::as_str);
    let transport = match (entry.get("command").and_then(Value::as_str), url) {
        (Some(command), _) => {
            let args: Vec<Value> = entry
                .get("args")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|v| Value::String(text_of(v))).collect())
                .unwrap_or_default();
            let mut env = Map::new();
            for (key, value) in entry.get("env").and_then(Value::as_object).into_iter().flatten() {
                env.insert(key.clone(), env_value(&mut out, key, &text_of(value)));
            }
            if entry.contains_key("envFile") {
                out.warnings.push("envFile is not imported: add its variables to the registration.".into());
            }
            let mut transport = json!({"type": "stdio", "command": command, "args": args});
            if let Some(cwd) = entry.get("cwd").and_then(Value::as_str) {
                if cwd.contains("${") {
                    out.warnings.push(format!("cwd \"{cwd}\" uses a variable Atrium cannot expand: set it by hand."));
                } else {
                    transport["cwd"] = json!(cwd);
                }
            }
            if !env.is_empty() {
                transport["env"] = Value::Object(env);
            }
            transport
        }
        (None, Some(url)) => {
            let mut transport = if kind == "sse" || url.trim_end_matches('/').ends_with("/sse") {
                json!({"type": "sse", "url": url})
            } else {
                json!({"type": "http", "url": url})
            };
            if let Some(headers) = entry.get("headers").and_then(Value::as_object) {
                headers_into(&mut out, headers, &mut transport);
            }
            transport
        }
        (None, None) => {
            out.problem = Some("it has neither a command nor a url".into());
            return out;
        }
    };
    let auth = transport.get("auth").cloned();
    let mut registration = json!({ "transport": transport });
    if let Some(auth) = auth {
        registration["transport"].as_object_mut().map(|t| t.remove("auth"));
        registration["auth"] = auth;
    }
    if entry.get("disabled").and_then(Value::as_bool) == Some(true) {
        registration["enabled"] = json!(false);
    }
    if let Some(tools) = entry.get("alwaysAllow").or_else(|| entry.get("allowedTools")).and_then(Value::as_array) {
        registration["allowed_tools"] = json!(tools);
    }
    if let Err(problems) = registration::parse(&registration) {
        out.problem =
            Some(problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("; "));
    }
    out.registration = registration;
    out
}

/// An env value: a keychain reference when the name looks secret or the value is a VS Code password input,
/// the text otherwise.
fn env_value(out: &mut ImportedServer, key: &str, value: &str) -> Value {
    if let Some(input) = whole_input(value) {
        let secret_id = secret_id_for(&out.name, key);
        out.secrets.push(ImportedSecret {
            secret_id: secret_id.clone(),
            source: format!("env {key} (input {input})"),
            value: SecretValue::Input(input.to_owned()),
        });
        return json!({ "secret_id": secret_id });
    }
    if value.contains("${") {
        out.warnings.push(format!("{key} uses a variable (\"{value}\") Atrium does not expand: set it by hand."));
    }
    if looks_secret(key) && !value.is_empty() && !value.contains("${") {
        let secret_id = secret_id_for(&out.name, key);
        out.secrets.push(ImportedSecret {
            secret_id: secret_id.clone(),
            source: format!("env {key}"),
            value: SecretValue::Literal(Sensitive::new(value.to_owned())),
        });
        return json!({ "secret_id": secret_id });
    }
    json!(value)
}

/// HTTP headers: the first secret-looking one becomes `api_key` auth (its whole value, e.g. `Bearer …`, in the
/// keychain); registrations carry no other headers, so the rest are reported.
fn headers_into(out: &mut ImportedServer, headers: &Map<String, Value>, transport: &mut Value) {
    for (name, value) in headers {
        let value = text_of(value);
        let secret = looks_secret(name) || whole_input(&value).is_some();
        if secret && transport.get("auth").is_none() {
            let secret_id = secret_id_for(&out.name, name);
            let source = format!("header {name}");
            let value = match whole_input(&value) {
                Some(input) => SecretValue::Input(input.to_owned()),
                None => SecretValue::Literal(Sensitive::new(value)),
            };
            out.secrets.push(ImportedSecret { secret_id: secret_id.clone(), source, value });
            transport["auth"] = json!({"type": "api_key", "secret_id": secret_id, "header": name});
        } else {
            out.warnings
                .push(format!("The header {name} is not imported: Atrium registrations carry one auth header."));
        }
    }
}

/// `${input:id}` as the whole value.
fn whole_input(value: &str) -> Option<&str> {
    value.strip_prefix("${input:")?.strip_suffix('}')
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// JSON with comments and trailing commas (VS Code's dialect) as a value.
pub fn parse_jsonc(text: &str) -> Result<Value, ConfigError> {
    serde_json::from_str(&strip_jsonc(text)).map_err(|err| ConfigError {
        message: format!("This is not valid JSON: {err}."),
        line: u32::try_from(err.line()).ok().filter(|l| *l > 0),
        column: u32::try_from(err.column()).ok().filter(|c| *c > 0),
    })
}

/// Removes `//` and `/* */` comments and trailing commas, keeping every line break (so error lines stay right)
/// and leaving strings alone.
fn strip_jsonc(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_string = false;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            out.push(c);
            if c == '\\' && i + 1 < chars.len() {
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            if c == '"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        match (c, chars.get(i + 1)) {
            ('"', _) => {
                in_string = true;
                out.push(c);
                i += 1;
            }
            ('/', Some('/')) => {
                while i < chars.len() && chars[i] != '\n' {
                    out.push(' ');
                    i += 1;
                }
            }
            ('/', Some('*')) => {
                out.push_str("  ");
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    out.push(if chars[i] == '\n' { '\n' } else { ' ' });
                    i += 1;
                }
                out.push_str("  ");
                i += 2;
            }
            (',', _) => {
                // A comma followed only by whitespace/comments before } or ] is dropped.
                let mut j = i + 1;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                out.push(if matches!(chars.get(j), Some('}' | ']')) { ' ' } else { ',' });
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// A registration as an `.mcp.json` entry (what Claude Desktop, Cursor and Claude Code read), with no secret
/// value: keychain references become empty strings, and the names of what was left out are returned.
pub fn export_entry(registration: &Registration) -> (Value, Vec<String>) {
    let mut omitted = Vec::new();
    let mut entry = Map::new();
    match &registration.transport {
        Transport::Stdio { command, args, cwd, env } => {
            entry.insert("command".into(), json!(command));
            entry.insert("args".into(), json!(args));
            if let Some(cwd) = cwd {
                entry.insert("cwd".into(), json!(cwd));
            }
            let mut exported = BTreeMap::new();
            for (key, value) in env {
                let text = match value {
                    EnvValue::Text(text) if !looks_secret(key) => text.as_str(),
                    _ => {
                        omitted.push(format!("env {key}"));
                        ""
                    }
                };
                exported.insert(key.clone(), json!(text));
            }
            if !exported.is_empty() {
                entry.insert("env".into(), json!(exported));
            }
        }
        Transport::Http { url, well_known } => {
            entry.insert("type".into(), json!("http"));
            entry.insert("url".into(), json!(url.as_ref().or(well_known.as_ref())));
            export_header(registration.auth.as_ref(), &mut entry, &mut omitted);
        }
        Transport::Sse { url } => {
            entry.insert("type".into(), json!("sse"));
            entry.insert("url".into(), json!(url));
            export_header(registration.auth.as_ref(), &mut entry, &mut omitted);
        }
        // Other clients cannot build a server from its source: the entry names the kind only.
        Transport::Github { .. } => {
            entry.insert("type".into(), json!("github"));
        }
    }
    if !registration.enabled {
        entry.insert("disabled".into(), json!(true));
    }
    (Value::Object(entry), omitted)
}

/// A secret header's name with an empty value, for the person to fill in the other client.
fn export_header(auth: Option<&Auth>, entry: &mut Map<String, Value>, omitted: &mut Vec<String>) {
    if let Some(Auth::Static { header, .. } | Auth::ApiKey { header, .. }) = auth {
        omitted.push(format!("header {header}"));
        entry.insert("headers".into(), json!({ header: "" }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_trailing_commas_are_accepted_and_lines_are_kept() {
        let text =
            "{\n  // a comment\n  \"servers\": { /* x */ \"a\": {\"command\": \"npx\", \"args\": [\"-y\",],},\n  },\n}";
        let config = parse_config(text, None).expect("jsonc");
        assert_eq!(config.format, ConfigFormat::VsCode);
        assert_eq!(config.servers[0].registration["transport"]["args"], json!(["-y"]));
        let broken = "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"npx\" \"args\": []}\n  }\n}";
        let err = parse_config(broken, None).expect_err("broken");
        assert_eq!(err.line, Some(3), "{err:?}");
    }

    #[test]
    fn secret_looking_values_become_references() {
        let text = r#"{"mcpServers": {"GitHub Server": {"command": "npx", "args": ["-y", "gh"],
            "env": {"GITHUB_TOKEN": "ghp_abc123", "LOG_LEVEL": "debug"}}}}"#;
        let config = parse_config(text, Some("/home/u/.config/Claude/claude_desktop_config.json")).expect("parse");
        assert_eq!(config.format, ConfigFormat::ClaudeDesktop);
        let server = &config.servers[0];
        assert_eq!(
            server.registration["transport"]["env"]["GITHUB_TOKEN"],
            json!({"secret_id": "github-server.GITHUB_TOKEN"})
        );
        assert_eq!(server.registration["transport"]["env"]["LOG_LEVEL"], json!("debug"));
        assert!(!server.registration.to_string().contains("ghp_abc123"));
        assert!(matches!(&server.secrets[0].value, SecretValue::Literal(v) if v.expose() == "ghp_abc123"));
    }

    #[test]
    fn exports_carry_no_secret() {
        let registration = json!({"transport": {"type": "stdio", "command": "npx", "args": ["x"],
            "env": {"API_KEY": {"secret_id": "s.API_KEY"}, "MODE": "fast", "DB_PASSWORD": "literal-pw"}}});
        let registration = registration::parse(&registration).expect("a valid registration");
        let (entry, omitted) = export_entry(&registration);
        let text = entry.to_string();
        assert!(!text.contains("literal-pw") && !text.contains("s.API_KEY"), "{text}");
        assert_eq!(entry["env"]["MODE"], json!("fast"));
        assert_eq!(omitted, ["env API_KEY", "env DB_PASSWORD"]);
    }

    #[test]
    fn an_exported_header_is_named_with_no_value() {
        let registration = registration::parse(&json!({"transport": {"type": "http", "url": "https://x.example/mcp"},
            "auth": {"type": "api_key", "header": "X-Api-Key", "secret_id": "s.key"}, "enabled": false}))
        .expect("a valid registration");
        let (entry, omitted) = export_entry(&registration);
        assert_eq!(
            entry,
            json!({"type": "http", "url": "https://x.example/mcp", "headers": {"X-Api-Key": ""},
            "disabled": true})
        );
        assert_eq!(omitted, ["header X-Api-Key"]);
    }
}
