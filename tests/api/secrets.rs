//! The deployed credential paths against moto's Secrets Manager on loopback: the Databricks
//! credential (PAT or OAuth M2M) and the inbound bearer tokens, their rotation without a
//! redeploy, broken secrets, and logs that never show a secret.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use shared::aws::SecretStore;
use shared::databricks::client::http_client;
use shared::databricks::credentials::SecretsManagerToken;
use shared::inbound::InboundAuth;
use shared::{AppState, Config};
use tests::Operation::*;
use tests::{Call, Mode, SCIM_TOKEN, Shape, TestStack, logs, moto};

fn unique(name: &str) -> String {
    format!("tests/{name}-{}", fastrand_suffix())
}

fn fastrand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{nanos:x}{:x}", std::process::id())
}

/// A bridge state that reads the Databricks credential from `secret_id` and the inbound tokens
/// from `inbound` (fixed test tokens unless a test says otherwise).
async fn bridge(stack: &TestStack, secret_id: &str, inbound: Option<InboundAuth>) -> AppState {
    let aws = moto::sdk_config().await;
    let host = stack.emulator.base_url();
    let config = Config::from_lookup(|k| match k {
        "DATABRICKS_HOST" => Some(host.clone()),
        "DATABRICKS_SECRET_ID" => Some(secret_id.to_string()),
        "DATABRICKS_RETRY_BUDGET_MS" => Some("2000".into()),
        _ => None,
    })
    .expect("config");
    let http = http_client().expect("http client");
    let tokens = Arc::new(SecretsManagerToken::new(SecretStore::new(&aws), secret_id, &host, http.clone()));
    let inbound = inbound.unwrap_or_else(|| InboundAuth::new(vec![SCIM_TOKEN.to_string()]));
    AppState::with_parts(config, http, tokens, inbound).expect("state")
}

async fn stack() -> TestStack {
    TestStack::start(Mode::Default, Shape::RestV1).await
}

#[tokio::test]
async fn a_handler_reads_the_databricks_token_from_secrets_manager_and_calls_databricks() {
    let mut stack = stack().await;
    let aws = moto::sdk_config().await;
    let secret = moto::put_secret(
        &aws,
        &unique("pat"),
        &json!({"host": stack.emulator.base_url(), "token": tests::DATABRICKS_TOKEN}).to_string(),
    )
    .await;
    stack.state = bridge(&stack, &secret, None).await;
    let a = stack.call(ListUsers, Call::get("/Users")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(stack.target_calls().await, 1);
}

#[tokio::test]
async fn after_rotating_secret_and_target_token_the_next_request_succeeds_after_exactly_one_401() {
    let mut stack = stack().await;
    let aws = moto::sdk_config().await;
    let name = unique("rotated");
    let secret = moto::put_secret(&aws, &name, tests::DATABRICKS_TOKEN).await;
    stack.state = bridge(&stack, &secret, None).await;
    assert_eq!(stack.call(ListUsers, Call::get("/Users")).await.status, 200, "warm the cache");

    stack.rotate_target_token("dapi-rotated-token-v2").await;
    moto::put_secret(&aws, &name, "dapi-rotated-token-v2").await;
    stack.reset_stats().await;
    let a = stack.call(ListUsers, Call::get("/Users")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(stack.target_calls().await, 2, "one 401 with the cached token, then success with the re-read one");
    stack.reset_stats().await;
    assert_eq!(stack.call(ListUsers, Call::get("/Users")).await.status, 200);
    assert_eq!(stack.target_calls().await, 1, "the new token is cached");
}

#[tokio::test]
async fn an_oauth_m2m_secret_is_exchanged_once_and_again_only_after_databricks_refuses_the_token() {
    let mut stack = stack().await;
    stack.admin_post("oauth-clients", json!({"client_id": "sp-app-id", "client_secret": "dose-oauth-secret-1"})).await;
    let aws = moto::sdk_config().await;
    let value =
        json!({"host": stack.emulator.base_url(), "client_id": "sp-app-id", "client_secret": "dose-oauth-secret-1"});
    let secret = moto::put_secret(&aws, &unique("oauth"), &value.to_string()).await;
    stack.state = bridge(&stack, &secret, None).await;
    stack.reset_stats().await;
    for _ in 0..3 {
        assert_eq!(stack.call(ListUsers, Call::get("/Users")).await.status, 200);
    }
    let stats = stack.stats().await;
    assert_eq!(stats["counts"]["POST oidc"], 1, "one token exchange for three requests: {stats}");
    assert_eq!(stats["counts"]["GET Users"], 3);

    stack.admin_post("oauth-tokens/expire", json!({})).await;
    stack.reset_stats().await;
    let a = stack.call(ListUsers, Call::get("/Users")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let stats = stack.stats().await;
    assert_eq!(stats["counts"]["GET Users"], 2, "a 401, then the retry: {stats}");
    assert_eq!(stats["counts"]["POST oidc"], 1, "exactly one new exchange: {stats}");
}

#[tokio::test]
async fn a_missing_or_malformed_databricks_secret_is_a_scim_503_and_the_log_names_the_secret_not_its_value() {
    let mut stack = stack().await;
    let aws = moto::sdk_config().await;
    let missing = "tests/this-secret-does-not-exist";
    stack.state = bridge(&stack, missing, None).await;
    let a = stack.call(ListUsers, Call::get("/Users")).await;
    assert_eq!(a.status, 503, "{}", a.body);
    assert_eq!(a.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
    assert!(a.body["detail"].as_str().unwrap().contains("credential"), "{}", a.body);
    assert_eq!(stack.target_calls().await, 0);

    let malformed = moto::put_secret(&aws, &unique("malformed"), r#"{"host":"x","tokn":"dapi-typo-value-123"}"#).await;
    stack.state = bridge(&stack, &malformed, None).await;
    let a = stack.call(GetUser, Call::get("/Users/123")).await;
    assert_eq!(a.status, 503, "{}", a.body);
    assert!(!a.body.to_string().contains("dapi-typo-value-123"));

    let log = logs::captured();
    assert!(log.contains(missing) && log.contains("does not exist"), "the log says which secret and why");
    assert!(log.contains(&malformed) && log.contains("needs"), "the log says which secret and why");
    assert!(!log.contains("dapi-typo-value-123"), "never the value");
}

#[tokio::test]
async fn inbound_tokens_come_from_a_secret_and_a_rotation_needs_no_redeploy() {
    let mut stack = stack().await;
    let aws = moto::sdk_config().await;
    let db = moto::put_secret(&aws, &unique("db"), tests::DATABRICKS_TOKEN).await;
    let name = unique("inbound");
    let inbound_secret = moto::put_secret(&aws, &name, r#"{"current":"tok-current-1"}"#).await;
    let inbound = InboundAuth::from_secret(SecretStore::new(&aws), &inbound_secret)
        .with_cache_timings(Duration::ZERO, Duration::ZERO);
    stack.state = bridge(&stack, &db, Some(inbound)).await;
    let with = |t: &str| Call::get("/Users").authorization(Some(&format!("Bearer {t}")));
    assert_eq!(stack.call(ListUsers, with("tok-current-1")).await.status, 200);
    assert_eq!(stack.call(ListUsers, with("tok-next-2")).await.status, 401);

    moto::put_secret(&aws, &name, r#"{"current":"tok-current-1","next":"tok-next-2"}"#).await;
    assert_eq!(stack.call(ListUsers, with("tok-next-2")).await.status, 200, "next is accepted without a redeploy");
    assert_eq!(stack.call(ListUsers, with("tok-current-1")).await.status, 200, "and current still is");
    moto::put_secret(&aws, &name, r#"{"current":"tok-next-2"}"#).await;
    let old = stack.call(ListUsers, with("tok-current-1")).await;
    assert_eq!(old.status, 401, "the retired token is refused once the cache (5 min when deployed) is stale");
    assert!(old.header("www-authenticate").is_some());

    moto::put_secret(&aws, &name, "{}").await;
    let a = stack.call(ListUsers, with("tok-whatever")).await;
    assert_eq!(a.status, 503, "an unusable token secret is the service's fault, not the caller's: {}", a.body);
}

#[tokio::test]
async fn no_log_line_contains_a_secret_a_token_a_bearer_value_or_an_email() {
    let mut stack = stack().await;
    let aws = moto::sdk_config().await;
    stack.admin_post("oauth-clients", json!({"client_id": "log-sp", "client_secret": "dose-log-check-secret"})).await;
    let value =
        json!({"host": stack.emulator.base_url(), "client_id": "log-sp", "client_secret": "dose-log-check-secret"});
    let secret = moto::put_secret(&aws, &unique("logcheck"), &value.to_string()).await;
    stack.state = bridge(&stack, &secret, None).await;
    let email = "log.check.person@example.com";
    let created = stack
        .call(
            CreateUser,
            Call::post(
                "/Users",
                json!({"userName": email, "name": {"givenName": "Logan", "familyName": "Checkworth"}}),
            ),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    let patch = json!({"Operations": [{"op": "replace", "path": "emails[value eq \"log.check.person@example.com\"].value", "value": email}]});
    assert_eq!(stack.call(PatchUser, Call::patch(&format!("/Users/{id}"), patch)).await.status, 200);
    stack.call(ListUsers, Call::get("/Users").query("filter", &format!("userName eq \"{email}\""))).await;
    stack.call(ListUsers, Call::get("/Users").authorization(Some("Bearer wrong-bearer-value-xyz"))).await;
    stack.call(CreateUser, Call::post("/Users", json!({"userName": email}))).await; // 409

    let log = logs::captured();
    assert!(log.contains("scim request"), "logs were captured");
    for needle in [
        SCIM_TOKEN,
        tests::DATABRICKS_TOKEN,
        "dose-log-check-secret",
        "wrong-bearer-value-xyz",
        "log.check.person",
        "Logan",
        "Checkworth",
        "dapi-rotated-token-v2",
        "tok-current-1",
        "tok-next-2",
        "dose-oauth-secret-1",
    ] {
        assert!(!log.contains(needle), "a log line contains {needle:?}");
    }
}

#[tokio::test]
async fn with_the_account_target_an_oauth_secret_is_exchanged_at_the_account_s_endpoint_and_the_workspace_s() {
    let mut stack = TestStack::start_for(tests::Target::Account, Mode::Default, Shape::RestV1, |c| c, &[]).await;
    stack.admin_post("oauth-clients", json!({"client_id": "account-sp", "client_secret": "dose-account-secret"})).await;
    let aws = moto::sdk_config().await;
    let value = json!({"client_id": "account-sp", "client_secret": "dose-account-secret"});
    let secret = moto::put_secret(&aws, &unique("account-oauth"), &value.to_string()).await;
    let host = stack.emulator.base_url();
    let config = Config::from_lookup(|k| match k {
        "DATABRICKS_HOST" | "DATABRICKS_ACCOUNTS_HOST" => Some(host.clone()),
        "DATABRICKS_SECRET_ID" => Some(secret.clone()),
        "DATABRICKS_TARGET" => Some("account".into()),
        "DATABRICKS_ACCOUNT_ID" => Some(tests::ACCOUNT_ID.into()),
        "SCIM_BEARER_TOKENS" => Some(SCIM_TOKEN.into()),
        _ => None,
    })
    .expect("config");
    stack.state = AppState::build(config, Some(&aws)).expect("state");
    stack.reset_stats().await;

    assert_eq!(stack.call(ListUsers, Call::get("/Users")).await.status, 200);
    assert_eq!(stack.call(ListPartners, Call::get("/admin/partners")).await.status, 200);
    let paths: Vec<String> =
        stack.target_requests().await.iter().map(|r| r["path"].as_str().unwrap().to_string()).collect();
    let account = format!("/api/2.0/accounts/{}", tests::ACCOUNT_ID);
    assert_eq!(
        paths,
        vec![
            format!("/oidc/accounts/{}/v1/token", tests::ACCOUNT_ID),
            format!("{account}/scim/v2/Users"),
            "/oidc/v1/token".to_string(),
            "/api/2.0/preview/scim/v2/ServicePrincipals".to_string(),
        ]
    );
}
