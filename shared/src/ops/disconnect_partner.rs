//! `DELETE /admin/partners/{partner}`: disconnect a Partner Connect partner by deleting its
//! service principal `<PARTNER>_USER` (which deletes its personal access token too), replacing
//! the Partner Connect document's curl + jq recipe. Exactly one principal is ever deleted:
//! none found → 404, several → 409 naming them.

use serde::Serialize;

use super::Context;
use super::list_partners::{PARTNER_SUFFIX, partner_name};
use super::support::answer::json;
use super::support::read::id_of;
use super::support::write::delete_by_id;
use super::{ScimRequest, ScimResponse};
use crate::databricks::model::{ServicePrincipal, TokenInfo};
use crate::databricks::{DatabricksError, ListParams};
use crate::scim::ScimError;
use crate::scim::limits::MAX_PARTNER_NAME_CHARS;

/// The answer of a disconnection.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Disconnected {
    /// The partner's name (`null` if the principal's name is no partner's).
    partner: Option<String>,
    deleted: DeletedPrincipal,
    tokens: TokenReport,
}

/// The service principal deleted.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DeletedPrincipal {
    service_principal_id: String,
    application_id: Option<String>,
    display_name: Option<String>,
}

/// The tokens deleted with the principal, when the bridge may see them.
#[derive(Debug, Serialize)]
struct TokenReport {
    visible: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted: Option<Vec<DeletedToken>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

/// One token deleted with the principal (its attributes `null` when Databricks did not say).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DeletedToken {
    token_id: Option<String>,
    comment: Option<String>,
    creation_time: Option<i64>,
    expiry_time: Option<i64>,
}

impl From<TokenInfo> for DeletedToken {
    fn from(t: TokenInfo) -> DeletedToken {
        DeletedToken {
            token_id: t.token_id,
            comment: t.comment,
            creation_time: t.creation_time,
            expiry_time: t.expiry_time,
        }
    }
}

/// The principal name for a partner as a client writes it: `fivetran`, `FIVETRAN_USER`,
/// `dbt-cloud` → `FIVETRAN_USER`, `DBT_CLOUD_USER`. At most [`MAX_PARTNER_NAME_CHARS`] of
/// ASCII letters, digits, `_`, `-`, `.` and spaces (so no control character either).
pub fn principal_name(partner: &str) -> Result<String, ScimError> {
    // A path segment may still hold its escapes (`Power%20BI`); one that is not UTF-8 is no name.
    let decoded = percent_encoding::percent_decode_str(partner)
        .decode_utf8()
        .map_err(|_| ScimError::InvalidValue("a partner name has letters, digits, '_', '-', '.' or spaces".into()))?;
    let normalized: String =
        decoded.trim().chars().map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_uppercase() }).collect();
    let valid = !normalized.is_empty()
        && normalized.len() <= MAX_PARTNER_NAME_CHARS
        && normalized.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if !valid {
        return Err(ScimError::InvalidValue(
            "a partner name has letters, digits, '_', '-', '.' or spaces (e.g. fivetran or FIVETRAN_USER)".into(),
        ));
    }
    let stem = normalized.strip_suffix(PARTNER_SUFFIX).unwrap_or(&normalized);
    if stem.is_empty() {
        return Err(ScimError::InvalidValue("the partner name is empty".into()));
    }
    Ok(format!("{stem}{PARTNER_SUFFIX}"))
}

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    if !request.method.eq_ignore_ascii_case("DELETE") {
        return Err(ScimError::MethodNotAllowed(format!("{} is not allowed on this endpoint", request.method)));
    }
    let segments = request.segments();
    let partner = match segments.as_slice() {
        [.., "partners", partner] => *partner,
        _ => return Err(ScimError::NotFound("no partner named in the path".into())),
    };
    let wanted = principal_name(partner)?;
    let params = ListParams {
        filter: Some(crate::mapping::filter::equals("displayName", &wanted)),
        start_index: 1,
        count: 10,
        attributes: vec!["id", "displayName", "applicationId", "active"],
        excluded_attributes: Vec::new(),
    };
    let page = ctx.workspace.list::<ServicePrincipal>(&params).await?;
    let matches: Vec<ServicePrincipal> = page
        .resources
        .into_iter()
        .filter(|p| p.display_name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&wanted)))
        .collect();
    let principal = match matches.as_slice() {
        [] => return Err(ScimError::NotFound(format!("no partner connection named {wanted}"))),
        [one] => one,
        several => {
            let listed: Vec<String> = several
                .iter()
                .map(|p| {
                    format!(
                        "id {} (applicationId {})",
                        p.id.as_deref().unwrap_or("?"),
                        p.application_id.as_deref().unwrap_or("?")
                    )
                })
                .collect();
            return Err(ScimError::Uniqueness(format!(
                "{} service principals are named {wanted}; nothing was deleted. Delete the right one by id: {}",
                several.len(),
                listed.join(", ")
            )));
        }
    };
    let id = id_of(principal)?;
    let tokens = match ctx.workspace.tokens().await {
        Ok(answer) => {
            // Matched by owner: a token made on behalf of the principal names an admin as its creator.
            let deleted = answer
                .token_infos
                .into_iter()
                .filter(|t| t.owner_id.as_ref().is_some_and(|owner| owner.is(id.as_str())))
                .map(DeletedToken::from)
                .collect();
            TokenReport { visible: true, deleted: Some(deleted), reason: None }
        }
        Err(DatabricksError::Forbidden { .. }) => TokenReport {
            visible: false,
            deleted: None,
            reason: Some(
                "the bridge's credential may not read the token-management API; the principal's tokens were deleted with it but cannot be listed",
            ),
        },
        Err(other) => return Err(other.into()),
    };
    // An unknown outcome (5xx, dropped connection) is settled by reading the principal again.
    delete_by_id::<ServicePrincipal>(&ctx.workspace, &id).await?;
    Ok(ScimResponse::ok(json(&Disconnected {
        partner: partner_name(&wanted),
        deleted: DeletedPrincipal {
            service_principal_id: id.as_str().to_string(),
            application_id: principal.application_id.clone(),
            display_name: principal.display_name.clone(),
        },
        tokens,
    })?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_names_are_normalised_to_the_principal_name() {
        for (input, expected) in [
            ("fivetran", "FIVETRAN_USER"),
            ("FIVETRAN_USER", "FIVETRAN_USER"),
            ("dbt-cloud", "DBT_CLOUD_USER"),
            ("Power%20BI", "POWER_BI_USER"),
        ] {
            assert_eq!(principal_name(input), Ok(expected.to_string()), "{input}");
        }
    }

    #[test]
    fn names_that_could_reach_a_filter_or_path_are_refused() {
        for bad in ["", "_USER", "a\"b", "../x", "a/b", "x\\y", "a%2Fb", "%FF"] {
            assert!(principal_name(bad).is_err(), "{bad:?}");
        }
        // Words stay one name: the filter quotes it, so nothing reaches the expression.
        assert_eq!(principal_name("x or displayName pr"), Ok("X_OR_DISPLAYNAME_PR_USER".into()));
    }
}
