//! The platform's OpenAPI document (a fixture copied from the platform) and a small validator for request
//! bodies over the subset of JSON Schema it uses, answering with FastAPI/pydantic-shaped 422 errors.

use std::sync::OnceLock;

use serde_json::{Value, json};

/// The platform's OpenAPI document, as JSON text.
pub fn openapi_json() -> &'static str {
    include_str!("../../openapi/agience.json")
}

/// The parsed document.
pub fn openapi_document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::from_str(openapi_json()).unwrap_or(Value::Null))
}

/// The request-body schema of an operation: (media type, schema). `template` is the OpenAPI path.
pub fn request_body_schema(method: &str, template: &str) -> Option<(&'static str, &'static Value)> {
    let op = openapi_document().get("paths")?.get(template)?.get(method.to_ascii_lowercase())?;
    let (media, body) = op.get("requestBody")?.get("content")?.as_object()?.iter().next()?;
    Some((media.as_str(), body.get("schema")?))
}

/// Validates a request body against the operation's schema. `Err` holds FastAPI `detail` entries.
/// Operations without a request body accept anything.
pub fn validate_request_body(method: &str, template: &str, body: &Value) -> Result<(), Vec<Value>> {
    let Some((_, schema)) = request_body_schema(method, template) else {
        return Ok(());
    };
    let mut errors = Vec::new();
    check(schema, body, &mut vec![json!("body")], &mut errors);
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

fn resolve(schema: &Value) -> &Value {
    let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
        return schema;
    };
    let mut node = openapi_document();
    for part in reference.trim_start_matches("#/").split('/') {
        node = node.get(part).unwrap_or(&Value::Null);
    }
    node
}

fn error(kind: &str, loc: &[Value], msg: String, input: &Value) -> Value {
    json!({ "type": kind, "loc": loc, "msg": msg, "input": input })
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

fn check(schema: &Value, value: &Value, loc: &mut Vec<Value>, errors: &mut Vec<Value>) {
    let schema = resolve(schema);
    if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
        let mut first_failure = None;
        for branch in branches {
            let mut errs = Vec::new();
            check(branch, value, loc, &mut errs);
            if errs.is_empty() {
                return;
            }
            let is_null_branch = resolve(branch).get("type").and_then(Value::as_str) == Some("null");
            if first_failure.is_none() && !is_null_branch {
                first_failure = Some(errs);
            }
        }
        errors.extend(first_failure.unwrap_or_default());
        return;
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        let shown: Vec<String> = options.iter().map(|o| o.to_string().replace('"', "'")).collect();
        errors.push(error("enum", loc, format!("Input should be {}", shown.join(" or ")), value));
        return;
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => check_object(schema, value, loc, errors),
        Some("array") => {
            let Some(items) = value.as_array() else {
                errors.push(error("list_type", loc, "Input should be a valid list".into(), value));
                return;
            };
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    loc.push(json!(i));
                    check(item_schema, item, loc, errors);
                    loc.pop();
                }
            }
        }
        Some("string") => {
            let Some(s) = value.as_str() else {
                errors.push(error("string_type", loc, "Input should be a valid string".into(), value));
                return;
            };
            let len = s.chars().count() as u64;
            if let Some(min) = schema.get("minLength").and_then(Value::as_u64).filter(|m| len < *m) {
                let msg = format!("String should have at least {}", plural(min, "character"));
                errors.push(error("string_too_short", loc, msg, value));
            }
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64).filter(|m| len > *m) {
                let msg = format!("String should have at most {}", plural(max, "character"));
                errors.push(error("string_too_long", loc, msg, value));
            }
        }
        Some("integer") if !(value.is_i64() || value.is_u64()) => {
            errors.push(error("int_type", loc, "Input should be a valid integer".into(), value));
        }
        Some("number") if !value.is_number() => {
            errors.push(error("float_type", loc, "Input should be a valid number".into(), value));
        }
        Some("boolean") if !value.is_boolean() => {
            errors.push(error("bool_type", loc, "Input should be a valid boolean".into(), value));
        }
        Some("null") if !value.is_null() => {
            errors.push(error("none_required", loc, "Input should be None".into(), value));
        }
        _ => {}
    }
}

fn check_object(schema: &Value, value: &Value, loc: &mut Vec<Value>, errors: &mut Vec<Value>) {
    let properties = schema.get("properties").and_then(Value::as_object);
    let Some(obj) = value.as_object() else {
        // pydantic words a model and a plain dict differently.
        let (kind, msg) = if properties.is_some() {
            ("model_attributes_type", "Input should be a valid dictionary or object to extract fields from")
        } else {
            ("dict_type", "Input should be a valid dictionary")
        };
        errors.push(error(kind, loc, msg.into(), value));
        return;
    };
    for name in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        if !obj.contains_key(name) {
            loc.push(json!(name));
            errors.push(error("missing", loc, "Field required".into(), value));
            loc.pop();
        }
    }
    for (key, item) in obj {
        loc.push(json!(key));
        match (properties.and_then(|p| p.get(key)), schema.get("additionalProperties")) {
            (Some(prop), _) => check(prop, item, loc, errors),
            (None, Some(Value::Bool(false))) => {
                errors.push(error("extra_forbidden", loc, "Extra inputs are not permitted".into(), item));
            }
            (None, Some(extra @ Value::Object(_))) => check(extra, item, loc, errors),
            _ => {}
        }
        loc.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_with_numeric_context_is_rejected() {
        let errs = validate_request_body("PATCH", "/artifacts/{artifact_id}", &json!({"context": 5}));
        let errs = errs.err().unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0]["loc"], json!(["body", "context"]));
        assert_eq!(errs[0]["type"], "string_type");
    }

    #[test]
    fn password_login_forbids_extra_and_requires_fields() {
        let errs = validate_request_body("POST", "/auth/password/login", &json!({"identifier": "a", "x": 1}));
        let kinds: Vec<Value> = errs.err().unwrap_or_default().iter().map(|e| e["type"].clone()).collect();
        assert!(kinds.contains(&json!("missing")));
        assert!(kinds.contains(&json!("extra_forbidden")));
    }

    #[test]
    fn api_key_name_length() {
        let errs = validate_request_body("POST", "/auth/keys", &json!({"name": ""}));
        assert_eq!(errs.err().unwrap_or_default()[0]["type"], "string_too_short");
        assert!(validate_request_body("POST", "/auth/keys", &json!({"name": "desk", "scopes": null})).is_ok());
    }
}
