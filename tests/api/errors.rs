use serde_json::{Value, json};
use tests::Operation;
use tests::Operation::*;
use tests::{Call, TestStack, in_every_mode, in_every_workspace_mode};

fn sample_call(op: Operation) -> Call {
    match op {
        CreateUser | CreateGroup => Call::post(
            if op == CreateUser { "/Users" } else { "/Groups" },
            json!({"userName": "x@example.com", "displayName": "x"}),
        ),
        GetUser | DeleteUser => Call::get("/Users/1"),
        ListUsers => Call::get("/Users"),
        ReplaceUser => Call::put("/Users/1", json!({"userName": "x@example.com"})),
        PatchUser => {
            Call::patch("/Users/1", json!({"Operations": [{"op": "replace", "path": "active", "value": false}]}))
        }
        GetGroup | DeleteGroup => Call::get("/Groups/1"),
        ListGroups => Call::get("/Groups"),
        ReplaceGroup => Call::put("/Groups/1", json!({"displayName": "x"})),
        PatchGroup => {
            Call::patch("/Groups/1", json!({"Operations": [{"op": "replace", "path": "displayName", "value": "y"}]}))
        }
        CreateServicePrincipal => Call::post("/ServicePrincipals", json!({"displayName": "x"})),
        GetServicePrincipal | DeleteServicePrincipal => Call::get("/ServicePrincipals/1"),
        ListServicePrincipals => Call::get("/ServicePrincipals"),
        ReplaceServicePrincipal => Call::put("/ServicePrincipals/1", json!({"displayName": "x"})),
        PatchServicePrincipal => Call::patch(
            "/ServicePrincipals/1",
            json!({"Operations": [{"op": "replace", "path": "active", "value": false}]}),
        ),
        ListPartners => Call::get("/admin/partners"),
        DisconnectPartner => Call::delete("/admin/partners/fivetran"),
        Discovery => Call::get("/ServiceProviderConfig"),
    }
}

async fn every_function_answers_401_to_a_missing_or_wrong_bearer_token(stack: &TestStack) {
    stack.reset_stats().await;
    for op in Operation::ALL {
        for auth in [None, Some("Bearer wrong"), Some("Basic c2NpbQ=="), Some("scim-test-token")] {
            let a = stack.call(op, sample_call(op).authorization(auth)).await;
            assert_eq!(a.status, 401, "{op:?} with {auth:?}: {}", a.body);
            assert_eq!(a.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
            assert!(a.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")), "{op:?}");
        }
    }
    assert_eq!(stack.target_calls().await, 0, "rejected calls never reach Databricks");
    let a = stack.call(ListUsers, Call::get("/Users").authorization(Some("Bearer next-scim-test-token"))).await;
    assert_eq!(a.status, 200, "the next token is accepted during a rotation");
}
in_every_mode!(every_function_answers_401_to_a_missing_or_wrong_bearer_token);

async fn throttling_is_retried_within_the_budget(stack: &TestStack) {
    stack.inject_fault(json!({"method": "GET", "resource": "Users", "count": 1, "fault": {"kind": "status", "status": 429, "retry_after": 1}})).await;
    stack.inject_fault(json!({"method": "GET", "resource": "Users", "count": 1,
        "fault": {"kind": "status", "status": 500, "detail": "REQUEST_LIMIT_EXCEEDED: Workspace 1234 exceeded the concurrent limit of 4 requests."}})).await;
    stack.reset_stats().await;
    let a = stack.call(ListUsers, Call::get("/Users")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(stack.target_calls().await, 3, "429, then 500 REQUEST_LIMIT_EXCEEDED, then success");
}
in_every_mode!(throttling_is_retried_within_the_budget);

async fn throttling_past_the_budget_is_429_with_retry_after(stack: &TestStack) {
    stack.inject_fault(json!({"method": "GET", "resource": "Users", "count": 10, "fault": {"kind": "status", "status": 429, "retry_after": 2}})).await;
    let a = stack.call(ListUsers, Call::get("/Users")).await;
    assert_eq!(a.status, 429, "{}", a.body);
    assert!(a.header("retry-after").and_then(|r| r.parse::<u64>().ok()).is_some_and(|r| r >= 1));
    assert_eq!(a.body["status"], "429");
}
in_every_mode!(throttling_past_the_budget_is_429_with_retry_after);

async fn a_group_created_behind_a_500_is_recovered_not_duplicated(stack: &TestStack) {
    let u = stack.create_user("w1@example.com").await;
    stack
        .inject_fault(json!({"method": "POST", "resource": "Groups", "count": 1, "fault": {"kind": "write_then_500"}}))
        .await;
    let a = stack
        .call(CreateGroup, Call::post("/Groups", json!({"displayName": "flaky", "members": [{"value": u}]})))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let state = stack.target_state().await;
    let flaky: Vec<_> = state["groups"].as_array().unwrap().iter().filter(|g| g["displayName"] == "flaky").collect();
    assert_eq!(flaky.len(), 1, "exactly one group");
    assert_eq!(flaky[0]["members"][0]["value"], u.as_str(), "nothing lost");
}
in_every_mode!(a_group_created_behind_a_500_is_recovered_not_duplicated);

async fn a_group_created_without_its_members_behind_a_500_gets_them_added(stack: &TestStack) {
    let (u1, u2) = (stack.create_user("w2@example.com").await, stack.create_user("w3@example.com").await);
    stack
        .inject_fault(json!({"method": "POST", "resource": "Groups", "count": 1,
            "fault": {"kind": "write_then_500", "without_members": true}}))
        .await;
    stack.reset_stats().await;
    let body = json!({"displayName": "half-made", "members": [{"value": u1}, {"value": u2}]});
    let a = stack.call(CreateGroup, Call::post("/Groups", body)).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let mut answered: Vec<&str> =
        a.body["members"].as_array().unwrap().iter().filter_map(|m| m["value"].as_str()).collect();
    answered.sort_unstable();
    let mut wanted = vec![u1.as_str(), u2.as_str()];
    wanted.sort_unstable();
    assert_eq!(answered, wanted, "the answer shows every member");
    let methods: Vec<String> =
        stack.target_requests().await.iter().map(|r| r["method"].as_str().unwrap_or_default().to_string()).collect();
    let mut expected = vec!["POST", "GET", "PATCH"];
    if stack.mode.read_after_write() == 1 {
        expected.push("GET");
    }
    assert_eq!(methods, expected, "never a second POST: found by name, members added");
    let state = stack.target_state().await;
    let made: Vec<_> = state["groups"].as_array().unwrap().iter().filter(|g| g["displayName"] == "half-made").collect();
    assert_eq!(made.len(), 1, "exactly one group");
    let mut held: Vec<&str> =
        made[0]["members"].as_array().unwrap().iter().filter_map(|m| m["value"].as_str()).collect();
    held.sort_unstable();
    assert_eq!(held, wanted, "nothing lost");
}
in_every_workspace_mode!(a_group_created_without_its_members_behind_a_500_gets_them_added);

async fn a_delete_whose_answer_is_lost_is_checked_by_reading(stack: &TestStack) {
    let id = stack.create_user("gone@example.com").await;
    stack
        .inject_fault(json!({"method": "DELETE", "resource": "Users", "count": 1, "fault": {"kind": "write_then_500"}}))
        .await;
    stack.reset_stats().await;
    let a = stack.call(DeleteUser, Call::delete(&format!("/Users/{id}"))).await;
    assert_eq!(a.status, 204, "{}", a.body);
    let methods: Vec<String> =
        stack.target_requests().await.iter().map(|r| r["method"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(methods, vec!["DELETE", "GET"], "one DELETE, then a read; never a second DELETE");
}
in_every_mode!(a_delete_whose_answer_is_lost_is_checked_by_reading);

async fn a_dropped_connection_on_a_write_is_not_retried_blindly(stack: &TestStack) {
    let id = stack.create_user("drop@example.com").await;
    stack.inject_fault(json!({"method": "PATCH", "resource": "Users", "count": 1, "fault": {"kind": "drop"}})).await;
    stack.reset_stats().await;
    let a = stack
        .call(
            PatchUser,
            Call::patch(
                &format!("/Users/{id}"),
                json!({"Operations": [{"op": "replace", "path": "displayName", "value": "D"}]}),
            ),
        )
        .await;
    assert_eq!(a.status, 502, "{}", a.body);
    assert_eq!(a.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
    assert_eq!(stack.target_calls().await, 1, "no blind retry of a write");
}
in_every_mode!(a_dropped_connection_on_a_write_is_not_retried_blindly);

/// Throttling that asks for longer than the bridge's retry budget: answered at once.
fn throttled_past_the_budget(method: &str, resource: &str) -> serde_json::Value {
    json!({"method": method, "resource": resource, "count": 1,
           "fault": {"kind": "status", "status": 429, "retry_after": 60}})
}

/// The objects of a kind in Databricks whose `key` is `value`.
async fn held(stack: &TestStack, list: &str, key: &str, value: &str) -> usize {
    let state = stack.target_state().await;
    state[list].as_array().unwrap().iter().filter(|o| o[key] == value).count()
}

// A 429 (or 503) tells the client nothing was done and to send the same request again; after
// a POST that took effect (or may have), the fault suite saw that make a second service
// principal. Those answers are 502 instead: the object exists, read it before retrying.

async fn a_create_whose_deactivation_is_throttled_is_502_never_429(stack: &TestStack) {
    let sp = shared::scim::SERVICE_PRINCIPAL_SCHEMA;
    stack.inject_fault(throttled_past_the_budget("PATCH", "ServicePrincipals")).await;
    let body = json!({"schemas": [sp], "displayName": "half-done", "externalId": "ext-half", "active": false});
    let a = stack.call(CreateServicePrincipal, Call::post("/ServicePrincipals", body)).await;
    assert_eq!(a.status, 502, "{}", a.body);
    assert!(a.body["detail"].as_str().unwrap().contains("was created"), "{}", a.body);
    assert_eq!(held(stack, "servicePrincipals", "externalId", "ext-half").await, 1);

    stack.inject_fault(throttled_past_the_budget("PATCH", "Users")).await;
    let body = json!({"userName": "half-done@example.com", "active": false});
    let a = stack.call(CreateUser, Call::post("/Users", body)).await;
    assert_eq!(a.status, 502, "{}", a.body);
    assert!(a.body["detail"].as_str().unwrap().contains("was created"), "{}", a.body);
    assert_eq!(held(stack, "users", "userName", "half-done@example.com").await, 1);
}
in_every_mode!(a_create_whose_deactivation_is_throttled_is_502_never_429);

async fn a_create_of_unknown_outcome_whose_look_up_is_throttled_is_502_never_429(stack: &TestStack) {
    let member = stack.create_user("unknown-member@example.com").await;
    let sp = shared::scim::SERVICE_PRINCIPAL_SCHEMA;
    let cases = [
        (
            "ServicePrincipals",
            CreateServicePrincipal,
            json!({"schemas": [sp], "displayName": "unsure", "externalId": "ext-unsure"}),
            "servicePrincipals",
            "externalId",
            "ext-unsure",
        ),
        (
            "Groups",
            CreateGroup,
            json!({"displayName": "unsure", "members": [{"value": member}]}),
            "groups",
            "displayName",
            "unsure",
        ),
        ("Users", CreateUser, json!({"userName": "unsure@example.com"}), "users", "userName", "unsure@example.com"),
    ];
    for (resource, operation, body, list, key, value) in cases {
        stack
            .inject_fault(json!([
                {"method": "POST", "resource": resource, "fault": {"kind": "drop", "after_write": true}},
                throttled_past_the_budget("GET", resource),
            ]))
            .await;
        let a = stack.call(operation, Call::post(&format!("/{resource}"), body)).await;
        assert_eq!(a.status, 502, "{resource}: {}", a.body);
        assert!(a.body["detail"].as_str().unwrap().contains("may not have been applied"), "{}", a.body);
        assert_eq!(held(stack, list, key, value).await, 1, "{resource}");
    }
}
in_every_mode!(a_create_of_unknown_outcome_whose_look_up_is_throttled_is_502_never_429);

async fn throttling_retries_stop_before_the_lambda_deadline(stack: &TestStack) {
    use lambda_http::RequestExt;
    stack.inject_fault(json!({"method": "GET", "resource": "Users", "count": 10, "fault": {"kind": "status", "status": 429, "retry_after": 1}})).await;
    stack.reset_stats().await;
    let with_deadline_in = |secs: u64| {
        let mut context = lambda_http::Context::default();
        let deadline = std::time::SystemTime::now() + std::time::Duration::from_secs(secs);
        context.deadline = deadline.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        stack.event(ListUsers, &Call::get("/Users")).with_lambda_context(context)
    };
    // Three seconds left: one call fits before the margin kept for answering, its retry does not.
    let response = ListUsers.handle(&stack.state, with_deadline_in(3)).await;
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(stack.target_calls().await, 1, "no retry past the deadline");
    // One second left: less than the margin itself, so Databricks is not called at all.
    stack.reset_stats().await;
    let response = ListUsers.handle(&stack.state, with_deadline_in(1)).await;
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(stack.target_calls().await, 0, "nothing is started that cannot finish");
}
in_every_mode!(throttling_retries_stop_before_the_lambda_deadline);

/// The function timeout in template.yaml (`Globals.Function.Timeout`), in seconds.
fn template_function_timeout() -> u64 {
    let template = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml"))
        .expect("template.yaml is readable");
    let globals = template.split("\nGlobals:").nth(1).expect("template.yaml has Globals");
    globals
        .lines()
        .find_map(|l| l.trim().strip_prefix("Timeout:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("Globals.Function.Timeout is a number of seconds")
}

/// A number of the `DatabricksRetryBudgetMs` parameter in template.yaml (`Default`, `MaxValue`).
fn template_retry_budget(key: &str) -> u64 {
    let template = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml"))
        .expect("template.yaml is readable");
    let parameter =
        template.split("\n  DatabricksRetryBudgetMs:").nth(1).expect("the DatabricksRetryBudgetMs parameter");
    parameter
        .lines()
        .take_while(|l| l.is_empty() || l.starts_with("    "))
        .find_map(|l| l.trim().strip_prefix(key).and_then(|v| v.strip_prefix(':')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("DatabricksRetryBudgetMs has a numeric {key}"))
}

#[test]
fn a_databricks_call_ends_before_the_lambda_timeout_with_room_for_the_re_read_and_the_answer() {
    use shared::databricks::client::{HTTP_TIMEOUT, REREAD_RESERVE};
    use shared::deadline::{DEFAULT_RETRY_BUDGET, FUNCTION_TIMEOUT, MAX_RETRY_BUDGET};
    use shared::http::ANSWER_MARGIN;
    use std::time::Duration;
    let timeout = Duration::from_secs(template_function_timeout());
    assert_eq!(timeout, FUNCTION_TIMEOUT, "the code derives its deadlines from the template's function timeout");
    // A write that times out at HTTP_TIMEOUT still leaves the re-read that settles its outcome
    // and the answer inside the function's timeout, even with no deadline information.
    assert!(
        HTTP_TIMEOUT + REREAD_RESERVE + ANSWER_MARGIN <= timeout,
        "{HTTP_TIMEOUT:?} + {REREAD_RESERVE:?} + {ANSWER_MARGIN:?} must fit in the function timeout {timeout:?}"
    );
    // The largest retry budget the template allows still starts its last retry in time.
    let (default, max) = (template_retry_budget("Default"), template_retry_budget("MaxValue"));
    assert!(Duration::from_millis(max) <= MAX_RETRY_BUDGET, "MaxValue {max} ms must not exceed {MAX_RETRY_BUDGET:?}");
    assert_eq!(Duration::from_millis(default), DEFAULT_RETRY_BUDGET, "the template's default is the code's");
    // A budget configured past it (by hand, or locally) is lowered to what fits.
    for configured in [max, max + 1, 600_000] {
        let config = shared::Config::from_lookup(|k| match k {
            "DATABRICKS_HOST" => Some("https://dbc-1.cloud.databricks.com".into()),
            "DATABRICKS_RETRY_BUDGET_MS" => Some(configured.to_string()),
            _ => None,
        })
        .expect("configuration");
        assert!(config.retry_budget <= MAX_RETRY_BUDGET, "{configured} ms is used as {:?}", config.retry_budget);
    }
}

/// A gateway event whose Lambda deadline is `ms` from now.
fn with_deadline_in_ms(stack: &TestStack, operation: tests::Operation, call: &Call, ms: u64) -> lambda_http::Request {
    use lambda_http::RequestExt;
    let mut context = lambda_http::Context::default();
    let deadline = std::time::SystemTime::now() + std::time::Duration::from_millis(ms);
    context.deadline = deadline.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    stack.event(operation, call).with_lambda_context(context)
}

async fn a_databricks_call_slower_than_the_time_left_is_cut_and_answered_before_the_deadline(stack: &TestStack) {
    use std::time::{Duration, Instant};
    // Databricks hangs for 8 s on everything under /Users: longer than the time left.
    stack.inject_fault(json!({"resource": "Users", "count": 5, "fault": {"kind": "latency", "ms": 8000}})).await;
    for (case, operation, call, remaining_ms) in [
        // A read gets what is left less the answer margin: 2 s.
        ("a read", ListUsers, Call::get("/Users"), 4000),
        // A write keeps the re-read reserve (1.5 s call), then the re-read that settles its
        // unknown outcome gets the rest (3 s) and is cut too.
        ("a write", CreateUser, Call::post("/Users", json!({"userName": "slow@example.com"})), 6500),
    ] {
        let started = Instant::now();
        let response = operation.handle(&stack.state, with_deadline_in_ms(stack, operation, &call, remaining_ms)).await;
        let elapsed = started.elapsed();
        let margin = shared::http::ANSWER_MARGIN;
        assert!(
            elapsed + margin / 2 <= Duration::from_millis(remaining_ms),
            "{case}: answered after {elapsed:?} of {remaining_ms} ms"
        );
        assert!(
            elapsed + margin >= Duration::from_millis(remaining_ms) - Duration::from_millis(500),
            "{case}: the time was used, {elapsed:?}"
        );
        assert_eq!(response.status().as_u16(), 502, "{case}");
        let body: Value = match response.body() {
            lambda_http::Body::Text(t) => serde_json::from_str(t).expect("JSON"),
            other => panic!("{case}: a SCIM body, not {other:?}"),
        };
        assert_eq!(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error", "{case}");
        assert!(body["detail"].as_str().is_some_and(|d| d.contains("could not be reached")), "{case}: {body}");
    }
}
in_every_mode!(a_databricks_call_slower_than_the_time_left_is_cut_and_answered_before_the_deadline);

async fn a_deadline_already_past_is_no_deadline_as_cargo_lambda_watch_sends_it(stack: &TestStack) {
    use lambda_http::RequestExt;
    let mut context = lambda_http::Context::default();
    context.deadline = 600_000; // what `cargo lambda watch` sends: 1970-01-01T00:10:00Z
    let request = stack.event(ListUsers, &Call::get("/Users")).with_lambda_context(context);
    let response = ListUsers.handle(&stack.state, request).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(stack.target_calls().await, 1);
}
in_every_mode!(a_deadline_already_past_is_no_deadline_as_cargo_lambda_watch_sends_it);
