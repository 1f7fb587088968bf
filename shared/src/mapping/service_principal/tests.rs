use super::*;
use crate::mapping::user::principal_patch;
use crate::mapping::{databricks, obj, replaced, scim_json, wire};
use crate::scim::patch::parse_patch_request;
use serde_json::json;

#[test]
fn a_databricks_service_principal_becomes_a_scim_resource_with_meta() {
    let db = json!({"id": "42", "applicationId": "11111111-0000-0000-0000-111111111111", "displayName": "FIVETRAN_USER",
        "active": true, "groups": [{"display": "g", "type": "direct", "value": "9", "$ref": "Groups/9"}],
        "entitlements": [{"value": "workspace-access"}], "roles": [{"value": "arn"}]});
    let s = scim_json(service_principal_to_scim(&databricks(db.clone()), "https://h/v1/scim/v2"));
    assert_eq!(s["schemas"], json!([SERVICE_PRINCIPAL_SCHEMA]));
    assert_eq!(s["meta"]["location"], "https://h/v1/scim/v2/ServicePrincipals/42");
    assert_eq!(s["meta"]["resourceType"], "ServicePrincipal");
    assert_eq!(s["groups"][0]["$ref"], "https://h/v1/scim/v2/Groups/9");
    assert_eq!(s["active"], true);
    assert!(s.get("roles").is_none());
}

#[test]
fn create_needs_a_display_name_or_an_application_id_and_checks_the_uuid() {
    let azure = Cloud::Azure;
    assert!(create_request(&obj(json!({"displayName": "etl"})), azure).is_ok());
    assert!(create_request(&obj(json!({"applicationId": "11111111-0000-0000-0000-111111111111"})), azure).is_ok());
    assert!(matches!(create_request(&obj(json!({})), azure), Err(ScimError::InvalidValue(_))));
    assert!(matches!(
        create_request(&obj(json!({"displayName": "x", "applicationId": "not-a-uuid"})), azure),
        Err(ScimError::InvalidValue(_))
    ));
    assert_eq!(
        create_request(&obj(json!({"displayName": "x", "active": "False"})), Cloud::Aws).map(|n| n.deactivate),
        Ok(true)
    );
}

#[test]
fn an_application_id_on_an_aws_or_gcp_create_is_refused_with_the_reason() {
    for cloud in [Cloud::Aws, Cloud::Gcp] {
        let out = create_request(
            &obj(json!({"displayName": "etl", "applicationId": "11111111-0000-0000-0000-111111111111"})),
            cloud,
        );
        assert!(matches!(&out, Err(ScimError::InvalidValue(d)) if d.contains("AWS and GCP")), "{out:?}");
    }
    let sent =
        create_request(&obj(json!({"displayName": "etl"})), Cloud::Aws).map(|n| scim_json(n.body)).unwrap_or_default();
    assert!(sent.get("applicationId").is_none(), "{sent}");
}

#[test]
fn replace_sends_only_what_changed_never_the_application_id_and_refuses_a_new_one() {
    let current = json!({"id": "1", "applicationId": "11111111-0000-0000-0000-111111111111", "displayName": "old",
        "active": false, "entitlements": [{"value": "workspace-access"}],
        "groups": [{"value": "5", "type": "direct"}]});
    let body = json!({"displayName": "n", "applicationId": "11111111-0000-0000-0000-111111111111"});
    assert_eq!(
        replaced(replace_operations, body, &current),
        Ok(vec![json!({"op": "add", "path": "displayName", "value": "n"})])
    );
    let changed = replace_operations(
        &obj(json!({"displayName": "n", "applicationId": "22222222-0000-0000-0000-222222222222"})),
        &databricks(current.clone()),
    );
    assert!(matches!(changed, Err(ScimError::Mutability(_))));
}

#[test]
fn patch_on_a_service_principal_uses_application_id_as_its_key_and_knows_no_name() {
    let ops = parse_patch_request(
        br#"{"Operations":[{"op":"replace","value":{"applicationId":"11111111-0000-0000-0000-111111111111","displayName":"n","name.givenName":"x"}}]}"#,
    )
    .unwrap_or_default();
    let plan = principal_patch(&ops, Resource::ServicePrincipal).unwrap_or_default();
    assert_eq!(plan.key.as_deref(), Some("11111111-0000-0000-0000-111111111111"));
    assert_eq!(wire(&plan.operations), vec![json!({"op": "add", "path": "displayName", "value": "n"})]);
    assert_eq!(plan.renamed_to.as_deref(), Some("n"));
    assert_eq!(plan.ignored, vec!["name.givenName".to_string()]);
}

#[test]
fn an_application_id_is_a_uuid_in_its_hyphenated_form_only() {
    assert!(is_uuid("6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"));
    assert!(is_uuid("6F1C2D3E-4A5B-4C6D-8E7F-9A0B1C2D3E4F"));
    for other in [
        "6f1c2d3e4a5b4c6d8e7f9a0b1c2d3e4f",
        "{6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f}",
        "urn:uuid:6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
        "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4g",
        "6f1c2d3e-4a5b-4c6d-8e7f9a0b1c2d3e4f0",
    ] {
        assert!(!is_uuid(other), "{other}");
    }
}
