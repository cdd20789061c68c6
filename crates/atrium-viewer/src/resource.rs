//! A view's HTML and its `_meta.ui` policy, checked the way the MCP Apps spec requires: a `ui://` URI, exactly the
//! `text/html;profile=mcp-app` MIME type, one content item (text or base64), and the `ui` metadata merged from the
//! content item first, then the listing.
//!
//! One allowance: a content type's view laid out as the Agience guide's Part 5/6 (`ui://<server>/<type slug>.html`,
//! registered with `@mcp.resource(uri)` and no MIME type, which FastMCP sends as `text/plain`) is shown when it
//! comes as HTML, plain text or without a type ([`MimeRule::TypeView`]); the caller says so in the server's log.

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ViewerError;
use crate::csp::CspDomains;

/// The MIME type of an MCP Apps view.
pub const VIEW_MIME: &str = "text/html;profile=mcp-app";

/// The largest view HTML accepted (the real bundled ones are a few hundred KB).
pub const MAX_VIEW_BYTES: usize = 8 * 1024 * 1024;

/// What a view may use beyond scripts (`McpUiResourcePermissions`); each is granted only when declared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ViewPermissions {
    /// The camera.
    #[serde(default, skip_serializing_if = "std::ops::Not::not", deserialize_with = "present")]
    pub camera: bool,
    /// The microphone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not", deserialize_with = "present")]
    pub microphone: bool,
    /// The location.
    #[serde(default, skip_serializing_if = "std::ops::Not::not", deserialize_with = "present")]
    pub geolocation: bool,
    /// Writing to the clipboard.
    #[serde(default, skip_serializing_if = "std::ops::Not::not", deserialize_with = "present")]
    pub clipboard_write: bool,
}

/// The spec writes a granted permission as `{}`; `false` and `null` mean not asked for.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let value = Value::deserialize(d)?;
    Ok(!matches!(value, Value::Null | Value::Bool(false)))
}

impl ViewPermissions {
    /// The iframe `allow` attribute for these permissions (`camera; microphone`), empty when none.
    pub fn allow_attribute(&self) -> String {
        let mut features = Vec::new();
        if self.camera {
            features.push("camera");
        }
        if self.microphone {
            features.push("microphone");
        }
        if self.geolocation {
            features.push("geolocation");
        }
        if self.clipboard_write {
            features.push("clipboard-write");
        }
        features.join("; ")
    }

    /// As the `{camera: {}, …}` object the protocol uses.
    pub fn to_wire(&self) -> Value {
        let mut map = serde_json::Map::new();
        for (on, key) in [
            (self.camera, "camera"),
            (self.microphone, "microphone"),
            (self.geolocation, "geolocation"),
            (self.clipboard_write, "clipboardWrite"),
        ] {
            if on {
                map.insert(key.to_owned(), Value::Object(serde_json::Map::new()));
            }
        }
        Value::Object(map)
    }
}

/// How a resource's MIME type is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MimeRule {
    /// Exactly `text/html;profile=mcp-app` (a tool's view, per the spec).
    Strict,
    /// A content type's view found by the Agience rule: `text/html;profile=mcp-app`, or (with a note) no type,
    /// `text/html` or `text/plain` — what the guide's `@mcp.resource(uri)` sends.
    TypeView,
}

/// A view ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct UiResource {
    /// Its `ui://` URI.
    pub uri: String,
    /// The HTML document.
    pub html: String,
    /// The domains it declared.
    pub csp: CspDomains,
    /// The permissions it declared.
    pub permissions: ViewPermissions,
    /// Whether it wants the host's border and background (`None`: the host decides).
    pub prefers_border: Option<bool>,
    /// Why it was accepted although its MIME type is not the spec's (for the server's log), under
    /// [`MimeRule::TypeView`].
    pub mime_note: Option<String>,
}

/// One content item of a `resources/read` result, as a server sent it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadContent {
    /// The item's URI.
    #[serde(default)]
    pub uri: String,
    /// Its MIME type.
    #[serde(default)]
    pub mime_type: Option<String>,
    /// Text contents.
    #[serde(default)]
    pub text: Option<String>,
    /// Base64 contents.
    #[serde(default)]
    pub blob: Option<String>,
    /// The item's `_meta`.
    #[serde(default, rename = "_meta")]
    pub meta: Option<Value>,
}

/// Whether `uri` is a `ui://` URI with a host part.
pub fn is_ui_uri(uri: &str) -> bool {
    uri.strip_prefix("ui://").is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
}

impl UiResource {
    /// Checks a `resources/read` result for `uri`; `listing_meta` is the `_meta` of the `resources/list` entry, if
    /// the server listed it.
    pub fn from_read(
        uri: &str,
        contents: &[ReadContent],
        listing_meta: Option<&Value>,
        rule: MimeRule,
    ) -> Result<Self, ViewerError> {
        let invalid = |reason: String| ViewerError::InvalidView { uri: uri.to_owned(), reason };
        if !is_ui_uri(uri) {
            return Err(invalid("a view's URI must start with ui://".into()));
        }
        let [item] = contents else {
            return Err(invalid(format!("expected one content item, the server sent {}", contents.len())));
        };
        let mime = item.mime_type.as_deref().unwrap_or_default().trim();
        let mime_note = if mime.eq_ignore_ascii_case(VIEW_MIME) {
            None
        } else {
            let essence = mime.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
            let guide_shaped = matches!(essence.as_str(), "" | "text/html" | "text/plain");
            if rule == MimeRule::Strict || !guide_shaped {
                return Err(invalid(format!("MIME type must be {VIEW_MIME}, not {mime:?}")));
            }
            let sent = if mime.is_empty() { "no MIME type".to_owned() } else { format!("MIME type {mime:?}") };
            Some(format!(
                "{uri} is shown as its content type's view although it has {sent}: declare mime_type=\"{VIEW_MIME}\" \
                 on the resource (MCP Apps requires it)"
            ))
        };
        let html = match (&item.text, &item.blob) {
            (Some(text), _) => text.clone(),
            (None, Some(blob)) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(blob.trim())
                    .map_err(|e| invalid(format!("blob is not base64: {e}")))?;
                String::from_utf8(bytes).map_err(|_| invalid("blob is not UTF-8 HTML".into()))?
            }
            (None, None) => return Err(invalid("no text or blob".into())),
        };
        if html.len() > MAX_VIEW_BYTES {
            return Err(invalid(format!("{} bytes is over the {MAX_VIEW_BYTES}-byte limit", html.len())));
        }
        // The content item wins over the listing, field by field (the Python SDK only sets the listing's).
        let ui_of = |meta: Option<&Value>| meta.and_then(|m| m.get("ui")).cloned().unwrap_or(Value::Null);
        let (item_ui, list_ui) = (ui_of(item.meta.as_ref()), ui_of(listing_meta));
        let pick = |key: &str| item_ui.get(key).or_else(|| list_ui.get(key)).cloned();
        let csp = pick("csp").and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
        let permissions = pick("permissions").and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
        let prefers_border = pick("prefersBorder").and_then(|v| v.as_bool());
        Ok(UiResource { uri: uri.to_owned(), html, csp, permissions, prefers_border, mime_note })
    }
}

/// Who may see and call a tool, from its `_meta.ui.visibility` (default: both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visibility {
    /// The model (the agent's tool list).
    pub model: bool,
    /// Views of the same server.
    pub app: bool,
}

impl Visibility {
    /// Reads a tool's `_meta`.
    pub fn of(meta: Option<&Value>) -> Self {
        let list = meta.and_then(|m| m.get("ui")).and_then(|ui| ui.get("visibility")).and_then(Value::as_array);
        match list {
            None => Visibility { model: true, app: true },
            Some(list) => Visibility { model: list.iter().any(|v| v == "model"), app: list.iter().any(|v| v == "app") },
        }
    }
}

/// The `ui://` view a tool's result is shown in: `_meta.ui.resourceUri`, else the deprecated flat key.
pub fn tool_view_uri(meta: Option<&Value>) -> Option<String> {
    let meta = meta?;
    let nested = meta.get("ui").and_then(|ui| ui.get("resourceUri")).and_then(Value::as_str);
    let flat = meta.get("ui/resourceUri").and_then(Value::as_str);
    nested.or(flat).filter(|uri| is_ui_uri(uri)).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn item(v: Value) -> ReadContent {
        serde_json::from_value(v).expect("content")
    }

    #[test]
    fn reads_text_and_blob_views() {
        let text = item(json!({"uri": "ui://s/v.html", "mimeType": VIEW_MIME, "text": "<p>hi</p>"}));
        assert_eq!(
            UiResource::from_read("ui://s/v.html", &[text], None, MimeRule::Strict).expect("view").html,
            "<p>hi</p>"
        );
        let blob = item(json!({"uri": "ui://s/v.html", "mimeType": VIEW_MIME, "blob": "PHA+aGk8L3A+"}));
        assert_eq!(
            UiResource::from_read("ui://s/v.html", &[blob], None, MimeRule::Strict).expect("view").html,
            "<p>hi</p>"
        );
    }

    #[test]
    fn refuses_what_the_spec_refuses() {
        let ok = json!({"uri": "ui://s/v.html", "mimeType": VIEW_MIME, "text": "x"});
        let cases: Vec<(&str, Vec<Value>)> = vec![
            ("https://s/v.html", vec![ok.clone()]),
            ("ui://s/v.html", vec![]),
            ("ui://s/v.html", vec![ok.clone(), ok.clone()]),
            ("ui://s/v.html", vec![json!({"uri": "ui://s/v.html", "mimeType": "text/html", "text": "x"})]),
            ("ui://s/v.html", vec![json!({"uri": "ui://s/v.html", "mimeType": VIEW_MIME})]),
            ("ui://s/v.html", vec![json!({"uri": "ui://s/v.html", "mimeType": VIEW_MIME, "blob": "%%%"})]),
        ];
        for (uri, contents) in cases {
            let contents: Vec<ReadContent> = contents.into_iter().map(item).collect();
            let err = UiResource::from_read(uri, &contents, None, MimeRule::Strict).expect_err("refused");
            assert!(matches!(err, ViewerError::InvalidView { .. }), "{err}");
        }
    }

    #[test]
    fn a_type_view_shaped_as_the_guide_is_shown_with_a_note() {
        let uri = "ui://my-server/vnd.my-org.recipe.html";
        for mime in [None, Some(""), Some("text/html"), Some("text/html; charset=utf-8"), Some("text/plain")] {
            let item = item(json!({"uri": uri, "mimeType": mime, "text": "<p>r</p>"}));
            let view = UiResource::from_read(uri, std::slice::from_ref(&item), None, MimeRule::TypeView).expect("view");
            assert!(view.mime_note.as_deref().is_some_and(|n| n.contains(VIEW_MIME)), "{mime:?}");
            assert!(UiResource::from_read(uri, &[item], None, MimeRule::Strict).is_err(), "strict refuses {mime:?}");
        }
        let exact = item(json!({"uri": uri, "mimeType": VIEW_MIME, "text": "<p>r</p>"}));
        assert_eq!(UiResource::from_read(uri, &[exact], None, MimeRule::TypeView).expect("view").mime_note, None);
        for mime in ["application/json", "image/png", "text/javascript"] {
            let item = item(json!({"uri": uri, "mimeType": mime, "text": "x"}));
            assert!(UiResource::from_read(uri, &[item], None, MimeRule::TypeView).is_err(), "{mime}");
        }
    }

    #[test]
    fn content_item_meta_wins_over_the_listing() {
        let read = item(json!({
            "uri": "ui://s/v.html", "mimeType": VIEW_MIME, "text": "x",
            "_meta": {"ui": {"csp": {"connectDomains": ["https://item.example.com"]}}}
        }));
        let listing = json!({"ui": {
            "csp": {"connectDomains": ["https://listing.example.com"]},
            "permissions": {"camera": {}, "microphone": false},
            "prefersBorder": false
        }});
        let view = UiResource::from_read("ui://s/v.html", &[read], Some(&listing), MimeRule::Strict).expect("view");
        assert_eq!(view.csp.connect_domains, vec!["https://item.example.com".to_owned()]);
        assert!(view.permissions.camera && !view.permissions.microphone);
        assert_eq!(view.permissions.allow_attribute(), "camera");
        assert_eq!(view.prefers_border, Some(false));
    }

    #[test]
    fn visibility_and_view_uri_of_tools() {
        assert_eq!(Visibility::of(None), Visibility { model: true, app: true });
        let app_only = json!({"ui": {"visibility": ["app"]}});
        assert_eq!(Visibility::of(Some(&app_only)), Visibility { model: false, app: true });
        let model_only = json!({"ui": {"visibility": ["model"], "resourceUri": "ui://a/b.html"}});
        assert_eq!(Visibility::of(Some(&model_only)), Visibility { model: true, app: false });
        assert_eq!(tool_view_uri(Some(&model_only)).as_deref(), Some("ui://a/b.html"));
        assert_eq!(
            tool_view_uri(Some(&json!({"ui/resourceUri": "ui://flat/v.html"}))).as_deref(),
            Some("ui://flat/v.html")
        );
        assert_eq!(tool_view_uri(Some(&json!({"ui": {"resourceUri": "https://x/v.html"}}))), None);
    }
}
