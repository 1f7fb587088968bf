//! Concurrency (issue 9): twenty creates of one `userName`, or of one group `displayName`, sent
//! at once make exactly one Databricks object; exactly one client is told 201 and the nineteen
//! others 409 `uniqueness` — also when Databricks' concurrency cap of 4 requests refuses some of
//! them first (`500 REQUEST_LIMIT_EXCEEDED`, docs/databricks-behaviour.md row 31, or `429`) and
//! the bridge retries them into the conflict.

use serde_json::{Value, json};
use tests::Operation::{self, CreateGroup, CreateUser};
use tests::{Answer, Call, TestStack, in_every_mode};

const RACERS: usize = 20;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// How Databricks treats the burst: not at all, or its concurrency cap of 4 answered as
/// observed (`500 REQUEST_LIMIT_EXCEEDED`) or as a `429` without `Retry-After`. Under the cap
/// every admitted POST takes 50 ms, so the requests really overlap.
fn variants() -> [(&'static str, Option<Value>); 3] {
    [
        ("free", None),
        ("cap-500", Some(json!({"max_concurrent": 4, "style": "500"}))),
        ("cap-429", Some(json!({"max_concurrent": 4, "style": "429", "retry_after_secs": null}))),
    ]
}

/// Sets the variant's throttling; under a cap each of the `RACERS` admitted POSTs is slowed.
async fn set_up(stack: &TestStack, resource: &str, throttle: Option<&Value>) {
    stack.clear_throttle().await;
    stack.clear_faults().await;
    if let Some(throttle) = throttle {
        stack.throttle(throttle.clone()).await;
        stack
            .inject_fault(json!({"method": "POST", "resource": resource, "count": RACERS,
                "fault": {"kind": "latency", "ms": 50}}))
            .await;
    }
    stack.reset_stats().await;
}

/// Under a cap, some POSTs were refused and retried: more POSTs reached Databricks than racers.
async fn assert_throttled_when_capped(stack: &TestStack, resource: &str, throttle: Option<&Value>, variant: &str) {
    let posts = stack.stats().await["counts"][format!("POST {resource}")].as_u64().unwrap_or(0);
    if throttle.is_some() {
        assert!(posts > RACERS as u64, "{variant}: the cap refused some POSTs first ({posts} POSTs)");
    } else {
        assert_eq!(posts, RACERS as u64, "{variant}");
    }
}

/// One 201 and nineteen SCIM 409 `uniqueness`; the id the 201 carries.
fn one_created(answers: &[Answer], what: &str) -> String {
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    let created: Vec<&Answer> = answers.iter().filter(|a| a.status == 201).collect();
    assert_eq!(created.len(), 1, "{what}: exactly one client is told 201: {statuses:?}");
    for a in answers.iter().filter(|a| a.status != 201) {
        assert_eq!(a.status, 409, "{what}: every other client is told 409: {statuses:?} ({})", a.body);
        assert_eq!(a.body["scimType"], "uniqueness", "{what}: {}", a.body);
        assert_eq!(a.header("content-type"), Some("application/scim+json"));
    }
    created[0].body["id"].as_str().expect("the 201 carries an id").to_string()
}

fn racing(operation: Operation, path: &str, body: &Value) -> Vec<(Operation, Call)> {
    (0..RACERS).map(|_| (operation, Call::post(path, body.clone()))).collect()
}

async fn twenty_concurrent_creates_of_one_user_name_make_one_user(stack: &TestStack) {
    for (variant, throttle) in variants() {
        set_up(stack, "Users", throttle.as_ref()).await;
        let user_name = format!("racer-{variant}@example.com");
        let body = json!({"schemas": [USER], "userName": user_name, "displayName": "Racer"});
        let answers = stack.call_concurrently(racing(CreateUser, "/Users", &body)).await;
        let id = one_created(&answers, variant);
        assert_throttled_when_capped(stack, "Users", throttle.as_ref(), variant).await;

        stack.clear_throttle().await;
        let state = stack.target_state().await;
        let users: Vec<&Value> =
            state["users"].as_array().expect("users").iter().filter(|u| u["userName"] == user_name.as_str()).collect();
        assert_eq!(users.len(), 1, "{variant}: exactly one user in Databricks: {users:?}");
        assert_eq!(users[0]["id"], id.as_str(), "{variant}: the 201 names that user");
        assert_eq!(users[0]["active"], true, "{variant}");
    }
}
in_every_mode!(twenty_concurrent_creates_of_one_user_name_make_one_user);

async fn twenty_concurrent_creates_of_one_group_name_make_one_group(stack: &TestStack) {
    let member = stack.create_user("racing-member@example.com").await;
    for (variant, throttle) in variants() {
        set_up(stack, "Groups", throttle.as_ref()).await;
        let name = format!("racers-{variant}");
        let body = json!({"schemas": [GROUP], "displayName": name, "members": [{"value": member}]});
        let answers = stack.call_concurrently(racing(CreateGroup, "/Groups", &body)).await;
        let id = one_created(&answers, variant);
        assert_throttled_when_capped(stack, "Groups", throttle.as_ref(), variant).await;

        stack.clear_throttle().await;
        let state = stack.target_state().await;
        let groups: Vec<&Value> =
            state["groups"].as_array().expect("groups").iter().filter(|g| g["displayName"] == name.as_str()).collect();
        assert_eq!(groups.len(), 1, "{variant}: exactly one group in Databricks: {groups:?}");
        assert_eq!(groups[0]["id"], id.as_str(), "{variant}: the 201 names that group");
        let members: Vec<&Value> = groups[0]["members"].as_array().expect("members").iter().collect();
        assert_eq!(members.len(), 1, "{variant}: {members:?}");
        assert_eq!(members[0]["value"], member.as_str(), "{variant}");
    }
}
in_every_mode!(twenty_concurrent_creates_of_one_group_name_make_one_group);
