//! SCIM ⇄ Databricks translation (SPEC §3, §4). Pure functions on JSON values: no HTTP, no AWS.

pub mod filter;
pub mod group;
pub mod multi;
pub mod user;

use serde_json::Value;

use crate::scim::ScimError;
use crate::scim::discovery::ENTITLEMENTS;

/// Checks entitlement values against the ones Databricks knows.
pub fn validate_entitlements(values: &[String]) -> Result<(), ScimError> {
    match values.iter().find(|v| !ENTITLEMENTS.contains(&v.as_str())) {
        None => Ok(()),
        Some(bad) => Err(ScimError::InvalidValue(format!(
            "unknown entitlement '{}'; Databricks knows {}",
            crate::scim::patch::truncate(bad),
            ENTITLEMENTS.join(", ")
        ))),
    }
}

/// `[{"value": v}, …]`, the only member/entitlement shape Databricks needs.
pub fn value_list(values: &[String]) -> Value {
    Value::Array(values.iter().map(|v| serde_json::json!({ "value": v })).collect())
}

/// Checks that every value is a numeric Databricks id (members, parent groups).
pub fn validate_ids(values: &[String], attribute: &str) -> Result<(), ScimError> {
    match values.iter().find(|v| crate::databricks::DatabricksId::parse(v).is_none()) {
        None => Ok(()),
        Some(bad) => Err(ScimError::InvalidValue(format!(
            "'{}' in {attribute} is not a Databricks id (ids are numbers)",
            crate::scim::patch::truncate(bad)
        ))),
    }
}

/// The `value` strings of a Databricks multi-valued attribute.
pub fn values_of(resource: &Value, attribute: &str) -> Vec<String> {
    resource
        .get(attribute)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(|i| i.get("value").and_then(Value::as_str)).map(String::from).collect())
        .unwrap_or_default()
}

/// Copies a JSON attribute when it is present and not null.
pub fn copy_present(from: &Value, to: &mut serde_json::Map<String, Value>, from_key: &str, to_key: &str) {
    if let Some(v) = from.get(from_key).filter(|v| !v.is_null()) {
        to.insert(to_key.to_string(), v.clone());
    }
}

#[cfg(test)]
mod tests;
