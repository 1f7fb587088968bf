//! Reading resources from Databricks: by id, by an attribute, after a write whose answer was
//! `{}` or empty.

use crate::databricks::model::{DatabricksResource, ListAnswer, Selection};
use crate::databricks::{ApiLevel, DatabricksError, DatabricksId, ListParams};
use crate::mapping::Served;
use crate::ops::{Context, ScimRequest, ScimResponse};
use crate::scim::Resource;
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
    let page = list::<T>(ctx, params).await?;
    Ok(page.resources.into_iter().next())
}

/// Largest page of groups asked of the account API when their members are wanted: each costs
/// one more read.
pub const MEMBERS_READ_PAGE: u32 = 20;

/// One Databricks list page. The account API lists groups without their members (since
/// 2025-08-22, docs/databricks-behaviour.md): when the selection wants members, the page is at
/// most [`MEMBERS_READ_PAGE`] groups and each is read with that selection.
pub async fn list<T: DatabricksResource>(
    ctx: &Context,
    mut params: ListParams,
) -> Result<ListAnswer<T>, DatabricksError> {
    let wants_members = params.attributes.contains(&"members")
        || (params.attributes.is_empty() && !params.excluded_attributes.contains(&"members"));
    let read_each = T::RESOURCE == Resource::Group && ctx.databricks.level() == ApiLevel::Account && wants_members;
    if read_each {
        params.count = params.count.min(MEMBERS_READ_PAGE);
    }
    let mut page = ctx.databricks.list::<T>(&params).await?;
    if read_each {
        let selection = Selection {
            attributes: params.attributes.clone(),
            excluded_attributes: params.excluded_attributes.clone(),
        };
        for item in &mut page.resources {
            let Some(id) = item.id().and_then(DatabricksId::parse) else { continue };
            match ctx.databricks.get::<T>(&id, &selection).await {
                Ok(read) => *item = read,
                // Deleted since the list: shown as listed.
                Err(DatabricksError::NotFound { .. }) => {}
                Err(err) => return Err(err),
            }
        }
    }
    Ok(page)
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
