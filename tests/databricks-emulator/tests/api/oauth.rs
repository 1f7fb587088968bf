use databricks_emulator::{Config, DEFAULT_TOKEN, OAuthClient};
use reqwest::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Harness, Reply, reply};

const CLIENT_ID: &str = "6f3c1a52-0d3e-4c1b-9a57-2b8d7c4e1f00";
const SECRET: &str = "dose0123456789abcdef0123456789abcdef";
const GRANT: &str = "grant_type=client_credentials&scope=all-apis";
const FORM: &str = "application/x-www-form-urlencoded";

async fn oauth_harness() -> Harness {
    Harness::with(Config {
        oauth_clients: vec![OAuthClient { client_id: CLIENT_ID.into(), client_secret: SECRET.into() }],
        ..Config::default()
    })
    .await
}

/// The exchange with HTTP Basic client authentication, as the Databricks SDKs do it.
async fn exchange_basic(h: &Harness, client_id: &str, secret: &str, form: &str) -> Reply {
    let req = h.http.post(h.url("/oidc/v1/token")).basic_auth(client_id, Some(secret));
    reply(req.header(CONTENT_TYPE, FORM).body(form.to_owned()).send().await.unwrap()).await
}

/// The exchange with the credentials in the form body.
async fn exchange_form(h: &Harness, form: &str) -> Reply {
    let req = h.http.post(h.url("/oidc/v1/token")).header(CONTENT_TYPE, FORM).body(form.to_owned());
    reply(req.send().await.unwrap()).await
}

/// A successful exchange's access token.
async fn access_token(h: &Harness, secret: &str) -> String {
    let r = exchange_basic(h, CLIENT_ID, secret, GRANT).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["access_token"].as_str().unwrap().to_owned()
}

async fn users_status(h: &Harness, token: &str) -> StatusCode {
    h.call_as(token, Method::GET, "Users", None).await.status
}

fn assert_unauthorized(r: &Reply) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body, json!({"error_code": "401", "message": "Unauthorized"}));
}

#[tokio::test]
async fn a_client_credentials_exchange_with_basic_auth_issues_a_bearer_token() {
    let h = oauth_harness().await;

    let r = exchange_basic(&h, CLIENT_ID, SECRET, GRANT).await;

    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers[CONTENT_TYPE], "application/json");
    assert_eq!(r.headers[CACHE_CONTROL], "no-store");
    let token = r.body["access_token"].as_str().unwrap();
    assert!(
        token.len() == 36 && token.starts_with("dose") && token[4..].chars().all(|c| c.is_ascii_hexdigit()),
        "{token}"
    );
    assert_eq!(r.body, json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": "all-apis"}));
}

#[tokio::test]
async fn client_credentials_in_the_form_body_are_accepted_too() {
    let h = oauth_harness().await;

    let r = exchange_form(&h, &format!("{GRANT}&client_id={CLIENT_ID}&client_secret={SECRET}")).await;

    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(users_status(&h, r.body["access_token"].as_str().unwrap()).await, StatusCode::OK);
}

#[tokio::test]
async fn each_exchange_issues_a_distinct_token_accepted_on_the_scim_api_beside_the_static_one() {
    let h = oauth_harness().await;
    let first = access_token(&h, SECRET).await;
    let second = access_token(&h, SECRET).await;

    let with_first = h.call_as(&first, Method::GET, "Users", None).await;

    assert_ne!(first, second);
    assert_eq!(with_first.status, StatusCode::OK, "{}", with_first.body);
    assert_eq!(with_first.body["totalResults"], 0);
    assert_eq!(users_status(&h, &second).await, StatusCode::OK);
    assert_eq!(users_status(&h, DEFAULT_TOKEN).await, StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_secret_an_unknown_client_or_no_credentials_answer_401_invalid_client() {
    let h = oauth_harness().await;

    let wrong_secret = exchange_basic(&h, CLIENT_ID, "dose-wrong", GRANT).await;
    let unknown_client = exchange_basic(&h, "someone-else", SECRET, GRANT).await;
    let wrong_form_secret = exchange_form(&h, &format!("{GRANT}&client_id={CLIENT_ID}&client_secret=nope")).await;
    let form_secret_without_id = exchange_form(&h, &format!("{GRANT}&client_secret={SECRET}")).await;
    let none = exchange_form(&h, GRANT).await;
    let bearer_instead = reply(
        h.http
            .post(h.url("/oidc/v1/token"))
            .header(CONTENT_TYPE, FORM)
            .header(AUTHORIZATION, format!("Bearer {SECRET}"))
            .body(GRANT)
            .send()
            .await
            .unwrap(),
    )
    .await;

    for r in [wrong_secret, unknown_client, wrong_form_secret, form_secret_without_id, none, bearer_instead] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(r.headers[CONTENT_TYPE], "application/json");
        assert_eq!(r.body, json!({"error": "invalid_client", "error_description": "Client authentication failed"}));
    }
}

#[tokio::test]
async fn a_wrong_or_missing_grant_type_answers_400_unsupported_grant_type() {
    let h = oauth_harness().await;

    let wrong = exchange_basic(&h, CLIENT_ID, SECRET, "grant_type=password&scope=all-apis").await;
    let missing = exchange_basic(&h, CLIENT_ID, SECRET, "scope=all-apis").await;

    for r in [wrong, missing] {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["error"], "unsupported_grant_type");
        assert!(r.body["error_description"].is_string());
    }
}

#[tokio::test]
async fn a_body_that_is_not_a_form_answers_400_invalid_request() {
    let h = oauth_harness().await;

    let json_body = reply(
        h.http
            .post(h.url("/oidc/v1/token"))
            .basic_auth(CLIENT_ID, Some(SECRET))
            .json(&json!({"grant_type": "client_credentials", "scope": "all-apis"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let bad_escape = exchange_basic(&h, CLIENT_ID, SECRET, "grant_type=client_credentials%zz").await;
    let both_methods = exchange_basic(&h, CLIENT_ID, SECRET, &format!("{GRANT}&client_secret={SECRET}")).await;

    for r in [json_body, bad_escape, both_methods] {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["error"], "invalid_request");
        assert!(r.body["error_description"].is_string());
    }
}

#[tokio::test]
async fn after_tokens_are_expired_the_old_token_gets_401_and_a_new_exchange_works() {
    let h = oauth_harness().await;
    let old = access_token(&h, SECRET).await;
    assert_eq!(users_status(&h, &old).await, StatusCode::OK);

    let expire = h.admin(Method::POST, "oauth-tokens/expire", None).await;
    let refused = h.call_as(&old, Method::GET, "Users", None).await;
    let fresh = access_token(&h, SECRET).await;

    assert_eq!(expire.status, StatusCode::NO_CONTENT);
    assert_unauthorized(&refused);
    assert_eq!(users_status(&h, &fresh).await, StatusCode::OK);
    assert_eq!(users_status(&h, DEFAULT_TOKEN).await, StatusCode::OK, "the static token is not an OAuth token");
}

#[tokio::test]
async fn a_token_past_its_configured_ttl_answers_401() {
    let h = Harness::with(Config {
        oauth_clients: vec![OAuthClient { client_id: CLIENT_ID.into(), client_secret: SECRET.into() }],
        oauth_token_ttl_secs: 0,
        ..Config::default()
    })
    .await;

    let r = exchange_basic(&h, CLIENT_ID, SECRET, GRANT).await;

    assert_eq!(r.body["expires_in"], 0);
    assert_unauthorized(&h.call_as(r.body["access_token"].as_str().unwrap(), Method::GET, "Users", None).await);
    assert_unauthorized(&h.call_as("dose00000000000000000000000000000000", Method::GET, "Users", None).await);
}

#[tokio::test]
async fn after_a_client_secret_is_rotated_the_old_secret_fails_and_the_new_one_works() {
    let h = oauth_harness().await;
    let issued_before = access_token(&h, SECRET).await;

    let rotate = h
        .admin(Method::POST, "oauth-clients", Some(json!({"client_id": CLIENT_ID, "client_secret": "dose-next"})))
        .await;
    let old_secret = exchange_basic(&h, CLIENT_ID, SECRET, GRANT).await;
    let new_secret = exchange_basic(&h, CLIENT_ID, "dose-next", GRANT).await;

    assert_eq!(rotate.status, StatusCode::NO_CONTENT, "{}", rotate.body);
    assert_eq!(old_secret.status, StatusCode::UNAUTHORIZED);
    assert_eq!(old_secret.body["error"], "invalid_client");
    assert_eq!(new_secret.status, StatusCode::OK, "{}", new_secret.body);
    assert_eq!(users_status(&h, new_secret.body["access_token"].as_str().unwrap()).await, StatusCode::OK);
    assert_eq!(users_status(&h, &issued_before).await, StatusCode::OK, "issued tokens live until they expire");
}

#[tokio::test]
async fn a_client_added_at_runtime_can_exchange_and_reset_restores_the_startup_clients() {
    let h = oauth_harness().await;
    h.admin(Method::POST, "oauth-clients", Some(json!({"client_id": "sp-new", "client_secret": "s-new"}))).await;
    h.admin(Method::POST, "oauth-clients", Some(json!({"client_id": CLIENT_ID, "client_secret": "rotated"}))).await;
    let added = exchange_basic(&h, "sp-new", "s-new", GRANT).await;
    let token = added.body["access_token"].as_str().unwrap().to_owned();

    let reset = h.admin(Method::POST, "reset", None).await;

    assert_eq!(added.status, StatusCode::OK);
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert_unauthorized(&h.call_as(&token, Method::GET, "Users", None).await);
    assert_eq!(exchange_basic(&h, "sp-new", "s-new", GRANT).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(exchange_basic(&h, CLIENT_ID, "rotated", GRANT).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(exchange_basic(&h, CLIENT_ID, SECRET, GRANT).await.status, StatusCode::OK);
}

#[tokio::test]
async fn token_requests_are_counted_and_logged_without_the_secret_or_the_access_token() {
    let h = oauth_harness().await;
    let token = access_token(&h, SECRET).await;
    exchange_form(&h, &format!("{GRANT}&client_id={CLIENT_ID}&client_secret={SECRET}")).await;
    exchange_basic(&h, CLIENT_ID, "dose-wrong-secret", GRANT).await;
    h.call_as(&token, Method::GET, "Users", None).await;

    let stats_text = h.http.get(h.url("/_emulator/stats")).send().await.unwrap().text().await.unwrap();
    let log_text = h.http.get(h.url("/_emulator/requests")).send().await.unwrap().text().await.unwrap();

    let stats: serde_json::Value = serde_json::from_str(&stats_text).unwrap();
    let log: serde_json::Value = serde_json::from_str(&log_text).unwrap();
    assert_eq!(stats, json!({"total": 4, "counts": {"POST oidc": 3, "GET Users": 1}}));
    let entry = json!({"method": "POST", "resource": "oidc", "path": "/oidc/v1/token", "query": "", "body": null});
    assert_eq!(log[0], entry);
    assert_eq!(log[1], entry);
    assert_eq!(log[2], entry);
    assert_eq!(log[3]["resource"], "Users");
    let basic = "NmYzYzFhNTItMGQzZS00YzFiLTlhNTctMmI4ZDdjNGUxZjAwOmRvc2UwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg";
    for text in [&stats_text, &log_text] {
        for secret in [SECRET, "dose-wrong-secret", token.as_str(), basic, "client_secret", "Basic"] {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
    }
}

#[tokio::test]
async fn static_token_rotation_still_works_and_leaves_oauth_tokens_alone() {
    let h = oauth_harness().await;
    let oauth_token = access_token(&h, SECRET).await;

    let rotate = h.admin(Method::POST, "token", Some(json!({"token": "dapi-rotated"}))).await;

    assert_eq!(rotate.status, StatusCode::NO_CONTENT);
    assert_unauthorized(&h.call_as(DEFAULT_TOKEN, Method::GET, "Users", None).await);
    assert_eq!(users_status(&h, "dapi-rotated").await, StatusCode::OK);
    assert_eq!(users_status(&h, &oauth_token).await, StatusCode::OK);
}

#[tokio::test]
async fn oauth_client_admin_bodies_are_validated() {
    let h = oauth_harness().await;

    let empty_secret =
        h.admin(Method::POST, "oauth-clients", Some(json!({"client_id": "x", "client_secret": ""}))).await;
    let missing_id = h.admin(Method::POST, "oauth-clients", Some(json!({"client_secret": "s"}))).await;
    let extra = h
        .admin(Method::POST, "oauth-clients", Some(json!({"client_id": "x", "client_secret": "s", "scope": "all"})))
        .await;

    for r in [empty_secret, missing_id, extra] {
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body["error"].is_string());
    }
    assert_eq!(exchange_basic(&h, "x", "s", GRANT).await.status, StatusCode::UNAUTHORIZED);
}
