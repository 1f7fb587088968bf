//! Filter translation. A client filter over the filterable attributes, with any string values,
//! either is refused as `invalidFilter` or becomes a Databricks filter that reads back — with
//! the emulator's Databricks-faithful parser and with a strict JSON-aware reader — as the same
//! comparisons with the same values: no value escapes its quotes, no comparison and no query
//! parameter is added.

use databricks_emulator::{FilterLiteral, FilterOp, read_filter};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use scim_v2::filter::{AttrExp, CompValue, Filter, ValFilter};
use serde_json::Value;
use shared::mapping::filter::{AttrKind, FilterTable, translate};
use shared::mapping::group::GROUP_FILTERS;
use shared::mapping::service_principal::SERVICE_PRINCIPAL_FILTERS;
use shared::mapping::user::USER_FILTERS;
use shared::scim::ScimError;
use shared::scim::filter::parse_filter;
use tests::Operation;
use tests::{Call, Mode, Shape, TestStack};

use super::{any_case, config, hostile_string, quoted, recase};

/// A comparison value as Databricks reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Bool(bool),
}

/// One comparison: Databricks attribute, operator, value.
pub type Comparison = (String, String, Lit);

/// A Databricks filter: `or` of `and`s.
pub type Comparisons = Vec<Vec<Comparison>>;

/// The three resources' filter tables.
const TABLES: [&FilterTable; 3] = [&USER_FILTERS, &GROUP_FILTERS, &SERVICE_PRINCIPAL_FILTERS];

/// Reads a translated filter strictly: `attribute op literal` joined by ` and ` / ` or ` with
/// single spaces, lower-case operators, literals that are JSON strings or `true` / `false`.
/// `None` for anything else.
fn strict_read(text: &str) -> Option<Comparisons> {
    let mut branches = vec![Vec::new()];
    let mut rest = text;
    loop {
        let attr_len = rest.find(' ')?;
        let attr = &rest[..attr_len];
        let attr_ok = attr.starts_with(|c: char| c.is_ascii_alphabetic())
            && attr.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
        if !attr_ok {
            return None;
        }
        rest = &rest[attr_len + 1..];
        let op = ["eq ", "ne ", "co ", "sw "].into_iter().find(|op| rest.starts_with(op))?;
        rest = &rest[op.len()..];
        let (literal, len) = if rest.starts_with('"') {
            let bytes = rest.as_bytes();
            let mut i = 1;
            loop {
                match bytes.get(i)? {
                    b'\\' => i += 2,
                    b'"' => break,
                    _ => i += 1,
                }
            }
            (Lit::Str(serde_json::from_str::<String>(&rest[..=i]).ok()?), i + 1)
        } else if rest.starts_with("true") {
            (Lit::Bool(true), 4)
        } else if rest.starts_with("false") {
            (Lit::Bool(false), 5)
        } else {
            return None;
        };
        branches.last_mut()?.push((attr.to_string(), op.trim_end().to_string(), literal));
        rest = &rest[len..];
        if rest.is_empty() {
            return Some(branches);
        } else if let Some(next) = rest.strip_prefix(" and ") {
            rest = next;
        } else if let Some(next) = rest.strip_prefix(" or ") {
            branches.push(Vec::new());
            rest = next;
        } else {
            return None;
        }
    }
}

/// How the emulator reads a translated filter, in the strict reader's terms.
pub fn emulator_read(text: &str) -> Option<Comparisons> {
    let branches = read_filter(text)?;
    Some(
        branches
            .into_iter()
            .map(|all| {
                all.into_iter()
                    .map(|(attr, op, value)| {
                        let op = match op {
                            FilterOp::Eq => "eq",
                            FilterOp::Ne => "ne",
                            FilterOp::Co => "co",
                            FilterOp::Sw => "sw",
                        };
                        let value = match value {
                            FilterLiteral::Str(s) => Lit::Str(s),
                            FilterLiteral::Bool(b) => Lit::Bool(b),
                        };
                        (attr, op.to_string(), value)
                    })
                    .collect()
            })
            .collect(),
    )
}

/// The emulator reads a JSON escape `\n` as `n` (it knows `\"` and `\\` only): values with
/// control characters are compared by structure alone there; the strict reader checks them.
pub fn has_control(lit: &Lit) -> bool {
    matches!(lit, Lit::Str(s) if s.chars().any(|c| c < ' '))
}

/// Both readers accept `translated`, agree with each other, and give `expected` when given.
fn reads_back(translated: &str, expected: Option<&Comparisons>) -> Result<Comparisons, TestCaseError> {
    let strict = strict_read(translated);
    prop_assert!(strict.is_some(), "the strict reader refuses the translation {translated:?}");
    let strict = strict.unwrap_or_default();
    if let Some(expected) = expected {
        prop_assert_eq!(&strict, expected, "translation {:?}", translated);
    }
    let emulator = emulator_read(translated);
    prop_assert!(emulator.is_some(), "the emulator refuses the translation {translated:?}");
    let emulator = emulator.unwrap_or_default();
    prop_assert_eq!(emulator.len(), strict.len(), "or-branches of {:?}", translated);
    for (e_branch, s_branch) in emulator.iter().zip(&strict) {
        prop_assert_eq!(e_branch.len(), s_branch.len(), "comparisons of {:?}", translated);
        for ((e_attr, e_op, e_value), (s_attr, s_op, s_value)) in e_branch.iter().zip(s_branch) {
            prop_assert_eq!(e_attr, &s_attr.to_ascii_lowercase());
            prop_assert_eq!(e_op, s_op);
            if !has_control(s_value) {
                prop_assert_eq!(e_value, s_value, "value in {:?}", translated);
            }
        }
    }
    Ok(strict)
}

/// The attribute expressions of a parsed SCIM filter and the string values they hold.
fn scim_terms(filter: &Filter, count: &mut usize, strings: &mut Vec<String>) {
    fn exp(e: &AttrExp, count: &mut usize, strings: &mut Vec<String>) {
        *count += 1;
        if let AttrExp::Comparison(_, _, CompValue::Str(s)) = e {
            strings.push(s.clone());
        }
    }
    fn val(f: &ValFilter, count: &mut usize, strings: &mut Vec<String>) {
        match f {
            ValFilter::Attr(e) => exp(e, count, strings),
            ValFilter::And(items) | ValFilter::Or(items) => items.iter().for_each(|i| val(i, count, strings)),
            ValFilter::Not(inner) => val(inner, count, strings),
        }
    }
    match filter {
        Filter::Attr(e) => exp(e, count, strings),
        Filter::And(items) | Filter::Or(items) => items.iter().for_each(|i| scim_terms(i, count, strings)),
        Filter::Not(inner) => scim_terms(inner, count, strings),
        Filter::ValuePath(vp) => val(&vp.filter, count, strings),
    }
}

/// Parses and translates `text` for `table`: any refusal is `invalidFilter`, and a translation
/// reads back into comparisons on the table's attributes with values the client wrote, no more
/// of them than the client's filter has.
fn check_any(text: &str, table: &FilterTable) -> Result<(), TestCaseError> {
    let parsed = match parse_filter(text) {
        Ok(parsed) => parsed,
        Err(e) => {
            prop_assert!(matches!(e, ScimError::InvalidFilter(_)), "{text:?} refused as {e:?}");
            return Ok(());
        }
    };
    let translated = match translate(&parsed, table) {
        Ok(t) => t,
        Err(e) => {
            prop_assert!(matches!(e, ScimError::InvalidFilter(_)), "{text:?} refused as {e:?}");
            return Ok(());
        }
    };
    let read = reads_back(&translated, None)?;
    let (mut count, mut strings) = (0, Vec::new());
    scim_terms(&parsed, &mut count, &mut strings);
    prop_assert!(read.iter().flatten().count() <= count, "{text:?} became {translated:?}");
    for (attr, op, value) in read.iter().flatten() {
        prop_assert!(table.attributes.iter().any(|a| a.databricks == attr), "{attr} from {text:?}");
        prop_assert!(["eq", "ne", "co", "sw"].contains(&op.as_str()));
        if let Lit::Str(s) = value {
            prop_assert!(strings.contains(s), "{s:?} is not a value of {text:?} (translated {translated:?})");
        }
    }
    Ok(())
}

/// An attribute of `table` as a client may write it: any case, maybe behind the schema URN.
fn spelled(table: &'static FilterTable, scim: &'static str) -> impl Strategy<Value = String> + Clone {
    (any::<u64>(), any::<u64>(), any::<bool>()).prop_map(move |(mask, urn_mask, urn)| {
        let name = recase(scim, mask);
        if urn { format!("{}:{name}", recase(table.core_schema, urn_mask)) } else { name }
    })
}

/// A comparison the translation supports, with what it must become.
fn supported_leaf(table: &'static FilterTable) -> BoxedStrategy<(String, Vec<Comparison>)> {
    let text_attrs: Vec<_> = table.attributes.iter().filter(|a| a.kind == AttrKind::Text).copied().collect();
    let bool_attrs: Vec<_> = table.attributes.iter().filter(|a| a.kind == AttrKind::Boolean).copied().collect();
    let text = (prop::sample::select(text_attrs), any_case(&["eq", "ne", "co", "sw"]), hostile_string())
        .prop_flat_map(move |(attr, op, value)| {
            spelled(table, attr.scim).prop_map(move |name| {
                let expected = (attr.databricks.to_string(), op.to_ascii_lowercase(), Lit::Str(value.clone()));
                (format!("{name} {op} {}", quoted(&value)), vec![expected])
            })
        })
        .boxed();
    let mut leaves = vec![(4, text)];
    if !bool_attrs.is_empty() {
        const VALUES: &[&str] = &["true", "false", "\"true\"", "\"FALSE\"", "\"True\"", "\"false\""];
        let boolean = (prop::sample::select(bool_attrs), any_case(&["eq", "ne"]), prop::sample::select(VALUES))
            .prop_flat_map(move |(attr, op, value)| {
                spelled(table, attr.scim).prop_map(move |name| {
                    let b = value.to_ascii_lowercase().contains("true");
                    let expected = (attr.databricks.to_string(), op.to_ascii_lowercase(), Lit::Bool(b));
                    (format!("{name} {op} {value}"), vec![expected])
                })
            })
            .boxed();
        leaves.push((1, boolean));
    }
    if std::ptr::eq(table, &USER_FILTERS) {
        // The work e-mail in the RFC form, either order, with or without the type.
        let value_path = (
            any_case(&["emails"]),
            any_case(&["type"]),
            any_case(&["value"]),
            any_case(&["work"]),
            any_case(&["eq", "ne", "co", "sw"]),
            any_case(&["and"]),
            hostile_string(),
            0..3u8,
        )
            .prop_map(|(emails, type_, value_name, work, op, and, value, form)| {
                let v = quoted(&value);
                let text = match form {
                    0 => format!("{emails}[{type_} eq \"{work}\" {and} {value_name} {op} {v}]"),
                    1 => format!("{emails}[{value_name} {op} {v} {and} {type_} eq \"{work}\"]"),
                    _ => format!("{emails}[{value_name} {op} {v}]"),
                };
                (text, vec![("userName".to_string(), op.to_ascii_lowercase(), Lit::Str(value))])
            })
            .boxed();
        leaves.push((2, value_path));
    }
    prop::strategy::Union::new_weighted(leaves).boxed()
}

/// A filter the translation supports — `or` of `and`s of supported comparisons, with optional
/// parentheses — and the Databricks comparisons it must become.
fn supported_filter(table: &'static FilterTable) -> impl Strategy<Value = (String, Comparisons)> {
    let leaf = (supported_leaf(table), any::<bool>());
    let branch = (prop::collection::vec(leaf, 1..=3), any::<bool>(), any_case(&["and"]));
    (prop::collection::vec(branch, 1..=3), any::<bool>(), any_case(&["or"])).prop_map(|(branches, wrap, or)| {
        let mut texts = Vec::new();
        let mut expected = Vec::new();
        for (leaves, wrap_branch, and) in branches {
            let mut parts = Vec::new();
            let mut all = Vec::new();
            for ((text, comparisons), wrap_leaf) in leaves {
                parts.push(if wrap_leaf { format!("({text})") } else { text });
                all.extend(comparisons);
            }
            let joined = parts.join(&format!(" {and} "));
            texts.push(if wrap_branch { format!("({joined})") } else { joined });
            expected.push(all);
        }
        let text = texts.join(&format!(" {or} "));
        (if wrap { format!("({text})") } else { text }, expected)
    })
}

/// Entra's `emails[type eq "work"].value op "x"`, which it sends alone (combined with more
/// terms it is refused, not mistranslated).
fn entra_filter() -> impl Strategy<Value = (String, Comparisons)> {
    (any_case(&["emails"]), any_case(&["work"]), any_case(&["eq", "ne", "co", "sw"]), hostile_string()).prop_map(
        |(emails, work, op, value)| {
            let text = format!("{emails}[type eq \"{work}\"].value {op} {}", quoted(&value));
            (text, vec![vec![("userName".to_string(), op.to_ascii_lowercase(), Lit::Str(value))]])
        },
    )
}

fn any_table() -> impl Strategy<Value = &'static FilterTable> {
    prop::sample::select(&TABLES[..])
}

fn any_supported_filter() -> impl Strategy<Value = (&'static FilterTable, String, Comparisons)> {
    prop_oneof![
        8 => any_table()
            .prop_flat_map(|table| supported_filter(table).prop_map(move |(text, expected)| (table, text, expected))),
        1 => entra_filter().prop_map(|(text, expected)| (&USER_FILTERS, text, expected)),
    ]
}

/// Attributes a client may name that the translation does not support.
const OTHER_ATTRIBUTES: &[&str] = &[
    "title",
    "name.givenName",
    "emails.type",
    "members",
    "members.value",
    "groups",
    "meta.created",
    "userType",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
    "urn:ietf:params:scim:schemas:core:2.0:Group:displayName",
    "x",
];

/// A comparison value of any kind, written well or badly.
fn any_value() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        4 => hostile_string().prop_map(|s| quoted(&s)),
        1 => hostile_string().prop_map(|s| format!("\"{s}\"")),
        1 => prop::sample::select(&["true", "false", "null", "12", "-1.5e3", "True", "'x'", "x"][..]).prop_map(String::from),
    ]
}

/// Any comparison, presence test or value path, supported or not.
fn any_leaf(table: &'static FilterTable) -> BoxedStrategy<String> {
    let names: Vec<&'static str> =
        table.attributes.iter().map(|a| a.scim).chain(OTHER_ATTRIBUTES.iter().copied()).collect();
    let attr = prop::sample::select(names).prop_flat_map(move |n| spelled(table, n));
    let op = any_case(&["eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le"]);
    let comparison = (attr.clone(), op.clone(), any_value()).prop_map(|(a, o, v)| format!("{a} {o} {v}"));
    let present = attr.clone().prop_map(|a| format!("{a} pr"));
    let sub = any_case(&["type", "value", "display", "primary"]);
    let inner_leaf = (sub.clone(), op.clone(), any_value()).prop_map(|(a, o, v)| format!("{a} {o} {v}"));
    let inner = inner_leaf.prop_recursive(2, 6, 3, |inner| {
        prop_oneof![
            (inner.clone(), any_case(&["and", "or"]), inner.clone()).prop_map(|(l, j, r)| format!("{l} {j} {r}")),
            inner.clone().prop_map(|i| format!("not ({i})")),
            inner.prop_map(|i| format!("({i})")),
        ]
    });
    let suffix = prop_oneof![
        Just(String::new()),
        (sub, op, any_value()).prop_map(|(s, o, v)| format!(".{s} {o} {v}")),
        Just(".display".to_string()),
    ];
    let value_path = (attr, inner, suffix).prop_map(|(a, i, s)| format!("{a}[{i}]{s}"));
    prop_oneof![
        3 => supported_leaf(table).prop_map(|(text, _)| text),
        3 => comparison,
        1 => present,
        2 => value_path,
    ]
    .boxed()
}

/// Any filter: comparisons joined by `and` / `or`, negated and grouped at random.
fn any_filter(table: &'static FilterTable) -> impl Strategy<Value = String> {
    any_leaf(table).prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), any_case(&["and", "or"]), inner.clone()).prop_map(|(l, j, r)| format!("{l} {j} {r}")),
            inner.clone().prop_map(|i| format!("not ({i})")),
            inner.prop_map(|i| format!("({i})")),
        ]
    })
}

/// Filter-ish garbage: filter tokens and hostile strings in any order, or any string at all.
fn garbage() -> impl Strategy<Value = String> {
    const TOKENS: &[&str] = &[
        "userName",
        "displayName",
        "emails",
        "active",
        "id",
        "externalId",
        "applicationId",
        "value",
        "type",
        " eq ",
        " ne ",
        " co ",
        " sw ",
        " pr",
        " and ",
        " or ",
        "not ",
        "(",
        ")",
        "[",
        "]",
        "].",
        ".",
        "\"",
        "\\\"",
        "\"work\"",
        "true",
        "false",
        "null",
        "1",
        ":",
        "urn:ietf:params:scim:schemas:core:2.0:User:",
        " ",
    ];
    prop_oneof![
        prop::collection::vec(
            prop_oneof![3 => prop::sample::select(TOKENS).prop_map(String::from), 1 => hostile_string()],
            0..12
        )
        .prop_map(|parts| parts.concat()),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn supported_filters_translate_to_the_same_comparisons_with_the_same_values(
        (table, text, expected) in any_supported_filter()
    ) {
        let translated = parse_filter(&text).and_then(|f| translate(&f, table));
        prop_assert!(translated.is_ok(), "{text:?} is refused: {translated:?}");
        reads_back(&translated.unwrap_or_default(), Some(&expected))?;
    }

    #[test]
    fn any_filter_is_refused_as_invalid_filter_or_reads_back_with_only_its_own_values(
        (table, text) in any_table().prop_flat_map(|t| any_filter(t).prop_map(move |f| (t, f)))
    ) {
        check_any(&text, table)?;
    }

    #[test]
    fn garbage_filters_are_refused_as_invalid_filter_or_read_back_with_only_their_own_values(
        text in garbage()
    ) {
        for table in TABLES {
            check_any(&text, table)?;
        }
    }
}

/// The decoded query parameters of a recorded Databricks request.
fn query_of(request: &Value) -> Vec<(String, String)> {
    let raw = request["query"].as_str().unwrap_or_default();
    let url = reqwest::Url::parse(&format!("http://databricks.invalid/?{raw}")).expect("a query string");
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// Through the real list handlers (both gateway event shapes) and the emulator: a filter the
/// bridge refuses never reaches Databricks; one it accepts reaches it as exactly the
/// translation, in one `filter` parameter beside the paging ones, and the emulator accepts it.
#[test]
fn a_filter_reaches_databricks_as_its_translation_in_one_parameter_or_not_at_all() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let stacks = runtime.block_on(async {
        [TestStack::start(Mode::Default, Shape::RestV1).await, TestStack::start(Mode::Default, Shape::HttpV2).await]
    });
    let list = |table: &FilterTable| {
        if std::ptr::eq(table, &USER_FILTERS) {
            (Operation::ListUsers, "/Users")
        } else if std::ptr::eq(table, &GROUP_FILTERS) {
            (Operation::ListGroups, "/Groups")
        } else {
            (Operation::ListServicePrincipals, "/ServicePrincipals")
        }
    };
    let filters = any_table().prop_flat_map(|t| {
        prop_oneof![
            2 => supported_filter(t).prop_map(|(f, _)| f),
            2 => any_filter(t),
            1 => garbage(),
        ]
        .prop_map(move |f| (t, f))
    });
    proptest!(config(96), |((table, text) in filters, http_api in any::<bool>())| {
        let stack = &stacks[usize::from(http_api)];
        let (operation, path) = list(table);
        // A blank filter is no filter.
        let expected = match text.trim() {
            "" => None,
            _ => Some(parse_filter(&text).and_then(|f| translate(&f, table)).ok()),
        };
        let (answer, requests) = runtime.block_on(async {
            stack.reset_stats().await;
            let answer = stack.call(operation, Call::get(path).query("filter", &text)).await;
            (answer, stack.target_requests().await)
        });
        match answer.status {
            200 => {
                prop_assert!(expected.as_ref().is_none_or(Option::is_some), "{text:?} answered 200 untranslated");
                prop_assert!(!requests.is_empty());
                for request in &requests {
                    let query = query_of(request);
                    let filters: Vec<String> =
                        query.iter().filter(|(k, _)| k == "filter").map(|(_, v)| v.clone()).collect();
                    prop_assert_eq!(filters, expected.clone().flatten().into_iter().collect::<Vec<String>>());
                    for (k, _) in &query {
                        prop_assert!(
                            ["filter", "startIndex", "count", "attributes", "excludedAttributes"].contains(&k.as_str()),
                            "parameter {:?} in {:?}", k, request["query"]
                        );
                        prop_assert_eq!(query.iter().filter(|(k2, _)| k2 == k).count(), 1);
                    }
                }
            }
            400 => {
                prop_assert!(answer.body["scimType"].is_string(), "{text:?}: {}", answer.body);
                prop_assert!(requests.is_empty(), "{text:?} was refused after reaching Databricks: {requests:?}");
            }
            other => prop_assert!(false, "{text:?} answered {other}: {}", answer.body),
        }
    });
}
