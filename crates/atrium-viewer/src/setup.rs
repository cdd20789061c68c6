//! What a view's session starts from and what it reports: [`ViewSetup`] (the view's grants, host context, tools and
//! payload), the [`ViewerEvent`]s for the window, and the [`ViewNotes`] the host keeps.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::backend::Refusal;
use crate::csp::CspDomains;
use crate::resource::ViewPermissions;

/// Where the window's events for a view go.
pub type Events = Arc<dyn Fn(ViewerEvent) + Send + Sync>;

/// What the session tells the app window about a view (besides the messages for the view itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ViewerEvent {
    /// A JSON-RPC message to post to the view's proxy frame.
    Post {
        /// The message.
        message: Value,
    },
    /// The view finished its handshake and has its data.
    Ready,
    /// The view asks for a size (px); with flexible dimensions the frame follows.
    Resize {
        /// Width, when given.
        width: Option<f64>,
        /// Height, when given.
        height: Option<f64>,
    },
    /// The view switched display mode (`inline` or `fullscreen`).
    DisplayMode {
        /// The new mode.
        mode: String,
    },
    /// The view sent a message for the conversation (`ui/message`).
    Message {
        /// Its content blocks.
        content: Value,
    },
    /// The view updated what it wants the model to know (`ui/update-model-context`).
    ModelContext {
        /// The new context (`{content?, structuredContent?}`).
        context: Value,
    },
    /// The view asks to be closed.
    CloseRequested,
    /// The view tried something it may not do; it was refused.
    Refused {
        /// What and why.
        refusal: Refusal,
    },
}

/// A tool as the view policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolAccess {
    /// The tool's name on the view's server.
    pub name: String,
    /// Whether views may call it (`_meta.ui.visibility` includes `app`, the default).
    pub app: bool,
    /// Whether the model may see it.
    pub model: bool,
    /// The tool as the server lists it (`{name, description, inputSchema, …}`), for the view's `tools/list`.
    pub definition: Value,
}

/// What a view shows.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewPayload {
    /// An artifact: `tool-result.content[0].text` carries it as JSON.
    Artifact {
        /// The artifact as the view receives it.
        artifact: Value,
    },
    /// A tool's input and (when it arrives) result.
    Tool {
        /// The tool (`{name, description, inputSchema, …}`), for `hostContext.toolInfo`.
        tool: Value,
        /// Its arguments; `None` while they are still being written (a preview: the view gets them as
        /// `tool-input-partial` until [`crate::ViewerSession::tool_input`] makes them final).
        arguments: Option<Map<String, Value>>,
    },
}

/// Everything a session needs at start.
#[derive(Debug, Clone)]
pub struct ViewSetup {
    /// The view's id (also the id the app window uses).
    pub view_id: String,
    /// The domains actually granted.
    pub csp: CspDomains,
    /// The permissions granted.
    pub permissions: ViewPermissions,
    /// `hostContext` (theme, locale, time zone, styles, `platform: "desktop"`, display modes, …).
    pub host_context: Map<String, Value>,
    /// The view's server's tools.
    pub tools: Vec<ToolAccess>,
    /// What it shows.
    pub payload: ViewPayload,
    /// Atrium's name and version for `hostInfo`.
    pub host_version: String,
}

/// The outcome of a tool run shown in a view.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolOutcome {
    /// The `CallToolResult`.
    Result(Value),
    /// The call did not complete.
    Cancelled(String),
}

/// What a view has said that the host keeps (for the window or a later turn).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ViewNotes {
    /// Its `ui/message`s, oldest first (the last 50).
    pub messages: Vec<Value>,
    /// Its latest `ui/update-model-context` (none after an empty one).
    pub model_context: Option<Value>,
    /// Its display mode.
    pub display_mode: String,
}

/// A list of the view's server that changed (`notifications/<list>/list_changed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerList {
    /// Its tools.
    Tools,
    /// Its resources.
    Resources,
    /// Its prompts.
    Prompts,
}

impl ServerList {
    /// The notification a view gets for it.
    pub fn notification(self) -> &'static str {
        match self {
            ServerList::Tools => "notifications/tools/list_changed",
            ServerList::Resources => "notifications/resources/list_changed",
            ServerList::Prompts => "notifications/prompts/list_changed",
        }
    }
}

/// A server's progress on a call a view made.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Progress so far.
    pub progress: f64,
    /// The total, when known.
    pub total: Option<f64>,
    /// What is happening.
    pub message: Option<String>,
}
