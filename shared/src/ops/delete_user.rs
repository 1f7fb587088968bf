//! `DELETE /Users/{id}`.

use super::support::delete;
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::scim::{Resource, ScimError};

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    delete(state, Resource::User, &request).await
}
