//! `GET /admin/partners`: the Partner Connect connections of the workspace — every service
//! principal named `<PARTNER>_USER` (Partner Connect document) — in one Databricks call.

use serde::Serialize;

use super::Context;
use super::support::answer::json;
use super::{ScimRequest, ScimResponse};
use crate::databricks::ListParams;
use crate::databricks::model::{Active, Reference, ServicePrincipal};
use crate::scim::ScimError;

/// Suffix Partner Connect gives its service principals.
pub const PARTNER_SUFFIX: &str = "_USER";
/// Largest page asked of Databricks when looking for partners.
const PAGE: u32 = 1000;

/// A partner connection as this API answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerEntry {
    /// `FIVETRAN` for `FIVETRAN_USER`.
    pub partner: String,
    /// The service principal's id.
    pub service_principal_id: String,
    /// Its applicationId (`null` when Databricks did not say).
    pub application_id: Option<String>,
    /// Its displayName.
    pub display_name: String,
    /// Whether it is active (a JSON boolean from Databricks; true otherwise).
    pub active: bool,
    /// Its entitlements.
    pub entitlements: Vec<String>,
}

/// The answer of `GET /admin/partners`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PartnerList {
    total_results: usize,
    partners: Vec<PartnerEntry>,
}

/// A partner connection, when the principal is one.
pub fn partner_entry(principal: &ServicePrincipal) -> Option<PartnerEntry> {
    let name = principal.display_name.as_deref()?;
    Some(PartnerEntry {
        partner: partner_name(name)?,
        service_principal_id: principal.id.clone()?,
        application_id: principal.application_id.clone(),
        display_name: name.to_string(),
        active: principal.principal.active.and_then(Active::as_bool).unwrap_or(true),
        entitlements: Reference::values(&principal.principal.entitlements),
    })
}

/// `FIVETRAN_USER` → `FIVETRAN`; `None` for names that are not partner principals.
pub fn partner_name(display_name: &str) -> Option<String> {
    let upper = display_name.to_ascii_uppercase();
    let stem = upper.strip_suffix(PARTNER_SUFFIX)?;
    (!stem.is_empty()).then(|| stem.to_string())
}

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    if !request.method.eq_ignore_ascii_case("GET") {
        return Err(ScimError::MethodNotAllowed(format!("{} is not allowed on this endpoint", request.method)));
    }
    let mut partners = Vec::new();
    let mut start_index = 1;
    loop {
        let params = ListParams {
            filter: Some(format!("displayName co {}", crate::scim::filter::quoted(PARTNER_SUFFIX))),
            start_index,
            count: PAGE,
            attributes: vec!["id", "displayName", "applicationId", "active", "entitlements"],
            excluded_attributes: Vec::new(),
        };
        let page = ctx.workspace.list::<ServicePrincipal>(&params).await?;
        partners.extend(page.resources.iter().filter_map(partner_entry));
        start_index += page.resources.len() as u64;
        if page.resources.is_empty() || start_index > page.total() {
            break;
        }
    }
    partners.sort_by(|a, b| a.partner.cmp(&b.partner));
    Ok(ScimResponse::ok(json(&PartnerList { total_results: partners.len(), partners })?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_ending_in_user_are_partners() {
        assert_eq!(partner_name("FIVETRAN_USER"), Some("FIVETRAN".into()));
        assert_eq!(partner_name("dbt_cloud_user"), Some("DBT_CLOUD".into()));
        assert_eq!(partner_name("_USER"), None);
        assert_eq!(partner_name("USER_SYNC"), None);
        assert_eq!(partner_name("etl-bot"), None);
    }
}
