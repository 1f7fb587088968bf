//! Answers: a Databricks resource rendered as SCIM with the client's projection, as 200 or 201.

use serde_json::Value;

use crate::mapping::Served;
use crate::ops::ScimResponse;
use crate::scim::ScimError;
use crate::scim::list::Projection;

/// An answer body as the JSON the HTTP layer sends (and measures).
pub fn json(body: &impl serde::Serialize) -> Result<Value, ScimError> {
    serde_json::to_value(body).map_err(|e| ScimError::Internal(format!("an answer could not be written as JSON: {e}")))
}

/// A resource as its SCIM answer carries it: rendered, then cut to the client's projection
/// (open JSON from here on: which attributes remain depends on the request).
pub fn render<T: Served>(resource: &T, base_url: &str, projection: &Projection) -> Result<Value, ScimError> {
    let mut scim = json(&resource.to_scim(base_url))?;
    crate::scim::projection::apply(&mut scim, projection, T::RESOURCE.schema(), T::RESOURCE.extensions());
    Ok(scim)
}

/// The 201 of a create: the resource as SCIM answers it.
pub fn created<T: Served>(resource: &T, base_url: &str) -> Result<ScimResponse, ScimError> {
    Ok(ScimResponse::created(render(resource, base_url, &Projection::default())?))
}

/// The 200 of a write: the resource as SCIM answers it.
pub fn written<T: Served>(resource: &T, base_url: &str) -> Result<ScimResponse, ScimError> {
    Ok(ScimResponse::ok(render(resource, base_url, &Projection::default())?))
}
