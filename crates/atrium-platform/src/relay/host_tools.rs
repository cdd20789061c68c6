//! The built-in tools the platform reaches when a request names no local server (the reference host's
//! `desktop-host` surface): status, reading files inside the folders the person shared, and listing, starting
//! and stopping the published local servers. Nothing here can name a command line.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::RelayContext;
use super::envelope::{RelayErrorCode, RelayFailure};

/// Bytes `fs_read_text` returns when the caller does not say.
const DEFAULT_READ: u64 = 64 * 1024;
/// The most `fs_read_text` returns at once.
const MAX_READ: u64 = 1024 * 1024;

/// The tools, as `tools/list` shows them.
pub fn tool_list() -> Vec<Value> {
    let path = json!({"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]});
    let server = json!({"type": "object", "properties": {"server_id": {"type": "string"}}, "required": ["server_id"]});
    vec![
        json!({"name": "host_status", "description": "This desktop host: name, device, shared folders, local servers.",
               "inputSchema": {"type": "object"}}),
        json!({"name": "fs_list_dir", "description": "Lists a folder inside the shared folders.", "inputSchema": path}),
        json!({"name": "fs_read_text", "description": "Reads a text file inside the shared folders.",
               "inputSchema": {"type": "object", "properties": {"path": {"type": "string"},
                   "max_bytes": {"type": "integer", "minimum": 1}}, "required": ["path"]}}),
        json!({"name": "mcp_servers_list_local", "description": "The local MCP servers published to the platform.",
               "inputSchema": {"type": "object"}}),
        json!({"name": "mcp_servers_start_local", "description": "Starts a published local MCP server.", "inputSchema": server}),
        json!({"name": "mcp_servers_stop_local", "description": "Stops a published local MCP server.", "inputSchema": server}),
    ]
}

/// A refusal the caller sees as a tool error (`isError`), not a protocol failure.
#[derive(Debug)]
pub struct ToolRefusal(pub String);

/// Runs a built-in tool. An unknown tool is `NOT_FOUND`, as in the reference host.
pub async fn call(
    ctx: &RelayContext,
    name: &str,
    args: &Map<String, Value>,
) -> Result<Result<Value, ToolRefusal>, RelayFailure> {
    let text = |key: &str| args.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(match name {
        "host_status" => Ok(json!({
            "mode": "host",
            "display_name": ctx.options.display_name,
            "device_id": ctx.options.device_id,
            "relay_server_id": "desktop-host",
            "authority_url": ctx.authority,
            "allowed_roots": ctx.options.allowed_roots.iter().map(|r| r.display().to_string()).collect::<Vec<_>>(),
            "local_server_count": ctx.published().await.map(|s| s.len()).unwrap_or(0),
        })),
        "fs_list_dir" => match text("path") {
            None => Err(ToolRefusal("path is required.".into())),
            Some(path) => list_dir(&ctx.options.allowed_roots, &path),
        },
        "fs_read_text" => match text("path") {
            None => Err(ToolRefusal("path is required.".into())),
            Some(path) => {
                let max = args.get("max_bytes").and_then(Value::as_u64).unwrap_or(DEFAULT_READ).clamp(1, MAX_READ);
                read_text(&ctx.options.allowed_roots, &path, max)
            }
        },
        "mcp_servers_list_local" => {
            let mut servers = Vec::new();
            for (id, title) in ctx.published().await.unwrap_or_default() {
                let status = ctx.servers.state(&id).map(|s| s.status.state_name()).unwrap_or("stopped");
                servers.push(json!({"server_id": id, "label": title, "status": status}));
            }
            Ok(json!({"servers": servers}))
        }
        "mcp_servers_start_local" | "mcp_servers_stop_local" => match text("server_id") {
            None => Err(ToolRefusal("server_id is required.".into())),
            Some(id) => {
                if !ctx.is_published(&id).await {
                    return Err(RelayFailure::new(
                        RelayErrorCode::NotFound,
                        format!("No published local server {id}."),
                    ));
                }
                // Starting loads a server this Atrium has not run yet (one way to bring a server live).
                let result = if name == "mcp_servers_start_local" {
                    ctx.servers.ensure_started(&id).await.map(|_| ()).map_err(|e| e.to_string())
                } else {
                    ctx.servers.stop(&id).await.map_err(|e| e.to_string())
                };
                match result {
                    Ok(()) => {
                        let status = ctx.servers.state(&id).map(|s| s.status.state_name()).unwrap_or_default();
                        Ok(json!({"server_id": id, "status": status}))
                    }
                    Err(e) => Err(ToolRefusal(e)),
                }
            }
        },
        other => return Err(RelayFailure::new(RelayErrorCode::NotFound, format!("Unknown tool {other}."))),
    })
}

/// Resolves `raw` (symlinks included) and accepts it only inside one of `roots`.
pub fn resolve_allowed(roots: &[PathBuf], raw: &str) -> Result<PathBuf, ToolRefusal> {
    if roots.is_empty() {
        return Err(ToolRefusal("No folders are shared with the platform (Atrium → Platform → Relay).".into()));
    }
    let path = Path::new(raw);
    let resolved = path.canonicalize().map_err(|_| ToolRefusal(format!("{raw} does not exist.")))?;
    let inside = roots.iter().filter_map(|r| r.canonicalize().ok()).any(|root| resolved.starts_with(&root));
    if inside {
        Ok(resolved)
    } else {
        Err(ToolRefusal(format!("{raw} is outside the folders shared with the platform.")))
    }
}

fn list_dir(roots: &[PathBuf], raw: &str) -> Result<Value, ToolRefusal> {
    let dir = resolve_allowed(roots, raw)?;
    let read = std::fs::read_dir(&dir).map_err(|e| ToolRefusal(format!("{raw} cannot be listed: {e}")))?;
    let mut entries: Vec<Value> = read
        .filter_map(Result::ok)
        .map(|entry| {
            let meta = entry.metadata().ok();
            json!({
                "name": entry.file_name().to_string_lossy(),
                "path": entry.path().display().to_string(),
                "is_dir": meta.as_ref().is_some_and(|m| m.is_dir()),
                "size": meta.as_ref().map(|m| m.len()).unwrap_or(0),
            })
        })
        .collect();
    entries.sort_by_key(|e| e["name"].as_str().unwrap_or_default().to_lowercase());
    Ok(json!({"path": dir.display().to_string(), "entries": entries}))
}

fn read_text(roots: &[PathBuf], raw: &str, max: u64) -> Result<Value, ToolRefusal> {
    use std::io::Read;
    let file_path = resolve_allowed(roots, raw)?;
    let file = std::fs::File::open(&file_path).map_err(|e| ToolRefusal(format!("{raw} cannot be read: {e}")))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::new();
    file.take(max).read_to_end(&mut bytes).map_err(|e| ToolRefusal(format!("{raw} cannot be read: {e}")))?;
    Ok(json!({
        "path": file_path.display().to_string(),
        "content": String::from_utf8_lossy(&bytes),
        "truncated": (bytes.len() as u64) < total,
        "bytes_read": bytes.len(),
        "total_bytes": total,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_a_shared_folder_resolve() {
        let shared = tempfile::tempdir().expect("dir");
        let outside = tempfile::tempdir().expect("dir");
        std::fs::write(shared.path().join("a.txt"), "hello").expect("write");
        std::fs::write(outside.path().join("secret.txt"), "no").expect("write");
        let roots = vec![shared.path().to_path_buf()];
        assert!(resolve_allowed(&roots, &shared.path().join("a.txt").display().to_string()).is_ok());
        let escape = shared.path().join("..").join(outside.path().file_name().expect("name")).join("secret.txt");
        assert!(resolve_allowed(&roots, &escape.display().to_string()).is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path().join("secret.txt"), shared.path().join("link")).expect("symlink");
            assert!(resolve_allowed(&roots, &shared.path().join("link").display().to_string()).is_err());
        }
        assert!(resolve_allowed(&[], &shared.path().display().to_string()).is_err());
        let read = read_text(&roots, &shared.path().join("a.txt").display().to_string(), 3).expect("read");
        assert_eq!((read["content"].as_str(), read["truncated"].as_bool()), (Some("hel"), Some(true)));
    }
}
