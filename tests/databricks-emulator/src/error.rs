//! SCIM error bodies as the Databricks workspace API writes them (docs/databricks-behaviour.md rows 3 and 8):
//! `{"schemas":[Error URN],"detail":"…","status":"404"}` with `status` a JSON *string* and
//! `scimType` only where the real API is known to send one.

use axum::http::StatusCode;
use serde_json::{Value, json};

pub(crate) const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The detail Databricks uses for an unparsable or schema-violating body (register row 52, 2024 form).
pub(crate) const UNPARSABLE: &str = "Request is unparsable, syntactically incorrect, or violates schema.";

/// The detail of a bad filter (register row 44, since September 2024).
pub(crate) const INVALID_FILTER: &str = "InvalidFilter request failed";

/// A Java cast failure the real API answers with when a boolean arrives in an unexpected
/// encoding (register row 53).
pub(crate) const JAVA_BOOLEAN_CAST: &str = "class java.lang.String cannot be cast to class java.lang.Boolean (java.lang.String and java.lang.Boolean are in module java.base of loader 'bootstrap')";

/// The `scimType` Databricks on AWS (and GCP) sends with the [`UNPARSABLE`] detail when a client
/// gives a service principal's `applicationId` (terraform-provider-databricks issues #556 and
/// #630 show `"detail": "Request is unparsable…"` with this text as `scimType`, the same
/// pattern as the Databricks KB article "Members not supported SCIM provisioning failure").
pub(crate) const APPLICATION_ID_NOT_ALLOWED: &str = "Attribute applicationID cannot be specified for the SCIM Object";

/// The 400 refusal of a PATCH/PUT on an account group (`account_group_refusal: 400`).
pub(crate) const ACCOUNT_GROUP_400: &str = "Group membership cannot be updated through PATCH/PUT requests";

/// The 500 refusal of a PATCH/PUT on an account group (`account_group_refusal: 500`; the
/// community.databricks.com thread 150122 quotes it for an identity-federated group).
pub(crate) const ACCOUNT_GROUP_500: &str = "Error in performing the patch operation on group resource.";

/// A SCIM-shaped error answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {detail}")]
pub(crate) struct ScimError {
    pub(crate) status: StatusCode,
    pub(crate) scim_type: Option<&'static str>,
    pub(crate) detail: String,
}

impl ScimError {
    pub(crate) fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self { status, scim_type: None, detail: detail.into() }
    }

    pub(crate) fn typed(status: StatusCode, scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self { status, scim_type: Some(scim_type), detail: detail.into() }
    }

    /// 400 `invalidSyntax` with the documented "unparsable" detail.
    pub(crate) fn unparsable() -> Self {
        Self::typed(StatusCode::BAD_REQUEST, "invalidSyntax", UNPARSABLE)
    }

    /// 400 `invalidSyntax` with a specific detail.
    pub(crate) fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::typed(StatusCode::BAD_REQUEST, "invalidSyntax", detail)
    }

    /// 400 without `scimType` (row 44: none for a bad filter).
    pub(crate) fn invalid_filter() -> Self {
        Self::new(StatusCode::BAD_REQUEST, INVALID_FILTER)
    }

    /// 400 `invalidPath` for a PATCH on an attribute the resource does not have (register row 23).
    pub(crate) fn no_such_attribute(attr: &str) -> Self {
        Self::typed(
            StatusCode::BAD_REQUEST,
            "invalidPath",
            format!("No such attribute with the name : {attr} in the current resource"),
        )
    }

    /// 400 `noTarget` for a `remove` whose value filter matches no element of a non-empty
    /// attribute (unverified wording; `lenient_removal` turns it off).
    pub(crate) fn no_target(written_path: &str) -> Self {
        Self::typed(StatusCode::BAD_REQUEST, "noTarget", format!("No target found for path {written_path}"))
    }

    /// 400 for a service principal's `applicationId` on AWS or GCP ([`APPLICATION_ID_NOT_ALLOWED`]).
    pub(crate) fn application_id_not_allowed() -> Self {
        Self::typed(StatusCode::BAD_REQUEST, APPLICATION_ID_NOT_ALLOWED, UNPARSABLE)
    }

    /// The refusal of a PATCH or PUT on an account group: `500` with [`ACCOUNT_GROUP_500`] when
    /// `status` is 500, otherwise `400` with [`ACCOUNT_GROUP_400`].
    pub(crate) fn account_group_refused(status: u16) -> Self {
        if status == 500 {
            Self::new(StatusCode::INTERNAL_SERVER_ERROR, ACCOUNT_GROUP_500)
        } else {
            Self::new(StatusCode::BAD_REQUEST, ACCOUNT_GROUP_400)
        }
    }

    /// 400 for a reference to a principal that does not exist (register row 12 wording).
    pub(crate) fn principal_not_found(id: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, format!("Principal not found for id: {id}"))
    }

    pub(crate) fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    pub(crate) fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }

    /// 404 for a non-numeric id or an unknown path (register row 2).
    pub(crate) fn endpoint_not_supported() -> Self {
        Self::not_found("Endpoint not supported.")
    }

    /// 405 for a known path with the wrong method (documented text).
    pub(crate) fn method_not_supported() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "requested endpoint is not supported")
    }

    /// 500 with the Java cast text of register row 53.
    pub(crate) fn boolean_cast() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, JAVA_BOOLEAN_CAST)
    }

    /// 400 for a `remove` operation that carries a `value` (register row 25), with the Jackson
    /// location suffix the real API appends.
    pub(crate) fn remove_with_value(raw_body: &str, op_index: usize) -> Self {
        let column = value_column(raw_body, op_index);
        let source: String = raw_body.chars().filter(|c| *c != '\n' && *c != '\r').collect();
        Self::typed(
            StatusCode::BAD_REQUEST,
            "invalidSyntax",
            format!(
                "Unrecognized field \"value\" (class com.unboundid.scim2.common.messages.PatchOperation$RemoveOperation), not marked as ignorable (one known property: \"path\"])\n at [Source: (String)\"{source}\"; line: 1, column: {column}] (through reference chain: com.unboundid.scim2.common.messages.PatchRequest[\"Operations\"]->java.util.ArrayList[{op_index}]->com.unboundid.scim2.common.messages.PatchOperation$RemoveOperation[\"value\"])"
            ),
        )
    }

    pub(crate) fn body(&self) -> Value {
        let mut body = json!({
            "schemas": [ERROR_URN],
            "detail": self.detail,
            "status": self.status.as_u16().to_string(),
        });
        if let (Some(scim_type), Some(map)) = (self.scim_type, body.as_object_mut()) {
            map.insert("scimType".into(), Value::from(scim_type));
        }
        body
    }
}

/// Where Jackson would report the offending `"value"` key: the column just past the value that
/// follows it, within the `op_index`-th operation. Approximate (first line only), like the
/// original, which is only ever read by humans.
fn value_column(raw: &str, op_index: usize) -> usize {
    let mut from = 0;
    for _ in 0..=op_index {
        match raw[from..].find("\"op\"") {
            Some(pos) => from += pos + 4,
            None => break,
        }
    }
    let Some(key) = raw[from..].find("\"value\"") else {
        return raw.chars().count();
    };
    let after_key = from + key + "\"value\"".len();
    let rest = &raw[after_key..];
    // Skip `:` and whitespace, then one JSON token (good enough for a string or scalar).
    let mut end = after_key;
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.peek().copied() {
        if c == ':' || c.is_whitespace() {
            chars.next();
            end = after_key + i + c.len_utf8();
        } else {
            break;
        }
    }
    if let Some((i, '"')) = chars.peek().copied() {
        chars.next();
        end = after_key + i + 1;
        let mut escaped = false;
        for (j, c) in chars {
            end = after_key + j + c.len_utf8();
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                break;
            }
        }
    }
    raw[..end].chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_remove_with_value_column_matches_the_published_f22_body() {
        let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"4804081037358757\"]","value":""}]}"#;
        let err = ScimError::remove_with_value(body, 0);
        assert!(err.detail.contains("column: 148]"), "{}", err.detail);
        assert!(err.detail.starts_with("Unrecognized field \"value\" (class com.unboundid.scim2.common.messages.PatchOperation$RemoveOperation), not marked as ignorable (one known property: \"path\"])"));
    }

    #[test]
    fn error_bodies_carry_status_as_a_string() {
        let body = ScimError::not_found("x").body();
        assert_eq!(body["status"], "404");
        assert!(body.get("scimType").is_none());
        assert_eq!(ScimError::unparsable().body()["scimType"], "invalidSyntax");
    }
}
