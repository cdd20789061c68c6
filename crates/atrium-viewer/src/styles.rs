//! The theme variables Atrium gives views (`hostContext.styles.variables`): every standard MCP Apps key, each a
//! `light-dark()` pair in Atrium's own palette, so a view follows the app's theme through `color-scheme` alone.

use serde_json::{Map, Value, json};

const SANS: &str = "system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif";
const MONO: &str = "ui-monospace, \"SF Mono\", \"Cascadia Code\", \"JetBrains Mono\", Menlo, Consolas, monospace";

/// `(key, light, dark)`; a value without a dark variant is the same in both themes.
const VARIABLES: &[(&str, &str, &str)] = &[
    ("--color-background-primary", "#ffffff", "#16181d"),
    ("--color-background-secondary", "#f6f7f9", "#1d2027"),
    ("--color-background-tertiary", "#eceef2", "#252932"),
    ("--color-background-inverse", "#16181d", "#f6f7f9"),
    ("--color-background-ghost", "transparent", "transparent"),
    ("--color-background-info", "#e8efff", "#1b2745"),
    ("--color-background-danger", "#fdecec", "#3a1d1f"),
    ("--color-background-success", "#e8f6ee", "#17301f"),
    ("--color-background-warning", "#fff5e0", "#36290f"),
    ("--color-background-disabled", "#f0f1f4", "#22252c"),
    ("--color-text-primary", "#1b1e24", "#e8eaee"),
    ("--color-text-secondary", "#4a5160", "#b4bac6"),
    ("--color-text-tertiary", "#6b7280", "#8a91a0"),
    ("--color-text-inverse", "#ffffff", "#16181d"),
    ("--color-text-ghost", "#6b7280", "#8a91a0"),
    ("--color-text-info", "#2f55d4", "#8fa9ff"),
    ("--color-text-danger", "#c92a2a", "#ff8787"),
    ("--color-text-success", "#2b8a3e", "#69db7c"),
    ("--color-text-warning", "#a35f00", "#ffc078"),
    ("--color-text-disabled", "#9aa1ad", "#5f6673"),
    ("--color-border-primary", "#d5d9e0", "#343945"),
    ("--color-border-secondary", "#e3e6eb", "#2b2f39"),
    ("--color-border-tertiary", "#eceef2", "#252932"),
    ("--color-border-inverse", "#16181d", "#f6f7f9"),
    ("--color-border-ghost", "transparent", "transparent"),
    ("--color-border-info", "#9db4f5", "#3a53a0"),
    ("--color-border-danger", "#f1a5a5", "#8a3a3d"),
    ("--color-border-success", "#9fd8b0", "#2f6b40"),
    ("--color-border-warning", "#f3cf88", "#7a5a1c"),
    ("--color-border-disabled", "#e3e6eb", "#2b2f39"),
    ("--color-ring-primary", "#4f6bed", "#7b93ff"),
    ("--color-ring-secondary", "#9aa1ad", "#5f6673"),
    ("--color-ring-inverse", "#ffffff", "#16181d"),
    ("--color-ring-info", "#4f6bed", "#7b93ff"),
    ("--color-ring-danger", "#e03131", "#ff8787"),
    ("--color-ring-success", "#2f9e44", "#69db7c"),
    ("--color-ring-warning", "#f08c00", "#ffc078"),
    ("--font-sans", SANS, ""),
    ("--font-mono", MONO, ""),
    ("--font-weight-normal", "400", ""),
    ("--font-weight-medium", "500", ""),
    ("--font-weight-semibold", "600", ""),
    ("--font-weight-bold", "700", ""),
    ("--font-text-xs-size", "0.75rem", ""),
    ("--font-text-sm-size", "0.875rem", ""),
    ("--font-text-md-size", "1rem", ""),
    ("--font-text-lg-size", "1.125rem", ""),
    ("--font-heading-xs-size", "0.875rem", ""),
    ("--font-heading-sm-size", "1rem", ""),
    ("--font-heading-md-size", "1.125rem", ""),
    ("--font-heading-lg-size", "1.25rem", ""),
    ("--font-heading-xl-size", "1.5rem", ""),
    ("--font-heading-2xl-size", "1.875rem", ""),
    ("--font-heading-3xl-size", "2.25rem", ""),
    ("--font-text-xs-line-height", "1rem", ""),
    ("--font-text-sm-line-height", "1.25rem", ""),
    ("--font-text-md-line-height", "1.5rem", ""),
    ("--font-text-lg-line-height", "1.75rem", ""),
    ("--font-heading-xs-line-height", "1.25rem", ""),
    ("--font-heading-sm-line-height", "1.5rem", ""),
    ("--font-heading-md-line-height", "1.75rem", ""),
    ("--font-heading-lg-line-height", "1.75rem", ""),
    ("--font-heading-xl-line-height", "2rem", ""),
    ("--font-heading-2xl-line-height", "2.25rem", ""),
    ("--font-heading-3xl-line-height", "2.5rem", ""),
    ("--border-radius-xs", "2px", ""),
    ("--border-radius-sm", "4px", ""),
    ("--border-radius-md", "6px", ""),
    ("--border-radius-lg", "10px", ""),
    ("--border-radius-xl", "14px", ""),
    ("--border-radius-full", "9999px", ""),
    ("--border-width-regular", "1px", ""),
    ("--shadow-hairline", "0 0 0 1px rgb(0 0 0 / 0.06)", "0 0 0 1px rgb(255 255 255 / 0.08)"),
    ("--shadow-sm", "0 1px 2px rgb(0 0 0 / 0.08)", "0 1px 2px rgb(0 0 0 / 0.5)"),
    ("--shadow-md", "0 4px 10px rgb(0 0 0 / 0.10)", "0 4px 10px rgb(0 0 0 / 0.55)"),
    ("--shadow-lg", "0 12px 28px rgb(0 0 0 / 0.14)", "0 12px 28px rgb(0 0 0 / 0.6)"),
];

/// `hostContext.styles`: every standard variable.
pub fn host_styles() -> Value {
    let mut variables = Map::new();
    for (key, light, dark) in VARIABLES {
        let value =
            if dark.is_empty() || light == dark { (*light).to_owned() } else { format!("light-dark({light}, {dark})") };
        variables.insert((*key).to_owned(), Value::String(value));
    }
    json!({ "variables": variables })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_once() {
        let styles = host_styles();
        let variables = styles["variables"].as_object().expect("variables");
        assert_eq!(variables.len(), VARIABLES.len());
        assert_eq!(variables.len(), 76, "the MCP Apps spec names 76 variables");
        assert!(variables["--color-text-primary"].as_str().expect("s").starts_with("light-dark("));
        assert_eq!(variables["--border-radius-md"], "6px");
    }
}
