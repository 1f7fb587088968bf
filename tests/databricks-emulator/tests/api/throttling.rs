use std::time::Duration;

use databricks_emulator::{Config, Throttle, ThrottleStyle};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::Harness;

#[tokio::test]
async fn an_empty_bucket_answers_429_with_an_integer_retry_after() {
    let h = Harness::with(Config {
        throttle: Some(Throttle {
            per_minute: 0,
            burst: 2,
            max_concurrent: 0,
            style: ThrottleStyle::TooManyRequests { retry_after_secs: Some(3) },
        }),
        ..Config::default()
    })
    .await;

    let ok1 = h.get("Users").await.status;
    let ok2 = h.get("Users").await.status;
    let throttled = h.get("Users").await;
    let other_endpoint = h.get("Groups").await.status;

    assert_eq!((ok1, ok2, other_endpoint), (StatusCode::OK, StatusCode::OK, StatusCode::OK));
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers["retry-after"], "3");
    assert_eq!(throttled.body["error_code"], "REQUEST_LIMIT_EXCEEDED");
    assert!(throttled.body["message"].is_string());
}

#[tokio::test]
async fn a_bucket_refills_at_the_per_minute_rate() {
    let h = Harness::new().await;
    // 120 per minute: one token every 500 ms.
    h.admin(Method::POST, "throttle", Some(json!({"per_minute": 120, "burst": 1, "style": "429"}))).await;

    let first = h.get("Users").await.status;
    let second = h.get("Users").await.status;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let after_refill = h.get("Users").await.status;

    assert_eq!(first, StatusCode::OK);
    assert_eq!(second, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(after_refill, StatusCode::OK);
}

#[tokio::test]
async fn over_the_concurrency_cap_the_500_style_answers_request_limit_exceeded() {
    let h = Harness::new().await;
    h.admin(Method::POST, "throttle", Some(json!({"max_concurrent": 1, "style": "500"}))).await;
    h.fault(json!({"method": "GET", "fault": {"kind": "latency", "ms": 700}})).await;

    let slow = {
        let http = h.http.clone();
        let url = h.url("Users");
        tokio::spawn(async move {
            http.get(url).bearer_auth(databricks_emulator::DEFAULT_TOKEN).send().await.map(|r| r.status())
        })
    };
    // The slow request holds the only slot once it is recorded (admission happens together).
    for _ in 0..100 {
        let stats = h.admin(Method::GET, "stats", None).await.body;
        if stats["counts"]["GET Users"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let refused = h.get("Groups").await;
    let slow_status = slow.await.unwrap().unwrap();

    assert_eq!(refused.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        refused.body,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "500",
               "detail": "REQUEST_LIMIT_EXCEEDED: Workspace 1234 exceeded the concurrent limit of 1 requests."})
    );
    assert_eq!(slow_status, StatusCode::OK);
    assert_eq!(h.get("Groups").await.status, StatusCode::OK, "the slot is free again");
}

#[tokio::test]
async fn the_500_style_bucket_refusal_mentions_request_limit_exceeded() {
    let h = Harness::new().await;
    h.admin(Method::POST, "throttle", Some(json!({"burst": 1, "style": "500"}))).await;

    h.get("Users").await;
    let refused = h.get("Users").await;

    assert_eq!(refused.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(refused.detail().starts_with("REQUEST_LIMIT_EXCEEDED: "), "{}", refused.body);
}

#[tokio::test]
async fn throttling_can_be_inspected_and_removed_at_runtime() {
    let h = Harness::new().await;
    h.admin(Method::POST, "throttle", Some(json!({"burst": 1, "retry_after_secs": 5}))).await;
    let config = h.admin(Method::GET, "throttle", None).await.body;
    h.get("Users").await;
    let throttled = h.get("Users").await.status;

    h.admin(Method::DELETE, "throttle", None).await;

    assert_eq!(
        config,
        json!({"per_minute": 0, "burst": 1, "max_concurrent": 0, "style": "429", "retry_after_secs": 5})
    );
    assert_eq!(throttled, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h.get("Users").await.status, StatusCode::OK);
    assert_eq!(h.admin(Method::GET, "throttle", None).await.body, serde_json::Value::Null);
}

#[tokio::test]
async fn the_error_code_style_answers_its_status_with_the_platform_body_and_no_retry_after() {
    let h = Harness::with(Config {
        throttle: Some(Throttle {
            per_minute: 0,
            burst: 1,
            max_concurrent: 0,
            style: ThrottleStyle::ErrorCode { status: 400 },
        }),
        ..Config::default()
    })
    .await;

    h.get("Users").await;
    let scim = h.get("Users").await;
    h.get("/api/2.0/token-management/tokens").await;
    let tokens = h.get("/api/2.0/token-management/tokens").await;

    assert_eq!(scim.status, StatusCode::BAD_REQUEST);
    assert!(scim.headers.get("retry-after").is_none());
    assert_eq!(
        scim.body,
        json!({"error_code": "REQUEST_LIMIT_EXCEEDED",
               "message": "Workspace 1234 exceeded the rate limit of 0 requests per minute for GET Users."})
    );
    assert_eq!(tokens.status, StatusCode::BAD_REQUEST);
    assert_eq!(tokens.body["error_code"], "REQUEST_LIMIT_EXCEEDED", "the same shape on token management");
}

#[tokio::test]
async fn the_error_code_style_takes_its_status_at_runtime_and_defaults_to_400() {
    let h = Harness::new().await;
    h.admin(Method::POST, "throttle", Some(json!({"burst": 1, "style": "error-code", "status": 503}))).await;
    let shown = h.admin(Method::GET, "throttle", None).await.body;
    h.get("Groups").await;
    let refused = h.get("Groups").await;
    h.admin(Method::POST, "throttle", Some(json!({"max_concurrent": 1, "style": "error-code"}))).await;
    let defaulted = h.admin(Method::GET, "throttle", None).await.body;

    assert_eq!(
        shown,
        json!({"per_minute": 0, "burst": 1, "max_concurrent": 0, "style": "error-code", "retry_after_secs": null,
               "status": 503})
    );
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.body["error_code"], "REQUEST_LIMIT_EXCEEDED");
    assert!(refused.headers.get("retry-after").is_none());
    assert_eq!(defaulted["status"], 400);
}

#[tokio::test]
async fn a_null_retry_after_gives_a_429_without_the_header_and_an_absent_one_gives_one_second() {
    let h = Harness::new().await;
    h.admin(Method::POST, "throttle", Some(json!({"burst": 1, "retry_after_secs": null}))).await;
    let shown = h.admin(Method::GET, "throttle", None).await.body;
    h.get("Users").await;
    let bare = h.get("Users").await;
    h.admin(Method::POST, "throttle", Some(json!({"burst": 1}))).await;
    h.get("Users").await;
    let defaulted = h.get("Users").await;

    assert_eq!(shown["retry_after_secs"], serde_json::Value::Null);
    assert_eq!(bare.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(bare.headers.get("retry-after").is_none(), "{:?}", bare.headers);
    assert_eq!(bare.body["error_code"], "REQUEST_LIMIT_EXCEEDED");
    assert_eq!(defaulted.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(defaulted.headers["retry-after"], "1");
}

#[tokio::test]
async fn a_throttle_status_outside_400_to_599_or_without_the_error_code_style_is_refused() {
    let h = Harness::new().await;

    let success =
        h.admin(Method::POST, "throttle", Some(json!({"burst": 1, "style": "error-code", "status": 200}))).await;
    let wrong_style = h.admin(Method::POST, "throttle", Some(json!({"burst": 1, "style": "429", "status": 400}))).await;
    let started = databricks_emulator::Emulator::start(Config {
        throttle: Some(Throttle {
            per_minute: 0,
            burst: 1,
            max_concurrent: 0,
            style: ThrottleStyle::ErrorCode { status: 302 },
        }),
        ..Config::default()
    })
    .await;

    for r in [&success, &wrong_style] {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body["error"].is_string());
    }
    assert_eq!(h.admin(Method::GET, "throttle", None).await.body, serde_json::Value::Null, "nothing was set");
    assert_eq!(started.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
}
