//! API Gateway event in, SCIM response out. The only module that knows lambda_http.
//! Works with REST API (v1) events — stage prefix included — and HTTP API (v2) events,
//! which `cargo lambda watch` sends.

pub mod oauth;
pub mod request_log;

use std::time::{Duration, Instant};

use lambda_http::http::Method;
use lambda_http::http::header::{CONTENT_TYPE, HeaderValue};
use lambda_http::{Body, Request, RequestExt, Response, service_fn};

use crate::config::AppState;
use crate::deadline;
use crate::ops::{AnswerBody, Context, Outcome, ScimRequest, ScimResponse};
use crate::scim::ScimError;
use crate::scim::limits::{self, MAX_BODY_BYTES, MAX_RESPONSE_BYTES};

/// Time kept before the Lambda deadline to send the answer ([`crate::deadline`]).
pub use crate::deadline::ANSWER_MARGIN;

/// SCIM's media type (RFC 7644 §8.1).
pub const SCIM_CONTENT_TYPE: &str = "application/scim+json";

/// Runs one operation as a Lambda function: `name` is the function's (`patch-group`, the
/// `Operation` dimension of its metrics), `operation` its handler (`ops::patch_group::handle`).
/// Logging, configuration and clients are set up once; a configuration error makes every
/// request a SCIM 503 instead of a crash.
pub async fn serve<F, Fut>(name: &'static str, operation: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Context, ScimRequest) -> Fut + Copy + Send + Sync,
    Fut: Future<Output = Outcome> + Send,
{
    init_logging();
    let state = AppState::from_env().await.map_err(|reason| crate::scim::error::chain(&reason));
    if let Err(reason) = &state {
        tracing::error!(op = name, reason, "the function is not configured");
    }
    let state = &state;
    lambda_http::run(service_fn(move |request: Request| async move {
        let response = match state {
            Ok(state) => handle(state, name, operation, request).await,
            Err(reason) => error_response(&ScimError::unavailable(format!("the service is not configured: {reason}"))),
        };
        Ok::<_, std::convert::Infallible>(response)
    }))
    .await
}

/// With `AWS_LAMBDA_LOG_FORMAT=JSON` (set by the template) every line is one JSON object with
/// a timestamp and the request's ids, and the one line per request is its EMF metrics document
/// ([`request_log`]); plain text otherwise. Level from `RUST_LOG` or `AWS_LAMBDA_LOG_LEVEL`.
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let level = std::env::var("RUST_LOG")
        .or_else(|_| std::env::var("AWS_LAMBDA_LOG_LEVEL"))
        .unwrap_or_else(|_| "info".into())
        .to_ascii_lowercase();
    let filter = EnvFilter::try_new(&level).unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    if json {
        let _ = JSON_LOGS.set(true);
        let format = tracing_subscriber::fmt::format().json().flatten_event(true).with_target(false);
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .fmt_fields(tracing_subscriber::fmt::format::JsonFields::new())
            .event_format(request_log::JsonLines::new(format))
            .try_init();
    } else {
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).without_time().try_init();
    }
}

/// Whether this process writes JSON log lines (then the request line is the EMF document).
static JSON_LOGS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Serves one gateway request to the function `name`: bearer check, the operation, one log
/// line. Never fails: every outcome is a SCIM response.
pub async fn handle<F, Fut>(state: &AppState, name: &'static str, operation: F, request: Request) -> Response<Body>
where
    F: Fn(Context, ScimRequest) -> Fut,
    Fut: Future<Output = Outcome>,
{
    let started = Instant::now();
    let ids = request_log::begin(
        request.lambda_context_ref().map(|c| c.request_id.clone()).filter(|id| !id.is_empty()),
        api_gateway_request_id(&request),
    );
    let (calls_before, retries_before, credential_failures_before) = state.databricks.counters().snapshot();
    let authorization = request.headers().get("authorization").and_then(|v| v.to_str().ok());
    // Databricks calls and their retries must end before the Lambda's own deadline (less a
    // margin for the answer), or the gateway would answer a non-SCIM 5xx; without a deadline
    // from the runtime, the function timeout is the deadline.
    let context = Context::new(state, started + deadline::working_time(remaining_time(&request)));
    let outcome = match state.inbound.check(authorization).await {
        Ok(()) => run_within_limits(context, operation, &request).await,
        Err(err) => Err(err),
    };
    let (calls_after, retries_after, credential_failures_after) = state.databricks.counters().snapshot();
    let response = match &outcome {
        Ok(ok) => success_response(ok),
        Err(err) => error_response(err),
    };
    if let Err(err) = &outcome {
        log_cause(err);
    }
    let record = request_log::RequestRecord {
        operation: name,
        method: request.method().to_string(),
        status: response.status().as_u16(),
        latency_ms: started.elapsed().as_millis() as u64,
        databricks_calls: calls_after.saturating_sub(calls_before),
        databricks_retries: retries_after.saturating_sub(retries_before),
        // Databricks refused the credential, or a secret (Databricks' or the inbound tokens') could not be read.
        credential_failure: credential_failures_after > credential_failures_before
            || matches!(outcome, Err(ScimError::Unavailable { .. })),
        error: outcome.as_ref().err().map(ScimError::kind),
        request_id: ids.request_id,
        api_request_id: ids.api_request_id,
        cold_start: ids.cold_start,
    };
    log_request(&record);
    request_log::end();
    response
}

/// The one line per request: the EMF document in JSON mode, readable fields otherwise (the same
/// values; tests capture these).
fn log_request(record: &request_log::RequestRecord) {
    if JSON_LOGS.get().copied().unwrap_or(false) {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let emf = record.to_emf(request_log::namespace(), now.as_millis() as u64);
        tracing::info!(target: request_log::TARGET, emf = %emf);
        return;
    }
    tracing::info!(
        op = record.operation,
        method = %record.method,
        status = record.status,
        latency_ms = record.latency_ms,
        target_calls = record.databricks_calls,
        retries = record.databricks_retries,
        credential_failure = record.credential_failure,
        error = record.error,
        request_id = record.request_id.as_deref(),
        api_gateway_request_id = record.api_request_id.as_deref(),
        cold_start = record.cold_start,
        "scim request"
    );
}

/// What caused a failed request, once, at the edge: the cause chain of a 502 or 503 (a
/// Databricks, transport or credential failure). Its texts hold no secret and no personal data:
/// Databricks' own details and request URLs are not in them.
fn log_cause(err: &ScimError) {
    if let Some(cause) = std::error::Error::source(err) {
        tracing::warn!(error = err.kind(), cause = %crate::scim::error::chain(cause), "the request failed");
    }
}

/// API Gateway's own id of the request (REST v1 or HTTP API v2 context).
fn api_gateway_request_id(request: &Request) -> Option<String> {
    use lambda_http::request::RequestContext;
    match request.request_context_ref()? {
        RequestContext::ApiGatewayV1(context) => context.request_id.clone(),
        RequestContext::ApiGatewayV2(context) => context.request_id.clone(),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// The operation, held to the limits: a body over [`MAX_BODY_BYTES`] is refused before it is
/// read (413), and the answer is rendered once and held to what the gateway can carry.
async fn run_within_limits<F, Fut>(context: Context, operation: F, request: &Request) -> Result<Rendered, ScimError>
where
    F: Fn(Context, ScimRequest) -> Fut,
    Fut: Future<Output = Outcome>,
{
    check_body_size(request.body().len())?;
    let scim_request = to_scim_request(&context.config, request);
    let answer = operation(context, scim_request).await?;
    Rendered::new(answer, request.method())
}

/// Refuses a body over [`MAX_BODY_BYTES`] (413).
fn check_body_size(bytes: usize) -> Result<(), ScimError> {
    if bytes > MAX_BODY_BYTES {
        return Err(ScimError::PayloadTooLarge(format!(
            "the request body is {bytes} bytes; at most {MAX_BODY_BYTES} are accepted"
        )));
    }
    Ok(())
}

/// Time left before the Lambda deadline, when the runtime gave a real one. A deadline already
/// past is none: `cargo lambda watch` sends a constant `Lambda-Runtime-Deadline-Ms` of
/// 600000 (1970), and a function past its real deadline is stopped by Lambda anyway; such a
/// request gets the function timeout ([`deadline::working_time`]).
fn remaining_time(request: &Request) -> Option<Duration> {
    let deadline = request.lambda_context_ref()?.deadline();
    deadline.duration_since(std::time::SystemTime::now()).ok()
}

/// Translates the gateway request. The SCIM path is what follows `/scim/v2` in the path the
/// gateway received; the base URL keeps whatever precedes it in the caller's URL (a REST API
/// stage such as `/v1`).
pub fn to_scim_request(config: &crate::config::Config, request: &Request) -> ScimRequest {
    let full_path = request.uri().path().to_string();
    let raw_path = request.raw_http_path().to_string();
    // The path as the gateway received it, not the URI built from it: that URI is normalised
    // (`..` resolved, tabs and line breaks dropped, cut at a `?` or `#`, which HTTP APIs pass
    // decoded), so `/Users/1?x`, `/Users/1%09` or `/Users/1/../2` would reach the operation as
    // the id `1` or `2`. As received, such an id is refused before any Databricks call. Only the
    // stage prefix comes from the URI, which alone carries it. Routes outside the SCIM base
    // (`/admin/partners`) keep their whole path, minus any stage.
    let prefix = split_scim_path(&full_path).or_else(|| split_scim_path(&raw_path)).map(|(prefix, _)| prefix);
    let path = split_scim_path(&raw_path)
        .or_else(|| split_scim_path(&full_path))
        .map_or_else(|| raw_path.trim_end_matches('/').to_string(), |(_, path)| path);
    let prefix = prefix.unwrap_or_default();
    let base_url = match &config.public_base_url {
        Some(url) => url.clone(),
        None => {
            let host = request
                .headers()
                .get("host")
                .and_then(|v| v.to_str().ok())
                .or_else(|| request.uri().host())
                .unwrap_or("localhost");
            let forwarded = request.headers().get("x-forwarded-proto").and_then(|v| v.to_str().ok());
            let scheme = forwarded.unwrap_or(if is_loopback(host) { "http" } else { "https" });
            format!("{scheme}://{host}{prefix}/scim/v2")
        }
    };
    let query = request
        .query_string_parameters_ref()
        .map(|q| q.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
        .unwrap_or_default();
    ScimRequest {
        method: request.method().as_str().to_ascii_uppercase(),
        path,
        query,
        body: request.body().to_vec(),
        base_url,
    }
}

/// `/v1/scim/v2/Users/1/` → (`/v1`, `/Users/1`).
fn split_scim_path(path: &str) -> Option<(String, String)> {
    let lower = path.to_ascii_lowercase();
    let at = lower.find("/scim/v2")?;
    let rest = &path[at + "/scim/v2".len()..];
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    Some((path[..at].to_string(), rest.trim_end_matches('/').to_string()))
}

fn is_loopback(host: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    name == "localhost" || name.starts_with("127.") || name == "[::1]"
}

fn scim_response(status: u16, body: Option<String>) -> Response<Body> {
    let has_body = body.is_some();
    let mut response = Response::new(body.map_or(Body::Empty, Body::Text));
    *response.status_mut() =
        lambda_http::http::StatusCode::from_u16(status).unwrap_or(lambda_http::http::StatusCode::INTERNAL_SERVER_ERROR);
    if has_body {
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(SCIM_CONTENT_TYPE));
    }
    response
}

/// A success answer with its body serialised once and held to [`MAX_RESPONSE_BYTES`] as the
/// Lambda response carries it.
#[derive(Debug)]
pub struct Rendered {
    status: u16,
    body: Option<String>,
    location: Option<String>,
}

impl Rendered {
    /// Renders `answer`. One too large to carry (Lambda would refuse it, and the gateway answer
    /// a non-SCIM 502) is, after a PATCH, a 204 — the change was applied, and RFC 7644 §3.5.2
    /// lets a PATCH answer without the resource — and otherwise 400 `tooMany` naming the
    /// resource. List pages are cut to the budget before they get here (`ops::support`).
    fn new(answer: ScimResponse, method: &Method) -> Result<Rendered, ScimError> {
        let (body, value) = match answer.body {
            None => (None, None),
            Some(AnswerBody::Json(value)) => (Some(value.to_string()), Some(value)),
            Some(AnswerBody::Serialized(text)) => (Some(text), None),
        };
        // Even with every byte escaped, a body of at most half the budget fits: no scan.
        let carried = body.as_deref().filter(|t| t.len() > MAX_RESPONSE_BYTES / 2).map_or(0, limits::carried_len);
        if carried > MAX_RESPONSE_BYTES {
            if method == Method::PATCH && answer.status == 200 {
                tracing::warn!(carried, "a PATCH answer too large to carry became 204");
                return Ok(Rendered { status: 204, body: None, location: None });
            }
            let applied = answer.status == 201 || method == Method::PUT || method == Method::DELETE;
            let named = value.as_ref().map_or_else(|| "answer".to_string(), limits::resource_named_by);
            return Err(limits::too_large(&named, carried, applied));
        }
        Ok(Rendered { status: answer.status, body, location: answer.location })
    }
}

fn success_response(ok: &Rendered) -> Response<Body> {
    let mut response = scim_response(ok.status, ok.body.clone());
    if let Some(location) = ok.location.as_deref().and_then(|l| HeaderValue::from_str(l).ok()) {
        response.headers_mut().insert("location", location);
    }
    response
}

/// The `WWW-Authenticate` challenge of a SCIM 401 with this detail (RFC 6750 §3.1): no error code
/// when no token was sent, `invalid_token` when the token sent is refused (wrong, expired,
/// altered, signed with an unknown key).
fn challenge(detail: &str) -> &'static str {
    if detail == crate::inbound::TOKEN_REQUIRED {
        "Bearer realm=\"scim\""
    } else {
        "Bearer realm=\"scim\", error=\"invalid_token\""
    }
}

/// The SCIM Error response for an error: the one place errors become HTTP.
pub fn error_response(err: &ScimError) -> Response<Body> {
    let mut response = scim_response(err.status(), Some(err.to_body().to_string()));
    match err {
        ScimError::Unauthorized(detail) => {
            response.headers_mut().insert("www-authenticate", HeaderValue::from_static(challenge(detail)));
        }
        ScimError::Throttled { retry_after_secs } => {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert("retry-after", v);
            }
        }
        _ => {}
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scim_path_is_split_from_a_stage_prefix_and_a_trailing_slash() {
        assert_eq!(split_scim_path("/v1/scim/v2/Users/1/"), Some(("/v1".into(), "/Users/1".into())));
        assert_eq!(split_scim_path("/scim/v2"), Some((String::new(), String::new())));
        assert_eq!(split_scim_path("/scim/v2x/Users"), None);
    }

    #[test]
    fn a_body_over_the_limit_is_413_and_one_at_the_limit_is_read() {
        assert_eq!(check_body_size(MAX_BODY_BYTES), Ok(()));
        let refused = check_body_size(MAX_BODY_BYTES + 1);
        assert!(matches!(&refused, Err(ScimError::PayloadTooLarge(d)) if d.contains("2097153")), "{refused:?}");
        assert_eq!(refused.map_err(|e| e.status()), Err(413));
    }

    #[test]
    fn an_answer_too_large_to_carry_is_204_after_a_patch_and_too_many_naming_it_otherwise() {
        let group = serde_json::json!({"id": "42", "meta": {"resourceType": "Group"},
            "members": vec![serde_json::json!({"value": "1234567890123456"}); MAX_RESPONSE_BYTES / 16]});
        let status = |method: Method, body: &serde_json::Value| {
            Rendered::new(ScimResponse::ok(body.clone()), &method).map(|r| success_response(&r).status().as_u16())
        };
        assert_eq!(status(Method::PATCH, &group), Ok(204));
        let read = status(Method::GET, &group);
        assert!(matches!(&read, Err(ScimError::TooMany(d)) if d.contains("Group 42") && !d.contains("applied")));
        let put = status(Method::PUT, &group);
        assert!(matches!(&put, Err(ScimError::TooMany(d)) if d.starts_with("the change was applied")), "{put:?}");
        let small = serde_json::json!({"id": "42", "members": [{"value": "1"}]});
        assert_eq!(status(Method::GET, &small), Ok(200));
    }

    fn state() -> AppState {
        AppState::for_unit_tests()
    }

    fn http_api_event(raw_path: &str) -> Request {
        let event = serde_json::json!({
            "version": "2.0", "routeKey": "$default", "rawPath": raw_path, "rawQueryString": "",
            "headers": {"host": "127.0.0.1:9000"},
            "requestContext": {"http": {"method": "GET", "path": raw_path}, "stage": "$default"},
            "isBase64Encoded": false
        });
        match lambda_http::request::from_str(&event.to_string()) {
            Ok(request) => request,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn the_scim_path_is_the_path_the_gateway_received_not_the_normalised_uri() {
        // HTTP APIs pass the path decoded; the URI built from it is cut at `?` and `#`, loses
        // tabs and line breaks and resolves `..`, which would turn each of these into an id.
        for raw in [
            "/Users/1?attributes=x",
            "/Users/1#x",
            "/Users/1\t2",
            "/Users/1\r\n",
            "/Users/1/../2",
            "/Users/../Groups/2",
        ] {
            let request = to_scim_request(&state().config, &http_api_event(&format!("/scim/v2{raw}")));
            assert_eq!(request.path, raw);
            assert_eq!(request.resource_id().and_then(crate::databricks::DatabricksId::parse), None, "{raw:?}");
        }
        let request = to_scim_request(&state().config, &http_api_event("/scim/v2/Users/12/"));
        assert_eq!((request.path.as_str(), request.resource_id()), ("/Users/12", Some("12")));
        assert_eq!(request.base_url, "http://127.0.0.1:9000/scim/v2");
    }

    #[test]
    fn an_id_is_the_second_segment_of_a_two_segment_path_only() {
        let id =
            |path: &str| ScimRequest { path: path.into(), ..ScimRequest::default() }.resource_id().map(String::from);
        assert_eq!(id("/Users/1"), Some("1".into()));
        assert_eq!(id("/Users/1/2"), None);
        assert_eq!(id("/Users/1/.."), None);
        assert_eq!(id("/Users"), None);
    }

    /// Log lines written in a unit test.
    #[derive(Clone, Default)]
    pub(super) struct Captured(pub(super) std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut b) = self.0.lock() {
                b.extend_from_slice(data);
            }
            Ok(data.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_request_logs_its_cause_chain_once_and_no_personal_data() {
        let config = crate::Config::from_lookup(|k| match k {
            "DATABRICKS_HOST" => Some("http://127.0.0.1:9".into()),
            "DATABRICKS_TOKEN" => Some("t".into()),
            "SCIM_BEARER_TOKENS" => Some("unit-test-token".into()),
            _ => None,
        });
        let state = match config.and_then(AppState::new) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        let event = serde_json::json!({
            "version": "2.0", "routeKey": "$default", "rawPath": "/scim/v2/Users",
            "rawQueryString": "filter=userName%20eq%20%22ann.person%40example.com%22",
            "queryStringParameters": {"filter": "userName eq \"ann.person@example.com\""},
            "headers": {"host": "127.0.0.1:9000", "authorization": "Bearer unit-test-token"},
            "requestContext": {"http": {"method": "GET", "path": "/scim/v2/Users"}, "stage": "$default"},
            "isBase64Encoded": false
        });
        let request = match lambda_http::request::from_str(&event.to_string()) {
            Ok(request) => request,
            Err(e) => panic!("{e}"),
        };
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => runtime,
            Err(e) => panic!("{e}"),
        };
        let response = runtime.block_on(handle(&state, "list-users", crate::ops::list_users::handle, request));
        assert_eq!(response.status().as_u16(), 502, "Databricks is on a closed port");
        let log = match captured.0.lock() {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => panic!("{e}"),
        };
        let failures: Vec<&str> = log.lines().filter(|l| l.contains("the request failed")).collect();
        assert_eq!(failures.len(), 1, "one line says why: {log}");
        assert!(
            failures[0].contains("Databricks could not be reached: connection failed"),
            "with the cause chain: {log}"
        );
        assert!(!log.contains("ann.person") && !log.contains("example.com"), "no e-mail, not even in a URL: {log}");
    }

    #[test]
    fn loopback_hosts_are_recognised_for_the_http_scheme() {
        assert!(is_loopback("127.0.0.1:9000"));
        assert!(is_loopback("localhost"));
        assert!(!is_loopback("abc.execute-api.eu-west-1.amazonaws.com"));
    }
}
