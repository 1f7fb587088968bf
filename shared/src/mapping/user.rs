//! Users: SCIM core User ⇄ Databricks workspace user (seed table 322, docs/design.md §3–§4).

use scim_v2::filter::PatchPath;
use serde_json::{Map, Value, json};

use super::filter::{AttrKind, FilterTable, Filterable};
use super::{
    attribute_name, check_elements, check_target_patch, copy_present, multi, refuse_roles, requested_active, selection,
    validate_entitlements, value_list, values_of,
};
use crate::databricks::model;
use crate::databricks::model::Selection;
use crate::scim::list::Projection;
use crate::scim::patch::{PatchOpKind, PatchOperation};
use crate::scim::values::{get_ci, lenient_bool, multi_values, optional_string};
use crate::scim::{Resource, ScimError, USER_SCHEMA};

/// What users can be filtered on. A user's work e-mail is its userName in Databricks.
pub static USER_FILTERS: FilterTable = FilterTable {
    core_schema: USER_SCHEMA,
    attributes: &[
        Filterable { scim: "username", databricks: "userName", kind: AttrKind::Text },
        Filterable { scim: "displayname", databricks: "displayName", kind: AttrKind::Text },
        Filterable { scim: "externalid", databricks: "externalId", kind: AttrKind::Text },
        Filterable { scim: "id", databricks: "id", kind: AttrKind::Text },
        Filterable { scim: "active", databricks: "active", kind: AttrKind::Boolean },
        Filterable { scim: "emails", databricks: "userName", kind: AttrKind::Text },
        Filterable { scim: "emails.value", databricks: "userName", kind: AttrKind::Text },
    ],
};

/// SCIM user attribute → the Databricks attributes it is built from.
const TARGET_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("id", &["id"]),
    ("username", &["userName"]),
    ("name", &["name"]),
    ("displayname", &["displayName"]),
    ("emails", &["emails"]),
    ("active", &["active"]),
    ("groups", &["groups"]),
    ("entitlements", &["entitlements"]),
    ("externalid", &["externalId"]),
];

/// The Databricks attribute selection that serves a client's projection with the least work.
pub fn target_selection(projection: &Projection) -> Selection {
    selection(projection, TARGET_ATTRIBUTES, USER_SCHEMA, &["roles"])
}

/// `{base}/Users/{id}`.
pub fn user_location(base_url: &str, id: &str) -> String {
    format!("{base_url}/Users/{id}")
}

/// A Databricks user as a SCIM User.
pub fn user_to_scim(db: &Value, base_url: &str) -> Value {
    let id = db.get("id").and_then(Value::as_str).unwrap_or_default();
    let mut out = Map::new();
    out.insert("schemas".into(), json!([USER_SCHEMA]));
    out.insert("id".into(), json!(id));
    copy_present(db, &mut out, "userName", "userName");
    if let Some(name) = db.get("name").and_then(Value::as_object) {
        let mut n = Map::new();
        for key in ["givenName", "familyName"] {
            if let Some(v) = name.get(key).filter(|v| v.as_str().is_some_and(|s| !s.is_empty())) {
                n.insert(key.into(), v.clone());
            }
        }
        if !n.is_empty() {
            out.insert("name".into(), Value::Object(n));
        }
    }
    copy_present(db, &mut out, "displayName", "displayName");
    copy_present(db, &mut out, "emails", "emails");
    append_principal_attributes(db, base_url, &mut out);
    out.insert("meta".into(), json!({"resourceType": "User", "location": user_location(base_url, id)}));
    Value::Object(out)
}

/// What users and service principals share: `active`, `groups` (typed, with our `$ref`),
/// `entitlements`, `externalId`.
pub(crate) fn append_principal_attributes(db: &Value, base_url: &str, out: &mut Map<String, Value>) {
    if db.get("id").is_some()
        && (db.get("active").is_some() || db.get("userName").is_some() || db.get("applicationId").is_some())
    {
        let active = db.get("active").map(|v| lenient_bool(v, "active").unwrap_or(true)).unwrap_or(true);
        out.insert("active".into(), json!(active));
    }
    if let Some(groups) = db.get("groups").and_then(Value::as_array).filter(|g| !g.is_empty()) {
        let groups: Vec<Value> = groups
            .iter()
            .filter_map(|g| {
                let gid = g.get("value")?.as_str()?;
                let mut entry = Map::new();
                entry.insert("value".into(), json!(gid));
                entry.insert("$ref".into(), json!(format!("{base_url}/Groups/{gid}")));
                copy_present(g, &mut entry, "display", "display");
                let kind = g.get("type").and_then(Value::as_str).unwrap_or("direct");
                entry.insert("type".into(), json!(kind));
                Some(Value::Object(entry))
            })
            .collect();
        out.insert("groups".into(), Value::Array(groups));
    }
    let entitlements = values_of(db, "entitlements");
    if !entitlements.is_empty() {
        out.insert("entitlements".into(), value_list(&entitlements));
    }
    copy_present(db, out, "externalId", "externalId");
}

/// displayName wins; else "givenName familyName"; else userName (docs/design.md §4).
pub fn display_name_for(body: &Map<String, Value>, user_name: &str) -> Result<String, ScimError> {
    if let Some(d) = optional_string(get_ci(body, "displayName"), "displayName")?
        && !d.trim().is_empty()
    {
        return Ok(d);
    }
    if let Some(Value::Object(name)) = get_ci(body, "name") {
        let given = optional_string(get_ci(name, "givenName"), "name.givenName")?.unwrap_or_default();
        let family = optional_string(get_ci(name, "familyName"), "name.familyName")?.unwrap_or_default();
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

pub(crate) fn entitlements_from(body: &Map<String, Value>) -> Result<Option<Vec<String>>, ScimError> {
    match get_ci(body, "entitlements") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let values = multi_values(v, "entitlements")?;
            check_elements(values.len())?;
            validate_entitlements(&values)?;
            Ok(Some(values))
        }
    }
}

fn name_object(body: &Map<String, Value>) -> Result<Option<Value>, ScimError> {
    let Some(Value::Object(name)) = get_ci(body, "name") else { return Ok(None) };
    let mut n = Map::new();
    for key in ["givenName", "familyName"] {
        if let Some(v) = optional_string(get_ci(name, key), key)? {
            n.insert(key.into(), json!(v));
        }
    }
    Ok((!n.is_empty()).then_some(Value::Object(n)))
}

/// A user to create: the Databricks body, and whether it must then be deactivated.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    /// `POST /Users` body.
    pub body: Value,
    /// The client asked for `active:false`: create, then deactivate (docs/design.md §4).
    pub deactivate: bool,
    /// The userName as given.
    pub user_name: String,
}

/// Translates a SCIM `POST /Users` body.
pub fn create_request(body: &Map<String, Value>) -> Result<NewUser, ScimError> {
    let user_name = optional_string(get_ci(body, "userName"), "userName")?
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .ok_or_else(|| ScimError::InvalidValue("'userName' is required".into()))?;
    refuse_roles(body, roles_refused)?;
    let active = requested_active(body, true)?;
    let mut out = Map::new();
    out.insert("schemas".into(), json!([USER_SCHEMA]));
    out.insert("userName".into(), json!(user_name));
    out.insert("displayName".into(), json!(display_name_for(body, &user_name)?));
    if let Some(name) = name_object(body)? {
        out.insert("name".into(), name);
    }
    if let Some(ents) = entitlements_from(body)?
        && !ents.is_empty()
    {
        out.insert("entitlements".into(), value_list(&ents));
    }
    if let Some(ext) = optional_string(get_ci(body, "externalId"), "externalId")? {
        out.insert("externalId".into(), json!(ext));
    }
    Ok(NewUser { body: Value::Object(out), deactivate: !active, user_name })
}

/// What a SCIM `PUT /Users/{id}` needs to know of the user as Databricks holds it.
pub const REPLACE_READ: &[&str] = &["id", "userName", "displayName", "name", "active", "entitlements", "externalId"];

/// Translates a SCIM `PUT /Users/{id}` into the one Databricks PATCH that makes `current`
/// (read with [`REPLACE_READ`]) what the client sent. What the client did not send is kept —
/// group memberships, roles, and entitlements an admin granted in Databricks, which Okta
/// (it PUTs every profile change) never manages; an absent `active` keeps the current state.
/// Nothing to change → no operations.
pub fn replace_operations(body: &Map<String, Value>, current: &Value) -> Result<Vec<model::PatchOperation>, ScimError> {
    let current_name = current.get("userName").and_then(Value::as_str).unwrap_or_default();
    let user_name = optional_string(get_ci(body, "userName"), "userName")?
        .ok_or_else(|| ScimError::InvalidValue("'userName' is required".into()))?;
    if !user_name.trim().eq_ignore_ascii_case(current_name) {
        return Err(ScimError::Mutability("userName cannot be changed in Databricks".into()));
    }
    refuse_roles(body, roles_refused)?;
    let mut ops = principal_replace_operations(body, current)?;
    let name_sent = matches!(get_ci(body, "name"), Some(Value::Object(_)));
    let display_sent =
        optional_string(get_ci(body, "displayName"), "displayName")?.is_some_and(|d| !d.trim().is_empty());
    if display_sent || name_sent {
        let wanted = display_name_for(body, current_name)?;
        if current.get("displayName").and_then(Value::as_str) != Some(wanted.as_str()) {
            ops.insert(0, model::PatchOperation::replace("displayName", wanted));
        }
    }
    if let Some(Value::Object(name)) = get_ci(body, "name") {
        for (key, path) in [("givenName", "name.givenName"), ("familyName", "name.familyName")] {
            let wanted = optional_string(get_ci(name, key), key)?.unwrap_or_default();
            let held = current.pointer(&format!("/name/{key}")).and_then(Value::as_str).unwrap_or_default();
            if wanted != held {
                ops.push(model::PatchOperation::replace(path, wanted));
            }
        }
    }
    Ok(ops)
}

/// What users and service principals share on a PUT: `active`, `entitlements` and
/// `externalId`, each changed only when the client sent it and it differs.
pub(crate) fn principal_replace_operations(
    body: &Map<String, Value>,
    current: &Value,
) -> Result<Vec<model::PatchOperation>, ScimError> {
    let mut ops = Vec::new();
    let current_active = current.get("active").map(|v| lenient_bool(v, "active")).transpose()?.unwrap_or(true);
    if requested_active(body, current_active)? != current_active {
        ops.push(model::PatchOperation::replace("active", (!current_active).to_string()));
    }
    if let Some(wanted) = entitlements_from(body)? {
        ops.extend(multi::difference("entitlements", &wanted, &values_of(current, "entitlements")));
    }
    if let Some(wanted) = optional_string(get_ci(body, "externalId"), "externalId")?
        && current.get("externalId").and_then(Value::as_str) != Some(wanted.as_str())
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
        let value = operation.value.as_ref();
        match (name.as_str(), operation.op) {
            ("active", PatchOpKind::Remove) => {
                return Err(ScimError::Mutability("'active' cannot be removed; replace it with false".into()));
            }
            ("active", _) => {
                let v = lenient_bool(value.unwrap_or(&Value::Null), "active")?;
                plan.operations.push(model::PatchOperation::replace("active", v.to_string()));
            }
            ("displayname", PatchOpKind::Remove) => {
                return Err(ScimError::Mutability("'displayName' cannot be removed in Databricks".into()));
            }
            ("displayname", _) => {
                let v = optional_string(value, "displayName")?.unwrap_or_default();
                if v.trim().is_empty() {
                    return Err(ScimError::InvalidValue("'displayName' cannot be empty".into()));
                }
                plan.operations.push(rename(principal, &v));
                plan.renamed_to = Some(v);
            }
            ("name", op) if is_user => plan.operations.extend(name_operations(op, sub.as_deref(), value)?),
            ("externalid", PatchOpKind::Remove) => plan.operations.push(model::PatchOperation::remove("externalId")),
            ("externalid", _) => {
                let v = optional_string(value, "externalId")?.unwrap_or_default();
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
            (key, _) if !key_scim.is_empty() && key == key_scim => plan.key = optional_string(value, key_name)?,
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
    value: Option<&Value>,
) -> Result<Vec<model::PatchOperation>, ScimError> {
    let canonical = |s: &str| -> Option<&'static str> {
        ["name.givenName", "name.familyName"].into_iter().find(|k| k[5..].eq_ignore_ascii_case(s))
    };
    // Databricks is sent `replace` with "" rather than a `remove` it refuses when the part is unset.
    let set = |path: &'static str, v: &Value| -> Result<model::PatchOperation, ScimError> {
        let text = optional_string(Some(v), &path[5..])?.unwrap_or_default();
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
            Some(path) => Ok(vec![set(path, value.unwrap_or(&Value::Null))?]),
            None => Ok(Vec::new()),
        },
        (_, None) => {
            let Some(Value::Object(map)) = value else {
                return Err(ScimError::InvalidValue("'name' must be an object".into()));
            };
            let mut out = Vec::new();
            for (k, v) in map {
                if let Some(path) = canonical(k) {
                    out.push(set(path, v)?);
                }
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests;
