//! `DELETE /Users/{id}`.

use super::support::delete;
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::model::User;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    delete::<User>(state, &request).await
}
