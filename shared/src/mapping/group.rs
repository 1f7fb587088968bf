//! Groups: SCIM core Group + our extension (parentGroups, entitlements) ⇄ Databricks group
//! (seed table 323, docs/design.md §3).

use scim_v2::filter::PatchPath;

use super::filter::{COMMON_FILTERS, FilterTable};
use super::{
    attribute_name, check_elements, check_target_patch, common_attributes, direct_memberships, element_count, location,
    multi, refuse_roles, scim_values, selection, validate_entitlements, validate_ids,
};
use crate::databricks::model::{self, Element, Group, GroupCreate, Reference, Selection};
use crate::scim::list::Projection;
use crate::scim::model as scim;
use crate::scim::patch::{PatchOpKind, PatchOperation};
use crate::scim::values::ClientObject;
use crate::scim::{GROUP_EXTENSION_SCHEMA, GROUP_SCHEMA, Resource, ScimError};

/// What groups can be filtered on.
pub static GROUP_FILTERS: FilterTable = FilterTable { core_schema: GROUP_SCHEMA, attributes: &COMMON_FILTERS };

/// The Databricks attributes a SCIM group is built from, each under its own name…
const TARGET_ATTRIBUTES: &[&str] = &["id", "displayName", "members", "externalId", "entitlements"];

/// …and the SCIM attributes built from others.
const RENAMED: &[(&str, &[&str])] =
    &[("parentgroups", &["groups"]), (GROUP_EXTENSION_LOWER, &["groups", "entitlements"])];

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
    let mut s = selection(&p, TARGET_ATTRIBUTES, RENAMED, GROUP_SCHEMA, &["roles"]);
    if projection.attributes.iter().any(|a| a.eq_ignore_ascii_case(GROUP_EXTENSION_SCHEMA)) {
        for db in ["groups", "entitlements"] {
            if !s.attributes.contains(&db) {
                s.attributes.push(db);
            }
        }
    }
    s
}

/// The resource a Databricks `$ref` (`Users/…`, `Groups/…`, `ServicePrincipals/…`) names, for
/// a member's SCIM `type` and `$ref`: Databricks members carry no `type`
/// (docs/databricks-behaviour.md row 47).
fn member_kind(reference: Option<&str>) -> Option<Resource> {
    reference?.split_once('/').and_then(|(segment, _)| Resource::at_endpoint(segment))
}

/// A Databricks group as a SCIM Group with our extension. Members and parent groups carry
/// `value`, `$ref` and `type`, the sub-attributes of RFC 7643 §8.7.1; Databricks' `display`
/// is left out because it is derived and read-only, and a strict client (scim2-tester) rejects
/// sub-attributes the schema does not declare.
pub fn group_to_scim(db: &Group, base_url: &str) -> scim::Group {
    let members: Vec<scim::Reference> = db
        .members
        .iter()
        .filter_map(|m| {
            let mid = m.value.as_deref()?;
            Some(match member_kind(m.reference.as_deref()) {
                Some(resource) => scim::Reference {
                    kind: Some(resource.resource_type().into()),
                    ..scim::Reference::to(mid, location(resource, base_url, mid))
                },
                None => scim::Reference::value(mid),
            })
        })
        .collect();
    let parents: Vec<scim::Reference> = db
        .groups
        .iter()
        .filter(|g| !g.is_indirect())
        .filter_map(|g| {
            g.value.as_deref().map(|gid| scim::Reference::to(gid, location(Resource::Group, base_url, gid)))
        })
        .collect();
    let extension = scim::GroupExtension {
        parent_groups: (!parents.is_empty()).then_some(parents),
        entitlements: scim_values(&db.entitlements),
    };
    let extended = extension.parent_groups.is_some() || extension.entitlements.is_some();
    let schemas = if extended { vec![GROUP_SCHEMA, GROUP_EXTENSION_SCHEMA] } else { vec![GROUP_SCHEMA] };
    scim::Group {
        common: common_attributes(db, schemas, base_url),
        members: (!members.is_empty()).then_some(members),
        extension: extended.then_some(extension),
    }
}

/// The values of an extension attribute, accepted in the extension object or (Databricks'
/// own form) at the top level. `None` when the client sent neither.
fn extension_values(body: &ClientObject, name: &str) -> Result<Option<Vec<String>>, ScimError> {
    let values = match body.get(GROUP_EXTENSION_SCHEMA).object().filter(|ext| ext.contains(name)) {
        Some(extension) => extension.get(name).values(name)?,
        None => body.get(name).values(name)?,
    };
    if let Some(values) = &values {
        check_elements(values.len())?;
    }
    Ok(values)
}

/// The members a body sets, `None` when it says nothing about them.
fn sent_members(body: &ClientObject) -> Result<Option<Vec<String>>, ScimError> {
    let Some(members) = body.get("members").values("members")? else { return Ok(None) };
    check_elements(members.len())?;
    validate_ids(&members, "members")?;
    Ok(Some(members))
}

fn display_name_of(body: &ClientObject) -> Result<String, ScimError> {
    body.get("displayName")
        .text("displayName")?
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| ScimError::InvalidValue("'displayName' is required".into()))
}

fn group_roles_refused() -> ScimError {
    ScimError::InvalidValue("'roles' is not supported on groups".into())
}

/// Translates a SCIM `POST /Groups` body.
pub fn create_request(body: &ClientObject) -> Result<GroupCreate, ScimError> {
    refuse_roles(body, group_roles_refused)?;
    let mut create = GroupCreate::new(display_name_of(body)?);
    create.members = Element::all(&sent_members(body)?.unwrap_or_default());
    if let Some(parents) = extension_values(body, "parentGroups")?.filter(|p| !p.is_empty()) {
        validate_ids(&parents, "parentGroups")?;
        create.groups = Element::all(&parents);
    }
    if let Some(ents) = extension_values(body, "entitlements")?.filter(|e| !e.is_empty()) {
        validate_entitlements(&ents)?;
        create.common.entitlements = Element::all(&ents);
    }
    create.common.external_id = body.get("externalId").text("externalId")?;
    check_elements(create.members.len() + create.groups.len() + create.common.entitlements.len())?;
    Ok(create)
}

/// What a SCIM `PUT /Groups/{id}` needs to know of the group as Databricks holds it.
pub const REPLACE_READ: &[&str] = &["id", "displayName", "members", "groups", "entitlements", "externalId", "meta"];

/// Translates a SCIM `PUT /Groups/{id}` into the one Databricks PATCH that makes `current`
/// (read with [`REPLACE_READ`]) what the client sent: members, parent groups and entitlements
/// become exactly the lists sent (`[]` empties one), and what the client did not send is kept
/// (roles always). Nothing to change → no operations.
pub fn replace_operations(body: &ClientObject, current: &Group) -> Result<Vec<model::PatchOperation>, ScimError> {
    refuse_roles(body, group_roles_refused)?;
    let display_name = display_name_of(body)?;
    let mut ops = Vec::new();
    if current.display_name.as_deref() != Some(display_name.as_str()) {
        ops.push(model::PatchOperation::replace("displayName", display_name));
    }
    if let Some(members) = sent_members(body)? {
        ops.extend(multi::difference("members", &members, &Reference::values(&current.members)));
    }
    if let Some(parents) = extension_values(body, "parentGroups")? {
        validate_ids(&parents, "parentGroups")?;
        ops.extend(multi::difference("groups", &parents, &direct_memberships(&current.groups)));
    }
    if let Some(ents) = extension_values(body, "entitlements")? {
        validate_entitlements(&ents)?;
        ops.extend(multi::difference("entitlements", &ents, &Reference::values(&current.entitlements)));
    }
    if let Some(ext) = body.get("externalId").text("externalId")?
        && current.external_id.as_deref() != Some(ext.as_str())
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
pub fn is_account_group(group: &Group) -> bool {
    group.is_account_group()
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
                let v = operation.value().text("displayName")?.unwrap_or_default();
                if v.trim().is_empty() {
                    return Err(ScimError::InvalidValue("'displayName' cannot be empty".into()));
                }
                plan.operations.push(model::PatchOperation::replace("displayName", v));
            }
            ("externalid", PatchOpKind::Remove, false) => {
                plan.operations.push(model::PatchOperation::remove("externalId"))
            }
            ("externalid", _, false) => {
                let v = operation.value().text("externalId")?.unwrap_or_default();
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

super::served!(Group, scim::Group, GROUP_FILTERS, target_selection, group_to_scim);

#[cfg(test)]
mod tests;
