//! `DatabricksClient`: one reqwest client, built once; every call goes through `send`,
//! which adds the credential, honours throttling within a time budget, and never
//! repeats a write whose outcome is unknown.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use super::{DatabricksError, DatabricksId, TokenSource};

/// The three workspace SCIM resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetResource {
    /// `/Users`
    Users,
    /// `/Groups`
    Groups,
    /// `/ServicePrincipals`
    ServicePrincipals,
}

impl TargetResource {
    fn segment(self) -> &'static str {
        match self {
            TargetResource::Users => "Users",
            TargetResource::Groups => "Groups",
            TargetResource::ServicePrincipals => "ServicePrincipals",
        }
    }
}

/// Query of a Databricks list call; every value is percent-encoded by `Url`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListParams {
    /// Databricks filter expression.
    pub filter: Option<String>,
    /// 1-based start index.
    pub start_index: u64,
    /// Page size.
    pub count: u32,
    /// `attributes` (comma-joined).
    pub attributes: Vec<&'static str>,
    /// `excludedAttributes` (comma-joined).
    pub excluded_attributes: Vec<&'static str>,
}

/// Attribute selection of a single-resource GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// `attributes`.
    pub attributes: Vec<&'static str>,
    /// `excludedAttributes`.
    pub excluded_attributes: Vec<&'static str>,
}

/// How a call may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Idempotency {
    /// A read: retried on throttling, transport errors and 502/503/504.
    Read,
    /// A write: retried only when Databricks says it did not process it (throttling).
    Write,
}

/// Counters for the request log line.
#[derive(Debug, Default)]
pub struct CallCounters {
    calls: AtomicU64,
    retries: AtomicU64,
}

impl CallCounters {
    /// Calls and retries so far.
    pub fn snapshot(&self) -> (u64, u64) {
        (self.calls.load(Ordering::Relaxed), self.retries.load(Ordering::Relaxed))
    }
}

/// Client of one Databricks workspace's SCIM API.
#[derive(Clone)]
pub struct DatabricksClient {
    http: reqwest::Client,
    scim_base: Url,
    api_base: Url,
    tokens: Arc<dyn TokenSource>,
    retry_budget: Duration,
    counters: Arc<CallCounters>,
}

impl std::fmt::Debug for DatabricksClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabricksClient").field("scim_base", &self.scim_base.as_str()).finish_non_exhaustive()
    }
}

const MAX_BACKOFF: Duration = Duration::from_secs(4);

/// The one HTTP client of a Lambda instance, shared by the SCIM calls and the OAuth token
/// exchange (building one loads the system roots: a cold-start cost worth paying once).
pub fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(25))
        .user_agent(concat!("databricks-scim-bridge/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// The workspace URL without a trailing slash, `https://` added when the scheme is missing.
pub fn workspace_url(host: &str) -> String {
    let host = host.trim().trim_end_matches('/');
    if host.contains("://") { host.to_string() } else { format!("https://{host}") }
}

impl DatabricksClient {
    /// Builds the client for `host` (`https://…` or, for the emulator, `http://127.0.0.1:…`) over
    /// the instance's one HTTP client (see [`http_client`]).
    pub fn new(
        host: &str,
        http: reqwest::Client,
        tokens: Arc<dyn TokenSource>,
        retry_budget: Duration,
    ) -> Result<DatabricksClient, String> {
        let host = workspace_url(host);
        let parse = |path: &str| {
            Url::parse(&format!("{host}{path}")).map_err(|e| format!("the Databricks host is not a valid URL: {e}"))
        };
        let scim_base = parse("/api/2.0/preview/scim/v2/")?;
        let api_base = parse("/api/2.0/")?;
        Ok(DatabricksClient { http, scim_base, api_base, tokens, retry_budget, counters: Arc::default() })
    }

    /// The same client with a retry budget no longer than `limit` (the Lambda's remaining time).
    pub fn with_budget_at_most(&self, limit: Duration) -> DatabricksClient {
        let mut client = self.clone();
        client.retry_budget = client.retry_budget.min(limit);
        client
    }

    /// Calls and retries made so far by this client.
    pub fn counters(&self) -> &CallCounters {
        &self.counters
    }

    fn url(&self, resource: TargetResource, id: Option<&DatabricksId>) -> Result<Url, DatabricksError> {
        let mut url = self.scim_base.clone();
        {
            let mut segments = url
                .path_segments_mut()
                .map_err(|_| DatabricksError::InvalidResponse("host URL cannot carry a path".into()))?;
            segments.pop_if_empty().push(resource.segment());
            if let Some(id) = id {
                segments.push(id.as_str());
            }
        }
        Ok(url)
    }

    /// `GET /{resource}/{id}`.
    pub async fn get(
        &self,
        resource: TargetResource,
        id: &DatabricksId,
        selection: &Selection,
    ) -> Result<Value, DatabricksError> {
        let mut url = self.url(resource, Some(id))?;
        append_selection(&mut url, &selection.attributes, &selection.excluded_attributes);
        self.send(Method::GET, url, None, Idempotency::Read).await?.ok_or_else(empty_body)
    }

    /// `GET /{resource}?…` — one page.
    pub async fn list(&self, resource: TargetResource, params: &ListParams) -> Result<Value, DatabricksError> {
        let mut url = self.url(resource, None)?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(filter) = &params.filter {
                query.append_pair("filter", filter);
            }
            query.append_pair("startIndex", &params.start_index.max(1).to_string());
            query.append_pair("count", &params.count.to_string());
        }
        append_selection(&mut url, &params.attributes, &params.excluded_attributes);
        self.send(Method::GET, url, None, Idempotency::Read).await?.ok_or_else(empty_body)
    }

    /// `POST /{resource}`.
    pub async fn create(&self, resource: TargetResource, body: &Value) -> Result<Value, DatabricksError> {
        let url = self.url(resource, None)?;
        self.send(Method::POST, url, Some(body), Idempotency::Write).await?.ok_or_else(empty_body)
    }

    /// `PUT /{resource}/{id}`; `None` when Databricks answers without a body.
    pub async fn replace(
        &self,
        resource: TargetResource,
        id: &DatabricksId,
        body: &Value,
    ) -> Result<Option<Value>, DatabricksError> {
        let url = self.url(resource, Some(id))?;
        self.send(Method::PUT, url, Some(body), Idempotency::Write).await
    }

    /// `PATCH /{resource}/{id}` with the given operations; `None` when Databricks answers without a body.
    pub async fn patch(
        &self,
        resource: TargetResource,
        id: &DatabricksId,
        operations: Vec<Value>,
    ) -> Result<Option<Value>, DatabricksError> {
        let url = self.url(resource, Some(id))?;
        let body = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": operations,
        });
        self.send(Method::PATCH, url, Some(&body), Idempotency::Write).await
    }

    /// `DELETE /{resource}/{id}`.
    pub async fn delete(&self, resource: TargetResource, id: &DatabricksId) -> Result<(), DatabricksError> {
        let url = self.url(resource, Some(id))?;
        self.send(Method::DELETE, url, None, Idempotency::Write).await.map(|_| ())
    }

    /// `GET /api/2.0/token-management/tokens?created_by_id=…`: the personal access tokens a
    /// principal created (workspace admins only; a 403 otherwise).
    pub async fn tokens_created_by(&self, principal: &DatabricksId) -> Result<Value, DatabricksError> {
        let mut url = self.api_base.clone();
        url.path_segments_mut()
            .map_err(|_| DatabricksError::InvalidResponse("host URL cannot carry a path".into()))?
            .pop_if_empty()
            .extend(["token-management", "tokens"]);
        url.query_pairs_mut().append_pair("created_by_id", principal.as_str());
        Ok(self.send(Method::GET, url, None, Idempotency::Read).await?.unwrap_or_else(|| serde_json::json!({})))
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        idempotency: Idempotency,
    ) -> Result<Option<Value>, DatabricksError> {
        let started = Instant::now();
        let mut attempt: u32 = 0;
        let mut credential_retried = false;
        loop {
            let token = self.tokens.token().await?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose())
                .header(reqwest::header::ACCEPT, "application/json");
            if let Some(body) = body {
                request = request.json(body);
            }
            self.counters.calls.fetch_add(1, Ordering::Relaxed);
            let outcome = match request.send().await {
                Ok(response) => read_response(response).await,
                Err(e) => Err(Failure::Transport(describe_transport(&e))),
            };
            let failure = match outcome {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            let wait = match &failure {
                Failure::Throttled { retry_after } => Some(retry_after.unwrap_or_else(|| backoff(attempt))),
                Failure::Unauthorized { .. } if !credential_retried && self.tokens.invalidate() => {
                    credential_retried = true;
                    Some(Duration::ZERO)
                }
                Failure::Transport(_) | Failure::Status { status: 502..=504, .. }
                    if idempotency == Idempotency::Read && attempt < 2 =>
                {
                    Some(backoff(attempt))
                }
                _ => None,
            };
            match wait {
                Some(wait) if started.elapsed().saturating_add(wait) <= self.retry_budget => {
                    attempt += 1;
                    self.counters.retries.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, "retrying Databricks call");
                    tokio::time::sleep(wait).await;
                }
                _ => return Err(failure.into_error()),
            }
        }
    }
}

fn append_selection(url: &mut Url, attributes: &[&str], excluded: &[&str]) {
    if !attributes.is_empty() {
        url.query_pairs_mut().append_pair("attributes", &attributes.join(","));
    } else if !excluded.is_empty() {
        url.query_pairs_mut().append_pair("excludedAttributes", &excluded.join(","));
    }
}

fn empty_body() -> DatabricksError {
    DatabricksError::InvalidResponse("no body where one was expected".into())
}

/// Exponential backoff with full jitter: up to 250 ms · 2^attempt, capped.
fn backoff(attempt: u32) -> Duration {
    let ceiling = Duration::from_millis(250).saturating_mul(1 << attempt.min(5)).min(MAX_BACKOFF);
    ceiling.mul_f64(0.5 + fastrand::f64() / 2.0)
}

fn describe_transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        "connection closed without an answer".into()
    }
}

/// A failed attempt, before deciding whether to retry.
enum Failure {
    Throttled { retry_after: Option<Duration> },
    Unauthorized { status: u16 },
    Status { status: u16, detail: String },
    Transport(String),
    Invalid(String),
}

impl Failure {
    fn into_error(self) -> DatabricksError {
        match self {
            Failure::Throttled { retry_after } => {
                DatabricksError::Throttled { retry_after_secs: retry_after.map_or(1, |d| d.as_secs().max(1)) }
            }
            Failure::Unauthorized { status } => DatabricksError::Unauthorized { status },
            Failure::Status { status: 404, detail } => DatabricksError::NotFound { detail },
            Failure::Status { status: 403, detail } => DatabricksError::Forbidden { detail },
            Failure::Status { status: 409, detail } => DatabricksError::Conflict { detail },
            Failure::Status { status: 400..=499, detail } => DatabricksError::BadRequest { detail },
            Failure::Status { status, .. } => DatabricksError::Server { status },
            Failure::Transport(reason) => DatabricksError::Transport(reason),
            Failure::Invalid(reason) => DatabricksError::InvalidResponse(reason),
        }
    }
}

async fn read_response(response: reqwest::Response) -> Result<Option<Value>, Failure> {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        // A hostile or broken header must not overflow anything: an hour is already "give up".
        .map(|secs| Duration::from_secs(secs.min(3600)));
    let bytes = response.bytes().await.map_err(|e| Failure::Transport(describe_transport(&e)))?;
    if status.is_success() {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        return serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| Failure::Invalid(format!("HTTP {} with a body that is not JSON", status.as_u16())));
    }
    let detail = error_detail(&bytes);
    match status {
        StatusCode::TOO_MANY_REQUESTS => Err(Failure::Throttled { retry_after }),
        StatusCode::UNAUTHORIZED => Err(Failure::Unauthorized { status: status.as_u16() }),
        s if s.is_server_error() && detail.contains("REQUEST_LIMIT_EXCEEDED") => {
            Err(Failure::Throttled { retry_after })
        }
        s => Err(Failure::Status { status: s.as_u16(), detail }),
    }
}

/// The `detail` of a SCIM error body, or the `message` of a platform error body.
fn error_detail(bytes: &[u8]) -> String {
    let parsed: Option<Value> = serde_json::from_slice(bytes).ok();
    parsed
        .as_ref()
        .and_then(|v| v.get("detail").or_else(|| v.get("message")))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}
