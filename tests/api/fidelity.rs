//! Fidelity to the real Databricks (issue 8, docs/databricks-behaviour.md): the client flows
//! that the strict emulator answers the way the real workspace API does — refused removes of
//! what is absent, throttling by `error_code` at any status, flaky reads, writes that fail
//! after applying, account groups, ignored service-principal renames, on-behalf-of tokens.
//! Each test checks the SCIM answer and exactly what reached Databricks.

use databricks_emulator::Config as EmulatorConfig;
use serde_json::{Value, json};
use tests::Operation::*;
use tests::{Answer, Call, DATABRICKS_TOKEN, Mode, TestStack, in_every_mode, in_every_workspace_mode};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

// ---------------------------------------------------------------------------------------------
// Helpers

/// `"METHOD Resource"` of each Databricks request, in order.
fn calls(requests: &[Value]) -> Vec<String> {
    requests
        .iter()
        .map(|r| format!("{} {}", r["method"].as_str().unwrap_or("?"), r["resource"].as_str().unwrap_or("?")))
        .collect()
}

/// `expected`, then the read of the answer when the emulator answers writes without the resource.
fn then_read(stack: &TestStack, expected: &[&str], read: &str) -> Vec<String> {
    let mut all: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    if stack.mode.read_after_write() == 1 {
        all.push(read.to_string());
    }
    all
}

/// The `Operations` of every Databricks PATCH, in order.
fn patch_operations(requests: &[Value]) -> Vec<Value> {
    requests.iter().filter(|r| r["method"] == "PATCH").map(|r| r["body"]["Operations"].clone()).collect()
}

/// Every PATCH the bridge sent uses only forms public Databricks clients send: no `or` inside
/// a value filter, no `value` key on a `remove`, lower-case ops.
fn assert_public_client_forms(requests: &[Value]) {
    for ops in patch_operations(requests) {
        for op in ops.as_array().expect("Operations is a list") {
            let path = op["path"].as_str().unwrap_or_default();
            if let Some((_, filter)) = path.split_once('[') {
                assert!(!filter.to_ascii_lowercase().contains(" or "), "'or' in a value filter: {op}");
            }
            assert!(["add", "remove", "replace"].contains(&op["op"].as_str().unwrap_or_default()), "{op}");
            if op["op"] == "remove" {
                assert!(op.get("value").is_none(), "a remove carries a value: {op}");
            }
        }
    }
}

fn assert_no_put(requests: &[Value]) {
    assert!(requests.iter().all(|r| r["method"] != "PUT"), "a Databricks PUT was sent: {:?}", calls(requests));
}

/// A SCIM error answer with this status and scimType.
fn assert_scim_error(a: &Answer, status: u16, scim_type: Option<&str>) {
    assert_eq!(a.status, status, "{}", a.body);
    assert_eq!(a.body["schemas"][0], ERROR, "{}", a.body);
    assert_eq!(a.body["status"], status.to_string(), "{}", a.body);
    assert_eq!(a.body["scimType"].as_str(), scim_type, "{}", a.body);
}

/// The `value`s of a multi-valued attribute, sorted.
fn values(resource: &Value, attribute: &str) -> Vec<String> {
    let mut all: Vec<String> = resource[attribute]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["value"].as_str().map(String::from)).collect())
        .unwrap_or_default();
    all.sort();
    all
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    all.sort();
    all
}

/// A PATCH sent straight to the emulator's Databricks API (what an admin does in Databricks),
/// answered as `(status, body)`.
async fn databricks_patch(stack: &TestStack, resource: &str, id: &str, body: &Value) -> (u16, Value) {
    let url = format!("{}/api/2.0/preview/scim/v2/{resource}/{id}", stack.emulator.base_url());
    let r = reqwest::Client::new()
        .patch(url)
        .bearer_auth(DATABRICKS_TOKEN)
        .json(body)
        .send()
        .await
        .expect("the emulator answers");
    let status = r.status().as_u16();
    let text = r.text().await.expect("a body");
    if text.trim().is_empty() {
        return (status, Value::Null);
    }
    let body =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("the emulator answered {status} with {text:?}: {e}"));
    (status, body)
}

/// An emulator admin call whose answer is needed (`POST /_emulator/account-groups` → `{"id"}`).
async fn admin_answer(stack: &TestStack, path: &str, body: Value) -> Value {
    let url = format!("{}/_emulator/{path}", stack.emulator.base_url());
    let r = reqwest::Client::new().post(url).json(&body).send().await.expect("admin call");
    assert!(r.status().is_success(), "the emulator accepts {path} {body}: {}", r.status());
    r.json().await.expect("a JSON answer")
}

async fn create_principal(stack: &TestStack, body: Value) -> String {
    let a = stack.call(CreateServicePrincipal, Call::post("/ServicePrincipals", body)).await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.body["id"].as_str().expect("an id").to_string()
}

fn patch(operations: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": operations})
}

// ---------------------------------------------------------------------------------------------
// 1. Okta's empty push

async fn oktas_empty_member_push_to_a_group_without_members_succeeds_after_one_reread(stack: &TestStack) {
    let group = stack.create_group("okta-empty", &[]).await;
    stack.reset_stats().await;
    let body = patch(json!([{"op": "replace", "path": "members", "value": []}]));
    let a = stack.call(PatchGroup, Call::patch(&format!("/Groups/{group}"), body)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!((a.body["id"].as_str(), a.body["displayName"].as_str()), (Some(group.as_str()), Some("okta-empty")));
    assert!(values(&a.body, "members").is_empty(), "{}", a.body);

    let requests = stack.target_requests().await;
    assert_eq!(calls(&requests), ["PATCH Groups", "GET Groups"], "the refused remove, one re-read, nothing resent");
    assert_eq!(requests[0]["body"]["Operations"], json!([{"op": "remove", "path": "members"}]));
    assert!(requests[1]["path"].as_str().unwrap().ends_with(&format!("/Groups/{group}")));
    assert!(values(&stack.target_group(&group).await.unwrap(), "members").is_empty(), "still empty");

    // The strict emulator did refuse exactly what the bridge sent (the group is unchanged).
    let (status, refusal) = databricks_patch(stack, "Groups", &group, &requests[0]["body"]).await;
    assert_eq!((status, refusal["scimType"].as_str()), (400, Some("invalidPath")), "{refusal}");
    assert!(refusal["detail"].as_str().unwrap().contains("No such attribute with the name : members"), "{refusal}");
}
in_every_workspace_mode!(oktas_empty_member_push_to_a_group_without_members_succeeds_after_one_reread);

// ---------------------------------------------------------------------------------------------
// 2. Entra's value-list remove

async fn entras_remove_of_a_member_who_already_left_succeeds_and_removes_nobody_else(stack: &TestStack) {
    let a1 = stack.create_user("e1@example.com").await;
    let a2 = stack.create_user("e2@example.com").await;
    let gone = stack.create_user("e3@example.com").await;
    let group = stack.create_group("entra-left", &[&a1, &a2, &gone]).await;
    // An admin removed the member in Databricks before Entra's next cycle.
    let admin_remove = patch(json!([{"op": "remove", "path": format!("members[value eq \"{gone}\"]")}]));
    assert!((200..300).contains(&databricks_patch(stack, "Groups", &group, &admin_remove).await.0));
    stack.reset_stats().await;

    let body = patch(json!([{"op": "Remove", "path": "members", "value": [{"value": gone}]}]));
    let a = stack.call(PatchGroup, Call::patch(&format!("/Groups/{group}"), body)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(values(&a.body, "members"), sorted(&[&a1, &a2]), "the answer shows the members: {}", a.body);

    let requests = stack.target_requests().await;
    assert_eq!(calls(&requests), ["PATCH Groups", "GET Groups"], "the refused remove and one re-read");
    assert_eq!(
        requests[0]["body"]["Operations"],
        json!([{"op": "remove", "path": format!("members[value eq \"{gone}\"]")}])
    );
    assert_public_client_forms(&requests);
    assert_eq!(values(&stack.target_group(&group).await.unwrap(), "members"), sorted(&[&a1, &a2]));

    let (status, refusal) = databricks_patch(stack, "Groups", &group, &requests[0]["body"]).await;
    assert_eq!((status, refusal["scimType"].as_str()), (400, Some("noTarget")), "the emulator refused it: {refusal}");
}
in_every_workspace_mode!(entras_remove_of_a_member_who_already_left_succeeds_and_removes_nobody_else);

async fn entras_remove_of_a_departed_and_a_present_member_resends_only_the_present_ones_remove(stack: &TestStack) {
    let stay = stack.create_user("s1@example.com").await;
    let leave = stack.create_user("s2@example.com").await;
    let gone = stack.create_user("s3@example.com").await;
    let group = stack.create_group("entra-mixed", &[&stay, &leave]).await;
    stack.reset_stats().await;

    let body = patch(json!([{"op": "Remove", "path": "members", "value": [{"value": gone}, {"value": leave}]}]));
    let a = stack.call(PatchGroup, Call::patch(&format!("/Groups/{group}"), body)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(values(&a.body, "members"), sorted(&[&stay]), "{}", a.body);

    let requests = stack.target_requests().await;
    assert_eq!(
        calls(&requests),
        then_read(stack, &["PATCH Groups", "GET Groups", "PATCH Groups"], "GET Groups"),
        "refused (atomic), one re-read, the rest resent once"
    );
    let sent = patch_operations(&requests);
    assert_eq!(
        sent[0],
        json!([{"op": "remove", "path": format!("members[value eq \"{gone}\"]")},
               {"op": "remove", "path": format!("members[value eq \"{leave}\"]")}]),
        "one remove per member, never joined with 'or'"
    );
    assert_eq!(sent[1], json!([{"op": "remove", "path": format!("members[value eq \"{leave}\"]")}]));
    assert_public_client_forms(&requests);
    assert_eq!(values(&stack.target_group(&group).await.unwrap(), "members"), sorted(&[&stay]));
}
in_every_mode!(entras_remove_of_a_departed_and_a_present_member_resends_only_the_present_ones_remove);

// ---------------------------------------------------------------------------------------------
// 3. User PUT keeps what it does not send

async fn a_user_put_keeps_admin_granted_entitlements_unless_it_sends_them_and_never_touches_memberships(
    stack: &TestStack,
) {
    let id = stack.create_user("pat@example.com").await;
    let group = stack.create_group("analysts", &[&id]).await;
    // An admin grants an entitlement in Databricks; Okta never manages it.
    let grant = patch(json!([{"op": "add", "path": "entitlements", "value": [{"value": "allow-cluster-create"}]}]));
    assert!((200..300).contains(&databricks_patch(stack, "Users", &id, &grant).await.0));
    stack.reset_stats().await;

    let profile = json!({"schemas": [USER], "userName": "pat@example.com", "displayName": "Pat Doe",
        "name": {"givenName": "Pat", "familyName": "Doe"}, "active": true, "externalId": "okta-pat",
        "emails": [{"value": "pat@example.com", "type": "work", "primary": true}]});
    let a = stack.call(ReplaceUser, Call::put(&format!("/Users/{id}"), profile.clone())).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!((a.body["displayName"].as_str(), a.body["externalId"].as_str()), (Some("Pat Doe"), Some("okta-pat")));
    assert_eq!(a.body["entitlements"], json!([{"value": "allow-cluster-create"}]), "kept: {}", a.body);
    assert_eq!(a.body["groups"][0]["value"], group.as_str(), "{}", a.body);
    let requests = stack.target_requests().await;
    assert_eq!(calls(&requests), then_read(stack, &["GET Users", "PATCH Users"], "GET Users"));
    let ops = &patch_operations(&requests)[0];
    let paths: Vec<&str> = ops.as_array().unwrap().iter().map(|op| op["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"displayName") && paths.contains(&"externalId"), "{ops}");
    assert!(paths.iter().all(|p| !p.starts_with("entitlements") && !p.starts_with("groups")), "{ops}");
    assert_no_put(&requests);
    let stored = stack.target_user(&id).await.unwrap();
    assert_eq!(values(&stored, "entitlements"), ["allow-cluster-create"]);
    assert_eq!(values(&stored, "groups"), [group.as_str()]);

    // Sending the list makes it the list.
    stack.reset_stats().await;
    let mut without = profile;
    without["entitlements"] = json!([]);
    let a = stack.call(ReplaceUser, Call::put(&format!("/Users/{id}"), without)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.body.get("entitlements").is_none(), "{}", a.body);
    assert_eq!(a.body["groups"][0]["value"], group.as_str(), "{}", a.body);
    let requests = stack.target_requests().await;
    assert_eq!(calls(&requests), then_read(stack, &["GET Users", "PATCH Users"], "GET Users"));
    assert_eq!(
        patch_operations(&requests)[0],
        json!([{"op": "remove", "path": "entitlements[value eq \"allow-cluster-create\"]"}]),
        "only what changed is sent"
    );
    assert_public_client_forms(&requests);
    assert_no_put(&requests);
    let stored = stack.target_user(&id).await.unwrap();
    assert!(values(&stored, "entitlements").is_empty(), "{stored}");
    assert_eq!(values(&stored, "groups"), [group.as_str()], "memberships are never touched by a user PUT");
    assert_eq!(values(&stack.target_group(&group).await.unwrap(), "members"), [id]);
}
in_every_workspace_mode!(
    a_user_put_keeps_admin_granted_entitlements_unless_it_sends_them_and_never_touches_memberships
);

// ---------------------------------------------------------------------------------------------
// 4. Throttling and flaky reads

async fn request_limit_exceeded_as_an_error_code_at_400_is_throttling_and_is_retried(stack: &TestStack) {
    let id = stack.create_user("rl@example.com").await;
    let throttled = |method: &str| {
        json!({"method": method, "resource": "Users", "count": 1, "fault": {"kind": "status", "status": 400,
            "error_code": "REQUEST_LIMIT_EXCEEDED", "detail": "Workspace 1 exceeded the rate limit."}})
    };
    stack.inject_fault(throttled("GET")).await;
    stack.reset_stats().await;
    let a = stack.call(GetUser, Call::get(&format!("/Users/{id}"))).await;
    assert_eq!((a.status, a.body["userName"].as_str()), (200, Some("rl@example.com")), "{}", a.body);
    assert_eq!(calls(&stack.target_requests().await), ["GET Users", "GET Users"], "throttled, then retried");

    // A throttled write was not processed, so it is retried too.
    stack.inject_fault(throttled("PATCH")).await;
    stack.reset_stats().await;
    let body = patch(json!([{"op": "replace", "path": "displayName", "value": "Rate Limited"}]));
    let a = stack.call(PatchUser, Call::patch(&format!("/Users/{id}"), body)).await;
    assert_eq!((a.status, a.body["displayName"].as_str()), (200, Some("Rate Limited")), "{}", a.body);
    let requests = stack.target_requests().await;
    assert_eq!(calls(&requests), then_read(stack, &["PATCH Users", "PATCH Users"], "GET Users"));
    assert_eq!(requests[0]["body"], requests[1]["body"], "the same PATCH, sent again");
    assert_eq!(stack.target_user(&id).await.unwrap()["displayName"], "Rate Limited");
}
in_every_mode!(request_limit_exceeded_as_an_error_code_at_400_is_throttling_and_is_retried);

async fn a_429_without_retry_after_is_retried_with_backoff(stack: &TestStack) {
    let id = stack.create_user("nra@example.com").await;
    stack
        .inject_fault(json!({"method": "GET", "resource": "Users", "count": 1,
            "fault": {"kind": "status", "status": 429, "error_code": "REQUEST_LIMIT_EXCEEDED"}}))
        .await;
    stack.reset_stats().await;
    let a = stack.call(GetUser, Call::get(&format!("/Users/{id}"))).await;
    assert_eq!((a.status, a.body["id"].as_str()), (200, Some(id.as_str())), "{}", a.body);
    assert_eq!(calls(&stack.target_requests().await), ["GET Users", "GET Users"]);
}
in_every_mode!(a_429_without_retry_after_is_retried_with_backoff);

async fn a_workspace_throttling_in_either_style_without_retry_after_is_waited_out(stack: &TestStack) {
    let id = stack.create_user("bucket@example.com").await;
    // One request per second, no burst: the second read in a row is refused at first.
    for style in [json!({"style": "error-code", "status": 400}), json!({"style": "429", "retry_after_secs": null})] {
        let mut throttle = json!({"per_minute": 60, "burst": 1, "max_concurrent": 0});
        throttle.as_object_mut().unwrap().extend(style.as_object().unwrap().clone());
        stack.throttle(throttle.clone()).await;
        stack.reset_stats().await;
        for _ in 0..2 {
            let a = stack.call(GetUser, Call::get(&format!("/Users/{id}"))).await;
            assert_eq!(a.status, 200, "{throttle}: {}", a.body);
        }
        let stats = stack.stats().await;
        let reads = stats["counts"]["GET Users"].as_u64().unwrap_or(0);
        assert!(reads >= 3, "{throttle}: at least one refused read was retried: {stats}");
        assert_eq!(stats["total"].as_u64(), Some(reads), "{stats}");
    }
}
in_every_mode!(a_workspace_throttling_in_either_style_without_retry_after_is_waited_out);

async fn a_read_answered_temporarily_unavailable_is_retried(stack: &TestStack) {
    let id = stack.create_user("flaky@example.com").await;
    // Every second SCIM GET answers 500 TEMPORARILY_UNAVAILABLE (databricks/cli PR #6766).
    stack.admin_post("behaviour", json!({"flaky_reads": 2})).await;
    stack.reset_stats().await;
    for _ in 0..2 {
        let a = stack.call(GetUser, Call::get(&format!("/Users/{id}"))).await;
        assert_eq!((a.status, a.body["userName"].as_str()), (200, Some("flaky@example.com")), "{}", a.body);
    }
    let requests = stack.target_requests().await;
    assert_eq!(calls(&requests), ["GET Users", "GET Users", "GET Users"], "the second read failed and was retried");
    assert!(requests.iter().all(|r| r["path"].as_str().unwrap().ends_with(&id)));
}
in_every_mode!(a_read_answered_temporarily_unavailable_is_retried);

async fn a_write_answered_temporarily_unavailable_is_never_repeated(stack: &TestStack) {
    let id = stack.create_user("once@example.com").await;
    let group = stack.create_group("once", &[]).await;
    let unavailable = |method: &str, resource: &str| {
        json!({"method": method, "resource": resource, "count": 1, "fault": {"kind": "status", "status": 500,
            "error_code": "TEMPORARILY_UNAVAILABLE", "detail": "The service is temporarily unavailable."}})
    };

    // A user PATCH: the outcome is unknown and the bridge does not guess.
    stack.inject_fault(unavailable("PATCH", "Users")).await;
    stack.reset_stats().await;
    let body = patch(json!([{"op": "replace", "path": "displayName", "value": "Twice"}]));
    let a = stack.call(PatchUser, Call::patch(&format!("/Users/{id}"), body)).await;
    assert_scim_error(&a, 502, None);
    assert!(a.body["detail"].as_str().unwrap().contains("may not have been applied"), "{}", a.body);
    assert_eq!(calls(&stack.target_requests().await), ["PATCH Users"], "exactly one PATCH, no retry");
    assert_eq!(stack.target_user(&id).await.unwrap()["displayName"], "once@example.com");

    // A group PATCH: one read of the group's meta (is it an account group?), never the write again.
    stack.inject_fault(unavailable("PATCH", "Groups")).await;
    stack.reset_stats().await;
    let body = patch(json!([{"op": "add", "path": "members", "value": [{"value": id}]}]));
    let a = stack.call(PatchGroup, Call::patch(&format!("/Groups/{group}"), body)).await;
    assert_scim_error(&a, 502, None);
    let requests = stack.target_requests().await;
    assert_eq!(calls(&requests), ["PATCH Groups", "GET Groups"]);
    assert!(requests[1]["query"].as_str().unwrap().contains("meta"), "{}", requests[1]);
    assert!(values(&stack.target_group(&group).await.unwrap(), "members").is_empty());

    // A DELETE: the re-read settles it — here the user is still there, so it is a 502.
    stack.inject_fault(unavailable("DELETE", "Users")).await;
    stack.reset_stats().await;
    let a = stack.call(DeleteUser, Call::delete(&format!("/Users/{id}"))).await;
    assert_scim_error(&a, 502, None);
    assert_eq!(calls(&stack.target_requests().await), ["DELETE Users", "GET Users"], "one DELETE, then a read");
    assert!(stack.target_user(&id).await.is_some(), "nothing was deleted");
}
in_every_workspace_mode!(a_write_answered_temporarily_unavailable_is_never_repeated);

// ---------------------------------------------------------------------------------------------
// 5. A throttled POST that meets 409 on its retry
//
// Databricks refuses a throttled call before doing it (every Databricks SDK retries writes on
// throttling), so a 409 on the retry is someone else's object — 20 concurrent creates of one
// name under the concurrency cap (tests/api/concurrency.rs) must not all be told 201. Even a
// throttling answer that came after the write (no public report of one; a `write_then_500`
// fault with the throttling text) is then answered 409 `uniqueness`, never adopted: the client
// matches the existing object by name, and exactly one object exists.

const THROTTLED_AFTER_WRITE: &str = "REQUEST_LIMIT_EXCEEDED: Workspace 1 exceeded the concurrent limit of 4 requests.";

async fn a_conflict_after_a_throttled_create_is_uniqueness_not_a_second_201(stack: &TestStack) {
    stack
        .inject_fault(json!({"method": "POST", "resource": "Users", "count": 1,
            "fault": {"kind": "write_then_500", "detail": THROTTLED_AFTER_WRITE}}))
        .await;
    stack.reset_stats().await;
    let body = json!({"schemas": [USER], "userName": "twice@example.com", "displayName": "Twice"});
    let a = stack.call(CreateUser, Call::post("/Users", body)).await;
    assert_scim_error(&a, 409, Some("uniqueness"));

    let requests = stack.target_requests().await;
    assert_eq!(calls(&requests), ["POST Users", "POST Users", "GET Users"], "throttled, retried, 409, looked up");
    assert_eq!(requests[0]["body"], requests[1]["body"]);
    assert!(requests[2]["query"].as_str().unwrap().contains("filter="), "{}", requests[2]);
    let state = stack.target_state().await;
    let users: Vec<&Value> =
        state["users"].as_array().unwrap().iter().filter(|u| u["userName"] == "twice@example.com").collect();
    assert_eq!(users.len(), 1, "exactly one user");
    assert_eq!(users[0]["active"], true);
}
in_every_mode!(a_conflict_after_a_throttled_create_is_uniqueness_not_a_second_201);

async fn a_conflict_after_a_throttled_group_create_is_uniqueness_not_a_second_201(stack: &TestStack) {
    let member = stack.create_user("gm@example.com").await;
    stack
        .inject_fault(json!({"method": "POST", "resource": "Groups", "count": 1,
            "fault": {"kind": "write_then_500", "detail": THROTTLED_AFTER_WRITE}}))
        .await;
    stack.reset_stats().await;
    let body = json!({"displayName": "throttled-group", "members": [{"value": member}]});
    let a = stack.call(CreateGroup, Call::post("/Groups", body)).await;
    assert_scim_error(&a, 409, Some("uniqueness"));

    let requests = stack.target_requests().await;
    assert_eq!(calls(&requests), ["POST Groups", "POST Groups"], "throttled, retried, 409");
    let state = stack.target_state().await;
    let groups: Vec<&Value> =
        state["groups"].as_array().unwrap().iter().filter(|g| g["displayName"] == "throttled-group").collect();
    assert_eq!(groups.len(), 1, "exactly one group");
    assert_eq!(values(groups[0], "members"), [member]);
}
in_every_mode!(a_conflict_after_a_throttled_group_create_is_uniqueness_not_a_second_201);

// ---------------------------------------------------------------------------------------------
// 6. Account groups

async fn membership_changes_to_an_account_group_are_400_mutability_and_change_nothing(stack: &TestStack) {
    for refusal in [400_u16, 500] {
        let stack = TestStack::start_for(
            stack.target,
            stack.mode,
            stack.shape,
            |c| EmulatorConfig { account_group_refusal: refusal, ..c },
            &[],
        )
        .await;
        let inside = stack.create_user("inside@example.com").await;
        let joining = stack.create_user("joining@example.com").await;
        let answer = admin_answer(&stack, "account-groups", json!({"displayName": "acct", "members": [inside]})).await;
        let group = answer["id"].as_str().expect("an account group id").to_string();
        stack.reset_stats().await;

        let body = patch(json!([{"op": "add", "path": "members", "value": [{"value": joining}]}]));
        let a = stack.call(PatchGroup, Call::patch(&format!("/Groups/{group}"), body)).await;
        assert_scim_error(&a, 400, Some("mutability"));
        assert!(a.body["detail"].as_str().unwrap().contains("account level"), "refusal {refusal}: {}", a.body);
        let requests = stack.target_requests().await;
        assert_eq!(calls(&requests), ["PATCH Groups", "GET Groups"], "refusal {refusal}: one probe, no retry");
        assert!(requests[1]["query"].as_str().unwrap().contains("meta"), "{}", requests[1]);

        stack.reset_stats().await;
        let body = json!({"displayName": "acct", "members": [{"value": inside}, {"value": joining}]});
        let a = stack.call(ReplaceGroup, Call::put(&format!("/Groups/{group}"), body)).await;
        assert_scim_error(&a, 400, Some("mutability"));
        assert!(a.body["detail"].as_str().unwrap().contains("account level"), "refusal {refusal}: {}", a.body);
        let requests = stack.target_requests().await;
        assert_eq!(
            calls(&requests),
            ["GET Groups"],
            "refusal {refusal}: the read shows an account group, nothing is written"
        );

        let stored = stack.target_group(&group).await.unwrap();
        assert_eq!(stored["account"], true);
        assert_eq!(values(&stored, "members"), [inside.as_str()], "refusal {refusal}: members unchanged");
    }
}
in_every_workspace_mode!(membership_changes_to_an_account_group_are_400_mutability_and_change_nothing);

// ---------------------------------------------------------------------------------------------
// 7. Service-principal rename where `replace displayName` is ignored

async fn a_service_principal_rename_is_sent_as_add_and_applies_where_replace_is_ignored(stack: &TestStack) {
    let stack =
        TestStack::start_with(stack.mode, stack.shape, |c| EmulatorConfig { sp_rename_ignored: true, ..c }, &[]).await;
    let id = create_principal(&stack, json!({"displayName": "etl-bot"})).await;
    // The switch is on: Databricks answers a `replace` with success and keeps the name.
    let replace = patch(json!([{"op": "replace", "path": "displayName", "value": "ignored"}]));
    assert!((200..300).contains(&databricks_patch(&stack, "ServicePrincipals", &id, &replace).await.0));
    let stored = state_principal(&stack, &id).await;
    assert_eq!(stored["displayName"], "etl-bot", "replace is ignored");

    for (body, name) in [
        (patch(json!([{"op": "replace", "path": "displayName", "value": "etl-bot-2"}])), "etl-bot-2"),
        (patch(json!([{"op": "replace", "value": {"displayName": "etl-bot-3"}}])), "etl-bot-3"),
    ] {
        stack.reset_stats().await;
        let a = stack.call(PatchServicePrincipal, Call::patch(&format!("/ServicePrincipals/{id}"), body)).await;
        assert_eq!((a.status, a.body["displayName"].as_str()), (200, Some(name)), "{}", a.body);
        let requests = stack.target_requests().await;
        assert_eq!(calls(&requests), then_read(&stack, &["PATCH ServicePrincipals"], "GET ServicePrincipals"));
        assert_eq!(patch_operations(&requests)[0], json!([{"op": "add", "path": "displayName", "value": name}]));
        assert_eq!(state_principal(&stack, &id).await["displayName"], name);
    }

    // A PUT renames the same way.
    stack.reset_stats().await;
    let a = stack
        .call(
            ReplaceServicePrincipal,
            Call::put(&format!("/ServicePrincipals/{id}"), json!({"displayName": "etl-bot-4"})),
        )
        .await;
    assert_eq!((a.status, a.body["displayName"].as_str()), (200, Some("etl-bot-4")), "{}", a.body);
    let requests = stack.target_requests().await;
    assert_eq!(
        calls(&requests),
        then_read(&stack, &["GET ServicePrincipals", "PATCH ServicePrincipals"], "GET ServicePrincipals")
    );
    assert_eq!(patch_operations(&requests)[0], json!([{"op": "add", "path": "displayName", "value": "etl-bot-4"}]));
    assert_no_put(&requests);
    assert_eq!(state_principal(&stack, &id).await["displayName"], "etl-bot-4");
}
in_every_mode!(a_service_principal_rename_is_sent_as_add_and_applies_where_replace_is_ignored);

async fn a_service_principal_rename_databricks_ignores_entirely_is_an_error_never_a_200_with_the_old_name(
    stack: &TestStack,
) {
    let stack = TestStack::start_with(
        stack.mode,
        stack.shape,
        |c| EmulatorConfig { sp_rename_ignored: true, sp_rename_add_ignored: true, ..c },
        &[],
    )
    .await;
    let id = create_principal(&stack, json!({"displayName": "stuck-bot"})).await;
    stack.reset_stats().await;
    let body = patch(json!([{"op": "replace", "path": "displayName", "value": "free-bot"},
                            {"op": "replace", "path": "active", "value": false}]));
    let a = stack.call(PatchServicePrincipal, Call::patch(&format!("/ServicePrincipals/{id}"), body)).await;
    assert_scim_error(&a, 400, Some("mutability"));
    assert!(a.body["detail"].as_str().unwrap().contains("did not apply"), "{}", a.body);

    let requests = stack.target_requests().await;
    // One PATCH, never repeated; the answer (or a read) and two more reads half a second apart.
    let mut expected = vec!["PATCH ServicePrincipals".to_string()];
    expected
        .extend(std::iter::repeat_n("GET ServicePrincipals".to_string(), 2 + stack.mode.read_after_write() as usize));
    assert_eq!(calls(&requests), expected);
    assert_eq!(
        patch_operations(&requests)[0],
        json!([{"op": "add", "path": "displayName", "value": "free-bot"}, {"op": "replace", "path": "active", "value": "false"}])
    );
    let stored = state_principal(&stack, &id).await;
    assert_eq!(stored["displayName"], "stuck-bot", "Databricks kept the old name");
    assert_eq!(stored["active"], false, "the rest of the request was applied, as the detail says");
}
in_every_mode!(a_service_principal_rename_databricks_ignores_entirely_is_an_error_never_a_200_with_the_old_name);

// ---------------------------------------------------------------------------------------------
// 8. Partner disconnect

async fn a_partner_disconnect_reports_the_token_made_on_its_principals_behalf(stack: &TestStack) {
    let fivetran = create_principal(stack, json!({"displayName": "FIVETRAN_USER"})).await;
    let dbt = create_principal(stack, json!({"displayName": "DBT_CLOUD_USER"})).await;
    stack.admin_post("tokens", json!({"owner_id": fivetran, "comment": "Partner Connect for Fivetran"})).await;
    stack.admin_post("tokens", json!({"owner_id": dbt, "comment": "dbt's own", "on_behalf_of": false})).await;
    let tokens = stack.target_state().await["tokens"].as_array().unwrap().clone();
    let made_for_fivetran = tokens.iter().find(|t| t["owner_id"].as_u64() == fivetran.parse().ok()).unwrap().clone();
    assert_ne!(made_for_fivetran["created_by_id"], made_for_fivetran["owner_id"], "made on its behalf by an admin");
    stack.reset_stats().await;

    let a = stack.call(DisconnectPartner, Call::delete("/admin/partners/fivetran")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["deleted"]["servicePrincipalId"], fivetran.as_str());
    assert_eq!(a.body["tokens"]["visible"], true);
    let listed = a.body["tokens"]["deleted"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "only the principal's own token: {}", a.body);
    assert_eq!(listed[0]["tokenId"], made_for_fivetran["token_id"]);
    assert_eq!(listed[0]["comment"], "Partner Connect for Fivetran");

    let requests = stack.target_requests().await;
    assert_eq!(calls(&requests), ["GET ServicePrincipals", "GET token-management", "DELETE ServicePrincipals"]);
    assert!(!requests[1]["query"].as_str().unwrap().contains("created_by"), "not filtered by creator");
    let state = stack.target_state().await;
    let left: Vec<&str> =
        state["servicePrincipals"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(left, [dbt.as_str()]);
    let tokens_left: Vec<Option<u64>> =
        state["tokens"].as_array().unwrap().iter().map(|t| t["owner_id"].as_u64()).collect();
    assert_eq!(tokens_left, [dbt.parse().ok()], "its token went with it, the other stays");
}
in_every_mode!(a_partner_disconnect_reports_the_token_made_on_its_principals_behalf);

async fn a_partner_disconnect_whose_delete_answers_500_is_settled_by_a_reread(stack: &TestStack) {
    let tableau = create_principal(stack, json!({"displayName": "TABLEAU_USER"})).await;
    stack.admin_post("tokens", json!({"owner_id": tableau, "comment": "Partner Connect for Tableau"})).await;
    let looker = create_principal(stack, json!({"displayName": "LOOKER_USER"})).await;

    // Deleted, then answered 500: the re-read finds it gone, so the disconnect succeeded.
    stack
        .inject_fault(json!({"method": "DELETE", "resource": "ServicePrincipals", "count": 1,
            "fault": {"kind": "write_then_500"}}))
        .await;
    stack.reset_stats().await;
    let a = stack.call(DisconnectPartner, Call::delete("/admin/partners/tableau")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["deleted"]["servicePrincipalId"], tableau.as_str());
    assert_eq!(a.body["tokens"]["deleted"][0]["comment"], "Partner Connect for Tableau", "{}", a.body);
    let requests = stack.target_requests().await;
    assert_eq!(
        calls(&requests),
        ["GET ServicePrincipals", "GET token-management", "DELETE ServicePrincipals", "GET ServicePrincipals"],
        "one DELETE, then a read; never a second DELETE"
    );
    assert!(requests[3]["path"].as_str().unwrap().ends_with(&tableau));

    // Not deleted, answered 500: the re-read finds it, so the client hears the outcome is unknown.
    stack
        .inject_fault(json!({"method": "DELETE", "resource": "ServicePrincipals", "count": 1,
            "fault": {"kind": "status", "status": 500}}))
        .await;
    stack.reset_stats().await;
    let a = stack.call(DisconnectPartner, Call::delete("/admin/partners/looker")).await;
    assert_scim_error(&a, 502, None);
    assert_eq!(
        calls(&stack.target_requests().await),
        ["GET ServicePrincipals", "GET token-management", "DELETE ServicePrincipals", "GET ServicePrincipals"]
    );
    let state = stack.target_state().await;
    let left: Vec<&str> =
        state["servicePrincipals"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(left, [looker.as_str()], "tableau is gone, looker is still there");
    assert!(state["tokens"].as_array().unwrap().is_empty());
}
in_every_mode!(a_partner_disconnect_whose_delete_answers_500_is_settled_by_a_reread);

// ---------------------------------------------------------------------------------------------
// 9. Reactivation on create

async fn creating_a_user_whose_username_an_inactive_user_holds_reactivates_it_with_every_attribute(stack: &TestStack) {
    let old = json!({"schemas": [USER], "userName": "rita@example.com", "displayName": "Rita Old",
        "externalId": "old-ext", "entitlements": [{"value": "workspace-access"}]});
    let a = stack.call(CreateUser, Call::post("/Users", old)).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a.body["id"].as_str().unwrap().to_string();
    let off = patch(json!([{"op": "replace", "path": "active", "value": false}]));
    let a = stack.call(PatchUser, Call::patch(&format!("/Users/{id}"), off)).await;
    assert!(a.status == 200 || a.status == 204, "{}", a.body);
    assert_eq!(stack.target_user(&id).await.unwrap()["active"], false);
    stack.reset_stats().await;

    let create = json!({"schemas": [USER], "userName": "Rita@Example.com", "displayName": "Rita New",
        "name": {"givenName": "Rita", "familyName": "New"}, "entitlements": [{"value": "allow-cluster-create"}],
        "externalId": "okta-rita", "active": true});
    let a = stack.call(CreateUser, Call::post("/Users", create)).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body["id"], id.as_str(), "the inactive user is reused: {}", a.body);
    assert_eq!(a.body["active"], true);
    assert_eq!(a.body["displayName"], "Rita New");
    assert_eq!(a.body["name"], json!({"givenName": "Rita", "familyName": "New"}));
    assert_eq!(a.body["entitlements"], json!([{"value": "allow-cluster-create"}]));
    assert_eq!(a.body["externalId"], "okta-rita");

    let stored = stack.target_user(&id).await.unwrap();
    assert_eq!(stored["active"], true);
    assert_eq!((stored["displayName"].as_str(), stored["externalId"].as_str()), (Some("Rita New"), Some("okta-rita")));
    assert_eq!(
        (stored["name"]["givenName"].as_str(), stored["name"]["familyName"].as_str()),
        (Some("Rita"), Some("New"))
    );
    assert_eq!(values(&stored, "entitlements"), ["allow-cluster-create"]);
    let state = stack.target_state().await;
    assert_eq!(state["users"].as_array().unwrap().iter().filter(|u| u["userName"] == "rita@example.com").count(), 1);

    let requests = stack.target_requests().await;
    if stack.mode == Mode::SeedQuirks {
        // The seed target's POST reactivates by itself.
        assert_eq!(calls(&requests), ["POST Users"]);
    } else {
        assert_eq!(calls(&requests), then_read(stack, &["POST Users", "GET Users", "PATCH Users"], "GET Users"));
        let ops = &patch_operations(&requests)[0];
        assert!(
            ops.as_array().unwrap().contains(&json!({"op": "replace", "path": "active", "value": "true"})),
            "{ops}"
        );
        assert_public_client_forms(&requests);
    }
    assert_no_put(&requests);
}
in_every_workspace_mode!(creating_a_user_whose_username_an_inactive_user_holds_reactivates_it_with_every_attribute);

// ---------------------------------------------------------------------------------------------
// 10. A service-principal create whose outcome is unknown

async fn a_service_principal_create_with_an_unknown_outcome_adopts_only_a_principal_it_can_tell_apart(
    stack: &TestStack,
) {
    let lost =
        json!({"method": "POST", "resource": "ServicePrincipals", "count": 1, "fault": {"kind": "write_then_500"}});

    // Without an externalId nothing tells this request's principal from another "etl-bot".
    stack.inject_fault(lost.clone()).await;
    stack.reset_stats().await;
    let a = stack
        .call(
            CreateServicePrincipal,
            Call::post("/ServicePrincipals", json!({"displayName": "etl-bot", "active": false})),
        )
        .await;
    assert_scim_error(&a, 502, None);
    assert_eq!(calls(&stack.target_requests().await), ["POST ServicePrincipals"], "nothing found, nothing patched");
    let state = stack.target_state().await;
    let created_behind: Vec<&Value> = state["servicePrincipals"].as_array().unwrap().iter().collect();
    assert_eq!(created_behind.len(), 1);
    assert_eq!(created_behind[0]["active"], true, "not deactivated: it was never adopted");
    let unadopted = created_behind[0]["id"].as_str().unwrap().to_string();

    // With an externalId it is found, adopted, and exactly it is deactivated.
    stack.inject_fault(lost).await;
    stack.reset_stats().await;
    let body = json!({"displayName": "etl-bot", "externalId": "entra-42", "active": false});
    let a = stack.call(CreateServicePrincipal, Call::post("/ServicePrincipals", body)).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!((a.body["active"].as_bool(), a.body["externalId"].as_str()), (Some(false), Some("entra-42")));
    let adopted = a.body["id"].as_str().unwrap().to_string();
    assert_ne!(adopted, unadopted);
    let requests = stack.target_requests().await;
    assert_eq!(calls(&requests), ["POST ServicePrincipals", "GET ServicePrincipals", "PATCH ServicePrincipals"]);
    assert!(requests[1]["query"].as_str().unwrap().contains("externalId"), "{}", requests[1]);
    assert!(requests[2]["path"].as_str().unwrap().ends_with(&adopted), "{}", requests[2]);
    assert_eq!(patch_operations(&requests)[0], json!([{"op": "replace", "path": "active", "value": "false"}]));
    assert_eq!(state_principal(stack, &adopted).await["active"], false);
    assert_eq!(state_principal(stack, &unadopted).await["active"], true, "the other etl-bot is untouched");
}
in_every_mode!(a_service_principal_create_with_an_unknown_outcome_adopts_only_a_principal_it_can_tell_apart);

// ---------------------------------------------------------------------------------------------
// 11. A remove of an absent externalId with a real change

async fn a_patch_removing_an_absent_external_id_applies_the_rest_after_one_reread(stack: &TestStack) {
    let id = stack.create_user("xid@example.com").await;
    stack.reset_stats().await;
    let body = patch(json!([{"op": "remove", "path": "externalId"},
                            {"op": "replace", "path": "displayName", "value": "Renamed"}]));
    let a = stack.call(PatchUser, Call::patch(&format!("/Users/{id}"), body)).await;
    assert_eq!((a.status, a.body["displayName"].as_str()), (200, Some("Renamed")), "{}", a.body);
    assert!(a.body.get("externalId").is_none(), "{}", a.body);

    let requests = stack.target_requests().await;
    assert_eq!(
        calls(&requests),
        then_read(stack, &["PATCH Users", "GET Users", "PATCH Users"], "GET Users"),
        "refused, one re-read, the rest resent once"
    );
    let sent = patch_operations(&requests);
    assert_eq!(
        sent[0],
        json!([{"op": "remove", "path": "externalId"}, {"op": "replace", "path": "displayName", "value": "Renamed"}])
    );
    assert_eq!(sent[1], json!([{"op": "replace", "path": "displayName", "value": "Renamed"}]));
    let stored = stack.target_user(&id).await.unwrap();
    assert_eq!(stored["displayName"], "Renamed");
    assert!(stored.get("externalId").is_none(), "{stored}");

    // The strict emulator refused the first PATCH as sent, and applied none of it.
    let (status, refusal) = databricks_patch(stack, "Users", &id, &requests[0]["body"]).await;
    assert_eq!((status, refusal["scimType"].as_str()), (400, Some("invalidPath")), "{refusal}");
    assert!(refusal["detail"].as_str().unwrap().contains("externalId"), "{refusal}");
}
in_every_mode!(a_patch_removing_an_absent_external_id_applies_the_rest_after_one_reread);

// ---------------------------------------------------------------------------------------------

/// A service principal as Databricks stores it.
async fn state_principal(stack: &TestStack, id: &str) -> Value {
    let state = stack.target_state().await;
    state["servicePrincipals"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["id"] == id).cloned())
        .unwrap_or_else(|| panic!("no service principal {id} in {state}"))
}

async fn a_create_retried_or_unanswered_onto_an_inactive_user_still_reactivates_it_with_every_attribute(
    stack: &TestStack,
) {
    let old = json!({"schemas": [USER], "userName": "tom@example.com", "displayName": "Tom Old", "externalId": "old"});
    let a = stack.call(CreateUser, Call::post("/Users", old)).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a.body["id"].as_str().unwrap().to_string();
    let deactivate =
        || Call::patch(&format!("/Users/{id}"), patch(json!([{"op": "replace", "path": "active", "value": false}])));
    let off = stack.call(PatchUser, deactivate()).await;
    assert!(off.status == 200 || off.status == 204, "{}", off.body);

    // Throttled (not applied), retried, 409 on the inactive user: it is not this request's own
    // (a create makes active users), so it is reactivated as on a plain 409.
    let throttled = json!({"kind": "status", "status": 429, "error_code": "REQUEST_LIMIT_EXCEEDED"});
    // Answered 500 (not applied): the look-up finds the inactive user, reactivated likewise.
    let failed = json!({"kind": "status", "status": 500, "detail": "Internal error."});
    for (fault, name) in [(throttled, "Tom New"), (failed, "Tom Newer")] {
        stack.inject_fault(json!({"method": "POST", "resource": "Users", "count": 1, "fault": fault})).await;
        stack.reset_stats().await;
        let create = json!({"schemas": [USER], "userName": "tom@example.com", "displayName": name,
            "externalId": "okta-tom", "entitlements": [{"value": "allow-cluster-create"}]});
        let a = stack.call(CreateUser, Call::post("/Users", create)).await;
        let requests = calls(&stack.target_requests().await);
        let stored = stack.target_user(&id).await.unwrap();
        let retried = fault["status"] == 429;
        if stack.mode.is_seed_quirks() && !retried {
            // The seed target hides inactive users: nothing is found, the outcome stays unknown.
            assert_scim_error(&a, 502, None);
            assert_eq!(requests, ["POST Users", "GET Users"]);
            assert_eq!(stored["active"], false, "nothing was guessed");
            continue;
        }
        assert_eq!(a.status, 201, "{fault}: {}", a.body);
        assert_eq!(
            (a.body["id"].as_str(), a.body["active"].as_bool()),
            (Some(id.as_str()), Some(true)),
            "{fault}: {}",
            a.body
        );
        assert_eq!((a.body["displayName"].as_str(), a.body["externalId"].as_str()), (Some(name), Some("okta-tom")));
        assert_eq!(a.body["entitlements"], json!([{"value": "allow-cluster-create"}]), "{fault}: {}", a.body);
        assert_eq!((stored["active"].as_bool(), stored["displayName"].as_str()), (Some(true), Some(name)));
        assert_eq!(stored["externalId"], "okta-tom");
        assert_eq!(values(&stored, "entitlements"), ["allow-cluster-create"]);
        let expected = match (stack.mode.is_seed_quirks(), retried) {
            // The seed target's retried POST reactivates by itself.
            (true, _) => vec!["POST Users".to_string(), "POST Users".to_string()],
            (false, true) => then_read(stack, &["POST Users", "POST Users", "GET Users", "PATCH Users"], "GET Users"),
            (false, false) => then_read(stack, &["POST Users", "GET Users", "PATCH Users"], "GET Users"),
        };
        assert_eq!(requests, expected, "{fault}");
        let off = stack.call(PatchUser, deactivate()).await;
        assert!(off.status == 200 || off.status == 204, "{}", off.body);
    }
}
in_every_workspace_mode!(
    a_create_retried_or_unanswered_onto_an_inactive_user_still_reactivates_it_with_every_attribute
);
