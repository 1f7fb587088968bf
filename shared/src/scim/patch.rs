//! PATCH requests (RFC 7644 §3.5.2), read as identity platforms really send them:
//! any case for `op` and keys, `schemas` optional, path-less operations whose value
//! object carries dotted or URN-qualified keys.

use scim_v2::filter::{AttrPath, PatchPath};
use serde_json::Value;

use super::ScimError;
use super::filter::{check_shape, val_filter_shape};
use super::limits::{MAX_FILTER_LEN, MAX_PATCH_OPERATIONS, check_count};
use super::values::{ClientObject, ClientValue, Fields, Shape};

/// The three PATCH operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOpKind {
    /// `add`
    Add,
    /// `remove`
    Remove,
    /// `replace`
    Replace,
}

/// One operation with its path parsed. A path-less `add`/`replace` is expanded into one
/// operation per key of its value object, so every operation here has a target.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    /// What to do.
    pub op: PatchOpKind,
    /// Where.
    pub path: PatchPath,
    /// With what (`None` for a remove without value). Open JSON: what it must be (a string, a
    /// boolean, a list of `{"value": …}`, an object) depends on the path, and is read when the
    /// operation is translated.
    pub value: Option<Value>,
    /// The operation came from a path-less value object (often the whole resource, read-only
    /// attributes included), not from an explicit `path`.
    pub pathless: bool,
}

impl PatchOperation {
    /// The operation's value, read with the lenient readers of [`super::values`].
    pub fn value(&self) -> ClientValue<'_> {
        ClientValue::of(self.value.as_ref())
    }
}

/// Parses a PATCH body into operations. Unknown ops are refused, never ignored.
pub fn parse_patch_request(body: &[u8]) -> Result<Vec<PatchOperation>, ScimError> {
    let object = ClientObject::parse(body)?;
    let operations = match object.get("Operations").shape() {
        Shape::List(ops) if !ops.is_empty() => ops,
        Shape::List(_) => {
            return Err(ScimError::InvalidValue("'Operations' must not be empty".into()));
        }
        _ => {
            return Err(ScimError::InvalidSyntax("a PATCH request needs an 'Operations' array".into()));
        }
    };
    check_count("PATCH operations", operations.len(), MAX_PATCH_OPERATIONS)?;
    let mut parsed = Vec::new();
    for operation in operations.iter() {
        let Shape::Object(operation) = operation.shape() else {
            return Err(ScimError::InvalidSyntax("each PATCH operation must be an object".into()));
        };
        parsed.extend(parse_operation(operation)?);
    }
    // Path-less operations expand to one per key of their value object.
    check_count("PATCH operations", parsed.len(), MAX_PATCH_OPERATIONS)?;
    Ok(parsed)
}

fn parse_operation(operation: Fields<'_>) -> Result<Vec<PatchOperation>, ScimError> {
    let op = match operation.get("op").as_str() {
        Some(op) if op.eq_ignore_ascii_case("add") => PatchOpKind::Add,
        Some(op) if op.eq_ignore_ascii_case("remove") => PatchOpKind::Remove,
        Some(op) if op.eq_ignore_ascii_case("replace") => PatchOpKind::Replace,
        Some(other) => {
            return Err(ScimError::InvalidSyntax(format!(
                "unsupported PATCH op '{}': use add, remove or replace",
                truncate(other)
            )));
        }
        None => return Err(ScimError::InvalidSyntax("each PATCH operation needs an 'op'".into())),
    };
    let value = operation.get("value");
    let path = match operation.get("path").shape() {
        Shape::Unset => None,
        Shape::Text(p) if p.trim().is_empty() => None,
        Shape::Text(p) if looks_like_schema_urn(p.trim()) => {
            // The path names a whole extension: its value object holds the attributes.
            return match (op, value.shape()) {
                (PatchOpKind::Remove, _) => Ok(vec![PatchOperation {
                    pathless: false,
                    op,
                    path: PatchPath::Attr(AttrPath {
                        uri: Some(p.trim().to_string()),
                        name: "*".into(),
                        sub_attr: None,
                    }),
                    value: None,
                }]),
                (_, Shape::Object(_)) => expand_pathless(op, [(p.trim(), value)]),
                _ => Err(ScimError::InvalidSyntax(format!("the value for '{}' must be an object", truncate(p)))),
            };
        }
        Shape::Text(p) => Some(parse_path(p)?),
        _ => return Err(ScimError::InvalidPath("'path' must be a string".into())),
    };
    match (op, path, value.shape()) {
        (PatchOpKind::Remove, None, _) => Err(ScimError::NoTarget("a remove operation needs a 'path'".into())),
        (op, Some(path), _) => {
            let value = value.to_json();
            if op != PatchOpKind::Remove && value.is_none() {
                return Err(ScimError::InvalidSyntax(format!("the {op:?} operation on '{path}' needs a 'value'")));
            }
            Ok(vec![PatchOperation { op, path, value, pathless: false }])
        }
        (op, None, Shape::Object(map)) => expand_pathless(op, map.attributes()),
        (_, None, _) => {
            Err(ScimError::InvalidSyntax("an add or replace without 'path' needs an object 'value'".into()))
        }
    }
}

/// A path-less value object becomes one operation per key. Keys may be dotted
/// (`name.givenName`) or URN-qualified (`urn:…:User:employeeNumber`); a key that is a
/// whole extension URN holding an object is expanded one level further.
fn expand_pathless<'a>(
    op: PatchOpKind,
    attributes: impl IntoIterator<Item = (&'a str, ClientValue<'a>)>,
) -> Result<Vec<PatchOperation>, ScimError> {
    let mut out = Vec::new();
    for (key, value) in attributes {
        if let Shape::Object(inner) = value.shape()
            && looks_like_schema_urn(key)
        {
            for (sub_key, sub_value) in inner.attributes() {
                let (name, sub_attr) = match sub_key.split_once('.') {
                    Some((n, s)) => (n.to_string(), Some(s.to_string())),
                    None => (sub_key.to_string(), None),
                };
                let path = AttrPath { uri: Some(key.to_string()), name, sub_attr };
                out.push(PatchOperation {
                    op,
                    path: PatchPath::Attr(path),
                    value: sub_value.to_json(),
                    pathless: true,
                });
            }
            continue;
        }
        out.push(PatchOperation { op, path: parse_path(key)?, value: value.to_json(), pathless: true });
    }
    Ok(out)
}

/// A schema URN (`urn:…:2.0:User`) rather than an attribute URN (`urn:…:2.0:User:name`).
fn looks_like_schema_urn(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    if !lower.starts_with("urn:") {
        return false;
    }
    lower.ends_with(":user") || lower.ends_with(":group") || lower.ends_with(":serviceprincipal")
}

/// Parses a PATCH path with the `scim_v2` grammar. A path over [`MAX_FILTER_LEN`] bytes is
/// refused before parsing; its value filter is held to the limits of a filter.
pub fn parse_path(path: &str) -> Result<PatchPath, ScimError> {
    if path.len() > MAX_FILTER_LEN {
        return Err(ScimError::InvalidPath(format!("a PATCH path is longer than {MAX_FILTER_LEN} bytes")));
    }
    let parsed = path
        .trim()
        .parse::<PatchPath>()
        .map_err(|_| ScimError::InvalidPath(format!("'{}' is not a valid PATCH path", truncate(path))))?;
    if let PatchPath::Value(value_path) = &parsed {
        check_shape(val_filter_shape(&value_path.filter))?;
    }
    Ok(parsed)
}

/// Keeps echoed client input short in error details.
pub fn truncate(s: &str) -> String {
    const MAX: usize = 120;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests;
