//! `PATCH /Groups/{id}`: all membership and attribute changes of the request in one
//! Databricks PATCH. The answer shows members only when the PATCH changed them or the
//! client asked for them; with `SCIM_PATCH_RESPONSE=no-content` it is a 204 and the PATCH
//! is the only Databricks call.

use super::Context;
use super::support::account_group::account_group_refusal;
use super::support::answer::render;
use super::support::input::{path_id, projection};
use super::support::read::{answer_or_read, id_only, read};
use super::support::write::{patch_answers_no_content, patch_target};
use super::{ScimRequest, ScimResponse};
use crate::databricks::model::Group;
use crate::mapping::group::{patch_request, target_selection};
use crate::scim::patch::parse_patch_request;
use crate::scim::{Resource, ScimError};

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(&request, Resource::Group)?;
    let plan = patch_request(&parse_patch_request(&request.body)?)?;
    if !plan.ignored.is_empty() {
        tracing::info!(ignored = ?plan.ignored, "PATCH attributes Databricks cannot hold were ignored");
    }
    let no_content = patch_answers_no_content(&ctx, &request);
    let mut wanted = projection(&request);
    if wanted.is_default() && !plan.touches_members {
        wanted.excluded.push("members".into());
    }
    let selection = target_selection(&wanted);
    let answered = if plan.operations.is_empty() {
        let probe = if no_content { id_only() } else { selection.clone() };
        Some(read::<Group>(&ctx, &id, &probe).await?)
    } else {
        match patch_target(&ctx, &id, &plan.operations).await {
            Ok(answered) => answered,
            Err(err) => return Err(account_group_refusal(&ctx, &id, err).await),
        }
    };
    if no_content {
        return Ok(ScimResponse::no_content());
    }
    let group = answer_or_read(&ctx, &id, answered, &selection).await?;
    Ok(ScimResponse::ok(render(&group, &request.base_url, &wanted)?))
}
