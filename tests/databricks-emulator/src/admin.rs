//! The `/_emulator/*` control surface (no auth, JSON): stats, request log, state dump, reset,
//! token rotation, OAuth clients and token expiry, fault injection, throttling, the
//! seed-quirks switch, the token-management permission switch, personal access tokens and
//! bulk service principals.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::faults::{Fault, FaultRule};
use crate::server::{App, EmuState, json_response, no_content};
use crate::throttle::Limiter;
use crate::{Throttle, ThrottleStyle};

fn bad_request(message: impl Into<String>) -> Response {
    json_response(StatusCode::BAD_REQUEST, &json!({"error": message.into()}))
}

fn parse<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON body: {e}"))
}

pub(crate) async fn health() -> Response {
    json_response(StatusCode::OK, &json!({"ok": true}))
}

/// `GET /_emulator/stats` → `{"total": N, "counts": {"GET Users": n, …}}`.
pub(crate) async fn stats(State(app): State<App>) -> Response {
    let st = app.lock();
    json_response(StatusCode::OK, &json!({"total": st.total, "counts": st.counts}))
}

/// `GET /_emulator/requests` → `[{"method","resource","path","query","body"}, …]`.
pub(crate) async fn requests(State(app): State<App>) -> Response {
    let log = Value::Array(app.lock().log.iter().cloned().collect());
    json_response(StatusCode::OK, &log)
}

/// `GET /_emulator/state` → `{"users": […], "groups": […], "servicePrincipals": […]}`.
pub(crate) async fn state(State(app): State<App>) -> Response {
    let snapshot = app.lock().store.snapshot();
    json_response(StatusCode::OK, &snapshot)
}

/// `POST /_emulator/reset`: back to the startup configuration with an empty workspace (no
/// tokens, the startup token-management permission).
pub(crate) async fn reset(State(app): State<App>) -> Response {
    *app.lock() = EmuState::fresh(&app.startup);
    no_content()
}

/// `POST /_emulator/reset-stats`: empties the counters and the request log only.
pub(crate) async fn reset_stats(State(app): State<App>) -> Response {
    let mut st = app.lock();
    st.total = 0;
    st.counts.clear();
    st.log.clear();
    no_content()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    token: String,
}

/// `POST /_emulator/token {"token": "…"}`: only this token is accepted from now on.
pub(crate) async fn set_token(State(app): State<App>, bytes: Bytes) -> Response {
    match parse::<TokenBody>(&bytes) {
        Ok(body) if !body.token.is_empty() => {
            app.lock().token = body.token;
            no_content()
        }
        Ok(_) => bad_request("token must not be empty"),
        Err(message) => bad_request(message),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OAuthClientBody {
    client_id: String,
    client_secret: String,
}

/// `POST /_emulator/oauth-clients {"client_id": "…", "client_secret": "…"}`: adds a client or
/// replaces its secret (rotation: the old secret stops working; issued tokens stay valid).
pub(crate) async fn set_oauth_client(State(app): State<App>, bytes: Bytes) -> Response {
    match parse::<OAuthClientBody>(&bytes) {
        Ok(body) if body.client_id.is_empty() || body.client_secret.is_empty() => {
            bad_request("client_id and client_secret must not be empty")
        }
        Ok(body) => {
            app.lock().oauth.set_client(&body.client_id, &body.client_secret);
            no_content()
        }
        Err(message) => bad_request(message),
    }
}

/// `POST /_emulator/oauth-tokens/expire`: every issued access token expires now.
pub(crate) async fn expire_oauth_tokens(State(app): State<App>) -> Response {
    app.lock().oauth.expire_all();
    no_content()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuirksBody {
    seed_quirks: bool,
}

/// `POST /_emulator/quirks {"seed_quirks": true}`: switches seed-quirks mode at runtime.
pub(crate) async fn set_quirks(State(app): State<App>, bytes: Bytes) -> Response {
    match parse::<QuirksBody>(&bytes) {
        Ok(body) => {
            app.lock().store.seed_quirks = body.seed_quirks;
            no_content()
        }
        Err(message) => bad_request(message),
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(FaultRule),
    Many(Vec<FaultRule>),
}

/// `POST /_emulator/faults`: queues one rule (object) or several (array), in order.
pub(crate) async fn add_faults(State(app): State<App>, bytes: Bytes) -> Response {
    let rules = match parse::<OneOrMany>(&bytes) {
        Ok(OneOrMany::One(rule)) => vec![rule],
        Ok(OneOrMany::Many(rules)) => rules,
        Err(message) => return bad_request(message),
    };
    for rule in &rules {
        if rule.count == 0 {
            return bad_request("count must be at least 1");
        }
        if let Fault::Status { status, .. } = rule.fault
            && !(100..=599).contains(&status)
        {
            return bad_request(format!("status {status} is not an HTTP status"));
        }
    }
    app.lock().faults.extend(rules);
    no_content()
}

/// `GET /_emulator/faults`: the rules still queued, with their remaining counts.
pub(crate) async fn list_faults(State(app): State<App>) -> Response {
    let faults = serde_json::to_value(&app.lock().faults).unwrap_or(Value::Null);
    json_response(StatusCode::OK, &faults)
}

/// `DELETE /_emulator/faults`.
pub(crate) async fn clear_faults(State(app): State<App>) -> Response {
    app.lock().faults.clear();
    no_content()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThrottleBody {
    #[serde(default)]
    per_minute: u32,
    #[serde(default)]
    burst: Option<u32>,
    #[serde(default)]
    max_concurrent: usize,
    #[serde(default)]
    style: Option<Value>,
    #[serde(default)]
    retry_after_secs: Option<u64>,
}

/// `POST /_emulator/throttle`: replaces the throttling configuration (fresh buckets).
pub(crate) async fn set_throttle(State(app): State<App>, bytes: Bytes) -> Response {
    let body = match parse::<ThrottleBody>(&bytes) {
        Ok(body) => body,
        Err(message) => return bad_request(message),
    };
    let style = match body.style.as_ref().map(style_name).as_deref() {
        None | Some("429") => ThrottleStyle::TooManyRequests { retry_after_secs: body.retry_after_secs.unwrap_or(1) },
        Some("500") => ThrottleStyle::RequestLimitExceeded500,
        Some(other) => return bad_request(format!("style must be \"429\" or \"500\", not {other}")),
    };
    let throttle = Throttle {
        per_minute: body.per_minute,
        burst: body.burst.unwrap_or(body.per_minute),
        max_concurrent: body.max_concurrent,
        style,
    };
    app.lock().limiter = Some(Limiter::new(throttle));
    no_content()
}

fn style_name(style: &Value) -> String {
    match style {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `GET /_emulator/throttle` → the active configuration or `null`.
pub(crate) async fn get_throttle(State(app): State<App>) -> Response {
    let body = match app.lock().limiter.as_ref().map(|l| l.config.clone()) {
        None => Value::Null,
        Some(t) => {
            let (style, retry_after) = match t.style {
                ThrottleStyle::TooManyRequests { retry_after_secs } => ("429", Some(retry_after_secs)),
                ThrottleStyle::RequestLimitExceeded500 => ("500", None),
            };
            json!({
                "per_minute": t.per_minute,
                "burst": t.burst,
                "max_concurrent": t.max_concurrent,
                "style": style,
                "retry_after_secs": retry_after,
            })
        }
    };
    json_response(StatusCode::OK, &body)
}

/// `DELETE /_emulator/throttle`: no throttling.
pub(crate) async fn clear_throttle(State(app): State<App>) -> Response {
    app.lock().limiter = None;
    no_content()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenManagementBody {
    forbidden: bool,
}

/// `POST /_emulator/token-management {"forbidden": true}`: whether the token-management routes
/// answer `403 PERMISSION_DENIED`.
pub(crate) async fn set_token_management(State(app): State<App>, bytes: Bytes) -> Response {
    match parse::<TokenManagementBody>(&bytes) {
        Ok(body) => {
            app.lock().token_management_forbidden = body.forbidden;
            no_content()
        }
        Err(message) => bad_request(message),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTokenBody {
    /// The principal id, as a string (a number is accepted too).
    owner_id: Value,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    lifetime_seconds: Option<u64>,
}

/// `POST /_emulator/tokens {"owner_id": "…", "comment": "…", "lifetime_seconds": null|N}` →
/// `200 {"token_id": "…"}`: a personal access token for an existing user or service principal.
pub(crate) async fn create_token(State(app): State<App>, bytes: Bytes) -> Response {
    let body = match parse::<NewTokenBody>(&bytes) {
        Ok(body) => body,
        Err(message) => return bad_request(message),
    };
    let owner_id = match &body.owner_id {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return bad_request(format!("owner_id must be a principal id, not {other}")),
    };
    let mut st = app.lock();
    let Some(owner) = st.store.token_owner(&owner_id) else {
        return json_response(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("no user or service principal with id {owner_id}")}),
        );
    };
    let token_id = st.store.create_token(owner, body.comment.unwrap_or_default(), body.lifetime_seconds);
    json_response(StatusCode::OK, &json!({"token_id": token_id}))
}

/// The most service principals one bulk call creates.
const MAX_BULK: usize = 100_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkBody {
    prefix: String,
    count: usize,
}

/// `POST /_emulator/service-principals/bulk {"prefix": "sp-", "count": N}` →
/// `200 {"created": N}`: service principals `<prefix>1` … `<prefix>N`.
pub(crate) async fn bulk_service_principals(State(app): State<App>, bytes: Bytes) -> Response {
    match parse::<BulkBody>(&bytes) {
        Ok(body) if body.count > MAX_BULK => bad_request(format!("count must be at most {MAX_BULK}")),
        Ok(body) => {
            app.lock().store.create_sps_bulk(&body.prefix, body.count);
            json_response(StatusCode::OK, &json!({"created": body.count}))
        }
        Err(message) => bad_request(message),
    }
}
