//! Content-type definitions (the seed's `type.json`) and the rules that tie a type to its view.
//!
//! - A server's view for `application/vnd.my-org.recipe+json` is `ui://<server>/vnd.my-org.recipe.html` (the
//!   Agience rule: the type minus `application/` and `+json`).
//! - A local server's types live in its `ui/<top>/<sub>/type.json` (the seed's Part 5/6 layout); a folder with only
//!   a `view.html` also declares its type, as on the platform.
//! - An unknown type falls back along its `inherits`, then `<top>/*`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ViewerError;

/// How a type is shown (`type.json`'s `ui`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeUi {
    /// The badge label.
    #[serde(default)]
    pub label: Option<String>,
    /// A Lucide icon name or an emoji.
    #[serde(default)]
    pub icon: Option<String>,
    /// A hex colour.
    #[serde(default)]
    pub color: Option<String>,
    /// A key naming a built-in viewer (`markdown`, `json`, `text`, …).
    #[serde(default)]
    pub viewer: Option<String>,
}

/// A content type definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeDefinition {
    /// The MIME type.
    pub mime: String,
    /// Its schema version.
    pub version: Option<u64>,
    /// Parent types, for fallback.
    pub inherits: Vec<String>,
    /// What it is.
    pub description: Option<String>,
    /// How it is shown.
    pub ui: TypeUi,
}

#[derive(Deserialize)]
struct TypeJson {
    #[serde(default)]
    mime: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    version: Option<serde_json::Value>,
    #[serde(default)]
    inherits: Vec<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    ui: TypeUi,
}

/// The largest `type.json` read.
const MAX_TYPE_JSON: usize = 256 * 1024;

/// Parses a `type.json` (`mime` or `content_type` names the type).
pub fn parse_type_json(text: &str) -> Result<TypeDefinition, ViewerError> {
    if text.len() > MAX_TYPE_JSON {
        return Err(ViewerError::InvalidType(format!("over {MAX_TYPE_JSON} bytes")));
    }
    let raw: TypeJson = serde_json::from_str(text).map_err(|e| ViewerError::InvalidType(e.to_string()))?;
    let mime = raw
        .mime
        .or(raw.content_type)
        .map(|m| normalize_mime(&m))
        .filter(|m| is_mime(m))
        .ok_or_else(|| ViewerError::InvalidType("`mime` (or `content_type`) must be a type/subtype".into()))?;
    let version = raw.version.and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())));
    let inherits = raw.inherits.iter().map(|m| normalize_mime(m)).filter(|m| is_mime(m) || m.ends_with("/*")).collect();
    Ok(TypeDefinition { mime, version, inherits, description: raw.description, ui: raw.ui })
}

/// `Application/Foo+JSON; charset=utf-8` → `application/foo+json`.
pub fn normalize_mime(mime: &str) -> String {
    mime.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

fn is_mime(mime: &str) -> bool {
    let Some((top, sub)) = mime.split_once('/') else { return false };
    let token = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c));
    token(top) && token(sub)
}

/// The view slug of a type: `application/vnd.my-org.recipe+json` → `vnd.my-org.recipe`; other top levels keep
/// theirs (`text/x-note` → `text.x-note`).
pub fn view_slug(content_type: &str) -> Option<String> {
    let mime = normalize_mime(content_type);
    if !is_mime(&mime) {
        return None;
    }
    let slug = match mime.strip_prefix("application/") {
        Some(sub) => sub.to_owned(),
        None => mime.replacen('/', ".", 1),
    };
    Some(slug.strip_suffix("+json").unwrap_or(&slug).to_owned())
}

/// Whether `uri` is the view the Agience rule gives `content_type` (any server part).
pub fn is_view_for(uri: &str, content_type: &str) -> bool {
    let Some(slug) = view_slug(content_type) else { return false };
    let Some(rest) = uri.strip_prefix("ui://") else { return false };
    rest.split_once('/').is_some_and(|(server, path)| !server.is_empty() && path == format!("{slug}.html"))
}

/// The types to try, in order, for `content_type`: itself, its `inherits` (breadth first, each once, cycles
/// ignored), then `<top>/*`. `lookup` finds a known definition.
pub fn fallback_chain<'a>(content_type: &str, lookup: impl Fn(&str) -> Option<&'a TypeDefinition>) -> Vec<String> {
    let first = normalize_mime(content_type);
    let mut chain = vec![first.clone()];
    let mut next = 0;
    while next < chain.len() && chain.len() < 32 {
        if let Some(definition) = lookup(&chain[next]) {
            for parent in &definition.inherits {
                if !chain.contains(parent) {
                    chain.push(parent.clone());
                }
            }
        }
        next += 1;
    }
    if let Some((top, _)) = first.split_once('/') {
        let wildcard = format!("{top}/*");
        if !chain.contains(&wildcard) {
            chain.push(wildcard);
        }
    }
    chain
}

/// A type a local server's folder declares.
#[derive(Debug, Clone, PartialEq)]
pub struct FolderType {
    /// The definition (from `type.json`, or just the folder's name when only `view.html` is there).
    pub definition: TypeDefinition,
    /// Its `view.html`, when there is one.
    pub view_html: Option<PathBuf>,
}

/// Reads `<root>/ui/<top>/<sub>/{type.json,view.html}`. Unreadable or invalid entries are skipped with a warning;
/// a `type.json` that names another type than its folder is taken at its word.
pub fn scan_types_folder(root: &Path) -> Vec<FolderType> {
    let ui = root.join("ui");
    let mut found = Vec::new();
    let Ok(tops) = std::fs::read_dir(&ui) else { return found };
    for top in tops.flatten().filter(|e| e.path().is_dir()) {
        let Ok(subs) = std::fs::read_dir(top.path()) else { continue };
        for sub in subs.flatten().filter(|e| e.path().is_dir()) {
            let folder = sub.path();
            let view = folder.join("view.html");
            let view_html = view.is_file().then_some(view);
            let type_json = folder.join("type.json");
            let definition = if type_json.is_file() {
                match std::fs::read_to_string(&type_json)
                    .map_err(|e| ViewerError::InvalidType(e.to_string()))
                    .and_then(|t| parse_type_json(&t))
                {
                    Ok(definition) => definition,
                    Err(err) => {
                        tracing::warn!(path = %type_json.display(), %err, "skipping an invalid type.json");
                        continue;
                    }
                }
            } else if view_html.is_some() {
                let mime = format!("{}/{}", top.file_name().to_string_lossy(), sub.file_name().to_string_lossy());
                let mime = normalize_mime(&mime);
                if !is_mime(&mime) {
                    continue;
                }
                TypeDefinition { mime, version: None, inherits: Vec::new(), description: None, ui: TypeUi::default() }
            } else {
                continue;
            };
            found.push(FolderType { definition, view_html });
        }
    }
    found.sort_by(|a, b| a.definition.mime.cmp(&b.definition.mime));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECIPE: &str = r##"{
        "mime": "application/vnd.my-org.recipe+json",
        "version": 1,
        "inherits": ["application/json"],
        "description": "A structured recipe with ingredients and steps.",
        "ui": {"label": "Recipe", "icon": "chef-hat", "color": "#16a34a", "viewer": "recipe"}
    }"##;

    #[test]
    fn parses_the_seed_type_json() {
        let t = parse_type_json(RECIPE).expect("type");
        assert_eq!(t.mime, "application/vnd.my-org.recipe+json");
        assert_eq!(t.version, Some(1));
        assert_eq!(t.inherits, vec!["application/json".to_owned()]);
        assert_eq!(t.ui.label.as_deref(), Some("Recipe"));
        assert_eq!(t.ui.color.as_deref(), Some("#16a34a"));
        let platform = parse_type_json(r#"{"content_type": "Application/X.Y+JSON", "version": "2"}"#).expect("type");
        assert_eq!((platform.mime.as_str(), platform.version), ("application/x.y+json", Some(2)));
    }

    #[test]
    fn refuses_type_json_without_a_type() {
        for bad in ["{}", r#"{"mime": "recipe"}"#, r#"{"mime": "a/b c"}"#, "not json", r#"{"mime": 5}"#] {
            assert!(parse_type_json(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_agience_view_rule() {
        assert_eq!(view_slug("application/vnd.my-org.recipe+json").as_deref(), Some("vnd.my-org.recipe"));
        assert_eq!(view_slug("application/vnd.agience.mcp-server+json").as_deref(), Some("vnd.agience.mcp-server"));
        assert_eq!(view_slug("text/x-note").as_deref(), Some("text.x-note"));
        assert!(is_view_for("ui://my-server/vnd.my-org.recipe.html", "application/vnd.my-org.recipe+json"));
        assert!(is_view_for("ui://other/vnd.my-org.recipe.html", "Application/vnd.my-org.recipe+json; v=1"));
        assert!(!is_view_for("ui://my-server/vnd.my-org.recipe.json", "application/vnd.my-org.recipe+json"));
        assert!(!is_view_for("ui:///vnd.my-org.recipe.html", "application/vnd.my-org.recipe+json"));
        assert!(!is_view_for("https://x/vnd.my-org.recipe.html", "application/vnd.my-org.recipe+json"));
    }

    #[test]
    fn falls_back_along_inherits_then_the_wildcard() {
        let recipe = parse_type_json(RECIPE).expect("type");
        let child = parse_type_json(r#"{"mime": "application/x-child+json", "inherits": ["application/vnd.my-org.recipe+json", "application/x-child+json"]}"#).expect("type");
        let known = [recipe, child];
        let lookup = |m: &str| known.iter().find(|t| t.mime == m);
        assert_eq!(
            fallback_chain("application/x-child+json", lookup),
            ["application/x-child+json", "application/vnd.my-org.recipe+json", "application/json", "application/*"]
        );
        assert_eq!(fallback_chain("text/x-unknown", lookup), ["text/x-unknown", "text/*"]);
    }

    #[test]
    fn scans_the_seed_layout() {
        let dir = tempfile_dir();
        let recipe = dir.join("ui/application/vnd.my-org.recipe+json");
        std::fs::create_dir_all(&recipe).expect("mkdir");
        std::fs::write(recipe.join("type.json"), RECIPE).expect("write");
        std::fs::write(recipe.join("view.html"), "<p>r</p>").expect("write");
        let only_view = dir.join("ui/application/vnd.x.note+json");
        std::fs::create_dir_all(&only_view).expect("mkdir");
        std::fs::write(only_view.join("view.html"), "<p>n</p>").expect("write");
        let broken = dir.join("ui/application/vnd.x.broken+json");
        std::fs::create_dir_all(&broken).expect("mkdir");
        std::fs::write(broken.join("type.json"), "{").expect("write");
        let found = scan_types_folder(&dir);
        let mimes: Vec<&str> = found.iter().map(|f| f.definition.mime.as_str()).collect();
        assert_eq!(mimes, ["application/vnd.my-org.recipe+json", "application/vnd.x.note+json"]);
        assert!(found.iter().all(|f| f.view_html.is_some()));
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("atrium-types-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        dir
    }
}
