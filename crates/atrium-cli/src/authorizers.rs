//! `atrium authorizer …`: the app's Authorizers screen (OAuth apps that servers sign in through).

use std::io::Read;

use atrium_api::{ApiResult, Atrium, AuthorizerConfig, AuthorizerView, NewAuthorizer, SecretInput, server_slug};
use serde_json::{Map, Value, json};

use crate::authorizer_args::{AuthorizerCommand, AuthorizerConfigArgs};
use crate::failure::{Failure, invalid};
use crate::output::{Printer, print_json};
use crate::pick::{resolve_authorizer, resolve_workspace};
use crate::prompt::confirm;

pub async fn authorizer(atrium: &Atrium, out: &Printer, command: &AuthorizerCommand) -> Result<(), Failure> {
    match command {
        AuthorizerCommand::List { workspace } => {
            let workspace_id = match workspace {
                Some(reference) => Some(resolve_workspace(atrium, reference).await?.id),
                None => None,
            };
            let authorizers = atrium.authorizer_list(workspace_id).await?;
            if out.json() {
                print_json(&authorizers);
            } else if authorizers.is_empty() {
                say!(
                    "No Authorizers. Create one: atrium authorizer create WORKSPACE --title T --auth-url … --token-url … --client-id …"
                );
            } else {
                for a in &authorizers {
                    let connected = if a.connected { "connected" } else { "not connected" };
                    let used = if a.used_by.is_empty() {
                        String::new()
                    } else {
                        format!("  used by {}", a.used_by.join(", "))
                    };
                    say!("{}  {:<24}  {:<13}  {}{used}", a.id, a.title, connected, a.config.provider);
                }
            }
        }
        AuthorizerCommand::Show { authorizer } => out_authorizer(out, &resolve_authorizer(atrium, authorizer).await?),
        AuthorizerCommand::Create { workspace, title, config } => {
            let workspace_id = resolve_workspace(atrium, workspace).await?.id;
            let secret = client_secret(config)?;
            let mut value = match whole_config(config)? {
                Some(value) => value,
                None => Value::Object(Map::new()),
            };
            apply(&mut value, config, secret.as_deref(), title)?;
            let missing: Vec<&str> =
                [("auth_url", "--auth-url"), ("token_url", "--token-url"), ("client_id", "--client-id")]
                    .into_iter()
                    .filter(|(field, _)| value.get(field).is_none_or(Value::is_null))
                    .map(|(_, flag)| flag)
                    .collect();
            if !missing.is_empty() {
                return Err(
                    invalid(format!("an Authorizer needs {} (or the whole --config)", missing.join(", "))).into()
                );
            }
            let config_value = typed(value)?;
            let view = atrium
                .authorizer_create(NewAuthorizer { workspace_id, title: title.clone(), config: config_value })
                .await?;
            if let Some(secret) = secret
                && let Err(err) = store_secret(atrium, &view, secret).await
            {
                // Nothing half-made stays: without its secret the Authorizer could not connect.
                let _ = atrium.authorizer_delete(view.id.clone()).await;
                return Err(err.into());
            }
            out_authorizer(out, &view);
        }
        AuthorizerCommand::Update { authorizer, title, config, expect_version } => {
            let current = resolve_authorizer(atrium, authorizer).await?;
            let secret = client_secret(config)?;
            let stored = serde_json::to_value(&current.config).map_err(|e| invalid(e.to_string()))?;
            let mut value = whole_config(config)?.unwrap_or_else(|| stored.clone());
            let new_title = title.as_deref().unwrap_or(&current.title);
            apply(&mut value, config, secret.as_deref(), new_title)?;
            let new_config = if value == stored { None } else { Some(typed(value)?) };
            if title.is_none() && new_config.is_none() && secret.is_none() {
                return Err(invalid(
                    "nothing to change: give --title, a configuration flag, --config or --client-secret-stdin",
                )
                .into());
            }
            let view = if title.is_some() || new_config.is_some() {
                let version = expect_version.unwrap_or(current.version);
                atrium.authorizer_update(current.id.clone(), version, title.clone(), new_config).await?
            } else {
                current
            };
            if let Some(secret) = secret {
                store_secret(atrium, &view, secret).await?;
            }
            out_authorizer(out, &view);
        }
        AuthorizerCommand::Delete { authorizer, yes } => {
            let view = resolve_authorizer(atrium, authorizer).await?;
            confirm(&format!("Delete the Authorizer \"{}\" and its connection?", view.title), *yes)?;
            atrium.authorizer_delete(view.id.clone()).await?;
            out.deleted("authorizer", &view.id);
        }
        AuthorizerCommand::Connect { authorizer } => {
            let id = resolve_authorizer(atrium, authorizer).await?.id;
            eprintln!("Finish signing in in your browser (5 minutes at most; Ctrl+C cancels)…");
            let connecting = atrium.authorizer_connect(id.clone());
            let cancel = async || atrium.authorizer_connect_cancel(id.clone()).await;
            let Some(connected) = crate::interrupt::cancel_on_quit(connecting, cancel).await? else {
                return Err(Failure::Cancelled);
            };
            let view = connected?;
            if out.json() {
                print_json(&view);
            } else {
                let used =
                    if view.used_by.is_empty() { String::new() } else { format!(" for {}", view.used_by.join(", ")) };
                say!("{}: connected{used}", view.title);
            }
        }
        AuthorizerCommand::Disconnect { authorizer } => {
            let view = resolve_authorizer(atrium, authorizer).await?;
            let revoked = atrium.authorizer_disconnect(view.id.clone()).await?;
            if out.json() {
                print_json(&json!({ "id": view.id, "revoked": revoked }));
            } else {
                say!("{}: {}", view.title, if revoked { "disconnected (tokens revoked)" } else { "disconnected" });
            }
        }
    }
    Ok(())
}

/// The client secret from stdin, when asked for; one trailing newline is the shell's, not the secret's.
fn client_secret(config: &AuthorizerConfigArgs) -> ApiResult<Option<String>> {
    if !config.client_secret_stdin {
        return Ok(None);
    }
    let mut value = String::new();
    std::io::stdin().read_to_string(&mut value).map_err(|e| invalid(format!("cannot read stdin: {e}")))?;
    let value = value.strip_suffix('\n').map(|v| v.strip_suffix('\r').unwrap_or(v)).unwrap_or(&value).to_owned();
    if value.is_empty() {
        return Err(invalid("no client secret on stdin"));
    }
    Ok(Some(value))
}

/// `--config` or `--config-file`, when given.
fn whole_config(config: &AuthorizerConfigArgs) -> ApiResult<Option<Value>> {
    let (text, what) = match (&config.config, &config.config_file) {
        (Some(text), _) => (text.clone(), "--config".to_owned()),
        (None, Some(path)) => (
            std::fs::read_to_string(path).map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?,
            path.display().to_string(),
        ),
        (None, None) => return Ok(None),
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| invalid(format!("{what} is not JSON: {e}")))?;
    if !value.is_object() {
        return Err(invalid(format!("{what} must be a JSON object")));
    }
    Ok(Some(value))
}

/// The flags, over a configuration as JSON.
fn apply(value: &mut Value, config: &AuthorizerConfigArgs, secret: Option<&str>, title: &str) -> ApiResult<()> {
    let object = value.as_object_mut().ok_or_else(|| invalid("the configuration must be a JSON object"))?;
    let fields = [
        ("provider", &config.provider),
        ("auth_url", &config.auth_url),
        ("token_url", &config.token_url),
        ("revoke_url", &config.revoke_url),
        ("client_id", &config.client_id),
        ("secret_id", &config.secret_id),
        ("token_auth_method", &config.token_auth_method),
    ];
    for (field, given) in fields {
        if let Some(given) = given {
            object.insert(field.into(), json!(given));
        }
    }
    if !config.scopes.is_empty() {
        object.insert("scopes".into(), json!(config.scopes));
    }
    if secret.is_some() && object.get("secret_id").is_none_or(Value::is_null) {
        object.insert("secret_id".into(), json!(format!("authorizer.{}.client-secret", server_slug(title))));
    }
    if object.get("provider").is_none_or(|p| p.as_str().is_none_or(str::is_empty)) {
        let guess = object.get("auth_url").and_then(Value::as_str).map(guess_provider).unwrap_or_default();
        object.insert("provider".into(), json!(guess));
    }
    Ok(())
}

/// The provider's name from its authorization URL, as the app's form guesses it: `accounts.google.com` → `google`.
fn guess_provider(url: &str) -> String {
    let host = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = host.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if host.starts_with('[') {
        return String::new();
    }
    let host = host.split(':').next().unwrap_or_default();
    if host.parse::<std::net::Ipv4Addr>().is_ok() {
        return host.to_owned();
    }
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    match labels.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [.., name, _tld] => (*name).to_owned(),
    }
}

fn typed(value: Value) -> ApiResult<AuthorizerConfig> {
    serde_json::from_value(value).map_err(|e| invalid(format!("the configuration is not an Authorizer's: {e}")))
}

/// Keeps the client secret in the keychain, under the id the Authorizer names.
async fn store_secret(atrium: &Atrium, view: &AuthorizerView, value: String) -> ApiResult<()> {
    let Some(id) = view.config.secret_id.clone() else {
        return Err(invalid("the Authorizer names no secret to keep the client secret in: give --secret-id"));
    };
    let description = Some(format!("Client secret of the Authorizer \"{}\"", view.title));
    atrium.secret_set(SecretInput { id, description, value }).await?;
    Ok(())
}

fn out_authorizer(out: &Printer, view: &AuthorizerView) {
    if out.json() {
        return print_json(view);
    }
    let c = &view.config;
    say!(
        "id          {}\ntitle       {}\nworkspace   {}\nversion     {}",
        view.id,
        view.title,
        view.workspace_id,
        view.version
    );
    say!("connected   {}", if view.connected { "yes" } else { "no (atrium authorizer connect)" });
    say!("provider    {}\nauth url    {}\ntoken url   {}", c.provider, c.auth_url, c.token_url);
    if let Some(url) = &c.revoke_url {
        say!("revoke url  {url}");
    }
    say!("client id   {}", c.client_id);
    if let Some(id) = &c.secret_id {
        say!("secret      {id} (in the keychain)");
    }
    if let Some(method) = &c.token_auth_method {
        say!("auth method {method}");
    }
    if !c.scopes.is_empty() {
        say!("scopes      {}", c.scopes.join(" "));
    }
    if !view.used_by.is_empty() {
        say!("used by     {}", view.used_by.join(", "));
    }
}

#[cfg(test)]
mod tests {
    use super::guess_provider;

    #[test]
    fn providers_are_guessed_from_the_authorization_url() {
        assert_eq!(guess_provider("https://accounts.google.com/o/oauth2/v2/auth"), "google");
        assert_eq!(guess_provider("https://www.github.com/login"), "github");
        assert_eq!(guess_provider("http://localhost:9000/authorize"), "localhost");
        assert_eq!(guess_provider("http://127.0.0.1:9000/authorize"), "127.0.0.1");
        assert_eq!(guess_provider("https://linear.app/oauth/authorize"), "linear");
    }
}
