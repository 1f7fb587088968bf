use super::*;
use serde_json::json;

#[test]
fn string_booleans_from_entra_and_terraform_lists_are_read_as_booleans() {
    let cases = [
        (json!(true), true),
        (json!("False"), false),
        (json!("TRUE"), true),
        (json!("false"), false),
        (json!([{"value": "false"}]), false),
    ];
    for (input, expected) in cases {
        assert_eq!(lenient_bool(&input, "active"), Ok(expected), "{input}");
    }
}

#[test]
fn non_boolean_values_are_refused_as_invalid_value() {
    for input in [json!("yes"), json!(1), json!(null), json!([])] {
        let err = lenient_bool(&input, "active").err();
        assert!(matches!(err, Some(ScimError::InvalidValue(_))), "{input}");
    }
}

#[test]
fn multi_values_accept_objects_strings_and_a_single_object() {
    assert_eq!(multi_values(&json!([{"value": "a"}, {"VALUE": "b"}]), "x"), Ok(vec!["a".into(), "b".into()]));
    assert_eq!(multi_values(&json!({"value": "a"}), "x"), Ok(vec!["a".into()]));
    assert_eq!(multi_values(&json!(null), "x"), Ok(vec![]));
    assert!(multi_values(&json!([{"display": "a"}]), "x").is_err());
}

#[test]
fn an_empty_or_non_object_body_is_invalid_syntax() {
    for body in [&b""[..], b"  ", b"[1]", b"{nope"] {
        assert!(matches!(parse_object(body), Err(ScimError::InvalidSyntax(_))));
    }
}
