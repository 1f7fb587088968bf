use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::Harness;

#[tokio::test]
async fn a_missing_or_wrong_token_answers_401_in_the_platform_shape() {
    let h = Harness::new().await;

    let none = crate::helpers::reply(h.http.get(h.url("Users")).send().await.unwrap()).await;
    let wrong = h.call_as("dapi-wrong", Method::GET, "Users", None).await;

    for r in [none, wrong] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.body, json!({"error_code": "401", "message": "Unauthorized"}));
    }
}

#[tokio::test]
async fn workspace_routing_headers_are_accepted_and_ignored() {
    let h = Harness::new().await;

    let resp = h
        .http
        .get(h.url("Users"))
        .bearer_auth(databricks_emulator::DEFAULT_TOKEN)
        .header("X-Databricks-Workspace-Id", "1234")
        .header("X-Databricks-Org-Id", "1234")
        .header("Accept", "application/scim+json")
        .send()
        .await
        .unwrap();

    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_rotated_token_replaces_the_old_one() {
    let h = Harness::new().await;

    let r = h.admin(Method::POST, "token", Some(json!({"token": "dapi-next"}))).await;

    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(h.get("Users").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.call_as("dapi-next", Method::GET, "Users", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_configured_token_is_the_only_one_accepted() {
    let h = Harness::with(databricks_emulator::Config { token: "custom".into(), ..Default::default() }).await;

    assert_eq!(h.get("Users").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.call_as("custom", Method::GET, "Users", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_paths_under_the_api_answer_endpoint_not_supported() {
    let h = Harness::new().await;

    for path in ["Me", "Users/1/extra", "/api/2.0/clusters/list", "Schemas"] {
        let r = h.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.detail(), "Endpoint not supported.", "{path}");
        assert_eq!(r.body["status"], "404", "{path}");
    }
}
