//! PATCH of a multi-valued attribute whose elements are identified by `value`
//! (members, entitlements, parent groups), in the forms Databricks accepts
//! (databricks-api.md §4): add/replace with `[{"value":…}]`, remove by
//! `attr[value eq "…" or …]` and never with a `value` key.

use scim_v2::filter::{AttrExp, CompValue, CompareOp, PatchPath, ValFilter};
use serde_json::{Value, json};

use super::value_list;
use crate::scim::ScimError;
use crate::scim::patch::{PatchOpKind, PatchOperation};
use crate::scim::values::multi_values;

/// Translates one client operation on a multi-valued attribute into Databricks operations.
/// `validate` checks the values (entitlement names, numeric ids).
pub fn translate(
    operation: &PatchOperation,
    scim_name: &str,
    databricks_path: &str,
    validate: &dyn Fn(&[String]) -> Result<(), ScimError>,
) -> Result<Vec<Value>, ScimError> {
    let filter_values = match &operation.path {
        PatchPath::Attr(_) => None,
        PatchPath::Value(vp) => {
            if vp.sub_attr.is_some() {
                return Err(ScimError::InvalidPath(format!(
                    "'{}' cannot be changed; address whole elements of {scim_name}",
                    operation.path
                )));
            }
            Some(values_in_filter(&vp.filter).ok_or_else(|| {
                ScimError::InvalidFilter(format!(
                    "only 'value eq \"…\"' (joined with 'or') can select elements of {scim_name}"
                ))
            })?)
        }
    };
    let given = match &operation.value {
        Some(v) => multi_values(v, scim_name)?,
        None => Vec::new(),
    };
    match (operation.op, filter_values) {
        (PatchOpKind::Remove, Some(selected)) => Ok(vec![remove(databricks_path, &selected)]),
        (PatchOpKind::Remove, None) if operation.value.is_some() => {
            // Entra: remove with a value list removes only those elements.
            if given.is_empty() {
                return Ok(Vec::new());
            }
            Ok(vec![remove(databricks_path, &given)])
        }
        (PatchOpKind::Remove, None) => Ok(vec![json!({"op": "remove", "path": databricks_path})]),
        (PatchOpKind::Add, Some(_)) | (PatchOpKind::Replace, Some(_)) => Err(ScimError::InvalidPath(format!(
            "add and replace on {scim_name} take the list in 'value', not a filter path"
        ))),
        (PatchOpKind::Add, None) => {
            validate(&given)?;
            if given.is_empty() {
                return Ok(Vec::new());
            }
            Ok(vec![json!({"op": "add", "path": databricks_path, "value": value_list(&given)})])
        }
        (PatchOpKind::Replace, None) => {
            validate(&given)?;
            if given.is_empty() {
                return Ok(vec![json!({"op": "remove", "path": databricks_path})]);
            }
            Ok(vec![json!({"op": "replace", "path": databricks_path, "value": value_list(&given)})])
        }
    }
}

fn remove(databricks_path: &str, values: &[String]) -> Value {
    let terms: Vec<String> =
        values.iter().map(|v| format!("value eq {}", serde_json::Value::String(v.clone()))).collect();
    json!({"op": "remove", "path": format!("{databricks_path}[{}]", terms.join(" or "))})
}

/// The values selected by `value eq "a" or value eq "b"`; `None` for any other filter.
fn values_in_filter(filter: &ValFilter) -> Option<Vec<String>> {
    match filter {
        ValFilter::Attr(AttrExp::Comparison(path, CompareOp::Eq, CompValue::Str(v)))
            if path.name.eq_ignore_ascii_case("value") && path.sub_attr.is_none() =>
        {
            Some(vec![v.clone()])
        }
        ValFilter::Or(items) => {
            let mut all = Vec::new();
            for item in items.iter() {
                all.extend(values_in_filter(item)?);
            }
            Some(all)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
