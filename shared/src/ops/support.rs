//! Pieces several operations share.

use serde_json::Value;

use super::ScimRequest;
use crate::config::AppState;
use crate::databricks::client::Selection;
use crate::databricks::{DatabricksError, DatabricksId, ListParams, TargetResource};
use crate::scim::ScimError;
use crate::scim::list::Projection;
use crate::scim::values::parse_object;

/// The kind of resource an operation works on, for error details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Users.
    User,
    /// Groups.
    Group,
    /// Service principals.
    ServicePrincipal,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
            Kind::ServicePrincipal => "service principal",
        }
    }

    /// The Databricks resource.
    pub fn target(self) -> TargetResource {
        match self {
            Kind::User => TargetResource::Users,
            Kind::Group => TargetResource::Groups,
            Kind::ServicePrincipal => TargetResource::ServicePrincipals,
        }
    }
}

/// SCIM 404 for a resource that does not exist (the id is not echoed: clients have put e-mail
/// addresses where ids belong).
pub fn not_found(kind: Kind) -> ScimError {
    ScimError::NotFound(format!("no {} with this id exists", kind.noun()))
}

/// The `{id}` of the path, checked to be a Databricks id before it reaches a URL.
pub fn path_id(request: &ScimRequest, kind: Kind) -> Result<DatabricksId, ScimError> {
    request.resource_id().and_then(DatabricksId::parse).ok_or_else(|| not_found(kind))
}

/// Maps a Databricks 404 to this resource's SCIM 404; everything else by the common table.
pub fn or_not_found(kind: Kind) -> impl Fn(DatabricksError) -> ScimError {
    move |err| match err {
        DatabricksError::NotFound { .. } => not_found(kind),
        other => other.into(),
    }
}

/// The request body as a JSON object.
pub fn body_object(request: &ScimRequest) -> Result<serde_json::Map<String, Value>, ScimError> {
    parse_object(&request.body)
}

/// The client's projection of this request.
pub fn projection(request: &ScimRequest) -> Projection {
    Projection::from_query(&request.query)
}

/// Reads one resource with the given selection.
pub async fn read(state: &AppState, kind: Kind, id: &DatabricksId, selection: &Selection) -> Result<Value, ScimError> {
    state.databricks.get(kind.target(), id, selection).await.map_err(or_not_found(kind))
}

/// The first resource whose attribute equals `value` (one list call), if any.
pub async fn find_one(state: &AppState, kind: Kind, attribute: &str, value: &str) -> Result<Option<Value>, ScimError> {
    let params = ListParams {
        filter: Some(crate::mapping::filter::equals(attribute, value)),
        start_index: 1,
        count: 2,
        ..ListParams::default()
    };
    let page = state.databricks.list(kind.target(), &params).await?;
    Ok(page.get("Resources").and_then(Value::as_array).and_then(|r| r.first()).cloned())
}

/// The body Databricks answered a write with, or a fresh read when it answered without one.
pub async fn answer_or_read(
    state: &AppState,
    kind: Kind,
    id: &DatabricksId,
    answered: Option<Value>,
) -> Result<Value, ScimError> {
    match answered {
        Some(body) if body.get("id").is_some() => Ok(body),
        _ => read(state, kind, id, &Selection::default()).await,
    }
}

/// DELETE, re-reading the target when the outcome is unknown instead of retrying blindly.
pub async fn delete(state: &AppState, kind: Kind, request: &ScimRequest) -> Result<super::ScimResponse, ScimError> {
    let id = path_id(request, kind)?;
    match state.databricks.delete(kind.target(), &id).await {
        Ok(()) => Ok(super::ScimResponse::no_content()),
        Err(err) if err.outcome_unknown() => {
            let probe = Selection { attributes: vec!["id"], excluded_attributes: Vec::new() };
            match state.databricks.get(kind.target(), &id, &probe).await {
                Err(DatabricksError::NotFound { .. }) => Ok(super::ScimResponse::no_content()),
                _ => Err(err.into()),
            }
        }
        Err(err) => Err(or_not_found(kind)(err)),
    }
}

/// How one resource kind is read and listed.
pub struct ResourceSpec {
    /// Which resource.
    pub kind: Kind,
    /// What it can be filtered on.
    pub filters: &'static crate::mapping::filter::FilterTable,
    /// SCIM projection → Databricks selection.
    pub selection: fn(&Projection) -> Selection,
    /// Databricks resource → SCIM resource.
    pub to_scim: fn(&Value, &str) -> Value,
    /// Core schema URN.
    pub schema: &'static str,
    /// Extension URNs.
    pub extensions: &'static [&'static str],
}

/// One list page: one Databricks call, whatever the filter or projection.
pub async fn list_page(
    state: &AppState,
    spec: &ResourceSpec,
    request: &ScimRequest,
) -> Result<super::ScimResponse, ScimError> {
    use crate::scim::list::{ListQuery, list_response};
    let query = ListQuery::from_query(&request.query)?;
    let filter = query.filter.as_ref().map(|f| crate::mapping::filter::translate(f, spec.filters)).transpose()?;
    let selection = (spec.selection)(&query.projection);
    let params = ListParams {
        filter,
        start_index: query.start_index,
        // count=0 asks only for totalResults; Databricks is asked for the smallest page.
        count: query.count.max(1),
        attributes: selection.attributes,
        excluded_attributes: selection.excluded_attributes,
    };
    let page = state.databricks.list(spec.kind.target(), &params).await?;
    let total = page.get("totalResults").and_then(Value::as_u64).unwrap_or(0);
    let resources: Vec<Value> = if query.count == 0 {
        Vec::new()
    } else {
        page.get("Resources")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .take(query.count as usize)
                    .map(|item| {
                        let mut scim = (spec.to_scim)(item, &request.base_url);
                        crate::scim::projection::apply(&mut scim, &query.projection, spec.schema, spec.extensions);
                        scim
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok(super::ScimResponse::ok(list_response(total, query.start_index, resources)))
}

/// One resource by id: one Databricks call asking only for what the client wants.
pub async fn get_one(
    state: &AppState,
    spec: &ResourceSpec,
    request: &ScimRequest,
) -> Result<super::ScimResponse, ScimError> {
    let id = path_id(request, spec.kind)?;
    let wanted = projection(request);
    let resource = read(state, spec.kind, &id, &(spec.selection)(&wanted)).await?;
    let mut scim = (spec.to_scim)(&resource, &request.base_url);
    crate::scim::projection::apply(&mut scim, &wanted, spec.schema, spec.extensions);
    Ok(super::ScimResponse::ok(scim))
}

/// Users.
pub const USERS: ResourceSpec = ResourceSpec {
    kind: Kind::User,
    filters: &crate::mapping::user::USER_FILTERS,
    selection: crate::mapping::user::target_selection,
    to_scim: crate::mapping::user::user_to_scim,
    schema: crate::scim::USER_SCHEMA,
    extensions: &[],
};

/// Groups.
pub const GROUPS: ResourceSpec = ResourceSpec {
    kind: Kind::Group,
    filters: &crate::mapping::group::GROUP_FILTERS,
    selection: crate::mapping::group::target_selection,
    to_scim: crate::mapping::group::group_to_scim,
    schema: crate::scim::GROUP_SCHEMA,
    extensions: &[crate::scim::GROUP_EXTENSION_SCHEMA],
};

/// Service principals.
pub const SERVICE_PRINCIPALS: ResourceSpec = ResourceSpec {
    kind: Kind::ServicePrincipal,
    filters: &crate::mapping::service_principal::SERVICE_PRINCIPAL_FILTERS,
    selection: crate::mapping::service_principal::target_selection,
    to_scim: crate::mapping::service_principal::service_principal_to_scim,
    schema: crate::scim::SERVICE_PRINCIPAL_SCHEMA,
    extensions: &[],
};

/// The id of a resource Databricks answered.
pub fn id_of(resource: &Value) -> Result<DatabricksId, ScimError> {
    resource
        .get("id")
        .and_then(Value::as_str)
        .and_then(DatabricksId::parse)
        .ok_or_else(|| ScimError::BadGateway("Databricks answered a resource without an id".into()))
}

/// Creation with `active:false` (SPEC §4): Databricks creates active principals, so the new
/// one is deactivated with one PATCH, and the answer shows the final state.
pub async fn deactivate_if_asked(
    state: &AppState,
    kind: Kind,
    created: Value,
    deactivate: bool,
) -> Result<Value, ScimError> {
    let active =
        created.get("active").map(|a| crate::scim::values::lenient_bool(a, "active").unwrap_or(true)).unwrap_or(true);
    if !deactivate || !active {
        return Ok(created);
    }
    let id = id_of(&created)?;
    let op = serde_json::json!({"op": "replace", "path": "active", "value": "false"});
    let answered = state.databricks.patch(kind.target(), &id, vec![op]).await?;
    answer_or_read(state, kind, &id, answered).await
}

/// PATCH of a user or service principal: one Databricks PATCH; a client value for the
/// immutable key (userName, applicationId) is accepted only when it is the current one.
pub async fn patch_principal(
    state: &AppState,
    spec: &ResourceSpec,
    principal: crate::mapping::user::Principal,
    request: &ScimRequest,
) -> Result<super::ScimResponse, ScimError> {
    let id = path_id(request, spec.kind)?;
    let operations = crate::scim::patch::parse_patch_request(&request.body)?;
    let plan = crate::mapping::user::principal_patch(&operations, principal)?;
    if !plan.ignored.is_empty() {
        tracing::info!(ignored = ?plan.ignored, "PATCH attributes Databricks cannot hold were ignored");
    }
    // With nothing to send, one full read serves both the key check and the answer.
    let current = match (&plan.key, plan.operations.is_empty()) {
        (_, true) => Some(read(state, spec.kind, &id, &Selection::default()).await?),
        (Some(_), false) => {
            let probe = Selection { attributes: vec!["id", principal.key().1], excluded_attributes: Vec::new() };
            Some(read(state, spec.kind, &id, &probe).await?)
        }
        (None, false) => None,
    };
    if let (Some(wanted), Some(current)) = (&plan.key, &current) {
        let key = principal.key().1;
        let same = current.get(key).and_then(Value::as_str).is_some_and(|u| u.eq_ignore_ascii_case(wanted.trim()));
        if !same {
            return Err(ScimError::Mutability(format!("{key} cannot be changed in Databricks")));
        }
    }
    let answered = if plan.operations.is_empty() {
        current
    } else {
        state.databricks.patch(spec.kind.target(), &id, plan.operations).await.map_err(or_not_found(spec.kind))?
    };
    let resource = answer_or_read(state, spec.kind, &id, answered).await?;
    Ok(super::ScimResponse::ok((spec.to_scim)(&resource, &request.base_url)))
}
