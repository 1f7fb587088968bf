//! `POST /ServicePrincipals`: create; `active:false` creates then deactivates.

use serde_json::Value;

use super::support::{Kind, body_object, deactivate_if_asked, find_one};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::{DatabricksError, TargetResource};
use crate::mapping::service_principal::{create_request, service_principal_to_scim};
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let new = create_request(&body_object(&request)?)?;
    let created = match state.databricks.create(TargetResource::ServicePrincipals, &new.body).await {
        Ok(principal) => principal,
        Err(DatabricksError::Conflict { .. }) => {
            return Err(ScimError::Uniqueness("a service principal with this applicationId already exists".into()));
        }
        Err(err) if err.outcome_unknown() => {
            // Look for it before anything else: by applicationId when the client chose one.
            let (attribute, value) = match new.body.get("applicationId").and_then(Value::as_str) {
                Some(app) => ("applicationId", app),
                None => ("displayName", new.body.get("displayName").and_then(Value::as_str).unwrap_or_default()),
            };
            find_one(state, Kind::ServicePrincipal, attribute, value).await?.ok_or(ScimError::from(err))?
        }
        Err(err) => return Err(err.into()),
    };
    let principal = deactivate_if_asked(state, Kind::ServicePrincipal, created, new.deactivate).await?;
    Ok(ScimResponse::created(service_principal_to_scim(&principal, &request.base_url)))
}
