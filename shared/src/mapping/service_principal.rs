//! Service principals: Databricks' `ServicePrincipal` resource (docs/databricks-behaviour.md row 50) as a
//! SCIM resource type: displayName, applicationId, active, entitlements, groups, externalId.

use super::filter::{ACTIVE_FILTER, COMMON_FILTERS, FilterTable, Filterable, row_count, rows};
use super::user::{entitlements_from, principal_attributes, principal_replace_operations, roles_refused};
use super::{common_attributes, principal_selection, refuse_roles, requested_active};
use crate::databricks::Cloud;
use crate::databricks::model::{self, CreateCommon, Element, Selection, ServicePrincipal, ServicePrincipalCreate};
use crate::scim::list::Projection;
use crate::scim::model as scim;
use crate::scim::values::ClientObject;
use crate::scim::{Resource, SERVICE_PRINCIPAL_SCHEMA, ScimError};

/// What service principals can be filtered on.
pub static SERVICE_PRINCIPAL_FILTERS: FilterTable = FilterTable {
    core_schema: SERVICE_PRINCIPAL_SCHEMA,
    attributes: &rows::<{ row_count(SERVICE_PRINCIPAL_ROWS) }>(SERVICE_PRINCIPAL_ROWS),
};

const SERVICE_PRINCIPAL_ROWS: &[&[Filterable]] =
    &[&[Filterable::text("applicationid", "applicationId")], &COMMON_FILTERS, &[ACTIVE_FILTER]];

/// The Databricks attribute selection for a client's projection: a service principal's SCIM
/// resource is built from `applicationId` besides what every principal has.
pub fn target_selection(projection: &Projection) -> Selection {
    principal_selection(projection, Resource::ServicePrincipal, &["applicationId"])
}

/// A Databricks service principal as a SCIM resource.
pub fn service_principal_to_scim(db: &ServicePrincipal, base_url: &str) -> scim::ServicePrincipal {
    scim::ServicePrincipal {
        common: common_attributes(db, vec![SERVICE_PRINCIPAL_SCHEMA], base_url),
        application_id: db.application_id.clone(),
        principal: principal_attributes(db, base_url),
    }
}

/// A service principal to create, and whether it must then be deactivated.
#[derive(Debug, Clone, PartialEq)]
pub struct NewServicePrincipal {
    /// `POST /ServicePrincipals` body.
    pub body: ServicePrincipalCreate,
    /// The client asked for `active:false`.
    pub deactivate: bool,
}

fn application_id_of(body: &ClientObject) -> Result<Option<String>, ScimError> {
    let id = body.get("applicationId").text("applicationId")?.map(|a| a.trim().to_ascii_lowercase());
    match id {
        Some(a) if a.is_empty() => Ok(None),
        Some(a) if !is_uuid(&a) => Err(ScimError::InvalidValue("'applicationId' must be a UUID".into())),
        other => Ok(other),
    }
}

/// A UUID in its hyphenated form (`uuid` parses the others too: braces, URN, 32 hex digits).
fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

/// Translates a SCIM `POST /ServicePrincipals` body. Databricks generates the applicationId;
/// only on Azure may the client give one (the Entra application id): AWS and GCP workspaces
/// refuse it (terraform-provider-databricks issues #556, #630).
pub fn create_request(body: &ClientObject, cloud: Cloud) -> Result<NewServicePrincipal, ScimError> {
    refuse_roles(body, roles_refused)?;
    let application_id = application_id_of(body)?;
    if application_id.is_some() && !cloud.accepts_application_id() {
        return Err(ScimError::InvalidValue(
            "'applicationId' cannot be chosen on this workspace: Databricks generates it on AWS and GCP \
             (only Azure takes the Entra application id); send the service principal without it"
                .into(),
        ));
    }
    let display_name = body.get("displayName").text("displayName")?.filter(|d| !d.trim().is_empty());
    if display_name.is_none() && application_id.is_none() {
        return Err(ScimError::InvalidValue("'displayName' is required".into()));
    }
    let active = requested_active(body, true)?;
    let create = ServicePrincipalCreate {
        display_name,
        application_id,
        common: CreateCommon {
            entitlements: Element::all(&entitlements_from(body)?.unwrap_or_default()),
            external_id: body.get("externalId").text("externalId")?,
        },
        ..ServicePrincipalCreate::new()
    };
    Ok(NewServicePrincipal { body: create, deactivate: !active })
}

/// What a SCIM `PUT /ServicePrincipals/{id}` needs to know of the principal as Databricks holds it.
pub const REPLACE_READ: &[&str] = &["id", "applicationId", "displayName", "active", "entitlements", "externalId"];

/// Translates a SCIM `PUT /ServicePrincipals/{id}` into the one Databricks PATCH that makes
/// `current` (read with [`REPLACE_READ`]) what the client sent, keeping what it did not send
/// (memberships, roles, entitlements). The applicationId cannot change and is never sent.
pub fn replace_operations(
    body: &ClientObject,
    current: &ServicePrincipal,
) -> Result<Vec<model::PatchOperation>, ScimError> {
    refuse_roles(body, roles_refused)?;
    let current_app = current.application_id.as_deref().unwrap_or_default();
    if let Some(a) = application_id_of(body)?
        && !a.eq_ignore_ascii_case(current_app)
    {
        return Err(ScimError::Mutability("applicationId cannot be changed".into()));
    }
    let display_name = body
        .get("displayName")
        .text("displayName")?
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| ScimError::InvalidValue("'displayName' is required".into()))?;
    let mut ops = Vec::new();
    if current.display_name.as_deref() != Some(display_name.as_str()) {
        ops.push(super::user::rename(Resource::ServicePrincipal, &display_name));
    }
    ops.extend(principal_replace_operations(body, &current.principal)?);
    Ok(ops)
}

super::served!(
    ServicePrincipal,
    scim::ServicePrincipal,
    SERVICE_PRINCIPAL_FILTERS,
    target_selection,
    service_principal_to_scim
);

#[cfg(test)]
mod tests;
