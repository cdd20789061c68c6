//! Input rules, checked before anything is written. Each problem says what to fix; all problems of one input are
//! reported together so a form can mark every field at once.

use serde_json::Value;

use crate::model::{FieldProblem, TextPosition};

/// Longest title accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Largest content accepted, in bytes. The platform keeps large bodies out of line; 32 MiB is far above anything
/// a person edits by hand and keeps one careless paste from bloating the database.
pub const MAX_CONTENT_BYTES: usize = 32 * 1024 * 1024;
/// Longest workspace description accepted, in characters: a paragraph or two, not a document (that is an artifact).
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Longest content type accepted (RFC 6838 allows 127 characters per side).
pub const MAX_CONTENT_TYPE_CHARS: usize = 255;

/// Collects the problems of one input.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldProblem>);

impl Problems {
    /// Records `result`'s problem, if any, and passes its value through.
    pub fn check<T>(&mut self, result: Result<T, FieldProblem>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(problem) => {
                self.0.push(problem);
                None
            }
        }
    }

    /// The problems found, or `Ok` when there were none.
    pub fn into_result(self) -> Result<(), Vec<FieldProblem>> {
        if self.0.is_empty() { Ok(()) } else { Err(self.0) }
    }

    /// The problems found so far.
    pub fn into_vec(self) -> Vec<FieldProblem> {
        self.0
    }
}

fn problem(field: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem { field: field.to_owned(), message: message.into(), position: None }
}

/// serde_json reports columns in bytes; people (and editors) count characters.
fn char_position(text: &str, line: usize, byte_column: usize) -> TextPosition {
    let line_text = text.split('\n').nth(line.saturating_sub(1)).unwrap_or_default();
    let mut end = byte_column.min(line_text.len());
    while !line_text.is_char_boundary(end) {
        end -= 1;
    }
    let column = line_text[..end].chars().count().max(1);
    TextPosition { line: u32::try_from(line).unwrap_or(u32::MAX), column: u32::try_from(column).unwrap_or(u32::MAX) }
}

/// A title: trimmed, 1–200 characters, no control characters. Returns the trimmed title.
pub fn title(field: &str, value: &str) -> Result<String, FieldProblem> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(problem(field, "The title is empty: type a name."));
    }
    let chars = trimmed.chars().count();
    if chars > MAX_TITLE_CHARS {
        return Err(problem(
            field,
            format!("The title is {chars} characters long: shorten it to {MAX_TITLE_CHARS} or fewer."),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(problem(field, "The title contains a line break or control character: keep it to one line."));
    }
    Ok(trimmed.to_owned())
}

/// Whether a description may hold this character: line breaks and tabs, but no other control characters.
pub fn description_char(c: char) -> bool {
    !c.is_control() || c == '\n' || c == '\t'
}

/// A workspace description: trimmed, at most [`MAX_DESCRIPTION_CHARS`] characters, line breaks allowed, no other
/// control characters. Empty is allowed (no description). Returns the trimmed description.
pub fn description(field: &str, value: &str) -> Result<String, FieldProblem> {
    let trimmed = value.trim();
    let chars = trimmed.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        return Err(problem(
            field,
            format!("The description is {chars} characters long: shorten it to {MAX_DESCRIPTION_CHARS} or fewer."),
        ));
    }
    if !trimmed.chars().all(description_char) {
        return Err(problem(field, "The description contains a control character: remove it."));
    }
    Ok(trimmed.to_owned())
}

fn is_restricted_name(part: &str) -> bool {
    // RFC 6838 §4.2 restricted-name: starts with a letter or digit, then letters, digits and !#$&-^_.+
    let mut chars = part.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
        && part.len() <= 127
}

/// A MIME content type such as `text/markdown` or `application/vnd.my-org.recipe+json`, without parameters.
/// Returns it trimmed and lower-cased (MIME types are case-insensitive).
pub fn content_type(value: &str) -> Result<String, FieldProblem> {
    let normalized = value.trim().to_ascii_lowercase();
    let example = "for example text/markdown or application/vnd.my-org.recipe+json";
    if normalized.is_empty() {
        return Err(problem("content_type", format!("The content type is empty: give a MIME type, {example}.")));
    }
    if normalized.len() > MAX_CONTENT_TYPE_CHARS {
        return Err(problem("content_type", "The content type is too long: use at most 255 characters."));
    }
    if normalized.contains(';') {
        return Err(problem(
            "content_type",
            "Parameters such as ;charset= are not part of an artifact's content type: remove everything from the ';'.",
        ));
    }
    match normalized.split_once('/') {
        Some((top, sub)) if is_restricted_name(top) && is_restricted_name(sub) => Ok(normalized),
        _ => Err(problem(
            "content_type",
            format!("\"{}\" is not a MIME type: write type/subtype, {example}.", value.trim()),
        )),
    }
}

/// Whether content of this type must be JSON (`application/json`, `text/json`, or any `+json` suffix).
pub fn is_json_content_type(content_type: &str) -> bool {
    let ct = content_type.trim().to_ascii_lowercase();
    ct == "application/json" || ct == "text/json" || ct.ends_with("+json")
}

/// Content of the given type: within the size limit, and valid JSON when the type is a JSON type.
pub fn content(content_type: &str, content: &str) -> Result<(), FieldProblem> {
    if content.len() > MAX_CONTENT_BYTES {
        return Err(problem(
            "content",
            format!(
                "The content is {} MiB: the limit is {} MiB. Split it or link to the file instead.",
                content.len() / (1024 * 1024),
                MAX_CONTENT_BYTES / (1024 * 1024)
            ),
        ));
    }
    // No body at all is allowed for any type (a server registration keeps itself in its context, and a new JSON
    // document may be saved before it is written); a body of a JSON type must be JSON.
    if is_json_content_type(content_type)
        && !content.is_empty()
        && let Err(err) = serde_json::from_str::<serde::de::IgnoredAny>(content)
    {
        let at = char_position(content, err.line(), err.column());
        return Err(FieldProblem {
            position: Some(at),
            ..problem(
                "content",
                format!("Not valid JSON at line {}, column {}: {}.", at.line, at.column, json_reason(&err)),
            )
        });
    }
    Ok(())
}

fn json_reason(err: &serde_json::Error) -> String {
    // serde_json appends " at line L column C"; the position is reported separately.
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(index) => text[..index].to_owned(),
        None => text,
    }
}

/// A context must be a JSON object (the platform stores it as one).
pub fn context(value: &Value) -> Result<(), FieldProblem> {
    if value.is_object() {
        Ok(())
    } else {
        Err(problem("context", "The context must be a JSON object, like {\"key\": \"value\"}."))
    }
}

/// An id given by a caller: a UUID-shaped string. Saves a database round trip on garbage and keeps ids out of
/// error messages unescaped.
pub fn id(field: &str, value: &str) -> Result<(), FieldProblem> {
    let ok = value.len() == 36 && value.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if ok { Ok(()) } else { Err(problem(field, format!("\"{}\" is not an Atrium id.", value.escape_debug()))) }
}

/// The problems a new or edited artifact would be refused for; empty when it would be accepted.
/// Lets a form validate as the user types with exactly the rules the store enforces.
pub fn artifact_draft(title_value: &str, content_type_value: &str, content_value: &str) -> Vec<FieldProblem> {
    let mut problems = Problems::default();
    problems.check(title("title", title_value));
    if let Some(ct) = problems.check(content_type(content_type_value)) {
        problems.check(content(&ct, content_value));
    }
    problems.into_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(title("title", "  Notes  ").ok().as_deref(), Some("Notes"));
        assert!(title("title", "   ").is_err());
        assert!(title("title", "two\nlines").is_err());
        assert!(title("title", &"x".repeat(200)).is_ok());
        let long = title("title", &"x".repeat(201)).err().map(|p| p.message).unwrap_or_default();
        assert!(long.contains("201"), "{long}");
    }

    #[test]
    fn content_types_follow_rfc_6838() {
        assert_eq!(content_type(" Text/Markdown ").ok().as_deref(), Some("text/markdown"));
        assert!(content_type("application/vnd.my-org.recipe+json").is_ok());
        for bad in ["", "markdown", "text/", "/json", "text/plain; charset=utf-8", "te xt/plain", "a/b/c"] {
            assert!(content_type(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn json_types_need_json_content() {
        assert!(is_json_content_type("application/vnd.agience.workspace+json"));
        assert!(!is_json_content_type("text/markdown"));
        assert!(content("application/json", "{\"a\": 1}").is_ok());
        assert!(content("text/plain", "{not json").is_ok());
        let err = content("application/json", "{\n  \"a\": 1,\n}").err().map(|p| p.message).unwrap_or_default();
        assert!(err.contains("line 3"), "{err}");
        assert!(!err.contains(" at line 3 column"), "position is not repeated: {err}");
        assert!(content("application/json", "  ").is_err());
    }

    #[test]
    fn json_positions_count_characters() {
        let err = content("application/json", "{\"é\": x}").err().and_then(|p| p.position);
        assert_eq!(err, Some(TextPosition { line: 1, column: 7 }), "the x is the 7th character (9th byte)");
        let err = content("application/json", "[1,\n 2,\n ]").err().and_then(|p| p.position);
        assert_eq!(err.map(|p| p.line), Some(3));
    }

    #[test]
    fn a_draft_reports_every_problem_at_once() {
        let fields: Vec<String> = artifact_draft("", "json", "{").into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["title", "content_type"]);
        let fields: Vec<String> = artifact_draft("ok", "application/json", "{").into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["content"]);
        assert!(artifact_draft("ok", "text/plain", "{").is_empty());
    }

    #[test]
    fn contexts_are_objects() {
        assert!(context(&serde_json::json!({"a": 1})).is_ok());
        assert!(context(&serde_json::json!([1])).is_err());
    }

    #[test]
    fn ids_are_uuid_shaped() {
        assert!(id("id", "0190f1f2-0000-7000-8000-000000000000").is_ok());
        assert!(id("id", "'; drop table").is_err());
    }
}
