//! `POST /ServicePrincipals`: create; `active:false` creates then deactivates. When the
//! outcome is unknown, only a principal that is certainly this request's is adopted:
//! display names are not unique.

use serde_json::Value;

use super::Context;
use super::support::{body_object, deactivate_if_asked, find_one};
use super::{ScimRequest, ScimResponse, created_but_unfinished, never_as_nothing_done};
use crate::databricks::{DatabricksError, ListParams};
use crate::mapping::service_principal::{create_request, service_principal_to_scim};
use crate::scim::{Resource, ScimError};

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let new = create_request(&body_object(&request)?, ctx.config.cloud)?;
    let created = match ctx.databricks.create(Resource::ServicePrincipal, &new.body).await {
        Ok(principal) => principal,
        // Also after throttled attempts, which Databricks did not do: the applicationId is taken.
        Err(DatabricksError::Conflict { .. }) => return Err(taken()),
        // A look-up that fails leaves the outcome unknown: the client is told so (502), never
        // a 429/503 that would have it create a second principal.
        Err(err) if err.outcome_unknown() => match own_principal(&ctx, &new.body).await {
            Ok(Some(found)) => found,
            Ok(None) | Err(_) => return Err(err.into()),
        },
        Err(err) => return Err(err.into()),
    };
    let principal = deactivate_if_asked(&ctx, Resource::ServicePrincipal, created, new.deactivate)
        .await
        .map_err(never_as_nothing_done(created_but_unfinished("service principal")))?;
    Ok(ScimResponse::created(service_principal_to_scim(&principal, &request.base_url)))
}

fn taken() -> ScimError {
    ScimError::Uniqueness("a service principal with this applicationId already exists".into())
}

/// The principal a create whose outcome is unknown may have made, when it can be told apart:
/// by the applicationId the client chose (unique), else by an `externalId` held by exactly one
/// principal of that displayName. Without either, nothing is adopted.
async fn own_principal(ctx: &Context, body: &Value) -> Result<Option<Value>, ScimError> {
    if let Some(app) = body.get("applicationId").and_then(Value::as_str) {
        return find_one(ctx, Resource::ServicePrincipal, "applicationId", app).await;
    }
    let (Some(external), Some(name)) =
        (body.get("externalId").and_then(Value::as_str), body.get("displayName").and_then(Value::as_str))
    else {
        return Ok(None);
    };
    let params = ListParams {
        filter: Some(crate::mapping::filter::equals("externalId", external)),
        start_index: 1,
        count: 2,
        ..ListParams::default()
    };
    let page = ctx.databricks.list(Resource::ServicePrincipal, &params).await?;
    let found = page.get("Resources").and_then(Value::as_array).cloned().unwrap_or_default();
    match found.as_slice() {
        [one] if one.get("displayName").and_then(Value::as_str) == Some(name) => Ok(Some(one.clone())),
        _ => Ok(None),
    }
}
