//! The Content-Security-Policy a view runs under, built from its resource's `_meta.ui.csp`.
//!
//! The policy is the HTTP header of the view's own document (served from its server's origin, see
//! [`crate::origin`]), so nothing in the view can loosen it and no other policy intersects with it. It follows the
//! MCP Apps reference host (ext-apps `basic-host`) for what runs *inside* the view's sandbox — inline, `eval`,
//! WebAssembly, `blob:` and `data:` scripts, `blob:` workers — because the apps are written for it (Three.js scenes
//! run user code through `new Function`, PDF.js starts its worker from a `blob:` URL that imports a `data:`
//! module), while everything that reaches *out* stays shut unless the server declared it: `connect-src`,
//! `frame-src` and `base-uri` default to `'none'` (the reference host gives `connect-src 'self'`), `form-action` and
//! `object-src` are always `'none'`, and `frame-ancestors` names only the proxy and the app. Every domain a server
//! declares goes through [`normalize_source`]; anything that is not a plain http(s)/ws(s) origin or host source is
//! dropped (and reported), so a declaration can never add a directive or a keyword.

use serde::{Deserialize, Serialize};

/// The domains a view asks for (`McpUiResourceCsp`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CspDomains {
    /// Origins it may `fetch`/WebSocket to (`connect-src`).
    #[serde(default)]
    pub connect_domains: Vec<String>,
    /// Origins of scripts, styles, images, fonts and media.
    #[serde(default)]
    pub resource_domains: Vec<String>,
    /// Origins it may frame.
    #[serde(default)]
    pub frame_domains: Vec<String>,
    /// Origins allowed as `<base href>`.
    #[serde(default)]
    pub base_uri_domains: Vec<String>,
}

/// A CSP built for one view, with what was refused on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewCsp {
    /// The header value.
    pub header: String,
    /// The domains actually granted (sent back to the view as `hostCapabilities.sandbox.csp`).
    pub granted: CspDomains,
    /// Declared sources that were not valid and were left out.
    pub rejected: Vec<String>,
}

/// Most sources a directive takes; the rest are rejected (a server listing thousands is not a real need).
const MAX_SOURCES: usize = 32;

/// Builds the policy for a view. `frame_ancestors` are the origins that may embed it: the sandbox proxy's and the
/// app's own (every ancestor is checked).
pub fn build(declared: &CspDomains, frame_ancestors: &[String]) -> ViewCsp {
    let mut rejected = Vec::new();
    let mut clean = |list: &[String]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for raw in list {
            match normalize_source(raw) {
                Some(source) if out.len() < MAX_SOURCES => {
                    if !out.contains(&source) {
                        out.push(source);
                    }
                }
                _ => rejected.push(raw.clone()),
            }
        }
        out
    };
    let granted = CspDomains {
        connect_domains: clean(&declared.connect_domains),
        resource_domains: clean(&declared.resource_domains),
        frame_domains: clean(&declared.frame_domains),
        base_uri_domains: clean(&declared.base_uri_domains),
    };
    let join = |fixed: &str, extra: &[String]| -> String {
        let mut parts: Vec<&str> = fixed.split(' ').filter(|p| !p.is_empty()).collect();
        parts.extend(extra.iter().map(String::as_str));
        if parts.is_empty() { "'none'".to_owned() } else { parts.join(" ") }
    };
    let resources = &granted.resource_domains;
    // 'self' is the view's own origin: its server's port, which serves nothing but one-use view documents, so it
    // adds nothing a view could load; it is there for parity with the reference host (a worker or module a library
    // resolves against the document's URL). It is left out of connect-src: no fetch to the listener at all.
    // Code from `eval`, WebAssembly, `blob:` or `data:` runs in the same sandbox under the same connect-src as
    // inline code: none of these allowances opens a way out.
    let directives = [
        "default-src 'none'".to_owned(),
        format!(
            "script-src {}",
            join("'self' 'unsafe-inline' 'unsafe-eval' 'wasm-unsafe-eval' blob: data:", resources)
        ),
        format!("style-src {}", join("'self' 'unsafe-inline' blob: data:", resources)),
        format!("img-src {}", join("'self' data: blob:", resources)),
        format!("font-src {}", join("'self' data: blob:", resources)),
        format!("media-src {}", join("'self' data: blob:", resources)),
        format!("worker-src {}", join("'self' blob:", resources)),
        format!("connect-src {}", join("", &granted.connect_domains)),
        format!("frame-src {}", join("", &granted.frame_domains)),
        format!("base-uri {}", join("", &granted.base_uri_domains)),
        "object-src 'none'".to_owned(),
        "form-action 'none'".to_owned(),
        format!("frame-ancestors {}", join("", frame_ancestors)),
    ];
    ViewCsp { header: directives.join("; "), granted, rejected }
}

/// A violation report of a view's policy (the `csp-report` object) as what the window shows of it.
pub fn violation(report: &serde_json::Value) -> crate::Refusal {
    let field = |key: &str| report.get(key).and_then(serde_json::Value::as_str).filter(|s| !s.is_empty());
    let directive = field("effective-directive").or_else(|| field("violated-directive")).unwrap_or("a directive");
    let directive = directive.split_whitespace().next().unwrap_or(directive);
    let blocked = field("blocked-uri").unwrap_or("inline");
    // Only the origin of a URL: a path may carry what the view was sending.
    let target = url::Url::parse(blocked).ok().filter(|u| u.has_host()).map(|u| u.origin().ascii_serialization());
    crate::Refusal {
        method: "Content-Security-Policy".into(),
        target: Some(target.unwrap_or_else(|| blocked.chars().take(64).collect())),
        reason: format!("the view's policy does not allow it ({directive})"),
    }
}

/// A declared domain as a CSP source, or `None` when it is not one we accept: only `http`, `https`, `ws` and `wss`
/// origins (a path is reduced to the origin) or bare host sources, with an optional `*.` subdomain wildcard and
/// port. Quotes, `;`, `,`, whitespace, keywords, a bare `*`, userinfo and other schemes are refused.
pub fn normalize_source(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 253 + 16 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    if raw.chars().any(|c| matches!(c, '\'' | '"' | ';' | ',' | '\\' | '<' | '>' | '&' | '#' | '@' | '%')) {
        return None;
    }
    let (scheme, rest) = match raw.split_once("://") {
        Some((scheme, rest)) => {
            let scheme = scheme.to_ascii_lowercase();
            if !matches!(scheme.as_str(), "http" | "https" | "ws" | "wss") {
                return None;
            }
            (Some(scheme), rest)
        }
        None if raw.contains(':') && !raw.contains('.') => return None, // `data:`, `blob:`, `javascript:`
        None => (None, raw),
    };
    // Reduce a URL to its origin: anything from the first '/' or '?' on is not part of a source we grant.
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(']') || authority.starts_with('[') => (host, Some(port)),
        _ => (authority, None),
    };
    if let Some(port) = port
        && port != "*"
        && port.parse::<u16>().map_or(true, |p| p == 0 || !port.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let bare = host.strip_prefix("*.").unwrap_or(&host);
    let valid_host = !bare.is_empty()
        && bare.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    // A bare wildcard, a top-level wildcard (`*.com`) or a keyword-like word without a dot is not a domain.
    if !valid_host || (host.starts_with("*.") && !bare.contains('.')) || (scheme.is_none() && !bare.contains('.')) {
        return None;
    }
    let mut source = String::new();
    if let Some(scheme) = scheme {
        source.push_str(&scheme);
        source.push_str("://");
    }
    source.push_str(&host);
    if let Some(port) = port {
        source.push(':');
        source.push_str(port);
    }
    Some(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domains(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn accepts_origins_and_host_sources() {
        let cases = [
            ("https://api.example.com", "https://api.example.com"),
            ("https://api.example.com/v1/path?x=1", "https://api.example.com"),
            ("HTTPS://CDN.Example.com:8443", "https://cdn.example.com:8443"),
            ("wss://live.example.com", "wss://live.example.com"),
            ("https://*.example.com", "https://*.example.com"),
            ("cdn.example.com", "cdn.example.com"),
            ("http://localhost:3000", "http://localhost:3000"),
        ];
        for (raw, expected) in cases {
            assert_eq!(normalize_source(raw).as_deref(), Some(expected), "{raw}");
        }
    }

    #[test]
    fn refuses_anything_that_could_add_a_directive_or_keyword() {
        let hostile = [
            "*",
            "'self'",
            "'unsafe-eval'",
            "https://a.com; script-src *",
            "https://a.com script-src",
            "https://a.com,https://b.com",
            "data:",
            "blob:",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "ftp://files.example.com",
            "https://user:pass@example.com",
            "[::1]&#59form-action&#32*",
            "https://*.com",
            "https://exa_mple.com",
            "none",
            "https://example.com:99999",
            "https://example.com:",
            "https://a.com\nscript-src *",
            "",
        ];
        for raw in hostile {
            assert_eq!(normalize_source(raw), None, "{raw:?} must be refused");
        }
    }

    #[test]
    fn default_policy_allows_what_runs_inside_and_nothing_that_reaches_out() {
        let csp = build(&CspDomains::default(), &domains(&["http://127.0.0.1:4000", "tauri://localhost"]));
        assert!(csp.header.starts_with("default-src 'none'; "), "{}", csp.header);
        for directive in [
            // What runs inside the view's sandbox, as the reference host allows it.
            "script-src 'self' 'unsafe-inline' 'unsafe-eval' 'wasm-unsafe-eval' blob: data:;",
            "style-src 'self' 'unsafe-inline' blob: data:;",
            "img-src 'self' data: blob:;",
            "font-src 'self' data: blob:;",
            "media-src 'self' data: blob:;",
            "worker-src 'self' blob:;",
            // What reaches out: shut.
            "connect-src 'none'",
            "frame-src 'none'",
            "base-uri 'none'",
            "object-src 'none'",
            "form-action 'none'",
            "frame-ancestors http://127.0.0.1:4000 tauri://localhost",
        ] {
            assert!(csp.header.contains(directive), "{directive} missing from {}", csp.header);
        }
        // Neither its own origin nor anything else is reachable with fetch, XHR or WebSocket.
        let connect = csp.header.split("; ").find(|d| d.starts_with("connect-src")).expect("connect-src");
        assert_eq!(connect, "connect-src 'none'");
        assert!(csp.rejected.is_empty());
    }

    #[test]
    fn declared_domains_land_in_their_directives_and_bad_ones_are_reported() {
        let declared = CspDomains {
            connect_domains: domains(&["https://api.example.com", "https://x.com; script-src *"]),
            resource_domains: domains(&["https://cdn.example.com"]),
            frame_domains: domains(&["https://www.youtube.com"]),
            base_uri_domains: domains(&["https://base.example.com"]),
        };
        let csp = build(&declared, &[]);
        assert!(csp.header.contains("connect-src https://api.example.com;"), "{}", csp.header);
        assert!(
            csp.header.contains("script-src 'self' 'unsafe-inline' 'unsafe-eval' 'wasm-unsafe-eval' blob: data: https://cdn.example.com;"),
            "{}",
            csp.header
        );
        assert!(csp.header.contains("img-src 'self' data: blob: https://cdn.example.com;"), "{}", csp.header);
        assert!(csp.header.contains("worker-src 'self' blob: https://cdn.example.com;"), "{}", csp.header);
        assert!(csp.header.contains("frame-src https://www.youtube.com;"), "{}", csp.header);
        assert!(csp.header.contains("base-uri https://base.example.com;"), "{}", csp.header);
        assert!(csp.header.contains("frame-ancestors 'none'"), "{}", csp.header);
        assert_eq!(csp.rejected, vec!["https://x.com; script-src *".to_owned()]);
        assert_eq!(csp.granted.connect_domains, vec!["https://api.example.com".to_owned()]);
        assert_eq!(csp.header.matches("script-src").count(), 1, "{}", csp.header);
    }

    #[test]
    fn violation_reports_say_what_was_blocked_by_which_directive() {
        let report = serde_json::json!({"document-uri": "http://127.0.0.1:4000/v/x", "effective-directive": "connect-src",
            "violated-directive": "connect-src 'none'", "blocked-uri": "https://evil.example/steal?data=secret"});
        let refusal = violation(&report);
        assert_eq!(refusal.target.as_deref(), Some("https://evil.example"), "the origin only, never the query");
        assert!(refusal.reason.contains("connect-src"), "{}", refusal.reason);
        let inline = violation(&serde_json::json!({"violated-directive": "script-src 'self'", "blocked-uri": "eval"}));
        assert_eq!((inline.target.as_deref(), inline.reason.contains("script-src")), (Some("eval"), true));
    }

    #[test]
    fn caps_the_number_of_sources() {
        let many: Vec<String> = (0..100).map(|i| format!("https://h{i}.example.com")).collect();
        let csp = build(&CspDomains { connect_domains: many, ..CspDomains::default() }, &[]);
        assert_eq!(csp.granted.connect_domains.len(), MAX_SOURCES);
        assert_eq!(csp.rejected.len(), 100 - MAX_SOURCES);
    }
}
