//! `GET /Groups/{id}`: members are fetched only when the client wants them.

use super::support::{GROUPS, get_one};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    get_one(state, &GROUPS, &request).await
}
