//! SCIM ⇄ Databricks translation (docs/design.md §3, §4). Pure functions on JSON values: no HTTP, no AWS.

pub mod filter;
pub mod group;
pub mod multi;
pub mod service_principal;
pub mod user;

use serde_json::Value;

use crate::databricks::client::Selection;
use crate::databricks::model::{PatchOp, PatchOperation, PatchTarget};
use crate::scim::list::Projection;

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

/// The `value`s of a principal's or group's direct group memberships (Databricks `groups`
/// entries whose `type` is not `indirect`).
pub fn direct_memberships(current: &Value) -> Vec<String> {
    current
        .get("groups")
        .and_then(Value::as_array)
        .map(|gs| {
            gs.iter()
                .filter(|g| g.get("type").and_then(Value::as_str).is_none_or(|t| t != "indirect"))
                .filter_map(|g| g.get("value").and_then(Value::as_str).map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Refuses a non-empty `roles` in a request body with the resource's own detail.
pub fn refuse_roles(body: &serde_json::Map<String, Value>, refusal: fn() -> ScimError) -> Result<(), ScimError> {
    match crate::scim::values::get_ci(body, "roles") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(a)) if a.is_empty() => Ok(()),
        Some(_) => Err(refusal()),
    }
}

/// The attribute a PATCH path names, without any value filter (filters may hold e-mail
/// addresses, and this name goes into logs).
pub fn attribute_name(path: &scim_v2::filter::PatchPath) -> String {
    match path {
        scim_v2::filter::PatchPath::Attr(a) => a.to_string(),
        scim_v2::filter::PatchPath::Value(v) => v.attr.to_string(),
    }
}

/// The `active` a create or replace asks for; absent or null means `otherwise` (true on a
/// create; the current state on a replace, so a PUT never suspends by omission).
pub fn requested_active(body: &serde_json::Map<String, Value>, otherwise: bool) -> Result<bool, ScimError> {
    match crate::scim::values::get_ci(body, "active") {
        None | Some(Value::Null) => Ok(otherwise),
        Some(v) => crate::scim::values::lenient_bool(v, "active"),
    }
}

/// The operations without the removes of what `current` does not hold (an unset attribute,
/// an empty list, an element that is not there): Databricks refuses those with "No such
/// attribute" (terraform-provider-databricks PR #2409), and the client's intent — that it be
/// gone — already holds. `None` when every remove still has a target.
pub fn without_absent_removes(operations: &[PatchOperation], current: &Value) -> Option<Vec<PatchOperation>> {
    let absent = |op: &PatchOperation| match (&op.op, &op.path) {
        (PatchOp::Remove, PatchTarget::Attribute(attribute)) => match current.get(*attribute) {
            None | Some(Value::Null) => true,
            Some(Value::Array(items)) => items.is_empty(),
            Some(Value::String(text)) => text.is_empty(),
            Some(_) => false,
        },
        (PatchOp::Remove, PatchTarget::Element { attribute, value }) => !values_of(current, attribute).contains(value),
        _ => false,
    };
    let kept: Vec<PatchOperation> = operations.iter().filter(|op| !absent(op)).cloned().collect();
    (kept.len() < operations.len()).then_some(kept)
}

/// The Databricks attributes the removes of `operations` touch, for the re-read that checks them.
pub fn removed_attributes(operations: &[PatchOperation]) -> Vec<&'static str> {
    let mut attributes = vec!["id"];
    for op in operations.iter().filter(|op| op.op == PatchOp::Remove) {
        let attribute = op.path.attribute();
        if !attributes.contains(&attribute) {
            attributes.push(attribute);
        }
    }
    attributes
}

/// The operations as the JSON Databricks receives (tests compare against it).
#[cfg(test)]
pub(crate) fn wire(operations: &[PatchOperation]) -> Vec<Value> {
    operations.iter().filter_map(|op| serde_json::to_value(op).ok()).collect()
}

/// Maps a SCIM projection onto Databricks attribute names, given each resource's table of
/// SCIM attribute (lower-case) → Databricks attributes.
pub fn selection(
    projection: &Projection,
    table: &[(&str, &[&'static str])],
    core_schema: &str,
    always_excluded: &[&'static str],
) -> Selection {
    let lookup = |raw: &str| -> Vec<&'static str> {
        let lower = raw.to_ascii_lowercase();
        let core_prefix = format!("{}:", core_schema.to_ascii_lowercase());
        let name = lower.strip_prefix(&core_prefix).unwrap_or(&lower);
        let name = name.split('.').next().unwrap_or(name);
        let name = name.rsplit(':').next().unwrap_or(name);
        table.iter().filter(|(scim, _)| *scim == name).flat_map(|(_, db)| db.iter().copied()).collect()
    };
    if !projection.attributes.is_empty() {
        let mut attributes: Vec<&'static str> = vec!["id"];
        for a in &projection.attributes {
            for db in lookup(a) {
                if !attributes.contains(&db) {
                    attributes.push(db);
                }
            }
        }
        return Selection { attributes, excluded_attributes: Vec::new() };
    }
    let mut excluded: Vec<&'static str> = always_excluded.to_vec();
    for e in &projection.excluded {
        for db in lookup(e) {
            if db != "id" && !excluded.contains(&db) {
                excluded.push(db);
            }
        }
    }
    Selection { attributes: Vec::new(), excluded_attributes: excluded }
}

#[cfg(test)]
mod tests;
