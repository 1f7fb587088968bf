//! `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`, and the SCIM answer for every
//! other path under the SCIM base: 405 for a known path with the wrong method, else 404.

use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::scim::{ScimError, discovery};

/// Handles the request.
pub async fn handle(_state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let segments = request.segments();
    let first = segments.first().map(|s| s.to_ascii_lowercase());
    let is_get = request.method.eq_ignore_ascii_case("GET");
    let base = request.base_url.as_str();
    let unknown = || ScimError::NotFound("no such SCIM endpoint".into());
    let method_not_allowed =
        || ScimError::MethodNotAllowed(format!("{} is not allowed on this endpoint", request.method));
    match (first.as_deref(), segments.len()) {
        (Some("serviceproviderconfig"), 1) if is_get => Ok(ScimResponse::ok(discovery::service_provider_config(base))),
        (Some("resourcetypes"), 1) if is_get => Ok(ScimResponse::ok(discovery::resource_types_list(base))),
        (Some("resourcetypes"), 2) if is_get => discovery::resource_type(base, segments[1])
            .map(ScimResponse::ok)
            .ok_or_else(|| ScimError::NotFound("no such resource type".into())),
        (Some("schemas"), 1) if is_get => Ok(ScimResponse::ok(discovery::schemas_list(base))),
        (Some("schemas"), 2) if is_get => discovery::schema(base, segments[1])
            .map(ScimResponse::ok)
            .ok_or_else(|| ScimError::NotFound("no such schema".into())),
        (Some("serviceproviderconfig"), 1) | (Some("resourcetypes"), 1 | 2) | (Some("schemas"), 1 | 2) => {
            Err(method_not_allowed())
        }
        (Some("users") | Some("groups") | Some("serviceprincipals"), 1 | 2) => Err(method_not_allowed()),
        (Some(".search"), 1) => {
            Err(ScimError::NotImplemented("POST /.search is not supported; use GET with a filter".into()))
        }
        _ => Err(unknown()),
    }
}

#[cfg(test)]
mod tests;
