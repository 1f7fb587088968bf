//! Account groups (identity federation): a refused or unsettled group write is followed by one
//! read of the group's `meta`, and an account group answers 400 `mutability`.

use crate::databricks::model::{Group, Selection};
use crate::databricks::{ApiLevel, DatabricksError, DatabricksId};
use crate::ops::Context;
use crate::scim::ScimError;

/// The SCIM error for a failed group write.
/// Databricks refuses membership changes to account groups in identity-federated workspaces,
/// in words that have varied (400 "Members attribute not supported for current workspace.",
/// 500 "Error in performing the patch operation on group resource."), so any refusal or
/// unknown outcome is followed by one read of the group's `meta` — never a retry — and an
/// account group answers 400 `mutability` naming where to manage it.
pub async fn account_group_refusal(ctx: &Context, id: &DatabricksId, err: DatabricksError) -> ScimError {
    match err {
        err @ (DatabricksError::Server { .. } | DatabricksError::Transport(_)) => {
            probe_account_group(ctx, id, err).await
        }
        DatabricksError::BadRequest { ref detail, .. } if detail.to_ascii_lowercase().contains("member") => {
            probe_account_group(ctx, id, err).await
        }
        err => err.into(),
    }
}

/// One read of the group's `meta` after a refused or unsettled write: an account group is
/// 400 `mutability`; anything else keeps the original error.
async fn probe_account_group(ctx: &Context, id: &DatabricksId, err: DatabricksError) -> ScimError {
    // Through the account API an account group's refusal is Databricks' own word.
    if ctx.databricks.level() == ApiLevel::Account {
        return err.into();
    }
    let probe = Selection { attributes: vec!["id", "meta"], excluded_attributes: Vec::new() };
    match ctx.databricks.get::<Group>(id, &probe).await {
        Ok(group) if group.is_account_group() => account_group_refused(),
        _ => err.into(),
    }
}

/// 400 `mutability` for a change to an account group through the workspace API.
pub fn account_group_refused() -> ScimError {
    ScimError::Mutability(
        "this is an account group (identity federation): its members and entitlements are managed at the \
         Databricks account level, not in the workspace"
            .into(),
    )
}
