use serde_json::{Value, json};
use tests::Operation::*;
use tests::{Call, Mode, TestStack, in_every_mode, in_every_workspace_mode};

const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const EXT: &str = "urn:ietf:params:scim:schemas:extension:databricks:2.0:Group";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

async fn a_created_group_shows_member_types_from_ref_and_the_extension(stack: &TestStack) {
    let user = stack.create_user("m1@example.com").await;
    let child = stack.create_group("child", &[]).await;
    let body = json!({"schemas": [GROUP, EXT], "displayName": "data-eng",
        "members": [{"value": user, "display": "ignored"}, {"value": child}],
        EXT: {"entitlements": [{"value": "databricks-sql-access"}]}});
    let a = stack.call(CreateGroup, Call::post("/Groups", body)).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let members = a.body["members"].as_array().unwrap();
    let user_member = members.iter().find(|m| m["value"] == user.as_str()).unwrap();
    let group_member = members.iter().find(|m| m["value"] == child.as_str()).unwrap();
    assert_eq!((user_member["type"].as_str(), group_member["type"].as_str()), (Some("User"), Some("Group")));
    assert!(user_member["$ref"].as_str().unwrap().ends_with(&format!("/scim/v2/Users/{user}")));
    assert_eq!(a.body[EXT]["entitlements"], json!([{"value": "databricks-sql-access"}]));
    assert_eq!(a.body["meta"]["resourceType"], "Group");
    let id = a.body["id"].as_str().unwrap();
    let stored = stack.target_group(id).await.unwrap();
    assert_eq!(stored["entitlements"], json!([{"value": "databricks-sql-access"}]));
}
in_every_workspace_mode!(a_created_group_shows_member_types_from_ref_and_the_extension);

async fn adding_a_member_by_patch_is_one_patch_and_a_read_unless_databricks_answers_the_group(stack: &TestStack) {
    let user = stack.create_user("m2@example.com").await;
    let group = stack.create_group("ops", &[]).await;
    stack.reset_stats().await;
    let body = json!({"schemas": [PATCH_OP], "Operations": [{"op": "Add", "path": "members", "value": [{"value": user, "$ref": null}]}]});
    let a = stack.call(PatchGroup, Call::patch(&format!("/Groups/{group}"), body)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["members"][0]["value"], user.as_str(), "the answer shows the changed members");
    assert_eq!(stack.target_calls().await, 1 + stack.mode.read_after_write());
    let stored = stack.target_group(&group).await.unwrap();
    assert_eq!(stored["members"][0]["value"], user.as_str());
}
in_every_mode!(adding_a_member_by_patch_is_one_patch_and_a_read_unless_databricks_answers_the_group);

async fn with_no_content_answers_a_membership_change_is_exactly_one_databricks_call(stack: &TestStack) {
    let stack = TestStack::start_with(stack.mode, stack.shape, |c| c, &[("SCIM_PATCH_RESPONSE", "no-content")]).await;
    let user = stack.create_user("m3@example.com").await;
    let group = stack.create_group("ops", &[]).await;
    stack.reset_stats().await;
    let body =
        json!({"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "members", "value": [{"value": user}]}]});
    let a = stack.call(PatchGroup, Call::patch(&format!("/Groups/{group}"), body.clone())).await;
    assert_eq!((a.status, &a.body), (204, &Value::Null));
    assert_eq!(stack.target_calls().await, 1, "the PATCH is the only call");
    assert_eq!(stack.target_group(&group).await.unwrap()["members"][0]["value"], user.as_str());
    // Asking for attributes asks for the resource (RFC 7644 §3.5.2).
    let a = stack.call(PatchGroup, Call::patch(&format!("/Groups/{group}"), body).query("attributes", "members")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["members"][0]["value"], user.as_str());
}
in_every_mode!(with_no_content_answers_a_membership_change_is_exactly_one_databricks_call);

async fn adding_one_member_and_removing_another_is_one_databricks_patch(stack: &TestStack) {
    let stay = stack.create_user("stay@example.com").await;
    let leave = stack.create_user("leave@example.com").await;
    let join = stack.create_user("join@example.com").await;
    let group = stack.create_group("okta-pushed", &[&stay, &leave]).await;
    stack.reset_stats().await;
    let body = json!({"schemas": [PATCH_OP], "Operations": [
        {"op": "remove", "path": format!("members[value eq \"{leave}\"]")},
        {"op": "add", "path": "members", "value": [{"value": join, "display": "join"}]},
        {"op": "replace", "value": {"id": group, "displayName": "okta-pushed"}}]});
    let a = stack.call(PatchGroup, Call::patch(&format!("/Groups/{group}"), body)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        stack.target_calls().await,
        1 + stack.mode.read_after_write(),
        "one Databricks PATCH (and the read of the answer), no GET + PUT"
    );
    let requests = stack.target_requests().await;
    assert_eq!(requests[0]["method"], "PATCH");
    let ops = requests[0]["body"]["Operations"].as_array().unwrap();
    assert!(
        ops.iter().all(|op| op["op"] != "remove" || op.get("value").is_none()),
        "a remove never carries a value: {ops:?}"
    );
    let stored = stack.target_group(&group).await.unwrap();
    let mut ids: Vec<&str> =
        stored["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    ids.sort();
    let mut expected = vec![stay.as_str(), join.as_str()];
    expected.sort();
    assert_eq!(ids, expected);
}
in_every_mode!(adding_one_member_and_removing_another_is_one_databricks_patch);

async fn entras_value_list_remove_removes_only_the_listed_member(stack: &TestStack) {
    let a1 = stack.create_user("a1@example.com").await;
    let a2 = stack.create_user("a2@example.com").await;
    let group = stack.create_group("entra", &[&a1, &a2]).await;
    let body =
        json!({"schemas": [PATCH_OP], "Operations": [{"op": "Remove", "path": "members", "value": [{"value": a1}]}]});
    let a = stack.call(PatchGroup, Call::patch(&format!("/Groups/{group}"), body)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let stored = stack.target_group(&group).await.unwrap();
    let ids: Vec<&str> = stored["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![a2.as_str()]);
}
in_every_mode!(entras_value_list_remove_removes_only_the_listed_member);

async fn a_patch_answer_omits_members_unless_it_changed_them(stack: &TestStack) {
    let u = stack.create_user("p1@example.com").await;
    let group = stack.create_group("renamed-later", &[&u]).await;
    let body = json!({"Operations": [{"op": "replace", "path": "displayName", "value": "renamed"}]});
    let a = stack.call(PatchGroup, Call::patch(&format!("/Groups/{group}"), body)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["displayName"], "renamed");
    assert!(a.body.get("members").is_none(), "{}", a.body);
}
in_every_mode!(a_patch_answer_omits_members_unless_it_changed_them);

async fn listing_groups_without_members_never_asks_databricks_for_members(stack: &TestStack) {
    let u = stack.create_user("l1@example.com").await;
    stack.create_group("with-members", &[&u]).await;
    stack.reset_stats().await;
    let a = stack.call(ListGroups, Call::get("/Groups").query("excludedAttributes", "members")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.body["Resources"][0].get("members").is_none());
    let requests = stack.target_requests().await;
    assert_eq!(requests.len(), 1);
    let query = requests[0]["query"].as_str().unwrap();
    assert!(query.contains("excludedAttributes=") && query.contains("members"), "{query}");
    let a = stack.call(ListGroups, Call::get("/Groups").query("filter", "displayName eq \"with-members\"")).await;
    assert_eq!(a.body["totalResults"], 1, "{}", a.body);
}
in_every_mode!(listing_groups_without_members_never_asks_databricks_for_members);

async fn deleting_an_unknown_group(stack: &TestStack) {
    stack.reset_stats().await;
    let a = stack.call(DeleteGroup, Call::delete("/Groups/123456789012345")).await;
    assert_eq!(stack.target_calls().await, 1, "one DELETE call");
    match stack.mode {
        Mode::Default | Mode::NoContentWrites | Mode::ResourceWrites => {
            assert_eq!(a.status, 404, "the real API's 404 becomes a SCIM 404: {}", a.body);
            assert_eq!(a.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
        }
        // docs/design.md §4: a target that answers 204 is taken at its word.
        Mode::SeedQuirks => assert_eq!(a.status, 204),
    }
}
in_every_mode!(deleting_an_unknown_group);

async fn put_replaces_members_and_keeps_unsent_extension_attributes(stack: &TestStack) {
    let u1 = stack.create_user("r1@example.com").await;
    let u2 = stack.create_user("r2@example.com").await;
    let body = json!({"displayName": "put-me", "members": [{"value": u1}], EXT: {"entitlements": [{"value": "workspace-access"}]}});
    let created = stack.call(CreateGroup, Call::post("/Groups", body)).await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let a = stack
        .call(
            ReplaceGroup,
            Call::put(
                &format!("/Groups/{id}"),
                json!({"schemas": [GROUP], "displayName": "put-me-2", "members": [{"value": u2}]}),
            ),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let stored = stack.target_group(&id).await.unwrap();
    assert_eq!(stored["displayName"], "put-me-2");
    assert_eq!(stored["members"].as_array().unwrap().len(), 1);
    assert_eq!(stored["members"][0]["value"], u2.as_str());
    assert_eq!(stored["entitlements"], json!([{"value": "workspace-access"}]), "entitlements not sent are kept");
}
in_every_workspace_mode!(put_replaces_members_and_keeps_unsent_extension_attributes);

async fn a_duplicate_group_name_is_409_uniqueness(stack: &TestStack) {
    stack.create_group("dupe", &[]).await;
    let a = stack.call(CreateGroup, Call::post("/Groups", json!({"displayName": "dupe"}))).await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (409, Some("uniqueness")), "{}", a.body);
}
in_every_mode!(a_duplicate_group_name_is_409_uniqueness);
