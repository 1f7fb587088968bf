//! `DatabricksClient`: one reqwest client, built once; every call goes through `send`,
//! which adds the credential, honours throttling within a time budget, and never
//! repeats a write whose outcome is unknown.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::account::{AccountTarget, PermissionAssignment, PermissionAssignments, WorkspaceId, WorkspacePermission};
use super::error::TransportError;
use super::model::{
    CreateBody, DatabricksResource, ErrorBody, ListAnswer, PatchOperation, PatchRequest, Selection, TokenList,
    WORKSPACE_ONLY,
};
use super::{DatabricksError, DatabricksId, TokenSource};
use crate::scim::Resource;

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

/// How a call may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Idempotency {
    /// A read: retried on throttling, transport errors, 502/503/504 and `TEMPORARILY_UNAVAILABLE`.
    Read,
    /// A write: retried only when Databricks says it did not process it (throttling); any
    /// other failure leaves the outcome unknown and the caller re-reads.
    Write,
}

/// Counters for the request log line.
#[derive(Debug, Default)]
pub struct CallCounters {
    calls: AtomicU64,
    retries: AtomicU64,
    credential_failures: AtomicU64,
}

impl CallCounters {
    /// Calls, retries and credential failures (Databricks refused the credential after a
    /// re-read, or it could not be obtained) so far.
    pub fn snapshot(&self) -> (u64, u64, u64) {
        (
            self.calls.load(Ordering::Relaxed),
            self.retries.load(Ordering::Relaxed),
            self.credential_failures.load(Ordering::Relaxed),
        )
    }
}

/// Which SCIM API a client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiLevel {
    /// The workspace's (`/api/2.0/preview/scim/v2`), and its token-management API.
    Workspace,
    /// The account's (`/api/2.0/accounts/{id}/scim/v2`), and its permission-assignment API.
    Account,
}

/// Client of one Databricks workspace's, or one account's, SCIM API.
#[derive(Clone)]
pub struct DatabricksClient {
    http: reqwest::Client,
    level: ApiLevel,
    scim_base: Url,
    /// `/api/2.0/` of the workspace, or `/api/2.0/accounts/{id}/` of the account.
    api_base: Url,
    tokens: Arc<dyn TokenSource>,
    retry_budget: Duration,
    /// When the answer to the client must be on its way (the Lambda deadline less a margin).
    deadline: Option<Instant>,
    counters: Arc<CallCounters>,
}

impl std::fmt::Debug for DatabricksClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabricksClient").field("scim_base", &self.scim_base.as_str()).finish_non_exhaustive()
    }
}

const MAX_BACKOFF: Duration = Duration::from_secs(4);

use crate::deadline::MIN_CALL_TIME;
/// The call timeout and the re-read reserve, derived from the function timeout in
/// [`crate::deadline`].
pub use crate::deadline::{HTTP_TIMEOUT, REREAD_RESERVE};

/// The one HTTP client of a Lambda instance, shared by the SCIM calls and the OAuth token
/// exchange (building one loads the system roots: a cold-start cost worth paying once).
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3))
        .timeout(HTTP_TIMEOUT)
        .user_agent(concat!("databricks-scim-bridge/", env!("CARGO_PKG_VERSION")))
        .build()
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
    ) -> Result<DatabricksClient, url::ParseError> {
        let host = workspace_url(host);
        let parse = |path: &str| Url::parse(&format!("{host}{path}"));
        Ok(Self::on(
            ApiLevel::Workspace,
            parse("/api/2.0/preview/scim/v2/")?,
            parse("/api/2.0/")?,
            http,
            tokens,
            retry_budget,
        ))
    }

    /// Builds the client of an account's SCIM and permission-assignment APIs, on its accounts
    /// host, over the instance's one HTTP client.
    pub fn for_account(
        target: &AccountTarget,
        http: reqwest::Client,
        tokens: Arc<dyn TokenSource>,
        retry_budget: Duration,
    ) -> Result<DatabricksClient, url::ParseError> {
        let account = format!("{}/api/2.0/accounts/{}/", target.accounts_url(), target.account_id.as_str());
        let (scim_base, api_base) = (Url::parse(&format!("{account}scim/v2/"))?, Url::parse(&account)?);
        Ok(Self::on(ApiLevel::Account, scim_base, api_base, http, tokens, retry_budget))
    }

    fn on(
        level: ApiLevel,
        scim_base: Url,
        api_base: Url,
        http: reqwest::Client,
        tokens: Arc<dyn TokenSource>,
        retry_budget: Duration,
    ) -> DatabricksClient {
        DatabricksClient {
            http,
            level,
            scim_base,
            api_base,
            tokens,
            retry_budget,
            deadline: None,
            counters: Arc::default(),
        }
    }

    /// The workspace client that goes with this one and shares its call counters (the request
    /// log line counts both): Partner Connect's principals and tokens are the workspace's.
    pub fn workspace_companion(
        &self,
        host: &str,
        tokens: Arc<dyn TokenSource>,
    ) -> Result<DatabricksClient, url::ParseError> {
        let mut workspace = DatabricksClient::new(host, self.http.clone(), tokens, self.retry_budget)?;
        workspace.counters = Arc::clone(&self.counters);
        Ok(workspace)
    }

    /// Which API this client speaks.
    pub fn level(&self) -> ApiLevel {
        self.level
    }

    /// The same client for one request that must be answered by `deadline`: retries end
    /// before it, and no call is started that could not finish before it (a write keeps
    /// [`REREAD_RESERVE`] for the re-read its unknown outcome would need).
    pub fn with_deadline(&self, deadline: Instant) -> DatabricksClient {
        DatabricksClient { deadline: Some(deadline), ..self.clone() }
    }

    /// Calls and retries made so far by this client.
    pub fn counters(&self) -> &CallCounters {
        &self.counters
    }

    fn url(&self, resource: Resource, id: Option<&DatabricksId>) -> Result<Url, DatabricksError> {
        let mut url = self.scim_base.clone();
        {
            let mut segments = url
                .path_segments_mut()
                .map_err(|_| DatabricksError::InvalidResponse("host URL cannot carry a path".into()))?;
            segments.pop_if_empty().push(resource.endpoint());
            if let Some(id) = id {
                segments.push(id.as_str());
            }
        }
        Ok(url)
    }

    /// `GET /{resource}/{id}`.
    pub async fn get<T: DatabricksResource>(
        &self,
        id: &DatabricksId,
        selection: &Selection,
    ) -> Result<T, DatabricksError> {
        let mut url = self.url(T::RESOURCE, Some(id))?;
        append_selection(&mut url, &selection.attributes, &selection.excluded_attributes);
        let body = self.send_to::<T>(Method::GET, url, None, Idempotency::Read).await?;
        decode(&body.ok_or_else(empty_body)?)
    }

    /// `GET /{resource}?…` — one page.
    pub async fn list<T: DatabricksResource>(&self, params: &ListParams) -> Result<ListAnswer<T>, DatabricksError> {
        let mut url = self.url(T::RESOURCE, None)?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(filter) = &params.filter {
                query.append_pair("filter", filter);
            }
            query.append_pair("startIndex", &params.start_index.max(1).to_string());
            query.append_pair("count", &params.count.to_string());
        }
        append_selection(&mut url, &params.attributes, &params.excluded_attributes);
        let body = self.send_to::<T>(Method::GET, url, None, Idempotency::Read).await?;
        decode(&body.ok_or_else(empty_body)?)
    }

    /// `POST /{resource}`.
    pub async fn create<T: DatabricksResource>(&self, body: &T::Create) -> Result<T, DatabricksError> {
        if let Some(attribute) = body.workspace_only().filter(|_| self.level == ApiLevel::Account) {
            return Err(DatabricksError::WorkspaceOnly { attribute });
        }
        let url = self.url(T::RESOURCE, None)?;
        let answer = self.send_to::<T>(Method::POST, url, Some(&encode(body)?), Idempotency::Write).await?;
        decode(&answer.ok_or_else(empty_body)?)
    }

    /// `PATCH /{resource}/{id}` with the given operations. `Some(resource)` when Databricks
    /// answered with the resource; `None` for the `{}` or empty answers the real API gives
    /// (or any other JSON without an `id`).
    pub async fn patch<T: DatabricksResource>(
        &self,
        id: &DatabricksId,
        operations: &[PatchOperation],
    ) -> Result<Option<T>, DatabricksError> {
        if self.level == ApiLevel::Account
            && let Some(attribute) = operations.iter().map(|o| o.path.attribute()).find(|a| WORKSPACE_ONLY.contains(a))
        {
            return Err(DatabricksError::WorkspaceOnly { attribute });
        }
        let url = self.url(T::RESOURCE, Some(id))?;
        let body = encode(&PatchRequest::new(operations))?;
        let Some(answer) = self.send_to::<T>(Method::PATCH, url, Some(&body), Idempotency::Write).await? else {
            return Ok(None);
        };
        let resource: T = decode(&answer)?;
        Ok(resource.id().is_some().then_some(resource))
    }

    /// `DELETE /{resource}/{id}`.
    pub async fn delete<T: DatabricksResource>(&self, id: &DatabricksId) -> Result<(), DatabricksError> {
        let url = self.url(T::RESOURCE, Some(id))?;
        match self.send_to::<T>(Method::DELETE, url, None, Idempotency::Write).await? {
            // Whatever it says, it must be JSON.
            Some(answer) => decode::<IgnoredAny>(&answer).map(|_| ()),
            None => Ok(()),
        }
    }

    /// `GET /api/2.0/token-management/tokens`: every personal access token of the workspace
    /// (workspace admins only; a 403 otherwise). The API filters only by creator, and a token
    /// made on behalf of a principal has an admin as its creator, so callers match `owner_id`.
    pub async fn tokens(&self) -> Result<TokenList, DatabricksError> {
        let mut url = self.api_base.clone();
        url.path_segments_mut()
            .map_err(|_| DatabricksError::InvalidResponse("host URL cannot carry a path".into()))?
            .pop_if_empty()
            .extend(["token-management", "tokens"]);
        match self.send(Method::GET, url, None, Idempotency::Read).await? {
            Some(answer) => decode(&answer),
            None => Ok(TokenList::default()),
        }
    }

    /// `PUT /workspaces/{workspace}/permissionassignments/principals/{principal}` on the account
    /// API: the principal holds `permission` in the workspace, **replacing** what it held there
    /// (so the bridge sends it only for a principal that holds nothing there: see
    /// [`Self::assigned`]). A 400, 403 or 404 is [`DatabricksError::AssignmentRefused`]: it names
    /// the workspace, never a missing principal (a wrong workspace id answers 404 too).
    pub async fn assign(
        &self,
        workspace: &WorkspaceId,
        principal: &DatabricksId,
        permission: WorkspacePermission,
    ) -> Result<(), DatabricksError> {
        let url = self.assignment_url(workspace, Some(principal))?;
        let body = encode(&PermissionAssignment { permissions: [permission] })?;
        let answer = self.send(Method::PUT, url, Some(&body), Idempotency::Write).await;
        let answer = answer.map_err(|e| e.refusing_assignment(workspace))?;
        // The answer may name an `error` for the principal (the API's output type has one).
        #[derive(serde::Deserialize)]
        struct Output {
            error: Option<String>,
        }
        match answer.map(|a| decode::<Output>(&a)).transpose()? {
            Some(Output { error: Some(error) }) if !error.trim().is_empty() => {
                Err(DatabricksError::AssignmentRefused { workspace: workspace.as_str().to_string(), status: 200 })
            }
            _ => Ok(()),
        }
    }

    /// `DELETE /workspaces/{workspace}/permissionassignments/principals/{principal}` on the
    /// account API: the principal no longer holds anything in the workspace. A 404 (not
    /// assigned there, or no such principal) is success: there is nothing to remove.
    pub async fn unassign(&self, workspace: &WorkspaceId, principal: &DatabricksId) -> Result<(), DatabricksError> {
        let url = self.assignment_url(workspace, Some(principal))?;
        match self.send(Method::DELETE, url, None, Idempotency::Write).await {
            Ok(Some(answer)) => decode::<IgnoredAny>(&answer).map(|_| ()),
            Ok(None) | Err(DatabricksError::NotFound { .. }) => Ok(()),
            Err(err) => Err(err.refusing_assignment(workspace)),
        }
    }

    /// `GET /workspaces/{workspace}/permissionassignments` on the account API (one page, no
    /// paging): whether `principal` holds anything in the workspace.
    pub async fn assigned(&self, workspace: &WorkspaceId, principal: &DatabricksId) -> Result<bool, DatabricksError> {
        let url = self.assignment_url(workspace, None)?;
        let answer = self.send(Method::GET, url, None, Idempotency::Read).await;
        let list: PermissionAssignments = match answer.map_err(|e| e.refusing_assignment(workspace))? {
            Some(answer) => decode(&answer)?,
            None => PermissionAssignments::default(),
        };
        Ok(list.holds(principal))
    }

    /// `…/workspaces/{workspace}/permissionassignments[/principals/{principal}]`.
    fn assignment_url(
        &self,
        workspace: &WorkspaceId,
        principal: Option<&DatabricksId>,
    ) -> Result<Url, DatabricksError> {
        if self.level != ApiLevel::Account {
            return Err(DatabricksError::InvalidResponse("workspace assignment needs the account API".into()));
        }
        let mut url = self.api_base.clone();
        {
            let mut segments = url
                .path_segments_mut()
                .map_err(|_| DatabricksError::InvalidResponse("host URL cannot carry a path".into()))?;
            segments.pop_if_empty().extend(["workspaces", workspace.as_str(), "permissionassignments"]);
            if let Some(principal) = principal {
                segments.extend(["principals", principal.as_str()]);
            }
        }
        Ok(url)
    }

    /// [`Self::send`] to `T`'s endpoint: a 404 or 409 names `T`'s resource.
    async fn send_to<T: DatabricksResource>(
        &self,
        method: Method,
        url: Url,
        body: Option<&[u8]>,
        idempotency: Idempotency,
    ) -> Result<Option<Vec<u8>>, DatabricksError> {
        self.send(method, url, body, idempotency).await.map_err(|e| e.concerning(T::RESOURCE))
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&[u8]>,
        idempotency: Idempotency,
    ) -> Result<Option<Vec<u8>>, DatabricksError> {
        let started = Instant::now();
        let mut attempt: u32 = 0;
        let mut credential_retried = false;
        loop {
            let timeout = self.call_timeout(idempotency).ok_or(DatabricksError::NoTimeLeft)?;
            let token = self.tokens.token().await.inspect_err(|_| {
                self.counters.credential_failures.fetch_add(1, Ordering::Relaxed);
            })?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .timeout(timeout)
                .bearer_auth(token.expose())
                .header(reqwest::header::ACCEPT, "application/json");
            if let Some(body) = body {
                request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_vec());
            }
            self.counters.calls.fetch_add(1, Ordering::Relaxed);
            let outcome = match request.send().await {
                Ok(response) => read_response(response).await,
                Err(e) => Err(Failure::Transport(TransportError::new(e))),
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
                Failure::Transport(_) | Failure::Unavailable { .. } | Failure::Status { status: 502..=504, .. }
                    if idempotency == Idempotency::Read && attempt < 2 =>
                {
                    Some(backoff(attempt))
                }
                _ => None,
            };
            match wait {
                Some(wait) if self.may_wait(started, wait, idempotency) => {
                    attempt += 1;
                    self.counters.retries.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, "retrying Databricks call");
                    tokio::time::sleep(wait).await;
                }
                _ => {
                    let error = failure.into_error();
                    // A 403 on the SCIM API means the credential is no workspace admin; elsewhere
                    // (token management) it only limits what can be reported.
                    let scim = url.as_str().starts_with(self.scim_base.as_str())
                        || (self.level == ApiLevel::Account && url.as_str().starts_with(self.api_base.as_str()));
                    let refused = match error {
                        DatabricksError::Unauthorized { .. } => true,
                        DatabricksError::Forbidden { .. } => scim,
                        _ => false,
                    };
                    if refused {
                        self.counters.credential_failures.fetch_add(1, Ordering::Relaxed);
                    }
                    return Err(error);
                }
            }
        }
    }

    /// Whether a retry after `wait` stays inside the retry budget and leaves the retried call
    /// time to finish before the deadline.
    fn may_wait(&self, started: Instant, wait: Duration, idempotency: Idempotency) -> bool {
        let in_budget = started.elapsed().saturating_add(wait) <= self.retry_budget;
        let reserve = MIN_CALL_TIME + if idempotency == Idempotency::Write { REREAD_RESERVE } else { Duration::ZERO };
        let before_deadline = self.deadline.is_none_or(|d| Instant::now() + wait + reserve < d);
        in_budget && before_deadline
    }

    /// How long the next call may take: [`HTTP_TIMEOUT`], or less so that it ends before the
    /// deadline (a write also leaves [`REREAD_RESERVE`]); `None` when no useful time is left.
    fn call_timeout(&self, idempotency: Idempotency) -> Option<Duration> {
        let Some(deadline) = self.deadline else { return Some(HTTP_TIMEOUT) };
        let reserve = match idempotency {
            Idempotency::Read => Duration::ZERO,
            Idempotency::Write => REREAD_RESERVE,
        };
        let left = deadline.saturating_duration_since(Instant::now()).saturating_sub(reserve);
        (left >= MIN_CALL_TIME).then(|| left.min(HTTP_TIMEOUT))
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

/// A request body as JSON.
fn encode(body: &impl Serialize) -> Result<Vec<u8>, DatabricksError> {
    serde_json::to_vec(body).map_err(|e| DatabricksError::InvalidResponse(format!("cannot encode a request: {e}")))
}

/// A 2xx body read as `T` (leniently: see [`crate::scim::lenient`]). Only a body that is not
/// JSON fails; the error names where, never what (answers hold personal data).
fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, DatabricksError> {
    serde_json::from_slice(body).map_err(|e| {
        DatabricksError::InvalidResponse(format!(
            "a success answer that is not the expected JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

/// Exponential backoff with full jitter: up to 250 ms · 2^attempt, capped.
fn backoff(attempt: u32) -> Duration {
    let ceiling = Duration::from_millis(250).saturating_mul(1 << attempt.min(5)).min(MAX_BACKOFF);
    ceiling.mul_f64(0.5 + fastrand::f64() / 2.0)
}

/// A failed attempt, before deciding whether to retry.
enum Failure {
    Throttled {
        retry_after: Option<Duration>,
    },
    Unauthorized {
        status: u16,
    },
    /// 503, or `error_code: TEMPORARILY_UNAVAILABLE` at any status: a read may be retried.
    Unavailable {
        status: u16,
    },
    Status {
        status: u16,
        error: ErrorBody,
    },
    Transport(TransportError),
    Invalid(String),
}

impl Failure {
    fn into_error(self) -> DatabricksError {
        match self {
            Failure::Throttled { retry_after } => {
                DatabricksError::Throttled { retry_after_secs: retry_after.map_or(1, |d| d.as_secs().max(1)) }
            }
            Failure::Unauthorized { status } => DatabricksError::Unauthorized { status },
            Failure::Unavailable { status } => {
                DatabricksError::Server { status, detail: "temporarily unavailable".into() }
            }
            Failure::Status { status: 404, error } => {
                DatabricksError::NotFound { resource: None, detail: error.text() }
            }
            Failure::Status { status: 403, error } => DatabricksError::Forbidden { detail: error.text() },
            Failure::Status { status: 409, error } => {
                DatabricksError::Conflict { resource: None, detail: error.text() }
            }
            Failure::Status { status: 400..=499, error } => {
                DatabricksError::BadRequest { scim_type: error.scim_type.clone(), detail: error.text() }
            }
            Failure::Status { status, error } => DatabricksError::Server { status, detail: error.text() },
            Failure::Transport(reason) => DatabricksError::Transport(reason),
            Failure::Invalid(reason) => DatabricksError::InvalidResponse(reason),
        }
    }
}

async fn read_response(response: reqwest::Response) -> Result<Option<Vec<u8>>, Failure> {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        // A hostile or broken header must not overflow anything: an hour is already "give up".
        .map(|secs| Duration::from_secs(secs.min(3600)));
    let bytes = response.bytes().await.map_err(|e| Failure::Transport(TransportError::new(e)))?;
    if status.is_success() {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        if serde_json::from_slice::<IgnoredAny>(&bytes).is_err() {
            return Err(Failure::Invalid(format!("HTTP {} with a body that is not JSON", status.as_u16())));
        }
        return Ok(Some(bytes.to_vec()));
    }
    let error = ErrorBody::parse(&bytes);
    if status == StatusCode::TOO_MANY_REQUESTS || error.is_throttling() {
        return Err(Failure::Throttled { retry_after });
    }
    match status {
        StatusCode::UNAUTHORIZED => Err(Failure::Unauthorized { status: status.as_u16() }),
        StatusCode::SERVICE_UNAVAILABLE => Err(Failure::Unavailable { status: status.as_u16() }),
        s if error.is("TEMPORARILY_UNAVAILABLE") => Err(Failure::Unavailable { status: s.as_u16() }),
        s => Err(Failure::Status { status: s.as_u16(), error }),
    }
}

#[cfg(test)]
mod tests;
