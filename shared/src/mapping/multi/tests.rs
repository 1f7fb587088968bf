use super::*;
use crate::scim::patch::parse_patch_request;
use serde_json::{Value, json};

fn ok(_: &[String]) -> Result<(), ScimError> {
    Ok(())
}

fn translated(body: &str) -> Result<Vec<Value>, ScimError> {
    let ops = parse_patch_request(body.as_bytes())?;
    let mut out = Vec::new();
    for op in &ops {
        out.extend(translate(op, "members", "members", &ok)?);
    }
    Ok(out.iter().filter_map(|o| serde_json::to_value(o).ok()).collect())
}

#[test]
fn a_remove_naming_several_values_becomes_one_remove_per_value() {
    let cases = [
        // Entra's value-list remove removes only the listed members.
        r#"{"Operations":[{"op":"Remove","path":"members","value":[{"value":"1"},{"value":"2"}]}]}"#,
        // A filter joining values with `or`.
        r#"{"Operations":[{"op":"remove","path":"members[value eq \"1\" or value eq \"2\"]"}]}"#,
    ];
    for body in cases {
        assert_eq!(
            translated(body),
            Ok(vec![
                json!({"op":"remove","path":"members[value eq \"1\"]"}),
                json!({"op":"remove","path":"members[value eq \"2\"]"})
            ]),
            "{body}"
        );
    }
}

#[test]
fn the_difference_adds_what_is_missing_once_and_removes_each_extra_element() {
    let ops = difference("entitlements", &["a".into(), "b".into()], &["b".into(), "c".into(), "d".into()]);
    let ops: Vec<Value> = ops.iter().filter_map(|o| serde_json::to_value(o).ok()).collect();
    assert_eq!(
        ops,
        vec![
            json!({"op":"add","path":"entitlements","value":[{"value":"a"}]}),
            json!({"op":"remove","path":"entitlements[value eq \"c\"]"}),
            json!({"op":"remove","path":"entitlements[value eq \"d\"]"})
        ]
    );
    assert!(difference("members", &["1".into()], &["1".into()]).is_empty());
}

#[test]
fn a_filter_remove_is_sent_without_a_value_key() {
    let out = translated(r#"{"Operations":[{"op":"remove","path":"members[value eq \"7\"]"}]}"#);
    assert_eq!(out, Ok(vec![json!({"op":"remove","path":"members[value eq \"7\"]"})]));
}

#[test]
fn an_add_keeps_only_the_value_of_each_member() {
    let out = translated(
        r#"{"Operations":[{"op":"add","path":"members","value":[{"value":"1","display":"Ann","$ref":null}]}]}"#,
    );
    assert_eq!(out, Ok(vec![json!({"op":"add","path":"members","value":[{"value":"1"}]})]));
}

#[test]
fn replace_with_an_empty_list_clears_the_attribute() {
    let out = translated(r#"{"Operations":[{"op":"replace","path":"members","value":[]}]}"#);
    assert_eq!(out, Ok(vec![json!({"op":"remove","path":"members"})]));
}

#[test]
fn a_filter_on_another_sub_attribute_is_invalid_filter() {
    let out = translated(r#"{"Operations":[{"op":"remove","path":"members[display eq \"Ann\"]"}]}"#);
    assert!(matches!(out, Err(ScimError::InvalidFilter(_))), "{out:?}");
}

#[test]
fn validation_failures_stop_the_translation() {
    let ops = parse_patch_request(br#"{"Operations":[{"op":"add","path":"members","value":[{"value":"x"}]}]}"#)
        .unwrap_or_default();
    let refuse = |_: &[String]| Err(ScimError::InvalidValue("no".into()));
    assert!(translate(&ops[0], "members", "members", &refuse).is_err());
}
