//! Which links a view may ask to open (`ui/open-link`): plain web addresses only; the person still confirms.

/// An `ui/open-link` URL, if it is one Atrium will offer to open: absolute http or https, no credentials.
pub fn check_link(url: &str) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|_| format!("{url:?} is not an absolute URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("only http and https links open, not {}:", parsed.scheme()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("links with credentials do not open".into());
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("the link has no host".into());
    }
    Ok(parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_web_links_open() {
        assert_eq!(check_link("https://example.com/a?b=1").as_deref(), Ok("https://example.com/a?b=1"));
        assert!(check_link("http://example.com").is_ok());
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<b>x</b>",
            "tauri://localhost/index.html",
            "https://user:pw@example.com/",
            "/relative",
            "",
        ] {
            assert!(check_link(bad).is_err(), "{bad} must be refused");
        }
    }
}
