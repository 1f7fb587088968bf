//! `GET /Groups`: one Databricks list call per page; members only when wanted.

use super::support::{Kind, ListSpec, list_page};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::mapping::group::{GROUP_FILTERS, group_to_scim, target_selection};
use crate::scim::{GROUP_EXTENSION_SCHEMA, GROUP_SCHEMA, ScimError};

const GROUPS: ListSpec = ListSpec {
    kind: Kind::Group,
    filters: &GROUP_FILTERS,
    selection: target_selection,
    to_scim: group_to_scim,
    schema: GROUP_SCHEMA,
    extensions: &[GROUP_EXTENSION_SCHEMA],
};

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    list_page(state, &GROUPS, &request).await
}
