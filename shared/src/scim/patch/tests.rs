use super::*;

fn parse(body: &str) -> Result<Vec<PatchOperation>, ScimError> {
    parse_patch_request(body.as_bytes())
}

#[test]
fn entra_capitalised_replace_of_active_is_read_as_replace() {
    let ops = parse(r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}"#)
        .expect("Entra's PATCH parses");
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].op, PatchOpKind::Replace);
    assert_eq!(ops[0].path.to_string(), "active");
    assert_eq!(ops[0].value, Some(Value::String("False".into())));
}

#[test]
fn a_body_without_schemas_and_with_lowercase_operations_key_is_accepted() {
    let ops = parse(r#"{"operations":[{"op":"add","path":"members","value":[{"value":"1"}]}]}"#);
    assert_eq!(ops.map(|o| o.len()), Ok(1));
}

#[test]
fn okta_pathless_deactivation_expands_to_one_operation_on_active() {
    let ops = parse(r#"{"Operations":[{"op":"replace","value":{"active":false}}]}"#).expect("Okta's PATCH parses");
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].path.to_string(), "active");
    assert_eq!(ops[0].value, Some(Value::Bool(false)));
}

#[test]
fn pathless_replace_with_dotted_and_urn_keys_expands_each_key() {
    let ops = parse(
        r#"{"Operations":[{"op":"replace","value":{"name.givenName":"A","urn:ietf:params:scim:schemas:extension:databricks:2.0:Group":{"entitlements":[{"value":"workspace-access"}]}}}]}"#,
    )
    .expect("the path-less PATCH parses");
    let paths: Vec<String> = ops.iter().map(|o| o.path.to_string()).collect();
    assert!(paths.contains(&"name.givenName".to_string()), "{paths:?}");
    assert!(
        paths.contains(&"urn:ietf:params:scim:schemas:extension:databricks:2.0:Group:entitlements".to_string()),
        "{paths:?}"
    );
}

#[test]
fn unknown_ops_are_refused_with_invalid_syntax_not_ignored() {
    let err = parse(r#"{"Operations":[{"op":"merge","path":"active","value":true}]}"#);
    assert!(matches!(err, Err(ScimError::InvalidSyntax(_))), "{err:?}");
}

#[test]
fn remove_without_path_is_no_target() {
    let err = parse(r#"{"Operations":[{"op":"remove"}]}"#);
    assert!(matches!(err, Err(ScimError::NoTarget(_))), "{err:?}");
}

#[test]
fn a_value_filter_path_is_parsed() {
    let ops =
        parse(r#"{"Operations":[{"op":"remove","path":"members[value eq \"123\"]"}]}"#).expect("the PATCH parses");
    assert!(matches!(ops[0].path, PatchPath::Value(_)));
}

#[test]
fn a_garbage_path_is_invalid_path() {
    let err = parse(r#"{"Operations":[{"op":"add","path":"members[[","value":1}]}"#);
    assert!(matches!(err, Err(ScimError::InvalidPath(_))), "{err:?}");
}
