//! Mapping both ways. Any Databricks resource JSON (missing, odd and extra fields included)
//! becomes a SCIM resource with its `schemas`, its `id` and a `meta.location` under the base
//! URL; any SCIM create body becomes a Databricks body of known attributes only, and any PUT
//! body, against any current resource, Databricks operations of the public forms — or a 400.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use shared::databricks::{Cloud, DatabricksId};
use shared::mapping::{group, service_principal, user};
use shared::scim::discovery::ENTITLEMENTS;
use shared::scim::lenient::ObjectOr;
use shared::scim::values::ClientObject;
use shared::scim::{GROUP_EXTENSION_SCHEMA, GROUP_SCHEMA, SERVICE_PRINCIPAL_SCHEMA, USER_SCHEMA};

use super::patch::{Kind, check_operations, refused_with_400, strings_in, value_of};
use super::{any_case, config, hostile_string, id_string, json_object, json_value, key};

/// A value of `kind` or any JSON at all.
fn odd(kind: Kind) -> BoxedStrategy<Value> {
    prop_oneof![4 => value_of(kind), 1 => json_value()].boxed()
}

fn uuid() -> impl Strategy<Value = String> + Clone {
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
}

/// A Databricks membership or member entry: `value`, `display`, `type`, `$ref`, any of them odd.
fn entry() -> impl Strategy<Value = Value> {
    (
        prop_oneof![4 => id_string().prop_map(Value::from), 1 => json_value()],
        hostile_string(),
        prop::sample::select(&["direct", "indirect", "Direct", "other"][..]),
        prop_oneof![
            id_string().prop_map(|i| format!("Users/{i}")),
            id_string().prop_map(|i| format!("Groups/{i}")),
            id_string().prop_map(|i| format!("ServicePrincipals/{i}")),
            hostile_string(),
        ],
        0..16u8,
    )
        .prop_map(|(value, display, kind, reference, drop)| {
            let mut e = Map::new();
            for (i, (k, v)) in
                [("value", value), ("display", json!(display)), ("type", json!(kind)), ("$ref", json!(reference))]
                    .into_iter()
                    .enumerate()
            {
                if drop >> i & 1 == 0 {
                    e.insert(k.to_string(), v);
                }
            }
            Value::Object(e)
        })
}

/// A resource as Databricks might answer it: the attributes of users, groups and service
/// principals with values of the right or of any shape, missing ones, and extra keys; or
/// any JSON value at all.
pub fn databricks_resource() -> impl Strategy<Value = Value> {
    let text = |name: &'static str| odd(Kind::Text).prop_map(move |v| (name.to_string(), v));
    let list = prop_oneof![4 => prop::collection::vec(entry(), 0..4).prop_map(Value::Array), 1 => json_value()];
    let field = prop_oneof![
        4 => prop_oneof![6 => id_string().prop_map(Value::from), 1 => hostile_string().prop_map(Value::from), 1 => json_value()]
            .prop_map(|v| ("id".to_string(), v)),
        2 => text("userName"),
        2 => text("displayName"),
        1 => text("externalId"),
        1 => prop_oneof![uuid().prop_map(Value::from), json_value()].prop_map(|v| ("applicationId".to_string(), v)),
        1 => odd(Kind::Bool).prop_map(|v| ("active".to_string(), v)),
        1 => odd(Kind::Name).prop_map(|v| ("name".to_string(), v)),
        1 => odd(Kind::Multi).prop_map(|v| ("emails".to_string(), v)),
        2 => list.clone().prop_map(|v| ("groups".to_string(), v)),
        2 => list.prop_map(|v| ("members".to_string(), v)),
        1 => odd(Kind::Entitlements).prop_map(|v| ("entitlements".to_string(), v)),
        1 => odd(Kind::Multi).prop_map(|v| ("roles".to_string(), v)),
        1 => prop::sample::select(vec![json!({"resourceType": "Group"}), json!({"resourceType": "WorkspaceGroup"}), json!(null)])
            .prop_map(|v| ("meta".to_string(), v)),
        1 => (key(), json_value()),
    ];
    prop_oneof![
        9 => prop::collection::vec(field, 0..12).prop_map(|fields| Value::Object(fields.into_iter().collect())),
        1 => json_value(),
    ]
}

/// `db` read as the bridge reads a Databricks answer.
fn answer<T: DeserializeOwned + Default>(db: &Value) -> Result<T, TestCaseError> {
    serde_json::from_value::<ObjectOr<T>>(db.clone())
        .map(ObjectOr::into_inner)
        .map_err(|e| TestCaseError::fail(format!("{db} could not be read: {e}")))
}

/// What the bridge made, as JSON.
fn json(made: impl Serialize) -> Result<Value, TestCaseError> {
    serde_json::to_value(made).map_err(|e| TestCaseError::fail(format!("not written as JSON: {e}")))
}

const BASES: &[&str] = &[
    "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/scim/v2",
    "http://127.0.0.1:9400/scim/v2",
    "https://scim.example.com/scim/v2",
];

/// The `$ref`s the bridge writes: of groups, members and parent groups.
fn refs(scim: &Value) -> Vec<Value> {
    let lists = [&scim["groups"], &scim["members"], &scim[GROUP_EXTENSION_SCHEMA]["parentGroups"]];
    lists.iter().filter_map(|l| l.as_array()).flatten().filter_map(|e| e.get("$ref")).cloned().collect()
}

/// A SCIM resource rendered from `db`: schemas first the core one, the id as given, meta with the
/// resource type and a location under `base`, every `$ref` it writes under `base`, only known
/// attributes.
fn check_scim(
    scim: &Value,
    db: &Value,
    base: &str,
    (schema, resource_type, segment): (&str, &str, &str),
    known: &[&str],
) -> Result<(), TestCaseError> {
    let object = scim.as_object().cloned().unwrap_or_default();
    prop_assert!(object.keys().all(|k| known.contains(&k.as_str())), "attributes {:?}", object.keys());
    let schemas = scim["schemas"].as_array().cloned().unwrap_or_default();
    prop_assert_eq!(schemas.first(), Some(&json!(schema)), "schemas {:?}", scim["schemas"]);
    prop_assert!(schemas.iter().all(|s| object.contains_key(s.as_str().unwrap_or_default()) || s == schema));
    let id = scim["id"].as_str();
    prop_assert!(id.is_some(), "no id in {scim}");
    let id = id.unwrap_or_default();
    if let Some(given) = db.get("id").and_then(Value::as_str) {
        prop_assert_eq!(id, given);
    }
    prop_assert_eq!(&scim["meta"]["resourceType"], &json!(resource_type));
    prop_assert_eq!(&scim["meta"]["location"], &json!(format!("{base}/{segment}/{id}")));
    for r in refs(scim) {
        prop_assert!(r.as_str().is_some_and(|r| r.starts_with(&format!("{base}/"))), "$ref {r}");
    }
    Ok(())
}

/// A SCIM create or replace body: the attributes of users, groups and service principals,
/// mostly of the right shape, in any case, plus anything.
fn scim_body() -> impl Strategy<Value = Map<String, Value>> {
    let field = prop_oneof![
        3 => (any_case(&["userName"]), odd(Kind::Text)),
        3 => (any_case(&["displayName"]), odd(Kind::Text)),
        1 => (any_case(&["externalId"]), odd(Kind::Text)),
        1 => (any_case(&["active"]), odd(Kind::Bool)),
        1 => (any_case(&["name"]), odd(Kind::Name)),
        1 => (any_case(&["applicationId"]), prop_oneof![uuid().prop_map(Value::from), json_value()]),
        2 => (any_case(&["members"]), odd(Kind::Ids)),
        1 => (any_case(&["entitlements"]), odd(Kind::Entitlements)),
        1 => (any_case(&["parentGroups"]), odd(Kind::Ids)),
        1 => (any_case(&["roles", "emails", "groups"]), odd(Kind::Multi)),
        1 => (Just(GROUP_EXTENSION_SCHEMA.to_string()), (odd(Kind::Ids), odd(Kind::Entitlements))
            .prop_map(|(p, e)| json!({"parentGroups": p, "entitlements": e}))),
        1 => (key(), json_value()),
    ];
    prop_oneof![
        5 => prop::collection::vec(field, 0..8).prop_map(|fields| fields.into_iter().collect()),
        1 => json_object(),
    ]
}

/// `[{"value": v}, …]` with every `v` passing `ok`, and no other key.
fn value_list(value: &Value, ok: &dyn Fn(&str) -> bool) -> Result<(), TestCaseError> {
    let items = value.as_array().cloned().unwrap_or_default();
    prop_assert!(!items.is_empty(), "an empty list {value}");
    for item in items {
        let keys: Vec<String> = item.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
        prop_assert_eq!(keys, vec!["value".to_string()], "element {}", item);
        prop_assert!(item["value"].as_str().is_some_and(ok), "element {item}");
    }
    Ok(())
}

/// A Databricks create body: an object of known attributes only, each of its Databricks shape.
fn check_create(body: &Value, schema: &str, known: &[&str]) -> Result<(), TestCaseError> {
    let object = body.as_object().cloned().unwrap_or_default();
    prop_assert!(object.keys().all(|k| known.contains(&k.as_str())), "attributes {:?}", object.keys());
    prop_assert_eq!(&body["schemas"], &json!([schema]));
    for (k, v) in &object {
        match k.as_str() {
            "schemas" => {}
            "members" | "groups" => value_list(v, &|s| DatabricksId::parse(s).is_some())?,
            "entitlements" => value_list(v, &|s| ENTITLEMENTS.contains(&s))?,
            "name" => {
                let name = v.as_object().cloned().unwrap_or_default();
                prop_assert!(!name.is_empty());
                prop_assert!(name.iter().all(|(k, v)| (k == "givenName" || k == "familyName") && v.is_string()), "{v}");
            }
            _ => prop_assert!(v.is_string(), "{k}: {v}"),
        }
    }
    Ok(())
}

/// A replace body that names the current user or principal half the time, so that more PUTs get
/// past the key check.
fn replace_case() -> impl Strategy<Value = (Map<String, Value>, Value)> {
    (scim_body(), databricks_resource(), any::<bool>()).prop_map(|(mut body, current, same_key)| {
        if same_key {
            for k in ["userName", "applicationId"] {
                if let Some(v) = current.get(k) {
                    body.insert(k.to_string(), v.clone());
                }
            }
        }
        (body, current)
    })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_databricks_resource_becomes_a_scim_resource_with_schemas_id_and_location(
        db in databricks_resource(),
        base in prop::sample::select(BASES),
    ) {
        let principal = [
            "schemas", "id", "userName", "name", "displayName", "emails", "active", "groups", "entitlements",
            "externalId", "applicationId", "meta",
        ];
        let u = json(user::user_to_scim(&answer(&db)?, base))?;
        check_scim(&u, &db, base, (USER_SCHEMA, "User", "Users"), &principal)?;
        prop_assert!(u.get("applicationId").is_none());
        let sp = json(service_principal::service_principal_to_scim(&answer(&db)?, base))?;
        check_scim(&sp, &db, base, (SERVICE_PRINCIPAL_SCHEMA, "ServicePrincipal", "ServicePrincipals"), &principal)?;
        prop_assert!(sp.get("userName").is_none() && sp.get("name").is_none() && sp.get("emails").is_none());
        let g = json(group::group_to_scim(&answer(&db)?, base))?;
        let group_attributes = ["schemas", "id", "displayName", "members", "externalId", GROUP_EXTENSION_SCHEMA, "meta"];
        check_scim(&g, &db, base, (GROUP_SCHEMA, "Group", "Groups"), &group_attributes)?;
    }

    #[test]
    fn any_scim_create_body_is_refused_with_a_400_or_becomes_a_databricks_body_of_known_attributes(
        body in scim_body()
    ) {
        let body = ClientObject::from(body);
        match user::create_request(&body) {
            Ok(new) => {
                let new_body = json(&new.body)?;
                check_create(&new_body, USER_SCHEMA, &["schemas", "userName", "displayName", "name", "entitlements", "externalId"])?;
                prop_assert_eq!(&new_body["userName"], &json!(new.user_name));
                prop_assert!(!new.user_name.is_empty() && new.user_name.trim() == new.user_name);
            }
            Err(e) => refused_with_400(e)?,
        }
        match group::create_request(&body) {
            Ok(db) => check_create(&json(db)?, GROUP_SCHEMA, &["schemas", "displayName", "members", "groups", "entitlements", "externalId"])?,
            Err(e) => refused_with_400(e)?,
        }
        for cloud in [Cloud::Aws, Cloud::Azure] {
            match service_principal::create_request(&body, cloud) {
                Ok(new) => {
                    let new_body = json(&new.body)?;
                    check_create(&new_body, SERVICE_PRINCIPAL_SCHEMA, &["schemas", "displayName", "applicationId", "entitlements", "externalId"])?;
                    if let Some(a) = new_body.get("applicationId") {
                        prop_assert!(cloud.accepts_application_id(), "applicationId sent on {cloud:?}");
                        prop_assert!(a.as_str().is_some_and(|a| a.len() == 36 && a == a.to_ascii_lowercase()), "{a}");
                    }
                }
                Err(e) => refused_with_400(e)?,
            }
        }
    }

    #[test]
    fn any_put_against_any_current_resource_is_refused_with_a_400_or_becomes_databricks_operations_of_the_public_forms(
        (body, current) in replace_case()
    ) {
        let mut sent = Vec::new();
        strings_in(&Value::Object(body.clone()), &mut sent);
        strings_in(&current, &mut sent);
        let body = ClientObject::from(body);
        for result in [
            user::replace_operations(&body, &answer(&current)?),
            service_principal::replace_operations(&body, &answer(&current)?),
            group::replace_operations(&body, &answer(&current)?),
        ] {
            match result {
                Ok(operations) => check_operations(&operations, &sent)?,
                Err(e) => refused_with_400(e)?,
            }
        }
    }
}
