//! Databricks OAuth machine-to-machine: the client-credentials exchange at the workspace's
//! `POST /oidc/v1/token`, and the access tokens it issues.
//!
//! Client authentication is HTTP Basic (`base64(client_id:client_secret)`, as the Databricks
//! SDKs send it) or `client_id` + `client_secret` in the form body, never both. Errors follow
//! RFC 6749 §5.2: `{"error": …, "error_description": …}`. Neither the form body nor the
//! `Authorization` header is ever recorded.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use crate::OAuthClient;
use crate::server::{App, json_response, record};

/// The path of the token endpoint.
pub(crate) const TOKEN_PATH: &str = "/oidc/v1/token";
/// The account's token endpoint (`/oidc/accounts/{account_id}/v1/token`, databricks-sdk-go
/// `GetAccountOAuthEndpoints`): the same clients, the same tokens.
pub(crate) const ACCOUNT_TOKEN_PATH: &str = "/oidc/accounts/{account_id}/v1/token";
/// The resource name of token requests in stats, the request log and nowhere else.
pub(crate) const RESOURCE: &str = "oidc";
/// Form bodies are tiny; anything larger is not a token request.
const MAX_FORM: usize = 64 * 1024;
const DEFAULT_SCOPE: &str = "all-apis";
const FORM_MIME: &str = "application/x-www-form-urlencoded";

/// Registered clients and issued access tokens.
#[derive(Debug, Default)]
pub(crate) struct OAuthState {
    /// `client_id` → `client_secret`.
    clients: BTreeMap<String, String>,
    /// Access token → expiry (`None`: the TTL overflows `Instant`, so never).
    tokens: HashMap<String, Option<Instant>>,
}

impl OAuthState {
    pub(crate) fn new(clients: &[OAuthClient]) -> Self {
        let mut state = OAuthState::default();
        for client in clients {
            state.set_client(&client.client_id, &client.client_secret);
        }
        state
    }

    /// Adds a client or replaces its secret (the old secret stops working at once; tokens
    /// already issued stay valid until they expire, as on the real platform).
    pub(crate) fn set_client(&mut self, client_id: &str, client_secret: &str) {
        self.clients.insert(client_id.to_owned(), client_secret.to_owned());
    }

    /// Every issued access token is expired from now on.
    pub(crate) fn expire_all(&mut self) {
        self.tokens.clear();
    }

    /// Whether `token` is an issued access token that has not expired at `now`.
    pub(crate) fn accepts(&self, token: &str, now: Instant) -> bool {
        self.tokens.get(token).is_some_and(|expiry| expiry.is_none_or(|at| now < at))
    }

    fn authenticates(&self, client_id: &str, client_secret: &str) -> bool {
        self.clients.get(client_id).is_some_and(|secret| secret == client_secret)
    }

    fn issue(&mut self, ttl: Duration, now: Instant) -> String {
        self.tokens.retain(|_, expiry| expiry.is_none_or(|at| now < at));
        let token = loop {
            let candidate = format!("dose{:032x}", fastrand::u128(..));
            if !self.tokens.contains_key(&candidate) {
                break candidate;
            }
        };
        self.tokens.insert(token.clone(), now.checked_add(ttl));
        token
    }
}

/// A refused token request.
#[derive(Debug, PartialEq, Eq)]
struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl OAuthError {
    fn invalid_request(description: impl Into<String>) -> Self {
        OAuthError { status: StatusCode::BAD_REQUEST, error: "invalid_request", description: description.into() }
    }

    fn invalid_client() -> Self {
        OAuthError {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "Client authentication failed".to_owned(),
        }
    }

    fn unsupported_grant_type(description: impl Into<String>) -> Self {
        OAuthError { status: StatusCode::BAD_REQUEST, error: "unsupported_grant_type", description: description.into() }
    }
}

/// `POST /oidc/v1/token`.
pub(crate) async fn token(State(app): State<App>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_FORM).await;
    let ttl = app.startup.oauth_token_ttl_secs;
    let result = {
        let mut st = app.lock();
        // Never the query, the body or the headers: they may carry the client secret.
        record(&mut st, "POST", RESOURCE, parts.uri.path(), "", Value::Null);
        match bytes {
            Ok(bytes) => exchange(&mut st.oauth, &parts.headers, &bytes, Duration::from_secs(ttl), Instant::now()),
            Err(_) => Err(OAuthError::invalid_request("The request body is too large")),
        }
    };
    let response = match result {
        Ok((access_token, scope)) => json_response(
            StatusCode::OK,
            &json!({"access_token": access_token, "token_type": "Bearer", "expires_in": ttl, "scope": scope}),
        ),
        Err(err) => {
            let mut response =
                json_response(err.status, &json!({"error": err.error, "error_description": err.description}));
            if err.status == StatusCode::UNAUTHORIZED {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic"));
            }
            response
        }
    };
    no_store(response)
}

/// RFC 6749 §5.1: token answers must not be cached.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Checks the request (form → client → grant) and issues a token: `(access_token, scope)`.
fn exchange(
    oauth: &mut OAuthState,
    headers: &HeaderMap,
    body: &[u8],
    ttl: Duration,
    now: Instant,
) -> Result<(String, String), OAuthError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case(FORM_MIME) {
        return Err(OAuthError::invalid_request(format!("The request body must be {FORM_MIME}")));
    }
    let form = parse_form(body).ok_or_else(|| OAuthError::invalid_request("The request body is not a valid form"))?;
    let field = |name: &str| form.get(name).map(String::as_str);

    let basic = headers.get(header::AUTHORIZATION);
    let (client_id, client_secret) = match (basic, field("client_secret")) {
        (Some(_), Some(_)) => {
            return Err(OAuthError::invalid_request("Use only one client authentication method"));
        }
        (Some(value), None) => basic_credentials(value).ok_or_else(OAuthError::invalid_client)?,
        (None, Some(secret)) => {
            (field("client_id").ok_or_else(OAuthError::invalid_client)?.to_owned(), secret.to_owned())
        }
        (None, None) => return Err(OAuthError::invalid_client()),
    };
    if !oauth.authenticates(&client_id, &client_secret) {
        return Err(OAuthError::invalid_client());
    }

    match field("grant_type") {
        Some("client_credentials") => {}
        Some(other) => return Err(OAuthError::unsupported_grant_type(format!("Unsupported grant_type: {other}"))),
        None => return Err(OAuthError::unsupported_grant_type("Missing grant_type")),
    }
    let scope = field("scope").filter(|s| !s.trim().is_empty()).unwrap_or(DEFAULT_SCOPE).to_owned();
    Ok((oauth.issue(ttl, now), scope))
}

/// `Basic base64(id:secret)` → `(id, secret)`; the id ends at the first colon (RFC 7617).
fn basic_credentials(value: &HeaderValue) -> Option<(String, String)> {
    let (scheme, encoded) = value.to_str().ok()?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(encoded.trim())?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Standard base64, padding optional (the `base64` crate).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const STANDARD_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    STANDARD_ANY_PADDING.decode(text).ok()
}

/// An `application/x-www-form-urlencoded` body; `None` if it is not valid UTF-8 after
/// decoding, has a bad escape, or repeats a parameter (RFC 6749 §3.2).
fn parse_form(body: &[u8]) -> Option<HashMap<String, String>> {
    let text = std::str::from_utf8(body).ok()?;
    let mut form = HashMap::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if form.insert(form_decode(key)?, form_decode(value)?).is_some() {
            return None;
        }
    }
    Some(form)
}

/// One form-encoded name or value (`percent-encoding`, `+` as a space). That crate passes a
/// malformed escape (`%zz`) through as text; a token endpoint refuses it.
fn form_decode(text: &str) -> Option<String> {
    let well_escaped =
        text.split('%').skip(1).all(|rest| rest.bytes().take(2).filter(u8::is_ascii_hexdigit).count() == 2);
    let spaced = text.replace('+', " ");
    let decoded = percent_encoding::percent_decode_str(&spaced).decode_utf8().ok()?;
    well_escaped.then(|| decoded.into_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (k.clone(), HeaderValue::from_static(v))).collect()
    }

    fn state() -> OAuthState {
        OAuthState::new(&[OAuthClient { client_id: "app".into(), client_secret: "s3:cr=t".into() }])
    }

    #[test]
    fn base64_decodes_with_and_without_padding_and_refuses_garbage() {
        assert_eq!(base64_decode("YXBwOnMzOmNyPXQ=").unwrap(), b"app:s3:cr=t");
        assert_eq!(base64_decode("YXBwOnMzOmNyPXQ").unwrap(), b"app:s3:cr=t");
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert_eq!(base64_decode("").unwrap(), b"");
        assert!(base64_decode("Y").is_none());
        assert!(base64_decode("a b").is_none());
    }

    #[test]
    fn forms_decode_plus_and_percent_escapes_and_refuse_repeats() {
        let form = parse_form(b"a=x+y%3D%2b&b=&c").unwrap();
        assert_eq!(form.get("a").map(String::as_str), Some("x y=+"));
        assert_eq!(form.get("b").map(String::as_str), Some(""));
        assert_eq!(form.get("c").map(String::as_str), Some(""));
        assert!(parse_form(b"a=%zz").is_none());
        assert!(parse_form(b"a=%+1").is_none());
        assert!(parse_form(b"a=1&a=2").is_none());
        assert!(parse_form(&[0xff]).is_none());
    }

    #[test]
    fn the_secret_may_contain_colons_but_the_id_ends_at_the_first() {
        let mut oauth = state();
        let h = headers(&[
            (header::CONTENT_TYPE, "application/x-www-form-urlencoded; charset=utf-8"),
            (header::AUTHORIZATION, "basic YXBwOnMzOmNyPXQ="),
        ]);
        let (token, scope) =
            exchange(&mut oauth, &h, b"grant_type=client_credentials", Duration::from_secs(60), Instant::now())
                .unwrap();
        assert_eq!(scope, "all-apis");
        assert!(token.starts_with("dose") && token.len() == 36, "{token}");
    }

    #[test]
    fn tokens_expire_at_their_ttl_and_an_overflowing_ttl_never_expires() {
        let mut oauth = state();
        let now = Instant::now();
        let short = oauth.issue(Duration::from_secs(10), now);
        let forever = oauth.issue(Duration::from_secs(u64::MAX), now);
        assert!(oauth.accepts(&short, now + Duration::from_secs(9)));
        assert!(!oauth.accepts(&short, now + Duration::from_secs(10)));
        assert!(oauth.accepts(&forever, now + Duration::from_secs(1_000_000)));
        assert!(!oauth.accepts("dose-unknown", now));
        oauth.expire_all();
        assert!(!oauth.accepts(&forever, now));
    }

    #[test]
    fn both_authentication_methods_at_once_are_refused() {
        let mut oauth = state();
        let h = headers(&[(header::CONTENT_TYPE, FORM_MIME), (header::AUTHORIZATION, "Basic YXBwOnMzOmNyPXQ=")]);
        let err = exchange(
            &mut oauth,
            &h,
            b"grant_type=client_credentials&client_id=app&client_secret=s3%3Acr%3Dt",
            Duration::from_secs(60),
            Instant::now(),
        )
        .unwrap_err();
        assert_eq!(err.error, "invalid_request");
    }
}
