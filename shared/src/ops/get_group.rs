//! `GET /Groups/{id}`: members are fetched only when the client wants them.

use super::support::get_one;
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::model::Group;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    get_one::<Group>(state, &request).await
}
