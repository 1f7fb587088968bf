use super::*;
use crate::mapping::{databricks, obj, replaced, scim_json, wire};
use crate::scim::patch::parse_patch_request;
use serde_json::json;

#[test]
fn member_type_comes_from_the_databricks_ref_with_no_extra_call() {
    let db = json!({"id": "1", "displayName": "eng", "meta": {"resourceType": "WorkspaceGroup"},
        "members": [
            {"display": "Ann", "value": "2", "$ref": "Users/2"},
            {"display": "ops", "value": "3", "$ref": "Groups/3"},
            {"display": "etl", "value": "4", "$ref": "ServicePrincipals/4"}
        ],
        "groups": [], "entitlements": [{"value": "allow-cluster-create"}]});
    let g = scim_json(group_to_scim(&databricks(db.clone()), "http://b/scim/v2"));
    let types: Vec<&str> = g["members"].as_array().into_iter().flatten().filter_map(|m| m["type"].as_str()).collect();
    assert_eq!(types, vec!["User", "Group", "ServicePrincipal"]);
    assert_eq!(g["members"][0]["$ref"], "http://b/scim/v2/Users/2");
    assert_eq!(g["meta"]["resourceType"], "Group");
    assert_eq!(g[GROUP_EXTENSION_SCHEMA]["entitlements"], json!([{"value": "allow-cluster-create"}]));
    assert_eq!(g["schemas"], json!([GROUP_SCHEMA, GROUP_EXTENSION_SCHEMA]));
}

#[test]
fn create_accepts_entitlements_in_the_extension_or_at_the_top_level() {
    for body in [
        json!({"displayName": "g", GROUP_EXTENSION_SCHEMA: {"entitlements": [{"value": "workspace-access"}], "parentGroups": [{"value": "9"}]}}),
        json!({"displayName": "g", "entitlements": [{"value": "workspace-access"}], "parentGroups": [{"value": "9"}]}),
    ] {
        let out = create_request(&obj(body.clone())).map(scim_json).unwrap_or_default();
        assert_eq!(out["entitlements"], json!([{"value": "workspace-access"}]), "{body}");
        assert_eq!(out["groups"], json!([{"value": "9"}]), "{body}");
    }
}

#[test]
fn create_refuses_a_non_numeric_member_and_a_missing_name() {
    assert!(matches!(
        create_request(&obj(json!({"displayName": "g", "members": [{"value": "bob"}]}))),
        Err(ScimError::InvalidValue(_))
    ));
    assert!(matches!(create_request(&obj(json!({"members": []}))), Err(ScimError::InvalidValue(_))));
}

/// What a client PATCH on a group becomes (an unreadable one: nothing).
fn planned(body: &str) -> GroupPatch {
    patch_request(&parse_patch_request(body.as_bytes()).unwrap_or_default()).unwrap_or_default()
}

#[test]
fn a_patch_adding_and_removing_members_is_one_databricks_patch() {
    let plan = planned(
        r#"{"Operations":[{"op":"add","path":"members","value":[{"value":"1","display":"A"}]},{"op":"remove","path":"members[value eq \"2\"]"},{"op":"replace","value":{"id":"55","displayName":"renamed"}}]}"#,
    );
    assert_eq!(
        wire(&plan.operations),
        vec![
            json!({"op":"add","path":"members","value":[{"value":"1"}]}),
            json!({"op":"remove","path":"members[value eq \"2\"]"}),
            json!({"op":"replace","path":"displayName","value":"renamed"}),
        ]
    );
    assert!(plan.touches_members);
}

#[test]
fn extension_paths_reach_databricks_groups_and_entitlements() {
    let plan = planned(
        r#"{"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:databricks:2.0:Group:parentGroups","value":[{"value":"7"}]},{"op":"add","path":"urn:ietf:params:scim:schemas:extension:databricks:2.0:Group:entitlements","value":[{"value":"databricks-sql-access"}]}]}"#,
    );
    assert_eq!(
        wire(&plan.operations),
        vec![
            json!({"op":"add","path":"groups","value":[{"value":"7"}]}),
            json!({"op":"add","path":"entitlements","value":[{"value":"databricks-sql-access"}]}),
        ]
    );
}

#[test]
fn replace_makes_the_lists_sent_what_the_group_holds_and_keeps_what_was_not_sent() {
    // (what Databricks holds, what the client PUTs, the Databricks operations)
    let cases = [
        // The sent members are set; parents and entitlements the client did not send are kept.
        (
            json!({"id": "1", "displayName": "g", "members": [{"value": "3"}, {"value": "4"}],
                "groups": [{"value": "7", "type": "direct"}], "entitlements": [{"value": "workspace-access"}], "roles": [{"value": "arn"}]}),
            json!({"displayName": "g2", "members": [{"value": "3"}, {"value": "5"}]}),
            vec![
                json!({"op":"replace","path":"displayName","value":"g2"}),
                json!({"op":"add","path":"members","value":[{"value":"5"}]}),
                json!({"op":"remove","path":"members[value eq \"4\"]"}),
            ],
        ),
        // Lists that are already held change nothing.
        (
            json!({"id": "1", "displayName": "g", "members": [{"value": "3"}],
                "groups": [{"value": "7", "type": "direct"}, {"value": "8", "type": "indirect"}], "entitlements": []}),
            json!({"displayName": "g", "members": [{"value": "3"}], GROUP_EXTENSION_SCHEMA: {"parentGroups": [{"value": "7"}], "entitlements": []}}),
            vec![],
        ),
        // An empty member list removes each member by value.
        (
            json!({"id": "1", "displayName": "g", "members": [{"value": "3"}, {"value": "4"}]}),
            json!({"displayName": "g", "members": []}),
            vec![
                json!({"op":"remove","path":"members[value eq \"3\"]"}),
                json!({"op":"remove","path":"members[value eq \"4\"]"}),
            ],
        ),
    ];
    for (current, body, expected) in cases {
        assert_eq!(replaced(replace_operations, body.clone(), &current), Ok(expected), "{body}");
    }
}

#[test]
fn account_groups_are_told_by_their_resource_type() {
    assert!(is_account_group(&databricks(json!({"meta": {"resourceType": "Group"}}))));
    assert!(!is_account_group(&databricks(json!({"meta": {"resourceType": "WorkspaceGroup"}}))));
    assert!(!is_account_group(&databricks(json!({"id": "1"}))));
}

#[test]
fn excluding_members_never_asks_databricks_for_members() {
    let s = target_selection(&Projection { attributes: vec![], excluded: vec!["members".into()] });
    assert!(s.excluded_attributes.contains(&"members"));
    let s = target_selection(&Projection { attributes: vec!["displayName".into()], excluded: vec![] });
    assert_eq!(s.attributes, vec!["id", "displayName"]);
}
