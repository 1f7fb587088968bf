//! `DELETE /Users/{id}`.

use super::support::{Kind, delete};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    delete(state, Kind::User, &request).await
}
