//! PATCH of a multi-valued attribute whose elements are identified by `value`
//! (members, entitlements, parent groups), in the forms public Databricks clients send
//! (docs/databricks-behaviour.md): add/replace with `[{"value":…}]`, and one
//! `attr[value eq "…"]` remove per element, never with a `value` key and never joined by `or`.

use std::collections::HashSet;

use scim_v2::filter::{AttrExp, CompValue, CompareOp, PatchPath, ValFilter};

use crate::databricks::model;
use crate::scim::ScimError;
use crate::scim::patch::{PatchOpKind, PatchOperation};

/// Translates one client operation on a multi-valued attribute into Databricks operations.
/// `validate` checks the values (entitlement names, numeric ids).
pub fn translate(
    operation: &PatchOperation,
    scim_name: &str,
    databricks_path: &'static str,
    validate: &dyn Fn(&[String]) -> Result<(), ScimError>,
) -> Result<Vec<model::PatchOperation>, ScimError> {
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
    let given = operation.value().values(scim_name)?.unwrap_or_default();
    match (operation.op, filter_values) {
        (PatchOpKind::Remove, Some(selected)) => Ok(model::PatchOperation::remove_values(databricks_path, &selected)),
        // Entra: remove with a value list removes only those elements.
        (PatchOpKind::Remove, None) if operation.value.is_some() => {
            Ok(model::PatchOperation::remove_values(databricks_path, &given))
        }
        (PatchOpKind::Remove, None) => Ok(vec![model::PatchOperation::remove(databricks_path)]),
        (PatchOpKind::Add, Some(_)) | (PatchOpKind::Replace, Some(_)) => Err(ScimError::InvalidPath(format!(
            "add and replace on {scim_name} take the list in 'value', not a filter path"
        ))),
        (PatchOpKind::Add, None) => {
            validate(&given)?;
            if given.is_empty() {
                return Ok(Vec::new());
            }
            Ok(vec![model::PatchOperation::add_values(databricks_path, &given)])
        }
        (PatchOpKind::Replace, None) => {
            validate(&given)?;
            if given.is_empty() {
                return Ok(vec![model::PatchOperation::remove(databricks_path)]);
            }
            Ok(vec![model::PatchOperation::replace(databricks_path, model::PatchValue::elements(&given))])
        }
    }
}

/// The operations that turn the elements `current` into `wanted`: one `add` of what is
/// missing, one `remove` per element that goes. Nothing when they already agree.
/// Linear in both lists (a group may hold thousands of members).
pub fn difference(databricks_path: &'static str, wanted: &[String], current: &[String]) -> Vec<model::PatchOperation> {
    let (wanted_set, current_set): (HashSet<&String>, HashSet<&String>) =
        (wanted.iter().collect(), current.iter().collect());
    let missing: Vec<String> = wanted.iter().filter(|w| !current_set.contains(w)).cloned().collect();
    let extra: Vec<String> = current.iter().filter(|c| !wanted_set.contains(c)).cloned().collect();
    let mut ops = Vec::new();
    if !missing.is_empty() {
        ops.push(model::PatchOperation::add_values(databricks_path, &missing));
    }
    ops.extend(model::PatchOperation::remove_values(databricks_path, &extra));
    ops
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
