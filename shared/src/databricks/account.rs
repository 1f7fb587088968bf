//! The account-level target (docs/account-target.md): the account SCIM API
//! (`/api/2.0/accounts/{account_id}/scim/v2`) on the accounts host of the workspace's cloud,
//! its OAuth token endpoint, and the workspace permission-assignment API.

use serde::Serialize;

use super::Cloud;

/// A Databricks account id (a UUID on every cloud): only letters, digits and `-`, so it
/// cannot reach another path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountId(String);

impl AccountId {
    /// 1–64 ASCII letters, digits or `-`.
    pub fn parse(raw: &str) -> Option<AccountId> {
        let raw = raw.trim();
        let ok = !raw.is_empty() && raw.len() <= 64 && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        ok.then(|| AccountId(raw.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A workspace id (a number, as the account console and `GET /api/2.0/accounts/{id}/workspaces`
/// show it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceId(String);

impl WorkspaceId {
    /// 1–19 ASCII digits.
    pub fn parse(raw: &str) -> Option<WorkspaceId> {
        let raw = raw.trim();
        let ok = !raw.is_empty() && raw.len() <= 19 && raw.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| WorkspaceId(raw.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a principal is given in a workspace it is assigned to (the permission-assignment API
/// takes `USER` or `ADMIN`, case-sensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum WorkspacePermission {
    /// A workspace user.
    User,
    /// A workspace admin.
    Admin,
}

impl WorkspacePermission {
    /// `USER` or `ADMIN`, any case (the `DATABRICKS_ASSIGN_PERMISSION` setting).
    pub fn parse(raw: &str) -> Option<WorkspacePermission> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "USER" => Some(WorkspacePermission::User),
            "ADMIN" => Some(WorkspacePermission::Admin),
            _ => None,
        }
    }
}

/// `PUT …/permissionassignments/principals/{principal_id}`: the permissions to hold (an empty
/// list would remove them all, so the bridge never sends one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionAssignment {
    /// One permission.
    pub permissions: [WorkspacePermission; 1],
}

/// `GET …/workspaces/{workspace}/permissionassignments`: who holds what in the workspace.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PermissionAssignments {
    /// One entry per principal (absent when none).
    #[serde(default)]
    pub permission_assignments: Vec<AssignmentEntry>,
}

/// One principal's assignment.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AssignmentEntry {
    /// The principal.
    #[serde(default)]
    pub principal: AssignedPrincipal,
}

/// The principal of an assignment: its id, a number (sometimes written as a string).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AssignedPrincipal {
    /// Its id.
    #[serde(default)]
    pub principal_id: Option<crate::databricks::model::NumberOrText>,
}

impl PermissionAssignments {
    /// Whether `principal` holds anything in the workspace.
    pub fn holds(&self, principal: &super::DatabricksId) -> bool {
        self.permission_assignments
            .iter()
            .any(|a| a.principal.principal_id.as_ref().is_some_and(|id| id.is(principal.as_str())))
    }
}

/// The account target's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTarget {
    /// `DATABRICKS_ACCOUNT_ID`.
    pub account_id: AccountId,
    /// The accounts host (`DATABRICKS_ACCOUNTS_HOST`, else the cloud's).
    pub accounts_host: String,
    /// Workspaces a principal the bridge creates is assigned to (`DATABRICKS_ASSIGN_WORKSPACES`).
    pub assign_workspaces: Vec<WorkspaceId>,
    /// What it is given there (`DATABRICKS_ASSIGN_PERMISSION`, default `USER`).
    pub assign_permission: WorkspacePermission,
}

impl AccountTarget {
    /// `https://<accounts host>` without a trailing slash.
    pub fn accounts_url(&self) -> String {
        super::client::workspace_url(&self.accounts_host)
    }

    /// The account's OAuth M2M token endpoint: `/oidc/accounts/{account_id}/v1/token`.
    pub fn token_url(&self) -> String {
        format!("{}/oidc/accounts/{}/v1/token", self.accounts_url(), self.account_id.as_str())
    }
}

impl Cloud {
    /// The accounts host of the cloud (databrickslabs partner-architecture OAuth reference;
    /// docs.databricks.com/gcp/…/gcp-creds).
    pub fn accounts_host(self) -> &'static str {
        match self {
            Cloud::Aws => "https://accounts.cloud.databricks.com",
            Cloud::Azure => "https://accounts.azuredatabricks.net",
            Cloud::Gcp => "https://accounts.gcp.databricks.com",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_and_workspace_ids_cannot_carry_another_path_segment() {
        assert!(AccountId::parse("0d26daa6-5e44-4c97-a497-ef015f91254a").is_some());
        for bad in ["", "a/b", "..", "a b", "x?y", &"a".repeat(65)] {
            assert_eq!(AccountId::parse(bad), None, "{bad}");
        }
        assert_eq!(
            WorkspaceId::parse(" 1234567890123456 ").map(|w| w.as_str().to_string()),
            Some("1234567890123456".into())
        );
        for bad in ["", "12a", "-1", "1/2", &"1".repeat(20)] {
            assert_eq!(WorkspaceId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_permission_is_user_or_admin_and_goes_upper_case_on_the_wire() {
        assert_eq!(WorkspacePermission::parse("admin"), Some(WorkspacePermission::Admin));
        assert_eq!(WorkspacePermission::parse(" User "), Some(WorkspacePermission::User));
        assert_eq!(WorkspacePermission::parse("owner"), None);
        let body = PermissionAssignment { permissions: [WorkspacePermission::Admin] };
        assert_eq!(serde_json::to_string(&body).ok().as_deref(), Some(r#"{"permissions":["ADMIN"]}"#));
    }

    #[test]
    fn each_cloud_has_its_accounts_host_and_the_token_endpoint_names_the_account() {
        let target = AccountTarget {
            account_id: AccountId("abc-1".into()),
            accounts_host: Cloud::Azure.accounts_host().into(),
            assign_workspaces: Vec::new(),
            assign_permission: WorkspacePermission::User,
        };
        assert_eq!(target.token_url(), "https://accounts.azuredatabricks.net/oidc/accounts/abc-1/v1/token");
        assert_eq!(Cloud::Aws.accounts_host(), "https://accounts.cloud.databricks.com");
        assert_eq!(Cloud::Gcp.accounts_host(), "https://accounts.gcp.databricks.com");
    }
}
