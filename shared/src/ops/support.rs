//! Pieces several operations share.

use serde_json::Value;

use super::Context;
use super::{ScimRequest, ScimResponse};
use crate::config::PatchResponse;
use crate::databricks::model::{
    Active, DatabricksResource, Group, ListAnswer, PatchOperation, Principal, Selection, ServicePrincipal, User,
};
use crate::databricks::{DatabricksError, DatabricksId, ListParams};
use crate::mapping::Served;
use crate::scim::limits::{AnswerBudget, carried_len, list_answer, too_large};
use crate::scim::list::Projection;
use crate::scim::values::ClientObject;
use crate::scim::{Resource, ScimError};

/// The `{id}` of the path, checked to be a Databricks id before it reaches a URL.
pub fn path_id(request: &ScimRequest, resource: Resource) -> Result<DatabricksId, ScimError> {
    request.resource_id().and_then(DatabricksId::parse).ok_or_else(|| ScimError::no_such(resource))
}

/// The request body of a `POST` or `PUT` as a JSON object, held to the limits on string
/// attributes and member counts before any Databricks call.
pub fn body_object(request: &ScimRequest) -> Result<ClientObject, ScimError> {
    let body = ClientObject::parse(&request.body)?;
    crate::mapping::check_resource_body(&body)?;
    Ok(body)
}

/// The client's projection of this request.
pub fn projection(request: &ScimRequest) -> Projection {
    Projection::from_query(&request.query)
}

/// Reads one resource with the given selection.
pub async fn read<T: DatabricksResource>(
    ctx: &Context,
    id: &DatabricksId,
    selection: &Selection,
) -> Result<T, ScimError> {
    Ok(ctx.databricks.get::<T>(id, selection).await?)
}

/// The first resource whose attribute equals `value` (one list call), if any.
pub async fn find_one<T: DatabricksResource>(
    ctx: &Context,
    attribute: &str,
    value: &str,
) -> Result<Option<T>, ScimError> {
    let params = ListParams {
        filter: Some(crate::mapping::filter::equals(attribute, value)),
        start_index: 1,
        count: 2,
        ..ListParams::default()
    };
    let page = ctx.databricks.list::<T>(&params).await?;
    Ok(page.resources.into_iter().next())
}

/// The resource after a write: Databricks' answer when it carried the resource (the
/// `resource` answer shape), else one read with `selection` (the real API answers `{}`).
pub async fn answer_or_read<T: DatabricksResource>(
    ctx: &Context,
    id: &DatabricksId,
    answered: Option<T>,
    selection: &Selection,
) -> Result<T, ScimError> {
    read_after_write(ctx, id, answered, selection).await?.ok_or_else(|| ScimError::no_such(T::RESOURCE))
}

/// The same, `None` when the target no longer shows the resource after the write was applied
/// (a target that hides inactive users, after a deactivation).
pub async fn read_after_write<T: DatabricksResource>(
    ctx: &Context,
    id: &DatabricksId,
    answered: Option<T>,
    selection: &Selection,
) -> Result<Option<T>, ScimError> {
    match answered {
        Some(body) if body.id().is_some() => Ok(Some(body)),
        _ => match ctx.databricks.get::<T>(id, selection).await {
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
pub async fn patch_target<T: DatabricksResource>(
    ctx: &Context,
    id: &DatabricksId,
    operations: &[PatchOperation],
) -> Result<Option<T>, DatabricksError> {
    let refusal = match ctx.databricks.patch::<T>(id, operations).await {
        Err(err) if err.is_absent_target() => err,
        other => return other,
    };
    let current = ctx.databricks.get::<T>(id, &Selection::default()).await?;
    match crate::mapping::without_absent_removes(operations, &current) {
        None => Err(refusal),
        Some(rest) if rest.is_empty() => Ok(Some(current)),
        Some(rest) => ctx.databricks.patch::<T>(id, &rest).await,
    }
}

/// The SCIM error for a failed group write.
/// Databricks refuses membership changes to account groups in identity-federated workspaces,
/// in words that have varied (400 "Members attribute not supported for current workspace.",
/// 500 "Error in performing the patch operation on group resource."), so any refusal or
/// unknown outcome is followed by one read of the group's `meta` — never a retry — and an
/// account group answers 400 `mutability` naming where to manage it.
pub async fn account_group_refusal(ctx: &Context, id: &DatabricksId, err: DatabricksError) -> ScimError {
    match err {
        err @ (DatabricksError::Server { .. } | DatabricksError::Transport(_)) => {
            probe_account_group(ctx, id, err).await
        }
        DatabricksError::BadRequest { ref detail, .. } if detail.to_ascii_lowercase().contains("member") => {
            probe_account_group(ctx, id, err).await
        }
        err => err.into(),
    }
}

/// One read of the group's `meta` after a refused or unsettled write: an account group is
/// 400 `mutability`; anything else keeps the original error.
async fn probe_account_group(ctx: &Context, id: &DatabricksId, err: DatabricksError) -> ScimError {
    let probe = Selection { attributes: vec!["id", "meta"], excluded_attributes: Vec::new() };
    match ctx.databricks.get::<Group>(id, &probe).await {
        Ok(group) if group.is_account_group() => account_group_refused(),
        _ => err.into(),
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
pub async fn verify_renamed<T: DatabricksResource>(
    ctx: &Context,
    id: &DatabricksId,
    mut principal: T,
    wanted: Option<&str>,
) -> Result<T, ScimError> {
    for _ in 0..2 {
        if check_renamed(&principal, wanted).is_ok() {
            return Ok(principal);
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        principal = read::<T>(ctx, id, &Selection::default()).await?;
    }
    check_renamed(&principal, wanted).map(|()| principal)
}

/// Whether a successful PATCH answers 204: configured so, and the client named no
/// `attributes`/`excludedAttributes` (RFC 7644 §3.5.2: those ask for the resource).
pub fn patch_answers_no_content(ctx: &Context, request: &ScimRequest) -> bool {
    ctx.config.patch_response == PatchResponse::NoContent && projection(request).is_default()
}

/// Checks that a service principal carries the displayName a write set. Databricks has been
/// seen to answer a service-principal rename with success and keep the old name
/// (docs/databricks-behaviour.md); a client told 200 would loop on the difference forever.
pub fn check_renamed(resource: &impl DatabricksResource, wanted: Option<&str>) -> Result<(), ScimError> {
    match wanted {
        Some(name) if resource.display_name() != Some(name) => Err(ScimError::Mutability(
            "Databricks accepted the new displayName of this service principal but did not apply it; \
                 rename it in the Databricks account console (any other change of this request was applied)"
                .into(),
        )),
        _ => Ok(()),
    }
}

/// DELETE, re-reading the target when the outcome is unknown instead of retrying blindly.
pub async fn delete<T: DatabricksResource>(ctx: &Context, request: &ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(request, T::RESOURCE)?;
    delete_by_id::<T>(ctx, &id).await?;
    Ok(ScimResponse::no_content())
}

/// DELETE of one resource by id; when the outcome is unknown (5xx, dropped connection) the
/// target is re-read, and a resource that is gone was deleted (databricks-behaviour: a large
/// group's DELETE answers 500 after deleting it).
pub async fn delete_by_id<T: DatabricksResource>(ctx: &Context, id: &DatabricksId) -> Result<(), ScimError> {
    match ctx.databricks.delete::<T>(id).await {
        Ok(()) => Ok(()),
        Err(err) if err.outcome_unknown() => match ctx.databricks.get::<T>(id, &id_only()).await {
            Err(DatabricksError::NotFound { .. }) => Ok(()),
            _ => Err(err.into()),
        },
        Err(err) => Err(err.into()),
    }
}

/// An answer body as the JSON the HTTP layer sends (and measures).
pub fn json(body: &impl serde::Serialize) -> Result<Value, ScimError> {
    serde_json::to_value(body).map_err(|e| ScimError::Internal(format!("an answer could not be written as JSON: {e}")))
}

/// A resource as its SCIM answer carries it: rendered, then cut to the client's projection
/// (open JSON from here on: which attributes remain depends on the request).
pub fn render<T: Served>(resource: &T, base_url: &str, projection: &Projection) -> Result<Value, ScimError> {
    let mut scim = json(&resource.to_scim(base_url))?;
    crate::scim::projection::apply(&mut scim, projection, T::RESOURCE.schema(), T::RESOURCE.extensions());
    Ok(scim)
}

/// One list page: one Databricks call, whatever the filter or projection. Serves `GET /Users`
/// and `POST /Users/.search` alike (and the same for groups and service principals).
pub async fn list_page<T: Served>(ctx: &Context, request: &ScimRequest) -> Result<ScimResponse, ScimError> {
    let query = list_query(request)?;
    let filter = query.filter.as_ref().map(|f| crate::mapping::filter::translate(f, T::filters())).transpose()?;
    let selection = T::selection(&query.projection);
    let params = ListParams {
        filter,
        start_index: query.start_index,
        // count=0 asks only for totalResults; Databricks is asked for the smallest page.
        count: query.count.max(1),
        attributes: selection.attributes,
        excluded_attributes: selection.excluded_attributes,
    };
    let page = ctx.databricks.list::<T>(&params).await?;
    let mut resources = Vec::new();
    let mut budget = AnswerBudget::for_list();
    let wanted = PageRequest { take: query.count as usize, projection: &query.projection, base_url: &request.base_url };
    page_resources(&page, &wanted, &mut budget, &mut resources)?;
    Ok(ScimResponse::ok_serialized(list_answer(page.total(), query.start_index, &resources)))
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
fn page_resources<T: Served>(
    page: &ListAnswer<T>,
    wanted: &PageRequest<'_>,
    budget: &mut AnswerBudget,
    out: &mut Vec<String>,
) -> Result<bool, ScimError> {
    for item in page.resources.iter().take(wanted.take) {
        let text = render(item, wanted.base_url, wanted.projection)?.to_string();
        let size = carried_len(&text);
        if !budget.take(size) {
            if out.is_empty() {
                let id = item.id().unwrap_or("?");
                return Err(too_large(&format!("{} {id}", T::RESOURCE.resource_type()), size, false));
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
pub async fn search_all(ctx: &Context, request: &ScimRequest) -> Result<ScimResponse, ScimError> {
    let query = crate::scim::list::ListQuery::from_search_request(&request.body)?;
    let filter = query.filter.as_ref();
    let plans = (plan::<User>(filter)?, plan::<Group>(filter)?, plan::<ServicePrincipal>(filter)?);
    if let (None, None, None) = plans {
        return Err(ScimError::InvalidFilter(
            "no resource type (User, Group, ServicePrincipal) has the attributes this filter compares".into(),
        ));
    }
    let mut search = Search {
        query: &query,
        base_url: &request.base_url,
        total: 0,
        resources: Vec::new(),
        budget: AnswerBudget::for_list(),
        full: false,
    };
    // Paging order: users, then groups, then service principals.
    if let Some(filter) = plans.0 {
        search.step::<User>(ctx, filter).await?;
    }
    if let Some(filter) = plans.1 {
        search.step::<Group>(ctx, filter).await?;
    }
    if let Some(filter) = plans.2 {
        search.step::<ServicePrincipal>(ctx, filter).await?;
    }
    Ok(ScimResponse::ok_serialized(list_answer(search.total, query.start_index, &search.resources)))
}

/// A root search under way: what the types asked so far brought.
struct Search<'a> {
    query: &'a crate::scim::list::ListQuery,
    base_url: &'a str,
    total: u64,
    resources: Vec<String>,
    budget: AnswerBudget,
    /// The byte budget has cut the page.
    full: bool,
}

impl Search<'_> {
    /// One type's list call, with its Databricks filter.
    async fn step<T: Served>(&mut self, ctx: &Context, filter: Option<String>) -> Result<(), ScimError> {
        // Once the byte budget has cut the page, later types only count towards totalResults.
        let share = if self.full { 0 } else { (self.query.count as usize).saturating_sub(self.resources.len()) };
        let selection = T::selection(&self.query.projection);
        let params = ListParams {
            filter,
            // Where the rest of the page starts within this type: past the types before it.
            start_index: (self.query.start_index + self.resources.len() as u64).saturating_sub(self.total).max(1),
            count: u32::try_from(share).unwrap_or(u32::MAX).max(1),
            attributes: selection.attributes,
            excluded_attributes: selection.excluded_attributes,
        };
        let page = ctx.databricks.list::<T>(&params).await?;
        self.total += page.total();
        let wanted = PageRequest { take: share, projection: &self.query.projection, base_url: self.base_url };
        self.full |= page_resources(&page, &wanted, &mut self.budget, &mut self.resources)?;
        Ok(())
    }
}

/// What a root search asks of type `T`: `None` when the filter can match none of its resources
/// (no call), else its Databricks filter. A filter `T` can match but Databricks cannot filter is
/// refused as `GET` on that type would refuse it.
fn plan<T: Served>(filter: Option<&scim_v2::filter::Filter>) -> Result<Option<Option<String>>, ScimError> {
    let Some(filter) = filter else { return Ok(Some(None)) };
    let resource = T::RESOURCE;
    let defines = |path: &scim_v2::filter::AttrPath| {
        crate::scim::discovery::defines_attribute(resource.schema(), resource.extensions(), path)
    };
    crate::scim::list::restrict_filter(filter, &defines)
        .map(|own| crate::mapping::filter::translate(&own, T::filters()).map(Some))
        .transpose()
}

/// One resource by id: one Databricks call asking only for what the client wants.
pub async fn get_one<T: Served>(ctx: &Context, request: &ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(request, T::RESOURCE)?;
    let wanted = projection(request);
    let resource = read::<T>(ctx, &id, &T::selection(&wanted)).await?;
    Ok(ScimResponse::ok(render(&resource, &request.base_url, &wanted)?))
}

/// The id of a resource Databricks answered.
pub fn id_of(resource: &impl DatabricksResource) -> Result<DatabricksId, ScimError> {
    resource
        .id()
        .and_then(DatabricksId::parse)
        .ok_or_else(|| ScimError::bad_gateway("Databricks answered a resource without an id"))
}

/// A PUT as read: the resource as Databricks holds it, and the one PATCH that makes it what the
/// client sent (no operations when nothing changes).
pub struct Replacement<T> {
    /// The resource's id.
    pub id: DatabricksId,
    /// The resource before the PUT.
    pub current: T,
    /// What changes.
    pub operations: Vec<PatchOperation>,
}

/// Reads the resource a PUT names, whole, and translates the body against it (the body is
/// checked before anything is read).
pub async fn replacement<T: DatabricksResource>(
    ctx: &Context,
    request: &ScimRequest,
    translate: fn(&ClientObject, &T) -> Result<Vec<PatchOperation>, ScimError>,
) -> Result<Replacement<T>, ScimError> {
    let id = path_id(request, T::RESOURCE)?;
    let body = body_object(request)?;
    let current = read::<T>(ctx, &id, &Selection::default()).await?;
    let operations = translate(&body, &current)?;
    Ok(Replacement { id, current, operations })
}

impl<T: DatabricksResource> Replacement<T> {
    /// The PATCH, when there is anything to change ([`patch_target`]); what it answers, or the
    /// current resource when nothing changes.
    pub async fn apply(self, ctx: &Context) -> Result<Option<T>, DatabricksError> {
        if self.operations.is_empty() {
            return Ok(Some(self.current));
        }
        patch_target(ctx, &self.id, &self.operations).await
    }
}

/// The 201 of a create: the resource as SCIM answers it.
pub fn created<T: Served>(resource: &T, base_url: &str) -> Result<ScimResponse, ScimError> {
    Ok(ScimResponse::created(render(resource, base_url, &Projection::default())?))
}

/// The 200 of a write: the resource as SCIM answers it.
pub fn written<T: Served>(resource: &T, base_url: &str) -> Result<ScimResponse, ScimError> {
    Ok(ScimResponse::ok(render(resource, base_url, &Projection::default())?))
}

/// The 201 of a user or service principal created, deactivated first when the client asked
/// for `active:false`; a failed deactivation is a 502, never a 429/503 (see
/// [`super::never_as_nothing_done`]).
pub async fn created_principal<T: Served + Principal>(
    ctx: &Context,
    created: T,
    deactivate: bool,
    base_url: &str,
) -> Result<ScimResponse, ScimError> {
    let principal = deactivate_if_asked(ctx, created, deactivate)
        .await
        .map_err(super::never_as_nothing_done(super::created_but_unfinished(T::RESOURCE.noun())))?;
    self::created(&principal, base_url)
}

/// Creation with `active:false` (docs/design.md §4): Databricks creates active principals, so the new
/// one is deactivated with one PATCH. The answer is the created resource with `active:false`
/// — exactly what the PATCH changed — so no read follows (a target that hides inactive users
/// could not be read anyway).
pub async fn deactivate_if_asked<T: Principal>(
    ctx: &Context,
    mut created: T,
    deactivate: bool,
) -> Result<T, ScimError> {
    if !deactivate || !created.principal().is_active() {
        return Ok(created);
    }
    let id = id_of(&created)?;
    let answered = ctx.databricks.patch::<T>(&id, &[PatchOperation::replace("active", "false")]).await?;
    match answered {
        Some(deactivated) => Ok(deactivated),
        None => {
            created.principal_mut().active = Some(Active::Bool(false));
            Ok(created)
        }
    }
}

/// PATCH of a user or service principal: one Databricks PATCH; a client value for the
/// immutable key (userName, applicationId) is accepted only when it is the current one.
pub async fn patch_principal<T: Served + Principal>(
    ctx: &Context,
    request: &ScimRequest,
) -> Result<ScimResponse, ScimError> {
    let resource = T::RESOURCE;
    let id = path_id(request, resource)?;
    let operations = crate::scim::patch::parse_patch_request(&request.body)?;
    let plan = crate::mapping::user::principal_patch(&operations, resource)?;
    if !plan.ignored.is_empty() {
        tracing::info!(ignored = ?plan.ignored, "PATCH attributes Databricks cannot hold were ignored");
    }
    let no_content = patch_answers_no_content(ctx, request);
    let nothing_to_send = plan.operations.is_empty();
    // With nothing to send, one read serves the key check, the existence check and the answer.
    let key = resource.immutable_key();
    let current = match (&plan.key, nothing_to_send) {
        (_, true) if no_content && plan.key.is_none() => Some(read::<T>(ctx, &id, &id_only()).await?),
        (_, true) => Some(read::<T>(ctx, &id, &Selection::default()).await?),
        (Some(_), false) => {
            let probe =
                Selection { attributes: ["id"].into_iter().chain(key).collect(), excluded_attributes: Vec::new() };
            Some(read::<T>(ctx, &id, &probe).await?)
        }
        (None, false) => None,
    };
    if let (Some(wanted), Some(current), Some(key)) = (&plan.key, &current, key) {
        let same = current.key().is_some_and(|u| u.eq_ignore_ascii_case(wanted.trim()));
        if !same {
            return Err(ScimError::Mutability(format!("{key} cannot be changed in Databricks")));
        }
    }
    let answered = if nothing_to_send {
        current.filter(|c| c.id().is_some() && !no_content)
    } else {
        patch_target::<T>(ctx, &id, &plan.operations).await?
    };
    // A service principal's rename is checked by reading it back (docs/databricks-behaviour.md).
    let check_rename = resource == Resource::ServicePrincipal && plan.renamed_to.is_some();
    if no_content && !check_rename {
        return Ok(ScimResponse::no_content());
    }
    let Some(patched) = read_after_write(ctx, &id, answered, &Selection::default()).await? else {
        return Ok(ScimResponse::no_content());
    };
    let patched =
        if check_rename { verify_renamed(ctx, &id, patched, plan.renamed_to.as_deref()).await? } else { patched };
    if no_content {
        return Ok(ScimResponse::no_content());
    }
    written(&patched, &request.base_url)
}

/// A read that only proves the resource exists.
pub fn id_only() -> Selection {
    Selection { attributes: vec!["id"], excluded_attributes: Vec::new() }
}
