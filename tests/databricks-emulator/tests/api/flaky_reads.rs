//! `flaky_reads`: every Nth SCIM `GET` answers `500 TEMPORARILY_UNAVAILABLE`.

use databricks_emulator::Config;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Harness, Reply};

fn assert_unavailable(r: &Reply, resource: &str) {
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert_eq!(
        r.body,
        json!({"error_code": "TEMPORARILY_UNAVAILABLE",
               "message": format!("The service at /api/2.0/preview/scim/v2/{resource} is temporarily unavailable. Please try again later.")})
    );
}

#[tokio::test]
async fn every_nth_scim_get_answers_500_temporarily_unavailable_counting_across_resources() {
    let h = Harness::with(Config { flaky_reads: 3, ..Config::default() }).await;

    let statuses = [h.get("Users").await.status, h.get("Groups").await.status];
    let third = h.get("ServicePrincipals").await;
    let next = [h.get("ServicePrincipals").await.status, h.get("Users").await.status];
    let sixth = h.get("Groups").await;

    assert_eq!(statuses, [StatusCode::OK, StatusCode::OK]);
    assert_unavailable(&third, "ServicePrincipals");
    assert_eq!(next, [StatusCode::OK, StatusCode::OK]);
    assert_unavailable(&sixth, "Groups");
}

#[tokio::test]
async fn writes_and_token_management_reads_are_never_flaky() {
    let h = Harness::with(Config { flaky_reads: 1, ..Config::default() }).await;

    let created = h.post("Users", json!({"userName": "w@x.com"})).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let put = h.put(&format!("Users/{id}"), json!({"userName": "w@x.com"})).await;
    let tokens = h.get("/api/2.0/token-management/tokens").await;
    let read = h.get(&format!("Users/{id}")).await;
    let deleted = h.delete(&format!("Users/{id}")).await;

    assert_eq!(created.status, StatusCode::OK);
    assert_eq!(put.status, StatusCode::OK);
    assert_eq!(tokens.status, StatusCode::OK);
    assert_unavailable(&read, "Users");
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn flaky_reads_are_counted_after_auth_and_throttling_and_show_in_stats() {
    let h = Harness::new().await;
    h.behaviour(json!({"flaky_reads": 2})).await;
    h.admin(Method::POST, "throttle", Some(json!({"burst": 2}))).await;

    let unauthenticated = h.call_as("wrong", Method::GET, "Users", None).await.status;
    let first = h.get("Users").await.status;
    let second = h.get("Users").await;
    let throttled = h.get("Users").await.status;
    let third = h.get("Groups").await.status;
    let fourth = h.get("Groups").await;
    let stats = h.admin(Method::GET, "stats", None).await.body;

    assert_eq!(unauthenticated, StatusCode::UNAUTHORIZED);
    assert_eq!(first, StatusCode::OK);
    assert_unavailable(&second, "Users");
    assert_eq!(throttled, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(third, StatusCode::OK);
    assert_unavailable(&fourth, "Groups");
    assert_eq!(stats, json!({"total": 6, "counts": {"GET Users": 4, "GET Groups": 2}}));
}

#[tokio::test]
async fn setting_flaky_reads_restarts_the_count_and_item_reads_name_their_collection() {
    let h = Harness::new().await;
    let uid = h.create_user("c@x.com", None).await;
    h.behaviour(json!({"flaky_reads": 2})).await;

    let first = h.get("Users").await.status;
    h.behaviour(json!({"flaky_reads": 2})).await;
    let restarted = h.get(&format!("Users/{uid}")).await.status;
    let failed = h.get(&format!("Users/{uid}")).await;
    h.behaviour(json!({"flaky_reads": 0})).await;
    let off = [h.get("Users").await.status, h.get("Users").await.status];

    assert_eq!((first, restarted), (StatusCode::OK, StatusCode::OK));
    assert_unavailable(&failed, "Users");
    assert_eq!(off, [StatusCode::OK, StatusCode::OK]);
}

#[tokio::test]
async fn a_flaky_read_does_not_use_up_a_queued_fault() {
    let h = Harness::with(Config { flaky_reads: 1, ..Config::default() }).await;
    h.fault(json!({"method": "GET", "fault": {"kind": "status", "status": 503}})).await;

    let flaky = h.get("Users").await;
    h.behaviour(json!({"flaky_reads": 0})).await;
    let faulted = h.get("Users").await.status;

    assert_unavailable(&flaky, "Users");
    assert_eq!(faulted, StatusCode::SERVICE_UNAVAILABLE);
}
