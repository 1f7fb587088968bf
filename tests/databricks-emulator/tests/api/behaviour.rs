//! `GET`/`POST /_emulator/behaviour`, what PUT and PATCH answer (`write_answers`), and the POST
//! status (`create_status`).

use databricks_emulator::{Config, WriteAnswers};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Harness, patch_op};

const STRICT: &str = r#"{"write_answers": "empty", "create_status": 200, "cloud": "aws", "lenient_removal": false,
    "value_filter_or": false, "flaky_reads": 0, "sp_rename_ignored": true, "sp_rename_add_ignored": false,
    "account_group_refusal": 400}"#;

#[tokio::test]
async fn the_behaviour_endpoint_shows_the_strict_defaults() {
    let h = Harness::new().await;

    let r = h.admin(Method::GET, "behaviour", None).await;

    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, serde_json::from_str::<serde_json::Value>(STRICT).unwrap());
}

#[tokio::test]
async fn posting_a_subset_of_the_behaviour_changes_only_those_switches() {
    let h = Harness::new().await;

    h.behaviour(json!({"write_answers": "no-content", "cloud": "azure", "flaky_reads": 5})).await;
    let r = h.admin(Method::GET, "behaviour", None).await.body;

    assert_eq!(
        r,
        json!({"write_answers": "no-content", "create_status": 200, "cloud": "azure", "lenient_removal": false,
               "value_filter_or": false, "flaky_reads": 5, "sp_rename_ignored": true, "sp_rename_add_ignored": false,
               "account_group_refusal": 400})
    );
}

#[tokio::test]
async fn a_behaviour_body_with_an_unknown_key_or_value_is_refused_and_changes_nothing() {
    let h = Harness::new().await;

    let unknown_key = h.admin(Method::POST, "behaviour", Some(json!({"strict": true}))).await;
    let bad_status = h.admin(Method::POST, "behaviour", Some(json!({"cloud": "azure", "create_status": 204}))).await;
    let bad_refusal = h.admin(Method::POST, "behaviour", Some(json!({"account_group_refusal": 403}))).await;
    let bad_answers = h.admin(Method::POST, "behaviour", Some(json!({"write_answers": "full"}))).await;
    let bad_cloud = h.admin(Method::POST, "behaviour", Some(json!({"cloud": "AWS"}))).await;

    for r in [&unknown_key, &bad_status, &bad_refusal, &bad_answers, &bad_cloud] {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body["error"].is_string());
    }
    let r = h.admin(Method::GET, "behaviour", None).await.body;
    assert_eq!(r, serde_json::from_str::<serde_json::Value>(STRICT).unwrap(), "all or nothing");
}

#[tokio::test]
async fn reset_returns_the_behaviour_to_the_startup_config() {
    let h = Harness::with(Config { create_status: 201, ..Config::default() }).await;
    h.behaviour(json!({"create_status": 200, "lenient_removal": true})).await;

    h.admin(Method::POST, "reset", None).await;
    let r = h.admin(Method::GET, "behaviour", None).await.body;
    let created = h.post("Users", json!({"userName": "back@x.com"})).await;

    assert_eq!(r["create_status"], 201);
    assert_eq!(r["lenient_removal"], false);
    assert_eq!(created.status, StatusCode::CREATED);
}

#[tokio::test]
async fn by_default_a_successful_put_or_patch_answers_200_with_an_empty_object() {
    let h = Harness::new().await;
    let uid = h.create_user("e@x.com", None).await;
    let gid = h.create_group("g", &[]).await;

    let patched = h
        .patch(
            &format!("Groups/{gid}?attributes=displayName"),
            patch_op(json!([{"op": "add", "path": "members", "value": [{"value": uid}]}])),
        )
        .await;
    let group = h.get(&format!("Groups/{gid}")).await.body;
    let put = h.put(&format!("Users/{uid}"), json!({"userName": "e@x.com", "displayName": "E Person"})).await;

    for r in [&patched, &put] {
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(r.body, json!({}), "no projection applies to {{}}");
    }
    assert_eq!(group["members"][0]["value"], uid.as_str(), "the write happened");
    assert_eq!(h.get(&format!("Users/{uid}")).await.body["displayName"], "E Person");
}

#[tokio::test]
async fn with_no_content_answers_a_successful_put_or_patch_answers_204_without_a_body() {
    let h = Harness::with(Config { write_answers: WriteAnswers::NoContent, ..Config::default() }).await;
    let (sid, _) = h.create_sp("robot").await;

    let patched = h
        .patch(
            &format!("ServicePrincipals/{sid}"),
            patch_op(json!([{"op": "replace", "path": "active", "value": false}])),
        )
        .await;
    let put = h.put(&format!("ServicePrincipals/{sid}"), json!({"displayName": "robot-2"})).await;

    for r in [&patched, &put] {
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert!(r.body.is_null());
    }
    assert_eq!(h.get(&format!("ServicePrincipals/{sid}")).await.body["displayName"], "robot-2");
}

#[tokio::test]
async fn with_resource_answers_put_and_patch_answer_the_projected_resource() {
    let h = Harness::new().await;
    h.behaviour(json!({"write_answers": "resource"})).await;
    let gid = h.create_group("g", &[]).await;

    let patched = h
        .patch(
            &format!("Groups/{gid}?attributes=displayName"),
            patch_op(json!([{"op": "replace", "path": "displayName", "value": "g2"}])),
        )
        .await;

    assert_eq!(patched.status, StatusCode::OK);
    assert_eq!(
        patched.body,
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": gid, "displayName": "g2"})
    );
}

#[tokio::test]
async fn a_failed_patch_answers_its_error_whatever_the_write_answers() {
    let h = Harness::new().await;
    let uid = h.create_user("f@x.com", None).await;

    let r = h.patch(&format!("Users/{uid}"), patch_op(json!([{"op": "add", "path": "nickName", "value": "x"}]))).await;

    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["scimType"], "invalidPath");
}

#[tokio::test]
async fn post_still_answers_the_created_resource_with_200_by_default_or_201_when_configured() {
    let h = Harness::new().await;

    let default = h.post("Groups", json!({"displayName": "first"})).await;
    h.behaviour(json!({"create_status": 201})).await;
    let ok = h.post("Users", json!({"userName": "second@x.com"})).await;
    let sp = h.post("ServicePrincipals", json!({"displayName": "third"})).await;

    assert_eq!(default.status, StatusCode::OK);
    assert_eq!(default.body["displayName"], "first");
    assert_eq!(ok.status, StatusCode::CREATED);
    assert_eq!(ok.body["userName"], "second@x.com");
    assert_eq!(sp.status, StatusCode::CREATED);
    assert!(sp.body["applicationId"].is_string());
}

#[tokio::test]
async fn a_write_then_500_fault_on_patch_names_the_group_even_when_the_answer_would_be_empty() {
    let h = Harness::new().await;
    let uid = h.create_user("m@x.com", None).await;
    let gid = h.create_group("named-group", &[]).await;
    h.fault(json!({"method": "PATCH", "fault": {"kind": "write_then_500"}})).await;

    let r = h
        .patch(&format!("Groups/{gid}"), patch_op(json!([{"op": "add", "path": "members", "value": [{"value": uid}]}])))
        .await;

    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.detail(), "Failed to update members of group named-group");
}

#[tokio::test]
async fn an_invalid_startup_config_is_refused() {
    for config in
        [Config { create_status: 204, ..Config::default() }, Config { account_group_refusal: 404, ..Config::default() }]
    {
        let err = databricks_emulator::Emulator::start(config).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}
