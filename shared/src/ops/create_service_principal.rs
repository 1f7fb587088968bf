//! `POST /ServicePrincipals`: create; `active:false` creates then deactivates. When the
//! outcome is unknown, only a principal that is certainly this request's is adopted:
//! display names are not unique.

use super::Context;
use super::support::assignment::{Origin, assign_to_workspaces};
use super::support::input::body_object;
use super::support::read::find_one;
use super::support::write::created_principal;
use super::{ScimRequest, ScimResponse};
use crate::databricks::ListParams;
use crate::databricks::model::{ServicePrincipal, ServicePrincipalCreate};
use crate::mapping::service_principal::create_request;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let new = create_request(&body_object(&request)?, ctx.config.cloud)?;
    let (created, origin) = match ctx.databricks.create::<ServicePrincipal>(&new.body).await {
        Ok(principal) => (principal, Origin::Created),
        // A look-up that fails leaves the outcome unknown: the client is told so (502), never
        // a 429/503 that would have it create a second principal.
        Err(err) if err.outcome_unknown() => match own_principal(&ctx, &new.body).await {
            Ok(Some(found)) => (found, Origin::Found),
            Ok(None) | Err(_) => return Err(err.into()),
        },
        // A 409 also after throttled attempts, which Databricks did not do: the applicationId
        // is taken (409 `uniqueness`).
        Err(err) => return Err(err.into()),
    };
    assign_to_workspaces(&ctx, &created, origin).await?;
    created_principal(&ctx, created, new.deactivate, &request.base_url).await
}

/// The principal a create whose outcome is unknown may have made, when it can be told apart:
/// by the applicationId the client chose (unique), else by an `externalId` held by exactly one
/// principal of that displayName. Without either, nothing is adopted.
async fn own_principal(ctx: &Context, body: &ServicePrincipalCreate) -> Result<Option<ServicePrincipal>, ScimError> {
    if let Some(app) = &body.application_id {
        return find_one(ctx, "applicationId", app).await;
    }
    let (Some(external), Some(name)) = (&body.common.external_id, &body.display_name) else {
        return Ok(None);
    };
    let params = ListParams {
        filter: Some(crate::mapping::filter::equals("externalId", external)),
        start_index: 1,
        count: 2,
        ..ListParams::default()
    };
    let page = ctx.databricks.list::<ServicePrincipal>(&params).await?;
    match <[ServicePrincipal; 1]>::try_from(page.resources) {
        Ok([one]) if one.display_name.as_deref() == Some(name.as_str()) => Ok(Some(one)),
        _ => Ok(None),
    }
}
