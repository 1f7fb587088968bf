use super::*;
use crate::mapping::user::{Principal, principal_patch};
use crate::scim::patch::parse_patch_request;

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

#[test]
fn a_databricks_service_principal_becomes_a_scim_resource_with_meta() {
    let db = json!({"id": "42", "applicationId": "11111111-0000-0000-0000-111111111111", "displayName": "FIVETRAN_USER",
        "active": true, "groups": [{"display": "g", "type": "direct", "value": "9", "$ref": "Groups/9"}],
        "entitlements": [{"value": "workspace-access"}], "roles": [{"value": "arn"}]});
    let s = service_principal_to_scim(&db, "https://h/v1/scim/v2");
    assert_eq!(s["schemas"], json!([SERVICE_PRINCIPAL_SCHEMA]));
    assert_eq!(s["meta"]["location"], "https://h/v1/scim/v2/ServicePrincipals/42");
    assert_eq!(s["meta"]["resourceType"], "ServicePrincipal");
    assert_eq!(s["groups"][0]["$ref"], "https://h/v1/scim/v2/Groups/9");
    assert_eq!(s["active"], true);
    assert!(s.get("roles").is_none());
}

#[test]
fn create_needs_a_display_name_or_an_application_id_and_checks_the_uuid() {
    assert!(create_request(&obj(json!({"displayName": "etl"}))).is_ok());
    assert!(create_request(&obj(json!({"applicationId": "11111111-0000-0000-0000-111111111111"}))).is_ok());
    assert!(matches!(create_request(&obj(json!({}))), Err(ScimError::InvalidValue(_))));
    assert!(matches!(
        create_request(&obj(json!({"displayName": "x", "applicationId": "not-a-uuid"}))),
        Err(ScimError::InvalidValue(_))
    ));
    assert_eq!(create_request(&obj(json!({"displayName": "x", "active": "False"}))).map(|n| n.deactivate), Ok(true));
}

#[test]
fn replace_keeps_memberships_and_refuses_a_new_application_id() {
    let current = json!({"id": "1", "applicationId": "11111111-0000-0000-0000-111111111111", "active": false,
        "groups": [{"value": "5", "type": "direct"}, {"value": "6", "type": "indirect"}]});
    let out = replace_request(&obj(json!({"displayName": "n"})), &current).unwrap_or_default();
    assert_eq!(out["groups"], json!([{"value": "5"}]));
    assert_eq!(out["active"], false, "absent active keeps the current state");
    let changed = replace_request(
        &obj(json!({"displayName": "n", "applicationId": "22222222-0000-0000-0000-222222222222"})),
        &current,
    );
    assert!(matches!(changed, Err(ScimError::Mutability(_))));
}

#[test]
fn patch_on_a_service_principal_uses_application_id_as_its_key_and_knows_no_name() {
    let ops = parse_patch_request(
        br#"{"Operations":[{"op":"replace","value":{"applicationId":"11111111-0000-0000-0000-111111111111","displayName":"n","name.givenName":"x"}}]}"#,
    )
    .unwrap_or_default();
    let plan = principal_patch(&ops, Principal::ServicePrincipal).unwrap_or_default();
    assert_eq!(plan.key.as_deref(), Some("11111111-0000-0000-0000-111111111111"));
    assert_eq!(plan.operations, vec![json!({"op": "replace", "path": "displayName", "value": "n"})]);
    assert_eq!(plan.ignored, vec!["name.givenName".to_string()]);
}
