//! Editing a client's MCP configuration file in place: one entry of its servers object (`mcpServers`, VS Code's
//! `servers`) added, replaced or removed, and every other byte of the file — the person's other servers, their
//! order, comments (VS Code's files are JSON with comments), trailing commas, indentation — left as it was.
//! Parsing into a JSON value and writing it back would lose all of that. Pure text in, text out.

use serde_json::Value;

use crate::import::ConfigError;

/// One lexical token of JSON with comments, with where it is (byte offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Open,
    Close,
    OpenList,
    CloseList,
    Colon,
    Comma,
    Text,
    /// A number, `true`, `false` or `null`.
    Literal,
}

fn problem(text: &str, at: usize, message: impl Into<String>) -> ConfigError {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    ConfigError { message: message.into(), line: Some(line), column: Some(column) }
}

/// The tokens of `text`, comments and whitespace skipped.
fn tokens(text: &str) -> Result<Vec<Token>, ConfigError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let kind = match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").ok_or_else(|| problem(text, i, "A comment is never closed."))?;
                i += 2 + end + 2;
                continue;
            }
            b'{' => Kind::Open,
            b'}' => Kind::Close,
            b'[' => Kind::OpenList,
            b']' => Kind::CloseList,
            b':' => Kind::Colon,
            b',' => Kind::Comma,
            b'"' => {
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => return Err(problem(text, start, "A string is never closed.")),
                        Some(b'\\') => i += 2,
                        Some(b'"') => break,
                        Some(_) => i += 1,
                    }
                }
                Kind::Text
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                while i + 1 < bytes.len() && (bytes[i + 1].is_ascii_alphanumeric() || b"+-.".contains(&bytes[i + 1])) {
                    i += 1;
                }
                let word = &text[start..=i];
                if !matches!(word, "true" | "false" | "null")
                    && serde_json::from_str::<serde_json::Number>(word).is_err()
                {
                    return Err(problem(text, start, format!("`{word}` is not a JSON value.")));
                }
                Kind::Literal
            }
            _ => return Err(problem(text, i, "This is not JSON.")),
        };
        i += 1;
        out.push(Token { kind, start, end: i });
    }
    Ok(out)
}

/// An object's members: each key's token index and its value's first and last token index.
struct Members {
    open: usize,
    close: usize,
    members: Vec<(usize, usize, usize)>,
}

/// The index of the token that closes the value starting at `at`.
fn value_end(text: &str, tokens: &[Token], at: usize) -> Result<usize, ConfigError> {
    let token = tokens.get(at).ok_or_else(|| problem(text, text.len(), "The file ends where a value should be."))?;
    match token.kind {
        Kind::Text | Kind::Literal => Ok(at),
        Kind::Open | Kind::OpenList => {
            let mut depth = 0usize;
            for (i, t) in tokens.iter().enumerate().skip(at) {
                match t.kind {
                    Kind::Open | Kind::OpenList => depth += 1,
                    Kind::Close | Kind::CloseList => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(i);
                        }
                    }
                    _ => {}
                }
            }
            Err(problem(text, token.start, "An object or list is never closed."))
        }
        _ => Err(problem(text, token.start, "A value was expected here.")),
    }
}

fn members(text: &str, tokens: &[Token], open: usize) -> Result<Members, ConfigError> {
    if tokens.get(open).map(|t| t.kind) != Some(Kind::Open) {
        let at = tokens.get(open).map_or(text.len(), |t| t.start);
        return Err(problem(text, at, "An object was expected here."));
    }
    let close = value_end(text, tokens, open)?;
    let mut members = Vec::new();
    let mut i = open + 1;
    while i < close {
        let key = &tokens[i];
        if key.kind == Kind::Comma {
            i += 1;
            continue;
        }
        if key.kind != Kind::Text || tokens.get(i + 1).map(|t| t.kind) != Some(Kind::Colon) {
            return Err(problem(text, key.start, "A member name and a colon were expected here."));
        }
        let end = value_end(text, tokens, i + 2)?;
        members.push((i, i + 2, end));
        i = end + 1;
    }
    Ok(Members { open, close, members })
}

fn key_of(text: &str, token: &Token) -> Option<String> {
    serde_json::from_str::<String>(&text[token.start..token.end]).ok()
}

/// The whitespace a line starts with, for the line holding byte `at`.
fn indent_at(text: &str, at: usize) -> &str {
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let line = &text[line_start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// How far the file indents one level: what its first indented line uses, else two spaces.
fn indent_unit(text: &str) -> String {
    text.lines()
        .map(|l| &l[..l.len() - l.trim_start_matches([' ', '\t']).len()])
        .find(|w| !w.is_empty())
        .map_or_else(|| "  ".to_owned(), str::to_owned)
}

/// `value` as pretty JSON whose lines after the first start with `indent`, one level being `unit`.
fn pretty(value: &Value, indent: &str, unit: &str) -> String {
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(unit.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    serde::Serialize::serialize(value, &mut ser).expect("a JSON value serializes");
    String::from_utf8(buf).expect("JSON is UTF-8").replace('\n', &format!("\n{indent}"))
}

/// Where a member of `object` starts its line: where its first member does when that is on a line of its own, else
/// one level in from the object's line.
fn member_indent(text: &str, tokens: &[Token], object: &Members, unit: &str) -> String {
    let open = tokens[object.open];
    match object.members.first() {
        Some(&(key, _, _)) if text[open.end..tokens[key].start].contains('\n') => {
            indent_at(text, tokens[key].start).to_owned()
        }
        _ => format!("{}{unit}", indent_at(text, open.start)),
    }
}

/// Inserts a member (`"name": value`, the value rendered for [`member_indent`]) first in `object`.
fn insert_first(text: &str, tokens: &[Token], object: &Members, name: &str, rendered_value: &str) -> String {
    let open = tokens[object.open];
    let close = tokens[object.close];
    let outer = indent_at(text, open.start);
    let inner = member_indent(text, tokens, object, &indent_unit(text));
    let member = format!("\n{inner}{}: {rendered_value}", Value::String(name.to_owned()));
    if object.members.is_empty() {
        let inside = &text[open.end..close.start];
        if !inside.trim().is_empty() {
            // Only comments inside: they stay, after the member.
            return format!("{}{member}{}", &text[..open.end], &text[open.end..]);
        }
        // `{}` (or whitespace only): the member, then the closing brace on its own line.
        let mut out = String::with_capacity(text.len() + member.len() + outer.len() + 1);
        out.push_str(&text[..open.end]);
        out.push_str(&member);
        out.push('\n');
        out.push_str(outer);
        out.push_str(&text[close.start..]);
        return out;
    }
    format!("{}{member},{}", &text[..open.end], &text[open.end..])
}

/// Removes member `index` of `object`, with the comma that separates it: what `insert_first` added, exactly.
fn remove_member(text: &str, tokens: &[Token], object: &Members, index: usize) -> String {
    let (key, _, end) = object.members[index];
    let previous_end = tokens[key - 1].end;
    let after = tokens.get(end + 1).filter(|t| t.kind == Kind::Comma);
    match after {
        // Followed by a comma: from the end of what precedes it through its comma.
        Some(comma) => format!("{}{}", &text[..previous_end], &text[comma.end..]),
        None if index > 0 => {
            // The last one: from the comma before it through its value.
            let comma = tokens[key - 1].start;
            format!("{}{}", &text[..comma], &text[tokens[end].end..])
        }
        // The only one: the object becomes `{}`, or keeps the comments that follow the member.
        None => {
            let (open, close) = (tokens[object.open].end, tokens[object.close].start);
            let after = &text[tokens[end].end..close];
            if after.trim().is_empty() {
                format!("{}{}", &text[..open], &text[close..])
            } else {
                format!("{}{}", &text[..open], &text[tokens[end].end..])
            }
        }
    }
}

/// What [`set_entry`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum EntryChange {
    /// The entry was not there; it is now.
    Added,
    /// The entry was there with another value; it has this one now.
    Replaced,
    /// The entry was there with this very value: nothing changed.
    Unchanged,
}

/// `text` (a client's configuration; empty for a file not yet there) with `servers_key`'s member `name` set to
/// `value`: added first in that object (made when missing), or its value replaced in place.
pub fn set_entry(
    text: &str,
    servers_key: &str,
    name: &str,
    value: &Value,
) -> Result<(String, EntryChange), ConfigError> {
    if text.trim().is_empty() {
        let file = serde_json::json!({ servers_key: { name: value } });
        return Ok((format!("{}\n", pretty(&file, "", "  ")), EntryChange::Added));
    }
    let tokens = tokens(text)?;
    let root = members(text, &tokens, 0)?;
    if let Some(extra) = tokens.get(root.close + 1) {
        return Err(problem(text, extra.start, "Something follows the file's object."));
    }
    let unit = indent_unit(text);
    let servers = root.members.iter().find(|(key, _, _)| key_of(text, &tokens[*key]).as_deref() == Some(servers_key));
    let Some(&(_, servers_value, _)) = servers else {
        let inner = member_indent(text, &tokens, &root, &unit);
        let object = serde_json::json!({ name: value });
        return Ok((
            insert_first(text, &tokens, &root, servers_key, &pretty(&object, &inner, &unit)),
            EntryChange::Added,
        ));
    };
    let object = members(text, &tokens, servers_value)?;
    let existing = object.members.iter().find(|(key, _, _)| key_of(text, &tokens[*key]).as_deref() == Some(name));
    match existing {
        Some(&(key, start, end)) => {
            let current = serde_json::from_str::<Value>(&text[tokens[start].start..tokens[end].end]).ok();
            if current.as_ref() == Some(value) {
                return Ok((text.to_owned(), EntryChange::Unchanged));
            }
            let indent = indent_at(text, tokens[key].start);
            let rendered = pretty(value, indent, &unit);
            let out = format!("{}{rendered}{}", &text[..tokens[start].start], &text[tokens[end].end..]);
            Ok((out, EntryChange::Replaced))
        }
        None => {
            let inner = member_indent(text, &tokens, &object, &unit);
            Ok((insert_first(text, &tokens, &object, name, &pretty(value, &inner, &unit)), EntryChange::Added))
        }
    }
}

/// `text` without `servers_key`'s member `name` (and without the servers object itself when that leaves it empty
/// and it holds no comment); `None` when there is no such entry.
pub fn remove_entry(text: &str, servers_key: &str, name: &str) -> Result<Option<String>, ConfigError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let tokens = tokens(text)?;
    let root = members(text, &tokens, 0)?;
    let Some(servers_index) =
        root.members.iter().position(|(key, _, _)| key_of(text, &tokens[*key]).as_deref() == Some(servers_key))
    else {
        return Ok(None);
    };
    let object = members(text, &tokens, root.members[servers_index].1)?;
    let Some(index) =
        object.members.iter().position(|(key, _, _)| key_of(text, &tokens[*key]).as_deref() == Some(name))
    else {
        return Ok(None);
    };
    let without = remove_member(text, &tokens, &object, index);
    // The servers object left empty (nothing but whitespace inside) goes too: it was made for this entry.
    let tokens_after = self::tokens(&without)?;
    let root_after = members(&without, &tokens_after, 0)?;
    let (_, value, _) = root_after.members[servers_index];
    let object_after = members(&without, &tokens_after, value)?;
    let inside = &without[tokens_after[object_after.open].end..tokens_after[object_after.close].start];
    if object_after.members.is_empty() && inside.trim().is_empty() {
        return Ok(Some(remove_member(&without, &tokens_after, &root_after, servers_index)));
    }
    Ok(Some(without))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry() -> Value {
        json!({"command": "/opt/atrium/atrium", "args": ["mcp", "--agent", "Claude"]})
    }

    #[test]
    fn an_entry_goes_first_and_comes_out_leaving_the_file_exactly_as_it_was() {
        let original =
            "{\n    \"mcpServers\": {\n        \"fs\": {\"command\": \"npx\"}\n    },\n    \"theme\": \"dark\"\n}\n";
        let (added, change) = set_entry(original, "mcpServers", "atrium", &entry()).expect("edited");
        assert_eq!(change, EntryChange::Added);
        assert!(
            added.contains("\n        \"atrium\": {\n            \"args\": [\n                \"mcp\","),
            "{added}"
        );
        let parsed: Value = serde_json::from_str(&added).expect("edited");
        assert_eq!(parsed["mcpServers"]["atrium"], entry());
        assert_eq!(parsed["mcpServers"]["fs"], json!({"command": "npx"}));
        assert_eq!(remove_entry(&added, "mcpServers", "atrium").expect("edited").as_deref(), Some(original));
    }

    #[test]
    fn comments_and_trailing_commas_of_a_vs_code_file_are_kept() {
        let original = "{\n\t// my servers\n\t\"servers\": {\n\t\t/* keep */ \"git\": {\"type\": \"stdio\", \"command\": \"uvx\",},\n\t},\n\t\"inputs\": [],\n}";
        let (added, _) =
            set_entry(original, "servers", "atrium", &json!({"type": "stdio", "command": "atrium"})).expect("edited");
        assert!(added.contains("// my servers") && added.contains("/* keep */"), "{added}");
        assert!(
            added.contains("\n\t\t\"atrium\": {\n\t\t\t\"command\": \"atrium\",\n\t\t\t\"type\": \"stdio\"\n\t\t},"),
            "{added:?}"
        );
        assert_eq!(remove_entry(&added, "servers", "atrium").expect("edited").as_deref(), Some(original));
    }

    #[test]
    fn a_missing_servers_object_is_made_and_goes_again_with_the_entry() {
        let original = "{\n  \"globalShortcut\": \"\"\n}";
        let (added, _) = set_entry(original, "mcpServers", "atrium", &entry()).expect("edited");
        let parsed: Value = serde_json::from_str(&added).expect("edited");
        assert_eq!(parsed["globalShortcut"], "");
        assert_eq!(parsed["mcpServers"]["atrium"], entry());
        assert_eq!(remove_entry(&added, "mcpServers", "atrium").expect("edited").as_deref(), Some(original));

        let (fresh, _) = set_entry("", "mcpServers", "atrium", &entry()).expect("edited");
        assert_eq!(serde_json::from_str::<Value>(&fresh).expect("edited"), json!({"mcpServers": {"atrium": entry()}}));
        let (empty_object, _) = set_entry("{}", "mcpServers", "atrium", &entry()).expect("edited");
        assert_eq!(remove_entry(&empty_object, "mcpServers", "atrium").expect("edited").as_deref(), Some("{}"));
    }

    #[test]
    fn an_empty_servers_object_keeps_its_comments() {
        let original = "{\n  \"servers\": { // none yet\n  }\n}";
        let (added, _) = set_entry(original, "servers", "atrium", &json!({"command": "atrium"})).expect("edited");
        assert!(added.contains("// none yet"), "{added}");
        let parsed = crate::import::parse_jsonc(&added).expect("jsonc");
        assert_eq!(parsed["servers"]["atrium"], json!({"command": "atrium"}));
        assert_eq!(remove_entry(&added, "servers", "atrium").expect("edited").as_deref(), Some(original));
    }

    #[test]
    fn an_entry_already_there_is_replaced_in_place_or_left_alone() {
        let original = "{\"mcpServers\": {\"a\": {}, \"atrium\": {\"command\": \"old\"}, \"b\": {}}}";
        let (replaced, change) = set_entry(original, "mcpServers", "atrium", &entry()).expect("edited");
        assert_eq!(change, EntryChange::Replaced);
        let parsed: Value = serde_json::from_str(&replaced).expect("edited");
        assert_eq!(parsed["mcpServers"]["atrium"], entry());
        assert!(replaced.starts_with("{\"mcpServers\": {\"a\": {}, \"atrium\": {"), "{replaced}");
        let (same, change) = set_entry(&replaced, "mcpServers", "atrium", &entry()).expect("edited");
        assert_eq!((same.as_str(), change), (replaced.as_str(), EntryChange::Unchanged));
    }

    #[test]
    fn an_entry_moved_by_hand_comes_out_with_its_own_comma_only() {
        let middle = "{\"mcpServers\": {\"a\": 1, \"atrium\": 2, \"b\": 3}}";
        assert_eq!(
            remove_entry(middle, "mcpServers", "atrium").expect("edited").expect("an entry"),
            "{\"mcpServers\": {\"a\": 1, \"b\": 3}}"
        );
        let last = "{\"mcpServers\": {\"a\": 1, \"atrium\": 2}}";
        assert_eq!(
            remove_entry(last, "mcpServers", "atrium").expect("edited").expect("an entry"),
            "{\"mcpServers\": {\"a\": 1}}"
        );
        assert_eq!(remove_entry(last, "mcpServers", "other").expect("edited"), None);
        assert_eq!(remove_entry("{}", "mcpServers", "atrium").expect("edited"), None);
    }

    #[test]
    fn a_file_that_is_not_json_is_refused_where_it_goes_wrong() {
        let error = set_entry("{\n  \"mcpServers\": {\n    \"a\": nope\n}", "mcpServers", "atrium", &entry())
            .expect_err("refused");
        assert_eq!((error.line, error.column), (Some(3), Some(10)), "{error:?}");
        let error = set_entry("{\n  \"mcpServers\": {\n    \"a\": {}\n}", "mcpServers", "atrium", &entry())
            .expect_err("refused");
        assert!(error.message.contains("never closed"), "{error:?}");
        let error = set_entry("[1, 2]", "mcpServers", "atrium", &entry()).expect_err("refused");
        assert_eq!((error.line, error.column), (Some(1), Some(1)));
        let error = set_entry("{\"mcpServers\": []}", "mcpServers", "atrium", &entry()).expect_err("refused");
        assert!(error.message.contains("object"), "{error:?}");
        assert!(set_entry("{\"a\": \"unclosed}", "mcpServers", "atrium", &entry()).is_err());
    }
}
