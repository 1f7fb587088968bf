//! Writing resources: one PATCH of a plan, a rename checked by reading it back, DELETE with a
//! re-read when the outcome is unknown, PUT as one PATCH of what changed, creates that deactivate.

use crate::config::PatchResponse;
use crate::databricks::model::{Active, DatabricksResource, PatchOperation, Principal, Selection};
use crate::databricks::{DatabricksClient, DatabricksError, DatabricksId};
use crate::mapping::Served;
use crate::ops::{Context, ScimRequest, ScimResponse};
use crate::scim::values::ClientObject;
use crate::scim::{Resource, ScimError};

use super::answer::{created, written};
use super::input::{body_object, path_id, projection};
use super::read::{id_of, id_only, read, read_after_write};

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
    super::assignment::unassign_from_workspaces(ctx, &id).await?;
    delete_by_id::<T>(&ctx.databricks, &id).await?;
    Ok(ScimResponse::no_content())
}

/// DELETE of one resource by id; when the outcome is unknown (5xx, dropped connection) the
/// target is re-read, and a resource that is gone was deleted (databricks-behaviour: a large
/// group's DELETE answers 500 after deleting it).
pub async fn delete_by_id<T: DatabricksResource>(
    client: &DatabricksClient,
    id: &DatabricksId,
) -> Result<(), ScimError> {
    match client.delete::<T>(id).await {
        Ok(()) => Ok(()),
        Err(err) if err.outcome_unknown() => match client.get::<T>(id, &id_only()).await {
            Err(DatabricksError::NotFound { .. }) => Ok(()),
            _ => Err(err.into()),
        },
        Err(err) => Err(err.into()),
    }
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
        .map_err(crate::ops::never_as_nothing_done(crate::ops::created_but_unfinished(T::RESOURCE.noun())))?;
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
