//! `GET /admin/partners`: the Partner Connect connections of the workspace — every service
//! principal named `<PARTNER>_USER` (Partner Connect document) — in one Databricks call.

use serde_json::{Value, json};

use super::Context;
use super::{ScimRequest, ScimResponse};
use crate::databricks::ListParams;
use crate::mapping::values_of;
use crate::scim::{Resource, ScimError};

/// Suffix Partner Connect gives its service principals.
pub const PARTNER_SUFFIX: &str = "_USER";
/// Largest page asked of Databricks when looking for partners.
const PAGE: u32 = 1000;

/// A partner connection as this API answers it.
pub fn partner_entry(principal: &Value) -> Option<Value> {
    let name = principal.get("displayName")?.as_str()?;
    let partner = partner_name(name)?;
    Some(json!({
        "partner": partner,
        "servicePrincipalId": principal.get("id")?.as_str()?,
        "applicationId": principal.get("applicationId").and_then(Value::as_str),
        "displayName": name,
        "active": principal.get("active").and_then(Value::as_bool).unwrap_or(true),
        "entitlements": values_of(principal, "entitlements"),
    }))
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
            filter: Some(format!("displayName co {}", Value::String(PARTNER_SUFFIX.into()))),
            start_index,
            count: PAGE,
            attributes: vec!["id", "displayName", "applicationId", "active", "entitlements"],
            excluded_attributes: Vec::new(),
        };
        let page = ctx.databricks.list(Resource::ServicePrincipal, &params).await?;
        let resources = page.get("Resources").and_then(Value::as_array).cloned().unwrap_or_default();
        partners.extend(resources.iter().filter_map(partner_entry));
        let total = page.get("totalResults").and_then(Value::as_u64).unwrap_or(0);
        start_index += resources.len() as u64;
        if resources.is_empty() || start_index > total {
            break;
        }
    }
    partners.sort_by(|a, b| a["partner"].as_str().cmp(&b["partner"].as_str()));
    Ok(ScimResponse::ok(json!({"totalResults": partners.len(), "partners": partners})))
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
