//! SCIM 2.0 protocol pieces that know nothing of HTTP, AWS or Databricks:
//! errors, the three resources and their schema URNs, the limits on requests and answers, PATCH and filter parsing, list
//! queries, attribute projection, and the discovery documents.

pub mod discovery;
pub mod error;
pub mod filter;
pub mod lenient;
pub mod limits;
pub mod list;
pub mod model;
pub mod patch;
pub mod projection;
pub mod resource;
pub mod values;

pub use error::ScimError;
pub use resource::Resource;

/// Core User schema.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Core Group schema.
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// Databricks' ServicePrincipal schema (docs/databricks-behaviour.md row 50).
pub const SERVICE_PRINCIPAL_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal";
/// This project's Group extension: parent groups and entitlements (docs/design.md §3).
pub const GROUP_EXTENSION_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:databricks:2.0:Group";
/// ListResponse message.
pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// PatchOp message.
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// Enterprise User extension (accepted in requests, ignored: Databricks has nowhere to keep it).
pub const ENTERPRISE_USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
