//! SCIM ⇄ Databricks translation (docs/design.md §3, §4). Pure functions on JSON values: no HTTP, no AWS.

pub mod filter;
pub mod group;
pub mod multi;
pub mod service_principal;
pub mod user;

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::databricks::model::Selection;
use crate::databricks::model::{PatchOp, PatchOperation, PatchTarget};
use crate::scim::list::Projection;

use crate::scim::discovery::ENTITLEMENTS;
use crate::scim::limits::{self, MAX_MEMBERS_PER_REQUEST, MAX_PATCH_OPERATIONS};
use crate::scim::values::get_ci;
use crate::scim::{GROUP_EXTENSION_SCHEMA, ScimError};

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
    // The elements each attribute holds, read once (a PATCH may remove thousands of members).
    let mut held: HashMap<&str, HashSet<String>> = HashMap::new();
    let mut kept = Vec::with_capacity(operations.len());
    for op in operations {
        let absent = match (&op.op, &op.path) {
            (PatchOp::Remove, PatchTarget::Attribute(attribute)) => match current.get(*attribute) {
                None | Some(Value::Null) => true,
                Some(Value::Array(items)) => items.is_empty(),
                Some(Value::String(text)) => text.is_empty(),
                Some(_) => false,
            },
            (PatchOp::Remove, PatchTarget::Element { attribute, value }) => !held
                .entry(attribute)
                .or_insert_with(|| values_of(current, attribute).into_iter().collect())
                .contains(value),
            _ => false,
        };
        if !absent {
            kept.push(op.clone());
        }
    }
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

/// How many elements of multi-valued attributes a Databricks PATCH names: every value of an
/// `add`/`replace` list, and one per element `remove`.
pub fn element_count(operations: &[PatchOperation]) -> usize {
    operations
        .iter()
        .map(|op| match (&op.path, &op.value) {
            (PatchTarget::Element { .. }, _) => 1,
            (_, Some(Value::Array(items))) => items.len(),
            _ => 0,
        })
        .sum()
}

/// Refuses a request naming more than [`MAX_MEMBERS_PER_REQUEST`] elements of multi-valued
/// attributes (members, parent groups, entitlements), all its operations together.
pub fn check_elements(count: usize) -> Result<(), ScimError> {
    limits::check_count("members, parent groups and entitlements", count, MAX_MEMBERS_PER_REQUEST)
}

/// The limits a resource body (`POST`, `PUT`) is held to before any Databricks call — a PUT
/// reads the resource before translating the body, so the translation alone would be too late:
/// its string attributes (length, control characters) and how many elements its multi-valued
/// attributes name, the extension's included. Types are left to the translation.
pub fn check_resource_body(body: &serde_json::Map<String, Value>) -> Result<(), ScimError> {
    let text = |object: &serde_json::Map<String, Value>, key: &str, attribute: &str| match get_ci(object, key) {
        Some(Value::String(s)) => limits::check_text(attribute, s),
        _ => Ok(()),
    };
    for attribute in ["userName", "displayName", "externalId", "applicationId"] {
        text(body, attribute, attribute)?;
    }
    if let Some(Value::Object(name)) = get_ci(body, "name") {
        text(name, "givenName", "name.givenName")?;
        text(name, "familyName", "name.familyName")?;
    }
    let extension =
        body.iter().find(|(k, _)| k.eq_ignore_ascii_case(GROUP_EXTENSION_SCHEMA)).and_then(|(_, v)| v.as_object());
    let elements = |object: &serde_json::Map<String, Value>| -> usize {
        ["members", "entitlements", "parentGroups"]
            .iter()
            .map(|a| match get_ci(object, a) {
                None | Some(Value::Null) => 0,
                Some(Value::Array(items)) => items.len(),
                Some(_) => 1,
            })
            .sum()
    };
    check_elements(elements(body) + extension.map_or(0, elements))
}

/// Holds the Databricks PATCH a request becomes to [`MAX_MEMBERS_PER_REQUEST`] elements and
/// [`MAX_PATCH_OPERATIONS`] operations.
pub fn check_target_patch(operations: &[PatchOperation]) -> Result<(), ScimError> {
    check_elements(element_count(operations))?;
    limits::check_count("PATCH operations", operations.len(), MAX_PATCH_OPERATIONS)
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
