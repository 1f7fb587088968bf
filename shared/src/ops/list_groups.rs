//! `GET /Groups`: one Databricks list call per page; members only when wanted.

use super::support::list_page;
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::model::Group;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    list_page::<Group>(state, &request).await
}
