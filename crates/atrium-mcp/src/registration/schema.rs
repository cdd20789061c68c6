//! The JSON Schema (2020-12) of a registration, written by hand beside the types: the editor completes and checks
//! a registration with it as the person types (`export-bindings` copies it into the UI). `parse` stays the
//! authority — it also checks what a schema cannot say well (a URL's host, an absolute path on this OS) — and the
//! tests below keep the two agreeing on what each accepts and refuses.

/// The schema, as JSON text.
pub const SCHEMA: &str = include_str!("schema.json");

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    fn validator() -> jsonschema::Validator {
        let schema: Value = serde_json::from_str(super::SCHEMA).expect("the schema is JSON");
        jsonschema::draft202012::new(&schema).expect("the schema is a valid 2020-12 schema")
    }

    /// Registrations `parse` accepts: every shape of transport and auth, defaults left out, extra fields kept.
    fn accepted() -> Vec<Value> {
        vec![
            json!({"transport": {"type": "http", "well_known": "https://x.example/.well-known/mcp.json"}}),
            json!({"transport": {"type": "http", "url": "http://127.0.0.1:3001/mcp"}}),
            json!({"transport": {"type": "sse", "url": "http://127.0.0.1:3001/sse"}}),
            json!({"transport": {"type": "stdio", "command": "npx", "args": ["-y", "x"], "env": {"A": "1", "B": {"secret_id": "s"}}}}),
            json!({"transport": {"type": "stdio", "command": "/opt/my tools/server", "cwd": "/tmp"}}),
            json!({"transport": {"type": "github", "owner_repo": "o/r", "ref": "main"}}),
            json!({"transport": {"type": "github", "owner_repo": "file:///srv/git/r.git", "env": {"_T": {"secret_id": "k"}}}}),
            json!({"title": "T", "transport": {"type": "sse", "url": "http://h/sse"}, "mcp_server": {"kind": "relay"}}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "allowed_tools": ["echo"],
                "timeouts": {"connect_ms": 100, "call_ms": 3_600_000}, "enabled": false, "auth": null}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "auth": {"type": "static", "header": "X", "value": "v"}}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "auth": {"type": "static", "header": "X", "secret_id": "s"}}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "auth": {"type": "api_key", "header": "X-Api-Key", "secret_id": "s"}}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "auth": {"type": "oauth2", "authorizer_id": "a"}}),
            json!({"transport": {"type": "http", "url": "https://h/mcp"}, "auth": {"type": "client_credentials",
                "token_url": "https://h/token", "client_id": "c", "secret_id": "s", "scopes": ["read"],
                "auth_method": "private_key_jwt", "signing_alg": "ES256"}}),
            json!({"transport": {"type": "http", "url": "https://h/mcp"}, "auth": {"type": "mcp_oauth"}}),
            json!({"transport": {"type": "http", "url": "https://h/mcp"}, "auth": {"type": "mcp_oauth", "client_id": "c", "secret_id": "s"}}),
        ]
    }

    /// Registrations `parse` refuses, one reason each.
    fn refused() -> Vec<Value> {
        vec![
            json!([]),
            json!({}),
            json!({"transport": {"type": "ftp"}}),
            json!({"transport": {"url": "http://h/mcp"}}),
            json!({"transport": {"type": "http"}}),
            json!({"transport": {"type": "http", "url": "ftp://x"}}),
            json!({"transport": {"type": "http", "url": "https://a/mcp", "well_known": "https://b/mcp.json"}}),
            json!({"transport": {"type": "sse"}}),
            json!({"transport": {"type": "stdio", "command": "npx -y x"}}),
            json!({"transport": {"type": "stdio", "command": " "}}),
            json!({"transport": {"type": "stdio", "command": "node", "args": [1]}}),
            json!({"transport": {"type": "stdio", "command": "node", "cwd": "relative"}}),
            json!({"transport": {"type": "stdio", "command": "node", "env": {"1X": "a"}}}),
            json!({"transport": {"type": "stdio", "command": "node", "env": {"OK": 3}}}),
            json!({"transport": {"type": "stdio", "command": "node", "env": {"OK": {"secret_id": ""}}}}),
            json!({"transport": {"type": "github", "owner_repo": "ext::sh -c evil"}}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "timeouts": {"call_ms": 5}}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "timeouts": 5}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "enabled": "yes"}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "allowed_tools": [""]}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "allowed_tools": null}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "auth": {"type": "bearer"}}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "auth": {"type": "static", "header": "X"}}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "auth": {"type": "api_key", "header": "X"}}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "auth": {"type": "oauth2"}}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "auth": {"type": "client_credentials",
                "client_id": "c", "secret_id": "s", "auth_method": "none"}}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "auth": {"type": "client_credentials",
                "client_id": "c", "secret_id": "s", "signing_alg": "HS256"}}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "auth": {"type": "client_credentials",
                "client_id": "c", "secret_id": "s", "token_url": "ftp://h/token"}}),
            json!({"transport": {"type": "sse", "url": "http://h/sse"}, "auth": {"type": "mcp_oauth", "secret_id": "s"}}),
        ]
    }

    #[test]
    fn the_schema_accepts_what_parse_accepts() {
        let schema = validator();
        for value in accepted() {
            crate::registration::parse(&value).unwrap_or_else(|p| panic!("parse refuses {value}: {p:?}"));
            let errors: Vec<String> = schema.iter_errors(&value).map(|e| format!("{} {e}", e.instance_path)).collect();
            assert!(errors.is_empty(), "the schema refuses {value}: {errors:?}");
        }
    }

    #[test]
    fn the_schema_refuses_what_parse_refuses() {
        let schema = validator();
        for value in refused() {
            assert!(crate::registration::parse(&value).is_err(), "parse accepts {value}");
            assert!(!schema.is_valid(&value), "the schema accepts {value}");
        }
    }
}
