//! A minimal Databricks **token-management API**: personal access tokens held per principal
//! (Partner Connect gives its `<PARTNER-NAME>_USER` service principal one) and the two read
//! routes workspace admins use to see them:
//!
//! * `GET /api/2.0/token-management/tokens[?created_by_id=N&created_by_username=NAME]` →
//!   `{"token_infos": [TokenInfo, …]}` in creation order, or `{}` when nothing matches;
//! * `GET /api/2.0/token-management/tokens/{token_id}` → `{"token_info": TokenInfo}`, unknown →
//!   `404 RESOURCE_DOES_NOT_EXIST`.
//!
//! `TokenInfo` is `{"token_id", "creation_time", "expiry_time", "comment", "created_by_id",
//! "created_by_username", "owner_id"}` with the ids as JSON **numbers** (unlike SCIM ids) and
//! times in epoch milliseconds (`expiry_time` `-1` for a token that never expires). Errors use
//! the platform shape `{"error_code": …, "message": …}`. Tokens are created through
//! `POST /_emulator/tokens` only and go away with their owner.
//!
//! **Creator and owner.** Partner Connect (and any admin using
//! `POST /api/2.0/token-management/on-behalf-of/tokens`) creates a service principal's token
//! *on behalf of* it: the token's `owner_id` is the service principal, its `created_by_id` /
//! `created_by_username` the admin who called. So by default (`"on_behalf_of": true`) a token
//! is created by the emulator-wide admin [`ADMIN_ID`] / [`ADMIN_USERNAME`] (not a SCIM user),
//! or by the user or service principal named by `"created_by_id"`; with
//! `"on_behalf_of": false` the owner created its own token (`created_by_id == owner_id`). The
//! list filters `created_by_id` and `created_by_username` match the **creator**, so filtering
//! on the owner's id finds nothing for a token made on its behalf.

use axum::http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::params::decode_pairs;
use crate::store::{Kind, Ref, Store};

/// Everything under this prefix is the token-management API.
pub(crate) const PREFIX: &str = "/api/2.0/token-management";

/// The resource name in stats, the request log, throttling and fault rules.
pub(crate) const RESOURCE: &str = "token-management";

/// The answer to every route while the credential may not read the API.
pub(crate) const FORBIDDEN_MESSAGE: &str = "Only Admins can access token management APIs.";

/// The id of the emulator-wide workspace admin that creates tokens on behalf of others; no
/// resource ever gets this id.
pub(crate) const ADMIN_ID: u64 = 1_000_000_000_000_001;

/// The `created_by_username` of tokens created by [`ADMIN_ID`].
pub(crate) const ADMIN_USERNAME: &str = "admin@emulator.invalid";

/// Who created a token: its `created_by_id` and `created_by_username`, fixed at creation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Creator {
    pub(crate) id: u64,
    pub(crate) username: String,
}

impl Creator {
    /// The emulator-wide admin.
    pub(crate) fn admin() -> Self {
        Creator { id: ADMIN_ID, username: ADMIN_USERNAME.to_owned() }
    }
}

/// A personal access token (its secret value is never modelled: it cannot be read back).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    /// 64 lower-case hex digits.
    pub(crate) token_id: String,
    /// The user or service principal the token belongs to.
    pub(crate) owner: Ref,
    /// Who created it (the owner itself, or an admin on its behalf).
    pub(crate) creator: Creator,
    pub(crate) comment: String,
    /// Epoch milliseconds.
    pub(crate) creation_time: i64,
    /// Epoch milliseconds, `-1` for never.
    pub(crate) expiry_time: i64,
}

/// A path under [`PREFIX`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenRoute {
    List,
    Item(String),
    /// Anything else under the prefix: `404 ENDPOINT_NOT_FOUND`.
    Unknown,
}

impl TokenRoute {
    /// `None` when `path` is not under [`PREFIX`].
    pub(crate) fn parse(path: &str) -> Option<Self> {
        let rest = path.strip_prefix(PREFIX)?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        let rest = rest.trim_start_matches('/');
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let mut segments = rest.split('/');
        Some(match (segments.next(), segments.next(), segments.next()) {
            (Some("tokens"), None, _) => TokenRoute::List,
            (Some("tokens"), Some(id), None) if !id.is_empty() => TokenRoute::Item(id.to_owned()),
            _ => TokenRoute::Unknown,
        })
    }
}

/// The platform error shape.
pub(crate) fn platform_body(code: &str, message: &str) -> Value {
    json!({"error_code": code, "message": message})
}

/// The `error_code` Databricks pairs with an HTTP status when nothing more specific applies
/// (the SDKs' status-code fallback table).
pub(crate) fn default_error_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "BAD_REQUEST",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "RESOURCE_CONFLICT",
        429 => "TOO_MANY_REQUESTS",
        499 => "CANCELLED",
        501 => "NOT_IMPLEMENTED",
        503 => "TEMPORARILY_UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        s if s >= 500 => "INTERNAL_ERROR",
        _ => "BAD_REQUEST",
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// 64 random hex digits, like real token ids.
pub(crate) fn random_token_id() -> String {
    (0..32).map(|_| format!("{:02x}", fastrand::u8(..))).collect()
}

/// Handles one token-management request: `(status, body)`.
pub(crate) fn handle(
    store: &Store,
    forbidden: bool,
    method: &Method,
    route: &TokenRoute,
    path: &str,
    raw_query: &str,
) -> (StatusCode, Value) {
    let not_found = || {
        let shown = path.strip_prefix("/api/2.0").unwrap_or(path);
        (StatusCode::NOT_FOUND, platform_body("ENDPOINT_NOT_FOUND", &format!("No API found for '{method} {shown}'")))
    };
    if *method != Method::GET || *route == TokenRoute::Unknown {
        return not_found();
    }
    if forbidden {
        return (StatusCode::FORBIDDEN, platform_body("PERMISSION_DENIED", FORBIDDEN_MESSAGE));
    }
    match route {
        TokenRoute::List => list(store, raw_query),
        TokenRoute::Item(id) => match store.tokens.iter().find(|t| t.token_id == *id) {
            Some(token) => (StatusCode::OK, json!({"token_info": store.render_token(token)})),
            None => (
                StatusCode::NOT_FOUND,
                platform_body("RESOURCE_DOES_NOT_EXIST", &format!("Token with id {id} does not exist.")),
            ),
        },
        TokenRoute::Unknown => not_found(),
    }
}

fn list(store: &Store, raw_query: &str) -> (StatusCode, Value) {
    let mut by_id: Option<u64> = None;
    let mut by_name: Option<String> = None;
    for (key, value) in decode_pairs(raw_query) {
        match key.as_str() {
            "created_by_id" => match value.trim().parse::<u64>() {
                Ok(n) => by_id = Some(n),
                Err(_) => {
                    return (
                        StatusCode::BAD_REQUEST,
                        platform_body(
                            "INVALID_PARAMETER_VALUE",
                            &format!("Invalid value for parameter created_by_id: {value:?} is not a number."),
                        ),
                    );
                }
            },
            "created_by_username" => by_name = Some(value),
            _ => {}
        }
    }
    let infos: Vec<Value> = store
        .tokens
        .iter()
        .filter(|t| by_id.is_none_or(|id| t.creator.id == id))
        .filter(|t| by_name.as_deref().is_none_or(|name| t.creator.username.eq_ignore_ascii_case(name)))
        .map(|t| store.render_token(t))
        .collect();
    let mut body = Map::new();
    if !infos.is_empty() {
        body.insert("token_infos".into(), Value::Array(infos));
    }
    (StatusCode::OK, Value::Object(body))
}

impl Store {
    /// The name the token API shows for a principal: a user's `userName`, a service
    /// principal's `applicationId`.
    pub(crate) fn principal_username(&self, principal: Ref) -> Option<&str> {
        match principal.kind {
            Kind::User => self.users.get(&principal.id).map(|u| u.user_name.as_str()),
            Kind::ServicePrincipal => self.service_principals.get(&principal.id).map(|s| s.application_id.as_str()),
            Kind::Group => None,
        }
    }

    /// A `TokenInfo` object.
    pub(crate) fn render_token(&self, token: &Token) -> Value {
        json!({
            "token_id": token.token_id,
            "creation_time": token.creation_time,
            "expiry_time": token.expiry_time,
            "comment": token.comment,
            "created_by_id": token.creator.id,
            "created_by_username": token.creator.username,
            "owner_id": token.owner.id,
        })
    }

    /// The user (not deleted) or service principal a token may belong to.
    pub(crate) fn token_owner(&self, id: &str) -> Option<Ref> {
        let n = id.trim().parse::<u64>().ok()?;
        if self.users.get(&n).is_some_and(|u| !u.deleted) {
            Some(Ref { kind: Kind::User, id: n })
        } else if self.service_principals.contains_key(&n) {
            Some(Ref { kind: Kind::ServicePrincipal, id: n })
        } else {
            None
        }
    }

    /// A principal as a token creator (its name as the token API shows it).
    pub(crate) fn creator(&self, principal: Ref) -> Creator {
        Creator { id: principal.id, username: self.principal_username(principal).unwrap_or_default().to_owned() }
    }

    /// Issues a token to `owner`, created by `creator`; `lifetime_seconds: None` never expires.
    /// Returns its id.
    pub(crate) fn create_token(
        &mut self,
        owner: Ref,
        creator: Creator,
        comment: String,
        lifetime_seconds: Option<u64>,
    ) -> String {
        let mut token_id = random_token_id();
        while self.tokens.iter().any(|t| t.token_id == token_id) {
            token_id = random_token_id();
        }
        let creation_time = now_ms();
        let expiry_time = match lifetime_seconds {
            None => -1,
            Some(secs) => creation_time.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX).saturating_mul(1000)),
        };
        self.tokens.push(Token { token_id: token_id.clone(), owner, creator, comment, creation_time, expiry_time });
        token_id
    }

    /// Deletes every token of `principal` (when the principal is deleted).
    pub(crate) fn drop_tokens_of(&mut self, principal: Ref) {
        self.tokens.retain(|t| t.owner != principal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_under_the_prefix_are_the_list_an_item_or_unknown() {
        assert_eq!(TokenRoute::parse("/api/2.0/token-management/tokens"), Some(TokenRoute::List));
        assert_eq!(TokenRoute::parse("/api/2.0/token-management/tokens/"), Some(TokenRoute::List));
        assert_eq!(TokenRoute::parse("/api/2.0/token-management/tokens/ab12"), Some(TokenRoute::Item("ab12".into())));
        assert_eq!(TokenRoute::parse("/api/2.0/token-management/tokens/a/b"), Some(TokenRoute::Unknown));
        assert_eq!(TokenRoute::parse("/api/2.0/token-management/on-behalf-of/tokens"), Some(TokenRoute::Unknown));
        assert_eq!(TokenRoute::parse("/api/2.0/token-management"), Some(TokenRoute::Unknown));
        assert_eq!(TokenRoute::parse("/api/2.0/token-managementx/tokens"), None);
        assert_eq!(TokenRoute::parse("/api/2.0/preview/scim/v2/Users"), None);
    }

    #[test]
    fn token_ids_are_64_hex_digits() {
        let id = random_token_id();
        assert_eq!(id.len(), 64);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }

    #[test]
    fn the_admin_id_is_never_given_to_a_resource() {
        let store = Store::default();
        assert!(store.id_in_use(ADMIN_ID));
        assert!(!store.id_in_use(ADMIN_ID + 1));
        assert_eq!(Creator::admin(), Creator { id: ADMIN_ID, username: ADMIN_USERNAME.to_owned() });
    }

    #[test]
    fn injected_errors_get_the_sdk_error_code_of_their_status() {
        assert_eq!(default_error_code(StatusCode::SERVICE_UNAVAILABLE), "TEMPORARILY_UNAVAILABLE");
        assert_eq!(default_error_code(StatusCode::BAD_GATEWAY), "INTERNAL_ERROR");
        assert_eq!(default_error_code(StatusCode::IM_A_TEAPOT), "BAD_REQUEST");
    }
}
