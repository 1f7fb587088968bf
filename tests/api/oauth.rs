//! OAuth 2.0 client credentials (RFC 6749 §4.4): the `oauth-token` function's answers and errors
//! (§5.1, §5.2), its access tokens accepted by the SCIM functions next to the static bearer tokens,
//! expired, altered and foreign tokens refused as a SCIM 401, signing-key rotation without a
//! refused token, clients and keys read from Secrets Manager (moto), and logs without a secret.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use lambda_http::Body;
use serde_json::{Value, json};
use shared::aws::SecretStore;
use shared::inbound::InboundAuth;
use shared::oauth::token::{self, SigningKey};
use shared::oauth::{TokenEndpoint, Verifier};
use tests::Operation::*;
use tests::{Call, Mode, SCIM_TOKEN, Shape, TestStack, logs, moto};

const CLIENT: &str = "one-identity";
const SECRET: &str = "oi-client-secret-0123456789";
const K1: &str = "signing-key-one-0123456789abcdefghij";
const K2: &str = "signing-key-two-0123456789abcdefghij";

fn clients_json() -> String {
    json!({CLIENT: SECRET, "sailpoint": "sp-client-secret-0123456789"}).to_string()
}

fn keys_json(current: &str, next: Option<&str>, previous: Option<&str>) -> String {
    let mut keys = json!({"current": current});
    if let Some(next) = next {
        keys["next"] = json!(next);
    }
    if let Some(previous) = previous {
        keys["previous"] = json!(previous);
    }
    keys.to_string()
}

/// A token endpoint with fixed clients and keys, as the local stack configures it.
fn endpoint(keys: &str) -> TokenEndpoint {
    let (clients, keys) = (clients_json(), keys.to_string());
    TokenEndpoint::from_lookup(
        |k| match k {
            "OAUTH_CLIENTS" => Some(clients.clone()),
            "OAUTH_SIGNING_KEYS" => Some(keys.clone()),
            _ => None,
        },
        None,
    )
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

/// A request to the token endpoint.
#[derive(Clone)]
struct TokenCall {
    method: &'static str,
    content_type: Option<&'static str>,
    authorization: Option<String>,
    body: String,
}

impl TokenCall {
    fn form(body: &str) -> TokenCall {
        TokenCall {
            method: "POST",
            content_type: Some("application/x-www-form-urlencoded"),
            authorization: None,
            body: body.to_string(),
        }
    }
    fn basic(body: &str, id: &str, secret: &str) -> TokenCall {
        TokenCall { authorization: Some(basic(id, secret)), ..TokenCall::form(body) }
    }
}

/// The REST API (v1) event API Gateway sends for `POST /v1/oauth/token`, or the HTTP API (v2)
/// event of `cargo lambda watch`.
fn token_event(call: &TokenCall, shape: Shape) -> lambda_http::Request {
    let mut headers = serde_json::Map::new();
    headers.insert("Host".into(), json!("abc123.execute-api.eu-west-1.amazonaws.com"));
    if let Some(c) = call.content_type {
        headers.insert("Content-Type".into(), json!(c));
    }
    if let Some(a) = &call.authorization {
        headers.insert("Authorization".into(), json!(a));
    }
    let event = match shape {
        Shape::RestV1 => {
            let multi: serde_json::Map<String, Value> = headers.iter().map(|(k, v)| (k.clone(), json!([v]))).collect();
            json!({
                "resource": "/oauth/token", "path": "/oauth/token", "httpMethod": call.method,
                "headers": headers, "multiValueHeaders": multi,
                "queryStringParameters": null, "multiValueQueryStringParameters": null,
                "pathParameters": null, "stageVariables": null,
                "requestContext": {
                    "accountId": "123456789012", "resourceId": "r2", "stage": "v1", "requestId": "req-oauth",
                    "identity": {"sourceIp": "203.0.113.10", "userAgent": "integration-test"},
                    "resourcePath": "/oauth/token", "httpMethod": call.method, "apiId": "abc123",
                    "path": "/v1/oauth/token", "protocol": "HTTP/1.1",
                    "domainName": "abc123.execute-api.eu-west-1.amazonaws.com"
                },
                "body": call.body, "isBase64Encoded": false
            })
        }
        Shape::HttpV2 => {
            let headers: serde_json::Map<String, Value> =
                headers.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect();
            json!({
                "version": "2.0", "routeKey": "$default", "rawPath": "/oauth/token", "rawQueryString": "",
                "headers": headers,
                "requestContext": {
                    "accountId": "123456789012", "apiId": "local", "domainName": "127.0.0.1", "domainPrefix": "127",
                    "http": {"method": call.method, "path": "/oauth/token", "protocol": "HTTP/1.1",
                             "sourceIp": "127.0.0.1", "userAgent": "integration-test"},
                    "requestId": "req-oauth-2", "routeKey": "$default", "stage": "$default",
                    "time": "23/Nov/2026:12:00:00 +0000", "timeEpoch": 1795000000000_i64
                },
                "body": call.body, "isBase64Encoded": false
            })
        }
    };
    lambda_http::request::from_str(&event.to_string()).expect("a valid gateway event")
}

struct TokenAnswer {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Value,
}

impl TokenAnswer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
    fn access_token(&self) -> String {
        assert_eq!(self.status, 200, "{}", self.body);
        self.body["access_token"].as_str().expect("an access token").to_string()
    }
}

async fn ask(endpoint: &TokenEndpoint, call: TokenCall) -> TokenAnswer {
    ask_as(endpoint, call, Shape::RestV1).await
}

async fn ask_as(endpoint: &TokenEndpoint, call: TokenCall, shape: Shape) -> TokenAnswer {
    let response = shared::http::oauth::handle(endpoint, token_event(&call, shape)).await;
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let body = match response.body() {
        Body::Text(t) => serde_json::from_str(t).expect("a JSON body"),
        _ => Value::Null,
    };
    TokenAnswer { status: response.status().as_u16(), headers, body }
}

/// The checks every token-endpoint answer passes: JSON, never cached (RFC 6749 §5.1), errors in
/// the §5.2 shape with a description of the allowed characters.
fn assert_oauth_answer(a: &TokenAnswer) {
    assert!(a.header("content-type").is_some_and(|c| c.starts_with("application/json")), "{:?}", a.headers);
    assert_eq!(a.header("cache-control"), Some("no-store"));
    assert_eq!(a.header("pragma"), Some("no-cache"));
    if a.status != 200 {
        let code = a.body["error"].as_str().unwrap_or_default();
        assert!(
            [
                "invalid_request",
                "invalid_client",
                "invalid_grant",
                "unauthorized_client",
                "unsupported_grant_type",
                "invalid_scope",
                "temporarily_unavailable",
            ]
            .contains(&code),
            "{}",
            a.body
        );
        let description = a.body["error_description"].as_str().unwrap_or_default();
        assert!(
            !description.is_empty() && description.chars().all(|c| (' '..='~').contains(&c) && c != '"' && c != '\\'),
            "RFC 6749 §5.2 error_description characters: {description:?}"
        );
    }
}

fn assert_error(a: &TokenAnswer, status: u16, code: &str) {
    assert_eq!((a.status, a.body["error"].as_str()), (status, Some(code)), "{}", a.body);
    assert_oauth_answer(a);
}

fn bearer(token: &str) -> Call {
    Call::get("/Users").authorization(Some(&format!("Bearer {token}")))
}

async fn oauth_stack(shape: Shape, keys: &str) -> TestStack {
    TestStack::start_with(Mode::Default, shape, |c| c, &[("OAUTH_SIGNING_KEYS", keys)]).await
}

fn key(secret: &str) -> SigningKey {
    SigningKey::new(secret).expect("a signing key")
}

#[tokio::test]
async fn a_token_from_the_endpoint_authorises_scim_calls_next_to_the_static_token() {
    let keys = keys_json(K1, None, None);
    let endpoint = endpoint(&keys);
    for shape in [Shape::RestV1, Shape::HttpV2] {
        let stack = oauth_stack(shape, &keys).await;
        let a = ask_as(&endpoint, TokenCall::basic("grant_type=client_credentials", CLIENT, SECRET), shape).await;
        assert_oauth_answer(&a);
        assert_eq!((a.body["token_type"].as_str(), a.body["expires_in"].as_u64()), (Some("Bearer"), Some(900)));
        assert!(a.body.get("scope").is_none() && a.body.get("refresh_token").is_none(), "{}", a.body);
        let access = a.access_token();
        let claims = token::verify(&shared::oauth::token::parse_signing_keys(&keys).unwrap(), &access, token::now());
        assert_eq!(claims.map(|c| (c.client_id, c.exp - c.iat)), Ok((CLIENT.to_string(), 900)));

        stack.reset_stats().await;
        assert_eq!(stack.call(ListUsers, bearer(&access)).await.status, 200, "{shape:?}");
        let disco =
            stack.call(Discovery, Call::get("/ServiceProviderConfig").authorization(Some(&format!("Bearer {access}"))));
        assert_eq!(disco.await.status, 200);
        let admin =
            stack.call(ListPartners, Call::get("/admin/partners").authorization(Some(&format!("Bearer {access}"))));
        assert_eq!(admin.await.status, 200);
        assert_eq!(stack.call(ListUsers, Call::get("/Users")).await.status, 200, "the static token still works");

        let form = format!("grant_type=client_credentials&client_id={CLIENT}&client_secret={SECRET}");
        let a = ask_as(&endpoint, TokenCall::form(&form), shape).await;
        assert_eq!(stack.call(ListUsers, bearer(&a.access_token())).await.status, 200, "form client authentication");
        let a = ask_as(&endpoint, TokenCall::basic("grant_type=client_credentials&scope=scim", CLIENT, SECRET), shape)
            .await;
        assert_eq!(a.body["scope"], "scim", "the requested scope is echoed");
        let with_id = format!("grant_type=client_credentials&client_id={CLIENT}");
        assert_eq!(ask_as(&endpoint, TokenCall::basic(&with_id, CLIENT, SECRET), shape).await.status, 200);
    }
}

#[tokio::test]
async fn client_authentication_failures_are_invalid_client_401_with_a_basic_challenge() {
    let endpoint = endpoint(&keys_json(K1, None, None));
    let grant = "grant_type=client_credentials";
    for (case, call) in [
        ("wrong secret", TokenCall::basic(grant, CLIENT, "not-the-secret-0123456789")),
        ("unknown client", TokenCall::basic(grant, "nobody", SECRET)),
        ("wrong form secret", TokenCall::form(&format!("{grant}&client_id={CLIENT}&client_secret=nope-0123456789"))),
        ("no client authentication", TokenCall::form(grant)),
        ("client_id alone", TokenCall::form(&format!("{grant}&client_id={CLIENT}"))),
        ("another scheme", TokenCall { authorization: Some(format!("Bearer {SCIM_TOKEN}")), ..TokenCall::form(grant) }),
        (
            "Basic without a colon",
            TokenCall { authorization: Some("Basic bm9jb2xvbg==".into()), ..TokenCall::form(grant) },
        ),
        ("Basic not base64", TokenCall { authorization: Some("Basic %%%".into()), ..TokenCall::form(grant) }),
    ] {
        let a = ask(&endpoint, call).await;
        assert_error(&a, 401, "invalid_client");
        assert_eq!(a.header("www-authenticate"), Some("Basic realm=\"oauth\""), "{case}");
    }
    let wrong = ask(&endpoint, TokenCall::basic(grant, CLIENT, "not-the-secret-0123456789")).await;
    let unknown = ask(&endpoint, TokenCall::basic(grant, "nobody", SECRET)).await;
    assert_eq!(wrong.body, unknown.body, "the answer does not tell whether the client id exists");
}

#[tokio::test]
async fn malformed_token_requests_are_the_rfc_6749_errors() {
    let endpoint = endpoint(&keys_json(K1, None, None));
    let cases = [
        ("missing grant_type", TokenCall::basic("scope=scim", CLIENT, SECRET), 400, "invalid_request"),
        ("empty grant_type", TokenCall::basic("grant_type=", CLIENT, SECRET), 400, "invalid_request"),
        (
            "password grant",
            TokenCall::basic("grant_type=password&username=a&password=b", CLIENT, SECRET),
            400,
            "unsupported_grant_type",
        ),
        (
            "authorization_code grant",
            TokenCall::basic("grant_type=authorization_code&code=x", CLIENT, SECRET),
            400,
            "unsupported_grant_type",
        ),
        (
            "Basic and a form secret",
            TokenCall::basic(
                &format!("grant_type=client_credentials&client_id={CLIENT}&client_secret={SECRET}"),
                CLIENT,
                SECRET,
            ),
            400,
            "invalid_request",
        ),
        (
            "Basic and another form client_id",
            TokenCall::basic("grant_type=client_credentials&client_id=sailpoint", CLIENT, SECRET),
            400,
            "invalid_request",
        ),
        (
            "form secret without client_id",
            TokenCall::form(&format!("grant_type=client_credentials&client_secret={SECRET}")),
            400,
            "invalid_request",
        ),
        (
            "repeated parameter",
            TokenCall::basic("grant_type=client_credentials&grant_type=client_credentials", CLIENT, SECRET),
            400,
            "invalid_request",
        ),
        (
            "JSON body",
            TokenCall {
                content_type: Some("application/json"),
                ..TokenCall::basic(r#"{"grant_type":"client_credentials"}"#, CLIENT, SECRET)
            },
            400,
            "invalid_request",
        ),
        (
            "no content type",
            TokenCall { content_type: None, ..TokenCall::basic("grant_type=client_credentials", CLIENT, SECRET) },
            400,
            "invalid_request",
        ),
        (
            "unknown scope",
            TokenCall::basic("grant_type=client_credentials&scope=admin", CLIENT, SECRET),
            400,
            "invalid_scope",
        ),
        ("GET", TokenCall { method: "GET", ..TokenCall::basic("", CLIENT, SECRET) }, 405, "invalid_request"),
    ];
    for (case, call, status, code) in cases {
        let a = ask(&endpoint, call).await;
        assert_eq!((a.status, a.body["error"].as_str()), (status, Some(code)), "{case}: {}", a.body);
        assert_oauth_answer(&a);
        assert!(a.header("www-authenticate").is_none(), "{case}");
    }
    let charset = TokenCall {
        content_type: Some("application/x-www-form-urlencoded; charset=UTF-8"),
        ..TokenCall::basic("grant_type=client_credentials", CLIENT, SECRET)
    };
    assert_eq!(ask(&endpoint, charset).await.status, 200, "a charset parameter is fine");
}

#[tokio::test]
async fn expired_altered_and_foreign_tokens_are_a_scim_401_with_invalid_token() {
    let keys = keys_json(K1, None, None);
    let stack = oauth_stack(Shape::RestV1, &keys).await;
    let now = token::now();
    let good = token::issue(&key(K1), CLIENT, now, 900);
    let parts: Vec<&str> = good.split('.').collect();
    let longer = token::issue(&key(K1), CLIENT, now, 3600);
    let foreign_payload =
        URL_SAFE_NO_PAD.encode(json!({"client_id": "admin", "iat": now, "exp": now + 3600}).to_string());
    let flipped_mac = {
        let mut mac = parts[2].to_string();
        let last = if mac.ends_with('A') { "B" } else { "A" };
        mac.replace_range(mac.len() - 1.., last);
        mac
    };
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let cases = [
        ("expired", token::issue(&key(K1), CLIENT, now - 1000, 900), "has expired"),
        (
            "payload swapped",
            format!("{}.{}.{}", parts[0], longer.split('.').nth(1).unwrap(), parts[2]),
            "signature is not valid",
        ),
        ("payload forged", format!("{}.{foreign_payload}.{}", parts[0], parts[2]), "signature is not valid"),
        ("MAC altered", format!("{}.{}.{flipped_mac}", parts[0], parts[1]), "signature is not valid"),
        ("MAC removed", format!("{}.{}.", parts[0], parts[1]), "signature is not valid"),
        ("another key", token::issue(&key(K2), CLIENT, now, 900), "a key this service does not accept"),
        ("alg none", format!("{none_header}.{}.", parts[1]), "malformed"),
    ];
    stack.reset_stats().await;
    for (case, bad, detail) in cases {
        let a = stack.call(ListUsers, bearer(&bad)).await;
        assert_eq!(a.status, 401, "{case}: {}", a.body);
        assert_eq!(a.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error", "{case}");
        assert_eq!(a.body["status"], "401");
        assert!(a.body["detail"].as_str().unwrap().contains(detail), "{case}: {}", a.body);
        assert_eq!(a.header("www-authenticate"), Some("Bearer realm=\"scim\", error=\"invalid_token\""), "{case}");
        assert_eq!(a.header("content-type"), Some("application/scim+json"));
    }
    assert_eq!(stack.target_calls().await, 0, "refused tokens never reach Databricks");
    assert_eq!(stack.call(ListUsers, bearer(&good)).await.status, 200, "the unaltered token works");
    let missing = stack.call(ListUsers, Call::get("/Users").authorization(None)).await;
    assert_eq!(
        missing.header("www-authenticate"),
        Some("Bearer realm=\"scim\""),
        "no token: no error code (RFC 6750 §3.1)"
    );
    let wrong_static = stack.call(ListUsers, bearer("wrong-static-token")).await;
    assert_eq!(wrong_static.header("www-authenticate"), Some("Bearer realm=\"scim\", error=\"invalid_token\""));
}

#[tokio::test]
async fn without_signing_keys_a_scim_function_accepts_no_access_token_and_the_endpoint_is_off() {
    let stack = TestStack::start(Mode::Default, Shape::RestV1).await;
    let a = stack.call(ListUsers, bearer(&token::issue(&key(K1), CLIENT, token::now(), 900))).await;
    assert_eq!((a.status, a.body["detail"].as_str()), (401, Some("the bearer token is not valid")));

    let off = TokenEndpoint::from_lookup(|_| None, None);
    let a = ask(&off, TokenCall::basic("grant_type=client_credentials", CLIENT, SECRET)).await;
    assert_error(&a, 404, "invalid_request");
    assert!(a.body["error_description"].as_str().unwrap().contains("not enabled"));

    let clients = clients_json();
    let half = TokenEndpoint::from_lookup(|k| (k == "OAUTH_CLIENTS").then(|| clients.clone()), None);
    assert!(matches!(half, TokenEndpoint::Broken(_)), "clients without signing keys: {half:?}");
    assert_error(
        &ask(&half, TokenCall::basic("grant_type=client_credentials", CLIENT, SECRET)).await,
        503,
        "temporarily_unavailable",
    );
    let short = TokenEndpoint::from_lookup(
        |k| match k {
            "OAUTH_CLIENTS" => Some(clients.clone()),
            "OAUTH_SIGNING_KEYS" => Some(r#"{"current":"too-short"}"#.into()),
            _ => None,
        },
        None,
    );
    assert!(
        matches!(&short, TokenEndpoint::Broken(reason) if !shared::scim::error::chain(reason).contains("too-short")),
        "{short:?}"
    );
}

fn unique(name: &str) -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("tests/oauth-{name}-{nanos:x}{:x}", std::process::id())
}

/// A token endpoint reading its clients and keys from moto, with the given cache timings.
async fn endpoint_from_secrets(clients_id: &str, keys_id: &str, ttl: Duration, miss: Duration) -> TokenEndpoint {
    let aws = moto::sdk_config().await;
    let (clients_id, keys_id) = (clients_id.to_string(), keys_id.to_string());
    TokenEndpoint::from_lookup(
        |k| match k {
            "OAUTH_CLIENTS_SECRET_ID" => Some(clients_id.clone()),
            "OAUTH_SIGNING_KEYS_SECRET_ID" => Some(keys_id.clone()),
            "OAUTH_TOKEN_LIFETIME_SECS" => Some("300".into()),
            _ => None,
        },
        Some(shared::aws::SecretStore::new(&aws)),
    )
    .with_cache_timings(ttl, miss)
}

/// A SCIM stack whose functions verify access tokens with the keys of a moto secret.
async fn stack_verifying_from(keys_id: &str, ttl: Duration, miss: Duration) -> TestStack {
    let mut stack = TestStack::start(Mode::Default, Shape::RestV1).await;
    let aws = moto::sdk_config().await;
    let verifier = Verifier::from_secret(SecretStore::new(&aws), keys_id).with_cache_timings(ttl, miss);
    let inbound = InboundAuth::new(vec![SCIM_TOKEN.to_string()]).with_access_tokens(verifier);
    let state = stack.state.clone();
    stack.state = shared::AppState { inbound, ..state };
    stack
}

#[tokio::test]
async fn signing_keys_rotate_from_next_to_current_to_previous_without_refusing_a_valid_token() {
    let aws = moto::sdk_config().await;
    let clients_id = moto::put_secret(&aws, &unique("clients"), &clients_json()).await;
    let keys_name = unique("keys");
    let keys_id = moto::put_secret(&aws, &keys_name, &keys_json(K1, None, None)).await;
    let endpoint = endpoint_from_secrets(&clients_id, &keys_id, Duration::ZERO, Duration::ZERO).await;
    let stack = stack_verifying_from(&keys_id, Duration::ZERO, Duration::ZERO).await;
    let fetch = || ask(&endpoint, TokenCall::basic("grant_type=client_credentials", CLIENT, SECRET));
    let status = |t: String| {
        let stack = &stack;
        async move { stack.call(ListUsers, bearer(&t)).await.status }
    };

    let a = fetch().await;
    assert_eq!(a.body["expires_in"], 300, "OAUTH_TOKEN_LIFETIME_SECS");
    let t1 = a.access_token();
    assert_eq!(token::kid_of(&t1).as_deref(), Some(key(K1).kid()));
    assert_eq!(status(t1.clone()).await, 200);

    // Step 1: announce the new key as `next`. Tokens signed with it are accepted at once, while
    // the endpoint still signs with `current`.
    moto::put_secret(&aws, &keys_name, &keys_json(K1, Some(K2), None)).await;
    let by_next = token::issue(&key(K2), CLIENT, token::now(), 300);
    assert_eq!(status(by_next.clone()).await, 200, "a token signed with next is accepted while current still signs");
    assert_eq!(status(t1.clone()).await, 200);
    assert_eq!(token::kid_of(&fetch().await.access_token()).as_deref(), Some(key(K1).kid()), "current signs");

    // Step 2: the switch. The new key signs; tokens of the old one stay valid until they expire.
    moto::put_secret(&aws, &keys_name, &keys_json(K2, None, Some(K1))).await;
    let t3 = fetch().await.access_token();
    assert_eq!(token::kid_of(&t3).as_deref(), Some(key(K2).kid()), "the new current signs");
    for (case, t) in [("new token", &t3), ("token signed with next before the switch", &by_next), ("old token", &t1)] {
        assert_eq!(status(t.clone()).await, 200, "{case} after the switch");
    }

    // Step 3 (the next rotation's step 1 does it too): the old key goes.
    moto::put_secret(&aws, &keys_name, &keys_json(K2, None, None)).await;
    let a = stack.call(ListUsers, bearer(&t1)).await;
    assert_eq!(a.status, 401, "{}", a.body);
    assert!(a.body["detail"].as_str().unwrap().contains("does not accept"));
    assert_eq!(status(t3).await, 200);
}

#[tokio::test]
async fn a_function_with_cached_keys_reads_them_again_for_an_unknown_key_id_but_not_per_request() {
    let aws = moto::sdk_config().await;
    let keys_name = unique("cached-keys");
    let keys_id = moto::put_secret(&aws, &keys_name, &keys_json(K1, None, None)).await;
    // Cached for the deployed 5 minutes; an unknown key id may cause a read at once.
    let stack = stack_verifying_from(&keys_id, Duration::from_secs(300), Duration::ZERO).await;
    assert_eq!(stack.call(ListUsers, bearer(&token::issue(&key(K1), CLIENT, token::now(), 300))).await.status, 200);

    moto::put_secret(&aws, &keys_name, &keys_json(K1, Some(K2), None)).await;
    let by_next = token::issue(&key(K2), CLIENT, token::now(), 300);
    assert_eq!(stack.call(ListUsers, bearer(&by_next)).await.status, 200, "the unknown kid made it read the secret");

    // A known key id is verified from the cache: deleting the secret changes nothing for it.
    let client = aws_sdk_secretsmanager::Client::new(&aws);
    client.delete_secret().secret_id(&keys_name).force_delete_without_recovery(true).send().await.unwrap();
    for _ in 0..3 {
        assert_eq!(stack.call(ListUsers, bearer(&by_next)).await.status, 200, "no read per request");
    }
    // An unknown key id now needs the (missing) secret: the service's fault, a SCIM 503.
    let a = stack
        .call(ListUsers, bearer(&token::issue(&key("signing-key-three-0123456789abcdefgh"), CLIENT, token::now(), 300)))
        .await;
    assert_eq!(a.status, 503, "{}", a.body);
    assert!(a.body["detail"].as_str().unwrap().contains("signing-key secret unavailable"));
}

#[tokio::test]
async fn the_token_endpoint_reads_clients_from_secrets_manager_and_takes_a_new_client_at_once() {
    let aws = moto::sdk_config().await;
    let clients_name = unique("clients-rotation");
    let clients_id = moto::put_secret(
        &aws,
        &clients_name,
        &json!({CLIENT: ["old-client-secret-0123456789", "new-client-secret-0123456789"]}).to_string(),
    )
    .await;
    let keys_id = moto::put_secret(&aws, &unique("keys2"), &keys_json(K1, None, None)).await;
    // Cached for the deployed 5 minutes; a refused client may cause a read at once.
    let endpoint = endpoint_from_secrets(&clients_id, &keys_id, Duration::from_secs(300), Duration::ZERO).await;
    let grant = "grant_type=client_credentials";
    for secret in ["old-client-secret-0123456789", "new-client-secret-0123456789"] {
        assert_eq!(
            ask(&endpoint, TokenCall::basic(grant, CLIENT, secret)).await.status,
            200,
            "either secret during a rotation"
        );
    }
    assert_error(
        &ask(&endpoint, TokenCall::basic(grant, "sailpoint", "sp-new-secret-0123456789")).await,
        401,
        "invalid_client",
    );
    moto::put_secret(
        &aws,
        &clients_name,
        &json!({CLIENT: "new-client-secret-0123456789", "sailpoint": "sp-new-secret-0123456789"}).to_string(),
    )
    .await;
    assert_eq!(
        ask(&endpoint, TokenCall::basic(grant, "sailpoint", "sp-new-secret-0123456789")).await.status,
        200,
        "a new client works at once"
    );
    assert_error(
        &ask(&endpoint, TokenCall::basic(grant, CLIENT, "old-client-secret-0123456789")).await,
        401,
        "invalid_client",
    );

    let missing = endpoint_from_secrets("tests/oauth-no-such-secret", &keys_id, Duration::ZERO, Duration::ZERO).await;
    let a = ask(&missing, TokenCall::basic(grant, CLIENT, "new-client-secret-0123456789")).await;
    assert_error(&a, 503, "temporarily_unavailable");
    let log = logs::captured();
    assert!(log.contains("tests/oauth-no-such-secret") && log.contains("does not exist"), "the log names the secret");
}

#[tokio::test]
async fn no_log_line_holds_a_client_secret_a_signing_key_an_access_token_or_an_unknown_client_id() {
    let keys = keys_json(K1, Some(K2), None);
    let stack = oauth_stack(Shape::RestV1, &keys).await;
    let endpoint = endpoint(&keys);
    let grant = "grant_type=client_credentials";
    let access = ask(&endpoint, TokenCall::basic(grant, CLIENT, SECRET)).await.access_token();
    assert_eq!(stack.call(ListUsers, bearer(&access)).await.status, 200);
    let pasted = "pasted-secret-in-the-id-field-4242";
    ask(&endpoint, TokenCall::basic(grant, pasted, SECRET)).await;
    ask(&endpoint, TokenCall::basic(grant, CLIENT, "wrong-secret-logcheck-4242")).await;
    ask(&endpoint, TokenCall::form(&format!("{grant}&client_id={CLIENT}&client_secret=form-secret-logcheck-4242")))
        .await;
    let expired = token::issue(&key(K1), CLIENT, token::now() - 5000, 900);
    assert_eq!(stack.call(ListUsers, bearer(&expired)).await.status, 401);

    let log = logs::captured();
    assert!(log.contains("access token issued") && log.contains("wrong client secret"), "logs were captured");
    let basic_value = basic(CLIENT, SECRET);
    let basic_value = basic_value.trim_start_matches("Basic ");
    for needle in [
        SECRET,
        K1,
        K2,
        &access,
        access.split('.').nth(2).unwrap(),
        &expired,
        basic_value,
        pasted,
        "wrong-secret-logcheck-4242",
        "form-secret-logcheck-4242",
        "sp-client-secret-0123456789",
    ] {
        assert!(!log.contains(needle), "a log line contains {needle:?}");
    }
}

/// The text of one top-level resource (or output) of template.yaml: from its key to the next key
/// indented by two spaces.
fn template_block<'a>(template: &'a str, name: &str) -> &'a str {
    let start = template.find(&format!("\n  {name}:\n")).unwrap_or_else(|| panic!("template.yaml has no {name}")) + 1;
    let rest = &template[start..];
    let end = rest
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| {
            let line = &rest[i..];
            (line.starts_with("  ") && !line.starts_with("   ") && !line.starts_with("  #")) || !line.starts_with(' ')
        })
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn the_template_keeps_the_clients_secret_to_the_token_function_and_the_keys_to_the_feature() {
    let template = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).unwrap();
    let token_function = template_block(&template, "OauthTokenFunction");
    let secrets: Vec<&str> = token_function.lines().filter(|l| l.contains("SecretArn:")).collect();
    assert_eq!(secrets.len(), 2, "{token_function}");
    assert!(secrets[0].contains("OAuthClientsSecret") && secrets[1].contains("OAuthSigningKeysSecret"), "{secrets:?}");
    assert!(token_function.matches("- OAuthOn").count() >= 3, "no secret and no permission while the feature is off");
    for op in tests::Operation::ALL {
        let logical_id: String = op
            .name()
            .split('-')
            .map(|p| p[..1].to_ascii_uppercase() + &p[1..])
            .chain(["Function".to_string()])
            .collect();
        let function = template_block(&template, &logical_id);
        assert!(!function.contains("OAuthClientsSecret"), "{logical_id} must not read the OAuth clients");
        assert!(
            template_block(&template, "OAuthSigningKeysReadPolicy").contains(&format!("- !Ref {logical_id}Role\n")),
            "{logical_id} can read the signing keys when the feature is on"
        );
    }
    let policy = template_block(&template, "OAuthSigningKeysReadPolicy");
    assert!(policy.contains("Condition: OAuthOn") && policy.contains("Action: secretsmanager:GetSecretValue"));
    assert!(!policy.contains("OAuthClientsSecret") && !policy.contains("OauthTokenFunctionRole"), "{policy}");
    let globals = template.split("\nGlobals:").nth(1).unwrap().split("\nResources:").next().unwrap();
    assert!(
        globals.contains("OAUTH_SIGNING_KEYS_SECRET_ID: !If\n          - OAuthOn"),
        "off unless the parameter says so"
    );
    assert!(template.contains("  OAuthClientCredentials:\n    Type: String\n    Default: 'false'"), "off by default");
}
