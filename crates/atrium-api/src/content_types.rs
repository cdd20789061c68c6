use serde::{Deserialize, Serialize};

/// How a content type is shown: its badge label, icon and colour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ContentTypeInfo {
    /// The MIME type, e.g. `text/markdown`.
    pub mime: String,
    /// A short human label.
    pub label: String,
    /// An icon name the UI knows (`markdown`, `json`, `text`, `image`, `server`, `key`, `folder`, `file`).
    pub icon: String,
    /// A CSS colour for the badge.
    pub color: String,
    /// Whether content of this type must be JSON.
    pub json: bool,
    /// The server that declares it (`None`: built in).
    pub server_id: Option<String>,
}

/// The types Atrium understands without any server (DESIGN §2); connected servers add theirs.
pub(crate) fn built_in() -> Vec<ContentTypeInfo> {
    const TYPES: &[(&str, &str, &str, &str)] = &[
        ("text/markdown", "Markdown", "markdown", "#4f6bed"),
        ("text/plain", "Text", "text", "#6b7280"),
        ("text/html", "HTML", "file", "#d9480f"),
        ("text/csv", "CSV", "file", "#2b8a3e"),
        ("application/json", "JSON", "json", "#b7791f"),
        ("image/svg+xml", "SVG image", "image", "#ae3ec9"),
        ("application/vnd.agience.workspace+json", "Workspace", "folder", "#1c7ed6"),
        ("application/vnd.agience.mcp-server+json", "MCP server", "server", "#0ca678"),
        ("application/vnd.agience.authorizer+json", "Authorizer", "key", "#e8590c"),
    ];
    TYPES
        .iter()
        .map(|(mime, label, icon, color)| ContentTypeInfo {
            mime: (*mime).to_owned(),
            label: (*label).to_owned(),
            icon: (*icon).to_owned(),
            color: (*color).to_owned(),
            json: atrium_store::validate::is_json_content_type(mime),
            server_id: None,
        })
        .collect()
}
