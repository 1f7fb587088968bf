//! What the **account** SCIM API (`/api/2.0/accounts/{account_id}/scim/v2/…`, account target
//! only) does differently from the workspace SCIM API over the same principals:
//!
//! * account users, groups and service principals have **no `entitlements` and no `groups`**
//!   attributes (docs.databricks.com/api/scim/v1/user/object and group/object; the Go SDK's
//!   `AccountUser` / `AccountGroup`): they are never rendered ([`view`]), and a write that
//!   carries them is refused ([`refuse_in_body`], [`refuse_in_patch`]);
//! * group **lists never include `members`**, even when `attributes=members` asks for them (Go
//!   SDK `AccountGroupsV2`: "As of 08/22/2025, this endpoint will not return members. Instead,
//!   members should be retrieved by iterating through Get group details"); reading one group
//!   does;
//! * a duplicate `userName` is `409 User with email <userName> already exists in this account`
//!   ([`user_exists`]; terraform-provider-databricks `scim/resource_user.go` matches that text).
//!
//! `userName` and `emails` cannot be changed through account `PUT` or `PATCH` ("any supplied
//! changes to them are ignored (no-op)", docs.databricks.com/api/scim/v1/update-account-user and
//! patch-account-user); the store already treats them so at both levels.

use axum::http::StatusCode;
use serde_json::Value;

use crate::error::ScimError;
use crate::store::{Input, Kind, Level};

/// The workspace-only attributes an account principal does not have.
const WORKSPACE_ONLY: [&str; 2] = ["entitlements", "groups"];

/// A rendered resource as `level` shows it: unchanged for the workspace; for the account
/// without `entitlements` and `groups`, and, in a list (`listed`), without `members`.
pub(crate) fn view(level: Level, resource: Value, listed: bool) -> Value {
    let Value::Object(mut map) = resource else {
        return resource;
    };
    if level == Level::Account {
        for attr in WORKSPACE_ONLY {
            map.remove(attr);
        }
        if listed {
            map.remove("members");
        }
    }
    Value::Object(map)
}

/// `409` for a `userName` already taken, in the account's words.
pub(crate) fn user_exists(user_name: &str) -> ScimError {
    ScimError::conflict(format!("User with email {user_name} already exists in this account"))
}

/// The refusal of a workspace-only attribute on an account write. No public source says what
/// the real account API does with `entitlements` or `groups` in a write (it may well ignore
/// them); the emulator takes the strictest reading and refuses them, so that a bridge that
/// sends them is caught.
fn not_an_account_attribute(attr: &str, kind: Kind) -> ScimError {
    let noun = match kind {
        Kind::User => "user",
        Kind::Group => "group",
        Kind::ServicePrincipal => "service principal",
    };
    let hint = if attr == "entitlements" {
        "entitlements are set in the workspace"
    } else {
        "group membership is set through the members of the group"
    };
    ScimError::typed(
        StatusCode::BAD_REQUEST,
        "invalidValue",
        format!("{attr} is not an attribute of an account {noun}; {hint}"),
    )
}

/// A `POST` or `PUT` body at the account level may not carry a non-empty `entitlements` or
/// `groups` (any case of the key; `null` and `[]` pass, anything else, even
/// `[{"value": ""}]`, is refused).
pub(crate) fn refuse_in_body(kind: Kind, body: &Value) -> Result<(), ScimError> {
    let Some(input) = body.as_object().map(Input) else {
        return Ok(());
    };
    for attr in WORKSPACE_ONLY {
        if input.get(attr).is_some_and(|v| !matches!(v, Value::Array(items) if items.is_empty())) {
            return Err(not_an_account_attribute(attr, kind));
        }
    }
    Ok(())
}

/// A PATCH at the account level may not have an operation whose path is, or starts with,
/// `entitlements` or `groups` (`groups[value eq "1"]`, a schema URN prefix allowed), nor a
/// path-less operation whose value object has such a key (any case; a `null` value passes).
/// Malformed operations are left to the PATCH parser's own errors.
pub(crate) fn refuse_in_patch(kind: Kind, body: &Value) -> Result<(), ScimError> {
    let Some(Value::Array(operations)) = body.as_object().map(Input).and_then(|b| b.get("Operations")) else {
        return Ok(());
    };
    for operation in operations.iter().filter_map(Value::as_object).map(Input) {
        match operation.get("path") {
            Some(Value::String(path)) if !path.trim().is_empty() => {
                let attr = path_attribute(path);
                if let Some(found) = WORKSPACE_ONLY.into_iter().find(|a| attr.eq_ignore_ascii_case(a)) {
                    return Err(not_an_account_attribute(found, kind));
                }
            }
            Some(Value::String(_)) | None => {
                if let Some(values) = operation.get("value").and_then(Value::as_object).map(Input)
                    && let Some(found) = WORKSPACE_ONLY.into_iter().find(|a| values.get(a).is_some())
                {
                    return Err(not_an_account_attribute(found, kind));
                }
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The attribute a PATCH path names: without a schema URN prefix, a `[filter]` or a
/// `.subAttribute` (`urn:…:User:groups[value eq "1"]` → `groups`).
fn path_attribute(path: &str) -> &str {
    let text = path.trim();
    let head = text.split('[').next().unwrap_or(text);
    let text =
        if head.to_ascii_lowercase().starts_with("urn:") { head.rsplit(':').next().unwrap_or(head) } else { head };
    text.split('.').next().unwrap_or(text).trim()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patch_paths_name_their_attribute_without_urn_filter_or_sub_attribute() {
        assert_eq!(path_attribute("groups"), "groups");
        assert_eq!(path_attribute(" Entitlements[value eq \"allow-cluster-create\"]"), "Entitlements");
        assert_eq!(path_attribute("urn:ietf:params:scim:schemas:core:2.0:User:groups[value eq \"1\"]"), "groups");
        assert_eq!(path_attribute("name.givenName"), "name");
        assert_eq!(path_attribute("members[value eq \"a:b\"]"), "members");
    }

    #[test]
    fn the_account_view_drops_workspace_attributes_and_list_members_only() {
        let group = json!({"id": "1", "members": [{"value": "2"}], "groups": [], "entitlements": [{"value": "x"}]});
        assert_eq!(view(Level::Account, group.clone(), false), json!({"id": "1", "members": [{"value": "2"}]}));
        assert_eq!(view(Level::Account, group.clone(), true), json!({"id": "1"}));
        assert_eq!(view(Level::Workspace, group.clone(), true), group);
    }

    #[test]
    fn empty_or_null_workspace_attributes_pass_and_anything_else_is_refused() {
        assert!(refuse_in_body(Kind::User, &json!({"userName": "a", "groups": [], "entitlements": null})).is_ok());
        let err = refuse_in_body(Kind::User, &json!({"Entitlements": [{"value": ""}]})).unwrap_err();
        assert_eq!(
            err.detail,
            "entitlements is not an attribute of an account user; entitlements are set in the workspace"
        );
        assert_eq!(err.scim_type, Some("invalidValue"));
        let ops = |op: Value| json!({"Operations": [op]});
        assert!(refuse_in_patch(Kind::Group, &ops(json!({"op": "add", "path": "members", "value": []}))).is_ok());
        assert!(refuse_in_patch(Kind::Group, &ops(json!({"op": "remove", "path": "groups[value eq \"1\"]"}))).is_err());
        assert!(refuse_in_patch(Kind::User, &ops(json!({"op": "replace", "value": {"GROUPS": []}}))).is_err());
        assert!(refuse_in_patch(Kind::User, &ops(json!({"op": "replace", "value": {"active": false}}))).is_ok());
    }
}
