//! The Databricks SCIM APIs — the workspace's (`/api/2.0/preview/scim/v2`) and the account's
//! (`/api/2.0/accounts/{id}/scim/v2`) — as docs/databricks-behaviour.md records them.

pub mod account;
pub mod client;
pub mod credentials;
pub mod error;
pub mod model;

pub use client::{ApiLevel, DatabricksClient, ListParams};
pub use credentials::{StaticToken, TokenSource};
pub use error::DatabricksError;

/// A Databricks principal or group id: a decimal number written as a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabricksId(String);

impl DatabricksId {
    /// Accepts only 1–19 ASCII digits, so no client input can reach another path segment.
    pub fn parse(raw: &str) -> Option<DatabricksId> {
        let ok = !raw.is_empty() && raw.len() <= 19 && raw.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| DatabricksId(raw.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for DatabricksId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The cloud a workspace runs on: it decides whether Databricks accepts a client-chosen
/// service-principal `applicationId` (Azure: the Entra application id; AWS and GCP refuse one,
/// terraform-provider-databricks issues #556 and #630).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    /// `*.cloud.databricks.com` (also `.us`, `.mil`).
    Aws,
    /// `*.azuredatabricks.net` (also `.azure.cn`, `.azure.us`).
    Azure,
    /// `*.gcp.databricks.com`.
    Gcp,
}

impl Cloud {
    /// The cloud of a workspace URL; AWS, the strictest, when the host does not say
    /// (a custom domain, the emulator on loopback).
    pub fn of_host(host: &str) -> Cloud {
        let host = host.trim().trim_end_matches('/').to_ascii_lowercase();
        let name = host.split("://").last().unwrap_or(&host);
        let name = name.split(['/', ':']).next().unwrap_or(name);
        if [".azuredatabricks.net", ".databricks.azure.cn", ".databricks.azure.us"].iter().any(|d| name.ends_with(d)) {
            Cloud::Azure
        } else if name.ends_with(".gcp.databricks.com") {
            Cloud::Gcp
        } else {
            Cloud::Aws
        }
    }

    /// `aws`, `azure` or `gcp` (the `DATABRICKS_CLOUD` override), any case.
    pub fn parse(name: &str) -> Option<Cloud> {
        match name.trim().to_ascii_lowercase().as_str() {
            "aws" => Some(Cloud::Aws),
            "azure" => Some(Cloud::Azure),
            "gcp" => Some(Cloud::Gcp),
            _ => None,
        }
    }

    /// Whether a client may choose a service principal's `applicationId`.
    pub fn accepts_application_id(self) -> bool {
        self == Cloud::Azure
    }
}

#[cfg(test)]
mod tests {
    use super::Cloud;

    #[test]
    fn the_cloud_is_read_from_the_workspace_host() {
        for (host, cloud) in [
            ("https://dbc-1234abcd-5678.cloud.databricks.com", Cloud::Aws),
            ("dbc-1.cloud.databricks.us", Cloud::Aws),
            ("https://adb-123.4.azuredatabricks.net/", Cloud::Azure),
            ("https://adb-1.2.databricks.azure.cn", Cloud::Azure),
            ("https://1234.5.gcp.databricks.com", Cloud::Gcp),
            ("http://127.0.0.1:8787", Cloud::Aws),
            ("https://evil.azuredatabricks.net.example.com", Cloud::Aws),
        ] {
            assert_eq!(Cloud::of_host(host), cloud, "{host}");
        }
    }

    #[test]
    fn only_azure_lets_a_client_choose_the_application_id() {
        assert!(Cloud::Azure.accepts_application_id());
        assert!(!Cloud::Aws.accepts_application_id());
        assert!(!Cloud::Gcp.accepts_application_id());
        assert_eq!(Cloud::parse(" Azure "), Some(Cloud::Azure));
        assert_eq!(Cloud::parse("oracle"), None);
    }
}
