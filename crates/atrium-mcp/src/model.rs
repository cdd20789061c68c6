//! What Atrium shows of a server: its tools, resources, prompts and call results. The shapes follow the MCP wire
//! format (camelCase where MCP uses it) so results pass through unchanged; only what the UI needs is typed.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A tool a server offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ToolInfo {
    /// The tool's name on its server.
    pub name: String,
    /// A display title, when the server gives one.
    #[serde(default)]
    pub title: Option<String>,
    /// What it does.
    #[serde(default)]
    pub description: Option<String>,
    /// JSON Schema of its arguments.
    #[serde(default = "empty_object_schema")]
    pub input_schema: Value,
    /// JSON Schema of its `structuredContent`, when declared.
    #[serde(default)]
    pub output_schema: Option<Value>,
    /// Hints such as `readOnlyHint`, `destructiveHint`.
    #[serde(default)]
    pub annotations: Option<Value>,
    /// The tool's `_meta` (MCP Apps puts its `ui` resource here).
    #[serde(default, rename = "_meta")]
    pub meta: Option<Value>,
}

fn empty_object_schema() -> Value {
    serde_json::json!({"type": "object"})
}

/// One item of a tool result, a prompt message or a resource read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentItem {
    /// Text (may be Markdown or JSON; the UI decides how to show it).
    Text {
        /// The text.
        text: String,
    },
    /// A base64 image.
    Image {
        /// Base64 data.
        data: String,
        /// Its MIME type.
        #[serde(rename = "mimeType")]
        mime_type: String,
    },
    /// Base64 audio.
    Audio {
        /// Base64 data.
        data: String,
        /// Its MIME type.
        #[serde(rename = "mimeType")]
        mime_type: String,
    },
    /// An embedded resource.
    Resource {
        /// Its contents.
        resource: ResourceContent,
    },
    /// A link to a resource the server can read.
    ResourceLink {
        /// Its URI.
        uri: String,
        /// Its name.
        #[serde(default)]
        name: Option<String>,
        /// What it is.
        #[serde(default)]
        description: Option<String>,
        /// Its MIME type.
        #[serde(default, rename = "mimeType")]
        mime_type: Option<String>,
    },
}

/// The contents of a resource: text or base64 bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ResourceContent {
    /// Its URI.
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
    /// The item's `_meta` (MCP Apps puts a view's `ui` policy here).
    #[serde(default, rename = "_meta", skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}

/// A tool's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ToolResult {
    /// The content items, in order.
    #[serde(default)]
    pub content: Vec<ContentItem>,
    /// Structured output, when the tool returns it.
    #[serde(default)]
    pub structured_content: Option<Value>,
    /// The tool reports that it failed (the failure is in `content`).
    #[serde(default)]
    pub is_error: bool,
}

/// A resource a server lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ResourceInfo {
    /// Its URI.
    pub uri: String,
    /// Its name.
    pub name: String,
    /// A display title.
    #[serde(default)]
    pub title: Option<String>,
    /// What it is.
    #[serde(default)]
    pub description: Option<String>,
    /// Its MIME type.
    #[serde(default)]
    pub mime_type: Option<String>,
    /// The listing's `_meta` (an MCP Apps view's `ui` policy may sit here rather than on the read content).
    #[serde(default, rename = "_meta", skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}

/// A parameterised resource (`uriTemplate`, RFC 6570).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ResourceTemplateInfo {
    /// The URI template.
    pub uri_template: String,
    /// Its name.
    pub name: String,
    /// A display title.
    #[serde(default)]
    pub title: Option<String>,
    /// What it is.
    #[serde(default)]
    pub description: Option<String>,
    /// Its MIME type.
    #[serde(default)]
    pub mime_type: Option<String>,
}

/// The resources of a server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ResourceCatalog {
    /// Concrete resources.
    pub resources: Vec<ResourceInfo>,
    /// Templates.
    pub templates: Vec<ResourceTemplateInfo>,
}

/// A prompt a server offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PromptInfo {
    /// Its name.
    pub name: String,
    /// A display title.
    #[serde(default)]
    pub title: Option<String>,
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Its arguments.
    #[serde(default)]
    pub arguments: Vec<PromptArgumentInfo>,
}

/// One argument of a prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PromptArgumentInfo {
    /// Its name.
    pub name: String,
    /// What it means.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether it must be given.
    #[serde(default)]
    pub required: bool,
}

/// A prompt, filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PromptResult {
    /// What the prompt is.
    #[serde(default)]
    pub description: Option<String>,
    /// Its messages.
    pub messages: Vec<PromptMessage>,
}

/// One message of a prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PromptMessage {
    /// `user` or `assistant`.
    pub role: String,
    /// Its content.
    pub content: ContentItem,
}

/// A line of a server's log: a `notifications/message` or a line of its stderr.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LogLine {
    /// When it arrived, ISO-8601 UTC.
    pub time: String,
    /// `debug` … `emergency` for MCP log messages, `stderr` for the process's stderr, `atrium` for Atrium's own
    /// notes (connected, reconnecting, …).
    pub level: String,
    /// The logger name, when the server gives one.
    pub logger: Option<String>,
    /// The message: text, or compact JSON for structured data.
    pub message: String,
}

/// Progress of a running call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CallProgress {
    /// The caller's id for the call.
    pub call_id: String,
    /// Progress so far.
    pub progress: f64,
    /// The total, when known.
    pub total: Option<f64>,
    /// What is happening.
    pub message: Option<String>,
}

impl From<rmcp::model::CallToolResult> for ToolResult {
    /// Moves the fields over (this is every tool call's path, so no trip through JSON); a content kind this build
    /// does not know yet goes through JSON and is kept when Atrium's types can hold it.
    fn from(result: rmcp::model::CallToolResult) -> Self {
        use rmcp::model::ContentBlock;
        let content = result
            .content
            .into_iter()
            .filter_map(|block| match block {
                ContentBlock::Text(t) => Some(ContentItem::Text { text: t.text }),
                ContentBlock::Image(i) => Some(ContentItem::Image { data: i.data, mime_type: i.mime_type }),
                ContentBlock::Audio(a) => Some(ContentItem::Audio { data: a.data, mime_type: a.mime_type }),
                ContentBlock::ResourceLink(r) => Some(ContentItem::ResourceLink {
                    uri: r.uri,
                    name: Some(r.name),
                    description: r.description,
                    mime_type: r.mime_type,
                }),
                other => convert(other).ok(),
            })
            .collect();
        ToolResult {
            content,
            structured_content: result.structured_content,
            is_error: result.is_error.unwrap_or(false),
        }
    }
}

/// Converts an rmcp value into Atrium's view of it through its JSON form: MCP's wire format is the stable contract,
/// rmcp's Rust types are not.
pub(crate) fn convert<T: serde::de::DeserializeOwned>(value: impl Serialize) -> Result<T, serde_json::Error> {
    serde_json::from_value(serde_json::to_value(value)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_content_kind_converts_without_loss() {
        let wire = json!({
            "content": [
                {"type": "text", "text": "hi"},
                {"type": "image", "data": "aW1n", "mimeType": "image/png"},
                {"type": "audio", "data": "YXU=", "mimeType": "audio/wav"},
                {"type": "resource", "resource": {"uri": "demo://a", "mimeType": "text/plain", "text": "A"}},
                {"type": "resource", "resource": {"uri": "demo://b", "blob": "Qg=="}},
                {"type": "resource_link", "uri": "demo://c", "name": "c", "mimeType": "text/markdown"}
            ],
            "structuredContent": {"n": 1},
            "isError": true
        });
        let rmcp: rmcp::model::CallToolResult = serde_json::from_value(wire.clone()).expect("rmcp result");
        let direct = ToolResult::from(rmcp);
        let through_json: ToolResult = serde_json::from_value(wire).expect("wire result");
        assert_eq!(direct, through_json);
        assert_eq!(direct.content.len(), 6);
        assert!(direct.is_error);
        assert_eq!(direct.structured_content, Some(json!({"n": 1})));
    }
}
