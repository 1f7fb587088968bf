//! The Databricks workspace SCIM API (`/api/2.0/preview/scim/v2`), as databricks-api.md documents it.

pub mod client;
pub mod credentials;
pub mod error;

pub use client::{DatabricksClient, ListParams, TargetResource};
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
