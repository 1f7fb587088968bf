//! Users: SCIM core User ⇄ Databricks workspace user (seed table 322, docs/design.md §3–§4).

use scim_v2::filter::PatchPath;

use super::filter::{ACTIVE_FILTER, COMMON_FILTERS, FilterTable, Filterable, row_count, rows};
use super::{
    attribute_name, check_elements, check_target_patch, common_attributes, location, multi, principal_selection,
    refuse_roles, requested_active, scim_values, validate_entitlements,
};
use crate::databricks::model::{
    self, CreateCommon, Element, Principal, PrincipalAttributes, Reference, Selection, User, UserCreate,
};
use crate::scim::list::Projection;
use crate::scim::model::{self as scim, Name};
use crate::scim::patch::{PatchOpKind, PatchOperation};
use crate::scim::values::{ClientObject, ClientValue, not_a_boolean};
use crate::scim::{Resource, ScimError, USER_SCHEMA};

/// What users can be filtered on. A user's work e-mail is its userName in Databricks.
pub static USER_FILTERS: FilterTable =
    FilterTable { core_schema: USER_SCHEMA, attributes: &rows::<{ row_count(USER_ROWS) }>(USER_ROWS) };

const USER_ROWS: &[&[Filterable]] = &[
    &[Filterable::text("username", "userName")],
    &COMMON_FILTERS,
    &[ACTIVE_FILTER, Filterable::text("emails", "userName"), Filterable::text("emails.value", "userName")],
];

/// The Databricks attribute selection that serves a client's projection with the least work:
/// a user's SCIM resource is built from `userName`, `name` and `emails` besides what every
/// principal has.
pub fn target_selection(projection: &Projection) -> Selection {
    principal_selection(projection, Resource::User, &["userName", "name", "emails"])
}

/// A Databricks user as a SCIM User.
pub fn user_to_scim(db: &User, base_url: &str) -> scim::User {
    let non_empty = |part: &Option<String>| part.clone().filter(|s| !s.is_empty());
    let name = db
        .name
        .as_ref()
        .map(|n| Name { given_name: non_empty(&n.given_name), family_name: non_empty(&n.family_name) })
        .filter(|n| n.given_name.is_some() || n.family_name.is_some());
    scim::User {
        common: common_attributes(db, vec![USER_SCHEMA], base_url),
        user_name: db.user_name.clone(),
        name,
        emails: db.emails.clone(),
        principal: principal_attributes(db, base_url),
    }
}

/// What users and service principals share: `active` (only when the answer is a whole
/// principal: it has an id, and `active` or the principal's key; not a projection without
/// them), `groups` (typed, with our `$ref`), `entitlements`.
pub(crate) fn principal_attributes(principal: &impl Principal, base_url: &str) -> scim::PrincipalAttributes {
    let db = principal.principal();
    let shows_active = principal.id().is_some() && (db.active.is_some() || principal.key().is_some());
    let groups = (!db.groups.is_empty()).then(|| {
        db.groups
            .iter()
            .filter_map(|g| {
                let gid = g.value.as_deref()?;
                Some(scim::Reference {
                    display: g.display.clone(),
                    kind: Some(g.kind.clone().unwrap_or_else(|| "direct".into())),
                    ..scim::Reference::to(gid, location(Resource::Group, base_url, gid))
                })
            })
            .collect()
    });
    scim::PrincipalAttributes {
        active: shows_active.then(|| db.is_active()),
        groups,
        entitlements: scim_values(&db.entitlements),
    }
}

/// displayName wins; else "givenName familyName"; else userName (docs/design.md §4).
pub fn display_name_for(body: &ClientObject, user_name: &str) -> Result<String, ScimError> {
    if let Some(d) = body.get("displayName").text("displayName")?
        && !d.trim().is_empty()
    {
        return Ok(d);
    }
    if let Some(name) = body.get("name").object() {
        let given = name.get("givenName").text("name.givenName")?.unwrap_or_default();
        let family = name.get("familyName").text("name.familyName")?.unwrap_or_default();
        let joined = format!("{} {}", given.trim(), family.trim()).trim().to_string();
        if !joined.is_empty() {
            return Ok(joined);
        }
    }
    Ok(user_name.to_string())
}

pub(crate) fn roles_refused() -> ScimError {
    ScimError::InvalidValue(
        "'roles' is not supported: Databricks workspace roles are AWS instance profiles, managed outside SCIM".into(),
    )
}

pub(crate) fn entitlements_from(body: &ClientObject) -> Result<Option<Vec<String>>, ScimError> {
    let Some(values) = body.get("entitlements").values("entitlements")? else { return Ok(None) };
    check_elements(values.len())?;
    validate_entitlements(&values)?;
    Ok(Some(values))
}

fn name_object(body: &ClientObject) -> Result<Option<Name>, ScimError> {
    let Some(name) = body.get("name").object() else { return Ok(None) };
    let given_name = name.get("givenName").text("givenName")?;
    let family_name = name.get("familyName").text("familyName")?;
    Ok((given_name.is_some() || family_name.is_some()).then_some(Name { given_name, family_name }))
}

/// A user to create: the Databricks body, and whether it must then be deactivated.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    /// `POST /Users` body.
    pub body: UserCreate,
    /// The client asked for `active:false`: create, then deactivate (docs/design.md §4).
    pub deactivate: bool,
    /// The userName as given.
    pub user_name: String,
}

/// Translates a SCIM `POST /Users` body.
pub fn create_request(body: &ClientObject) -> Result<NewUser, ScimError> {
    let user_name = body
        .get("userName")
        .text("userName")?
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .ok_or_else(|| ScimError::InvalidValue("'userName' is required".into()))?;
    refuse_roles(body, roles_refused)?;
    let active = requested_active(body, true)?;
    let mut create = UserCreate::new(user_name.clone(), display_name_for(body, &user_name)?);
    create.name = name_object(body)?;
    create.common = CreateCommon {
        entitlements: Element::all(&entitlements_from(body)?.unwrap_or_default()),
        external_id: body.get("externalId").text("externalId")?,
    };
    Ok(NewUser { body: create, deactivate: !active, user_name })
}

/// What a SCIM `PUT /Users/{id}` needs to know of the user as Databricks holds it.
pub const REPLACE_READ: &[&str] = &["id", "userName", "displayName", "name", "active", "entitlements", "externalId"];

/// Translates a SCIM `PUT /Users/{id}` into the one Databricks PATCH that makes `current`
/// (read with [`REPLACE_READ`]) what the client sent. What the client did not send is kept —
/// group memberships, roles, and entitlements an admin granted in Databricks, which Okta
/// (it PUTs every profile change) never manages; an absent `active` keeps the current state.
/// Nothing to change → no operations.
pub fn replace_operations(body: &ClientObject, current: &User) -> Result<Vec<model::PatchOperation>, ScimError> {
    let current_name = current.user_name.as_deref().unwrap_or_default();
    let user_name = body
        .get("userName")
        .text("userName")?
        .ok_or_else(|| ScimError::InvalidValue("'userName' is required".into()))?;
    if !user_name.trim().eq_ignore_ascii_case(current_name) {
        return Err(ScimError::Mutability("userName cannot be changed in Databricks".into()));
    }
    refuse_roles(body, roles_refused)?;
    let mut ops = principal_replace_operations(body, &current.principal)?;
    let name = body.get("name").object();
    let display_sent = body.get("displayName").text("displayName")?.is_some_and(|d| !d.trim().is_empty());
    if display_sent || name.is_some() {
        let wanted = display_name_for(body, current_name)?;
        if current.display_name.as_deref() != Some(wanted.as_str()) {
            ops.insert(0, model::PatchOperation::replace("displayName", wanted));
        }
    }
    if let Some(name) = name {
        let held = current.name.clone().unwrap_or_default();
        for (key, path, held) in
            [("givenName", "name.givenName", held.given_name), ("familyName", "name.familyName", held.family_name)]
        {
            let wanted = name.get(key).text(key)?.unwrap_or_default();
            if wanted != held.unwrap_or_default() {
                ops.push(model::PatchOperation::replace(path, wanted));
            }
        }
    }
    Ok(ops)
}

/// What users and service principals share on a PUT: `active`, `entitlements` and
/// `externalId`, each changed only when the client sent it and it differs.
pub(crate) fn principal_replace_operations(
    body: &ClientObject,
    current: &PrincipalAttributes,
) -> Result<Vec<model::PatchOperation>, ScimError> {
    let mut ops = Vec::new();
    let current_active =
        current.active.map(|a| a.read().ok_or_else(|| not_a_boolean("active"))).transpose()?.unwrap_or(true);
    if requested_active(body, current_active)? != current_active {
        ops.push(model::PatchOperation::replace("active", (!current_active).to_string()));
    }
    if let Some(wanted) = entitlements_from(body)? {
        ops.extend(multi::difference("entitlements", &wanted, &Reference::values(&current.entitlements)));
    }
    if let Some(wanted) = body.get("externalId").text("externalId")?
        && current.external_id.as_deref() != Some(wanted.as_str())
    {
        ops.push(model::PatchOperation::replace("externalId", wanted));
    }
    Ok(ops)
}

/// The operation that renames a principal. A service principal is renamed with `add`, the form
/// a public client found to work where `replace` was answered with success and not applied
/// (docs/databricks-behaviour.md); the result is checked either way.
pub fn rename(principal: Resource, display_name: &str) -> model::PatchOperation {
    match principal {
        Resource::ServicePrincipal => model::PatchOperation::add("displayName", display_name),
        Resource::User | Resource::Group => model::PatchOperation::replace("displayName", display_name),
    }
}

/// A client PATCH translated into one Databricks PATCH.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PrincipalPatch {
    /// Databricks operations, in client order.
    pub operations: Vec<model::PatchOperation>,
    /// A value the client set for the immutable key (userName, applicationId): allowed only
    /// when it equals the current one.
    pub key: Option<String>,
    /// Attribute names that were ignored (Databricks has nowhere to keep them).
    pub ignored: Vec<String>,
    /// The new displayName, when the PATCH renames (a service principal's rename is checked
    /// afterwards: Databricks has been seen to answer success without applying it).
    pub renamed_to: Option<String>,
}

/// Translates a client PATCH on a user.
pub fn patch_request(operations: &[PatchOperation]) -> Result<PrincipalPatch, ScimError> {
    principal_patch(operations, Resource::User)
}

/// Translates a client PATCH on a user or a service principal (the principals: a group's PATCH
/// is [`super::group::patch_request`]).
pub fn principal_patch(operations: &[PatchOperation], principal: Resource) -> Result<PrincipalPatch, ScimError> {
    let mut plan = PrincipalPatch::default();
    let key_name = principal.immutable_key().unwrap_or_default();
    let key_scim = key_name.to_ascii_lowercase();
    let is_user = principal == Resource::User;
    for operation in operations {
        let (uri, name) = match &operation.path {
            PatchPath::Attr(a) => (a.uri.as_deref(), a.name.to_ascii_lowercase()),
            PatchPath::Value(v) => (v.attr.uri.as_deref(), v.attr.name.to_ascii_lowercase()),
        };
        let sub = match &operation.path {
            PatchPath::Attr(a) => a.sub_attr.clone(),
            PatchPath::Value(_) => None,
        };
        if let Some(uri) = uri
            && !uri.eq_ignore_ascii_case(principal.schema())
        {
            plan.ignored.push(attribute_name(&operation.path));
            continue;
        }
        let value = operation.value();
        match (name.as_str(), operation.op) {
            ("active", PatchOpKind::Remove) => {
                return Err(ScimError::Mutability("'active' cannot be removed; replace it with false".into()));
            }
            ("active", _) => {
                let v = value.required_flag("active")?;
                plan.operations.push(model::PatchOperation::replace("active", v.to_string()));
            }
            ("displayname", PatchOpKind::Remove) => {
                return Err(ScimError::Mutability("'displayName' cannot be removed in Databricks".into()));
            }
            ("displayname", _) => {
                let v = value.text("displayName")?.unwrap_or_default();
                if v.trim().is_empty() {
                    return Err(ScimError::InvalidValue("'displayName' cannot be empty".into()));
                }
                plan.operations.push(rename(principal, &v));
                plan.renamed_to = Some(v);
            }
            ("name", op) if is_user => plan.operations.extend(name_operations(op, sub.as_deref(), value)?),
            ("externalid", PatchOpKind::Remove) => plan.operations.push(model::PatchOperation::remove("externalId")),
            ("externalid", _) => {
                let v = value.text("externalId")?.unwrap_or_default();
                plan.operations.push(model::PatchOperation::replace("externalId", v));
            }
            ("entitlements", _) => plan.operations.extend(multi::translate(
                operation,
                "entitlements",
                "entitlements",
                &validate_entitlements,
            )?),
            (key, PatchOpKind::Remove) if !key_scim.is_empty() && key == key_scim => {
                return Err(ScimError::Mutability(format!("{key_name} cannot be removed")));
            }
            (key, _) if !key_scim.is_empty() && key == key_scim => plan.key = value.text(key_name)?,
            ("roles", _) => return Err(roles_refused()),
            // A whole resource sent path-less carries its read-only memberships: ignore them.
            ("groups", _) if operation.pathless => plan.ignored.push(name.clone()),
            ("groups", _) => {
                return Err(ScimError::Mutability(
                    "'groups' is read-only; change membership through the Group's members".into(),
                ));
            }
            // Databricks derives the e-mail from userName; there is nothing to change.
            ("emails", _) | ("id", _) | ("meta", _) | ("schemas", _) | ("password", _) => {
                plan.ignored.push(name.clone());
            }
            _ => plan.ignored.push(attribute_name(&operation.path)),
        }
    }
    check_target_patch(&plan.operations)?;
    Ok(plan)
}

fn name_operations(
    op: PatchOpKind,
    sub: Option<&str>,
    value: ClientValue<'_>,
) -> Result<Vec<model::PatchOperation>, ScimError> {
    let canonical = |s: &str| -> Option<&'static str> {
        ["name.givenName", "name.familyName"].into_iter().find(|k| k[5..].eq_ignore_ascii_case(s))
    };
    // Databricks is sent `replace` with "" rather than a `remove` it refuses when the part is unset.
    let set = |path: &'static str, v: ClientValue<'_>| -> Result<model::PatchOperation, ScimError> {
        let text = v.text(&path[5..])?.unwrap_or_default();
        Ok(model::PatchOperation::replace(path, text))
    };
    match (op, sub) {
        (PatchOpKind::Remove, Some(s)) => {
            Ok(canonical(s).map(|p| model::PatchOperation::replace(p, "")).into_iter().collect())
        }
        (PatchOpKind::Remove, None) => Ok(vec![
            model::PatchOperation::replace("name.givenName", ""),
            model::PatchOperation::replace("name.familyName", ""),
        ]),
        (_, Some(s)) => match canonical(s) {
            Some(path) => Ok(vec![set(path, value)?]),
            None => Ok(Vec::new()),
        },
        (_, None) => {
            let Some(map) = value.object() else {
                return Err(ScimError::InvalidValue("'name' must be an object".into()));
            };
            let mut out = Vec::new();
            for (k, v) in map.attributes() {
                if let Some(path) = canonical(k) {
                    out.push(set(path, v)?);
                }
            }
            Ok(out)
        }
    }
}

super::served!(User, scim::User, USER_FILTERS, target_selection, user_to_scim);

#[cfg(test)]
mod tests;
