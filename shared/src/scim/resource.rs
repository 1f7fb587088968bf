//! The three resources the bridge serves, named once: their endpoint (the same path segment in
//! SCIM and in the Databricks workspace API), resource type, schemas, the words error details
//! use for them, and the attribute that identifies one beside its id.

use super::{GROUP_EXTENSION_SCHEMA, GROUP_SCHEMA, SERVICE_PRINCIPAL_SCHEMA, USER_SCHEMA};

/// A workspace SCIM resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// `/Users`.
    User,
    /// `/Groups`.
    Group,
    /// `/ServicePrincipals`.
    ServicePrincipal,
}

impl Resource {
    /// Every resource, in the order a root search pages them.
    pub const ALL: [Resource; 3] = [Resource::User, Resource::Group, Resource::ServicePrincipal];

    /// The endpoint's path segment (`Users`), in SCIM and in the Databricks API alike.
    pub fn endpoint(self) -> &'static str {
        match self {
            Resource::User => "Users",
            Resource::Group => "Groups",
            Resource::ServicePrincipal => "ServicePrincipals",
        }
    }

    /// The resource whose endpoint is exactly `segment` (paths are case-sensitive at the gateway).
    pub fn at_endpoint(segment: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.endpoint() == segment)
    }

    /// The SCIM resource type (`meta.resourceType`).
    pub fn resource_type(self) -> &'static str {
        match self {
            Resource::User => "User",
            Resource::Group => "Group",
            Resource::ServicePrincipal => "ServicePrincipal",
        }
    }

    /// The resource in an error detail: `user`, `group`, `service principal`.
    pub fn noun(self) -> &'static str {
        match self {
            Resource::User => "user",
            Resource::Group => "group",
            Resource::ServicePrincipal => "service principal",
        }
    }

    /// The core schema URN.
    pub fn schema(self) -> &'static str {
        match self {
            Resource::User => USER_SCHEMA,
            Resource::Group => GROUP_SCHEMA,
            Resource::ServicePrincipal => SERVICE_PRINCIPAL_SCHEMA,
        }
    }

    /// The extension schema URNs.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Resource::Group => &[GROUP_EXTENSION_SCHEMA],
            Resource::User | Resource::ServicePrincipal => &[],
        }
    }

    /// The detail of a 409: the attribute no two resources of this kind share in a workspace is
    /// taken (a user's `userName`, a group's `displayName`, a service principal's
    /// `applicationId`). Written out whole: the guides quote these texts.
    pub fn already_exists(self) -> &'static str {
        match self {
            Resource::User => "a user with this userName already exists",
            Resource::Group => "a group with this displayName already exists",
            Resource::ServicePrincipal => "a service principal with this applicationId already exists",
        }
    }

    /// The attribute that names a principal for good and cannot change in Databricks: a user's
    /// `userName`, a service principal's `applicationId`. A group's displayName can change.
    pub fn immutable_key(self) -> Option<&'static str> {
        match self {
            Resource::User => Some("userName"),
            Resource::ServicePrincipal => Some("applicationId"),
            Resource::Group => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Resource;

    #[test]
    fn each_resource_is_found_at_its_own_endpoint_only() {
        for resource in Resource::ALL {
            assert_eq!(Resource::at_endpoint(resource.endpoint()), Some(resource));
        }
        assert_eq!(Resource::at_endpoint("users"), None);
        assert_eq!(Resource::at_endpoint("User"), None);
    }
}
