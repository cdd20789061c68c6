//! The loopback origins views live on: one sandbox proxy for the window, and one origin per server for its views.
//!
//! A server's views share `http://127.0.0.1:<its port>`, so what they keep in `localStorage`, `sessionStorage` and
//! IndexedDB is theirs alone: another server's views are another origin, the app is `tauri://localhost`, and the
//! proxy a third origin. WebKit keeps that storage in the window's data directory (the Atrium home's `webview/`)
//! under the origin, so the origin must not change between runs: the port is picked once per server — the first
//! free one of a sequence derived from its id — and kept in the local settings (never synced). When another program
//! holds it at the next start, the views get a port for that run only, and the server's log says why their saved
//! state is missing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use atrium_store::Store;
use atrium_viewer::origin::candidate_ports;
use atrium_viewer::{ProxyServer, ViewOrigin};

use crate::{ApiError, ApiResult, ErrorCode};

/// The app window's origins on every platform: the only pages that may frame a proxy, and the only ones a proxy
/// talks to.
pub(crate) const APP_ORIGINS: &[&str] = &["tauri://localhost", "http://tauri.localhost", "https://tauri.localhost"];

/// The local setting that keeps a server's port.
fn setting_key(server_id: &str) -> String {
    format!("viewer.origin_port.{server_id}")
}

/// The proxy and every server's view origin that is listening.
#[derive(Clone, Default)]
pub(crate) struct ViewOrigins {
    proxy: Arc<tokio::sync::OnceCell<ProxyServer>>,
    /// Serialises picking a server's port (two views of one server opened at once get the same origin).
    binding: Arc<tokio::sync::Mutex<()>>,
    /// Read by the window's navigation check, which is synchronous: never held across an await.
    servers: Arc<Mutex<HashMap<String, ViewOrigin>>>,
}

/// What opening a server's origin came to.
pub(crate) struct ServerOrigin {
    /// The listener.
    pub(crate) origin: ViewOrigin,
    /// Why the server's views do not get their usual origin this time (for the server's log).
    pub(crate) note: Option<String>,
}

impl ViewOrigins {
    /// The sandbox proxy, started on first use.
    pub(crate) async fn proxy(&self) -> ApiResult<ProxyServer> {
        let proxy = self.proxy.get_or_try_init(ProxyServer::start).await;
        proxy.cloned().map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))
    }

    /// The origin of `server_id`'s views, listening from its first use until Atrium closes.
    pub(crate) async fn for_server(&self, store: &Store, server_id: &str) -> ApiResult<ServerOrigin> {
        let _picking = self.binding.lock().await;
        if let Some(origin) = self.servers.lock().unwrap_or_else(|p| p.into_inner()).get(server_id).cloned() {
            return Ok(ServerOrigin { origin, note: None });
        }
        let internal = |e: atrium_viewer::ViewerError| ApiError::new(ErrorCode::Internal, e.to_string());
        let key = setting_key(server_id);
        let stored = store.setting(&key).await?.and_then(|v| v.as_u64()).and_then(|p| u16::try_from(p).ok());
        let (origin, note) = match stored {
            Some(port) => match ViewOrigin::bind([port]).await {
                Ok(origin) => (origin, None),
                Err(err) => {
                    let origin = ViewOrigin::bind(candidate_ports(server_id).filter(|p| *p != port))
                        .await
                        .or(Err(err))
                        .map_err(internal)?;
                    let note = format!(
                        "port {port}, where this server's views keep what they store, is in use by another program: \
                         its views run on port {} this time, without what they stored before",
                        origin.port()
                    );
                    (origin, Some(note))
                }
            },
            None => {
                let origin = match ViewOrigin::bind(candidate_ports(server_id)).await {
                    Ok(origin) => origin,
                    // Every candidate taken (unlikely): any port, kept like any other.
                    Err(_) => ViewOrigin::bind_any().await.map_err(internal)?,
                };
                store.set_setting(&key, &serde_json::json!(origin.port())).await?;
                (origin, None)
            }
        };
        tracing::debug!(server = server_id, origin = %origin.origin(), "views' origin listening");
        self.servers.lock().unwrap_or_else(|p| p.into_inner()).insert(server_id.to_owned(), origin.clone());
        Ok(ServerOrigin { origin, note })
    }

    /// Whether `url` is a page a view's frame may load: a proxy page, a view page of a server's origin, or the
    /// empty document a frame starts with.
    pub(crate) fn serves(&self, url: &str) -> bool {
        if url == "about:blank" {
            return true;
        }
        if self.proxy.get().is_some_and(|proxy| proxy.serves(url)) {
            return true;
        }
        self.servers.lock().unwrap_or_else(|p| p.into_inner()).values().any(|origin| origin.serves(url))
    }

    /// Stops every listener.
    pub(crate) fn shutdown(&self) {
        if let Some(proxy) = self.proxy.get() {
            proxy.shutdown();
        }
        for (_, origin) in self.servers.lock().unwrap_or_else(|p| p.into_inner()).drain() {
            origin.shutdown();
        }
    }
}
