//! Databricks SCIM bridge: a SCIM 2.0 service provider (RFC 7643/7644) for one Databricks
//! workspace. Every Lambda in `functions/` is one call to [`http::serve`] with its
//! [`ops::Operation`]; everything else lives here, by concern:
//!
//! - [`scim`]: the protocol (errors, PATCH and filter parsing, lists, discovery) — no HTTP, no AWS;
//! - [`mapping`]: SCIM ⇄ Databricks translation — no HTTP, no AWS;
//! - [`databricks`]: the Databricks workspace SCIM client and its credential;
//! - [`deadline`]: the call timeout, retry budget and answer margin, derived from the function timeout;
//! - [`aws`]: Secrets Manager, the only AWS service used;
//! - [`inbound`]: the bearer check every SCIM request passes first;
//! - [`oauth`]: the optional OAuth 2.0 client-credentials token endpoint and its access tokens;
//! - [`ops`]: one module per operation;
//! - [`http`]: API Gateway event in, SCIM response out.

pub mod aws;
pub mod config;
pub mod databricks;
pub mod deadline;
pub mod http;
pub mod inbound;
pub mod mapping;
pub mod oauth;
pub mod ops;
pub mod scim;

pub use config::{AppState, Config};
