//! Groups: SCIM core Group + our extension (parentGroups, entitlements) ⇄ Databricks group
//! (seed table 323, docs/design.md §3).

use scim_v2::filter::PatchPath;
use serde_json::{Map, Value, json};

use super::filter::{AttrKind, FilterTable, Filterable};
use super::{
    attribute_name, check_elements, check_target_patch, copy_present, direct_memberships, element_count, multi,
    refuse_roles, selection, validate_entitlements, validate_ids, value_list, values_of,
};
use crate::databricks::model;
use crate::databricks::model::Selection;
use crate::scim::list::Projection;
use crate::scim::patch::{PatchOpKind, PatchOperation};
use crate::scim::values::{get_ci, multi_values, optional_string};
use crate::scim::{GROUP_EXTENSION_SCHEMA, GROUP_SCHEMA, ScimError};

/// What groups can be filtered on.
pub static GROUP_FILTERS: FilterTable = FilterTable {
    core_schema: GROUP_SCHEMA,
    attributes: &[
        Filterable { scim: "displayname", databricks: "displayName", kind: AttrKind::Text },
        Filterable { scim: "externalid", databricks: "externalId", kind: AttrKind::Text },
        Filterable { scim: "id", databricks: "id", kind: AttrKind::Text },
    ],
};

/// SCIM group attribute → the Databricks attributes it is built from.
const TARGET_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("id", &["id"]),
    ("displayname", &["displayName"]),
    ("members", &["members"]),
    ("externalid", &["externalId"]),
    ("parentgroups", &["groups"]),
    ("entitlements", &["entitlements"]),
    (GROUP_EXTENSION_LOWER, &["groups", "entitlements"]),
];

const GROUP_EXTENSION_LOWER: &str = "urn:ietf:params:scim:schemas:extension:databricks:2.0:group";

/// The Databricks attribute selection for a client's projection. Members are asked for
/// only when the client wants them (listing members is what makes Databricks slow).
pub fn target_selection(projection: &Projection) -> Selection {
    let mut p = projection.clone();
    // A whole-extension name in `attributes` must not be cut at its last ':' segment.
    for a in &mut p.attributes {
        if a.eq_ignore_ascii_case(GROUP_EXTENSION_SCHEMA) {
            *a = GROUP_EXTENSION_LOWER.to_string();
        }
    }
    let mut s = selection(&p, TARGET_ATTRIBUTES, GROUP_SCHEMA, &["roles"]);
    if projection.attributes.iter().any(|a| a.eq_ignore_ascii_case(GROUP_EXTENSION_SCHEMA)) {
        for db in ["groups", "entitlements"] {
            if !s.attributes.contains(&db) {
                s.attributes.push(db);
            }
        }
    }
    s
}

/// `{base}/Groups/{id}`.
pub fn group_location(base_url: &str, id: &str) -> String {
    format!("{base_url}/Groups/{id}")
}

/// The SCIM member `type` and path segment for a Databricks `$ref` (`Users/…`, `Groups/…`,
/// `ServicePrincipals/…`): Databricks members carry no `type` (docs/databricks-behaviour.md row 47).
fn member_kind(reference: Option<&str>) -> Option<(&'static str, &'static str)> {
    let r = reference?;
    if r.starts_with("Users/") {
        Some(("User", "Users"))
    } else if r.starts_with("Groups/") {
        Some(("Group", "Groups"))
    } else if r.starts_with("ServicePrincipals/") {
        Some(("ServicePrincipal", "ServicePrincipals"))
    } else {
        None
    }
}

/// A Databricks group as a SCIM Group with our extension. Members and parent groups carry
/// `value`, `$ref` and `type`, the sub-attributes of RFC 7643 §8.7.1; Databricks' `display`
/// is left out because it is derived and read-only, and a strict client (scim2-tester) rejects
/// sub-attributes the schema does not declare.
pub fn group_to_scim(db: &Value, base_url: &str) -> Value {
    let id = db.get("id").and_then(Value::as_str).unwrap_or_default();
    let mut out = Map::new();
    out.insert("schemas".into(), json!([GROUP_SCHEMA]));
    out.insert("id".into(), json!(id));
    copy_present(db, &mut out, "displayName", "displayName");
    if let Some(members) = db.get("members").and_then(Value::as_array) {
        let members: Vec<Value> = members
            .iter()
            .filter_map(|m| {
                let mid = m.get("value")?.as_str()?;
                let mut entry = Map::new();
                entry.insert("value".into(), json!(mid));
                if let Some((kind, segment)) = member_kind(m.get("$ref").and_then(Value::as_str)) {
                    entry.insert("$ref".into(), json!(format!("{base_url}/{segment}/{mid}")));
                    entry.insert("type".into(), json!(kind));
                }
                Some(Value::Object(entry))
            })
            .collect();
        if !members.is_empty() {
            out.insert("members".into(), Value::Array(members));
        }
    }
    copy_present(db, &mut out, "externalId", "externalId");
    let mut extension = Map::new();
    if let Some(parents) = db.get("groups").and_then(Value::as_array) {
        let parents: Vec<Value> = parents
            .iter()
            .filter(|g| g.get("type").and_then(Value::as_str).is_none_or(|t| t != "indirect"))
            .filter_map(|g| {
                let gid = g.get("value")?.as_str()?;
                let mut entry = Map::new();
                entry.insert("value".into(), json!(gid));
                entry.insert("$ref".into(), json!(group_location(base_url, gid)));
                Some(Value::Object(entry))
            })
            .collect();
        if !parents.is_empty() {
            extension.insert("parentGroups".into(), Value::Array(parents));
        }
    }
    let entitlements = values_of(db, "entitlements");
    if !entitlements.is_empty() {
        extension.insert("entitlements".into(), value_list(&entitlements));
    }
    if !extension.is_empty() {
        out.insert("schemas".into(), json!([GROUP_SCHEMA, GROUP_EXTENSION_SCHEMA]));
        out.insert(GROUP_EXTENSION_SCHEMA.into(), Value::Object(extension));
    }
    out.insert("meta".into(), json!({"resourceType": "Group", "location": group_location(base_url, id)}));
    Value::Object(out)
}

/// The values of an extension attribute, accepted in the extension object or (Databricks'
/// own form) at the top level. `None` when the client sent neither.
fn extension_values(body: &Map<String, Value>, name: &str) -> Result<Option<Vec<String>>, ScimError> {
    let from_extension = body
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(GROUP_EXTENSION_SCHEMA))
        .and_then(|(_, v)| v.as_object())
        .and_then(|ext| get_ci(ext, name));
    let top_level = get_ci(body, name);
    match from_extension.or(top_level) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let values = multi_values(v, name)?;
            check_elements(values.len())?;
            Ok(Some(values))
        }
    }
}

/// The members a body sets, `None` when it says nothing about them.
fn sent_members(body: &Map<String, Value>) -> Result<Option<Vec<String>>, ScimError> {
    let members = match get_ci(body, "members") {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => multi_values(v, "members")?,
    };
    check_elements(members.len())?;
    validate_ids(&members, "members")?;
    Ok(Some(members))
}

fn display_name_of(body: &Map<String, Value>) -> Result<String, ScimError> {
    optional_string(get_ci(body, "displayName"), "displayName")?
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| ScimError::InvalidValue("'displayName' is required".into()))
}

fn group_roles_refused() -> ScimError {
    ScimError::InvalidValue("'roles' is not supported on groups".into())
}

/// Translates a SCIM `POST /Groups` body.
pub fn create_request(body: &Map<String, Value>) -> Result<Value, ScimError> {
    refuse_roles(body, group_roles_refused)?;
    let mut out = Map::new();
    out.insert("schemas".into(), json!([GROUP_SCHEMA]));
    out.insert("displayName".into(), json!(display_name_of(body)?));
    let members = sent_members(body)?.unwrap_or_default();
    if !members.is_empty() {
        out.insert("members".into(), value_list(&members));
    }
    if let Some(parents) = extension_values(body, "parentGroups")?.filter(|p| !p.is_empty()) {
        validate_ids(&parents, "parentGroups")?;
        out.insert("groups".into(), value_list(&parents));
    }
    if let Some(ents) = extension_values(body, "entitlements")?.filter(|e| !e.is_empty()) {
        validate_entitlements(&ents)?;
        out.insert("entitlements".into(), value_list(&ents));
    }
    if let Some(ext) = optional_string(get_ci(body, "externalId"), "externalId")? {
        out.insert("externalId".into(), json!(ext));
    }
    let elements = ["members", "groups", "entitlements"].iter().map(|a| values_of_len(&out, a)).sum();
    check_elements(elements)?;
    Ok(Value::Object(out))
}

fn values_of_len(body: &Map<String, Value>, attribute: &str) -> usize {
    body.get(attribute).and_then(Value::as_array).map_or(0, Vec::len)
}

/// What a SCIM `PUT /Groups/{id}` needs to know of the group as Databricks holds it.
pub const REPLACE_READ: &[&str] = &["id", "displayName", "members", "groups", "entitlements", "externalId", "meta"];

/// Translates a SCIM `PUT /Groups/{id}` into the one Databricks PATCH that makes `current`
/// (read with [`REPLACE_READ`]) what the client sent: members, parent groups and entitlements
/// become exactly the lists sent (`[]` empties one), and what the client did not send is kept
/// (roles always). Nothing to change → no operations.
pub fn replace_operations(body: &Map<String, Value>, current: &Value) -> Result<Vec<model::PatchOperation>, ScimError> {
    refuse_roles(body, group_roles_refused)?;
    let display_name = display_name_of(body)?;
    let mut ops = Vec::new();
    if current.get("displayName").and_then(Value::as_str) != Some(display_name.as_str()) {
        ops.push(model::PatchOperation::replace("displayName", display_name));
    }
    if let Some(members) = sent_members(body)? {
        ops.extend(multi::difference("members", &members, &values_of(current, "members")));
    }
    if let Some(parents) = extension_values(body, "parentGroups")? {
        validate_ids(&parents, "parentGroups")?;
        ops.extend(multi::difference("groups", &parents, &direct_memberships(current)));
    }
    if let Some(ents) = extension_values(body, "entitlements")? {
        validate_entitlements(&ents)?;
        ops.extend(multi::difference("entitlements", &ents, &values_of(current, "entitlements")));
    }
    if let Some(ext) = optional_string(get_ci(body, "externalId"), "externalId")?
        && current.get("externalId").and_then(Value::as_str) != Some(ext.as_str())
    {
        ops.push(model::PatchOperation::replace("externalId", ext));
    }
    // Lists that fit may still be far from what the group holds: the change must fit too.
    if element_count(&ops) > crate::scim::limits::MAX_MEMBERS_PER_REQUEST {
        return Err(ScimError::InvalidValue(format!(
            "this PUT would change {} memberships or entitlements at once; at most {} are accepted, \
             change them with PATCH in steps",
            element_count(&ops),
            crate::scim::limits::MAX_MEMBERS_PER_REQUEST
        )));
    }
    check_target_patch(&ops)?;
    Ok(ops)
}

/// Whether Databricks shows this group as an account group (identity federation): it lists
/// them with `meta.resourceType` `Group`, and refuses membership changes to them.
pub fn is_account_group(group: &Value) -> bool {
    group.pointer("/meta/resourceType").and_then(Value::as_str) == Some("Group")
}

/// A client PATCH on a group translated into one Databricks PATCH.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupPatch {
    /// Databricks operations, in client order.
    pub operations: Vec<model::PatchOperation>,
    /// True when an operation touched members (the answer then shows them).
    pub touches_members: bool,
    /// Attribute names that were ignored.
    pub ignored: Vec<String>,
}

/// Translates a client PATCH on a group: every membership change of the request goes into
/// the same Databricks PATCH, never a read plus a whole-group PUT.
pub fn patch_request(operations: &[PatchOperation]) -> Result<GroupPatch, ScimError> {
    let mut plan = GroupPatch::default();
    let ids = |v: &[String]| validate_ids(v, "members");
    let parent_ids = |v: &[String]| validate_ids(v, "parentGroups");
    for operation in operations {
        let attr = match &operation.path {
            PatchPath::Attr(a) => a,
            PatchPath::Value(v) => &v.attr,
        };
        let in_extension = match &attr.uri {
            None => false,
            Some(uri) if uri.eq_ignore_ascii_case(GROUP_EXTENSION_SCHEMA) => true,
            Some(uri) if uri.eq_ignore_ascii_case(GROUP_SCHEMA) => false,
            Some(_) => {
                plan.ignored.push(attribute_name(&operation.path));
                continue;
            }
        };
        let name = attr.name.to_ascii_lowercase();
        match (name.as_str(), operation.op, in_extension) {
            ("members", _, false) => {
                plan.touches_members = true;
                plan.operations.extend(multi::translate(operation, "members", "members", &ids)?);
            }
            ("displayname", PatchOpKind::Remove, false) => {
                return Err(ScimError::Mutability("'displayName' cannot be removed".into()));
            }
            ("displayname", _, false) => {
                let v = optional_string(operation.value.as_ref(), "displayName")?.unwrap_or_default();
                if v.trim().is_empty() {
                    return Err(ScimError::InvalidValue("'displayName' cannot be empty".into()));
                }
                plan.operations.push(model::PatchOperation::replace("displayName", v));
            }
            ("externalid", PatchOpKind::Remove, false) => {
                plan.operations.push(model::PatchOperation::remove("externalId"))
            }
            ("externalid", _, false) => {
                let v = optional_string(operation.value.as_ref(), "externalId")?.unwrap_or_default();
                plan.operations.push(model::PatchOperation::replace("externalId", v));
            }
            ("entitlements", _, _) => plan.operations.extend(multi::translate(
                operation,
                "entitlements",
                "entitlements",
                &validate_entitlements,
            )?),
            ("parentgroups", _, _) => {
                plan.operations.extend(multi::translate(operation, "parentGroups", "groups", &parent_ids)?);
            }
            ("*", PatchOpKind::Remove, true) => {
                plan.operations.push(model::PatchOperation::remove("groups"));
                plan.operations.push(model::PatchOperation::remove("entitlements"));
            }
            ("roles", _, _) => return Err(group_roles_refused()),
            ("id", _, _) | ("meta", _, _) | ("schemas", _, _) => plan.ignored.push(name.clone()),
            _ => plan.ignored.push(attribute_name(&operation.path)),
        }
    }
    check_target_patch(&plan.operations)?;
    Ok(plan)
}

#[cfg(test)]
mod tests;
