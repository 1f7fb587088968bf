//! PATCH translation. Any PATCH body — ops in any case, any paths, values of any shape — is
//! refused with a SCIM 400 or becomes Databricks operations in exactly the forms public clients
//! send: a lower-case op, no `value` on a remove, known attributes, and element filters that are
//! exactly `attr[value eq "<JSON string>"]`, reading back as the one value the client gave.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use scim_v2::filter::{AttrExp, CompValue, CompareOp, PatchPath, ValFilter};
use serde_json::{Map, Value, json};
use shared::databricks::DatabricksId;
use shared::databricks::model::{PatchOperation, PatchRequest, PatchTarget};
use shared::mapping::{group, user};
use shared::scim::Resource as Principal;
use shared::scim::ScimError;
use shared::scim::discovery::ENTITLEMENTS;
use shared::scim::patch::{PatchOperation as ClientOperation, parse_patch_request};
use shared::scim::{GROUP_EXTENSION_SCHEMA, GROUP_SCHEMA, SERVICE_PRINCIPAL_SCHEMA, USER_SCHEMA};

use super::filters::{Lit, emulator_read, has_control};
use super::{any_case, config, hostile_string, id_string, json_object, json_value, quoted, recase};

/// Every attribute the bridge may name in a Databricks PATCH.
const ATTRIBUTES: &[&str] =
    &["active", "displayName", "name.givenName", "name.familyName", "externalId", "entitlements", "members", "groups"];

/// The multi-valued ones, whose elements are addressed by `value`.
const MULTI_VALUED: &[&str] = &["entitlements", "members", "groups"];

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

/// A client refusal is a SCIM 400 (never a 5xx, never a panic).
pub fn refused_with_400(e: ScimError) -> Result<(), TestCaseError> {
    prop_assert_eq!(e.status(), 400, "{:?}", e);
    prop_assert!(e.scim_type().is_some(), "{e:?} has no scimType");
    Ok(())
}

/// The one value an element path `attr[value eq "…"]` selects, read back three ways: as JSON,
/// with a SCIM parser (`scim_v2`) and with the emulator's Databricks filter parser.
fn element_value(path: &str, attribute: &str) -> Result<String, TestCaseError> {
    let literal = path
        .strip_prefix(attribute)
        .and_then(|p| p.strip_prefix("[value eq "))
        .and_then(|p| p.strip_suffix(']'))
        .ok_or_else(|| fail(format!("{path:?} is not {attribute}[value eq \"…\"]")))?;
    let value: String =
        serde_json::from_str(literal).map_err(|_| fail(format!("{literal:?} in {path:?} is not one JSON string")))?;
    prop_assert_eq!(quoted(&value), literal, "the value in {:?} is not written as JSON writes it", path);
    match path.parse::<PatchPath>() {
        Ok(PatchPath::Value(vp)) if vp.sub_attr.is_none() && vp.attr.name == attribute && vp.attr.uri.is_none() => {
            match vp.filter {
                ValFilter::Attr(AttrExp::Comparison(p, CompareOp::Eq, CompValue::Str(v)))
                    if p.name == "value" && p.sub_attr.is_none() && p.uri.is_none() =>
                {
                    prop_assert_eq!(&v, &value, "a SCIM parser reads {:?} differently", path);
                }
                other => return Err(fail(format!("a SCIM parser reads {path:?} as {other:?}"))),
            }
        }
        other => return Err(fail(format!("a SCIM parser reads {path:?} as {other:?}"))),
    }
    let inner = &path[attribute.len() + 1..path.len() - 1];
    match emulator_read(inner).as_deref() {
        Some([branch]) => match branch.as_slice() {
            [(attr, op, read)] if attr == "value" && op == "eq" => {
                if !has_control(&Lit::Str(value.clone())) {
                    prop_assert_eq!(read, &Lit::Str(value.clone()), "the emulator reads {:?} differently", path);
                }
            }
            other => return Err(fail(format!("the emulator reads {path:?} as {other:?}"))),
        },
        other => return Err(fail(format!("the emulator reads {path:?} as {other:?}"))),
    }
    Ok(value)
}

/// Checks Databricks operations as the wire carries them; `sent` holds every string the
/// client sent (an element value must be one of them, whole).
pub fn check_operations(operations: &[PatchOperation], sent: &[String]) -> Result<(), TestCaseError> {
    let wire = serde_json::to_value(PatchRequest::new(operations)).map_err(|e| fail(e.to_string()))?;
    let ops = wire["Operations"].as_array().cloned().unwrap_or_default();
    prop_assert_eq!(ops.len(), operations.len());
    for (op, typed) in ops.iter().zip(operations) {
        let fields = op.as_object().cloned().unwrap_or_default();
        prop_assert!(fields.keys().all(|k| ["op", "path", "value"].contains(&k.as_str())), "{op}");
        let name = op["op"].as_str().unwrap_or_default();
        prop_assert!(["add", "remove", "replace"].contains(&name), "op {name:?}");
        prop_assert_eq!(name == "remove", !fields.contains_key("value"), "value key on {}", op);
        let path = op["path"].as_str().ok_or_else(|| fail(format!("no path in {op}")))?;
        match path.split_once('[') {
            None => prop_assert!(ATTRIBUTES.contains(&path), "path {path:?}"),
            Some((attribute, _)) => {
                prop_assert!(MULTI_VALUED.contains(&attribute), "element path {path:?}");
                prop_assert_eq!(name, "remove", "an element path on {}", op);
                let value = element_value(path, attribute)?;
                prop_assert_eq!(
                    &typed.path,
                    &PatchTarget::Element { attribute: typed.path.attribute(), value: value.clone() }
                );
                prop_assert!(sent.contains(&value), "{value:?} is not a value the client sent");
            }
        }
        let Some(value) = fields.get("value") else { continue };
        match path {
            "members" | "groups" | "entitlements" => {
                let items = value.as_array().ok_or_else(|| fail(format!("{path} value {value}")))?;
                prop_assert!(!items.is_empty(), "an empty list for {}", path);
                for item in items {
                    let keys: Vec<&String> = item.as_object().map(|o| o.keys().collect()).unwrap_or_default();
                    prop_assert_eq!(keys, vec!["value"], "element {} of {}", item, path);
                    let v = item["value"].as_str().unwrap_or_default();
                    if path == "entitlements" {
                        prop_assert!(ENTITLEMENTS.contains(&v), "entitlement {v:?}");
                    } else {
                        prop_assert!(DatabricksId::parse(v).is_some(), "{v:?} in {path} is not a Databricks id");
                    }
                }
            }
            "active" => prop_assert!(value == "true" || value == "false", "active {value}"),
            _ => prop_assert!(value.is_string(), "{path} value {value}"),
        }
    }
    Ok(())
}

/// Every string in a JSON value, numbers too (element values may be numbers).
pub fn strings_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|i| strings_in(i, out)),
        Value::Object(map) => map.values().for_each(|v| strings_in(v, out)),
        Value::Null | Value::Bool(_) => {}
    }
}

/// The strings a client sent in its operations: values, and the values of path filters.
fn sent_strings(operations: &[ClientOperation]) -> Vec<String> {
    fn filter_strings(f: &ValFilter, out: &mut Vec<String>) {
        match f {
            ValFilter::Attr(AttrExp::Comparison(_, _, CompValue::Str(s))) => out.push(s.clone()),
            ValFilter::Attr(_) => {}
            ValFilter::And(items) | ValFilter::Or(items) => items.iter().for_each(|i| filter_strings(i, out)),
            ValFilter::Not(inner) => filter_strings(inner, out),
        }
    }
    let mut out = Vec::new();
    for op in operations {
        if let Some(v) = &op.value {
            strings_in(v, &mut out);
        }
        if let PatchPath::Value(vp) = &op.path {
            filter_strings(&vp.filter, &mut out);
        }
    }
    out
}

/// Attribute names in PATCH paths, known to some resource or to none.
const PATH_ATTRIBUTES: &[&str] = &[
    "userName",
    "displayName",
    "name",
    "name.givenName",
    "name.familyName",
    "name.formatted",
    "active",
    "externalId",
    "emails",
    "emails.value",
    "members",
    "members.value",
    "entitlements",
    "groups",
    "roles",
    "parentGroups",
    "applicationId",
    "id",
    "meta",
    "schemas",
    "password",
    "title",
];

const SCHEMAS: &[&str] = &[
    USER_SCHEMA,
    GROUP_SCHEMA,
    SERVICE_PRINCIPAL_SCHEMA,
    GROUP_EXTENSION_SCHEMA,
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "urn:example:other:2.0:Thing",
];

/// An attribute path in any case, maybe behind a schema URN.
fn attribute_path() -> impl Strategy<Value = String> + Clone {
    (any_case(PATH_ATTRIBUTES), prop::option::weighted(0.2, prop::sample::select(SCHEMAS)), any::<u64>())
        .prop_map(|(a, urn, mask)| urn.map_or(a.clone(), |u| format!("{}:{a}", recase(u, mask))))
}

/// A PATCH path: attributes, element filters with any values, other filters, whole schemas,
/// garbage.
fn patch_path() -> impl Strategy<Value = String> {
    let element_value = prop_oneof![2 => id_string(), 2 => hostile_string(), 1 => prop::sample::select(&ENTITLEMENTS[..]).prop_map(String::from)];
    prop_oneof![
        4 => attribute_path(),
        4 => (attribute_path(), any_case(&["value"]), any_case(&["eq"]), element_value.clone())
            .prop_map(|(a, v, eq, x)| format!("{a}[{v} {eq} {}]", quoted(&x))),
        2 => (attribute_path(), prop::collection::vec(element_value, 2..4), any_case(&["or"])).prop_map(|(a, xs, or)| {
            let terms: Vec<String> = xs.iter().map(|x| format!("value eq {}", quoted(x))).collect();
            format!("{a}[{}]", terms.join(&format!(" {or} ")))
        }),
        2 => (
            attribute_path(),
            any_case(&["type", "display", "value", "primary"]),
            any_case(&["eq", "ne", "co", "sw", "gt", "pr"]),
            hostile_string(),
            prop::sample::select(&["", ".display", ".value", " and value eq \"1\"", " or value eq \"2\""][..]),
        )
            .prop_map(|(a, s, op, x, tail)| {
                if op.eq_ignore_ascii_case("pr") { format!("{a}[{s} pr]{tail}") } else { format!("{a}[{s} {op} {}]{tail}", quoted(&x)) }
            }),
        1 => prop::sample::select(SCHEMAS).prop_map(String::from),
        1 => hostile_string(),
    ]
}

/// A PATCH value: anything, or the shapes the attributes take.
fn patch_value() -> impl Strategy<Value = Value> {
    let element = prop_oneof![
        2 => id_string().prop_map(Value::from),
        1 => prop::sample::select(&ENTITLEMENTS[..]).prop_map(Value::from),
        1 => hostile_string().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
    ];
    prop_oneof![
        3 => json_value(),
        2 => hostile_string().prop_map(Value::String),
        2 => prop::collection::vec(element.clone(), 0..4)
            .prop_map(|vs| Value::Array(vs.into_iter().map(|v| json!({ "value": v })).collect())),
        1 => prop::collection::vec(element, 0..3).prop_map(Value::Array),
        1 => prop::sample::select(vec![json!(true), json!(false), json!("True"), json!("false"), json!([{"value": "false"}])]),
        2 => json_object().prop_map(Value::Object),
    ]
}

/// One operation object: op, path and value each maybe missing, keys in any case.
fn patch_operation() -> impl Strategy<Value = Value> {
    (
        prop::option::weighted(
            0.98,
            prop_oneof![30 => any_case(&["add", "remove", "replace"]).prop_map(Value::from), 1 => json_value()],
        ),
        prop::option::weighted(0.9, prop_oneof![12 => patch_path().prop_map(Value::from), 1 => json_value()]),
        prop::option::weighted(0.9, patch_value()),
        any_case(&["op"]),
        any_case(&["path"]),
        any_case(&["value"]),
    )
        .prop_map(|(op, path, value, op_key, path_key, value_key)| {
            let mut map = Map::new();
            for (k, v) in [(op_key, op), (path_key, path), (value_key, value)] {
                if let Some(v) = v {
                    map.insert(k, v);
                }
            }
            Value::Object(map)
        })
}

/// A PATCH body as bytes: mostly well-formed requests, some other JSON, some random bytes.
fn patch_body() -> impl Strategy<Value = Vec<u8>> {
    let request = (
        any_case(&["Operations"]),
        prop::collection::vec(prop_oneof![40 => patch_operation(), 1 => json_value()], 1..4),
        any::<bool>(),
    )
        .prop_map(|(key, ops, schemas)| {
            let mut body = Map::new();
            if schemas {
                body.insert("schemas".into(), json!(["urn:ietf:params:scim:api:messages:2.0:PatchOp"]));
            }
            body.insert(key, Value::Array(ops));
            serde_json::to_vec(&body).unwrap_or_default()
        });
    prop_oneof![
        18 => request,
        1 => json_value().prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
        1 => any::<Vec<u8>>(),
    ]
}

/// What a PATCH path takes as its value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Text,
    Bool,
    Name,
    /// Members, parent groups: Databricks ids (mostly).
    Ids,
    /// Entitlement names (mostly).
    Entitlements,
    /// Any multi-valued attribute.
    Multi,
}

/// The resource a PATCH goes to, and the paths that resource knows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    User,
    ServicePrincipal,
    Group,
}

impl Target {
    fn paths(self) -> &'static [(&'static str, Kind)] {
        match self {
            Target::User => &[
                ("active", Kind::Bool),
                ("displayName", Kind::Text),
                ("name", Kind::Name),
                ("name.givenName", Kind::Text),
                ("name.familyName", Kind::Text),
                ("externalId", Kind::Text),
                ("entitlements", Kind::Entitlements),
                ("userName", Kind::Text),
                ("emails", Kind::Multi),
            ],
            Target::ServicePrincipal => &[
                ("active", Kind::Bool),
                ("displayName", Kind::Text),
                ("externalId", Kind::Text),
                ("entitlements", Kind::Entitlements),
                ("applicationId", Kind::Text),
            ],
            Target::Group => &[
                ("displayName", Kind::Text),
                ("externalId", Kind::Text),
                ("members", Kind::Ids),
                ("entitlements", Kind::Entitlements),
                ("parentGroups", Kind::Ids),
                ("urn:ietf:params:scim:schemas:extension:databricks:2.0:Group:parentGroups", Kind::Ids),
                ("urn:ietf:params:scim:schemas:extension:databricks:2.0:Group:entitlements", Kind::Entitlements),
            ],
        }
    }

    fn translate(self, operations: &[ClientOperation]) -> Result<Vec<PatchOperation>, ScimError> {
        match self {
            Target::User => user::principal_patch(operations, Principal::User).map(|p| p.operations),
            Target::ServicePrincipal => {
                user::principal_patch(operations, Principal::ServicePrincipal).map(|p| p.operations)
            }
            Target::Group => group::patch_request(operations).map(|p| p.operations),
        }
    }
}

/// An element value: an id, an entitlement, or anything.
fn element() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        3 => id_string(),
        2 => prop::sample::select(&ENTITLEMENTS[..]).prop_map(String::from),
        2 => hostile_string(),
    ]
}

/// `[{"value": …}, …]`.
fn elements(element: impl Strategy<Value = String> + 'static) -> BoxedStrategy<Value> {
    prop::collection::vec(element, 0..4)
        .prop_map(|vs| Value::Array(vs.into_iter().map(|v| json!({ "value": v })).collect()))
        .boxed()
}

/// A value of the right shape for `kind` (mostly), with hostile strings inside.
pub fn value_of(kind: Kind) -> BoxedStrategy<Value> {
    let shaped = match kind {
        Kind::Text => hostile_string().prop_map(Value::String).boxed(),
        Kind::Bool => prop::sample::select(vec![
            json!(true),
            json!(false),
            json!("TRUE"),
            json!("false"),
            json!([{"value": "false"}]),
        ])
        .boxed(),
        Kind::Name => (hostile_string(), hostile_string(), any_case(&["givenName"]), any_case(&["familyName"]))
            .prop_map(|(g, f, gk, fk)| json!({ gk: g, fk: f }))
            .boxed(),
        Kind::Ids => elements(prop_oneof![9 => id_string(), 1 => hostile_string()]),
        Kind::Entitlements => elements(prop_oneof![
            9 => prop::sample::select(&ENTITLEMENTS[..]).prop_map(String::from),
            1 => hostile_string()
        ]),
        Kind::Multi => elements(element()),
    };
    prop_oneof![9 => shaped, 1 => json_value()].boxed()
}

/// A well-formed operation on one of `target`'s paths: with a path, as an element filter
/// (one value or several joined by `or`), path-less, or a remove carrying a value list.
fn good_operation(target: Target) -> impl Strategy<Value = Value> {
    (prop::sample::select(target.paths()), any::<u64>(), any_case(&["add", "remove", "replace"]), 0..4u8).prop_flat_map(
        |((path, kind), mask, op, form)| {
            let path = recase(path, mask);
            (value_of(kind), prop::collection::vec(element(), 1..3), any_case(&["or"])).prop_map(
                move |(value, elements, or)| match form {
                    0 => json!({"op": op, "path": path, "value": value}),
                    1 => {
                        let terms: Vec<String> = elements.iter().map(|e| format!("value eq {}", quoted(e))).collect();
                        json!({"op": "remove", "path": format!("{path}[{}]", terms.join(&format!(" {or} ")))})
                    }
                    2 if !op.eq_ignore_ascii_case("remove") => json!({"op": op, "value": { path.clone(): value }}),
                    _ => json!({"op": op, "path": path, "value": value}),
                },
            )
        },
    )
}

fn any_target() -> impl Strategy<Value = Target> {
    prop::sample::select(vec![Target::User, Target::ServicePrincipal, Target::Group])
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn any_patch_body_is_refused_with_a_400_or_becomes_databricks_operations_of_the_public_forms(
        body in patch_body()
    ) {
        let operations = match parse_patch_request(&body) {
            Ok(operations) => operations,
            Err(e) => return refused_with_400(e),
        };
        let sent = sent_strings(&operations);
        for principal in [Principal::User, Principal::ServicePrincipal] {
            match user::principal_patch(&operations, principal) {
                Ok(plan) => check_operations(&plan.operations, &sent)?,
                Err(e) => refused_with_400(e)?,
            }
        }
        match group::patch_request(&operations) {
            Ok(plan) => check_operations(&plan.operations, &sent)?,
            Err(e) => refused_with_400(e)?,
        }
    }

    #[test]
    fn well_formed_patches_become_databricks_operations_of_the_public_forms_or_a_400(
        (target, operations) in any_target()
            .prop_flat_map(|t| prop::collection::vec(good_operation(t), 1..5).prop_map(move |ops| (t, ops)))
    ) {
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations});
        let operations = match parse_patch_request(body.to_string().as_bytes()) {
            Ok(operations) => operations,
            Err(e) => return refused_with_400(e),
        };
        match target.translate(&operations) {
            Ok(translated) => check_operations(&translated, &sent_strings(&operations))?,
            Err(e) => refused_with_400(e)?,
        }
    }
}
