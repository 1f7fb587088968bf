//! Pieces several operations share.

use serde_json::Value;

use super::{ScimRequest, ScimResponse};
use crate::config::{AppState, PatchResponse};
use crate::databricks::model::PatchOperation;
use crate::databricks::model::Selection;
use crate::databricks::{DatabricksError, DatabricksId, ListParams};
use crate::scim::limits::{AnswerBudget, carried_len, list_answer, too_large};
use crate::scim::list::Projection;
use crate::scim::values::parse_object;
use crate::scim::{Resource, ScimError};

/// SCIM 404 for a resource that does not exist (the id is not echoed: clients have put e-mail
/// addresses where ids belong).
pub fn not_found(resource: Resource) -> ScimError {
    ScimError::NotFound(format!("no {} with this id exists", resource.noun()))
}

/// The `{id}` of the path, checked to be a Databricks id before it reaches a URL.
pub fn path_id(request: &ScimRequest, resource: Resource) -> Result<DatabricksId, ScimError> {
    request.resource_id().and_then(DatabricksId::parse).ok_or_else(|| not_found(resource))
}

/// Maps a Databricks 404 to this resource's SCIM 404; everything else by the common table.
pub fn or_not_found(resource: Resource) -> impl Fn(DatabricksError) -> ScimError {
    move |err| match err {
        DatabricksError::NotFound { .. } => not_found(resource),
        other => other.into(),
    }
}

/// The request body of a `POST` or `PUT` as a JSON object, held to the limits on string
/// attributes and member counts before any Databricks call.
pub fn body_object(request: &ScimRequest) -> Result<serde_json::Map<String, Value>, ScimError> {
    let body = parse_object(&request.body)?;
    crate::mapping::check_resource_body(&body)?;
    Ok(body)
}

/// The client's projection of this request.
pub fn projection(request: &ScimRequest) -> Projection {
    Projection::from_query(&request.query)
}

/// Reads one resource with the given selection.
pub async fn read(
    state: &AppState,
    resource: Resource,
    id: &DatabricksId,
    selection: &Selection,
) -> Result<Value, ScimError> {
    state.databricks.get(resource, id, selection).await.map_err(or_not_found(resource))
}

/// The first resource whose attribute equals `value` (one list call), if any.
pub async fn find_one(
    state: &AppState,
    resource: Resource,
    attribute: &str,
    value: &str,
) -> Result<Option<Value>, ScimError> {
    let params = ListParams {
        filter: Some(crate::mapping::filter::equals(attribute, value)),
        start_index: 1,
        count: 2,
        ..ListParams::default()
    };
    let page = state.databricks.list(resource, &params).await?;
    Ok(page.get("Resources").and_then(Value::as_array).and_then(|r| r.first()).cloned())
}

/// The resource after a write: Databricks' answer when it carried the resource (the
/// `resource` answer shape), else one read with `selection` (the real API answers `{}`).
pub async fn answer_or_read(
    state: &AppState,
    resource: Resource,
    id: &DatabricksId,
    answered: Option<Value>,
    selection: &Selection,
) -> Result<Value, ScimError> {
    read_after_write(state, resource, id, answered, selection).await?.ok_or_else(|| not_found(resource))
}

/// The same, `None` when the target no longer shows the resource after the write was applied
/// (a target that hides inactive users, after a deactivation).
pub async fn read_after_write(
    state: &AppState,
    resource: Resource,
    id: &DatabricksId,
    answered: Option<Value>,
    selection: &Selection,
) -> Result<Option<Value>, ScimError> {
    match answered {
        Some(body) if body.get("id").is_some() => Ok(Some(body)),
        _ => match state.databricks.get(resource, id, selection).await {
            Ok(resource) => Ok(Some(resource)),
            Err(DatabricksError::NotFound { .. }) => Ok(None),
            Err(err) => Err(err.into()),
        },
    }
}

/// One Databricks PATCH of `operations`, as the real API needs it. Databricks refuses a
/// `remove` of what the resource does not have ("No such attribute", or `noTarget`) and
/// applies nothing; the target is then re-read — never written blindly — the removes of
/// what is absent are dropped (the client's intent already holds), and the rest is sent
/// once more. `Some(resource)` when an answer or that read carries the resource as it now is.
pub async fn patch_target(
    state: &AppState,
    resource: Resource,
    id: &DatabricksId,
    operations: &[PatchOperation],
) -> Result<Option<Value>, DatabricksError> {
    let refusal = match state.databricks.patch(resource, id, operations).await {
        Err(err) if err.is_absent_target() => err,
        other => return other,
    };
    let current = state.databricks.get(resource, id, &Selection::default()).await?;
    match crate::mapping::without_absent_removes(operations, &current) {
        None => Err(refusal),
        Some(rest) if rest.is_empty() => Ok(Some(current)),
        Some(rest) => state.databricks.patch(resource, id, &rest).await,
    }
}

/// The SCIM error for a failed group write. A displayName conflict is `uniqueness`.
/// Databricks refuses membership changes to account groups in identity-federated workspaces,
/// in words that have varied (400 "Members attribute not supported for current workspace.",
/// 500 "Error in performing the patch operation on group resource."), so any refusal or
/// unknown outcome is followed by one read of the group's `meta` — never a retry — and an
/// account group answers 400 `mutability` naming where to manage it.
pub async fn account_group_refusal(state: &AppState, id: &DatabricksId, err: DatabricksError) -> ScimError {
    match err {
        DatabricksError::Conflict { .. } => {
            ScimError::Uniqueness("a group with this displayName already exists".into())
        }
        err @ (DatabricksError::Server { .. } | DatabricksError::Transport(_)) => {
            probe_account_group(state, id, err).await
        }
        DatabricksError::BadRequest { ref detail, .. } if detail.to_ascii_lowercase().contains("member") => {
            probe_account_group(state, id, err).await
        }
        err => or_not_found(Resource::Group)(err),
    }
}

/// One read of the group's `meta` after a refused or unsettled write: an account group is
/// 400 `mutability`; anything else keeps the original error.
async fn probe_account_group(state: &AppState, id: &DatabricksId, err: DatabricksError) -> ScimError {
    let probe = Selection { attributes: vec!["id", "meta"], excluded_attributes: Vec::new() };
    match state.databricks.get(Resource::Group, id, &probe).await {
        Ok(group) if crate::mapping::group::is_account_group(&group) => account_group_refused(),
        _ => or_not_found(Resource::Group)(err),
    }
}

/// 400 `mutability` for a change to an account group through the workspace API.
pub fn account_group_refused() -> ScimError {
    ScimError::Mutability(
        "this is an account group (identity federation): its members and entitlements are managed at the \
         Databricks account level, not in the workspace"
            .into(),
    )
}

/// The service principal after a rename, checked with [`check_renamed`]. Reads right after a
/// write can be stale (Azure, ~0.3–1 s), so a mismatch is read twice more, half a second
/// apart, before it is reported.
pub async fn verify_renamed(
    state: &AppState,
    id: &DatabricksId,
    mut principal: Value,
    wanted: Option<&str>,
) -> Result<Value, ScimError> {
    for _ in 0..2 {
        if check_renamed(&principal, wanted).is_ok() {
            return Ok(principal);
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        principal = read(state, Resource::ServicePrincipal, id, &Selection::default()).await?;
    }
    check_renamed(&principal, wanted).map(|()| principal)
}

/// Whether a successful PATCH answers 204: configured so, and the client named no
/// `attributes`/`excludedAttributes` (RFC 7644 §3.5.2: those ask for the resource).
pub fn patch_answers_no_content(state: &AppState, request: &ScimRequest) -> bool {
    state.config.patch_response == PatchResponse::NoContent && projection(request).is_default()
}

/// Checks that a service principal carries the displayName a write set. Databricks has been
/// seen to answer a service-principal rename with success and keep the old name
/// (docs/databricks-behaviour.md); a client told 200 would loop on the difference forever.
pub fn check_renamed(resource: &Value, wanted: Option<&str>) -> Result<(), ScimError> {
    match wanted {
        Some(name) if resource.get("displayName").and_then(Value::as_str) != Some(name) => Err(ScimError::Mutability(
            "Databricks accepted the new displayName of this service principal but did not apply it; \
                 rename it in the Databricks account console (any other change of this request was applied)"
                .into(),
        )),
        _ => Ok(()),
    }
}

/// DELETE, re-reading the target when the outcome is unknown instead of retrying blindly.
pub async fn delete(state: &AppState, resource: Resource, request: &ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(request, resource)?;
    delete_by_id(state, resource, &id).await?;
    Ok(ScimResponse::no_content())
}

/// DELETE of one resource by id; when the outcome is unknown (5xx, dropped connection) the
/// target is re-read, and a resource that is gone was deleted (databricks-behaviour: a large
/// group's DELETE answers 500 after deleting it).
pub async fn delete_by_id(state: &AppState, resource: Resource, id: &DatabricksId) -> Result<(), ScimError> {
    match state.databricks.delete(resource, id).await {
        Ok(()) => Ok(()),
        Err(err) if err.outcome_unknown() => match state.databricks.get(resource, id, &id_only()).await {
            Err(DatabricksError::NotFound { .. }) => Ok(()),
            _ => Err(err.into()),
        },
        Err(err) => Err(or_not_found(resource)(err)),
    }
}

/// How one resource kind is read and listed.
pub struct ResourceSpec {
    /// Which resource.
    pub resource: Resource,
    /// What it can be filtered on.
    pub filters: &'static crate::mapping::filter::FilterTable,
    /// SCIM projection → Databricks selection.
    pub selection: fn(&Projection) -> Selection,
    /// Databricks resource → SCIM resource.
    pub to_scim: fn(&Value, &str) -> Value,
}

/// One list page: one Databricks call, whatever the filter or projection. Serves `GET /Users`
/// and `POST /Users/.search` alike (and the same for groups and service principals).
pub async fn list_page(
    state: &AppState,
    spec: &ResourceSpec,
    request: &ScimRequest,
) -> Result<ScimResponse, ScimError> {
    let query = list_query(request)?;
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
    let page = state.databricks.list(spec.resource, &params).await?;
    let total = page.get("totalResults").and_then(Value::as_u64).unwrap_or(0);
    let mut resources = Vec::new();
    let mut budget = AnswerBudget::for_list();
    let wanted = PageRequest { take: query.count as usize, projection: &query.projection, base_url: &request.base_url };
    page_resources(spec, &page, &wanted, &mut budget, &mut resources)?;
    Ok(ScimResponse::ok_serialized(list_answer(total, query.start_index, &resources)))
}

/// What a list request asks. A `POST …/.search` is read from its SearchRequest body alone:
/// its query string is ignored, not merged (RFC 7644 §3.4.3 puts the parameters in the body,
/// and one request with two filters or two page sizes would have no single meaning). Every
/// other request is read from its query string. Only `.search` routes send a POST to a list.
pub fn list_query(request: &ScimRequest) -> Result<crate::scim::list::ListQuery, ScimError> {
    use crate::scim::list::ListQuery;
    if request.method.eq_ignore_ascii_case("POST") {
        ListQuery::from_search_request(&request.body)
    } else {
        ListQuery::from_query(&request.query)
    }
}

/// What one list answer takes of a Databricks page.
struct PageRequest<'a> {
    /// At most this many resources.
    take: usize,
    /// The client's projection.
    projection: &'a Projection,
    /// For `meta.location` and `$ref`s.
    base_url: &'a str,
}

/// Appends to `out` at most `wanted.take` resources of a Databricks list page, as serialised
/// SCIM resources with the projection applied, while they fit in `budget`: each is serialised
/// once, and measured as the Lambda response will carry it. When one does not fit, the page
/// ends before it and `true` says so: the answer's `itemsPerPage` is then smaller than asked,
/// and the client's next `startIndex` (this one + `itemsPerPage`) starts at that resource, so
/// none is skipped. A resource that does not fit even as the first of the answer is 400
/// `tooMany` naming it.
fn page_resources(
    spec: &ResourceSpec,
    page: &Value,
    wanted: &PageRequest<'_>,
    budget: &mut AnswerBudget,
    out: &mut Vec<String>,
) -> Result<bool, ScimError> {
    let items = page.get("Resources").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for item in items.iter().take(wanted.take) {
        let mut scim = (spec.to_scim)(item, wanted.base_url);
        crate::scim::projection::apply(
            &mut scim,
            wanted.projection,
            spec.resource.schema(),
            spec.resource.extensions(),
        );
        let text = scim.to_string();
        let size = carried_len(&text);
        if !budget.take(size) {
            if out.is_empty() {
                let id = item.get("id").and_then(Value::as_str).unwrap_or("?");
                return Err(too_large(&format!("{} {id}", spec.resource.resource_type()), size, false));
            }
            return Ok(true);
        }
        out.push(text);
    }
    Ok(false)
}

/// `POST /.search` (RFC 7644 §3.4.3): one search across every resource type, paged as one list
/// of the users, then the groups, then the service principals. Each type costs exactly one
/// Databricks list call per page: its `totalResults` places the page, and the call also brings
/// the type's share of the page (asked from where the page starts within that type). For a
/// type without an attribute the filter compares, that comparison is false (it drops out of an
/// `or`); a type the filter cannot match at all costs no call. `totalResults` is the sum.
pub async fn search_all(state: &AppState, request: &ScimRequest) -> Result<ScimResponse, ScimError> {
    let query = crate::scim::list::ListQuery::from_search_request(&request.body)?;
    let plans = search_plans(query.filter.as_ref())?;
    let wanted = query.count as usize;
    let (mut total, mut resources) = (0u64, Vec::new());
    let mut budget = AnswerBudget::for_list();
    let mut full = false;
    for (spec, filter) in plans {
        // Once the byte budget has cut the page, later types only count towards totalResults.
        let share = if full { 0 } else { wanted.saturating_sub(resources.len()) };
        let selection = (spec.selection)(&query.projection);
        let params = ListParams {
            filter,
            // Where the rest of the page starts within this type: past the types before it.
            start_index: (query.start_index + resources.len() as u64).saturating_sub(total).max(1),
            count: u32::try_from(share).unwrap_or(u32::MAX).max(1),
            attributes: selection.attributes,
            excluded_attributes: selection.excluded_attributes,
        };
        let page = state.databricks.list(spec.resource, &params).await?;
        total += page.get("totalResults").and_then(Value::as_u64).unwrap_or(0);
        let request = PageRequest { take: share, projection: &query.projection, base_url: &request.base_url };
        full |= page_resources(spec, &page, &request, &mut budget, &mut resources)?;
    }
    Ok(ScimResponse::ok_serialized(list_answer(total, query.start_index, &resources)))
}

/// Every resource type a root search reads, in paging order.
const SEARCHED_TYPES: [&ResourceSpec; 3] = [&USERS, &GROUPS, &SERVICE_PRINCIPALS];

/// The resource types a root search must ask, each with its Databricks filter. A filter that
/// no type can match is `invalidFilter`; one a type can match but Databricks cannot filter is
/// refused as `GET` on that type would refuse it.
fn search_plans(
    filter: Option<&scim_v2::filter::Filter>,
) -> Result<Vec<(&'static ResourceSpec, Option<String>)>, ScimError> {
    let Some(filter) = filter else {
        return Ok(SEARCHED_TYPES.iter().map(|spec| (*spec, None)).collect());
    };
    let mut plans = Vec::new();
    for spec in SEARCHED_TYPES {
        let defines = |path: &scim_v2::filter::AttrPath| {
            crate::scim::discovery::defines_attribute(spec.resource.schema(), spec.resource.extensions(), path)
        };
        if let Some(own) = crate::scim::list::restrict_filter(filter, &defines) {
            plans.push((spec, Some(crate::mapping::filter::translate(&own, spec.filters)?)));
        }
    }
    if plans.is_empty() {
        return Err(ScimError::InvalidFilter(
            "no resource type (User, Group, ServicePrincipal) has the attributes this filter compares".into(),
        ));
    }
    Ok(plans)
}

/// One resource by id: one Databricks call asking only for what the client wants.
pub async fn get_one(state: &AppState, spec: &ResourceSpec, request: &ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(request, spec.resource)?;
    let wanted = projection(request);
    let resource = read(state, spec.resource, &id, &(spec.selection)(&wanted)).await?;
    let mut scim = (spec.to_scim)(&resource, &request.base_url);
    crate::scim::projection::apply(&mut scim, &wanted, spec.resource.schema(), spec.resource.extensions());
    Ok(ScimResponse::ok(scim))
}

/// Users.
pub const USERS: ResourceSpec = ResourceSpec {
    resource: Resource::User,
    filters: &crate::mapping::user::USER_FILTERS,
    selection: crate::mapping::user::target_selection,
    to_scim: crate::mapping::user::user_to_scim,
};

/// Groups.
pub const GROUPS: ResourceSpec = ResourceSpec {
    resource: Resource::Group,
    filters: &crate::mapping::group::GROUP_FILTERS,
    selection: crate::mapping::group::target_selection,
    to_scim: crate::mapping::group::group_to_scim,
};

/// Service principals.
pub const SERVICE_PRINCIPALS: ResourceSpec = ResourceSpec {
    resource: Resource::ServicePrincipal,
    filters: &crate::mapping::service_principal::SERVICE_PRINCIPAL_FILTERS,
    selection: crate::mapping::service_principal::target_selection,
    to_scim: crate::mapping::service_principal::service_principal_to_scim,
};

/// The id of a resource Databricks answered.
pub fn id_of(resource: &Value) -> Result<DatabricksId, ScimError> {
    resource
        .get("id")
        .and_then(Value::as_str)
        .and_then(DatabricksId::parse)
        .ok_or_else(|| ScimError::BadGateway("Databricks answered a resource without an id".into()))
}

/// Creation with `active:false` (docs/design.md §4): Databricks creates active principals, so the new
/// one is deactivated with one PATCH. The answer is the created resource with `active:false`
/// — exactly what the PATCH changed — so no read follows (a target that hides inactive users
/// could not be read anyway).
pub async fn deactivate_if_asked(
    state: &AppState,
    resource: Resource,
    mut created: Value,
    deactivate: bool,
) -> Result<Value, ScimError> {
    let active =
        created.get("active").map(|a| crate::scim::values::lenient_bool(a, "active").unwrap_or(true)).unwrap_or(true);
    if !deactivate || !active {
        return Ok(created);
    }
    let id = id_of(&created)?;
    let answered = state.databricks.patch(resource, &id, &[PatchOperation::replace("active", "false")]).await?;
    match answered {
        Some(deactivated) => Ok(deactivated),
        None => {
            if let Some(map) = created.as_object_mut() {
                map.insert("active".into(), Value::Bool(false));
            }
            Ok(created)
        }
    }
}

/// PATCH of a user or service principal: one Databricks PATCH; a client value for the
/// immutable key (userName, applicationId) is accepted only when it is the current one.
pub async fn patch_principal(
    state: &AppState,
    spec: &ResourceSpec,
    request: &ScimRequest,
) -> Result<ScimResponse, ScimError> {
    let id = path_id(request, spec.resource)?;
    let operations = crate::scim::patch::parse_patch_request(&request.body)?;
    let plan = crate::mapping::user::principal_patch(&operations, spec.resource)?;
    if !plan.ignored.is_empty() {
        tracing::info!(ignored = ?plan.ignored, "PATCH attributes Databricks cannot hold were ignored");
    }
    let no_content = patch_answers_no_content(state, request);
    let nothing_to_send = plan.operations.is_empty();
    // With nothing to send, one read serves the key check, the existence check and the answer.
    let key = spec.resource.immutable_key();
    let current = match (&plan.key, nothing_to_send) {
        (_, true) if no_content && plan.key.is_none() => Some(read(state, spec.resource, &id, &id_only()).await?),
        (_, true) => Some(read(state, spec.resource, &id, &Selection::default()).await?),
        (Some(_), false) => {
            let probe =
                Selection { attributes: ["id"].into_iter().chain(key).collect(), excluded_attributes: Vec::new() };
            Some(read(state, spec.resource, &id, &probe).await?)
        }
        (None, false) => None,
    };
    if let (Some(wanted), Some(current), Some(key)) = (&plan.key, &current, key) {
        let same = current.get(key).and_then(Value::as_str).is_some_and(|u| u.eq_ignore_ascii_case(wanted.trim()));
        if !same {
            return Err(ScimError::Mutability(format!("{key} cannot be changed in Databricks")));
        }
    }
    let answered = if nothing_to_send {
        current.filter(|c| c.get("id").is_some() && !no_content)
    } else {
        patch_target(state, spec.resource, &id, &plan.operations).await.map_err(or_not_found(spec.resource))?
    };
    // A service principal's rename is checked by reading it back (docs/databricks-behaviour.md).
    let check_rename = spec.resource == Resource::ServicePrincipal && plan.renamed_to.is_some();
    if no_content && !check_rename {
        return Ok(ScimResponse::no_content());
    }
    let Some(resource) = read_after_write(state, spec.resource, &id, answered, &Selection::default()).await? else {
        return Ok(ScimResponse::no_content());
    };
    let resource =
        if check_rename { verify_renamed(state, &id, resource, plan.renamed_to.as_deref()).await? } else { resource };
    if no_content {
        return Ok(ScimResponse::no_content());
    }
    Ok(ScimResponse::ok((spec.to_scim)(&resource, &request.base_url)))
}

/// A read that only proves the resource exists.
pub fn id_only() -> Selection {
    Selection { attributes: vec!["id"], excluded_attributes: Vec::new() }
}
