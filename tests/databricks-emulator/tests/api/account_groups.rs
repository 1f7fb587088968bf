//! Account groups in an identity-federated workspace (`POST /_emulator/account-groups`,
//! `account_group_refusal`).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Harness, Reply, patch_op};

async fn account_group(h: &Harness, body: Value) -> Reply {
    h.admin(Method::POST, "account-groups", Some(body)).await
}

async fn account_group_id(h: &Harness, name: &str, members: &[&str]) -> String {
    let r = account_group(h, json!({"displayName": name, "members": members})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_account_group_renders_as_group_while_a_fresh_workspace_group_renders_as_workspace_group() {
    let h = Harness::new().await;
    let uid = h.create_user("fed@x.com", Some("Fed User")).await;
    let account = account_group_id(&h, "account-users", &[&uid]).await;
    let workspace = h.create_group("local", &[]).await;

    let got = h.get(&format!("Groups/{account}")).await.body;
    let local = h.get(&format!("Groups/{workspace}")).await.body;
    let listed = h.get("Groups?filter=displayName+eq+account-users").await.body;
    let user = h.get(&format!("Users/{uid}")).await.body;
    let state = h.admin(Method::GET, "state", None).await.body;

    assert_eq!(
        got,
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": account, "displayName": "account-users",
               "meta": {"resourceType": "Group"}, "groups": [],
               "members": [{"display": "Fed User", "value": uid, "$ref": format!("Users/{uid}")}]})
    );
    assert_eq!(local["meta"], json!({"resourceType": "WorkspaceGroup"}));
    assert_eq!(listed["Resources"][0]["id"], account.as_str());
    assert_eq!(user["groups"][0]["value"], account.as_str());
    let groups = state["groups"].as_array().unwrap();
    let flags: Vec<(&str, &Value)> =
        groups.iter().map(|g| (g["displayName"].as_str().unwrap(), g.get("account").unwrap_or(&Value::Null))).collect();
    assert!(flags.contains(&("account-users", &json!(true))), "{flags:?}");
    assert!(flags.contains(&("local", &Value::Null)), "{flags:?}");
}

#[tokio::test]
async fn patch_and_put_on_an_account_group_answer_400_and_change_nothing() {
    let h = Harness::new().await;
    let a = h.create_user("a@x.com", None).await;
    let b = h.create_user("b@x.com", None).await;
    let gid = account_group_id(&h, "federated", &[&a]).await;
    let path = format!("Groups/{gid}");

    let add = h.patch(&path, patch_op(json!([{"op": "add", "path": "members", "value": [{"value": b}]}]))).await;
    let rename = h.patch(&path, patch_op(json!([{"op": "replace", "path": "displayName", "value": "x"}]))).await;
    let put = h.put(&path, json!({"displayName": "federated", "members": [{"value": b}]})).await;

    for r in [&add, &rename, &put] {
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            r.body,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400",
                   "detail": "Group membership cannot be updated through PATCH/PUT requests"})
        );
    }
    let group = h.get(&path).await.body;
    assert_eq!(group["displayName"], "federated");
    assert_eq!(group["members"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn with_account_group_refusal_500_the_refusal_is_the_internal_error_of_the_community_thread() {
    let h = Harness::new().await;
    h.behaviour(json!({"account_group_refusal": 500})).await;
    let uid = h.create_user("u@x.com", None).await;
    let gid = account_group_id(&h, "entra-synced", &[]).await;

    let r = h
        .patch(&format!("Groups/{gid}"), patch_op(json!([{"op": "add", "path": "members", "value": [{"value": uid}]}])))
        .await;

    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        r.body,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "500",
               "detail": "Error in performing the patch operation on group resource."})
    );
}

#[tokio::test]
async fn account_group_membership_is_set_again_through_the_admin_endpoint() {
    let h = Harness::new().await;
    let a = h.create_user("a@x.com", None).await;
    let b = h.create_user("b@x.com", None).await;
    let gid = account_group_id(&h, "federated", &[&a]).await;

    let again = account_group_id(&h, "federated", &[&b]).await;
    let after_set = h.get(&format!("Groups/{gid}")).await.body;
    let unchanged = account_group(&h, json!({"displayName": "federated"})).await;
    let after_no_members = h.get(&format!("Groups/{gid}")).await.body;

    assert_eq!(again, gid, "the same account group");
    assert_eq!(after_set["members"], json!([{"display": "b@x.com", "value": b, "$ref": format!("Users/{b}")}]));
    assert_eq!(unchanged.status, StatusCode::OK);
    assert_eq!(after_no_members["members"], after_set["members"], "no members key keeps the members");
}

#[tokio::test]
async fn account_group_admin_bodies_are_validated() {
    let h = Harness::new().await;
    h.create_group("workspace-owned", &[]).await;

    let clash = account_group(&h, json!({"displayName": "workspace-owned"})).await;
    let ghost = account_group(&h, json!({"displayName": "ghosts", "members": ["111111111111111"]})).await;
    let unnamed = account_group(&h, json!({"displayName": " "})).await;
    let unknown_key = account_group(&h, json!({"displayName": "x", "owner": "y"})).await;

    assert_eq!(clash.status, StatusCode::CONFLICT);
    assert_eq!(clash.body, json!({"error": "Group with name workspace-owned already exists."}));
    assert_eq!(ghost.status, StatusCode::BAD_REQUEST);
    assert_eq!(ghost.body, json!({"error": "Principal not found for id: 111111111111111"}));
    for r in [&unnamed, &unknown_key] {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body["error"].is_string());
    }
    assert_eq!(h.get("Groups").await.body["totalResults"], 1, "nothing was created");
}

#[tokio::test]
async fn an_account_group_can_still_be_read_nested_and_deleted() {
    let h = Harness::answering_resources().await;
    let gid = account_group_id(&h, "federated", &[]).await;
    let parent = h.create_group("parent", &[]).await;

    let nested = h
        .patch(
            &format!("Groups/{parent}"),
            patch_op(json!([{"op": "add", "path": "members", "value": [{"value": gid}]}])),
        )
        .await;
    let deleted = h.delete(&format!("Groups/{gid}")).await;

    assert_eq!(nested.status, StatusCode::OK, "{}", nested.body);
    assert_eq!(nested.body["members"][0]["$ref"], format!("Groups/{gid}"));
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
}
