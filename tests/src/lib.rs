#![allow(clippy::expect_used, clippy::panic)] // test harness: a failed set-up must fail the test loudly
//! Test harness: starts the Databricks emulator on loopback, builds the bridge's state
//! against it, and drives every function's handler with real API Gateway events — REST API
//! (v1, stage prefix included, what the deployed API sends) and HTTP API (v2, what
//! `cargo lambda watch` sends).

pub mod logs;
pub mod moto;
mod operation;

pub use operation::Operation;

use std::collections::BTreeMap;

use databricks_emulator::{Config as EmulatorConfig, Emulator, WriteAnswers};
use lambda_http::Body;
use serde_json::{Value, json};
use shared::{AppState, Config};

/// The Databricks token the emulator accepts in tests.
pub const DATABRICKS_TOKEN: &str = "dapi-test-token";
/// The inbound bearer token the bridge accepts in tests.
pub const SCIM_TOKEN: &str = "scim-test-token";

/// The Databricks account id of the account target in tests.
pub const ACCOUNT_ID: &str = "0d26daa6-5e44-4c97-a497-ef015f91254a";
/// A workspace id of that account.
pub const WORKSPACE_ID: &str = "1234567890123456";

/// Which Databricks SCIM API the bridge provisions in a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The workspace SCIM API (`DATABRICKS_TARGET=workspace`, the default).
    Workspace,
    /// The account SCIM API (`DATABRICKS_TARGET=account`; the emulator's `--target account`).
    Account,
}

impl Target {
    /// The suite's target: `SCIM_TEST_TARGET=account` runs every scenario against the account
    /// API (`.ci/run` runs the integration suite once per target); the workspace otherwise.
    pub fn of_suite() -> Target {
        match std::env::var("SCIM_TEST_TARGET").as_deref().map(str::trim) {
            Ok("account") => Target::Account,
            Ok("" | "workspace") | Err(_) => Target::Workspace,
            Ok(other) => panic!("SCIM_TEST_TARGET must be workspace or account, not {other:?}"),
        }
    }
}

/// Which Databricks the emulator imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The real API as docs/databricks-behaviour.md records it, at its strictest: PUT and
    /// PATCH answer `200 {}`, removes of absent attributes are refused, AWS.
    Default,
    /// The same, with PUT and PATCH answered `204` (`--write-answers no-content`).
    NoContentWrites,
    /// The same, with PUT and PATCH answered with the resource (`--write-answers resource`).
    ResourceWrites,
    /// The seed document's claims (`--seed-quirks`), writes answered `{}`.
    SeedQuirks,
}

impl Mode {
    /// Every mode a scenario runs in.
    pub const ALL: [Mode; 4] = [Mode::Default, Mode::NoContentWrites, Mode::ResourceWrites, Mode::SeedQuirks];

    /// The emulator's answer to a successful PUT or PATCH in this mode.
    pub fn write_answers(self) -> WriteAnswers {
        match self {
            Mode::NoContentWrites => WriteAnswers::NoContent,
            Mode::ResourceWrites => WriteAnswers::Resource,
            Mode::Default | Mode::SeedQuirks => WriteAnswers::Empty,
        }
    }

    /// Databricks reads the bridge needs after a write to answer with the resource: one,
    /// unless the write itself answered with it.
    pub fn read_after_write(self) -> u64 {
        u64::from(self.write_answers() != WriteAnswers::Resource)
    }

    /// Whether this is the seed document's target.
    pub fn is_seed_quirks(self) -> bool {
        self == Mode::SeedQuirks
    }
}

/// Which gateway event shape the handler receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// API Gateway REST API, payload v1, stage `v1`.
    RestV1,
    /// API Gateway HTTP API, payload v2 (`cargo lambda watch`).
    HttpV2,
}

/// An emulator plus a bridge state aimed at it.
pub struct TestStack {
    /// The running emulator.
    pub emulator: Emulator,
    /// The bridge's state.
    pub state: AppState,
    /// Emulator mode.
    pub mode: Mode,
    /// Event shape used by [`TestStack::call`].
    pub shape: Shape,
    /// The API the bridge provisions.
    pub target: Target,
    admin: reqwest::Client,
}

/// A SCIM answer as a client sees it.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Lower-cased header names.
    pub headers: BTreeMap<String, String>,
    /// Parsed body (`Value::Null` when empty).
    pub body: Value,
}

impl Answer {
    /// A header value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Call {
    /// Method.
    pub method: &'static str,
    /// Path below `/scim/v2` (`/Users/1`).
    pub path: String,
    /// Raw query pairs.
    pub query: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<Value>,
    /// `Authorization` header (`None` to send none).
    pub authorization: Option<String>,
    /// Content-Type of the body.
    pub content_type: &'static str,
    /// Body bytes sent as they are, instead of `body`: text that is not JSON, broken or huge
    /// JSON. Bytes that are not UTF-8 go base64-encoded (`isBase64Encoded`), as API Gateway
    /// sends a binary body.
    pub raw_body: Option<Vec<u8>>,
    /// Header changes applied last, in order: `(name, Some(value))` sets a header (replacing the
    /// usual one of that name, whatever its case), `(name, None)` removes it (a body without
    /// `Content-Type`, say).
    pub headers: Vec<(String, Option<String>)>,
}

impl Call {
    fn new(method: &'static str, path: &str, body: Option<Value>) -> Call {
        Call {
            method,
            path: path.to_string(),
            query: Vec::new(),
            body,
            authorization: Some(format!("Bearer {SCIM_TOKEN}")),
            content_type: "application/scim+json",
            raw_body: None,
            headers: Vec::new(),
        }
    }
    /// GET.
    pub fn get(path: &str) -> Call {
        Call::new("GET", path, None)
    }
    /// POST with a JSON body.
    pub fn post(path: &str, body: Value) -> Call {
        Call::new("POST", path, Some(body))
    }
    /// PUT with a JSON body.
    pub fn put(path: &str, body: Value) -> Call {
        Call::new("PUT", path, Some(body))
    }
    /// PATCH with a JSON body.
    pub fn patch(path: &str, body: Value) -> Call {
        Call::new("PATCH", path, Some(body))
    }
    /// DELETE.
    pub fn delete(path: &str) -> Call {
        Call::new("DELETE", path, None)
    }
    /// Adds a query parameter.
    pub fn query(mut self, key: &str, value: &str) -> Call {
        self.query.push((key.to_string(), value.to_string()));
        self
    }
    /// Replaces the Authorization header.
    pub fn authorization(mut self, value: Option<&str>) -> Call {
        self.authorization = value.map(String::from);
        self
    }
    /// Sends the body as `application/json`.
    pub fn plain_json(mut self) -> Call {
        self.content_type = "application/json";
        self
    }
    /// Replaces the method with any token, odd or lower-case (`HEAD`, `TRACE`, `get`).
    pub fn method(mut self, method: &'static str) -> Call {
        self.method = method;
        self
    }
    /// Sends these bytes as the body instead of JSON (the `raw_body` field), with the call's
    /// Content-Type.
    pub fn raw_body(mut self, body: impl Into<Vec<u8>>) -> Call {
        self.body = None;
        self.raw_body = Some(body.into());
        self
    }
    /// Sets a header, replacing the usual one of that name (`Content-Type: text/plain`).
    pub fn header(mut self, name: &str, value: &str) -> Call {
        self.headers.push((name.to_string(), Some(value.to_string())));
        self
    }
    /// Sends no header of this name (`Content-Type` on a request with a body).
    pub fn without_header(mut self, name: &str) -> Call {
        self.headers.push((name.to_string(), None));
        self
    }
    /// The body as the gateway event carries it: text, or base64 when it is not UTF-8.
    fn event_body(&self) -> (Option<String>, bool) {
        use base64::Engine;
        match (&self.raw_body, &self.body) {
            (Some(bytes), _) => match std::str::from_utf8(bytes) {
                Ok(text) => (Some(text.to_string()), false),
                Err(_) => (Some(base64::engine::general_purpose::STANDARD.encode(bytes)), true),
            },
            (None, Some(json)) => (Some(json.to_string()), false),
            (None, None) => (None, false),
        }
    }
}

impl TestStack {
    /// Starts an emulator in `mode` and a bridge state aimed at it.
    pub async fn start(mode: Mode, shape: Shape) -> TestStack {
        Self::start_with(mode, shape, |c| c, &[]).await
    }

    /// The same against the workspace target, whatever the suite's.
    pub async fn start_on_workspace(mode: Mode, shape: Shape) -> TestStack {
        Self::start_for(Target::Workspace, mode, shape, |c| c, &[]).await
    }

    /// Starts an emulator in `mode`, its configuration adjusted by `adjust`, and a bridge state
    /// aimed at it with extra environment variables (`SCIM_PATCH_RESPONSE`, `DATABRICKS_CLOUD`, …).
    pub async fn start_with(
        mode: Mode,
        shape: Shape,
        adjust: impl FnOnce(EmulatorConfig) -> EmulatorConfig,
        env: &[(&str, &str)],
    ) -> TestStack {
        Self::start_for(Target::of_suite(), mode, shape, adjust, env).await
    }

    /// [`TestStack::start_with`] against the given target, whatever the suite's. With the
    /// account target the emulator is also the accounts host, and nothing is assigned to a
    /// workspace unless `env` sets `DATABRICKS_ASSIGN_WORKSPACES`.
    pub async fn start_for(
        target: Target,
        mode: Mode,
        shape: Shape,
        adjust: impl FnOnce(EmulatorConfig) -> EmulatorConfig,
        env: &[(&str, &str)],
    ) -> TestStack {
        logs::capture();
        let emulator = Emulator::start(adjust(EmulatorConfig {
            token: DATABRICKS_TOKEN.into(),
            seed_quirks: mode.is_seed_quirks(),
            throttle: None,
            write_answers: mode.write_answers(),
            target: match target {
                Target::Workspace => databricks_emulator::Target::Workspace,
                Target::Account => databricks_emulator::Target::Account,
            },
            ..EmulatorConfig::default()
        }))
        .await
        .expect("the emulator starts on loopback");
        let host = emulator.base_url();
        let account = target == Target::Account;
        let config = Config::from_lookup(|k| {
            if let Some((_, v)) = env.iter().find(|(name, _)| *name == k) {
                return Some(v.to_string());
            }
            match k {
                "DATABRICKS_HOST" => Some(host.clone()),
                "DATABRICKS_TOKEN" => Some(DATABRICKS_TOKEN.into()),
                "SCIM_BEARER_TOKENS" => Some(format!("{SCIM_TOKEN},next-{SCIM_TOKEN}")),
                "DATABRICKS_RETRY_BUDGET_MS" => Some("3000".into()),
                "DATABRICKS_TARGET" if account => Some("account".into()),
                "DATABRICKS_ACCOUNT_ID" if account => Some(ACCOUNT_ID.into()),
                "DATABRICKS_ACCOUNTS_HOST" if account => Some(host.clone()),
                _ => None,
            }
        })
        .expect("test configuration");
        let state = AppState::new(config).expect("bridge state");
        TestStack { emulator, state, mode, shape, target, admin: reqwest::Client::new() }
    }

    /// Whether the bridge provisions the account API in this stack.
    pub fn is_account(&self) -> bool {
        self.target == Target::Account
    }

    /// The gateway event for a call, in this stack's shape.
    pub fn event(&self, operation: Operation, call: &Call) -> lambda_http::Request {
        let event = match self.shape {
            Shape::RestV1 => rest_v1_event(operation, call),
            Shape::HttpV2 => http_v2_event(call),
        };
        lambda_http::request::from_str(&event.to_string()).expect("a valid gateway event")
    }

    /// Sends a call to one function's handler.
    pub async fn call(&self, operation: Operation, call: Call) -> Answer {
        answer(operation.handle(&self.state, self.event(operation, &call)).await)
    }

    /// Sends every call at once, each to its function's handler in a task of its own (as
    /// concurrent Lambda invocations would run), and returns the answers in the calls' order.
    pub async fn call_concurrently(&self, calls: Vec<(Operation, Call)>) -> Vec<Answer> {
        let tasks: Vec<_> = calls
            .into_iter()
            .map(|(operation, call)| {
                let (state, request) = (self.state.clone(), self.event(operation, &call));
                tokio::spawn(async move { operation.handle(&state, request).await })
            })
            .collect();
        let mut answers = Vec::with_capacity(tasks.len());
        for task in tasks {
            answers.push(answer(task.await.expect("a handler never panics")));
        }
        answers
    }

    fn admin_url(&self, path: &str) -> String {
        format!("{}/_emulator/{path}", self.emulator.base_url())
    }

    /// Emulator request counts: `{"total": n, "counts": {"GET Users": n, …}}`.
    pub async fn stats(&self) -> Value {
        self.admin.get(self.admin_url("stats")).send().await.expect("stats").json().await.expect("stats json")
    }

    /// Total Databricks calls since the last reset.
    pub async fn target_calls(&self) -> u64 {
        let stats = self.stats().await;
        stats["total"].as_u64().unwrap_or_else(|| panic!("the emulator's stats have no total: {stats}"))
    }

    /// The Databricks requests since the last reset.
    pub async fn target_requests(&self) -> Vec<Value> {
        let v: Value =
            self.admin.get(self.admin_url("requests")).send().await.expect("requests").json().await.expect("json");
        v.as_array().cloned().unwrap_or_else(|| panic!("the emulator's request log is no list: {v}"))
    }

    /// Clears the emulator's counts and request log.
    pub async fn reset_stats(&self) {
        self.admin.post(self.admin_url("reset-stats")).send().await.expect("reset-stats");
    }

    /// The emulator's whole state.
    pub async fn target_state(&self) -> Value {
        self.admin.get(self.admin_url("state")).send().await.expect("state").json().await.expect("state json")
    }

    /// A user as Databricks stores it, by id.
    pub async fn target_user(&self, id: &str) -> Option<Value> {
        let state = self.target_state().await;
        state["users"].as_array()?.iter().find(|u| u["id"] == id).cloned()
    }

    /// A group as Databricks stores it, by id.
    pub async fn target_group(&self, id: &str) -> Option<Value> {
        let state = self.target_state().await;
        state["groups"].as_array()?.iter().find(|g| g["id"] == id).cloned()
    }

    /// Queues a fault in the emulator.
    pub async fn inject_fault(&self, fault: Value) {
        let r = self.admin.post(self.admin_url("faults")).json(&fault).send().await.expect("faults");
        assert!(r.status().is_success(), "the emulator accepts the fault {fault}");
    }

    /// Clears the faults still queued in the emulator.
    pub async fn clear_faults(&self) {
        let r = self.admin.delete(self.admin_url("faults")).send().await.expect("faults");
        assert!(r.status().is_success(), "the emulator clears its faults");
    }

    /// Turns the emulator's throttling off.
    pub async fn clear_throttle(&self) {
        let r = self.admin.delete(self.admin_url("throttle")).send().await.expect("throttle");
        assert!(r.status().is_success(), "the emulator stops throttling");
    }

    /// Rotates the token the emulator accepts.
    pub async fn rotate_target_token(&self, token: &str) {
        let r = self.admin.post(self.admin_url("token")).json(&json!({"token": token})).send().await.expect("token");
        assert!(r.status().is_success(), "the emulator rotates its token");
    }

    /// Posts to any admin endpoint of the emulator.
    pub async fn admin_post(&self, path: &str, body: Value) {
        let r = self.admin.post(self.admin_url(path)).json(&body).send().await.expect("admin call");
        assert!(r.status().is_success(), "the emulator accepts {path} {body}: {}", r.status());
    }

    /// Sets throttling in the emulator.
    pub async fn throttle(&self, throttle: Value) {
        let r = self.admin.post(self.admin_url("throttle")).json(&throttle).send().await.expect("throttle");
        assert!(r.status().is_success(), "the emulator accepts the throttle {throttle}");
    }

    /// Creates a user through the bridge and returns its id.
    pub async fn create_user(&self, user_name: &str) -> String {
        let a = self
            .call(
                Operation::CreateUser,
                Call::post("/Users", json!({"schemas": [shared::scim::USER_SCHEMA], "userName": user_name})),
            )
            .await;
        assert_eq!(a.status, 201, "creating {user_name}: {}", a.body);
        a.body["id"].as_str().expect("an id").to_string()
    }

    /// Creates a group through the bridge and returns its id.
    pub async fn create_group(&self, name: &str, members: &[&str]) -> String {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let a = self
            .call(
                Operation::CreateGroup,
                Call::post(
                    "/Groups",
                    json!({"schemas": [shared::scim::GROUP_SCHEMA], "displayName": name, "members": members}),
                ),
            )
            .await;
        assert_eq!(a.status, 201, "creating group {name}: {}", a.body);
        a.body["id"].as_str().expect("an id").to_string()
    }
}

/// A handler's response as a client sees it.
fn answer(response: lambda_http::Response<Body>) -> Answer {
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let body = match response.body() {
        Body::Text(t) => serde_json::from_str(t).expect("a JSON body"),
        Body::Binary(b) => serde_json::from_slice(b).expect("a JSON body"),
        Body::Empty => Value::Null,
        _ => Value::Null,
    };
    Answer { status, headers, body }
}

/// The gateway path of a call: SCIM paths sit under `/scim/v2`, administration under `/admin`.
fn full_path(path: &str) -> String {
    if path.starts_with("/admin") { path.to_string() } else { format!("/scim/v2{path}") }
}

/// The search path extension (RFC 7644 §3.4.3): a resource of its own at the gateway, routed
/// before `{id}`.
const SEARCH: &str = ".search";

/// The route template (`/scim/v2/Users/{id}`, `/scim/v2/Users/.search`) an operation is mounted on.
fn resource_path(operation: Operation, path: &str) -> String {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (operation, parts.as_slice()) {
        (Operation::Discovery, _) => "/scim/v2/{proxy+}".into(),
        (Operation::ListPartners, _) => "/admin/partners".into(),
        (Operation::DisconnectPartner, _) => "/admin/partners/{partner}".into(),
        (_, [resource, SEARCH]) => format!("/scim/v2/{resource}/{SEARCH}"),
        (_, [resource, _, ..]) => format!("/scim/v2/{resource}/{{id}}"),
        (_, [resource, ..]) => format!("/scim/v2/{resource}"),
        (_, []) => "/scim/v2".into(),
    }
}

fn path_parameters(operation: Operation, path: &str) -> Value {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (operation, parts.as_slice()) {
        (Operation::Discovery, _) => json!({"proxy": path.trim_matches('/')}),
        (Operation::DisconnectPartner, [.., partner]) => json!({"partner": partner}),
        (Operation::ListPartners, _) => Value::Null,
        (_, [_, SEARCH]) => Value::Null,
        (_, [_, id, ..]) => json!({"id": id}),
        _ => Value::Null,
    }
}

fn headers(call: &Call, host: &str) -> serde_json::Map<String, Value> {
    let mut h = serde_json::Map::new();
    h.insert("Host".into(), json!(host));
    h.insert("User-Agent".into(), json!("integration-test"));
    if let Some(a) = &call.authorization {
        h.insert("Authorization".into(), json!(a));
    }
    if call.body.is_some() || call.raw_body.is_some() {
        h.insert("Content-Type".into(), json!(call.content_type));
    }
    for (name, value) in &call.headers {
        h.retain(|k, _| !k.eq_ignore_ascii_case(name));
        if let Some(value) = value {
            h.insert(name.clone(), json!(value));
        }
    }
    h
}

/// A REST API (v1) proxy event as API Gateway sends it, stage `v1`.
pub fn rest_v1_event(operation: Operation, call: &Call) -> Value {
    let host = "abc123.execute-api.eu-west-1.amazonaws.com";
    let mut headers = headers(call, host);
    headers.insert("X-Forwarded-Proto".into(), json!("https"));
    let multi_headers: serde_json::Map<String, Value> = headers.iter().map(|(k, v)| (k.clone(), json!([v]))).collect();
    let path = full_path(&call.path);
    let mut single = serde_json::Map::new();
    let mut multi: serde_json::Map<String, Value> = serde_json::Map::new();
    for (k, v) in &call.query {
        single.insert(k.clone(), json!(v));
        let entry = multi.entry(k.clone()).or_insert_with(|| json!([]));
        if let Some(list) = entry.as_array_mut() {
            list.push(json!(v));
        }
    }
    let resource = resource_path(operation, &call.path);
    let (body, base64) = call.event_body();
    json!({
        "resource": resource,
        "path": path,
        "httpMethod": call.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": if single.is_empty() { Value::Null } else { Value::Object(single) },
        "multiValueQueryStringParameters": if multi.is_empty() { Value::Null } else { Value::Object(multi) },
        "pathParameters": path_parameters(operation, &call.path),
        "stageVariables": null,
        "requestContext": {
            "accountId": "123456789012", "resourceId": "r1", "stage": "v1", "requestId": "req-1",
            "identity": {"sourceIp": "203.0.113.10", "userAgent": "integration-test"},
            "resourcePath": resource, "httpMethod": call.method, "apiId": "abc123",
            "path": format!("/v1{path}"), "protocol": "HTTP/1.1", "domainName": host
        },
        "body": body,
        "isBase64Encoded": base64
    })
}

/// An HTTP API (v2) event as `cargo lambda watch` sends it.
pub fn http_v2_event(call: &Call) -> Value {
    let host = "127.0.0.1:9000";
    let headers: serde_json::Map<String, Value> =
        headers(call, host).into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect();
    let path = full_path(&call.path);
    let (body, base64) = call.event_body();
    let mut encoder = reqwest::Url::parse("http://query.invalid/").expect("a URL");
    encoder.query_pairs_mut().extend_pairs(call.query.iter());
    let raw_query = encoder.query().unwrap_or_default().to_string();
    let mut single: serde_json::Map<String, Value> = serde_json::Map::new();
    for (k, v) in &call.query {
        let joined = match single.get(k).and_then(Value::as_str) {
            Some(prev) => format!("{prev},{v}"),
            None => v.clone(),
        };
        single.insert(k.clone(), json!(joined));
    }
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": headers,
        "queryStringParameters": if single.is_empty() { Value::Null } else { Value::Object(single) },
        "requestContext": {
            "accountId": "123456789012", "apiId": "local", "domainName": "127.0.0.1", "domainPrefix": "127",
            "http": {"method": call.method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "integration-test"},
            "requestId": "req-2", "routeKey": "$default", "stage": "$default",
            "time": "23/Nov/2026:12:00:00 +0000", "timeEpoch": 1795000000000_i64
        },
        "body": body,
        "isBase64Encoded": base64
    })
}

/// Runs a scenario in every emulator mode (the strict default, each write-answer variant,
/// seed quirks), with both event shapes.
#[macro_export]
macro_rules! in_every_mode {
    ($scenario:ident) => {
        $crate::in_every_mode!(@on TestStack::start, $scenario);
    };
    (@on $start:path, $scenario:ident) => {
        mod $scenario {
            use tests::{Mode, Shape, TestStack};
            #[tokio::test]
            async fn default_mode_rest_api() {
                super::$scenario(&$start(Mode::Default, Shape::RestV1).await).await
            }
            #[tokio::test]
            async fn default_mode_http_api() {
                super::$scenario(&$start(Mode::Default, Shape::HttpV2).await).await
            }
            #[tokio::test]
            async fn no_content_writes_rest_api() {
                super::$scenario(&$start(Mode::NoContentWrites, Shape::RestV1).await).await
            }
            #[tokio::test]
            async fn no_content_writes_http_api() {
                super::$scenario(&$start(Mode::NoContentWrites, Shape::HttpV2).await).await
            }
            #[tokio::test]
            async fn resource_writes_rest_api() {
                super::$scenario(&$start(Mode::ResourceWrites, Shape::RestV1).await).await
            }
            #[tokio::test]
            async fn resource_writes_http_api() {
                super::$scenario(&$start(Mode::ResourceWrites, Shape::HttpV2).await).await
            }
            #[tokio::test]
            async fn seed_quirks_mode_rest_api() {
                super::$scenario(&$start(Mode::SeedQuirks, Shape::RestV1).await).await
            }
            #[tokio::test]
            async fn seed_quirks_mode_http_api() {
                super::$scenario(&$start(Mode::SeedQuirks, Shape::HttpV2).await).await
            }
        }
    };
}

/// [`in_every_mode!`] against the workspace target whatever the suite's: for scenarios about
/// what only the workspace API holds (entitlements, parent groups, account groups seen from the
/// workspace, its call counts); tests/api/account.rs covers the account target's side of each.
#[macro_export]
macro_rules! in_every_workspace_mode {
    ($scenario:ident) => {
        $crate::in_every_mode!(@on TestStack::start_on_workspace, $scenario);
    };
}
