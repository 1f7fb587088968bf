//! Property tests (issue 9, item 4): generated hostile client input through filter translation,
//! PATCH and PUT translation, mapping both ways and id validation. Nothing may panic; what
//! reaches Databricks must keep every client value inside its quotes.
//!
//! Each property runs a bounded number of cases (the default of each `config(…)` call; about
//! three seconds for all of them in a debug build), so `.ci/run` stays quick. A deeper run:
//! `PROPTEST_CASES=20000 cargo test -p tests --test properties`. A failure prints the smallest
//! input found; keep it as a regular regression test next to the code it breaks.
#![allow(clippy::expect_used, clippy::panic)] // a failed set-up or property must fail the test loudly

mod filters;
mod ids;
mod mapping;
mod patch;

use proptest::prelude::*;
use serde_json::{Map, Value};

/// `cases` cases (`proptest!` lets `PROPTEST_CASES` override it); no regression files are
/// written (a failure becomes a named unit test instead).
pub fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Pieces that break naive quoting, query strings, paths and parsers.
const HOSTILE: &[&str] = &[
    "\"",
    "\\",
    "\\\"",
    "\\\\",
    "'",
    "]",
    "[",
    "].",
    "].value eq x",
    "(",
    ")",
    "&",
    "=",
    "%",
    "%00",
    "%22",
    "&count=1000",
    "?",
    "#",
    "/",
    "..",
    "\n",
    "\r\n",
    "\t",
    "\0",
    "\u{1}",
    "\u{1f}",
    "\u{7f}",
    " ",
    " or ",
    " and ",
    " eq ",
    " OR userName pr",
    "\" or userName ne \"",
    "userName eq \"x\"",
    "value eq \"1\"",
    "true",
    "null",
    "é",
    "Ω",
    "١٢",
    "１",
    "𝔘",
    "\u{200b}",
    "\u{2028}",
    "\u{fffd}",
    "\u{feff}",
];

/// A string made of hostile pieces, plain words and arbitrary characters.
pub fn hostile_string() -> impl Strategy<Value = String> + Clone {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(HOSTILE).prop_map(String::from),
            2 => "[a-zA-Z0-9@._-]{1,6}",
            1 => any::<char>().prop_map(String::from),
        ],
        0..6,
    )
    .prop_map(|parts| parts.concat())
}

/// `s` with the ASCII letters whose bit is set in `mask` in the other case.
pub fn recase(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }
            } else {
                c
            }
        })
        .collect()
}

/// One of `names`, in any case.
pub fn any_case(names: &'static [&'static str]) -> impl Strategy<Value = String> + Clone {
    (prop::sample::select(names), prop_oneof![Just(0u64), any::<u64>()]).prop_map(|(n, mask)| recase(n, mask))
}

/// Attribute names clients use, known or not, for object keys.
const KEYS: &[&str] = &[
    "schemas",
    "id",
    "externalId",
    "userName",
    "displayName",
    "name",
    "givenName",
    "familyName",
    "emails",
    "active",
    "groups",
    "members",
    "entitlements",
    "roles",
    "applicationId",
    "parentGroups",
    "value",
    "type",
    "display",
    "$ref",
    "meta",
    "password",
    "urn:ietf:params:scim:schemas:extension:databricks:2.0:Group",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
];

/// An object key: a known attribute in any case, or anything.
pub fn key() -> impl Strategy<Value = String> + Clone {
    prop_oneof![4 => any_case(KEYS), 1 => hostile_string()]
}

/// Any JSON value, a few levels deep, with hostile strings and known keys.
pub fn json_value() -> impl Strategy<Value = Value> + Clone {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        prop::sample::select(&["123", "0", "9999999999999999999", "99999999999999999999", "-1", "1e3"][..])
            .prop_map(Value::from),
        prop::sample::select(&["true", "False", "account_admin", "allow-cluster-create", "workspace-access"][..])
            .prop_map(Value::from),
        hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner.clone()), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<String, Value>>())),
            // The multi-valued shape: [{"value": …}, …].
            prop::collection::vec(inner, 0..3).prop_map(|values| {
                Value::Array(values.into_iter().map(|v| serde_json::json!({ "value": v })).collect())
            }),
        ]
    })
}

/// A JSON object whose keys are mostly known attributes.
pub fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((key(), json_value()), 0..8).prop_map(|pairs| pairs.into_iter().collect())
}

/// A JSON string literal, as clients write values in filters.
pub fn quoted(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// A Databricks id: 1 to 19 ASCII digits.
pub fn id_string() -> impl Strategy<Value = String> + Clone {
    "[0-9]{1,19}"
}
