use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::Harness;

#[tokio::test]
async fn a_status_fault_answers_the_next_matching_requests_only() {
    let h = Harness::new().await;
    h.fault(json!({"method": "POST", "resource": "Groups", "count": 2,
                   "fault": {"kind": "status", "status": 503, "detail": "busy", "retry_after": 2}}))
        .await;

    let first = h.post("Groups", json!({"displayName": "a"})).await;
    let unrelated = h.get("Groups").await;
    let second = h.post("Groups", json!({"displayName": "a"})).await;
    let third = h.post("Groups", json!({"displayName": "a"})).await;

    for r in [&first, &second] {
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers["retry-after"], "2");
        assert_eq!(
            r.body,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "detail": "busy", "status": "503"})
        );
    }
    assert_eq!(unrelated.status, StatusCode::OK);
    assert_eq!(unrelated.body["totalResults"], 0, "faulted POSTs created nothing");
    assert_eq!(third.status, StatusCode::OK);
}

#[tokio::test]
async fn a_status_fault_can_use_the_platform_error_shape() {
    let h = Harness::new().await;
    h.fault(json!({"fault": {"kind": "status", "status": 429, "error_code": "REQUEST_LIMIT_EXCEEDED", "detail": "slow down"}}))
        .await;

    let r = h.get("Users").await;

    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body, json!({"error_code": "REQUEST_LIMIT_EXCEEDED", "message": "slow down"}));
}

#[tokio::test]
async fn several_faults_apply_in_the_order_queued_and_can_be_cleared() {
    let h = Harness::new().await;
    h.fault(json!([
        {"fault": {"kind": "status", "status": 502}},
        {"fault": {"kind": "status", "status": 504}},
        {"fault": {"kind": "status", "status": 500}},
    ]))
    .await;

    let first = h.get("Users").await.status;
    let second = h.get("Users").await.status;
    let queued = h.admin(Method::GET, "faults", None).await.body;
    h.admin(Method::DELETE, "faults", None).await;
    let after_clear = h.get("Users").await.status;

    assert_eq!((first, second), (StatusCode::BAD_GATEWAY, StatusCode::GATEWAY_TIMEOUT));
    assert_eq!(queued.as_array().unwrap().len(), 1);
    assert_eq!(after_clear, StatusCode::OK);
}

#[tokio::test]
async fn a_latency_fault_delays_then_answers_normally() {
    let h = Harness::new().await;
    h.fault(json!({"method": "GET", "fault": {"kind": "latency", "ms": 300}})).await;

    let started = Instant::now();
    let slow = h.get("Users").await;
    let slow_elapsed = started.elapsed();

    assert_eq!(slow.status, StatusCode::OK);
    assert!(slow_elapsed >= Duration::from_millis(300), "{slow_elapsed:?}");
}

#[tokio::test]
async fn a_drop_fault_closes_the_connection_without_an_answer_or_a_write() {
    let h = Harness::new().await;
    h.fault(json!({"method": "POST", "resource": "Users", "fault": {"kind": "drop"}})).await;

    let result = h
        .http
        .post(h.url("Users"))
        .bearer_auth(databricks_emulator::DEFAULT_TOKEN)
        .json(&json!({"userName": "dropped@x.com"}))
        .send()
        .await;

    let err = result.expect_err("the client sees a connection error");
    assert!(!err.is_status(), "{err:?}");
    assert_eq!(h.get("Users").await.body["totalResults"], 0);
    let stats = h.admin(Method::GET, "stats", None).await.body;
    assert_eq!(stats["counts"]["POST Users"], 1, "the dropped request was still counted once");
}

#[tokio::test]
async fn a_drop_after_write_fault_performs_the_operation_before_dropping() {
    let h = Harness::new().await;
    h.fault(json!({"method": "POST", "fault": {"kind": "drop", "after_write": true}})).await;

    let result = h
        .http
        .post(h.url("Users"))
        .bearer_auth(databricks_emulator::DEFAULT_TOKEN)
        .json(&json!({"userName": "written@x.com"}))
        .send()
        .await;

    assert!(result.is_err());
    let list = h.get("Users?filter=userName+eq+written@x.com").await;
    assert_eq!(list.body["totalResults"], 1);
}

#[tokio::test]
async fn write_then_500_creates_the_group_but_answers_the_f18_error() {
    let h = Harness::new().await;
    let uid = h.create_user("m@x.com", None).await;
    h.fault(json!({"method": "POST", "resource": "Groups", "fault": {"kind": "write_then_500"}})).await;
    let name = "db-temp-idm2bcd_dssi03prod_millingdrilling_read";

    let first = h
        .post(
            "Groups",
            json!({"displayName": name, "members": [{"value": uid}], "meta": {"resourceType": "WorkspaceGroup"}}),
        )
        .await;
    let retry = h.post("Groups", json!({"displayName": name})).await;

    assert_eq!(first.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        first.body,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
               "detail": format!("Failed to update members of group {name}"), "status": "500"})
    );
    assert_eq!(retry.status, StatusCode::CONFLICT);
    let found = h.get("Groups?filter=displayName+eq+%22db-temp-idm2bcd_dssi03prod_millingdrilling_read%22").await;
    assert_eq!(found.body["totalResults"], 1);
}

#[tokio::test]
async fn write_then_500_without_members_creates_the_group_empty_as_the_real_failure_does() {
    let h = Harness::new().await;
    let uid = h.create_user("m@x.com", None).await;
    h.fault(json!({"method": "POST", "resource": "Groups",
                   "fault": {"kind": "write_then_500", "without_members": true}}))
        .await;

    let first = h.post("Groups", json!({"displayName": "half", "members": [{"value": uid}]})).await;
    let queued = h.admin(Method::GET, "faults", None).await.body;

    assert_eq!(first.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(first.detail(), "Failed to update members of group half");
    let found = h.get("Groups?filter=displayName+eq+%22half%22").await;
    assert_eq!(found.body["totalResults"], 1);
    assert_eq!(found.body["Resources"][0]["members"], json!(null), "created without its members");
    assert_eq!(queued, json!([]));
    // The flag round-trips through GET /_emulator/faults.
    h.fault(json!({"fault": {"kind": "write_then_500", "without_members": true}})).await;
    let listed = h.admin(Method::GET, "faults", None).await.body;
    assert_eq!(listed[0]["fault"], json!({"kind": "write_then_500", "without_members": true}));
}

#[tokio::test]
async fn write_then_500_on_delete_deletes_and_the_retry_is_404() {
    let h = Harness::new().await;
    let gid = h.create_group("big", &[]).await;
    h.fault(json!({"method": "DELETE", "fault": {"kind": "write_then_500"}})).await;

    let first = h.delete(&format!("Groups/{gid}")).await;
    let retry = h.delete(&format!("Groups/{gid}")).await;

    assert_eq!(first.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(first.detail().starts_with("Max retries exhausted with RPC"), "{}", first.body);
    assert_eq!(retry.status, StatusCode::NOT_FOUND);
    assert_eq!(retry.detail(), format!("Group with id {gid} not found."));
}
