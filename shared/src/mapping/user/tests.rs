use super::*;
use crate::mapping::{databricks, obj, replaced, scim_json, wire};
use crate::scim::patch::parse_patch_request;
use serde_json::json;

#[test]
fn display_name_wins_then_given_and_family_name_then_user_name() {
    let cases = [
        (json!({"userName": "u@x.io", "displayName": "Disp", "name": {"givenName": "G", "familyName": "F"}}), "Disp"),
        (json!({"userName": "u@x.io", "name": {"givenName": "G", "familyName": "F"}}), "G F"),
        (json!({"userName": "u@x.io", "name": {"familyName": "F"}}), "F"),
        (json!({"userName": "u@x.io", "displayName": "  "}), "u@x.io"),
    ];
    for (body, expected) in cases {
        assert_eq!(display_name_for(&obj(body.clone()), "u@x.io"), Ok(expected.to_string()), "{body}");
    }
}

#[test]
fn create_with_active_false_creates_active_then_asks_for_deactivation() {
    let new = create_request(&obj(json!({"userName": "a@b.c", "active": "False", "password": "p", "groups": []})));
    let new = new.map_err(|e| e.to_string());
    assert_eq!(new.as_ref().map(|n| n.deactivate), Ok(true));
    let body = new.map(|n| scim_json(n.body)).unwrap_or_default();
    assert!(body.get("active").is_none(), "{body}");
    assert!(body.get("password").is_none() && body.get("groups").is_none(), "{body}");
}

#[test]
fn roles_and_unknown_entitlements_are_refused_on_create() {
    let roles =
        create_request(&obj(json!({"userName": "a@b.c", "roles": [{"value": "arn:aws:iam::1:instance-profile/x"}]})));
    assert!(matches!(roles, Err(ScimError::InvalidValue(d)) if d.contains("roles")));
    let ents = create_request(&obj(json!({"userName": "a@b.c", "entitlements": [{"value": "god-mode"}]})));
    assert!(matches!(ents, Err(ScimError::InvalidValue(_))));
}

#[test]
fn a_user_without_user_name_is_invalid_value() {
    assert!(matches!(create_request(&obj(json!({"displayName": "x"}))), Err(ScimError::InvalidValue(_))));
}

#[test]
fn databricks_user_becomes_a_scim_user_with_meta_and_typed_groups() {
    let db = json!({
        "id": "123", "userName": "a@b.c", "displayName": "A B", "active": false,
        "emails": [{"type": "work", "value": "a@b.c", "primary": true}],
        "groups": [{"display": "eng", "type": "indirect", "value": "9", "$ref": "Groups/9"}],
        "entitlements": [{"value": "workspace-access"}],
        "roles": [{"value": "arn"}]
    });
    let scim = scim_json(user_to_scim(&databricks(db.clone()), "https://h/v1/scim/v2"));
    assert_eq!(scim["meta"], json!({"resourceType": "User", "location": "https://h/v1/scim/v2/Users/123"}));
    assert_eq!(scim["active"], false);
    assert_eq!(scim["groups"][0]["$ref"], "https://h/v1/scim/v2/Groups/9");
    assert_eq!(scim["groups"][0]["type"], "indirect");
    assert!(scim.get("roles").is_none());
}

#[test]
fn replace_changes_only_what_the_client_sent_and_refuses_a_new_user_name() {
    let current = json!({"id": "1", "userName": "a@b.c", "displayName": "Old", "active": true,
        "entitlements": [{"value": "allow-cluster-create"}],
        "groups": [{"value": "5", "type": "direct"}], "roles": [{"value": "arn"}]});
    let ops = replaced(replace_operations, json!({"userName": "A@B.C", "displayName": "New"}), &current);
    assert_eq!(ops, Ok(vec![json!({"op": "replace", "path": "displayName", "value": "New"})]));
    let renamed = replace_operations(&obj(json!({"userName": "other@b.c"})), &databricks(current.clone()));
    assert!(matches!(renamed, Err(ScimError::Mutability(_))));
}

#[test]
fn a_put_without_entitlements_keeps_those_an_admin_granted_and_a_list_is_applied_as_a_difference() {
    let current = json!({"id": "1", "userName": "a@b.c", "displayName": "A", "active": true,
        "entitlements": [{"value": "allow-cluster-create"}, {"value": "workspace-access"}]});
    assert_eq!(replace_operations(&obj(json!({"userName": "a@b.c"})), &databricks(current.clone())), Ok(vec![]));
    let body = json!({"userName": "a@b.c", "active": false,
        "entitlements": [{"value": "workspace-access"}, {"value": "databricks-sql-access"}]});
    assert_eq!(
        replaced(replace_operations, body, &current),
        Ok(vec![
            json!({"op": "replace", "path": "active", "value": "false"}),
            json!({"op": "add", "path": "entitlements", "value": [{"value": "databricks-sql-access"}]}),
            json!({"op": "remove", "path": "entitlements[value eq \"allow-cluster-create\"]"}),
        ])
    );
}

#[test]
fn a_put_with_a_name_derives_the_display_name_and_sets_both_parts() {
    let current = json!({"id": "1", "userName": "a@b.c", "displayName": "a@b.c", "name": {"givenName": "a@b.c"}});
    let body = json!({"userName": "a@b.c", "name": {"givenName": "Ann", "familyName": "Bee"}});
    assert_eq!(
        replaced(replace_operations, body, &current),
        Ok(vec![
            json!({"op": "replace", "path": "displayName", "value": "Ann Bee"}),
            json!({"op": "replace", "path": "name.givenName", "value": "Ann"}),
            json!({"op": "replace", "path": "name.familyName", "value": "Bee"}),
        ])
    );
}

fn plan(body: &str) -> Result<PrincipalPatch, ScimError> {
    patch_request(&parse_patch_request(body.as_bytes())?)
}

#[test]
fn entra_and_okta_deactivations_become_one_databricks_replace_of_active() {
    for body in [
        r#"{"Operations":[{"op":"Replace","path":"active","value":"False"}]}"#,
        r#"{"Operations":[{"op":"replace","value":{"active":false}}]}"#,
        r#"{"Operations":[{"op":"Add","path":"active","value":"false"}]}"#,
    ] {
        let ops = plan(body).map(|p| wire(&p.operations));
        assert_eq!(ops, Ok(vec![json!({"op":"replace","path":"active","value":"false"})]), "{body}");
    }
}

#[test]
fn pathless_replace_with_dotted_names_updates_name_parts() {
    let ops = plan(r#"{"Operations":[{"op":"replace","value":{"name.givenName":"Ann","displayName":"Ann B"}}]}"#)
        .map(|p| wire(&p.operations))
        .unwrap_or_default();
    assert!(ops.contains(&json!({"op":"replace","path":"name.givenName","value":"Ann"})), "{ops:?}");
    assert!(ops.contains(&json!({"op":"replace","path":"displayName","value":"Ann B"})), "{ops:?}");
}

#[test]
fn patching_groups_or_roles_is_refused() {
    assert!(matches!(
        plan(r#"{"Operations":[{"op":"add","path":"groups","value":[{"value":"1"}]}]}"#),
        Err(ScimError::Mutability(_))
    ));
    assert!(matches!(
        plan(r#"{"Operations":[{"op":"add","path":"roles","value":[{"value":"x"}]}]}"#),
        Err(ScimError::InvalidValue(_))
    ));
}

#[test]
fn emails_and_enterprise_attributes_are_ignored_not_sent() {
    let p = plan(
        r#"{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"x@y.z"},{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"7"}}]}"#,
    );
    let p = p.unwrap_or_default();
    assert!(p.operations.is_empty());
    assert_eq!(p.ignored.len(), 2, "{:?}", p.ignored);
}

#[test]
fn selection_asks_databricks_only_for_what_the_client_wants() {
    let p = Projection { attributes: vec!["userName".into(), "name.givenName".into()], excluded: vec![] };
    assert_eq!(target_selection(&p).attributes, vec!["id", "userName", "name"]);
    let default = target_selection(&Projection::default());
    assert_eq!(default.excluded_attributes, vec!["roles"]);
}
