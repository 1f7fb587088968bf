//! Lenient readers for the value shapes real clients send.

use serde_json::{Map, Value};

use super::ScimError;

/// Reads a SCIM boolean the way identity platforms send it: `true`, `"True"`, `"false"`,
/// and the Terraform-style `[{"value":"false"}]`.
pub fn lenient_bool(value: &Value, attribute: &str) -> Result<bool, ScimError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        Value::Array(items) if items.len() == 1 => match items.first().and_then(|v| v.get("value")) {
            Some(inner) => lenient_bool(inner, attribute),
            None => Err(not_a_boolean(attribute)),
        },
        _ => Err(not_a_boolean(attribute)),
    }
}

fn not_a_boolean(attribute: &str) -> ScimError {
    ScimError::InvalidValue(format!("'{attribute}' must be a boolean (true or false)"))
}

/// Finds a key in a JSON object without regard to case (RFC 7643 §2.1).
pub fn get_ci<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
}

/// A string attribute, or `None` when absent or null; anything else is `invalidValue`. Every
/// string attribute a request sets is read here, so every one is held to
/// [`limits::check_text`](super::limits::check_text): length and control characters.
pub fn optional_string(value: Option<&Value>, attribute: &str) -> Result<Option<String>, ScimError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            super::limits::check_text(attribute, s)?;
            Ok(Some(s.clone()))
        }
        Some(_) => Err(ScimError::InvalidValue(format!("'{attribute}' must be a string"))),
    }
}

/// The `value` sub-attributes of a multi-valued attribute (`[{"value":"a"}, …]`).
/// A bare string or a single object is accepted as a one-element list.
pub fn multi_values(value: &Value, attribute: &str) -> Result<Vec<String>, ScimError> {
    let items: Vec<&Value> = match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(s) => Ok(s.clone()),
            Value::Object(map) => match get_ci(map, "value") {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(Value::Number(n)) => Ok(n.to_string()),
                _ => Err(ScimError::InvalidValue(format!("every element of '{attribute}' needs a string 'value'"))),
            },
            _ => Err(ScimError::InvalidValue(format!("'{attribute}' must be a list of objects with a 'value'"))),
        })
        .collect()
}

/// Parses a request body as a JSON object, whatever the Content-Type said.
pub fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ScimError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ScimError::InvalidSyntax("the request body is empty".into()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ScimError::InvalidSyntax("the request body must be a JSON object".into())),
        Err(e) => Err(ScimError::InvalidSyntax(format!(
            "the request body is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))),
    }
}

#[cfg(test)]
mod tests;
