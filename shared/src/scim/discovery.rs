//! The discovery documents (RFC 7643 §5–§7, RFC 7644 §4). They advertise only what
//! round-trips through Databricks: every mutable attribute here survives a PATCH and a PUT.

use scim_v2::filter::AttrPath;
use serde_json::{Value, json};

use super::list::{MAX_PAGE_SIZE, list_response};
use super::{GROUP_EXTENSION_SCHEMA, GROUP_SCHEMA, SERVICE_PRINCIPAL_SCHEMA, USER_SCHEMA};

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
pub fn service_provider_config(base_url: &str) -> Value {
    json!({
        "schemas": [SPC_SCHEMA],
        "documentationUri": "https://github.com/databricks-scim-bridge#readme",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_PAGE_SIZE},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "Authentication with a bearer token in the Authorization header: a static token, or an access token of the OAuth 2.0 client-credentials token endpoint when it is enabled",
            "primary": true
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base_url}/ServiceProviderConfig")}
    })
}

/// Every resource type, by its `id`.
pub fn resource_types(base_url: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "User", "name": "User", "endpoint": "/Users",
            "description": "Databricks workspace user",
            "schema": USER_SCHEMA,
            "meta": {"resourceType": "ResourceType", "location": format!("{base_url}/ResourceTypes/User")}
        }),
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group", "name": "Group", "endpoint": "/Groups",
            "description": "Databricks workspace group",
            "schema": GROUP_SCHEMA,
            "schemaExtensions": [{"schema": GROUP_EXTENSION_SCHEMA, "required": false}],
            "meta": {"resourceType": "ResourceType", "location": format!("{base_url}/ResourceTypes/Group")}
        }),
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "ServicePrincipal", "name": "ServicePrincipal", "endpoint": "/ServicePrincipals",
            "description": "Databricks workspace service principal (also how Partner Connect partners appear)",
            "schema": SERVICE_PRINCIPAL_SCHEMA,
            "meta": {"resourceType": "ResourceType", "location": format!("{base_url}/ResourceTypes/ServicePrincipal")}
        }),
    ]
}

/// `GET /ResourceTypes` as a ListResponse.
pub fn resource_types_list(base_url: &str) -> Value {
    let all = resource_types(base_url);
    list_response(all.len() as u64, 1, all)
}

/// `GET /ResourceTypes/{id}` (case-insensitive id).
pub fn resource_type(base_url: &str, id: &str) -> Option<Value> {
    resource_types(base_url).into_iter().find(|rt| rt["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
}

fn attribute(name: &str, kind: &str, multi: bool, required: bool, mutability: &str, description: &str) -> Value {
    json!({
        "name": name, "type": kind, "multiValued": multi, "description": description,
        "required": required, "caseExact": false, "mutability": mutability,
        "returned": "default", "uniqueness": "none"
    })
}

fn with(mut attr: Value, key: &str, value: Value) -> Value {
    if let Some(map) = attr.as_object_mut() {
        map.insert(key.into(), value);
    }
    attr
}

fn entitlements_attribute() -> Value {
    let value = with(
        attribute("value", "string", false, true, "readWrite", "Databricks entitlement name"),
        "canonicalValues",
        json!(ENTITLEMENTS[..4]),
    );
    with(
        attribute("entitlements", "complex", true, false, "readWrite", "Databricks workspace entitlements"),
        "subAttributes",
        json!([value]),
    )
}

fn reference_list(name: &str, description: &str, mutability: &str, ref_types: &[&str], with_type: bool) -> Value {
    let mut subs = vec![
        attribute("value", "string", false, false, "immutable", "id of the referenced resource"),
        with(
            attribute("$ref", "reference", false, false, "immutable", "URI of the referenced resource"),
            "referenceTypes",
            json!(ref_types),
        ),
    ];
    if with_type {
        subs.push(with(
            attribute("type", "string", false, false, "immutable", "kind of the referenced resource"),
            "canonicalValues",
            json!(ref_types),
        ));
    }
    with(attribute(name, "complex", true, false, mutability, description), "subAttributes", json!(subs))
}

/// The read-only `groups` of a user or service principal: direct and inherited memberships.
fn memberships_attribute(who: &str) -> Value {
    with(
        attribute(
            "groups",
            "complex",
            true,
            false,
            "readOnly",
            &format!("groups the {who} belongs to, directly or through nesting"),
        ),
        "subAttributes",
        json!([
            attribute("value", "string", false, false, "readOnly", "group id"),
            with(
                attribute("$ref", "reference", false, false, "readOnly", "group URI"),
                "referenceTypes",
                json!(["Group"])
            ),
            attribute("display", "string", false, false, "readOnly", "group display name"),
            with(
                attribute("type", "string", false, false, "readOnly", "direct or indirect"),
                "canonicalValues",
                json!(["direct", "indirect"])
            ),
        ]),
    )
}

fn user_schema(base_url: &str) -> Value {
    let user_name = with(
        with(
            attribute(
                "userName",
                "string",
                false,
                true,
                "immutable",
                "e-mail address; Databricks stores it lower-cased and never changes it",
            ),
            "uniqueness",
            json!("server"),
        ),
        "caseExact",
        json!(false),
    );
    let name = with(
        attribute("name", "complex", false, false, "readWrite", "the user's name"),
        "subAttributes",
        json!([
            attribute("givenName", "string", false, false, "readWrite", "given name"),
            attribute("familyName", "string", false, false, "readWrite", "family name"),
        ]),
    );
    let emails = with(
        attribute("emails", "complex", true, false, "readOnly", "derived by Databricks from userName"),
        "subAttributes",
        json!([
            attribute("value", "string", false, false, "readOnly", "e-mail address"),
            attribute("type", "string", false, false, "readOnly", "always work"),
            attribute("primary", "boolean", false, false, "readOnly", "always true"),
        ]),
    );
    let groups = memberships_attribute("user");
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": USER_SCHEMA, "name": "User", "description": "Databricks workspace user",
        "attributes": [
            user_name,
            name,
            attribute("displayName", "string", false, true, "readWrite", "display name; Databricks always has one: when a request omits it, 'givenName familyName', else userName"),
            emails,
            attribute("active", "boolean", false, true, "readWrite", "false deactivates the user in the workspace; Databricks always has a value (true when a request omits it)"),
            groups,
            entitlements_attribute(),
        ],
        "meta": {"resourceType": "Schema", "location": format!("{base_url}/Schemas/{USER_SCHEMA}")}
    })
}

fn group_schema(base_url: &str) -> Value {
    let display_name = with(
        attribute("displayName", "string", false, true, "readWrite", "group name (case-sensitive in Databricks)"),
        "uniqueness",
        json!("server"),
    );
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": GROUP_SCHEMA, "name": "Group", "description": "Databricks workspace group",
        "attributes": [
            display_name,
            reference_list("members", "members of the group", "readWrite", &["User", "Group", "ServicePrincipal"], true),
        ],
        "meta": {"resourceType": "Schema", "location": format!("{base_url}/Schemas/{GROUP_SCHEMA}")}
    })
}

fn group_extension_schema(base_url: &str) -> Value {
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": GROUP_EXTENSION_SCHEMA, "name": "DatabricksGroup",
        "description": "Databricks group attributes: parent groups and entitlements",
        "attributes": [
            reference_list("parentGroups", "groups this group is a member of", "readWrite", &["Group"], false),
            entitlements_attribute(),
        ],
        "meta": {"resourceType": "Schema", "location": format!("{base_url}/Schemas/{GROUP_EXTENSION_SCHEMA}")}
    })
}

fn service_principal_schema(base_url: &str) -> Value {
    let application_id = with(
        attribute(
            "applicationId",
            "string",
            false,
            false,
            "readOnly",
            "UUID of the principal's application, generated by Databricks (on Azure a create may pass the Entra application id)",
        ),
        "uniqueness",
        json!("server"),
    );
    let groups = memberships_attribute("principal");
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": SERVICE_PRINCIPAL_SCHEMA, "name": "ServicePrincipal", "description": "Databricks workspace service principal",
        "attributes": [
            attribute("displayName", "string", false, true, "readWrite", "name of the principal (Partner Connect: <PARTNER>_USER)"),
            application_id,
            attribute("active", "boolean", false, true, "readWrite", "false deactivates the principal; Databricks always has a value (true when a request omits it)"),
            groups,
            entitlements_attribute(),
        ],
        "meta": {"resourceType": "Schema", "location": format!("{base_url}/Schemas/{SERVICE_PRINCIPAL_SCHEMA}")}
    })
}

/// Every schema we serve.
pub fn schemas(base_url: &str) -> Vec<Value> {
    vec![
        user_schema(base_url),
        group_schema(base_url),
        group_extension_schema(base_url),
        service_principal_schema(base_url),
    ]
}

/// `GET /Schemas` as a ListResponse.
pub fn schemas_list(base_url: &str) -> Value {
    let all = schemas(base_url);
    list_response(all.len() as u64, 1, all)
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
    searched.iter().filter_map(|urn| schema("", urn)).any(|doc| {
        doc["attributes"].as_array().is_some_and(|attrs| {
            attrs.iter().any(|a| a["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(&path.name)))
        })
    })
}

/// `GET /Schemas/{urn}`.
pub fn schema(base_url: &str, urn: &str) -> Option<Value> {
    schemas(base_url).into_iter().find(|s| s["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(urn)))
}
