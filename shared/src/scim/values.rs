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

/// `invalidValue`: `attribute` must be a boolean.
pub fn not_a_boolean(attribute: &str) -> ScimError {
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

/// A JSON object a client sent: a `POST`/`PUT` body, its `name`, an extension object. It stays
/// open JSON because SCIM attribute names are case-insensitive (RFC 7643 §2.1) and clients send
/// any type where the schema says string or boolean; every read goes through [`ClientValue`],
/// whose readers are lenient where real clients need it and hold strings to the limits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientObject(Map<String, Value>);

impl From<Map<String, Value>> for ClientObject {
    fn from(map: Map<String, Value>) -> ClientObject {
        ClientObject(map)
    }
}

impl ClientObject {
    /// Parses a request body as a JSON object, whatever the Content-Type said.
    pub fn parse(body: &[u8]) -> Result<ClientObject, ScimError> {
        parse_object(body).map(ClientObject)
    }

    /// The attribute `name`, found without regard to case (the first key that matches).
    pub fn get(&self, name: &str) -> ClientValue<'_> {
        ClientValue(get_ci(&self.0, name))
    }

    /// Whether the object has the attribute `name` at all, `null` included.
    pub fn contains(&self, name: &str) -> bool {
        get_ci(&self.0, name).is_some()
    }

    /// The attribute names, as the client wrote them, with their values.
    pub fn attributes(&self) -> impl Iterator<Item = (&str, ClientValue<'_>)> {
        self.0.iter().map(|(k, v)| (k.as_str(), ClientValue(Some(v))))
    }

    /// The same object with the boolean attribute `name` set to `value` (any spelling of the
    /// name the client used is replaced).
    pub fn with_flag(&self, name: &str, value: bool) -> ClientObject {
        let mut map = self.0.clone();
        map.retain(|k, _| !k.eq_ignore_ascii_case(name));
        map.insert(name.to_string(), Value::Bool(value));
        ClientObject(map)
    }
}

/// One attribute of a [`ClientObject`] or a PATCH operation's value, possibly absent: open
/// JSON, read with the lenient readers of this module.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientValue<'a>(Option<&'a Value>);

impl<'a> ClientValue<'a> {
    /// The value a PATCH operation carries (`None` for a remove without one).
    pub fn of(value: Option<&'a Value>) -> ClientValue<'a> {
        ClientValue(value)
    }

    /// Absent or `null`.
    pub fn is_unset(self) -> bool {
        matches!(self.0, None | Some(Value::Null))
    }

    /// A string attribute ([`optional_string`]); `attribute` names it in errors.
    pub fn text(self, attribute: &str) -> Result<Option<String>, ScimError> {
        optional_string(self.0, attribute)
    }

    /// The string as it is, when it is one (no limits, no error otherwise).
    pub fn as_str(self) -> Option<&'a str> {
        self.0.and_then(Value::as_str)
    }

    /// A boolean ([`lenient_bool`]); `None` when absent or `null`.
    pub fn flag(self, attribute: &str) -> Result<Option<bool>, ScimError> {
        match self.0 {
            None | Some(Value::Null) => Ok(None),
            Some(v) => lenient_bool(v, attribute).map(Some),
        }
    }

    /// A boolean that must be there: absent or `null` is `invalidValue`.
    pub fn required_flag(self, attribute: &str) -> Result<bool, ScimError> {
        self.flag(attribute)?.ok_or_else(|| not_a_boolean(attribute))
    }

    /// The `value`s of a multi-valued attribute ([`multi_values`]); `None` when absent or `null`.
    pub fn values(self, attribute: &str) -> Result<Option<Vec<String>>, ScimError> {
        match self.0 {
            None | Some(Value::Null) => Ok(None),
            Some(v) => multi_values(v, attribute).map(Some),
        }
    }

    /// The value as an object, when it is one.
    pub fn object(self) -> Option<ClientObject> {
        match self.0 {
            Some(Value::Object(map)) => Some(ClientObject(map.clone())),
            _ => None,
        }
    }

    /// Absent, `null` or an empty list.
    pub fn is_empty(self) -> bool {
        match self.0 {
            None | Some(Value::Null) => true,
            Some(Value::Array(items)) => items.is_empty(),
            Some(_) => false,
        }
    }

    /// How many elements it names: a list's length, 0 when unset, 1 for anything else.
    pub fn element_count(self) -> usize {
        match self.0 {
            None | Some(Value::Null) => 0,
            Some(Value::Array(items)) => items.len(),
            Some(_) => 1,
        }
    }
}

#[cfg(test)]
mod tests;
