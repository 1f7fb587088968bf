//! The Databricks client on its own: the URLs it builds, and against a loopback server started
//! by each test (axum on 127.0.0.1:0, answering from a script) which calls it repeats, which it
//! never repeats, how it reads throttling, and that it stays inside its retry budget and
//! deadline. Assertions are on what the server saw (requests, their count, their headers) and on
//! the error's kind, not on the shape of a successful answer.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::response::{IntoResponse, Response};

use super::*;
use crate::databricks::StaticToken;
use crate::databricks::credentials::{BearerToken, BoxFuture};
use crate::databricks::model::{Group, ServicePrincipal, User, UserCreate};

/// The bridge's credential in these tests; it must never show in an error.
const TOKEN: &str = "dapi-secret-0123456789abcdef";

const USER: &str = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"123","userName":"ann@example.com","displayName":"Ann","active":true,"emails":[{"value":"ann@example.com","type":"work","primary":true}]}"#;
const EMPTY_LIST: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}"#;

/// One scripted answer: status, Retry-After (if any), body.
#[derive(Clone, Debug)]
struct Answer {
    status: u16,
    retry_after: Option<&'static str>,
    body: String,
}

fn answer(status: u16, body: &str) -> Answer {
    Answer { status, retry_after: None, body: body.to_string() }
}

fn throttled(retry_after: Option<&'static str>) -> Answer {
    Answer { status: 429, retry_after, body: r#"{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"slow down"}"#.into() }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    query: Option<String>,
    authorization: Option<String>,
    accept: Option<String>,
}

/// The loopback Databricks: answers in script order, the last answer again once the script is
/// used up, and records every request.
#[derive(Default)]
struct Server {
    script: Mutex<VecDeque<Answer>>,
    last: Mutex<Option<Answer>>,
    seen: Mutex<Vec<Seen>>,
}

impl Server {
    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("the log").clone()
    }

    fn count(&self) -> usize {
        self.seen.lock().expect("the log").len()
    }

    fn next(&self) -> Answer {
        let mut script = self.script.lock().expect("the script");
        let mut last = self.last.lock().expect("the last answer");
        if let Some(next) = script.pop_front() {
            *last = Some(next);
        }
        last.clone().unwrap_or_else(|| answer(500, "the script is empty"))
    }
}

async fn serve(server: Arc<Server>, method: axum::http::Method, uri: axum::http::Uri, headers: HeaderMap) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(String::from);
    server.seen.lock().expect("the log").push(Seen {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().map(String::from),
        authorization: header("authorization"),
        accept: header("accept"),
    });
    let next = server.next();
    let status = AxumStatus::from_u16(next.status).expect("a status");
    let mut response = (status, [("content-type", "application/json")], next.body).into_response();
    if let Some(retry_after) = next.retry_after {
        response.headers_mut().insert("retry-after", retry_after.parse().expect("a header value"));
    }
    response
}

/// Starts a server answering `script` on a loopback port.
async fn listen(script: Vec<Answer>) -> (Arc<Server>, SocketAddr) {
    let server = Arc::new(Server { script: Mutex::new(script.into()), ..Server::default() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let address = listener.local_addr().expect("its address");
    let state = Arc::clone(&server);
    let app = axum::Router::new().fallback(move |method, uri, headers| serve(Arc::clone(&state), method, uri, headers));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (server, address)
}

/// A server answering `script` and a client for it with `budget` as its retry budget.
async fn start(script: Vec<Answer>, budget: Duration) -> (Arc<Server>, DatabricksClient) {
    let (server, address) = listen(script).await;
    (server, client_for(address, Arc::new(StaticToken::new(TOKEN)), budget))
}

/// A loopback address nothing listens on (it was open a moment ago): connections are refused.
async fn closed_address() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    listener.local_addr().expect("its address")
}

fn client_for(address: SocketAddr, tokens: Arc<dyn TokenSource>, budget: Duration) -> DatabricksClient {
    let http = http_client().expect("an HTTP client");
    DatabricksClient::new(&format!("http://{address}"), http, tokens, budget).expect("a client")
}

const BUDGET: Duration = Duration::from_secs(6);

fn id(raw: &str) -> DatabricksId {
    DatabricksId::parse(raw).expect("a Databricks id")
}

fn pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect()
}

/// Every way a call can be made, with the answer that makes it succeed.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Call {
    Get,
    List,
    Tokens,
    Create,
    Patch,
    Delete,
}

const READS: [Call; 3] = [Call::Get, Call::List, Call::Tokens];
const WRITES: [Call; 3] = [Call::Create, Call::Patch, Call::Delete];

impl Call {
    fn success(self) -> Answer {
        match self {
            Call::Get | Call::Create => answer(200, USER),
            Call::List => answer(200, EMPTY_LIST),
            Call::Tokens => answer(200, r#"{"token_infos":[]}"#),
            Call::Patch | Call::Delete => answer(204, ""),
        }
    }

    async fn on(self, client: &DatabricksClient) -> Result<(), DatabricksError> {
        let user = UserCreate::new("ann@example.com".into(), "ann@example.com".into());
        match self {
            Call::Get => client.get::<User>(&id("123"), &Selection::default()).await.map(drop),
            Call::List => client.list::<User>(&ListParams::default()).await.map(drop),
            Call::Tokens => client.tokens().await.map(drop),
            Call::Create => client.create::<User>(&user).await.map(drop),
            Call::Patch => {
                client.patch::<User>(&id("123"), &[PatchOperation::replace("active", "false")]).await.map(drop)
            }
            Call::Delete => client.delete::<User>(&id("123")).await,
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Pure behaviour

#[test]
fn a_workspace_host_becomes_an_https_url_without_a_trailing_slash() {
    assert_eq!(workspace_url("dbc-1.cloud.databricks.com"), "https://dbc-1.cloud.databricks.com");
    assert_eq!(workspace_url("  https://dbc-1.cloud.databricks.com/ \n"), "https://dbc-1.cloud.databricks.com");
    assert_eq!(workspace_url("http://127.0.0.1:8080//"), "http://127.0.0.1:8080");
}

#[test]
fn a_host_that_is_no_url_is_refused_when_the_client_is_built() {
    let http = http_client().expect("an HTTP client");
    let tokens: Arc<dyn TokenSource> = Arc::new(StaticToken::new(TOKEN));
    assert!(DatabricksClient::new("http://[::1", http.clone(), Arc::clone(&tokens), BUDGET).is_err());
    assert!(DatabricksClient::new("dbc-1.cloud.databricks.com", http, tokens, BUDGET).is_ok());
}

#[test]
fn backoff_grows_with_jitter_and_stays_under_its_cap() {
    for attempt in 0..40 {
        let wait = backoff(attempt);
        assert!(wait >= Duration::from_millis(125), "attempt {attempt}: {wait:?}");
        assert!(wait <= Duration::from_secs(4), "attempt {attempt}: {wait:?}");
    }
    assert!((0..50).all(|_| backoff(0) <= Duration::from_millis(250)));
    assert!((0..50).all(|_| backoff(3) >= Duration::from_secs(1)));
}

#[test]
fn the_client_debug_output_shows_the_workspace_and_not_the_credential() {
    let http = http_client().expect("an HTTP client");
    let client = DatabricksClient::new("dbc-1.cloud.databricks.com", http, Arc::new(StaticToken::new(TOKEN)), BUDGET)
        .expect("a client");
    let shown = format!("{client:?}");
    assert!(shown.contains("dbc-1.cloud.databricks.com"), "{shown}");
    assert!(!shown.contains(TOKEN), "{shown}");
}

// ------------------------------------------------------------------------------------------------
// URLs and headers, as the server sees them

#[tokio::test]
async fn every_call_goes_to_its_scim_path_with_the_bearer_token() {
    let expected = [
        (Call::Get, "GET", "/api/2.0/preview/scim/v2/Users/123"),
        (Call::List, "GET", "/api/2.0/preview/scim/v2/Users"),
        (Call::Tokens, "GET", "/api/2.0/token-management/tokens"),
        (Call::Create, "POST", "/api/2.0/preview/scim/v2/Users"),
        (Call::Patch, "PATCH", "/api/2.0/preview/scim/v2/Users/123"),
        (Call::Delete, "DELETE", "/api/2.0/preview/scim/v2/Users/123"),
    ];
    for (call, method, path) in expected {
        let (server, client) = start(vec![call.success()], BUDGET).await;

        let outcome = call.on(&client).await;

        assert!(outcome.is_ok(), "{call:?}: {outcome:?}");
        let seen = server.requests();
        assert_eq!(seen.len(), 1, "{call:?}: {seen:?}");
        assert_eq!((seen[0].method.as_str(), seen[0].path.as_str()), (method, path), "{call:?}");
        assert_eq!(seen[0].authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()), "{call:?}");
        assert_eq!(seen[0].accept.as_deref(), Some("application/json"), "{call:?}");
    }
}

#[tokio::test]
async fn each_resource_has_its_own_endpoint() {
    for (resource, path) in [
        (Resource::User, "/api/2.0/preview/scim/v2/Users/42"),
        (Resource::Group, "/api/2.0/preview/scim/v2/Groups/42"),
        (Resource::ServicePrincipal, "/api/2.0/preview/scim/v2/ServicePrincipals/42"),
    ] {
        let (server, client) = start(vec![answer(204, "")], BUDGET).await;

        let outcome = match resource {
            Resource::User => client.delete::<User>(&id("42")).await,
            Resource::Group => client.delete::<Group>(&id("42")).await,
            Resource::ServicePrincipal => client.delete::<ServicePrincipal>(&id("42")).await,
        };

        assert!(outcome.is_ok(), "{resource:?}: {outcome:?}");
        assert_eq!(server.requests().iter().map(|s| s.path.clone()).collect::<Vec<_>>(), [path]);
    }
}

#[tokio::test]
async fn a_list_filter_reaches_databricks_percent_encoded_and_whole() {
    let filter = r#"userName eq "a&b=c d+e/#?%25é" or displayName co "x;y""#;
    let (server, client) = start(vec![answer(200, EMPTY_LIST)], BUDGET).await;
    let params = ListParams {
        filter: Some(filter.to_string()),
        start_index: 0,
        count: 7,
        attributes: vec!["id", "userName"],
        excluded_attributes: vec!["groups"],
    };

    let outcome = client.list::<User>(&params).await;

    assert!(outcome.is_ok(), "{outcome:?}");
    let seen = server.requests();
    let query = seen[0].query.as_deref();
    let raw = query.unwrap_or_default();
    assert!(!raw.contains('"') && !raw.contains(' ') && !raw.contains('#'), "{raw}");
    let expected = [("filter", filter), ("startIndex", "1"), ("count", "7"), ("attributes", "id,userName")];
    let expected: Vec<(String, String)> = expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    assert_eq!(pairs(query), expected, "startIndex is at least 1; attributes win over excludedAttributes");
}

#[tokio::test]
async fn a_read_asks_for_only_the_excluded_attributes_when_no_attributes_are_named() {
    let (server, client) = start(vec![answer(200, USER)], BUDGET).await;
    let selection = Selection { attributes: vec![], excluded_attributes: vec!["members", "entitlements"] };

    let outcome = client.get::<Group>(&id("7"), &selection).await;

    assert!(outcome.is_ok(), "{outcome:?}");
    let query = server.requests()[0].query.clone();
    assert_eq!(pairs(query.as_deref()), [("excludedAttributes".to_string(), "members,entitlements".to_string())]);
}

#[tokio::test]
async fn a_read_without_a_selection_sends_no_query() {
    let (server, client) = start(vec![answer(200, USER)], BUDGET).await;

    let outcome = client.get::<User>(&id("9"), &Selection::default()).await;

    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(server.requests()[0].query, None);
}

// ------------------------------------------------------------------------------------------------
// What is repeated

/// Answers that a read repeats (at most twice) and a write never does: the write's outcome is
/// unknown, so the caller re-reads instead.
fn unavailable() -> Vec<(&'static str, Answer)> {
    vec![
        ("502", answer(502, "<html>Bad Gateway</html>")),
        ("503", answer(503, "")),
        ("504", answer(504, r#"{"message":"gateway timeout"}"#)),
        (
            "400 TEMPORARILY_UNAVAILABLE",
            answer(400, r#"{"error_code":"TEMPORARILY_UNAVAILABLE","message":"try later"}"#),
        ),
        ("500 TEMPORARILY_UNAVAILABLE detail", answer(500, r#"{"detail":"TEMPORARILY_UNAVAILABLE: try later"}"#)),
    ]
}

#[tokio::test]
async fn a_read_is_repeated_when_databricks_is_unavailable_and_succeeds() {
    let mut cases: Vec<(&str, Answer, Call)> = unavailable().into_iter().map(|(why, a)| (why, a, Call::Get)).collect();
    cases.extend([Call::List, Call::Tokens].map(|call| ("503", answer(503, ""), call)));
    for (why, failure, call) in cases {
        let (server, client) = start(vec![failure.clone(), failure, call.success()], BUDGET).await;

        let outcome = call.on(&client).await;

        assert!(outcome.is_ok(), "{call:?} after {why} twice: {outcome:?}");
        assert_eq!(server.count(), 3, "{call:?} after {why} twice: two repeats");
        assert_eq!(client.counters().snapshot().1, 2, "{call:?} after {why} twice: two retries counted");
    }
}

#[tokio::test]
async fn a_read_gives_up_after_two_repeats() {
    for (why, failure) in unavailable() {
        let (server, client) = start(vec![failure], BUDGET).await;

        let outcome = Call::Get.on(&client).await;

        assert!(matches!(outcome, Err(DatabricksError::Server { .. })), "{why}: {outcome:?}");
        assert_eq!(server.count(), 3, "{why}: the first call and two repeats");
    }
}

#[tokio::test]
async fn a_write_is_never_repeated_when_its_outcome_is_unknown() {
    for (why, failure) in unavailable() {
        for call in WRITES {
            let (server, client) = start(vec![failure.clone(), call.success()], BUDGET).await;

            let outcome = call.on(&client).await;

            let error = outcome.expect_err("the failure is the answer");
            assert!(error.outcome_unknown(), "{call:?} after {why}: {error:?}");
            assert_eq!(server.count(), 1, "{call:?} after {why}: not repeated");
        }
    }
}

#[tokio::test]
async fn answers_that_are_the_request_s_fault_are_never_repeated() {
    let cases = [
        (400, r#"{"detail":"bad filter","scimType":"invalidFilter"}"#, "bad_request"),
        (404, r#"{"detail":"User 123 not found"}"#, "not_found"),
        (409, r#"{"detail":"User already exists"}"#, "conflict"),
        (403, r#"{"error_code":"PERMISSION_DENIED","message":"no"}"#, "forbidden"),
        (500, r#"{"detail":"internal error"}"#, "server"),
    ];
    for (status, body, kind) in cases {
        for call in READS.into_iter().chain(WRITES) {
            let (server, client) = start(vec![answer(status, body), call.success()], BUDGET).await;

            let outcome = call.on(&client).await;

            let error = outcome.expect_err("the failure is the answer");
            assert_eq!(error.kind(), DatabricksError::kind(&expected_error(kind)), "{call:?} on {status}: {error:?}");
            assert_eq!(server.count(), 1, "{call:?} on {status}: not repeated");
        }
    }
}

/// An error of the named kind, to compare kinds without copying `kind()`'s strings.
fn expected_error(kind: &str) -> DatabricksError {
    let detail = String::new();
    match kind {
        "bad_request" => DatabricksError::BadRequest { scim_type: None, detail },
        "not_found" => DatabricksError::NotFound { resource: None, detail },
        "conflict" => DatabricksError::Conflict { resource: None, detail },
        "forbidden" => DatabricksError::Forbidden { detail },
        _ => DatabricksError::Server { status: 500, detail },
    }
}

#[tokio::test]
async fn a_read_is_repeated_when_databricks_cannot_be_reached_and_a_write_is_not() {
    let address = closed_address().await;
    for (call, calls) in [(Call::Get, 3), (Call::List, 3), (Call::Create, 1), (Call::Patch, 1), (Call::Delete, 1)] {
        let client = client_for(address, Arc::new(StaticToken::new(TOKEN)), BUDGET);

        let outcome = call.on(&client).await;

        assert!(matches!(outcome, Err(DatabricksError::Transport(_))), "{call:?}: {outcome:?}");
        assert_eq!(client.counters().snapshot().0, calls, "{call:?}: calls made");
    }
}

// ------------------------------------------------------------------------------------------------
// Throttling

#[tokio::test]
async fn throttling_is_repeated_for_reads_and_writes_alike() {
    let limit_500 =
        answer(500, r#"{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"REQUEST_LIMIT_EXCEEDED: too many"}"#);
    let limit_in_detail = answer(500, r#"{"detail":"Error: REQUEST_LIMIT_EXCEEDED for the workspace"}"#);
    let signals = [
        ("429 with Retry-After: 0", throttled(Some("0"))),
        ("429 without Retry-After", throttled(None)),
        ("429 with an empty body", Answer { status: 429, retry_after: Some("0"), body: String::new() }),
        ("500 REQUEST_LIMIT_EXCEEDED", limit_500),
        ("500 with REQUEST_LIMIT_EXCEEDED in the SCIM detail", limit_in_detail),
    ];
    for (why, signal) in signals {
        for call in READS.into_iter().chain(WRITES) {
            let (server, client) = start(vec![signal.clone(), call.success()], BUDGET).await;

            let outcome = call.on(&client).await;

            assert!(outcome.is_ok(), "{call:?} after {why}: {outcome:?}");
            assert_eq!(server.count(), 2, "{call:?} after {why}: repeated once");
        }
    }
}

#[tokio::test]
async fn throttling_past_the_retry_budget_is_a_throttled_error_with_the_asked_wait() {
    let (server, client) = start(vec![throttled(Some("7"))], Duration::ZERO).await;

    let outcome = Call::Create.on(&client).await;

    assert!(matches!(outcome, Err(DatabricksError::Throttled { retry_after_secs: 7 })), "{outcome:?}");
    assert_eq!(server.count(), 1, "a wait longer than the budget is not waited");
}

#[tokio::test]
async fn throttling_without_retry_after_past_the_budget_is_a_throttled_error() {
    let (server, client) = start(vec![throttled(None)], Duration::ZERO).await;

    let outcome = Call::Get.on(&client).await;

    assert!(matches!(outcome, Err(DatabricksError::Throttled { .. })), "{outcome:?}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_retry_after_longer_than_the_budget_is_not_waited() {
    for header in ["86400", "4294967296"] {
        let (server, client) = start(vec![throttled(Some(header))], Duration::from_secs(2)).await;

        let outcome = Call::Get.on(&client).await;

        assert!(matches!(outcome, Err(DatabricksError::Throttled { .. })), "Retry-After {header}: {outcome:?}");
        assert_eq!(server.count(), 1, "Retry-After {header}");
    }
}

#[tokio::test]
async fn an_unreadable_retry_after_falls_back_to_the_backoff_within_the_budget() {
    for header in ["soon", "-1", "1.5"] {
        let (server, client) = start(vec![throttled(Some(header))], Duration::from_secs(1)).await;

        let outcome = Call::Get.on(&client).await;

        assert!(matches!(outcome, Err(DatabricksError::Throttled { .. })), "Retry-After {header}: {outcome:?}");
        // Backoff waits of at least 125, 250, 500 and 1 000 ms: one fits a 1 s budget, four do not.
        let count = server.count();
        assert!((2..=4).contains(&count), "Retry-After {header}: {count} calls");
    }
}

#[tokio::test]
async fn retries_stop_at_the_retry_budget() {
    // Retry-After: 1 within a 1.5 s budget: one wait fits (0 + 1 s), a second does not (1 s + 1 s).
    let (server, client) = start(vec![throttled(Some("1"))], Duration::from_millis(1500)).await;

    let outcome = Call::Get.on(&client).await;

    assert!(matches!(outcome, Err(DatabricksError::Throttled { .. })), "{outcome:?}");
    assert_eq!(server.count(), 2);
    assert_eq!(client.counters().snapshot().1, 1, "one retry");
}

// ------------------------------------------------------------------------------------------------
// The deadline

#[tokio::test]
async fn no_call_is_started_when_the_deadline_has_passed() {
    for call in READS.into_iter().chain(WRITES) {
        let (server, client) = start(vec![call.success()], BUDGET).await;
        let client = client.with_deadline(Instant::now());

        let outcome = call.on(&client).await;

        assert!(matches!(outcome, Err(DatabricksError::NoTimeLeft)), "{call:?}: {outcome:?}");
        assert_eq!(server.count(), 0, "{call:?}: nothing was sent");
    }
}

#[tokio::test]
async fn a_write_is_not_started_without_time_for_the_re_read_a_read_still_is() {
    // Two seconds left: enough for a read, less than a write's re-read reserve (3 s).
    for (call, sent) in [(Call::Get, 1), (Call::List, 1), (Call::Create, 0), (Call::Patch, 0), (Call::Delete, 0)] {
        let (server, client) = start(vec![call.success()], BUDGET).await;
        let client = client.with_deadline(Instant::now() + Duration::from_secs(2));

        let outcome = call.on(&client).await;

        assert_eq!(outcome.is_ok(), sent == 1, "{call:?}: {outcome:?}");
        assert_eq!(server.count(), sent, "{call:?}");
    }
}

#[tokio::test]
async fn retries_stop_before_the_deadline_even_within_the_budget() {
    // Retry-After: 1 with 2 s left: the first repeat leaves time for a call, a second would not.
    let (server, client) = start(vec![throttled(Some("1"))], BUDGET).await;
    let client = client.with_deadline(Instant::now() + Duration::from_secs(2));

    let outcome = Call::Get.on(&client).await;

    assert!(matches!(outcome, Err(DatabricksError::Throttled { .. })), "{outcome:?}");
    assert_eq!(server.count(), 2);
}

// ------------------------------------------------------------------------------------------------
// The credential

/// A credential that changes once it is invalidated, as a rotated secret does.
struct Rotating {
    reads: AtomicUsize,
    rotated: std::sync::atomic::AtomicBool,
}

impl TokenSource for Rotating {
    fn token(&self) -> BoxFuture<'_, Result<BearerToken, DatabricksError>> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        let token = if self.rotated.load(Ordering::Relaxed) { "dapi-new" } else { "dapi-old" };
        Box::pin(async move { Ok(BearerToken::new(token)) })
    }

    fn invalidate(&self) -> bool {
        !self.rotated.swap(true, Ordering::Relaxed)
    }
}

#[tokio::test]
async fn a_refused_credential_is_read_again_once_and_the_call_repeated_with_it() {
    for call in READS.into_iter().chain(WRITES) {
        let (server, address) = listen(vec![answer(401, r#"{"message":"invalid token"}"#), call.success()]).await;
        let tokens = Arc::new(Rotating { reads: AtomicUsize::new(0), rotated: false.into() });
        let client = client_for(address, Arc::clone(&tokens) as Arc<dyn TokenSource>, BUDGET);

        let outcome = call.on(&client).await;

        assert!(outcome.is_ok(), "{call:?}: {outcome:?}");
        let auth: Vec<Option<String>> = server.requests().into_iter().map(|s| s.authorization).collect();
        assert_eq!(auth, [Some("Bearer dapi-old".to_string()), Some("Bearer dapi-new".to_string())], "{call:?}");
    }
}

#[tokio::test]
async fn a_credential_refused_for_good_is_an_unauthorized_error_counted_once() {
    let (server, client) = start(vec![answer(401, r#"{"message":"invalid token"}"#)], BUDGET).await;

    let outcome = Call::Get.on(&client).await;

    assert!(matches!(outcome, Err(DatabricksError::Unauthorized { status: 401 })), "{outcome:?}");
    assert_eq!(server.count(), 1, "a fixed token is not worth a second try");
    assert_eq!(client.counters().snapshot().2, 1, "one credential failure");
}

#[tokio::test]
async fn a_403_counts_against_the_credential_on_the_scim_api_only() {
    for (call, failures) in [(Call::Get, 1), (Call::Tokens, 0)] {
        let (_, client) = start(vec![answer(403, r#"{"error_code":"PERMISSION_DENIED"}"#)], BUDGET).await;

        let outcome = call.on(&client).await;

        assert!(matches!(outcome, Err(DatabricksError::Forbidden { .. })), "{call:?}: {outcome:?}");
        assert_eq!(client.counters().snapshot().2, failures, "{call:?}");
    }
}

#[tokio::test]
async fn no_error_shows_the_credential() {
    let closed_address = closed_address().await;
    let refused = r#"{"error_code":"INVALID_TOKEN","message":"Invalid access token."}"#;
    let mut errors = Vec::new();
    for failure in
        [answer(401, refused), answer(403, refused), answer(500, ""), answer(200, "not json"), throttled(None)]
    {
        let (_, client) = start(vec![failure], Duration::ZERO).await;
        errors.push(Call::Get.on(&client).await.expect_err("a failure"));
    }
    let unreachable = client_for(closed_address, Arc::new(StaticToken::new(TOKEN)), Duration::ZERO);
    errors.push(Call::Create.on(&unreachable).await.expect_err("a failure"));
    let late = client_for(closed_address, Arc::new(StaticToken::new(TOKEN)), BUDGET).with_deadline(Instant::now());
    errors.push(Call::Get.on(&late).await.expect_err("a failure"));
    for error in &errors {
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(TOKEN), "{shown}");
    }
    assert_eq!(errors.len(), 7);
}

// ------------------------------------------------------------------------------------------------
// Answers that are not what the API documents

#[tokio::test]
async fn a_success_without_the_expected_body_is_an_invalid_response() {
    for (call, body) in [(Call::Get, ""), (Call::Get, "not json"), (Call::Create, "  "), (Call::List, "<html/>")] {
        let (server, client) = start(vec![answer(200, body)], BUDGET).await;

        let outcome = call.on(&client).await;

        assert!(matches!(outcome, Err(DatabricksError::InvalidResponse(_))), "{call:?} {body:?}: {outcome:?}");
        assert_eq!(server.count(), 1, "{call:?} {body:?}: not repeated");
    }
}

#[tokio::test]
async fn a_write_answered_with_an_empty_object_or_no_body_succeeds() {
    for (call, status, body) in
        [(Call::Patch, 200, "{}"), (Call::Patch, 204, ""), (Call::Delete, 200, ""), (Call::Delete, 204, "")]
    {
        let (server, client) = start(vec![answer(status, body)], BUDGET).await;

        let outcome = call.on(&client).await;

        assert!(outcome.is_ok(), "{call:?} {status} {body:?}: {outcome:?}");
        assert_eq!(server.count(), 1);
    }
}

// ------------------------------------------------------------------------------------------------
// The account API

fn account_client(address: SocketAddr) -> DatabricksClient {
    use crate::databricks::account::{AccountId, AccountTarget, WorkspacePermission};
    let target = AccountTarget {
        account_id: AccountId::parse("acc-1").expect("an account id"),
        accounts_host: format!("http://{address}"),
        assign_workspaces: Vec::new(),
        assign_permission: WorkspacePermission::User,
    };
    let http = http_client().expect("an HTTP client");
    DatabricksClient::for_account(&target, http, Arc::new(StaticToken::new(TOKEN)), BUDGET).expect("a client")
}

#[tokio::test]
async fn the_account_client_calls_the_account_scim_and_permission_assignment_paths() {
    use crate::databricks::account::{WorkspaceId, WorkspacePermission};
    let (server, address) =
        listen(vec![answer(200, USER), answer(200, r#"{"permissions":["ADMIN"]}"#), answer(200, "{}")]).await;
    let client = account_client(address);
    assert_eq!(client.level(), ApiLevel::Account);
    client.get::<User>(&id("123"), &Selection::default()).await.expect("a user");
    let workspace = WorkspaceId::parse("42").expect("a workspace id");
    client.assign(&workspace, &id("123"), WorkspacePermission::Admin).await.expect("assigned");
    client.unassign(&workspace, &id("123")).await.expect("unassigned");
    let seen: Vec<(String, String)> = server.requests().into_iter().map(|r| (r.method, r.path)).collect();
    assert_eq!(
        seen,
        vec![
            ("GET".into(), "/api/2.0/accounts/acc-1/scim/v2/Users/123".into()),
            ("PUT".into(), "/api/2.0/accounts/acc-1/workspaces/42/permissionassignments/principals/123".into()),
            ("DELETE".into(), "/api/2.0/accounts/acc-1/workspaces/42/permissionassignments/principals/123".into()),
        ]
    );
}

#[tokio::test]
async fn an_assignment_answer_naming_an_error_is_a_failure() {
    use crate::databricks::account::{WorkspaceId, WorkspacePermission};
    let (_server, address) =
        listen(vec![answer(200, r#"{"permissions":[],"error":"principal is deactivated"}"#)]).await;
    let workspace = WorkspaceId::parse("42").expect("a workspace id");
    let err = account_client(address).assign(&workspace, &id("7"), WorkspacePermission::User).await;
    assert!(matches!(err, Err(DatabricksError::AssignmentRefused { status: 200, .. })), "{err:?}");
}

#[tokio::test]
async fn an_assignment_refused_with_404_names_the_workspace_not_a_missing_principal() {
    use crate::databricks::account::{WorkspaceId, WorkspacePermission};
    let not_found = r#"{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Workspace 42 does not exist"}"#;
    let (_server, address) = listen(vec![answer(404, not_found)]).await;
    let workspace = WorkspaceId::parse("42").expect("a workspace id");
    let err = account_client(address).assign(&workspace, &id("7"), WorkspacePermission::User).await;
    assert!(
        matches!(&err, Err(DatabricksError::AssignmentRefused { status: 404, workspace }) if workspace == "42"),
        "{err:?}"
    );
    let scim = err.map_err(crate::scim::ScimError::from).err().map(|e| (e.status(), e.to_string()));
    assert!(scim.as_ref().is_some_and(|(status, text)| *status == 502 && text.contains("workspace 42")), "{scim:?}");
}

#[tokio::test]
async fn unassigning_what_is_not_assigned_is_success_and_the_list_tells_who_holds_what() {
    use crate::databricks::account::WorkspaceId;
    let listed =
        r#"{"permission_assignments":[{"principal":{"principal_id":123,"user_name":"x"},"permissions":["USER"]}]}"#;
    let (_server, address) = listen(vec![
        answer(404, r#"{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"not assigned"}"#),
        answer(200, listed),
        answer(200, listed),
        answer(200, "{}"),
    ])
    .await;
    let client = account_client(address);
    let workspace = WorkspaceId::parse("42").expect("a workspace id");
    assert!(client.unassign(&workspace, &id("123")).await.is_ok());
    assert_eq!(client.assigned(&workspace, &id("123")).await.ok(), Some(true));
    assert_eq!(client.assigned(&workspace, &id("124")).await.ok(), Some(false));
    assert_eq!(client.assigned(&workspace, &id("123")).await.ok(), Some(false), "an empty answer holds nobody");
}

#[tokio::test]
async fn workspace_only_attributes_never_reach_the_account_api() {
    use crate::databricks::model::{CreateCommon, Element};
    let (server, address) = listen(vec![answer(200, USER)]).await;
    let client = account_client(address);
    let mut user = UserCreate::new("ann@example.com".into(), "Ann".into());
    user.common = CreateCommon { entitlements: Element::all(&["workspace-access".into()]), external_id: None };
    let created = client.create::<User>(&user).await;
    assert!(matches!(created, Err(DatabricksError::WorkspaceOnly { attribute: "entitlements" })), "{created:?}");
    let patched = client.patch::<Group>(&id("5"), &[PatchOperation::add_values("groups", &["9".to_string()])]).await;
    assert!(matches!(patched, Err(DatabricksError::WorkspaceOnly { attribute: "groups" })), "{patched:?}");
    assert_eq!(server.count(), 0);
    // The workspace client sends them.
    let workspace = client_for(address, Arc::new(StaticToken::new(TOKEN)), BUDGET);
    assert!(workspace.create::<User>(&user).await.is_ok());
    assert_eq!(server.count(), 1);
}
