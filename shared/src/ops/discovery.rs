//! `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`, `POST /.search` across every
//! resource type, and the SCIM answer for every other path under the SCIM base: 405 for a known
//! path with the wrong method, 404 otherwise — naming the right path when only the case of a
//! resource name is wrong (paths are case-sensitive at the gateway, so `/users` lands here).

use super::Context;
use super::support::listing::search_all;
use super::{ScimRequest, ScimResponse};
use crate::scim::{Resource, ScimError, discovery};

/// The search path extension (RFC 7644 §3.4.3).
const SEARCH: &str = ".search";

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let segments = request.segments();
    let first = segments.first().map(|s| s.to_ascii_lowercase());
    let is_get = request.method.eq_ignore_ascii_case("GET");
    let base = request.base_url.as_str();
    let account = ctx.config.account().is_some();
    match (first.as_deref(), segments.len()) {
        (Some("serviceproviderconfig"), 1) if is_get => {
            Ok(ScimResponse::ok(discovery::document(&discovery::service_provider_config(base))?))
        }
        (Some("resourcetypes"), 1) if is_get => Ok(ScimResponse::ok(discovery::resource_types_list(base, account)?)),
        (Some("resourcetypes"), 2) if is_get => match discovery::resource_type(base, segments[1], account) {
            Some(found) => Ok(ScimResponse::ok(discovery::document(&found)?)),
            None => Err(ScimError::NotFound("no such resource type".into())),
        },
        (Some("schemas"), 1) if is_get => Ok(ScimResponse::ok(discovery::schemas_list(base, account)?)),
        (Some("schemas"), 2) if is_get => match discovery::schema_for_target(base, segments[1], account) {
            Some(found) => Ok(ScimResponse::ok(discovery::document(&found)?)),
            None => Err(ScimError::NotFound("no such schema".into())),
        },
        (Some(SEARCH), 1) if request.method.eq_ignore_ascii_case("POST") => search_all(&ctx, &request).await,
        (Some("serviceproviderconfig"), 1) | (Some("resourcetypes"), 1 | 2) | (Some("schemas"), 1 | 2) => {
            Err(method_not_allowed(&request))
        }
        (Some(SEARCH), 1) => {
            Err(ScimError::MethodNotAllowed(format!("{} is not allowed on /.search: use POST", request.method)))
        }
        _ => Err(resource_path_error(&request, &segments)),
    }
}

fn method_not_allowed(request: &ScimRequest) -> ScimError {
    ScimError::MethodNotAllowed(format!("{} is not allowed on this endpoint", request.method))
}

/// A path under a resource endpoint that reached this function: a wrong method on a real path
/// (405), a resource name in the wrong case (404 naming the right path), or no endpoint (404).
fn resource_path_error(request: &ScimRequest, segments: &[&str]) -> ScimError {
    if let Some(right) = right_spelling(segments) {
        return ScimError::NotFound(format!("no such endpoint; did you mean {right}?"));
    }
    match segments {
        [resource] | [resource, _] if Resource::at_endpoint(resource).is_some() => method_not_allowed(request),
        _ => ScimError::NotFound("no such SCIM endpoint".into()),
    }
}

/// `/users/123` → `/Users/123`, `/Groups/.Search` → `/Groups/.search`: the path as the gateway
/// routes it, when the given one differs only in the case of the resource name or of `.search`.
fn right_spelling(segments: &[&str]) -> Option<String> {
    let (first, rest) = segments.split_first()?;
    let resource = Resource::ALL.map(Resource::endpoint).into_iter().find(|r| r.eq_ignore_ascii_case(first))?;
    let rest: Vec<&str> = match rest {
        [] => Vec::new(),
        [second] if second.eq_ignore_ascii_case(SEARCH) => vec![SEARCH],
        [id] => vec![*id],
        _ => return None,
    };
    let right = std::iter::once(resource).chain(rest).collect::<Vec<_>>();
    (right.as_slice() != segments).then(|| format!("/{}", right.join("/")))
}

#[cfg(test)]
mod tests;
