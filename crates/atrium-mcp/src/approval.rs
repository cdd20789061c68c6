//! What a registration would do on this machine, and the person's approval of exactly that (DESIGN §6.2).
//!
//! A registration that starts a process here (`stdio`, `github`) or hands one of this machine's credentials to a
//! server (a keychain secret in `env` or `auth`, an Authorizer's tokens) can arrive from elsewhere: synced from the
//! platform, where anyone who can write to a shared workspace can write it. None of it runs, and no credential is
//! sent, until the person approved it here. An approval is kept locally (never synced) and bound to a fingerprint
//! of everything that matters for safety — the whole transport (command, arguments, working directory, every
//! environment variable with its value or secret id; the repository and ref) and the whole `auth` — so any later
//! change, from the platform or anywhere else, asks again. A title, `allowed_tools` or timeouts are not part of it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Digest;

use crate::registration::{Auth, EnvValue, Registration, Transport};

/// What the person is asked to approve: what would run, and which of this machine's credentials would be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LocalEffects {
    /// The fingerprint an approval of exactly this is bound to.
    pub fingerprint: String,
    /// The program and arguments that would start (a repository: the repository and ref to install and run).
    pub runs: Option<String>,
    /// Its working directory.
    pub cwd: Option<String>,
    /// The environment variables it would get, by name (values stay out of lists).
    pub env_names: Vec<String>,
    /// This machine's keychain secrets (and Authorizers) it would be given.
    pub credentials: Vec<String>,
    /// Where those credentials would be sent, for a remote server.
    pub sends_to: Option<String>,
}

impl Registration {
    /// What this registration would do here that needs the person's approval; `None` when it starts nothing and
    /// sends none of this machine's credentials.
    pub fn local_effects(&self) -> Option<LocalEffects> {
        let mut credentials = auth_credentials(self.auth.as_ref());
        let (runs, cwd, env_names, sends_to) = match &self.transport {
            Transport::Stdio { cwd, env, .. } => {
                credentials.extend(env_secrets(env));
                (Some(self.target()), cwd.clone(), env.keys().cloned().collect(), None)
            }
            Transport::Github { owner_repo, git_ref, env } => {
                credentials.extend(env_secrets(env));
                let at = git_ref.as_deref().map(|r| format!(" at {r}")).unwrap_or_default();
                let runs = format!("the repository {owner_repo}{at}, installed and run sandboxed");
                (Some(runs), None, env.keys().cloned().collect(), None)
            }
            Transport::Http { .. } | Transport::Sse { .. } if !credentials.is_empty() => {
                (None, None, Vec::new(), Some(self.target()))
            }
            Transport::Http { .. } | Transport::Sse { .. } => return None,
        };
        credentials.sort();
        credentials.dedup();
        Some(LocalEffects { fingerprint: self.approval_fingerprint(), runs, cwd, env_names, credentials, sends_to })
    }

    /// The fingerprint of what matters for safety: the transport and the auth, canonically encoded.
    fn approval_fingerprint(&self) -> String {
        let material = serde_json::json!({
            "transport": canonical(serde_json::to_value(&self.transport).unwrap_or(Value::Null)),
            "auth": canonical(serde_json::to_value(&self.auth).unwrap_or(Value::Null)),
        });
        let digest = sha2::Sha256::digest(material.to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn env_secrets(env: &std::collections::BTreeMap<String, EnvValue>) -> Vec<String> {
    env.values()
        .filter_map(|v| match v {
            EnvValue::Secret { secret_id } => Some(format!("secret {secret_id}")),
            EnvValue::Text(_) => None,
        })
        .collect()
}

/// The credentials of this machine an `auth` uses: keychain secrets and Authorizers.
fn auth_credentials(auth: Option<&Auth>) -> Vec<String> {
    let Some(auth) = auth else { return Vec::new() };
    let mut used: Vec<String> = auth.secret_ids().into_iter().map(|id| format!("secret {id}")).collect();
    match auth {
        Auth::Oauth2 { authorizer_id } => used.push(format!("the sign-in of Authorizer {authorizer_id}")),
        // A static header whose value is still in the registration (saved before values moved to the keychain).
        Auth::Static { value: Some(_), .. } => used.push("a header value".to_owned()),
        _ => {}
    }
    used
}

/// The same JSON with every object's keys in order, so equal registrations give equal fingerprints however their
/// JSON was written.
fn canonical(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().map(|(k, v)| (k, canonical(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().collect::<Map<String, Value>>())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn effects(value: Value) -> Option<LocalEffects> {
        crate::registration::parse(&value).expect("valid").local_effects()
    }

    #[test]
    fn what_runs_or_sends_a_credential_needs_approval_and_nothing_else_does() {
        assert!(effects(json!({"transport": {"type": "http", "url": "https://h/mcp"}})).is_none());
        assert!(
            effects(json!({"transport": {"type": "http", "url": "https://h/mcp"}, "auth": {"type": "mcp_oauth"}}))
                .is_none(),
            "a sign-in needs the person anyway"
        );
        let stdio = effects(json!({"transport": {"type": "stdio", "command": "python3", "args": ["-c", "x"],
            "env": {"A": "1", "TOKEN": {"secret_id": "gh.token"}}}}))
        .expect("a process");
        assert_eq!(stdio.runs.as_deref(), Some("python3 -c x"));
        assert_eq!(stdio.env_names, ["A", "TOKEN"]);
        assert_eq!(stdio.credentials, ["secret gh.token"]);
        let remote = effects(json!({"transport": {"type": "http", "url": "https://evil.example/mcp"},
            "auth": {"type": "api_key", "header": "X-Key", "secret_id": "gh.token"}}))
        .expect("a credential leaves the machine");
        assert_eq!(remote.sends_to.as_deref(), Some("https://evil.example/mcp"));
        assert!(remote.runs.is_none());
    }

    #[test]
    fn the_fingerprint_follows_what_runs_and_nothing_else() {
        let base = json!({"transport": {"type": "stdio", "command": "node", "args": ["a.js"], "env": {"A": "1"}}});
        let fp = |v: Value| effects(v).expect("effects").fingerprint;
        let same = json!({"enabled": false, "allowed_tools": ["x"], "title": "Other",
            "transport": {"env": {"A": "1"}, "args": ["a.js"], "command": "node", "type": "stdio"}});
        assert_eq!(fp(base.clone()), fp(same), "titles, tool lists and key order do not matter");
        for changed in [
            json!({"transport": {"type": "stdio", "command": "node", "args": ["b.js"], "env": {"A": "1"}}}),
            json!({"transport": {"type": "stdio", "command": "node", "args": ["a.js"], "env": {"A": "2"}}}),
            json!({"transport": {"type": "stdio", "command": "node", "args": ["a.js"], "env": {"A": "1", "B": "1"}}}),
            json!({"transport": {"type": "stdio", "command": "deno", "args": ["a.js"], "env": {"A": "1"}}}),
            json!({"transport": {"type": "stdio", "command": "node", "args": ["a.js"], "env": {"A": {"secret_id": "s"}}}}),
        ] {
            assert_ne!(fp(base.clone()), fp(changed.clone()), "{changed}");
        }
    }
}
