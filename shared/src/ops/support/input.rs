//! What an operation reads from the request: the id in the path, the body held to the limits, the
//! projection and the list query.

use crate::databricks::DatabricksId;
use crate::ops::ScimRequest;
use crate::scim::list::Projection;
use crate::scim::values::ClientObject;
use crate::scim::{Resource, ScimError};

/// The `{id}` of the path, checked to be a Databricks id before it reaches a URL.
pub fn path_id(request: &ScimRequest, resource: Resource) -> Result<DatabricksId, ScimError> {
    request.resource_id().and_then(DatabricksId::parse).ok_or_else(|| ScimError::no_such(resource))
}

/// The request body of a `POST` or `PUT` as a JSON object, held to the limits on string
/// attributes and member counts before any Databricks call.
pub fn body_object(request: &ScimRequest) -> Result<ClientObject, ScimError> {
    let body = ClientObject::parse(&request.body)?;
    crate::mapping::check_resource_body(&body)?;
    Ok(body)
}

/// The client's projection of this request.
pub fn projection(request: &ScimRequest) -> Projection {
    Projection::from_query(&request.query)
}

/// What a list request asks. A `POST …/.search` is read from its SearchRequest body alone:
/// its query string is ignored, not merged (RFC 7644 §3.4.3 puts the parameters in the body,
/// and one request with two filters or two page sizes would have no single meaning). Every
/// other request is read from its query string. Only `.search` routes send a POST to a list.
pub fn list_query(request: &ScimRequest) -> Result<crate::scim::list::ListQuery, ScimError> {
    use crate::scim::list::ListQuery;
    if request.method.eq_ignore_ascii_case("POST") {
        ListQuery::from_search_request(&request.body)
    } else {
        ListQuery::from_query(&request.query)
    }
}
