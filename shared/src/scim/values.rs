//! Lenient readers for the JSON clients send. A client's body stays open JSON up to here:
//! SCIM attribute names are case-insensitive (RFC 7643 §2.1) and real clients send any type
//! where the schema says string or boolean, so every read goes through [`ClientValue`], whose
//! readers accept what identity platforms send and hold strings to the limits.

use serde_json::{Map, Number, Value};

use super::ScimError;

/// The shape of one value a client sent; absent and `null` are alike.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape<'a> {
    /// Absent or `null`.
    Unset,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(&'a Number),
    /// A string.
    Text(&'a str),
    /// A list.
    List(ClientList<'a>),
    /// An object.
    Object(Fields<'a>),
}

/// A list a client sent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientList<'a>(&'a [Value]);

impl<'a> ClientList<'a> {
    /// How many elements it has.
    pub fn len(self) -> usize {
        self.0.len()
    }

    /// Whether it has none.
    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    /// Its elements, in order.
    pub fn iter(self) -> impl Iterator<Item = ClientValue<'a>> {
        self.0.iter().map(|v| ClientValue(Some(v)))
    }
}

/// An object a client sent, borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fields<'a>(&'a Map<String, Value>);

impl<'a> Fields<'a> {
    /// The attribute `name`, found without regard to case (the first key that matches).
    pub fn get(self, name: &str) -> ClientValue<'a> {
        ClientValue(self.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
    }

    /// The member `name`, spelt exactly so.
    pub fn get_exact(self, name: &str) -> ClientValue<'a> {
        ClientValue(self.0.get(name))
    }

    /// Whether it has the attribute `name` at all, `null` included.
    pub fn contains(self, name: &str) -> bool {
        self.get(name).0.is_some()
    }

    /// The attribute names, as the client wrote them, with their values.
    pub fn attributes(self) -> impl Iterator<Item = (&'a str, ClientValue<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_str(), ClientValue(Some(v))))
    }

    /// An owned copy.
    pub fn to_object(self) -> ClientObject {
        ClientObject(self.0.clone())
    }
}

/// A JSON object a client sent: a `POST`/`PUT` body, its `name`, an extension object.
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

    /// A borrowed view.
    pub fn fields(&self) -> Fields<'_> {
        Fields(&self.0)
    }

    /// The attribute `name`, found without regard to case (the first key that matches).
    pub fn get(&self, name: &str) -> ClientValue<'_> {
        self.fields().get(name)
    }

    /// Whether the object has the attribute `name` at all, `null` included.
    pub fn contains(&self, name: &str) -> bool {
        self.fields().contains(name)
    }

    /// The attribute names, as the client wrote them, with their values.
    pub fn attributes(&self) -> impl Iterator<Item = (&str, ClientValue<'_>)> {
        self.fields().attributes()
    }

    /// The same object with the boolean attribute `name` set to `value` (any spelling of the
    /// name the client used is replaced).
    pub fn with_flag(&self, name: &str, value: bool) -> ClientObject {
        let mut map = self.0.clone();
        map.retain(|k, _| !k.eq_ignore_ascii_case(name));
        map.insert(name.to_string(), value.into());
        ClientObject(map)
    }
}

/// One value a client sent (an attribute, a PATCH operation's value), possibly absent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientValue<'a>(Option<&'a Value>);

impl<'a> ClientValue<'a> {
    /// The value a PATCH operation carries (`None` for a remove without one).
    pub fn of(value: Option<&'a Value>) -> ClientValue<'a> {
        ClientValue(value)
    }

    /// Its shape.
    pub fn shape(self) -> Shape<'a> {
        match self.0 {
            None | Some(Value::Null) => Shape::Unset,
            Some(Value::Bool(b)) => Shape::Bool(*b),
            Some(Value::Number(n)) => Shape::Number(n),
            Some(Value::String(s)) => Shape::Text(s),
            Some(Value::Array(items)) => Shape::List(ClientList(items)),
            Some(Value::Object(map)) => Shape::Object(Fields(map)),
        }
    }

    /// The value as it was sent (`null` included); `None` when absent. For a PATCH value, open
    /// until its path says what it must be.
    pub fn to_json(self) -> Option<Value> {
        self.0.cloned()
    }

    /// Absent or `null`.
    pub fn is_unset(self) -> bool {
        self.shape() == Shape::Unset
    }

    /// A string attribute, or `None` when absent or null; anything else is `invalidValue`. Every
    /// string attribute a request sets is read here, so every one is held to
    /// [`limits::check_text`](super::limits::check_text): length and control characters.
    /// `attribute` names it in errors.
    pub fn text(self, attribute: &str) -> Result<Option<String>, ScimError> {
        match self.shape() {
            Shape::Unset => Ok(None),
            Shape::Text(s) => {
                super::limits::check_text(attribute, s)?;
                Ok(Some(s.to_string()))
            }
            _ => Err(ScimError::InvalidValue(format!("'{attribute}' must be a string"))),
        }
    }

    /// The string as it is, when it is one (no limits, no error otherwise).
    pub fn as_str(self) -> Option<&'a str> {
        match self.shape() {
            Shape::Text(s) => Some(s),
            _ => None,
        }
    }

    /// A boolean the way identity platforms send it: `true`, `"True"`, `"false"`, and the
    /// Terraform-style `[{"value":"false"}]`; `None` when absent or `null`.
    pub fn flag(self, attribute: &str) -> Result<Option<bool>, ScimError> {
        if self.is_unset() { Ok(None) } else { self.required_flag(attribute).map(Some) }
    }

    /// A boolean that must be there: absent or `null` is `invalidValue`.
    pub fn required_flag(self, attribute: &str) -> Result<bool, ScimError> {
        match self.shape() {
            Shape::Bool(b) => Ok(b),
            Shape::Text(s) if s.eq_ignore_ascii_case("true") => Ok(true),
            Shape::Text(s) if s.eq_ignore_ascii_case("false") => Ok(false),
            Shape::List(items) if items.len() == 1 => match items.iter().next().map(|item| item.shape()) {
                Some(Shape::Object(item)) => item.get_exact("value").required_flag(attribute),
                _ => Err(not_a_boolean(attribute)),
            },
            _ => Err(not_a_boolean(attribute)),
        }
    }

    /// The `value` sub-attributes of a multi-valued attribute (`[{"value":"a"}, …]`); a bare
    /// string or a single object is a one-element list. `None` when absent or `null`.
    pub fn values(self, attribute: &str) -> Result<Option<Vec<String>>, ScimError> {
        let items: Vec<ClientValue<'a>> = match self.shape() {
            Shape::Unset => return Ok(None),
            Shape::List(items) => items.iter().collect(),
            _ => vec![self],
        };
        let value_of = |item: ClientValue<'a>| match item.shape() {
            Shape::Text(s) => Ok(s.to_string()),
            Shape::Object(object) => match object.get("value").shape() {
                Shape::Text(s) => Ok(s.to_string()),
                Shape::Number(n) => Ok(n.to_string()),
                _ => Err(ScimError::InvalidValue(format!("every element of '{attribute}' needs a string 'value'"))),
            },
            _ => Err(ScimError::InvalidValue(format!("'{attribute}' must be a list of objects with a 'value'"))),
        };
        items.into_iter().map(value_of).collect::<Result<_, _>>().map(Some)
    }

    /// The value as an object, when it is one.
    pub fn object(self) -> Option<ClientObject> {
        match self.shape() {
            Shape::Object(fields) => Some(fields.to_object()),
            _ => None,
        }
    }

    /// Absent, `null` or an empty list.
    pub fn is_empty(self) -> bool {
        match self.shape() {
            Shape::Unset => true,
            Shape::List(items) => items.is_empty(),
            _ => false,
        }
    }

    /// How many elements it names: a list's length, 0 when unset, 1 for anything else.
    pub fn element_count(self) -> usize {
        match self.shape() {
            Shape::Unset => 0,
            Shape::List(items) => items.len(),
            _ => 1,
        }
    }
}

/// `invalidValue`: `attribute` must be a boolean.
pub fn not_a_boolean(attribute: &str) -> ScimError {
    ScimError::InvalidValue(format!("'{attribute}' must be a boolean (true or false)"))
}

/// Reads a SCIM boolean the way identity platforms send it ([`ClientValue::required_flag`]).
pub fn lenient_bool(value: &Value, attribute: &str) -> Result<bool, ScimError> {
    ClientValue(Some(value)).required_flag(attribute)
}

/// The `value`s of a multi-valued attribute ([`ClientValue::values`]); `null` is no value.
pub fn multi_values(value: &Value, attribute: &str) -> Result<Vec<String>, ScimError> {
    ClientValue(Some(value)).values(attribute).map(Option::unwrap_or_default)
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
