//! The access token: a JWT (RFC 7519) signed with HMAC-SHA-256 (`HS256`), verified by every
//! function with the signing keys alone — no network call.
//!
//! `base64url(header) "." base64url(payload) "." base64url(HMAC-SHA-256(key, header "." payload))`,
//! header `{"alg":"HS256","typ":"JWT","kid":"…"}`, payload `{"client_id":"…","iat":…,"exp":…}`
//! (seconds since the epoch). The `kid` is derived from the key itself (the first 9 bytes of a
//! SHA-256 of it, base64url), so a key keeps its `kid` when it moves from `next` to `current`
//! to `previous` during a rotation, and the `kid` reveals nothing usable about the key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Fewest characters a signing key may have (a generated key has 64).
pub const MIN_KEY_LEN: usize = 32;
/// Longest bearer value read as a token; anything longer is refused unread.
pub const MAX_TOKEN_LEN: usize = 2048;
/// Clock difference tolerated for `iat` (a token issued "in the future").
pub const CLOCK_SKEW_SECS: u64 = 60;
/// Longest lifetime a token may carry (`exp - iat`).
pub const MAX_LIFETIME_SECS: u64 = 3600;

/// A signing key and its id. Its `Debug` shows the id only.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey(kid {})", self.kid)
    }
}

/// Why signing keys cannot be used. Never contains a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningKeyError {
    /// A key shorter than [`MIN_KEY_LEN`].
    #[error("a signing key must have at least {MIN_KEY_LEN} characters")]
    TooShort,
    /// A key with white space in it.
    #[error("a signing key must not contain white space")]
    WhiteSpace,
    /// Starts like a JSON object but is not one.
    #[error("the signing-key secret is not valid JSON")]
    NotJson,
    /// No `current` key.
    #[error("the signing-key secret has no \"current\" key (expected {{\"current\":\"…\",\"next\":\"…\"}})")]
    NoCurrent,
    /// A slot holding something other than a string.
    #[error("\"{0}\" must be a string")]
    NotAString(&'static str),
    /// A slot holding a key that cannot be used.
    #[error("\"{slot}\"")]
    Slot {
        /// `current`, `next` or `previous`.
        slot: &'static str,
        /// What is wrong with its key.
        #[source]
        error: Box<SigningKeyError>,
    },
}

impl SigningKey {
    /// A key from its secret text (at least [`MIN_KEY_LEN`] characters, no white space).
    pub fn new(secret: &str) -> Result<SigningKey, SigningKeyError> {
        if secret.chars().count() < MIN_KEY_LEN {
            return Err(SigningKeyError::TooShort);
        }
        if secret.chars().any(char::is_whitespace) {
            return Err(SigningKeyError::WhiteSpace);
        }
        let mut hasher = Sha256::new();
        hasher.update(b"databricks-scim-bridge signing key id\0");
        hasher.update(secret.as_bytes());
        let digest = hasher.finalize();
        let kid = URL_SAFE_NO_PAD.encode(&digest[..9]);
        Ok(SigningKey { kid, key: secret.as_bytes().to_vec() })
    }

    /// The key id written into the token header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    fn mac(&self, signing_input: &str) -> Option<HmacSha256> {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.key).ok()?;
        mac.update(signing_input.as_bytes());
        Some(mac)
    }
}

/// The keys a function accepts, and the one the token endpoint signs with.
#[derive(Debug, Clone)]
pub struct KeySet {
    current: SigningKey,
    accepted: Vec<SigningKey>,
}

impl KeySet {
    /// `current` signs; `current` and every key of `others` are accepted.
    pub fn new(current: SigningKey, others: Vec<SigningKey>) -> KeySet {
        let mut accepted = vec![current.clone()];
        accepted.extend(others.into_iter().filter(|k| k.kid != current.kid));
        KeySet { current, accepted }
    }

    /// The key new tokens are signed with.
    pub fn current(&self) -> &SigningKey {
        &self.current
    }

    /// The accepted key with this id.
    pub fn find(&self, kid: &str) -> Option<&SigningKey> {
        self.accepted.iter().find(|k| k.kid == kid)
    }
}

/// Parses the signing-key secret: `{"current":"…","next":"…","previous":"…"}` (`next` and
/// `previous` optional), or a bare key. `current` signs; all three are accepted.
pub fn parse_signing_keys(value: &str) -> Result<KeySet, SigningKeyError> {
    let value = value.trim();
    if !value.starts_with('{') {
        return Ok(KeySet::new(SigningKey::new(value)?, Vec::new()));
    }
    let json: Value = serde_json::from_str(value).map_err(|_| SigningKeyError::NotJson)?;
    let field = |slot: &'static str| -> Result<Option<SigningKey>, SigningKeyError> {
        match json.get(slot) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => {
                SigningKey::new(s.trim()).map(Some).map_err(|e| SigningKeyError::Slot { slot, error: Box::new(e) })
            }
            Some(_) => Err(SigningKeyError::NotAString(slot)),
        }
    };
    let current = field("current")?.ok_or(SigningKeyError::NoCurrent)?;
    let others = [field("next")?, field("previous")?].into_iter().flatten().collect();
    Ok(KeySet::new(current, others))
}

impl super::source::SecretValue for KeySet {
    type Error = SigningKeyError;
    const WHAT: &'static str = "OAuth signing-key";

    fn parse(value: &str) -> Result<KeySet, SigningKeyError> {
        parse_signing_keys(value)
    }
}

/// What a verified token says: its claims as issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The client the token was issued to.
    pub client_id: String,
    /// Expires at (seconds since the epoch).
    pub exp: u64,
    /// Issued at (seconds since the epoch).
    pub iat: u64,
}

/// Why a token is refused. The texts are the SCIM 401 `detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token of this bridge: bad encoding, another algorithm, missing claims.
    #[error("the access token is malformed")]
    Malformed,
    /// Signed with a key this deployment does not (or no longer) accept.
    #[error("the access token is signed with a key this service does not accept")]
    UnknownKey,
    /// The MAC does not match: the token was altered.
    #[error("the access token's signature is not valid")]
    BadSignature,
    /// Past its `exp`.
    #[error("the access token has expired; request a new one from the token endpoint")]
    Expired,
}

fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWT header (RFC 7515 §4.1) as the bridge writes and reads it: a header whose `alg` or
/// `kid` is not a string is not one of ours.
#[derive(Debug, Serialize, Deserialize)]
struct JwtHeader {
    alg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typ: Option<String>,
}

/// Issues a token for `client_id`, valid from `now` for `lifetime_secs`.
pub fn issue(key: &SigningKey, client_id: &str, now: u64, lifetime_secs: u64) -> String {
    let header = JwtHeader { alg: "HS256".into(), kid: Some(key.kid.clone()), typ: Some("JWT".into()) };
    let claims = Claims { client_id: client_id.into(), exp: now.saturating_add(lifetime_secs), iat: now };
    // Strings and numbers only: serialising them cannot fail (an empty token would be refused).
    let (Ok(header), Ok(claims)) = (serde_json::to_vec(&header), serde_json::to_vec(&claims)) else {
        return String::new();
    };
    let signing_input = format!("{}.{}", encode(&header), encode(&claims));
    let tag = key.mac(&signing_input).map(|m| m.finalize().into_bytes().to_vec()).unwrap_or_default();
    format!("{signing_input}.{}", encode(&tag))
}

/// The three parts of a bearer value shaped like a JWT, and its decoded header.
fn split(token: &str) -> Option<(&str, &str, &str, JwtHeader)> {
    if token.len() > MAX_TOKEN_LEN {
        return None;
    }
    let mut parts = token.split('.');
    let (header, payload, mac) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let decoded: JwtHeader = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    Some((header, payload, mac, decoded))
}

/// Whether a bearer value is a JWT (three base64url parts, the first a JSON header with `alg`):
/// such a value is verified as an access token, anything else compared with the static tokens.
pub fn looks_signed(token: &str) -> bool {
    split(token).is_some()
}

/// The `kid` of a JWT-shaped bearer value.
pub fn kid_of(token: &str) -> Option<String> {
    split(token)?.3.kid
}

/// Verifies a token against the accepted keys at time `now`: header, key, MAC (constant time),
/// then the claims.
pub fn verify(keys: &KeySet, token: &str, now: u64) -> Result<Claims, TokenError> {
    let (header, payload, mac, decoded) = split(token).ok_or(TokenError::Malformed)?;
    if decoded.alg != "HS256" {
        return Err(TokenError::Malformed);
    }
    let kid = decoded.kid.ok_or(TokenError::Malformed)?;
    let key = keys.find(&kid).ok_or(TokenError::UnknownKey)?;
    let tag = URL_SAFE_NO_PAD.decode(mac).map_err(|_| TokenError::BadSignature)?;
    let signing_input = &token[..header.len() + 1 + payload.len()];
    let verifier = key.mac(signing_input).ok_or(TokenError::BadSignature)?;
    verifier.verify_slice(&tag).map_err(|_| TokenError::BadSignature)?;
    let claims: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).map_err(|_| TokenError::Malformed)?)
        .map_err(|_| TokenError::Malformed)?;
    let Claims { iat, exp, .. } = claims;
    if iat > now.saturating_add(CLOCK_SKEW_SECS) || exp < iat || exp - iat > MAX_LIFETIME_SECS {
        return Err(TokenError::Malformed);
    }
    if now >= exp {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "k1-0123456789abcdef0123456789abcdef";
    const K2: &str = "k2-0123456789abcdef0123456789abcdef";

    fn keys(current: &str, others: &[&str]) -> KeySet {
        let key = |s: &str| SigningKey::new(s).unwrap();
        KeySet::new(key(current), others.iter().map(|s| key(s)).collect())
    }

    #[test]
    fn a_token_round_trips_and_expires() {
        let set = keys(K1, &[]);
        let token = issue(set.current(), "one-identity", 1_000, 900);
        assert!(looks_signed(&token));
        assert_eq!(
            verify(&set, &token, 1_000),
            Ok(Claims { client_id: "one-identity".into(), iat: 1_000, exp: 1_900 })
        );
        assert_eq!(verify(&set, &token, 1_899).map(|c| c.exp), Ok(1_900));
        assert_eq!(verify(&set, &token, 1_900), Err(TokenError::Expired));
    }

    #[test]
    fn the_kid_follows_the_key_not_its_slot() {
        let before = keys(K1, &[K2]);
        let after = keys(K2, &[K1]);
        let token = issue(after.current(), "c", 10, 60);
        assert_eq!(verify(&before, &token, 10).map(|c| c.client_id), Ok("c".into()), "next is accepted");
        assert_eq!(kid_of(&token).as_deref(), Some(after.current().kid()));
        assert_eq!(verify(&keys(K1, &[]), &token, 10), Err(TokenError::UnknownKey));
    }

    #[test]
    fn altered_tokens_are_refused() {
        let set = keys(K1, &[]);
        let token = issue(set.current(), "c", 10, 60);
        let parts: Vec<&str> = token.split('.').collect();
        let other = issue(set.current(), "d", 10, 60);
        let other_payload = other.split('.').nth(1).unwrap();
        let swapped = format!("{}.{}.{}", parts[0], other_payload, parts[2]);
        assert_eq!(verify(&set, &swapped, 10), Err(TokenError::BadSignature));
        let mut mac = parts[2].to_string();
        let last = if mac.ends_with('A') { 'B' } else { 'A' };
        mac.replace_range(mac.len() - 1.., &last.to_string());
        assert_eq!(verify(&set, &format!("{}.{}.{mac}", parts[0], parts[1]), 10), Err(TokenError::BadSignature));
        let none = format!("{}.{}.", encode(br#"{"alg":"none","kid":"x"}"#), parts[1]);
        assert_eq!(verify(&set, &none, 10), Err(TokenError::Malformed));
        assert!(!looks_signed("static-token") && !looks_signed("a.b.c") && !looks_signed(""));
    }

    #[test]
    fn signing_keys_parse_and_errors_hide_the_keys() {
        let set = parse_signing_keys(&format!(r#"{{"current":"{K1}","next":"{K2}"}}"#)).map_err(|e| e.to_string());
        assert!(set.as_ref().is_ok_and(|s| s.accepted.len() == 2), "{set:?}");
        assert!(parse_signing_keys(K1).is_ok());
        for bad in [
            "".to_string(),
            "{}".into(),
            r#"{"current":"short-secret-key"}"#.into(),
            format!(r#"{{"next":"{K2}"}}"#),
            "{oops".into(),
        ] {
            let err = parse_signing_keys(&bad).err().map(|e| crate::scim::error::chain(&e));
            let err = err.unwrap_or_else(|| panic!("{bad:?} is accepted"));
            assert!(!err.is_empty() && !err.contains("short-secret-key") && !err.contains(K2), "{bad:?}: {err}");
        }
    }
}
