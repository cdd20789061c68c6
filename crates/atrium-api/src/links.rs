//! Opening a web link in the person's browser, from Rust (no webview is ever granted an opener).

use std::process::{Command, Stdio};

/// Opens an http(s) URL (already checked) in the default browser. `$BROWSER` wins when set, as for other
/// command-line tools; the URL is always one argv element, never shell text.
pub(crate) fn open_in_browser(url: &str) -> std::io::Result<()> {
    let mut command = match std::env::var("BROWSER").ok().filter(|b| !b.trim().is_empty()) {
        // `$BROWSER` may hold `cmd1:cmd2` alternatives; the first is used.
        Some(browser) => Command::new(browser.split(':').next().unwrap_or_default().trim()),
        None if cfg!(target_os = "macos") => Command::new("open"),
        None if cfg!(target_os = "windows") => {
            let mut c = Command::new("rundll32");
            c.arg("url.dll,FileProtocolHandler");
            c
        }
        None => Command::new("xdg-open"),
    };
    command.arg(url).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = command.spawn()?;
    // Reap it in the background so no zombie is left.
    std::thread::spawn(move || child.wait());
    Ok(())
}

impl crate::Atrium {
    /// Opens a link the person clicked in Markdown shown in the window, after they confirmed it there. Only
    /// `http`, `https` and `mailto` addresses open; anything else is refused (the window never offers them).
    pub async fn link_open(&self, url: String) -> crate::ApiResult<()> {
        let parsed = url::Url::parse(url.trim()).map_err(|e| {
            crate::ApiError::new(crate::ErrorCode::InvalidInput, format!("\"{url}\" is not a web address ({e})."))
        })?;
        if !matches!(parsed.scheme(), "http" | "https" | "mailto") {
            return Err(crate::ApiError::new(
                crate::ErrorCode::InvalidInput,
                format!("Only http, https and mailto links open in the browser, not {}: links.", parsed.scheme()),
            ));
        }
        open_in_browser(parsed.as_str()).map_err(|e| {
            crate::ApiError::new(
                crate::ErrorCode::Internal,
                format!("The browser could not be started ({e}); copy the address and open it yourself."),
            )
        })
    }
}
