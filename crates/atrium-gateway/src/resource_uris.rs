//! How a resource URI on `/mcp` names what it names, reversibly: an artifact is `atrium://artifacts/<id>`; a
//! server's resource is its own URI behind a prefix that carries the server's slug within the agent's set —
//! `atrium://servers/<slug>/<the server's URI as it wrote it>` — except an MCP Apps view (`ui://…`), which must
//! stay a `ui://` URI for a host to render it: `ui://<slug>/<the rest of the server's URI>`. A server tool's
//! `_meta.ui.resourceUri` (and the older `_meta["ui/resourceUri"]`) is rewritten the same way in `tools/list`, so
//! a host that renders MCP Apps reads the view through Atrium, which asks the server with the original URI.

use serde_json::Value;

/// Where artifacts are.
pub(crate) const ARTIFACTS: &str = "atrium://artifacts/";
/// The template that names any artifact.
pub(crate) const ARTIFACT_TEMPLATE: &str = "atrium://artifacts/{artifact_id}";
/// Where servers' resources are (before the slug).
const SERVERS: &str = "atrium://servers/";
/// MCP Apps' scheme.
const UI: &str = "ui://";

/// What a URI asked of `/mcp` names.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Named<'a> {
    /// One of Atrium's artifacts.
    Artifact(&'a str),
    /// A server's resource: the server's slug and its own URI.
    Server {
        /// The server's slug within the agent's set.
        slug: &'a str,
        /// The URI the server knows.
        uri: String,
    },
    /// Nothing `/mcp` serves.
    Unknown,
}

/// `<slug>/<rest>` split at its first slash, the slug not empty.
fn split(rest: &str) -> Option<(&str, &str)> {
    rest.split_once('/').filter(|(slug, _)| !slug.is_empty())
}

/// An artifact's URI.
pub(crate) fn artifact(id: &str) -> String {
    format!("{ARTIFACTS}{id}")
}

/// The URI `/mcp` shows for the server `slug`'s resource `uri` (a template goes the same way).
pub(crate) fn namespaced(slug: &str, uri: &str) -> String {
    match uri.strip_prefix(UI) {
        Some(rest) => format!("{UI}{slug}/{rest}"),
        None => format!("{SERVERS}{slug}/{uri}"),
    }
}

/// What `uri` names; the reverse of [`artifact`] and [`namespaced`].
pub(crate) fn named(uri: &str) -> Named<'_> {
    if let Some(id) = uri.strip_prefix(ARTIFACTS).filter(|id| !id.is_empty() && !id.contains('/')) {
        return Named::Artifact(id);
    }
    if let Some((slug, original)) = uri.strip_prefix(SERVERS).and_then(split) {
        return Named::Server { slug, uri: original.to_owned() };
    }
    if let Some((slug, rest)) = uri.strip_prefix(UI).and_then(split) {
        return Named::Server { slug, uri: format!("{UI}{rest}") };
    }
    Named::Unknown
}

/// Rewrites a server tool's view URI(s) in its `_meta` to the ones `/mcp` serves; anything else stays as it came.
pub(crate) fn rewrite_tool_meta(slug: &str, meta: &mut Value) {
    let rewrite = |value: Option<&mut Value>| {
        if let Some(value) = value
            && let Some(uri) = value.as_str().filter(|u| u.starts_with(UI))
        {
            *value = Value::String(namespaced(slug, uri));
        }
    };
    rewrite(meta.pointer_mut("/ui/resourceUri"));
    rewrite(meta.get_mut("ui/resourceUri"));
}

/// Puts the namespaced URI back on each of a server's `contents[]` answering a read of `uri` (slug `slug`).
pub(crate) fn rewrite_contents(slug: &str, result: &mut Value) {
    let Some(contents) = result.get_mut("contents").and_then(Value::as_array_mut) else { return };
    for content in contents {
        if let Some(uri) = content.get_mut("uri")
            && let Some(original) = uri.as_str()
        {
            *uri = Value::String(namespaced(slug, original));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_namespaced_uri_names_its_server_and_original() {
        for original in ["demo://resource/static/document/a.md", "file:///tmp/x y", "ui://weather/view.html", "x:"] {
            let shown = namespaced("everything-2", original);
            assert_eq!(named(&shown), Named::Server { slug: "everything-2", uri: original.into() }, "{shown}");
        }
        assert_eq!(namespaced("w", "ui://view"), "ui://w/view");
        assert_eq!(named("atrium://artifacts/0192"), Named::Artifact("0192"));
        for unknown in ["atrium://artifacts/", "atrium://servers/x", "ui://noslash", "https://example.com/"] {
            assert_eq!(named(unknown), Named::Unknown, "{unknown}");
        }
    }

    #[test]
    fn a_tools_view_uris_are_rewritten_and_nothing_else() {
        let mut meta = json!({"ui": {"resourceUri": "ui://app/main", "csp": {"x": 1}}, "ui/resourceUri": "ui://app/main",
            "other": "ui://left/alone"});
        rewrite_tool_meta("srv", &mut meta);
        assert_eq!(
            meta,
            json!({"ui": {"resourceUri": "ui://srv/app/main", "csp": {"x": 1}}, "ui/resourceUri": "ui://srv/app/main",
                "other": "ui://left/alone"})
        );
        let mut result =
            json!({"contents": [{"uri": "ui://app/main", "mimeType": "text/html;profile=mcp-app", "text": "<p>"}]});
        rewrite_contents("srv", &mut result);
        assert_eq!(result["contents"][0]["uri"], "ui://srv/app/main");
        assert_eq!(result["contents"][0]["text"], "<p>");
    }
}
