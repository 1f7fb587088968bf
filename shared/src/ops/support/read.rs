//! Reading resources from Databricks: by id, by an attribute, after a write whose answer was
//! `{}` or empty.

use crate::databricks::model::{DatabricksResource, Selection};
use crate::databricks::{DatabricksError, DatabricksId, ListParams};
use crate::mapping::Served;
use crate::ops::{Context, ScimRequest, ScimResponse};
use crate::scim::ScimError;

use super::answer::render;
use super::input::{path_id, projection};

/// Reads one resource with the given selection.
pub async fn read<T: DatabricksResource>(
    ctx: &Context,
    id: &DatabricksId,
    selection: &Selection,
) -> Result<T, ScimError> {
    Ok(ctx.databricks.get::<T>(id, selection).await?)
}

/// The first resource whose attribute equals `value` (one list call), if any.
pub async fn find_one<T: DatabricksResource>(
    ctx: &Context,
    attribute: &str,
    value: &str,
) -> Result<Option<T>, ScimError> {
    let params = ListParams {
        filter: Some(crate::mapping::filter::equals(attribute, value)),
        start_index: 1,
        count: 2,
        ..ListParams::default()
    };
    let page = ctx.databricks.list::<T>(&params).await?;
    Ok(page.resources.into_iter().next())
}

/// The resource after a write: Databricks' answer when it carried the resource (the
/// `resource` answer shape), else one read with `selection` (the real API answers `{}`).
pub async fn answer_or_read<T: DatabricksResource>(
    ctx: &Context,
    id: &DatabricksId,
    answered: Option<T>,
    selection: &Selection,
) -> Result<T, ScimError> {
    read_after_write(ctx, id, answered, selection).await?.ok_or_else(|| ScimError::no_such(T::RESOURCE))
}

/// The same, `None` when the target no longer shows the resource after the write was applied
/// (a target that hides inactive users, after a deactivation).
pub async fn read_after_write<T: DatabricksResource>(
    ctx: &Context,
    id: &DatabricksId,
    answered: Option<T>,
    selection: &Selection,
) -> Result<Option<T>, ScimError> {
    match answered {
        Some(body) if body.id().is_some() => Ok(Some(body)),
        _ => match ctx.databricks.get::<T>(id, selection).await {
            Ok(resource) => Ok(Some(resource)),
            Err(DatabricksError::NotFound { .. }) => Ok(None),
            Err(err) => Err(err.into()),
        },
    }
}

/// One resource by id: one Databricks call asking only for what the client wants.
pub async fn get_one<T: Served>(ctx: &Context, request: &ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(request, T::RESOURCE)?;
    let wanted = projection(request);
    let resource = read::<T>(ctx, &id, &T::selection(&wanted)).await?;
    Ok(ScimResponse::ok(render(&resource, &request.base_url, &wanted)?))
}

/// The id of a resource Databricks answered.
pub fn id_of(resource: &impl DatabricksResource) -> Result<DatabricksId, ScimError> {
    resource
        .id()
        .and_then(DatabricksId::parse)
        .ok_or_else(|| ScimError::bad_gateway("Databricks answered a resource without an id"))
}

/// A read that only proves the resource exists.
pub fn id_only() -> Selection {
    Selection { attributes: vec!["id"], excluded_attributes: Vec::new() }
}
