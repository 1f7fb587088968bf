//! `GET /Users`: one Databricks list call per page.

use super::support::{Kind, ListSpec, list_page};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::mapping::user::{USER_FILTERS, target_selection, user_to_scim};
use crate::scim::{ScimError, USER_SCHEMA};

const USERS: ListSpec = ListSpec {
    kind: Kind::User,
    filters: &USER_FILTERS,
    selection: target_selection,
    to_scim: user_to_scim,
    schema: USER_SCHEMA,
    extensions: &[],
};

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    list_page(state, &USERS, &request).await
}
