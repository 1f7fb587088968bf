//! `GET /Users` and `POST /Users/.search` (a SearchRequest body, RFC 7644 §3.4.3): one
//! Databricks list call per page, the same call for both.

use super::support::list_page;
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::model::User;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    list_page::<User>(state, &request).await
}
