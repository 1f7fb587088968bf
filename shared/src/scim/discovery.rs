//! The discovery documents (RFC 7643 §5–§7, RFC 7644 §4). They advertise only what
//! round-trips through Databricks: every mutable attribute here survives a PATCH and a PUT.

use scim_v2::asserted::Asserted;
use scim_v2::filter::AttrPath;
use scim_v2::models::resource_types::{ResourceType, SchemaExtension};
use scim_v2::models::scim_schema::{Attributes, Meta, Schema, SubAttributes};
use scim_v2::models::service_provider_config::{AuthenticationScheme, Bulk, Filter, ServiceProviderConfig, Supported};
use serde::Serialize;
use serde_json::Value;

use super::list::{MAX_PAGE_SIZE, list_response};
use super::{GROUP_EXTENSION_SCHEMA, GROUP_SCHEMA, Resource, SERVICE_PRINCIPAL_SCHEMA, ScimError, USER_SCHEMA};

const SPC_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// Entitlements Databricks knows (docs/databricks-behaviour.md row 48). The first four are advertised as
/// canonical values; `workspace-consume` is accepted too but conflicts with two of them.
pub const ENTITLEMENTS: [&str; 5] = [
    "workspace-access",
    "databricks-sql-access",
    "allow-cluster-create",
    "allow-instance-pool-create",
    "workspace-consume",
];

/// `GET /ServiceProviderConfig`. RFC 7643 §5 has no flag for `POST /.search` (RFC 7644
/// §3.4.3): it is the query of `filter`, and `filter.supported` announces both forms, which
/// are served on the root and on every resource endpoint.
pub fn service_provider_config(base_url: &str) -> ServiceProviderConfig {
    ServiceProviderConfig {
        schemas: vec![SPC_SCHEMA.into()],
        documentation_uri: Some("https://github.com/databricks-scim-bridge#readme".into()),
        patch: Supported { supported: true },
        bulk: Bulk { supported: false, max_operations: 0, max_payload_size: 0 },
        filter: Filter { supported: true, max_results: i64::from(MAX_PAGE_SIZE) },
        change_password: Supported { supported: false },
        sort: Supported { supported: false },
        etag: Supported { supported: false },
        authentication_schemes: vec![AuthenticationScheme {
            name: "Bearer token".into(),
            r#type: Some("oauthbearertoken".into()),
            description: "Authentication with a bearer token in the Authorization header: a static token, or an access token of the OAuth 2.0 client-credentials token endpoint when it is enabled".into(),
            spec_uri: None,
            documentation_uri: None,
            primary: Some(true),
        }],
        meta: Some(meta("ServiceProviderConfig", format!("{base_url}/ServiceProviderConfig"))),
    }
}

fn meta(resource_type: &str, location: String) -> Meta {
    Meta { resource_type: Some(resource_type.into()), location: Some(location), ..Meta::default() }
}

/// What `/ResourceTypes` says of each resource.
fn resource_type_description(resource: Resource) -> &'static str {
    match resource {
        Resource::User => "Databricks workspace user",
        Resource::Group => "Databricks workspace group",
        Resource::ServicePrincipal => {
            "Databricks workspace service principal (also how Partner Connect partners appear)"
        }
    }
}

/// Every resource type, by its `id`; for the account target without schema extensions (the
/// one there is, the group's, holds only workspace attributes).
pub fn resource_types(base_url: &str, account: bool) -> Vec<ResourceType> {
    Resource::ALL
        .into_iter()
        .map(|resource| {
            let name = resource.resource_type();
            let extensions: Vec<SchemaExtension> = resource
                .extensions()
                .iter()
                .filter(|_| !account)
                .map(|urn| SchemaExtension { schema: (*urn).into(), required: false })
                .collect();
            ResourceType {
                schemas: vec![RESOURCE_TYPE_SCHEMA.into()],
                id: Some(name.into()),
                name: name.into(),
                description: Some(resource_type_description(resource).into()),
                endpoint: format!("/{}", resource.endpoint()),
                schema: resource.schema().into(),
                schema_extensions: if extensions.is_empty() { Asserted::Absent } else { Asserted::Set(extensions) },
                meta: Some(meta("ResourceType", format!("{base_url}/ResourceTypes/{name}"))),
            }
        })
        .collect()
}

/// A discovery document as the JSON of an answer.
pub fn document(doc: &impl Serialize) -> Result<Value, ScimError> {
    serde_json::to_value(doc).map_err(|e| ScimError::Internal(format!("a discovery document cannot be rendered: {e}")))
}

/// `GET /ResourceTypes` as a ListResponse.
pub fn resource_types_list(base_url: &str, account: bool) -> Result<Value, ScimError> {
    let all = resource_types(base_url, account).iter().map(document).collect::<Result<Vec<_>, _>>()?;
    Ok(list_response(all.len() as u64, 1, all))
}

/// `GET /ResourceTypes/{id}` (case-insensitive id).
pub fn resource_type(base_url: &str, id: &str, account: bool) -> Option<ResourceType> {
    resource_types(base_url, account)
        .into_iter()
        .find(|rt| rt.id.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(id)))
}

/// scim_v2's `Attributes` and `SubAttributes` share every field but `subAttributes`: one list of
/// them, for both.
macro_rules! schema_attribute {
    ($kind:ident, $attr:expr $(, $extra:ident)?) => {
        $kind {
            name: $attr.name.into(),
            r#type: $attr.kind.into(),
            multi_valued: $attr.multi,
            description: Some($attr.description),
            required: Some($attr.required),
            canonical_values: listed(&strings($attr.canonical)),
            case_exact: Some(false),
            mutability: Some($attr.mutability.into()),
            returned: Some("default".into()),
            uniqueness: Some(if $attr.unique { "server" } else { "none" }.into()),
            reference_types: listed(&strings($attr.references)),
            $($extra,)?
        }
    };
}

/// An attribute of a schema as RFC 7643 §7 describes it; by default single-valued, not
/// required, not case-exact, returned by default and not unique.
struct Attr {
    name: &'static str,
    kind: &'static str,
    multi: bool,
    required: bool,
    mutability: &'static str,
    description: String,
    unique: bool,
    canonical: &'static [&'static str],
    references: &'static [&'static str],
    subs: Vec<SubAttributes>,
}

fn attr(name: &'static str, kind: &'static str, mutability: &'static str, description: impl Into<String>) -> Attr {
    Attr {
        name,
        kind,
        multi: false,
        required: false,
        mutability,
        description: description.into(),
        unique: false,
        canonical: &[],
        references: &[],
        subs: Vec::new(),
    }
}

/// A list that is absent when empty.
fn listed<T: Clone>(values: &[T]) -> Asserted<Vec<T>> {
    if values.is_empty() { Asserted::Absent } else { Asserted::Set(values.to_vec()) }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_string()).collect()
}

impl Attr {
    fn multi(self) -> Attr {
        Attr { multi: true, ..self }
    }

    fn required(self) -> Attr {
        Attr { required: true, ..self }
    }

    /// `uniqueness: server`.
    fn unique(self) -> Attr {
        Attr { unique: true, ..self }
    }

    fn canonical(self, values: &'static [&'static str]) -> Attr {
        Attr { canonical: values, ..self }
    }

    fn references(self, types: &'static [&'static str]) -> Attr {
        Attr { references: types, ..self }
    }

    fn with_subs(self, subs: Vec<Attr>) -> Attr {
        Attr { subs: subs.into_iter().map(Attr::sub).collect(), ..self }
    }

    /// A top-level attribute, with its sub-attributes.
    fn top(self) -> Attributes {
        let sub_attributes = listed(&self.subs);
        schema_attribute!(Attributes, self, sub_attributes)
    }

    /// A sub-attribute.
    fn sub(self) -> SubAttributes {
        schema_attribute!(SubAttributes, self)
    }
}

fn entitlements_attribute() -> Attr {
    attr("entitlements", "complex", "readWrite", "Databricks workspace entitlements").multi().with_subs(vec![
        attr("value", "string", "readWrite", "Databricks entitlement name")
            .required()
            .canonical(ENTITLEMENTS_ADVERTISED),
    ])
}

/// The entitlements advertised as canonical values (`workspace-consume` is accepted, not advertised).
const ENTITLEMENTS_ADVERTISED: &[&str] = ENTITLEMENTS.split_at(4).0;

fn reference_list(
    name: &'static str,
    description: &'static str,
    mutability: &'static str,
    ref_types: &'static [&'static str],
    with_type: bool,
) -> Attr {
    let mut subs = vec![
        attr("value", "string", "immutable", "id of the referenced resource"),
        attr("$ref", "reference", "immutable", "URI of the referenced resource").references(ref_types),
    ];
    if with_type {
        subs.push(attr("type", "string", "immutable", "kind of the referenced resource").canonical(ref_types));
    }
    attr(name, "complex", mutability, description).multi().with_subs(subs)
}

/// The read-only `groups` of a user or service principal: direct and inherited memberships.
fn memberships_attribute(who: &str) -> Attr {
    attr("groups", "complex", "readOnly", format!("groups the {who} belongs to, directly or through nesting"))
        .multi()
        .with_subs(vec![
            attr("value", "string", "readOnly", "group id"),
            attr("$ref", "reference", "readOnly", "group URI").references(&["Group"]),
            attr("display", "string", "readOnly", "group display name"),
            attr("type", "string", "readOnly", "direct or indirect").canonical(&["direct", "indirect"]),
        ])
}

fn schema_document(base_url: &str, id: &str, name: &str, description: &str, attributes: Vec<Attr>) -> Schema {
    Schema {
        schemas: vec![SCHEMA_SCHEMA.into()],
        id: id.into(),
        name: Some(name.into()),
        description: Some(description.into()),
        attributes: attributes.into_iter().map(Attr::top).collect(),
        meta: meta("Schema", format!("{base_url}/Schemas/{id}")),
    }
}

fn user_schema(base_url: &str) -> Schema {
    schema_document(base_url, USER_SCHEMA, "User", "Databricks workspace user", vec![
        attr("userName", "string", "immutable", "e-mail address; Databricks stores it lower-cased and never changes it")
            .required()
            .unique(),
        attr("name", "complex", "readWrite", "the user's name").with_subs(vec![
            attr("givenName", "string", "readWrite", "given name"),
            attr("familyName", "string", "readWrite", "family name"),
        ]),
        attr("displayName", "string", "readWrite", "display name; Databricks always has one: when a request omits it, 'givenName familyName', else userName").required(),
        attr("emails", "complex", "readOnly", "derived by Databricks from userName").multi().with_subs(vec![
            attr("value", "string", "readOnly", "e-mail address"),
            attr("type", "string", "readOnly", "always work"),
            attr("primary", "boolean", "readOnly", "always true"),
        ]),
        attr("active", "boolean", "readWrite", "false deactivates the user in the workspace; Databricks always has a value (true when a request omits it)").required(),
        memberships_attribute("user"),
        entitlements_attribute(),
    ])
}

fn group_schema(base_url: &str) -> Schema {
    schema_document(
        base_url,
        GROUP_SCHEMA,
        "Group",
        "Databricks workspace group",
        vec![
            attr("displayName", "string", "readWrite", "group name (case-sensitive in Databricks)").required().unique(),
            reference_list(
                "members",
                "members of the group",
                "readWrite",
                &["User", "Group", "ServicePrincipal"],
                true,
            ),
        ],
    )
}

fn group_extension_schema(base_url: &str) -> Schema {
    schema_document(
        base_url,
        GROUP_EXTENSION_SCHEMA,
        "DatabricksGroup",
        "Databricks group attributes: parent groups and entitlements",
        vec![
            reference_list("parentGroups", "groups this group is a member of", "readWrite", &["Group"], false),
            entitlements_attribute(),
        ],
    )
}

fn service_principal_schema(base_url: &str) -> Schema {
    schema_document(base_url, SERVICE_PRINCIPAL_SCHEMA, "ServicePrincipal", "Databricks workspace service principal", vec![
        attr("displayName", "string", "readWrite", "name of the principal (Partner Connect: <PARTNER>_USER)").required(),
        attr(
            "applicationId",
            "string",
            "readOnly",
            "UUID of the principal's application, generated by Databricks (on Azure a create may pass the Entra application id)",
        )
        .unique(),
        attr("active", "boolean", "readWrite", "false deactivates the principal; Databricks always has a value (true when a request omits it)").required(),
        memberships_attribute("principal"),
        entitlements_attribute(),
    ])
}

/// Every schema we serve.
pub fn schemas(base_url: &str) -> Vec<Schema> {
    vec![
        user_schema(base_url),
        group_schema(base_url),
        group_extension_schema(base_url),
        service_principal_schema(base_url),
    ]
}

/// Attributes only a workspace holds: the account target's schemas leave them out
/// (docs/account-target.md).
const WORKSPACE_ONLY: [&str; 3] = ["entitlements", "groups", "parentGroups"];

/// A schema as a target serves it: for the account target without [`WORKSPACE_ONLY`], and
/// none when nothing is left (the group extension).
fn for_target(mut schema: Schema, account: bool) -> Option<Schema> {
    if account {
        schema.attributes.retain(|a| !WORKSPACE_ONLY.iter().any(|w| a.name.eq_ignore_ascii_case(w)));
    }
    (!schema.attributes.is_empty()).then_some(schema)
}

/// `GET /Schemas` as a ListResponse, as the target serves them.
pub fn schemas_list(base_url: &str, account: bool) -> Result<Value, ScimError> {
    let all = schemas(base_url)
        .into_iter()
        .filter_map(|s| for_target(s, account))
        .map(|s| document(&s))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(list_response(all.len() as u64, 1, all))
}

/// `GET /Schemas/{urn}` as the target serves it.
pub fn schema_for_target(base_url: &str, urn: &str, account: bool) -> Option<Schema> {
    schema(base_url, urn).and_then(|s| for_target(s, account))
}

/// Attributes every resource has (RFC 7643 §3.1), whatever its schema lists.
const COMMON_ATTRIBUTES: [&str; 3] = ["id", "externalId", "meta"];

/// Whether a resource type — its core schema and extensions, as `/Schemas` serves them —
/// defines the attribute a filter names (top-level name; a schema-qualified name only counts
/// when the schema is one of the type's). For searches across resource types.
pub fn defines_attribute(core: &str, extensions: &[&str], path: &AttrPath) -> bool {
    let own = |urn: &str| urn.eq_ignore_ascii_case(core) || extensions.iter().any(|e| e.eq_ignore_ascii_case(urn));
    let searched: Vec<&str> = match path.uri.as_deref() {
        Some(uri) if own(uri) => vec![uri],
        Some(_) => return false,
        None => std::iter::once(core).chain(extensions.iter().copied()).collect(),
    };
    if COMMON_ATTRIBUTES.iter().any(|c| c.eq_ignore_ascii_case(&path.name)) {
        return true;
    }
    searched
        .iter()
        .filter_map(|urn| schema("", urn))
        .any(|doc| doc.attributes.iter().any(|a| a.name.eq_ignore_ascii_case(&path.name)))
}

/// `GET /Schemas/{urn}`.
pub fn schema(base_url: &str, urn: &str) -> Option<Schema> {
    schemas(base_url).into_iter().find(|s| s.id.eq_ignore_ascii_case(urn))
}
