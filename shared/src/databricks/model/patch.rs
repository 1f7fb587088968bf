//! PATCH requests to Databricks, in exactly the forms public Databricks clients send
//! (docs/databricks-behaviour.md).

use serde::{Serialize, Serializer};

use super::Element;

/// The three PATCH operations; Databricks is only ever sent them in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PatchOp {
    /// `add`
    Add,
    /// `remove` (never with a `value` key: Databricks refuses one, TF issue #3299).
    Remove,
    /// `replace`
    Replace,
}

/// Where a PATCH operation applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchTarget {
    /// A whole attribute or a sub-attribute: `active`, `name.givenName`, `members`.
    Attribute(&'static str),
    /// One element of a multi-valued attribute, `members[value eq "123"]`: the only filter
    /// form public clients send (one per element, never joined with `or`).
    Element {
        /// The multi-valued attribute.
        attribute: &'static str,
        /// The element's `value`.
        value: String,
    },
}

impl PatchTarget {
    /// The attribute the operation touches (without sub-attribute or filter).
    pub fn attribute(&self) -> &'static str {
        let (PatchTarget::Attribute(a) | PatchTarget::Element { attribute: a, .. }) = self;
        a
    }
}

impl Serialize for PatchTarget {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PatchTarget::Attribute(a) => serializer.serialize_str(a),
            PatchTarget::Element { attribute, value } => {
                // The value is written as a JSON string: quotes and backslashes stay inside it.
                serializer.collect_str(&format_args!("{attribute}[value eq {}]", crate::scim::filter::quoted(value)))
            }
        }
    }
}

/// What a PATCH operation sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum PatchValue {
    /// A scalar attribute's new value: always a string, `active` too (`"true"`, `"false"`).
    Text(String),
    /// Elements of a multi-valued attribute, `[{"value": …}, …]`.
    Elements(Vec<Element>),
}

impl From<&str> for PatchValue {
    fn from(text: &str) -> PatchValue {
        PatchValue::Text(text.to_string())
    }
}

impl From<String> for PatchValue {
    fn from(text: String) -> PatchValue {
        PatchValue::Text(text)
    }
}

impl PatchValue {
    /// The text of a scalar value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            PatchValue::Text(text) => Some(text),
            PatchValue::Elements(_) => None,
        }
    }

    /// `[{"value": …}, …]` of these values.
    pub fn elements(values: &[String]) -> PatchValue {
        PatchValue::Elements(Element::all(values))
    }
}

/// One Databricks PATCH operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchOperation {
    /// What to do.
    pub op: PatchOp,
    /// Where.
    pub path: PatchTarget,
    /// With what; absent on every remove.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<PatchValue>,
}

impl PatchOperation {
    /// `replace` of a scalar attribute.
    pub fn replace(attribute: &'static str, value: impl Into<PatchValue>) -> PatchOperation {
        PatchOperation { op: PatchOp::Replace, path: PatchTarget::Attribute(attribute), value: Some(value.into()) }
    }

    /// `add` to an attribute (a multi-valued list, or a scalar where `add` is what works).
    pub fn add(attribute: &'static str, value: impl Into<PatchValue>) -> PatchOperation {
        PatchOperation { op: PatchOp::Add, path: PatchTarget::Attribute(attribute), value: Some(value.into()) }
    }

    /// `remove` of a whole attribute.
    pub fn remove(attribute: &'static str) -> PatchOperation {
        PatchOperation { op: PatchOp::Remove, path: PatchTarget::Attribute(attribute), value: None }
    }

    /// `remove` of one element, `attribute[value eq "value"]`.
    pub fn remove_element(attribute: &'static str, value: impl Into<String>) -> PatchOperation {
        PatchOperation {
            op: PatchOp::Remove,
            path: PatchTarget::Element { attribute, value: value.into() },
            value: None,
        }
    }

    /// `add` of elements to a multi-valued attribute, as `[{"value": …}, …]`.
    pub fn add_values(attribute: &'static str, values: &[String]) -> PatchOperation {
        PatchOperation::add(attribute, PatchValue::elements(values))
    }

    /// One `remove` per element (public clients never join elements with `or`).
    pub fn remove_values(attribute: &'static str, values: &[String]) -> Vec<PatchOperation> {
        values.iter().map(|v| PatchOperation::remove_element(attribute, v.clone())).collect()
    }
}

/// The body of a Databricks PATCH.
#[derive(Debug, Serialize)]
pub struct PatchRequest<'a> {
    /// Always the PatchOp message URN.
    pub schemas: [&'static str; 1],
    /// The operations, in order.
    #[serde(rename = "Operations")]
    pub operations: &'a [PatchOperation],
}

impl<'a> PatchRequest<'a> {
    /// A PATCH request carrying `operations`.
    pub fn new(operations: &'a [PatchOperation]) -> PatchRequest<'a> {
        PatchRequest { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], operations }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_element_remove_is_written_as_one_quoted_value_filter_without_a_value_key() {
        let op = PatchOperation::remove_element("members", "12\"3");
        assert_eq!(
            serde_json::to_value(&op).ok(),
            Some(json!({"op": "remove", "path": "members[value eq \"12\\\"3\"]"}))
        );
    }

    #[test]
    fn several_elements_are_removed_by_one_operation_each() {
        let ops = PatchOperation::remove_values("members", &["1".into(), "2".into()]);
        assert_eq!(
            serde_json::to_value(&ops).ok(),
            Some(json!([
                {"op": "remove", "path": "members[value eq \"1\"]"},
                {"op": "remove", "path": "members[value eq \"2\"]"}
            ]))
        );
    }

    #[test]
    fn a_request_carries_the_patch_schema_and_operations() {
        let ops = [PatchOperation::replace("active", "false")];
        assert_eq!(
            serde_json::to_value(PatchRequest::new(&ops)).ok(),
            Some(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "active", "value": "false"}]
            }))
        );
    }
}
