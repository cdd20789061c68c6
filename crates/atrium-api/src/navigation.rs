//! What may load in the app's main window: only its own pages (and, decided by the viewer host, views' frames). A
//! link or a script cannot take the window elsewhere.

/// Whether `url` is one of the app's own pages (`tauri://localhost`, or `http(s)://tauri.localhost` on Windows).
pub fn is_app_page(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else { return false };
    matches!((url.scheme(), url.host_str()), ("tauri", Some("localhost")) | ("http" | "https", Some("tauri.localhost")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_app_pages_may_load() {
        for url in ["tauri://localhost/index.html", "http://tauri.localhost/"] {
            assert!(is_app_page(url), "{url}");
        }
        for url in
            ["https://example.com/", "file:///etc/passwd", "http://127.0.0.1:1234/", "tauri://evil/", "not a url"]
        {
            assert!(!is_app_page(url), "{url}");
        }
    }
}
