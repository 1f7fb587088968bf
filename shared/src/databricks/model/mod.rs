//! What Databricks sends and accepts, as types (docs/databricks-behaviour.md): its users,
//! groups and service principals, list answers, error bodies and token infos, read as
//! tolerantly as the real API needs (unknown attributes ignored, any attribute may be missing
//! or of another type, writes answered `{}` or nothing); and what the bridge sends: create
//! bodies and PATCH requests in the forms public clients use.

mod answers;
mod patch;
mod resources;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use answers::{ErrorBody, ListAnswer, NumberOrText, TokenInfo, TokenList};
pub use patch::{PatchOp, PatchOperation, PatchRequest, PatchTarget, PatchValue};
pub use resources::{
    Active, CreateCommon, Element, Group, GroupCreate, Holding, Meta, Principal, PrincipalAttributes, Reference,
    ServicePrincipal, ServicePrincipalCreate, User, UserCreate,
};

use crate::scim::Resource;

/// Attribute selection of a single-resource GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// `attributes`.
    pub attributes: Vec<&'static str>,
    /// `excludedAttributes`.
    pub excluded_attributes: Vec<&'static str>,
}

/// A create body: what it carries that only a workspace holds (the account API's users,
/// groups and service principals have no `entitlements` and no `groups`, docs/account-target.md).
pub trait CreateBody: Serialize {
    /// The first workspace-only attribute the body sets, if any.
    fn workspace_only(&self) -> Option<&'static str>;
}

/// Attributes only the workspace SCIM API holds.
pub const WORKSPACE_ONLY: [&str; 2] = ["entitlements", "groups"];

/// A resource of the Databricks SCIM API, as Databricks answers it.
pub trait DatabricksResource: DeserializeOwned + Default {
    /// Which resource (and so which endpoint).
    const RESOURCE: Resource;
    /// The body that creates one.
    type Create: CreateBody;

    /// Its id, when the answer carried one.
    fn id(&self) -> Option<&str>;

    /// Its `displayName`.
    fn display_name(&self) -> Option<&str>;

    /// Its `externalId`.
    fn external_id(&self) -> Option<&str>;

    /// The value of its immutable key ([`Resource::immutable_key`]: userName, applicationId);
    /// `None` for a group, which has none.
    fn key(&self) -> Option<&str>;

    /// What it holds of an attribute a PATCH may remove.
    fn holding(&self, attribute: &str) -> Holding<'_>;
}
