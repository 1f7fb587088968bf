//! The SCIM resources as the bridge answers them (RFC 7643 §4), and the complex attributes
//! Databricks shares with SCIM (`name`, `emails`). Optional attributes are left out when
//! absent, never written as `null`. scim_v2's models do not fit: its User requires a
//! `userName` (an answer projected with `attributes` may have none), and it knows neither our
//! Group extension nor the ServicePrincipal resource.

use serde::{Deserialize, Serialize};

use super::lenient::lenient;

/// `meta` of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// `User`, `Group` or `ServicePrincipal`.
    pub resource_type: &'static str,
    /// The resource's URL under the bridge's SCIM base.
    pub location: String,
}

/// A user's `name`; Databricks keeps the same two parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    /// `givenName`.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// `familyName`.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
}

/// One of a user's `emails`; Databricks derives the work address from the userName.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// The address.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `work`, …
    #[serde(rename = "type", default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether it is the primary address.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// A label.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// An element of a multi-valued attribute: a group, a member, an entitlement. `value` always;
/// `$ref`, `display` and `type` where the attribute has them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// The id or the entitlement name.
    pub value: String,
    /// The referenced resource's URL.
    #[serde(rename = "$ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// `direct`/`indirect` for a membership, the resource type for a member.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl Reference {
    /// `{"value": value}`.
    pub fn value(value: impl Into<String>) -> Reference {
        Reference { value: value.into(), reference: None, display: None, kind: None }
    }

    /// `{"value": value, "$ref": reference}`.
    pub fn to(value: impl Into<String>, reference: String) -> Reference {
        Reference { reference: Some(reference), ..Reference::value(value) }
    }
}

/// What every resource the bridge answers carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommonAttributes {
    /// The resource's core schema, and the Group extension's when a group carries it.
    pub schemas: Vec<&'static str>,
    /// The Databricks id.
    pub id: String,
    /// `displayName`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `externalId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// `meta`.
    pub meta: Meta,
}

/// The attributes users and service principals share besides [`CommonAttributes`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalAttributes {
    /// `active`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// The groups it belongs to, directly or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<Reference>>,
    /// Databricks entitlements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entitlements: Option<Vec<Reference>>,
}

/// A SCIM User.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// `schemas`, `id`, `displayName`, `externalId`, `meta`.
    #[serde(flatten)]
    pub common: CommonAttributes,
    /// `userName`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// `name`, when a part is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    /// `emails`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emails: Option<Vec<Email>>,
    /// `active`, `groups`, `entitlements`.
    #[serde(flatten)]
    pub principal: PrincipalAttributes,
}

/// A SCIM ServicePrincipal (Databricks' resource type, docs/databricks-behaviour.md row 50).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    /// `schemas`, `id`, `displayName`, `externalId`, `meta`.
    #[serde(flatten)]
    pub common: CommonAttributes,
    /// `applicationId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    /// `active`, `groups`, `entitlements`.
    #[serde(flatten)]
    pub principal: PrincipalAttributes,
}

/// A SCIM Group with this project's extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// `schemas`, `id`, `displayName`, `externalId`, `meta`.
    #[serde(flatten)]
    pub common: CommonAttributes,
    /// `members`, when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<Reference>>,
    /// The extension ([`super::GROUP_EXTENSION_SCHEMA`]), when it holds anything.
    #[serde(
        rename = "urn:ietf:params:scim:schemas:extension:databricks:2.0:Group",
        skip_serializing_if = "Option::is_none"
    )]
    pub extension: Option<GroupExtension>,
}

/// The Group extension: what Databricks keeps of a group beyond SCIM's core.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupExtension {
    /// The groups this group belongs to directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_groups: Option<Vec<Reference>>,
    /// Databricks entitlements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entitlements: Option<Vec<Reference>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_is_written_under_its_schema_urn() {
        let group = Group {
            common: CommonAttributes {
                schemas: vec![super::super::GROUP_SCHEMA, super::super::GROUP_EXTENSION_SCHEMA],
                id: "1".into(),
                display_name: None,
                external_id: None,
                meta: Meta { resource_type: "Group", location: "l".into() },
            },
            members: None,
            extension: Some(GroupExtension::default()),
        };
        let json = serde_json::to_value(&group).ok();
        assert!(json.is_some_and(|j| j.get(super::super::GROUP_EXTENSION_SCHEMA).is_some()));
    }
}
