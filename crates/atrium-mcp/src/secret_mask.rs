//! Every secret value Atrium gave a server — its keychain environment variables, the header it authenticates with
//! (an API key, a static header), the OAuth access and refresh tokens and client secrets behind its bearer — is
//! masked in whatever comes back from that server before anyone sees it: tool results (structured content
//! included), resources, prompts, progress and elicitation messages, error messages, its log lines and the audit
//! log. A server that echoes its request headers or its environment shows `[secret]` instead.
//!
//! Values are masked as they are and in their JSON-escaped forms (a value with a quote or a backslash is spelled
//! differently inside a JSON string, and differently again inside JSON text that is itself a string).

use std::sync::RwLock;

use atrium_secrets::Sensitive;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What replaces a secret value.
pub(crate) const MASK: &str = "[secret]";
/// Values this short would mask ordinary words; nobody uses them as secrets.
const SHORTEST: usize = 4;
/// Tokens are renewed: the oldest values are forgotten beyond this many.
const KEPT: usize = 64;

/// The secret values one server was given.
#[derive(Debug, Default)]
pub(crate) struct SecretMask {
    values: RwLock<Vec<Sensitive<String>>>,
}

impl SecretMask {
    /// Masks `value` from now on.
    pub(crate) fn learn(&self, value: &str) {
        if value.len() < SHORTEST {
            return;
        }
        if self.values.read().unwrap_or_else(|p| p.into_inner()).iter().any(|v| v.expose() == value) {
            return;
        }
        let mut values = self.values.write().unwrap_or_else(|p| p.into_inner());
        if values.len() == KEPT {
            values.remove(0);
        }
        values.push(Sensitive::new(value.to_owned()));
    }

    /// Masks each of `values` from now on.
    pub(crate) fn learn_all(&self, values: &[Sensitive<String>]) {
        for value in values {
            self.learn(value.expose());
        }
    }

    /// The values known now (for the audit writer, which masks off the call's path).
    pub(crate) fn snapshot(&self) -> Vec<Sensitive<String>> {
        self.values.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// `text` with every known value masked.
    pub(crate) fn text(&self, text: String) -> String {
        mask_text(text, &self.values.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// A value with every known secret masked in every string it holds (and in its keys).
    pub(crate) fn value<T: Serialize + DeserializeOwned>(&self, value: T) -> T {
        let values = self.values.read().unwrap_or_else(|p| p.into_inner());
        if values.is_empty() {
            return value;
        }
        let Ok(text) = serde_json::to_string(&value) else { return value };
        if !values.iter().any(|s| contains_any_form(&text, s.expose())) {
            return value;
        }
        serde_json::from_str(&mask_text(text, &values)).unwrap_or(value)
    }
}

/// The spellings of `secret` to look for: itself, JSON-escaped, and escaped twice.
fn forms(secret: &str) -> Vec<String> {
    let escape = |s: &str| {
        let quoted = serde_json::to_string(s).unwrap_or_default();
        quoted[1..quoted.len().saturating_sub(1).max(1)].to_owned()
    };
    let once = escape(secret);
    let twice = escape(&once);
    let mut forms = vec![secret.to_owned(), once, twice];
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

fn contains_any_form(text: &str, secret: &str) -> bool {
    forms(secret).iter().any(|f| text.contains(f.as_str()))
}

/// `text` with every spelling of the secret values replaced by `[secret]`.
pub(crate) fn mask_text(text: String, secrets: &[Sensitive<String>]) -> String {
    let mut text = text;
    for secret in secrets {
        for form in forms(secret.expose()) {
            if text.contains(form.as_str()) {
                text = text.replace(form.as_str(), MASK);
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn every_spelling_of_a_value_is_masked() {
        let mask = SecretMask::default();
        mask.learn(r#"k"e\y-42"#);
        mask.learn("abc"); // too short to be a secret
        let raw = r#"sent k"e\y-42 and abc"#.to_owned();
        assert_eq!(mask.text(raw), "sent [secret] and abc");
        // Inside JSON, and inside JSON that is itself a string in JSON.
        let inner = json!({"x-api-key": r#"k"e\y-42"#}).to_string();
        let result = json!({"content": [{"type": "text", "text": inner}], "structuredContent": {"h": r#"k"e\y-42"#}});
        let masked: Value = mask.value(result);
        let text = masked.to_string();
        assert!(!text.contains("42"), "{text}");
        assert_eq!(masked["structuredContent"]["h"], "[secret]");
        assert!(masked["content"][0]["text"].as_str().is_some_and(|t| t.contains("[secret]")), "{masked}");
    }

    #[test]
    fn renewed_tokens_are_remembered_up_to_a_bound() {
        let mask = SecretMask::default();
        for i in 0..(KEPT + 5) {
            mask.learn(&format!("token-{i:04}"));
        }
        assert_eq!(mask.snapshot().len(), KEPT);
        assert_eq!(mask.text("token-0000 token-0068".into()), "token-0000 [secret]");
    }
}
