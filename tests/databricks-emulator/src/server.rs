//! HTTP surface: the router, the shared state, and the API request pipeline
//! (record → authenticate → throttle → flaky read → inject fault → handle) shared by the SCIM
//! routes (workspace and, with the account target, account), the token-management routes
//! ([`crate::tokens`]) and the permission-assignment routes ([`crate::assignments`]). The
//! OAuth token endpoint lives in [`crate::oauth`].

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::assignments::{self, AssignmentRoute};
use crate::behaviour::Behaviour;
use crate::conn::ConnKill;
use crate::error::ScimError;
use crate::faults::{self, Fault, FaultRule};
use crate::oauth::{self, OAuthState};
use crate::params::Query;
use crate::store::{Kind, Level, Ref, Store};
use crate::throttle::{Limiter, Refusal, Slot};
use crate::tokens::{self, TokenRoute};
use crate::{Config, Target, ThrottleStyle, WriteAnswers, account, admin, patch};

const SCIM_PREFIX: &str = "/api/2.0/preview/scim/v2/";
/// Account routes are `/api/2.0/accounts/{account_id}/…` (account target only).
const ACCOUNTS_PREFIX: &str = "/api/2.0/accounts/";
/// The SCIM base below an account: `/api/2.0/accounts/{account_id}/scim/v2/`.
const ACCOUNT_SCIM: &str = "scim/v2/";
const MAX_BODY: usize = 16 * 1024 * 1024;
/// The request log keeps the most recent entries only, so a long-running emulator stays bounded.
const MAX_LOGGED_REQUESTS: usize = 100_000;

/// Everything mutable, behind one lock (never held across an `.await`).
pub(crate) struct EmuState {
    /// The static bearer token.
    pub(crate) token: String,
    /// OAuth clients and the access tokens issued to them.
    pub(crate) oauth: OAuthState,
    pub(crate) store: Store,
    pub(crate) total: u64,
    pub(crate) counts: std::collections::BTreeMap<String, u64>,
    pub(crate) log: std::collections::VecDeque<Value>,
    pub(crate) faults: Vec<FaultRule>,
    pub(crate) limiter: Option<Limiter>,
    /// The credential may not read the token-management API (`403 PERMISSION_DENIED`).
    pub(crate) token_management_forbidden: bool,
    /// The behaviour switches in force.
    pub(crate) behaviour: Behaviour,
    /// SCIM `GET`s admitted past auth and throttling since `flaky_reads` was last set.
    pub(crate) scim_reads: u64,
}

impl EmuState {
    pub(crate) fn fresh(config: &Config) -> Self {
        EmuState {
            token: config.token.clone(),
            oauth: OAuthState::new(&config.oauth_clients),
            store: Store::new(config.seed_quirks),
            total: 0,
            counts: Default::default(),
            log: Default::default(),
            faults: Vec::new(),
            limiter: config.throttle.clone().map(Limiter::new),
            token_management_forbidden: config.token_management_forbidden,
            behaviour: Behaviour::from_config(config),
            scim_reads: 0,
        }
    }

    /// With `flaky_reads` = N, every Nth SCIM `GET` fails: counts this one and says whether it
    /// is that Nth.
    fn flaky_read(&mut self, method: &Method, resource: &str) -> bool {
        let every = u64::from(self.behaviour.flaky_reads);
        if every == 0 || *method != Method::GET || Kind::from_segment(resource).is_none() {
            return false;
        }
        self.scim_reads += 1;
        self.scim_reads.is_multiple_of(every)
    }

    /// Whether `token` is the static token or an unexpired issued access token.
    fn accepts(&self, token: &str, now: Instant) -> bool {
        token == self.token || self.oauth.accepts(token, now)
    }
}

#[derive(Clone)]
pub(crate) struct App {
    pub(crate) startup: Arc<Config>,
    state: Arc<Mutex<EmuState>>,
    in_flight: Arc<AtomicUsize>,
}

impl App {
    pub(crate) fn new(config: Config) -> Self {
        let state = EmuState::fresh(&config);
        App { startup: Arc::new(config), state: Arc::new(Mutex::new(state)), in_flight: Arc::new(AtomicUsize::new(0)) }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, EmuState> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub(crate) fn router(app: App) -> Router {
    Router::new()
        .route("/_emulator/health", get(admin::health))
        .route("/_emulator/stats", get(admin::stats))
        .route("/_emulator/requests", get(admin::requests))
        .route("/_emulator/state", get(admin::state))
        .route("/_emulator/reset", post(admin::reset))
        .route("/_emulator/reset-stats", post(admin::reset_stats))
        .route("/_emulator/token", post(admin::set_token))
        .route("/_emulator/oauth-clients", post(admin::set_oauth_client))
        .route("/_emulator/oauth-tokens/expire", post(admin::expire_oauth_tokens))
        .route("/_emulator/quirks", post(admin::set_quirks))
        .route("/_emulator/faults", get(admin::list_faults).post(admin::add_faults).delete(admin::clear_faults))
        .route("/_emulator/throttle", get(admin::get_throttle).post(admin::set_throttle).delete(admin::clear_throttle))
        .route("/_emulator/token-management", post(admin::set_token_management))
        .route("/_emulator/tokens", post(admin::create_token))
        .route("/_emulator/service-principals/bulk", post(admin::bulk_service_principals))
        .route("/_emulator/users/bulk", post(admin::bulk_users))
        .route("/_emulator/behaviour", get(admin::get_behaviour).post(admin::set_behaviour))
        .route("/_emulator/account-groups", post(admin::account_group))
        .route(oauth::TOKEN_PATH, post(oauth::token))
        .route(oauth::ACCOUNT_TOKEN_PATH, post(oauth::token))
        .fallback(api)
        .with_state(app)
}

// ---------------------------------------------------------------------------------------------
// Responses

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn scim_error(err: &ScimError) -> Response {
    json_response(err.status, &err.body())
}

fn with_retry_after(mut response: Response, secs: u64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

fn platform_error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, &tokens::platform_body(code, message))
}

/// An emulator-made failure (fault, throttle) in the shape of the resource's API: SCIM errors
/// for the SCIM routes, the platform shape (with the status's usual `error_code`) for
/// token management.
fn failure(platform: bool, status: StatusCode, detail: impl Into<String>) -> Response {
    if platform {
        platform_error(status, tokens::default_error_code(status), &detail.into())
    } else {
        scim_error(&ScimError::new(status, detail))
    }
}

// ---------------------------------------------------------------------------------------------
// Routing

#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Collection(Level, Kind),
    Item(Level, Kind, String),
    Tokens(TokenRoute),
    /// Account target only.
    Assignments(AssignmentRoute),
    /// An account route naming another account than [`Config::account_id`] (account target
    /// only): `404 RESOURCE_DOES_NOT_EXIST`.
    WrongAccount(String),
    Unknown,
}

/// `/api/2.0/accounts/{account_id}/{rest}` → `(account_id, rest)` (a non-empty account id).
fn account_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix(ACCOUNTS_PREFIX)?;
    let (account, rest) = rest.split_once('/').unwrap_or((rest, ""));
    (!account.is_empty()).then_some((account, rest))
}

/// The resource segment of a SCIM path below its base (`Users/1` → `Users`), else `other`.
fn scim_resource(rest: &str) -> &'static str {
    rest.split('/').next().and_then(Kind::from_segment).map_or("other", Kind::segment)
}

impl Route {
    /// The workspace target's routing.
    #[cfg(test)]
    fn parse(path: &str) -> Self {
        Self::parse_in(path, &Config::default())
    }

    /// The workspace target's resource names.
    #[cfg(test)]
    fn resource(path: &str) -> &'static str {
        Self::resource_in(path, &Config::default())
    }

    /// The route of `path` for the configured target.
    fn parse_in(path: &str, config: &Config) -> Self {
        if let Some(route) = TokenRoute::parse(path) {
            return Route::Tokens(route);
        }
        if let Some(rest) = path.strip_prefix(SCIM_PREFIX) {
            return Self::scim(Level::Workspace, rest);
        }
        if config.target == Target::Account
            && let Some((account, rest)) = account_path(path)
        {
            if config.account_id.as_deref().is_some_and(|id| id != account) {
                return Route::WrongAccount(account.to_owned());
            }
            if let Some(rest) = rest.strip_prefix(ACCOUNT_SCIM) {
                return Self::scim(Level::Account, rest);
            }
            if let Some(route) = AssignmentRoute::parse(rest) {
                return Route::Assignments(route);
            }
        }
        Route::Unknown
    }

    /// A SCIM route below its base (`Users`, `Groups/123/`).
    fn scim(level: Level, rest: &str) -> Self {
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let mut segments = rest.split('/');
        let Some(kind) = segments.next().and_then(Kind::from_segment) else {
            return Route::Unknown;
        };
        match (segments.next(), segments.next()) {
            (None, _) => Route::Collection(level, kind),
            (Some(id), None) => Route::Item(level, kind, id.to_owned()),
            _ => Route::Unknown,
        }
    }

    /// The resource name used in stats, the request log and fault matching: `Users`, `Groups`
    /// or `ServicePrincipals` at either SCIM level, `token-management`,
    /// `permissionassignments` (account target), else `other`.
    fn resource_in(path: &str, config: &Config) -> &'static str {
        if TokenRoute::parse(path).is_some() {
            return tokens::RESOURCE;
        }
        if let Some(rest) = path.strip_prefix(SCIM_PREFIX) {
            return scim_resource(rest);
        }
        if config.target == Target::Account
            && let Some((_, rest)) = account_path(path)
        {
            if let Some(rest) = rest.strip_prefix(ACCOUNT_SCIM) {
                return scim_resource(rest);
            }
            if AssignmentRoute::parse(rest).is_some() {
                return assignments::RESOURCE;
            }
        }
        "other"
    }

    /// Whether errors on this route use the platform shape `{"error_code", "message"}` rather
    /// than the SCIM error shape.
    fn platform(&self) -> bool {
        matches!(self, Route::Tokens(_) | Route::Assignments(_) | Route::WrongAccount(_))
    }
}

// ---------------------------------------------------------------------------------------------
// The API pipeline

/// The token of an `Authorization: Bearer …` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
}

/// What the locked pre-flight decided.
enum Gate {
    Reject(Response),
    Proceed { slot: Slot, fault: Option<Fault> },
}

/// One API request (SCIM or token management), once its body is read.
#[derive(Clone)]
struct ScimCall {
    method: Method,
    path: String,
    route: Route,
    raw_query: String,
    content_type: Option<String>,
    bytes: Bytes,
}

impl ScimCall {
    /// With `drop` on a `POST /Groups`, the same call without the `members` it names (the
    /// real partial failure of a group create); otherwise the call as it is.
    fn without_members(&self, drop: bool) -> ScimCall {
        let mut call = self.clone();
        if drop
            && self.method == Method::POST
            && matches!(self.route, Route::Collection(_, Kind::Group))
            && let Ok(Value::Object(mut body)) = serde_json::from_slice::<Value>(&self.bytes)
        {
            body.remove("members");
            call.bytes = Bytes::from(Value::Object(body).to_string());
        }
        call
    }

    fn run(&self, app: &App) -> Result<Outcome, ScimError> {
        let mut st = app.lock();
        match &self.route {
            Route::Tokens(route) => {
                let (status, body) = tokens::handle(
                    &st.store,
                    st.token_management_forbidden,
                    &self.method,
                    route,
                    &self.path,
                    &self.raw_query,
                );
                return Ok(Outcome::new(status, Some(body)));
            }
            Route::Assignments(route) => {
                let (status, body) = assignments::handle(&mut st.store, &self.method, route, &self.path, &self.bytes);
                return Ok(Outcome::new(status, Some(body)));
            }
            Route::WrongAccount(id) => {
                let body = tokens::platform_body("RESOURCE_DOES_NOT_EXIST", &format!("Account {id} does not exist"));
                return Ok(Outcome::new(StatusCode::NOT_FOUND, Some(body)));
            }
            Route::Collection(..) | Route::Item(..) | Route::Unknown => {}
        }
        let behaviour = st.behaviour;
        let request = ScimRequest {
            method: &self.method,
            raw_query: &self.raw_query,
            content_type: self.content_type.as_deref(),
            bytes: &self.bytes,
        };
        handle(&mut st.store, &behaviour, &self.route, &request)
    }
}

async fn api(State(app): State<App>, req: Request) -> Response {
    let kill = req.extensions().get::<ConnectInfo<ConnKill>>().map(|c| c.0.clone());
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    if !path.starts_with("/api/") {
        return platform_error(
            StatusCode::NOT_FOUND,
            "ENDPOINT_NOT_FOUND",
            &format!("No API found for '{} {}'", parts.method, path),
        );
    }
    let call = ScimCall {
        method: parts.method.clone(),
        path: path.clone(),
        route: Route::parse_in(&path, &app.startup),
        raw_query: parts.uri.query().unwrap_or("").to_owned(),
        content_type: parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned),
        bytes: to_bytes(body, MAX_BODY).await.unwrap_or_default(),
    };
    let resource = Route::resource_in(&path, &app.startup);

    let gate = {
        let mut st = app.lock();
        let body = serde_json::from_slice::<Value>(&call.bytes).unwrap_or(Value::Null);
        record(&mut st, call.method.as_str(), resource, &path, &call.raw_query, body);
        preflight(&app, &mut st, &parts.headers, &call, resource)
    };
    match gate {
        Gate::Reject(response) => response,
        Gate::Proceed { slot, fault } => {
            let response = respond(&app, &call, fault, kill.as_ref()).await;
            drop(slot);
            response
        }
    }
}

/// Counts and logs a request to `/api/…` or the token endpoint, whatever happens to it next.
pub(crate) fn record(st: &mut EmuState, method: &str, resource: &str, path: &str, query: &str, body: Value) {
    st.total += 1;
    *st.counts.entry(format!("{method} {resource}")).or_insert(0) += 1;
    if st.log.len() >= MAX_LOGGED_REQUESTS {
        st.log.pop_front();
    }
    st.log.push_back(json!({"method": method, "resource": resource, "path": path, "query": query, "body": body}));
}

/// Authentication, then throttling, then a flaky read, then picking an injected fault.
fn preflight(app: &App, st: &mut EmuState, headers: &HeaderMap, call: &ScimCall, resource: &str) -> Gate {
    let method = &call.method;
    if !bearer(headers).is_some_and(|token| st.accepts(token, Instant::now())) {
        return Gate::Reject(platform_error(StatusCode::UNAUTHORIZED, "401", "Unauthorized"));
    }
    let slot = match st.limiter.as_mut() {
        None => Slot::none(),
        Some(limiter) => match limiter.admit(&format!("{method} {resource}"), &app.in_flight, Instant::now()) {
            Ok(slot) => slot,
            Err(refusal) => {
                return Gate::Reject(throttled(&refusal, limiter.config.style, call.route.platform()));
            }
        },
    };
    if st.flaky_read(method, resource) {
        return Gate::Reject(temporarily_unavailable(&call.path, resource));
    }
    Gate::Proceed { slot, fault: faults::take(&mut st.faults, method.as_str(), resource) }
}

/// A flaky read: `500 TEMPORARILY_UNAVAILABLE` in the platform shape, as databricks/cli PR #6766
/// saw on SCIM reads. The service named is the SCIM base the request came through followed by
/// the resource (`/api/2.0/preview/scim/v2/Users`, `/api/2.0/accounts/<id>/scim/v2/Users`).
fn temporarily_unavailable(path: &str, resource: &str) -> Response {
    let base = match account_path(path) {
        Some((account, rest)) if rest.starts_with(ACCOUNT_SCIM) => format!("{ACCOUNTS_PREFIX}{account}/{ACCOUNT_SCIM}"),
        _ => SCIM_PREFIX.to_owned(),
    };
    platform_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "TEMPORARILY_UNAVAILABLE",
        &format!("The service at {base}{resource} is temporarily unavailable. Please try again later."),
    )
}

/// Handles the request, shaped by the injected fault if any.
async fn respond(app: &App, call: &ScimCall, fault: Option<Fault>, kill: Option<&ConnKill>) -> Response {
    let platform = call.route.platform();
    match fault {
        None => into_response(call.run(app)),
        Some(Fault::Latency { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            into_response(call.run(app))
        }
        Some(Fault::Status { status, detail, retry_after, error_code }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let detail = detail.unwrap_or_else(|| status.canonical_reason().unwrap_or("Injected fault").to_owned());
            let response = match error_code {
                Some(code) => platform_error(status, &code, &detail),
                None => failure(platform, status, detail),
            };
            match retry_after {
                Some(secs) => with_retry_after(response, secs),
                None => response,
            }
        }
        Some(Fault::Drop { after_write }) => {
            if after_write {
                // The outcome is never sent: that is the point of the fault.
                let _ = call.run(app);
            }
            match kill {
                Some(kill) => {
                    kill.kill();
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
                None => failure(
                    platform,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "connection drop is not available on this listener",
                ),
            }
        }
        Some(Fault::WriteThen500 { detail, without_members }) => match call.without_members(without_members).run(app) {
            Ok(outcome) if outcome.status.is_success() => {
                let detail = detail.unwrap_or_else(|| write_failure_detail(&call.method, &call.route, &outcome));
                failure(platform, StatusCode::INTERNAL_SERVER_ERROR, detail)
            }
            other => into_response(other),
        },
    }
}

fn throttled(refusal: &Refusal, style: ThrottleStyle, platform: bool) -> Response {
    let message = refusal.message(style);
    match style {
        ThrottleStyle::TooManyRequests { retry_after_secs } => {
            let response = platform_error(StatusCode::TOO_MANY_REQUESTS, "REQUEST_LIMIT_EXCEEDED", &message);
            match retry_after_secs {
                Some(secs) => with_retry_after(response, secs),
                None => response,
            }
        }
        ThrottleStyle::ErrorCode { status } => platform_error(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            "REQUEST_LIMIT_EXCEEDED",
            &message,
        ),
        ThrottleStyle::RequestLimitExceeded500 if platform => {
            platform_error(StatusCode::INTERNAL_SERVER_ERROR, "REQUEST_LIMIT_EXCEEDED", &message)
        }
        ThrottleStyle::RequestLimitExceeded500 => {
            scim_error(&ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, message))
        }
    }
}

/// The 500 detail of a `write_then_500` fault, after the real failures of register rows 9 and 10.
fn write_failure_detail(method: &Method, route: &Route, outcome: &Outcome) -> String {
    let name = outcome.name.clone().unwrap_or_default();
    let kind = match route {
        Route::Collection(_, kind) | Route::Item(_, kind, _) => Some(*kind),
        Route::Tokens(_) | Route::Assignments(_) | Route::WrongAccount(_) => return "Internal error.".to_owned(),
        Route::Unknown => None,
    };
    match (method, kind) {
        (&Method::DELETE, Some(Kind::Group)) => "Max retries exhausted with RPC com.databricks.api.proto.users.GetAllUserIdsInGroup, max retry count exceeded".to_owned(),
        (_, Some(Kind::Group)) => format!("Failed to update members of group {name}"),
        (&Method::DELETE, _) => "Max retries exhausted with RPC com.databricks.api.proto.users.DeletePrincipal, max retry count exceeded".to_owned(),
        (_, Some(Kind::ServicePrincipal)) => {
            "Error in performing the patch operation on service principal resource.".to_owned()
        }
        _ => "Error in performing the patch operation on user resource.".to_owned(),
    }
}

pub(crate) struct Outcome {
    status: StatusCode,
    body: Option<Value>,
    /// The `displayName` of the resource written (for the `write_then_500` detail), whatever
    /// the answer shows.
    name: Option<String>,
}

impl Outcome {
    fn new(status: StatusCode, body: Option<Value>) -> Self {
        Outcome { status, body, name: None }
    }

    /// Remembers the written resource's `displayName`.
    fn written(mut self, resource: &Value) -> Self {
        self.name = resource.get("displayName").and_then(Value::as_str).map(str::to_owned);
        self
    }
}

fn into_response(result: Result<Outcome, ScimError>) -> Response {
    match result {
        Ok(Outcome { status, body: None, .. }) => status.into_response(),
        Ok(Outcome { status, body: Some(body), .. }) => json_response(status, &body),
        Err(err) => scim_error(&err),
    }
}

/// Parses a JSON request body. Databricks clients send `application/json` or
/// `application/scim+json` (with or without charset); other declared types are refused.
fn parse_body(content_type: Option<&str>, bytes: &Bytes) -> Result<Value, ScimError> {
    if let Some(ct) = content_type {
        let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if !bytes.is_empty() && mime != "application/json" && mime != "application/scim+json" {
            return Err(ScimError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, format!("Unsupported Media Type: {ct}")));
        }
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(ScimError::unparsable()),
    }
}

/// One SCIM request as the handler needs it.
struct ScimRequest<'a> {
    method: &'a Method,
    raw_query: &'a str,
    content_type: Option<&'a str>,
    bytes: &'a Bytes,
}

fn handle(
    store: &mut Store,
    behaviour: &Behaviour,
    route: &Route,
    req: &ScimRequest<'_>,
) -> Result<Outcome, ScimError> {
    let query = Query::parse(req.raw_query);
    match route {
        // Token, permission-assignment and wrong-account routes are answered before this.
        Route::Unknown | Route::Tokens(_) | Route::Assignments(_) | Route::WrongAccount(_) => {
            Err(ScimError::endpoint_not_supported())
        }
        Route::Collection(level, kind) => match *req.method {
            Method::GET => Ok(Outcome::new(StatusCode::OK, Some(store.list(*kind, &query, *level)?))),
            Method::POST => {
                let body = parse_body(req.content_type, req.bytes)?;
                if *level == Level::Account {
                    account::refuse_in_body(*kind, &body)?;
                }
                let created = store.create(*kind, &body, behaviour.cloud, *level)?;
                let rendered = store.render(created).ok_or_else(|| kind.not_found(&created.id.to_string()))?;
                let status = StatusCode::from_u16(behaviour.create_status).unwrap_or(StatusCode::CREATED);
                let shown = account::view(*level, rendered.clone(), false);
                Ok(Outcome::new(status, Some(query.project(shown))).written(&rendered))
            }
            _ => Err(ScimError::method_not_supported()),
        },
        Route::Item(level, kind, id) => match *req.method {
            Method::GET => {
                let shown = account::view(*level, store.get(*kind, id)?, false);
                Ok(Outcome::new(StatusCode::OK, Some(query.project(shown))))
            }
            Method::PUT => {
                refuse_account_group(store, behaviour, *level, store.find(*kind, id)?)?;
                let body = parse_body(req.content_type, req.bytes)?;
                if *level == Level::Account {
                    account::refuse_in_body(*kind, &body)?;
                }
                let target = store.replace(*kind, id, &body, behaviour.cloud, *level)?;
                let rendered = store.render(target).ok_or_else(|| kind.not_found(id))?;
                Ok(write_answer(behaviour.write_answers, *level, rendered, &query))
            }
            Method::PATCH => {
                let target = store.find(*kind, id)?;
                refuse_account_group(store, behaviour, *level, target)?;
                let body = parse_body(req.content_type, req.bytes)?;
                if *level == Level::Account {
                    account::refuse_in_patch(*kind, &body)?;
                }
                let raw = String::from_utf8_lossy(req.bytes);
                let checkpoint = store.checkpoint(target);
                if let Err(err) = patch::apply(store, target, &body, &raw, behaviour) {
                    store.restore(checkpoint);
                    return Err(err);
                }
                let rendered = store.render(target).ok_or_else(|| kind.not_found(id))?;
                Ok(write_answer(behaviour.write_answers, *level, rendered, &query))
            }
            Method::DELETE => {
                store.delete(*kind, id)?;
                Ok(Outcome::new(StatusCode::NO_CONTENT, None))
            }
            _ => Err(ScimError::method_not_supported()),
        },
    }
}

/// PATCH and PUT on an account group through the workspace SCIM API are refused
/// (`account_group_refusal`); through the account's they are not.
fn refuse_account_group(store: &Store, behaviour: &Behaviour, level: Level, target: Ref) -> Result<(), ScimError> {
    if level == Level::Workspace && store.is_account_group(target) {
        Err(ScimError::account_group_refused(behaviour.account_group_refusal))
    } else {
        Ok(())
    }
}

/// The answer to a successful PUT or PATCH: `200 {}` (no projection), `204`, or `200` with the
/// projected resource as `level` shows it.
fn write_answer(answers: WriteAnswers, level: Level, rendered: Value, query: &Query) -> Outcome {
    let outcome = match answers {
        WriteAnswers::Empty => Outcome::new(StatusCode::OK, Some(json!({}))),
        WriteAnswers::NoContent => Outcome::new(StatusCode::NO_CONTENT, None),
        WriteAnswers::Resource => {
            Outcome::new(StatusCode::OK, Some(query.project(account::view(level, rendered.clone(), false))))
        }
    };
    outcome.written(&rendered)
}

/// An empty body, for admin answers.
pub(crate) fn no_content() -> Response {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_distinguish_collections_items_and_unknown_paths() {
        assert_eq!(Route::parse("/api/2.0/preview/scim/v2/Users"), Route::Collection(Level::Workspace, Kind::User));
        assert_eq!(
            Route::parse("/api/2.0/preview/scim/v2/Groups/123/"),
            Route::Item(Level::Workspace, Kind::Group, "123".into())
        );
        assert_eq!(Route::parse("/api/2.0/preview/scim/v2/Me"), Route::Unknown);
        assert_eq!(Route::parse("/api/2.0/preview/scim/v2/Users/1/x"), Route::Unknown);
        assert_eq!(Route::resource("/api/2.0/preview/scim/v2/ServicePrincipals/1"), "ServicePrincipals");
        assert_eq!(Route::resource("/api/2.0/clusters/list"), "other");
        assert_eq!(Route::parse("/api/2.0/token-management/tokens"), Route::Tokens(TokenRoute::List));
        assert_eq!(Route::resource("/api/2.0/token-management/tokens/abc"), "token-management");
        assert_eq!(Route::resource("/api/2.0/token-management/on-behalf-of/tokens"), "token-management");
    }

    #[test]
    fn account_routes_exist_for_the_account_target_only_and_name_their_resource() {
        let account = Config { target: Target::Account, ..Config::default() };
        let pinned = Config { account_id: Some("acc".into()), ..account.clone() };
        let workspace = Config::default();
        let users = "/api/2.0/accounts/acc/scim/v2/Users/12/";
        let assignment = "/api/2.0/accounts/acc/workspaces/3/permissionassignments/principals/4";

        assert_eq!(Route::parse_in(users, &account), Route::Item(Level::Account, Kind::User, "12".into()));
        assert_eq!(Route::parse_in(users, &pinned), Route::Item(Level::Account, Kind::User, "12".into()));
        assert_eq!(Route::parse_in(users, &workspace), Route::Unknown);
        assert_eq!(
            Route::parse_in("/api/2.0/accounts/other/scim/v2/Users", &pinned),
            Route::WrongAccount("other".into())
        );
        assert_eq!(
            Route::parse_in(assignment, &account),
            Route::Assignments(AssignmentRoute::Principal { workspace: "3".into(), principal: "4".into() })
        );
        assert_eq!(Route::parse_in("/api/2.0/accounts//scim/v2/Users", &account), Route::Unknown);
        assert_eq!(Route::parse_in("/api/2.0/accounts/acc/scim/v2/Me", &account), Route::Unknown);
        assert_eq!(
            Route::parse_in("/api/2.0/preview/scim/v2/Groups", &account),
            Route::Collection(Level::Workspace, Kind::Group)
        );
        assert_eq!(Route::resource_in(users, &account), "Users");
        assert_eq!(Route::resource_in(users, &workspace), "other");
        assert_eq!(Route::resource_in(assignment, &account), "permissionassignments");
        assert_eq!(Route::resource_in("/api/2.0/accounts/acc/workspaces/3", &account), "other");
    }

    #[test]
    fn bearer_tokens_are_compared_exactly() {
        let st = EmuState::fresh(&Config { token: "tok".into(), ..Config::default() });
        let accepted = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
            bearer(&headers).is_some_and(|token| st.accepts(token, Instant::now()))
        };
        assert!(accepted("bearer tok"));
        assert!(accepted("Bearer  tok "));
        assert!(!accepted("Bearer TOK"));
        assert!(!accepted("Basic tok"));
        assert!(!accepted("Bearer"));
    }
}
