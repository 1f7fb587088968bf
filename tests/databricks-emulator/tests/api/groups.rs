use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Harness, patch_op};

#[tokio::test]
async fn creating_a_group_answers_the_shape_of_fixture_f4() {
    let h = Harness::new().await;
    let uid = h.create_user("jacob@x.com", Some("Jacob Parr")).await;

    let r = h
        .post(
            "Groups",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "dummies",
                   "members": [{"value": uid}], "entitlements": [{"value": "allow-cluster-create"}]}),
        )
        .await;

    assert_eq!(r.status, StatusCode::OK);
    let id = r.body["id"].as_str().unwrap();
    assert_eq!(
        r.body,
        json!({"id": id, "displayName": "dummies", "meta": {"resourceType": "WorkspaceGroup"},
               "entitlements": [{"value": "allow-cluster-create"}],
               "members": [{"display": "Jacob Parr", "value": uid, "$ref": format!("Users/{uid}")}],
               "groups": [], "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"]})
    );
    assert_eq!(h.delete(&format!("Groups/{id}")).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn members_of_every_kind_carry_a_ref_and_no_type() {
    let h = Harness::new().await;
    let uid = h.create_user("u@x.com", None).await;
    let (sid, _) = h.create_sp("robot").await;
    let inner = h.create_group("inner", &[]).await;

    let gid = h.create_group("outer", &[&uid, &sid, &inner]).await;
    let members = h.get(&format!("Groups/{gid}")).await.body["members"].clone();

    assert_eq!(
        members,
        json!([
            {"display": "u@x.com", "value": uid, "$ref": format!("Users/{uid}")},
            {"display": "robot", "value": sid, "$ref": format!("ServicePrincipals/{sid}")},
            {"display": "inner", "value": inner, "$ref": format!("Groups/{inner}")},
        ])
    );
}

#[tokio::test]
async fn group_names_are_unique_case_sensitively() {
    let h = Harness::new().await;
    h.create_group("abc", &[]).await;

    let same = h.post("Groups", json!({"displayName": "abc"})).await;
    let other_case = h.post("Groups", json!({"displayName": "ABC"})).await;
    let unnamed = h.post("Groups", json!({"members": []})).await;

    assert_eq!(same.status, StatusCode::CONFLICT);
    assert_eq!(same.detail(), "Group with name abc already exists.");
    assert_eq!(other_case.status, StatusCode::OK);
    assert_eq!(unnamed.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_unknown_member_id_is_refused_and_creates_nothing() {
    let h = Harness::new().await;

    let r = h.post("Groups", json!({"displayName": "ghosts", "members": [{"value": "111111111111111"}]})).await;

    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.detail(), "Principal not found for id: 111111111111111");
    assert_eq!(h.get("Groups").await.body["totalResults"], 0);
}

#[tokio::test]
async fn a_user_lists_direct_and_indirect_groups_through_nesting() {
    let h = Harness::new().await;
    let uid = h.create_user("deep@x.com", None).await;
    let child = h.create_group("child", &[&uid]).await;
    let parent = h.create_group("parent", &[&child]).await;
    let grandparent = h.create_group("grandparent", &[&parent]).await;

    let user = h.get(&format!("Users/{uid}")).await.body;
    let child_group = h.get(&format!("Groups/{child}")).await.body;

    let mut expected_indirect = [parent.clone(), grandparent.clone()];
    expected_indirect.sort_by_key(|id| id.parse::<u64>().unwrap());
    assert_eq!(
        user["groups"],
        json!([
            {"display": "child", "type": "direct", "value": child, "$ref": format!("Groups/{child}")},
            {"display": if expected_indirect[0] == parent { "parent" } else { "grandparent" }, "type": "indirect",
             "value": expected_indirect[0], "$ref": format!("Groups/{}", expected_indirect[0])},
            {"display": if expected_indirect[1] == parent { "parent" } else { "grandparent" }, "type": "indirect",
             "value": expected_indirect[1], "$ref": format!("Groups/{}", expected_indirect[1])},
        ])
    );
    assert_eq!(child_group["groups"][0]["value"], parent.as_str());
    assert_eq!(child_group["groups"][0]["type"], "direct");
    assert_eq!(child_group["groups"][1]["value"], grandparent.as_str());
    assert_eq!(child_group["groups"][1]["type"], "indirect");
}

#[tokio::test]
async fn patch_adds_members_with_and_without_a_path_and_removes_them_by_filter() {
    let h = Harness::answering_resources().await;
    let a = h.create_user("a@x.com", None).await;
    let b = h.create_user("b@x.com", None).await;
    let c = h.create_user("c@x.com", None).await;
    let gid = h.create_group("team", &[]).await;
    let path = format!("Groups/{gid}");

    let with_path = h.patch(&path, patch_op(json!([{"op": "add", "path": "members", "value": [{"value": a}]}]))).await;
    let pathless =
        h.patch(&path, patch_op(json!([{"op": "add", "value": {"members": [{"value": b}, {"value": c}]}}]))).await;
    let removed = h
        .patch(
            &path,
            patch_op(json!([{"op": "remove", "path": format!("members[value eq \"{a}\"]")},
                            {"op": "remove", "path": format!("members[value eq \"{c}\"]")}])),
        )
        .await;

    assert_eq!(with_path.status, StatusCode::OK);
    assert_eq!(with_path.body["members"].as_array().unwrap().len(), 1);
    assert_eq!(pathless.body["members"].as_array().unwrap().len(), 3);
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(removed.body["members"], json!([{"display": "b@x.com", "value": b, "$ref": format!("Users/{b}")}]));
    let cleared = h.patch(&path, patch_op(json!([{"op": "remove", "path": "members"}]))).await;
    assert!(cleared.body.get("members").is_none());
}

#[tokio::test]
async fn patch_remove_carrying_a_value_answers_the_e6_error() {
    let h = Harness::new().await;
    let uid = h.create_user("keep@x.com", None).await;
    let gid = h.create_group("g", &[&uid]).await;

    let r = h
        .patch(
            &format!("Groups/{gid}"),
            patch_op(json!([{"op": "remove", "path": format!("members[value eq \"{uid}\"]"), "value": ""}])),
        )
        .await;

    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["scimType"], "invalidSyntax");
    assert!(
        r.detail().starts_with("Unrecognized field \"value\" (class com.unboundid.scim2.common.messages.PatchOperation$RemoveOperation), not marked as ignorable (one known property: \"path\"])"),
        "{}",
        r.detail()
    );
    assert_eq!(h.get(&format!("Groups/{gid}")).await.body["members"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn patch_members_with_a_plain_string_value_is_invalid_syntax() {
    let h = Harness::new().await;
    let uid = h.create_user("s@x.com", None).await;
    let gid = h.create_group("g", &[]).await;

    let r = h.patch(&format!("Groups/{gid}"), patch_op(json!([{"op": "add", "path": "members", "value": uid}]))).await;

    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "scimType": "invalidSyntax",
               "detail": "Request is unparsable, syntactically incorrect, or violates schema.", "status": "400"})
    );
}

#[tokio::test]
async fn patch_renames_a_group_without_schemas_and_refuses_a_taken_name() {
    let h = Harness::answering_resources().await;
    let gid = h.create_group("my-group", &[]).await;
    h.create_group("taken", &[]).await;

    let renamed = h
        .patch(
            &format!("Groups/{gid}"),
            json!({"Operations": [{"op": "replace", "path": "displayName", "value": "db-temp-my-group"}]}),
        )
        .await;
    let clash = h
        .patch(&format!("Groups/{gid}"), patch_op(json!([{"op": "replace", "path": "displayName", "value": "taken"}])))
        .await;

    assert_eq!(renamed.status, StatusCode::OK);
    assert_eq!(renamed.body["displayName"], "db-temp-my-group");
    assert_eq!(clash.status, StatusCode::CONFLICT);
    assert_eq!(clash.detail(), "Group with name taken already exists.");
}

#[tokio::test]
async fn patch_manages_group_entitlements_roles_and_parent_groups() {
    let h = Harness::answering_resources().await;
    let gid = h.create_group("g", &[]).await;
    let parent = h.create_group("parent", &[]).await;
    let path = format!("Groups/{gid}");

    let r = h
        .patch(
            &path,
            patch_op(json!([
                {"op": "add", "path": "entitlements", "value": [{"value": "allow-cluster-create"}, {"value": "workspace-access"}]},
                {"op": "add", "path": "roles", "value": [{"value": "arn:aws:iam::1:instance-profile/x"}]},
                {"op": "add", "path": "groups", "value": [{"value": parent}]},
            ])),
        )
        .await;
    let replaced = h
        .patch(
            &path,
            patch_op(json!([
                {"op": "replace", "path": "entitlements", "value": [{"value": ""}]},
                {"op": "remove", "path": "roles[value eq \"arn:aws:iam::1:instance-profile/x\"]"},
                {"op": "remove", "path": format!("groups[value eq \"{parent}\"]")},
            ])),
        )
        .await;

    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["entitlements"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["roles"], json!([{"value": "arn:aws:iam::1:instance-profile/x"}]));
    assert_eq!(r.body["groups"][0]["value"], parent.as_str());
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    assert!(replaced.body.get("entitlements").is_none());
    assert!(replaced.body.get("roles").is_none());
    assert_eq!(replaced.body["groups"], json!([]));
}

#[tokio::test]
async fn put_replaces_the_group_and_clears_what_is_not_sent() {
    let h = Harness::answering_resources().await;
    let a = h.create_user("a@x.com", None).await;
    let b = h.create_user("b@x.com", None).await;
    let parent = h.create_group("Rangers", &[]).await;
    let gid = h.create_group("Ninjas", &[&a]).await;
    h.create_group("Other", &[]).await;

    let r = h
        .put(
            &format!("Groups/{gid}"),
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Data Ninjas",
                   "members": [{"value": b}], "groups": [{"value": parent}], "roles": [{"value": "reader"}],
                   "entitlements": [{"value": "allow-cluster-create"}]}),
        )
        .await;
    let bare = h.put(&format!("Groups/{gid}"), json!({"displayName": "Data Ninjas"})).await;
    let clash = h.put(&format!("Groups/{gid}"), json!({"displayName": "Other"})).await;

    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["displayName"], "Data Ninjas");
    assert_eq!(r.body["members"][0]["value"], b.as_str());
    assert_eq!(r.body["members"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["groups"][0]["value"], parent.as_str());
    assert_eq!(r.body["roles"], json!([{"value": "reader"}]));
    assert!(bare.body.get("members").is_none());
    assert_eq!(bare.body["groups"], json!([]));
    assert!(bare.body.get("entitlements").is_none());
    assert_eq!(clash.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn deleting_an_unknown_group_answers_404_in_default_mode() {
    let h = Harness::new().await;

    let r = h.delete("Groups/162842259944930").await;

    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.detail(), "Group with id 162842259944930 not found.");
}

#[tokio::test]
async fn deleting_a_group_removes_it_from_its_parents_and_keeps_its_members() {
    let h = Harness::new().await;
    let uid = h.create_user("stay@x.com", None).await;
    let child = h.create_group("child", &[&uid]).await;
    let parent = h.create_group("parent", &[&child]).await;

    assert_eq!(h.delete(&format!("Groups/{child}")).await.status, StatusCode::NO_CONTENT);

    assert!(h.get(&format!("Groups/{parent}")).await.body.get("members").is_none());
    let user = h.get(&format!("Users/{uid}")).await;
    assert_eq!(user.status, StatusCode::OK);
    assert!(user.body.get("groups").is_none());
}
