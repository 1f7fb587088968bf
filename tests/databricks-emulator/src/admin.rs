//! The `/_emulator/*` control surface (no auth, JSON): stats, request log, state dump, reset,
//! token rotation, OAuth clients and token expiry, fault injection, throttling, the
//! seed-quirks switch, the token-management permission switch, the behaviour switches,
//! personal access tokens, account groups and bulk service principals.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use crate::behaviour::BehaviourChanges;
use crate::error::ScimError;
use crate::faults::{Fault, FaultRule};
use crate::server::{App, EmuState, json_response, no_content};
use crate::store::{Common, Name, User};
use crate::throttle::{Limiter, check_error_code_status};
use crate::tokens::Creator;
use crate::{Target, Throttle, ThrottleStyle};

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

/// `GET /_emulator/state` → `{"users": […], "groups": […], "servicePrincipals": […],
/// "tokens": […]}`, with the account target also `"permission_assignments": […]`.
pub(crate) async fn state(State(app): State<App>) -> Response {
    let snapshot = {
        let st = app.lock();
        let mut snapshot = st.store.snapshot();
        if app.startup.target == Target::Account
            && let Some(map) = snapshot.as_object_mut()
        {
            map.insert("permission_assignments".into(), st.store.assignments_snapshot());
        }
        snapshot
    };
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
    /// Absent: 1 second; `null`: no `Retry-After` header.
    #[serde(default, deserialize_with = "present")]
    retry_after_secs: Option<Option<u64>>,
    /// The status of the `error-code` style (default 400).
    #[serde(default)]
    status: Option<u16>,
}

/// Tells a key given as `null` (`Some(None)`) from an absent one (`None`, through `default`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// `POST /_emulator/throttle`: replaces the throttling configuration (fresh buckets).
pub(crate) async fn set_throttle(State(app): State<App>, bytes: Bytes) -> Response {
    let body = match parse::<ThrottleBody>(&bytes) {
        Ok(body) => body,
        Err(message) => return bad_request(message),
    };
    let style = match body.style.as_ref().map(style_name).as_deref() {
        None | Some("429") => {
            ThrottleStyle::TooManyRequests { retry_after_secs: body.retry_after_secs.unwrap_or(Some(1)) }
        }
        Some("500") => ThrottleStyle::RequestLimitExceeded500,
        Some("error-code") => match check_error_code_status(body.status.unwrap_or(400)) {
            Ok(status) => ThrottleStyle::ErrorCode { status },
            Err(message) => return bad_request(message),
        },
        Some(other) => {
            return bad_request(format!("style must be \"429\", \"500\" or \"error-code\", not {other}"));
        }
    };
    if body.status.is_some() && !matches!(style, ThrottleStyle::ErrorCode { .. }) {
        return bad_request("status applies to the \"error-code\" style only");
    }
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
            let (style, retry_after, status) = match t.style {
                ThrottleStyle::TooManyRequests { retry_after_secs } => ("429", retry_after_secs, None),
                ThrottleStyle::RequestLimitExceeded500 => ("500", None, None),
                ThrottleStyle::ErrorCode { status } => ("error-code", None, Some(status)),
            };
            let mut body = json!({
                "per_minute": t.per_minute,
                "burst": t.burst,
                "max_concurrent": t.max_concurrent,
                "style": style,
                "retry_after_secs": retry_after,
            });
            if let (Some(status), Some(map)) = (status, body.as_object_mut()) {
                map.insert("status".into(), status.into());
            }
            body
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
    /// The user or service principal that created the token on the owner's behalf (default:
    /// the emulator-wide admin).
    #[serde(default)]
    created_by_id: Option<Value>,
    /// Created by someone else for the owner (default `true`); `false`: by the owner itself.
    #[serde(default)]
    on_behalf_of: Option<bool>,
}

/// A principal id given as a string or a number.
fn id_text(field: &str, value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("{field} must be a principal id, not {other}")),
    }
}

fn no_principal(id: &str) -> Response {
    json_response(StatusCode::NOT_FOUND, &json!({"error": format!("no user or service principal with id {id}")}))
}

/// `POST /_emulator/tokens {"owner_id": "…", "comment": "…", "lifetime_seconds": null|N,
/// "created_by_id"?: "…", "on_behalf_of"?: bool}` → `200 {"token_id": "…"}`: a personal access
/// token for an existing user or service principal. On behalf of it (the default) the creator is
/// `created_by_id` or the emulator-wide admin; otherwise the owner itself.
pub(crate) async fn create_token(State(app): State<App>, bytes: Bytes) -> Response {
    let body = match parse::<NewTokenBody>(&bytes) {
        Ok(body) => body,
        Err(message) => return bad_request(message),
    };
    let owner_id = match id_text("owner_id", &body.owner_id) {
        Ok(id) => id,
        Err(message) => return bad_request(message),
    };
    let creator_id = match body.created_by_id.as_ref().map(|v| id_text("created_by_id", v)).transpose() {
        Ok(id) => id,
        Err(message) => return bad_request(message),
    };
    let mut st = app.lock();
    let Some(owner) = st.store.token_owner(&owner_id) else {
        return no_principal(&owner_id);
    };
    let creator = match (body.on_behalf_of.unwrap_or(true), creator_id) {
        (false, Some(id)) if id.trim() != owner.id.to_string() => {
            return bad_request("created_by_id must be the owner when on_behalf_of is false");
        }
        (false, _) => st.store.creator(owner),
        (true, None) => Creator::admin(),
        (true, Some(id)) => match st.store.token_owner(&id) {
            Some(principal) => st.store.creator(principal),
            None => return no_principal(&id),
        },
    };
    let token_id = st.store.create_token(owner, creator, body.comment.unwrap_or_default(), body.lifetime_seconds);
    json_response(StatusCode::OK, &json!({"token_id": token_id}))
}

/// `GET /_emulator/behaviour` → the switches in force (see [`crate::behaviour`]).
pub(crate) async fn get_behaviour(State(app): State<App>) -> Response {
    let behaviour = serde_json::to_value(app.lock().behaviour).unwrap_or(Value::Null);
    json_response(StatusCode::OK, &behaviour)
}

/// `POST /_emulator/behaviour {…}`: sets any subset of the switches (all or nothing). Setting
/// `flaky_reads` restarts its count.
pub(crate) async fn set_behaviour(State(app): State<App>, bytes: Bytes) -> Response {
    let changes = match parse::<BehaviourChanges>(&bytes) {
        Ok(changes) => changes,
        Err(message) => return bad_request(message),
    };
    let mut st = app.lock();
    if let Err(message) = st.behaviour.update(&changes) {
        return bad_request(message);
    }
    if changes.flaky_reads.is_some() {
        st.scim_reads = 0;
    }
    no_content()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountGroupBody {
    #[serde(rename = "displayName")]
    display_name: String,
    #[serde(default)]
    members: Option<Vec<Value>>,
}

/// `POST /_emulator/account-groups {"displayName": "…", "members"?: ["<id>", …]}` →
/// `200 {"id": "…"}`: an account group visible in this (identity-federated) workspace. Posting
/// an existing account group's name again sets its members (when given).
pub(crate) async fn account_group(State(app): State<App>, bytes: Bytes) -> Response {
    let body = match parse::<AccountGroupBody>(&bytes) {
        Ok(body) if body.display_name.trim().is_empty() => return bad_request("displayName must not be empty"),
        Ok(body) => body,
        Err(message) => return bad_request(message),
    };
    let members = match body.members.iter().flatten().map(|v| id_text("members", v)).collect::<Result<Vec<_>, _>>() {
        Ok(ids) => body.members.is_some().then_some(ids),
        Err(message) => return bad_request(message),
    };
    match app.lock().store.upsert_account_group(&body.display_name, members.as_deref()) {
        Ok(id) => json_response(StatusCode::OK, &json!({"id": id.to_string()})),
        Err(err) => scim_refusal(&err),
    }
}

/// A store refusal of an admin call, in the admin shape `{"error": …}` with its status.
fn scim_refusal(err: &ScimError) -> Response {
    json_response(err.status, &json!({"error": err.detail}))
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkUsersBody {
    prefix: String,
    count: usize,
    #[serde(default)]
    domain: Option<String>,
    #[serde(default, rename = "displayName")]
    display_name: Option<String>,
    #[serde(default, rename = "externalId")]
    external_id: Option<String>,
    #[serde(default, rename = "givenName")]
    given_name: Option<String>,
    #[serde(default, rename = "familyName")]
    family_name: Option<String>,
    #[serde(default)]
    group: Option<String>,
}

/// `POST /_emulator/users/bulk {"prefix": "u", "count": N, "domain"?, "displayName"?,
/// "externalId"?, "givenName"?, "familyName"?, "group"?}` → `200 {"created": N, "group"?: "<id>"}`:
/// users `<prefix>1@<domain>` … (`example.com` by default), every one with the attributes given
/// (displayName defaults to the userName), and with `group` a workspace group holding them all.
pub(crate) async fn bulk_users(State(app): State<App>, bytes: Bytes) -> Response {
    let body = match parse::<BulkUsersBody>(&bytes) {
        Ok(body) if body.count > MAX_BULK => return bad_request(format!("count must be at most {MAX_BULK}")),
        Ok(body) => body,
        Err(message) => return bad_request(message),
    };
    let template = User {
        id: 0,
        common: Common {
            display_name: body.display_name.unwrap_or_default(),
            external_id: body.external_id,
            ..Common::default()
        },
        user_name: String::new(),
        name: Name { given_name: body.given_name, family_name: body.family_name },
        active: true,
        deleted: false,
    };
    let domain = body.domain.as_deref().unwrap_or("example.com");
    let created =
        app.lock().store.create_users_bulk(&body.prefix, domain, body.count, &template, body.group.as_deref());
    match created {
        Ok(None) => json_response(StatusCode::OK, &json!({"created": body.count})),
        Ok(Some(group)) => json_response(StatusCode::OK, &json!({"created": body.count, "group": group.to_string()})),
        Err(err) => scim_refusal(&err),
    }
}
