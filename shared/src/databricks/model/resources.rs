//! Users, groups and service principals as Databricks sends them, and the bodies that create
//! them. Every attribute read is optional and read leniently ([`crate::scim::lenient`]).

use serde::{Deserialize, Deserializer, Serialize};

use super::DatabricksResource;
use crate::scim::lenient::{is_empty, lenient, lenient_list, object, optional_list, present};
use crate::scim::model::{Email, Name};
use crate::scim::{GROUP_SCHEMA, Resource, SERVICE_PRINCIPAL_SCHEMA, USER_SCHEMA};

/// An element of a multi-valued attribute as Databricks sends it: a group membership
/// (`value`, `display`, `type` `direct`/`indirect`, `$ref` `Groups/…`), a member (`$ref`
/// `Users/…`, `Groups/…`, `ServicePrincipals/…`, no `type`: row 47), an entitlement or role
/// (`value` alone).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Reference {
    /// The id, or the entitlement name.
    #[serde(default, deserialize_with = "lenient")]
    pub value: Option<String>,
    /// A label (a display name).
    #[serde(default, deserialize_with = "lenient")]
    pub display: Option<String>,
    /// `Users/123`, `Groups/9`, …
    #[serde(rename = "$ref", default, deserialize_with = "lenient")]
    pub reference: Option<String>,
    /// `direct` or `indirect`, for a membership.
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub kind: Option<String>,
}

impl Reference {
    /// Whether it is a membership through another group.
    pub fn is_indirect(&self) -> bool {
        self.kind.as_deref() == Some("indirect")
    }

    /// The `value`s of a list of elements (elements without one are skipped).
    pub fn values(list: &[Reference]) -> Vec<String> {
        list.iter().filter_map(|r| r.value.clone()).collect()
    }
}

/// An element the bridge sends in a multi-valued attribute: `{"value": …}`, the only shape
/// Databricks needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Element {
    /// The id, or the entitlement name.
    pub value: String,
}

impl Element {
    /// One element per value.
    pub fn all(values: &[String]) -> Vec<Element> {
        values.iter().map(|v| Element { value: v.clone() }).collect()
    }
}

/// `active` as Databricks sends it: documented as a JSON boolean, read as leniently as a
/// client's (`"false"`, `[{"value": "false"}]`), as the bridge always has, since Databricks
/// takes strings in writes (docs/databricks-behaviour.md rows 14, 53).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Active {
    /// A JSON boolean.
    Bool(bool),
    /// Another encoding of a boolean.
    Encoded(bool),
    /// Anything else, `null` included.
    Unreadable,
}

impl Active {
    /// The boolean, however it was encoded.
    pub fn read(self) -> Option<bool> {
        match self {
            Active::Bool(b) | Active::Encoded(b) => Some(b),
            Active::Unreadable => None,
        }
    }

    /// The boolean only when it was a JSON boolean.
    pub fn as_bool(self) -> Option<bool> {
        match self {
            Active::Bool(b) => Some(b),
            Active::Encoded(_) | Active::Unreadable => None,
        }
    }
}

impl<'de> Deserialize<'de> for Active {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Active, D::Error> {
        // Open JSON: a boolean may come in any of the encodings a client uses.
        let raw = serde_json::Value::deserialize(deserializer)?;
        Ok(match raw.as_bool() {
            Some(b) => Active::Bool(b),
            None => crate::scim::values::lenient_bool(&raw, "active").map_or(Active::Unreadable, Active::Encoded),
        })
    }
}

/// What a resource holds of an attribute a PATCH may remove (see [`DatabricksResource::holding`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holding<'a> {
    /// A multi-valued attribute's elements (none when unset).
    Elements(&'a [Reference]),
    /// A string attribute (`None` when unset).
    Text(Option<&'a str>),
    /// An attribute this type does not read.
    Unknown,
}

/// What users and service principals share.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalAttributes {
    /// `active`; `Some` whenever the answer has the attribute, `null` included.
    #[serde(default, deserialize_with = "present")]
    pub active: Option<Active>,
    /// Group memberships, direct and indirect.
    #[serde(default, deserialize_with = "lenient_list")]
    pub groups: Vec<Reference>,
    /// Entitlements.
    #[serde(default, deserialize_with = "lenient_list")]
    pub entitlements: Vec<Reference>,
    /// `externalId`.
    #[serde(default, deserialize_with = "lenient")]
    pub external_id: Option<String>,
}

impl PrincipalAttributes {
    /// `active` read leniently; an unreadable one counts as active (what Databricks creates).
    pub fn is_active(&self) -> bool {
        self.active.is_none_or(|a| a.read().unwrap_or(true))
    }

    fn holding(&self, attribute: &str) -> Holding<'_> {
        match attribute {
            "groups" => Holding::Elements(&self.groups),
            "entitlements" => Holding::Elements(&self.entitlements),
            "externalId" => Holding::Text(self.external_id.as_deref()),
            _ => Holding::Unknown,
        }
    }
}

/// A workspace user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The id (a decimal string).
    #[serde(default, deserialize_with = "lenient")]
    pub id: Option<String>,
    /// The userName, an e-mail address (lower-cased by Databricks: row 12).
    #[serde(default, deserialize_with = "lenient")]
    pub user_name: Option<String>,
    /// `displayName`.
    #[serde(default, deserialize_with = "lenient")]
    pub display_name: Option<String>,
    /// `name`.
    #[serde(default, deserialize_with = "object")]
    pub name: Option<Name>,
    /// `emails`: the work address, derived from the userName (row 51).
    #[serde(default, deserialize_with = "optional_list")]
    pub emails: Option<Vec<Email>>,
    /// `active`, `groups`, `entitlements`, `externalId`.
    #[serde(flatten)]
    pub principal: PrincipalAttributes,
}

/// A group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// The id (a decimal string).
    #[serde(default, deserialize_with = "lenient")]
    pub id: Option<String>,
    /// `displayName` (unique).
    #[serde(default, deserialize_with = "lenient")]
    pub display_name: Option<String>,
    /// Its members: users, groups, service principals.
    #[serde(default, deserialize_with = "lenient_list")]
    pub members: Vec<Reference>,
    /// The groups it belongs to, directly or not.
    #[serde(default, deserialize_with = "lenient_list")]
    pub groups: Vec<Reference>,
    /// Entitlements.
    #[serde(default, deserialize_with = "lenient_list")]
    pub entitlements: Vec<Reference>,
    /// `externalId`.
    #[serde(default, deserialize_with = "lenient")]
    pub external_id: Option<String>,
    /// `meta`.
    #[serde(default, deserialize_with = "object")]
    pub meta: Option<Meta>,
}

impl Group {
    /// Whether Databricks shows it as an account group (identity federation): listed with
    /// `meta.resourceType` `Group` (workspace groups say `WorkspaceGroup`).
    pub fn is_account_group(&self) -> bool {
        self.meta.as_ref().and_then(|m| m.resource_type.as_deref()) == Some("Group")
    }
}

/// `meta` of a Databricks resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// `Group` (an account group) or `WorkspaceGroup`, for groups.
    #[serde(default, deserialize_with = "lenient")]
    pub resource_type: Option<String>,
}

/// A service principal (row 50).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    /// The id (a decimal string).
    #[serde(default, deserialize_with = "lenient")]
    pub id: Option<String>,
    /// The application id (a UUID; on Azure the Entra application's).
    #[serde(default, deserialize_with = "lenient")]
    pub application_id: Option<String>,
    /// `displayName` (not unique).
    #[serde(default, deserialize_with = "lenient")]
    pub display_name: Option<String>,
    /// `active`, `groups`, `entitlements`, `externalId`.
    #[serde(flatten)]
    pub principal: PrincipalAttributes,
}

/// What every create body may carry besides its names and members.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCommon {
    /// Entitlements, when any.
    #[serde(skip_serializing_if = "is_empty")]
    pub entitlements: Vec<Element>,
    /// `externalId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// `POST /Users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserCreate {
    /// The core User schema.
    pub schemas: [&'static str; 1],
    /// `userName`.
    pub user_name: String,
    /// `displayName`.
    pub display_name: String,
    /// `name`, when a part was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    /// Entitlements and `externalId`.
    #[serde(flatten)]
    pub common: CreateCommon,
}

/// `POST /Groups`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupCreate {
    /// The core Group schema.
    pub schemas: [&'static str; 1],
    /// `displayName`.
    pub display_name: String,
    /// Members, when any.
    #[serde(skip_serializing_if = "is_empty")]
    pub members: Vec<Element>,
    /// Parent groups, when any.
    #[serde(skip_serializing_if = "is_empty")]
    pub groups: Vec<Element>,
    /// Entitlements and `externalId`.
    #[serde(flatten)]
    pub common: CreateCommon,
}

/// `POST /ServicePrincipals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipalCreate {
    /// The ServicePrincipal schema.
    pub schemas: [&'static str; 1],
    /// `displayName`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `applicationId`: only on Azure (rows 15–18).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    /// Entitlements and `externalId`.
    #[serde(flatten)]
    pub common: CreateCommon,
}

impl super::CreateBody for UserCreate {
    fn workspace_only(&self) -> Option<&'static str> {
        self.common.workspace_only()
    }
}

impl super::CreateBody for ServicePrincipalCreate {
    fn workspace_only(&self) -> Option<&'static str> {
        self.common.workspace_only()
    }
}

impl super::CreateBody for GroupCreate {
    fn workspace_only(&self) -> Option<&'static str> {
        self.common.workspace_only().or_else(|| (!self.groups.is_empty()).then_some("groups"))
    }
}

impl CreateCommon {
    fn workspace_only(&self) -> Option<&'static str> {
        (!self.entitlements.is_empty()).then_some("entitlements")
    }
}

impl UserCreate {
    /// A user with these names and nothing else.
    pub fn new(user_name: String, display_name: String) -> UserCreate {
        UserCreate { schemas: [USER_SCHEMA], user_name, display_name, name: None, common: CreateCommon::default() }
    }
}

impl GroupCreate {
    /// A group with this name and nothing else.
    pub fn new(display_name: String) -> GroupCreate {
        GroupCreate {
            schemas: [GROUP_SCHEMA],
            display_name,
            members: Vec::new(),
            groups: Vec::new(),
            common: CreateCommon::default(),
        }
    }
}

impl ServicePrincipalCreate {
    /// A service principal with nothing set.
    pub fn new() -> ServicePrincipalCreate {
        ServicePrincipalCreate {
            schemas: [SERVICE_PRINCIPAL_SCHEMA],
            display_name: None,
            application_id: None,
            common: CreateCommon::default(),
        }
    }
}

impl Default for ServicePrincipalCreate {
    fn default() -> ServicePrincipalCreate {
        ServicePrincipalCreate::new()
    }
}

impl DatabricksResource for Group {
    const RESOURCE: Resource = Resource::Group;
    type Create = GroupCreate;

    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn display_name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }

    fn external_id(&self) -> Option<&str> {
        self.external_id.as_deref()
    }

    fn key(&self) -> Option<&str> {
        None
    }

    fn holding(&self, attribute: &str) -> Holding<'_> {
        match attribute {
            "members" => Holding::Elements(&self.members),
            "groups" => Holding::Elements(&self.groups),
            "entitlements" => Holding::Elements(&self.entitlements),
            "externalId" => Holding::Text(self.external_id.as_deref()),
            _ => Holding::Unknown,
        }
    }
}

/// A user or a service principal: what the two share.
pub trait Principal: DatabricksResource {
    /// `active`, `groups`, `entitlements`, `externalId`.
    fn principal(&self) -> &PrincipalAttributes;

    /// The same, to change.
    fn principal_mut(&mut self) -> &mut PrincipalAttributes;
}

/// [`DatabricksResource`] and [`Principal`] for a user or a service principal, whose
/// immutable key is the attribute `$key`.
macro_rules! principal_resource {
    ($type:ty, $resource:expr, $create:ty, $key:ident) => {
        impl DatabricksResource for $type {
            const RESOURCE: Resource = $resource;
            type Create = $create;

            fn id(&self) -> Option<&str> {
                self.id.as_deref()
            }

            fn display_name(&self) -> Option<&str> {
                self.display_name.as_deref()
            }

            fn external_id(&self) -> Option<&str> {
                self.principal.external_id.as_deref()
            }

            fn key(&self) -> Option<&str> {
                self.$key.as_deref()
            }

            fn holding(&self, attribute: &str) -> Holding<'_> {
                self.principal.holding(attribute)
            }
        }

        impl Principal for $type {
            fn principal(&self) -> &PrincipalAttributes {
                &self.principal
            }

            fn principal_mut(&mut self) -> &mut PrincipalAttributes {
                &mut self.principal
            }
        }
    };
}

principal_resource!(User, Resource::User, UserCreate, user_name);
principal_resource!(ServicePrincipal, Resource::ServicePrincipal, ServicePrincipalCreate, application_id);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::lenient::ObjectOr;
    use serde_json::json;

    fn user(json: serde_json::Value) -> User {
        serde_json::from_value::<ObjectOr<User>>(json).map(ObjectOr::into_inner).unwrap_or_default()
    }

    #[test]
    fn attributes_of_another_type_read_as_absent_and_unknown_ones_are_ignored() {
        let u = user(json!({"id": 5, "userName": "a@b.c", "name": ["x"], "groups": "g", "roles": [{"value": "r"}],
            "entitlements": [{"value": "workspace-access"}, 7, {"value": 8}]}));
        assert_eq!(u.id, None);
        assert_eq!(u.user_name.as_deref(), Some("a@b.c"));
        assert_eq!(u.name, None);
        assert!(u.principal.groups.is_empty());
        assert_eq!(Reference::values(&u.principal.entitlements), vec!["workspace-access".to_string()]);
    }

    #[test]
    fn active_is_read_in_every_encoding_and_null_is_present_but_unreadable() {
        assert_eq!(user(json!({"active": false})).principal.active, Some(Active::Bool(false)));
        assert_eq!(user(json!({"active": "False"})).principal.active, Some(Active::Encoded(false)));
        assert_eq!(user(json!({"active": null})).principal.active, Some(Active::Unreadable));
        assert_eq!(user(json!({})).principal.active, None);
        assert!(user(json!({"active": "maybe"})).principal.is_active());
    }

    #[test]
    fn an_answer_that_is_not_an_object_reads_as_empty() {
        assert_eq!(user(json!(["1", "a@b.c"])), User::default());
        assert_eq!(user(json!("x")), User::default());
    }

    #[test]
    fn create_bodies_leave_out_what_is_unset() {
        let body = serde_json::to_value(UserCreate::new("a@b.c".into(), "A".into())).ok();
        assert_eq!(body, Some(json!({"schemas": [USER_SCHEMA], "userName": "a@b.c", "displayName": "A"})));
    }
}
