use serde_json::{Value, json};
use tests::Operation::*;
use tests::{Call, Mode, Shape, TestStack, in_every_mode, in_every_workspace_mode};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

async fn creating_an_active_user_costs_one_call_and_answers_201_with_location(stack: &TestStack) {
    stack.reset_stats().await;
    let a = stack
        .call(
            CreateUser,
            Call::post(
                "/Users",
                json!({"schemas": [USER], "userName": "Ann.Lee@Example.com", "name": {"givenName": "Ann", "familyName": "Lee"},
                       "emails": [{"value": "ann.lee@example.com", "type": "work", "primary": true}],
                       "password": "hunter2", "groups": [], "active": true, "externalId": "okta-1"}),
            ),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(stack.target_calls().await, 1, "one Databricks call for an active user");
    let id = a.body["id"].as_str().unwrap();
    let location = a.header("location").unwrap();
    assert!(location.ends_with(&format!("/scim/v2/Users/{id}")), "{location}");
    assert_eq!(a.body["meta"]["location"], location);
    assert_eq!(a.body["meta"]["resourceType"], "User");
    assert_eq!(a.header("content-type"), Some("application/scim+json"));
    assert_eq!(a.body["displayName"], "Ann Lee", "displayName from given + family name");
    assert!(a.body.get("password").is_none(), "a password is never echoed");
    let stored = stack.target_user(id).await.expect("the user exists in Databricks");
    assert_eq!(stored["userName"], "ann.lee@example.com", "Databricks lower-cases userName");
    assert_eq!(stored["externalId"], "okta-1");
    let expected_location_prefix = match stack.shape {
        Shape::RestV1 => "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/scim/v2/Users/",
        Shape::HttpV2 => "http://127.0.0.1:9000/scim/v2/Users/",
    };
    assert!(location.starts_with(expected_location_prefix), "{location} keeps the caller's base URL and stage");
}
in_every_mode!(creating_an_active_user_costs_one_call_and_answers_201_with_location);

async fn get_list_and_delete_each_cost_one_databricks_call(stack: &TestStack) {
    let id = stack.create_user("bob@example.com").await;
    stack.reset_stats().await;
    let a = stack.call(GetUser, Call::get(&format!("/Users/{id}"))).await;
    assert_eq!((a.status, stack.target_calls().await), (200, 1), "get: {}", a.body);
    assert_eq!(a.body["userName"], "bob@example.com");

    stack.reset_stats().await;
    let a = stack.call(ListUsers, Call::get("/Users").query("startIndex", "1").query("count", "10")).await;
    assert_eq!((a.status, stack.target_calls().await), (200, 1), "list: {}", a.body);
    assert_eq!(a.body["totalResults"], 1);
    assert_eq!(a.body["Resources"][0]["id"], id.as_str());

    stack.reset_stats().await;
    let a = stack.call(DeleteUser, Call::delete(&format!("/Users/{id}"))).await;
    assert_eq!((a.status, stack.target_calls().await), (204, 1), "delete");
    assert_eq!(a.body, Value::Null);
    let gone = stack.call(GetUser, Call::get(&format!("/Users/{id}"))).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
}
in_every_mode!(get_list_and_delete_each_cost_one_databricks_call);

async fn creating_an_inactive_user_answers_it_inactive(stack: &TestStack) {
    let a =
        stack.call(CreateUser, Call::post("/Users", json!({"userName": "carol@example.com", "active": false}))).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body["active"], false, "the answer shows the final state");
    let id = a.body["id"].as_str().unwrap();
    let read = stack.call(GetUser, Call::get(&format!("/Users/{id}"))).await;
    match stack.mode {
        Mode::Default | Mode::NoContentWrites | Mode::ResourceWrites => {
            assert_eq!(read.status, 200);
            assert_eq!(read.body["active"], false, "the real API keeps inactive users readable");
        }
        // docs/design.md §4: a target that hides inactive users shows through; the bridge keeps no state.
        Mode::SeedQuirks => assert_eq!(read.status, 404, "the seed target hides inactive users"),
    }
}
in_every_mode!(creating_an_inactive_user_answers_it_inactive);

/// A deactivation answers 200 with the user, inactive; a target that hides inactive users
/// (seed quirks) cannot show it any more, so the applied PATCH answers 204.
fn assert_deactivated_answer(stack: &TestStack, a: &tests::Answer) {
    if stack.mode.is_seed_quirks() {
        assert_eq!(a.status, 204, "{}", a.body);
    } else {
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.body["active"], false);
    }
}

async fn entra_replace_active_false_string_deactivates_with_one_patch_and_a_read_for_the_answer(stack: &TestStack) {
    let id = stack.create_user("dan@example.com").await;
    stack.reset_stats().await;
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                      "Operations": [{"op": "Replace", "path": "active", "value": "False"}]});
    let a = stack.call(PatchUser, Call::patch(&format!("/Users/{id}"), body)).await;
    assert_deactivated_answer(stack, &a);
    assert_eq!(stack.target_calls().await, 1 + stack.mode.read_after_write(), "one Databricks PATCH, one read");
    assert_eq!(stack.target_user(&id).await.unwrap()["active"], false);
}
in_every_mode!(entra_replace_active_false_string_deactivates_with_one_patch_and_a_read_for_the_answer);

async fn with_no_content_answers_a_deactivation_is_exactly_one_databricks_call(stack: &TestStack) {
    let stack = TestStack::start_with(stack.mode, stack.shape, |c| c, &[("SCIM_PATCH_RESPONSE", "no-content")]).await;
    let id = stack.create_user("dana@example.com").await;
    stack.reset_stats().await;
    let body = json!({"Operations": [{"op": "Replace", "path": "active", "value": "False"}]});
    let a = stack.call(PatchUser, Call::patch(&format!("/Users/{id}"), body)).await;
    assert_eq!((a.status, &a.body), (204, &Value::Null));
    assert_eq!(stack.target_calls().await, 1, "the PATCH is the only call");
    assert_eq!(stack.target_user(&id).await.unwrap()["active"], false);
}
in_every_mode!(with_no_content_answers_a_deactivation_is_exactly_one_databricks_call);

async fn okta_pathless_deactivation_deactivates(stack: &TestStack) {
    let id = stack.create_user("erin@example.com").await;
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                      "Operations": [{"op": "replace", "value": {"active": false}}]});
    let a = stack.call(PatchUser, Call::patch(&format!("/Users/{id}"), body).plain_json()).await;
    assert_deactivated_answer(stack, &a);
    assert_eq!(stack.target_user(&id).await.unwrap()["active"], false);
}
in_every_mode!(okta_pathless_deactivation_deactivates);

async fn a_duplicate_user_name_is_409_uniqueness(stack: &TestStack) {
    stack.create_user("frank@example.com").await;
    let a = stack.call(CreateUser, Call::post("/Users", json!({"userName": "FRANK@example.com"}))).await;
    assert_eq!(a.status, 409, "{}", a.body);
    assert_eq!(a.body["scimType"], "uniqueness");
    assert_eq!(a.body["status"], "409");
    assert!(!a.body["detail"].as_str().unwrap().contains("frank"), "no e-mail in the detail");
}
in_every_mode!(a_duplicate_user_name_is_409_uniqueness);

async fn roles_and_unknown_entitlements_are_refused_before_any_databricks_call(stack: &TestStack) {
    stack.reset_stats().await;
    let roles = json!({"userName": "gina@example.com", "roles": [{"value": "arn:aws:iam::1:instance-profile/x"}]});
    let a = stack.call(CreateUser, Call::post("/Users", roles)).await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (400, Some("invalidValue")), "{}", a.body);
    let ents = json!({"userName": "gina@example.com", "entitlements": [{"value": "root"}]});
    let a = stack.call(CreateUser, Call::post("/Users", ents)).await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (400, Some("invalidValue")), "{}", a.body);
    assert_eq!(stack.target_calls().await, 0);
}
in_every_mode!(roles_and_unknown_entitlements_are_refused_before_any_databricks_call);

async fn entitlements_round_trip_through_put_and_patch(stack: &TestStack) {
    let id = stack.create_user("hank@example.com").await;
    let put = json!({"schemas": [USER], "userName": "hank@example.com", "displayName": "Hank H",
                     "entitlements": [{"value": "workspace-access"}, {"value": "allow-cluster-create"}]});
    let a = stack.call(ReplaceUser, Call::put(&format!("/Users/{id}"), put)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["displayName"], "Hank H");
    assert_eq!(a.body["active"], true, "a PUT without active keeps the user active");
    let patch = json!({"Operations": [{"op": "remove", "path": "entitlements[value eq \"allow-cluster-create\"]"},
                                      {"op": "add", "path": "entitlements", "value": [{"value": "databricks-sql-access"}]}]});
    let a = stack.call(PatchUser, Call::patch(&format!("/Users/{id}"), patch)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let mut values: Vec<&str> =
        a.body["entitlements"].as_array().unwrap().iter().map(|e| e["value"].as_str().unwrap()).collect();
    values.sort();
    assert_eq!(values, vec!["databricks-sql-access", "workspace-access"]);
}
in_every_workspace_mode!(entitlements_round_trip_through_put_and_patch);

async fn put_cannot_change_the_user_name(stack: &TestStack) {
    let id = stack.create_user("ivy@example.com").await;
    let a = stack.call(ReplaceUser, Call::put(&format!("/Users/{id}"), json!({"userName": "other@example.com"}))).await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (400, Some("mutability")), "{}", a.body);
}
in_every_mode!(put_cannot_change_the_user_name);

async fn filters_find_users_with_one_call_and_bad_filters_are_invalid_filter(stack: &TestStack) {
    let id = stack.create_user("jo@example.com").await;
    stack.create_user("kim@example.com").await;
    stack.reset_stats().await;
    let a = stack.call(ListUsers, Call::get("/Users").query("filter", "userName eq \"JO@example.com\"")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["totalResults"], 1);
    assert_eq!(a.body["Resources"][0]["id"], id.as_str());
    assert_eq!(stack.target_calls().await, 1);
    let a = stack
        .call(ListUsers, Call::get("/Users").query("filter", "emails[type eq \"work\"].value eq \"jo@example.com\""))
        .await;
    assert_eq!(a.body["totalResults"], 1, "Entra's work-email filter: {}", a.body);
    let a = stack.call(ListUsers, Call::get("/Users").query("filter", "userName eq \"0b9c-random-guid\"")).await;
    assert_eq!((a.status, a.body["totalResults"].as_u64()), (200, Some(0)), "Entra's test connection: {}", a.body);
    assert_eq!(a.body["Resources"], json!([]));
    stack.reset_stats().await;
    let a = stack.call(ListUsers, Call::get("/Users").query("filter", "title pr")).await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (400, Some("invalidFilter")), "{}", a.body);
    assert_eq!(stack.target_calls().await, 0, "an unsupported filter never reaches Databricks");
}
in_every_mode!(filters_find_users_with_one_call_and_bad_filters_are_invalid_filter);

async fn paging_past_the_end_is_an_empty_page_and_count_zero_gives_only_the_total(stack: &TestStack) {
    for n in 0..3 {
        stack.create_user(&format!("page{n}@example.com")).await;
    }
    let a = stack.call(ListUsers, Call::get("/Users").query("startIndex", "2").query("count", "1")).await;
    assert_eq!(
        (a.body["startIndex"].as_u64(), a.body["itemsPerPage"].as_u64(), a.body["totalResults"].as_u64()),
        (Some(2), Some(1), Some(3))
    );
    let a = stack.call(ListUsers, Call::get("/Users").query("startIndex", "10")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["Resources"], json!([]));
    assert_eq!(a.body["totalResults"], 3);
    let a = stack.call(ListUsers, Call::get("/Users").query("count", "0")).await;
    assert_eq!((a.body["totalResults"].as_u64(), a.body["itemsPerPage"].as_u64()), (Some(3), Some(0)));
}
in_every_mode!(paging_past_the_end_is_an_empty_page_and_count_zero_gives_only_the_total);

async fn a_non_numeric_id_is_404_without_a_databricks_call(stack: &TestStack) {
    stack.reset_stats().await;
    for (op, call) in [
        (GetUser, Call::get("/Users/ann@example.com")),
        (DeleteUser, Call::delete("/Users/..%2F..%2Fadmin")),
        (
            PatchUser,
            Call::patch("/Users/abc", json!({"Operations": [{"op": "replace", "path": "active", "value": false}]})),
        ),
    ] {
        let a = stack.call(op, call).await;
        assert_eq!(a.status, 404, "{op:?}: {}", a.body);
    }
    assert_eq!(stack.target_calls().await, 0);
}
in_every_mode!(a_non_numeric_id_is_404_without_a_databricks_call);

async fn malformed_bodies_are_invalid_syntax(stack: &TestStack) {
    let mut call = Call::post("/Users", json!({}));
    call.body = None;
    let a = stack.call(CreateUser, call).await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (400, Some("invalidSyntax")), "{}", a.body);
    let id = stack.create_user("lee@example.com").await;
    let a = stack
        .call(
            PatchUser,
            Call::patch(
                &format!("/Users/{id}"),
                json!({"Operations": [{"op": "merge", "path": "active", "value": true}]}),
            ),
        )
        .await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (400, Some("invalidSyntax")), "unknown op: {}", a.body);
}
in_every_mode!(malformed_bodies_are_invalid_syntax);
