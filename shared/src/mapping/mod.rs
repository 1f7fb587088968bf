//! SCIM ⇄ Databricks translation (docs/design.md §3, §4): functions from typed Databricks values to
//! SCIM resources, and from client bodies and PATCH operations to Databricks create bodies and PATCH
//! operations. No HTTP, no AWS, nothing of the Databricks client.

pub mod filter;
pub mod group;
pub mod multi;
pub mod service_principal;
pub mod user;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::databricks::model::{
    DatabricksResource, Holding, PatchOp, PatchOperation, PatchTarget, PatchValue, Reference, Selection,
};
use crate::scim::list::Projection;

use crate::scim::discovery::ENTITLEMENTS;
use crate::scim::limits::{self, MAX_MEMBERS_PER_REQUEST, MAX_PATCH_OPERATIONS};
use crate::scim::values::ClientObject;
use crate::scim::{GROUP_EXTENSION_SCHEMA, Resource, ScimError, model as scim};

/// A Databricks resource the bridge serves as a SCIM resource.
pub trait Served: DatabricksResource {
    /// The SCIM resource it becomes.
    type Scim: Serialize;

    /// What it can be filtered on.
    fn filters() -> &'static filter::FilterTable;

    /// The Databricks attribute selection that serves a client's projection.
    fn selection(projection: &Projection) -> Selection;

    /// The SCIM resource, with `meta.location` and `$ref`s under `base_url`.
    fn to_scim(&self, base_url: &str) -> Self::Scim;
}

/// [`Served`] for a Databricks resource type from its SCIM type, filter table, selection and
/// rendering functions.
macro_rules! served {
    ($type:ty, $scim:ty, $filters:expr, $selection:path, $to_scim:path) => {
        impl $crate::mapping::Served for $type {
            type Scim = $scim;

            fn filters() -> &'static FilterTable {
                &$filters
            }

            fn selection(projection: &Projection) -> Selection {
                $selection(projection)
            }

            fn to_scim(&self, base_url: &str) -> $scim {
                $to_scim(self, base_url)
            }
        }
    };
}
use served;

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

/// The `value`s of a principal's or group's direct group memberships (Databricks `groups`
/// entries whose `type` is not `indirect`).
pub fn direct_memberships(groups: &[Reference]) -> Vec<String> {
    groups.iter().filter(|g| !g.is_indirect()).filter_map(|g| g.value.clone()).collect()
}

/// SCIM `[{"value": …}]` of a Databricks list's values; `None` when there are none.
pub fn scim_values(list: &[Reference]) -> Option<Vec<scim::Reference>> {
    let values: Vec<scim::Reference> =
        list.iter().filter_map(|r| r.value.clone()).map(scim::Reference::value).collect();
    (!values.is_empty()).then_some(values)
}

/// Refuses a non-empty `roles` in a request body with the resource's own detail.
pub fn refuse_roles(body: &ClientObject, refusal: fn() -> ScimError) -> Result<(), ScimError> {
    if body.get("roles").is_empty() { Ok(()) } else { Err(refusal()) }
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
pub fn requested_active(body: &ClientObject, otherwise: bool) -> Result<bool, ScimError> {
    Ok(body.get("active").flag("active")?.unwrap_or(otherwise))
}

/// The operations without the removes of what `current` does not hold (an unset attribute,
/// an empty list, an element that is not there): Databricks refuses those with "No such
/// attribute" (terraform-provider-databricks PR #2409), and the client's intent — that it be
/// gone — already holds. `None` when every remove still has a target.
pub fn without_absent_removes<T: DatabricksResource>(
    operations: &[PatchOperation],
    current: &T,
) -> Option<Vec<PatchOperation>> {
    // The elements each attribute holds, read once (a PATCH may remove thousands of members).
    let mut held: HashMap<&str, HashSet<String>> = HashMap::new();
    let mut kept = Vec::with_capacity(operations.len());
    for op in operations {
        let absent = match (&op.op, &op.path) {
            (PatchOp::Remove, PatchTarget::Attribute(attribute)) => match current.holding(attribute) {
                Holding::Elements(items) => items.is_empty(),
                Holding::Text(text) => text.is_none_or(str::is_empty),
                Holding::Unknown => false,
            },
            (PatchOp::Remove, PatchTarget::Element { attribute, value }) => !held
                .entry(attribute)
                .or_insert_with(|| match current.holding(attribute) {
                    Holding::Elements(items) => Reference::values(items).into_iter().collect(),
                    Holding::Text(_) | Holding::Unknown => HashSet::new(),
                })
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
            (_, Some(PatchValue::Elements(items))) => items.len(),
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
pub fn check_resource_body(body: &ClientObject) -> Result<(), ScimError> {
    let text = |object: &ClientObject, key: &str, attribute: &str| match object.get(key).as_str() {
        Some(s) => limits::check_text(attribute, s),
        None => Ok(()),
    };
    for attribute in ["userName", "displayName", "externalId", "applicationId"] {
        text(body, attribute, attribute)?;
    }
    if let Some(name) = body.get("name").object() {
        text(&name, "givenName", "name.givenName")?;
        text(&name, "familyName", "name.familyName")?;
    }
    let extension = body.get(GROUP_EXTENSION_SCHEMA).object();
    let elements = |object: &ClientObject| -> usize {
        ["members", "entitlements", "parentGroups"].iter().map(|a| object.get(a).element_count()).sum()
    };
    check_elements(elements(body) + extension.as_ref().map_or(0, elements))
}

/// Holds the Databricks PATCH a request becomes to [`MAX_MEMBERS_PER_REQUEST`] elements and
/// [`MAX_PATCH_OPERATIONS`] operations.
pub fn check_target_patch(operations: &[PatchOperation]) -> Result<(), ScimError> {
    check_elements(element_count(operations))?;
    limits::check_count("PATCH operations", operations.len(), MAX_PATCH_OPERATIONS)
}

/// A Databricks answer, given as JSON, read as the client reads it (tests build answers so).
#[cfg(test)]
pub(crate) fn databricks<T: DatabricksResource>(json: serde_json::Value) -> T {
    serde_json::from_value::<crate::scim::lenient::ObjectOr<T>>(json)
        .map(crate::scim::lenient::ObjectOr::into_inner)
        .expect("lenient reading fails on no JSON value")
}

/// What the bridge answers, as JSON (tests look into it).
#[cfg(test)]
pub(crate) fn scim_json(answer: impl Serialize) -> serde_json::Value {
    serde_json::to_value(answer).expect("answers are written as JSON")
}

/// The operations as the JSON Databricks receives (tests compare against it).
#[cfg(test)]
pub(crate) fn wire(operations: &[PatchOperation]) -> Vec<serde_json::Value> {
    operations.iter().filter_map(|op| serde_json::to_value(op).ok()).collect()
}

/// A client body, given as JSON (anything but an object reads as an empty one).
#[cfg(test)]
pub(crate) fn obj(json: serde_json::Value) -> ClientObject {
    ClientObject::from(json.as_object().cloned().unwrap_or_default())
}

/// The Databricks operations, as they go on the wire, that a PUT's `replace` makes of a client
/// body and the resource Databricks holds (both given as JSON).
#[cfg(test)]
pub(crate) fn replaced<T: DatabricksResource>(
    replace: impl Fn(&ClientObject, &T) -> Result<Vec<PatchOperation>, ScimError>,
    body: serde_json::Value,
    current: &serde_json::Value,
) -> Result<Vec<serde_json::Value>, ScimError> {
    replace(&obj(body), &databricks(current.clone())).map(|ops| wire(&ops))
}

/// A resource's URL under the bridge's SCIM base: `{base}/Users/{id}`, `{base}/Groups/{id}`, …
pub fn location(resource: Resource, base_url: &str, id: &str) -> String {
    format!("{base_url}/{}/{id}", resource.endpoint())
}

/// What every SCIM resource carries, from what Databricks holds: `schemas`, `id`,
/// `displayName`, `externalId`, and `meta` with its location under `base_url`.
fn common_attributes<T: DatabricksResource>(
    db: &T,
    schemas: Vec<&'static str>,
    base_url: &str,
) -> scim::CommonAttributes {
    let id = db.id().unwrap_or_default();
    scim::CommonAttributes {
        schemas,
        id: id.to_string(),
        display_name: db.display_name().map(String::from),
        external_id: db.external_id().map(String::from),
        meta: scim::Meta { resource_type: T::RESOURCE.resource_type(), location: location(T::RESOURCE, base_url, id) },
    }
}

/// The Databricks attributes the SCIM resource of every principal (user, service principal) is
/// built from, each under its own name.
const PRINCIPAL_ATTRIBUTES: &[&str] = &["id", "displayName", "active", "groups", "entitlements", "externalId"];

/// The Databricks attribute selection for a projection of a principal whose SCIM resource is
/// built from `own` attributes besides [`PRINCIPAL_ATTRIBUTES`]; roles are never asked for.
fn principal_selection(projection: &Projection, principal: Resource, own: &[&'static str]) -> Selection {
    let attributes: Vec<&'static str> = own.iter().chain(PRINCIPAL_ATTRIBUTES).copied().collect();
    selection(projection, &attributes, &[], principal.schema(), &["roles"])
}

/// Maps a SCIM projection onto Databricks attribute names: a SCIM attribute is the Databricks
/// attribute of the same name (`attributes`, names compared without regard to case) unless
/// `renamed` (SCIM attribute, lower-case → Databricks attributes) says otherwise.
pub fn selection(
    projection: &Projection,
    attributes: &[&'static str],
    renamed: &[(&str, &[&'static str])],
    core_schema: &str,
    always_excluded: &[&'static str],
) -> Selection {
    let lookup = |raw: &str| -> Vec<&'static str> {
        let lower = raw.to_ascii_lowercase();
        let core_prefix = format!("{}:", core_schema.to_ascii_lowercase());
        let name = lower.strip_prefix(&core_prefix).unwrap_or(&lower);
        let name = name.split('.').next().unwrap_or(name);
        let name = name.rsplit(':').next().unwrap_or(name);
        match renamed.iter().find(|(scim, _)| *scim == name) {
            Some((_, db)) => db.to_vec(),
            None => attributes.iter().filter(|db| db.eq_ignore_ascii_case(name)).copied().collect(),
        }
    };
    if !projection.attributes.is_empty() {
        let mut wanted: Vec<&'static str> = vec!["id"];
        for a in &projection.attributes {
            for db in lookup(a) {
                if !wanted.contains(&db) {
                    wanted.push(db);
                }
            }
        }
        return Selection { attributes: wanted, excluded_attributes: Vec::new() };
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
