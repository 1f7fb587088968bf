//! The `oauth-token` function: `POST /oauth/token` (RFC 6749 §4.4), its HTTP side. The grant
//! itself is [`crate::oauth::TokenEndpoint::grant`]. Answers are `application/json` with
//! `Cache-Control: no-store` and `Pragma: no-cache` (§5.1), errors in the §5.2 shape, and one log
//! line per request like every other function (operation `oauth-token`) — never a secret, a
//! token or an `Authorization` header.

use std::time::Instant;

use lambda_http::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, PRAGMA, WWW_AUTHENTICATE};
use lambda_http::{Body, Request, RequestExt, Response, service_fn};

use crate::oauth::{OAuthError, TokenEndpoint, TokenRequest};

/// The function name, the `Operation` dimension of its metrics.
pub const FUNCTION: &str = "oauth-token";

/// Runs the token endpoint as a Lambda function.
pub async fn serve() -> Result<(), lambda_http::Error> {
    super::init_logging();
    let endpoint = crate::config::token_endpoint_from_env();
    match &endpoint {
        TokenEndpoint::Broken(reason) => {
            let reason = crate::scim::error::chain(reason);
            tracing::error!(op = FUNCTION, reason, "the function is not configured");
        }
        TokenEndpoint::Off => tracing::warn!(op = FUNCTION, "OAuth client credentials are not enabled"),
        TokenEndpoint::On { .. } => {}
    }
    let endpoint = &endpoint;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, std::convert::Infallible>(handle(endpoint, request).await)
    }))
    .await
}

/// Serves one gateway request. Never fails: every outcome is an OAuth answer.
pub async fn handle(endpoint: &TokenEndpoint, request: Request) -> Response<Body> {
    let started = Instant::now();
    let ids = super::request_log::begin(
        request.lambda_context_ref().map(|c| c.request_id.clone()).filter(|id| !id.is_empty()),
        super::api_gateway_request_id(&request),
    );
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from);
    let token_request = TokenRequest {
        method: request.method().as_str().to_ascii_uppercase(),
        content_type: header("content-type"),
        authorization: header("authorization"),
        body: request.body().to_vec(),
    };
    let outcome = endpoint.grant(&token_request).await;
    let response = match &outcome {
        Ok(issued) => json_response(200, &issued.body),
        Err(err) => error_response(err),
    };
    let record = super::request_log::RequestRecord {
        operation: FUNCTION,
        method: token_request.method.clone(),
        status: response.status().as_u16(),
        latency_ms: started.elapsed().as_millis() as u64,
        databricks_calls: 0,
        databricks_retries: 0,
        credential_failure: outcome.as_ref().is_err_and(|e| e.status == 503),
        error: outcome.as_ref().err().map(|e| e.code),
        request_id: ids.request_id,
        api_request_id: ids.api_request_id,
        cold_start: ids.cold_start,
    };
    super::log_request(&record);
    super::request_log::end();
    response
}

fn json_response(status: u16, body: &impl serde::Serialize) -> Response<Body> {
    // Strings and numbers only: serialising cannot fail; if it did, the client gets RFC 6749's
    // generic refusal rather than an empty body.
    let text = serde_json::to_string(body).unwrap_or_else(|_| r#"{"error":"server_error"}"#.to_string());
    let mut response = Response::new(Body::Text(text));
    *response.status_mut() =
        lambda_http::http::StatusCode::from_u16(status).unwrap_or(lambda_http::http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// The RFC 6749 §5.2 answer; `invalid_client` carries the Basic challenge (401).
pub fn error_response(err: &OAuthError) -> Response<Body> {
    let mut response = json_response(err.status, &err.to_body());
    if err.status == 401 {
        response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"oauth\""));
    }
    if err.status == 405 {
        response.headers_mut().insert("allow", HeaderValue::from_static("POST"));
    }
    response
}
