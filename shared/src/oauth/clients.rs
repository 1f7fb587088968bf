//! The OAuth clients and their secrets: the clients secret is a JSON object from client id to
//! secret, `{"one-identity":"…","sailpoint":"…"}`; during a rotation a client's value is a list of
//! two secrets, `["<old>","<new>"]`, either accepted. Secrets are kept only as SHA-256 digests and
//! compared in constant time.

use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Fewest characters a client secret may have (a generated one has 48).
pub const MIN_SECRET_LEN: usize = 16;
/// Most secrets one client may have at once (the old and the new during a rotation).
pub const MAX_SECRETS_PER_CLIENT: usize = 2;

/// The registered clients. Its `Debug` shows the client ids only.
#[derive(Clone)]
pub struct Clients {
    entries: Vec<(String, Vec<[u8; 32]>)>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.entries.iter().map(|(id, _)| id.as_str()).collect();
        write!(f, "Clients({ids:?})")
    }
}

/// Why client authentication failed (logged; the client always gets the same `invalid_client`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientRefusal {
    /// No such client id.
    UnknownClient,
    /// A known client id with another secret.
    WrongSecret,
}

fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Whether a client id can be registered: printable ASCII without `:` (HTTP Basic separates id
/// and secret with it) and at most 128 characters.
pub fn valid_client_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.chars().all(|c| c.is_ascii_graphic() && c != ':')
}

impl Clients {
    /// Whether `secret` is a secret of client `id`. Every registered secret is compared, always,
    /// in constant time, so timing tells neither whether the id exists nor how much matched.
    pub fn authenticate(&self, id: &str, secret: &str) -> Result<(), ClientRefusal> {
        let presented = digest(secret);
        let mut known = false;
        let mut matched = subtle::Choice::from(0);
        for (client, secrets) in &self.entries {
            let this = client == id;
            known |= this;
            for stored in secrets {
                matched |= stored[..].ct_eq(&presented[..]) & subtle::Choice::from(u8::from(this));
            }
        }
        match (known, bool::from(matched)) {
            (_, true) => Ok(()),
            (true, false) => Err(ClientRefusal::WrongSecret),
            (false, false) => Err(ClientRefusal::UnknownClient),
        }
    }

    /// Whether a client id is registered.
    pub fn knows(&self, id: &str) -> bool {
        self.entries.iter().any(|(client, _)| client == id)
    }
}

/// Why the clients secret cannot be used: names the problem (and the client id), never a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientsError {
    /// Not JSON.
    #[error("the OAuth clients secret is not valid JSON")]
    NotJson,
    /// JSON, but not an object.
    #[error(
        "the OAuth clients secret must be a JSON object from client id to secret, {{\"<client id>\":\"<secret>\"}}"
    )]
    NotAnObject,
    /// A client id that could not be sent (see [`valid_client_id`]).
    #[error("a client id must be 1 to 128 printable ASCII characters without ':' or spaces")]
    BadClientId,
    /// A list of secrets holding something else.
    #[error("the secrets of client {0} must be strings")]
    SecretsNotStrings(String),
    /// Neither a string nor a list.
    #[error("the secret of client {0} must be a string or a list of two strings")]
    SecretNotAString(String),
    /// No secret, or more than [`MAX_SECRETS_PER_CLIENT`].
    #[error("client {0} needs one secret, or two during a rotation")]
    SecretCount(String),
    /// A secret shorter than [`MIN_SECRET_LEN`].
    #[error("a secret of client {0} is shorter than {MIN_SECRET_LEN} characters")]
    ShortSecret(String),
    /// No client at all.
    #[error("the OAuth clients secret holds no client (expected {{\"<client id>\":\"<secret>\"}})")]
    NoClient,
}

/// Parses the clients secret.
pub fn parse_clients(value: &str) -> Result<Clients, ClientsError> {
    let json: Value = serde_json::from_str(value.trim()).map_err(|_| ClientsError::NotJson)?;
    let object = json.as_object().ok_or(ClientsError::NotAnObject)?;
    let mut entries = Vec::new();
    for (id, value) in object {
        if !valid_client_id(id) {
            return Err(ClientsError::BadClientId);
        }
        let secrets: Vec<&str> = match value {
            Value::String(s) => vec![s.as_str()],
            Value::Array(list) => list
                .iter()
                .map(Value::as_str)
                .collect::<Option<_>>()
                .ok_or_else(|| ClientsError::SecretsNotStrings(id.clone()))?,
            _ => return Err(ClientsError::SecretNotAString(id.clone())),
        };
        if secrets.is_empty() || secrets.len() > MAX_SECRETS_PER_CLIENT {
            return Err(ClientsError::SecretCount(id.clone()));
        }
        if secrets.iter().any(|s| s.chars().count() < MIN_SECRET_LEN) {
            return Err(ClientsError::ShortSecret(id.clone()));
        }
        entries.push((id.clone(), secrets.into_iter().map(digest).collect()));
    }
    if entries.is_empty() {
        return Err(ClientsError::NoClient);
    }
    Ok(Clients { entries })
}

impl super::source::SecretValue for Clients {
    type Error = ClientsError;
    const WHAT: &'static str = "OAuth clients";

    fn parse(value: &str) -> Result<Clients, ClientsError> {
        parse_clients(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_authenticate_with_any_of_their_secrets() {
        let clients = parse_clients(
            r#"{"one-identity":"secret-one-0123456789","sailpoint":["old-secret-0123456789","new-secret-0123456789"]}"#,
        )
        .unwrap();
        assert_eq!(clients.authenticate("one-identity", "secret-one-0123456789"), Ok(()));
        assert_eq!(clients.authenticate("sailpoint", "old-secret-0123456789"), Ok(()));
        assert_eq!(clients.authenticate("sailpoint", "new-secret-0123456789"), Ok(()));
        assert_eq!(clients.authenticate("sailpoint", "secret-one-0123456789"), Err(ClientRefusal::WrongSecret));
        assert_eq!(clients.authenticate("nobody", "secret-one-0123456789"), Err(ClientRefusal::UnknownClient));
        assert!(!format!("{clients:?}").contains("secret-one"));
    }

    #[test]
    fn bad_clients_secrets_are_refused_without_showing_a_secret() {
        for bad in [
            "",
            "{}",
            "[]",
            r#"{"a:b":"secret-0123456789abc"}"#,
            r#"{"a":"short-secret"}"#,
            r#"{"a":["s1-0123456789abcdef","s2-0123456789abcdef","s3-0123456789abcdef"]}"#,
            r#"{"a":7}"#,
        ] {
            let err = parse_clients(bad).err().unwrap_or_else(|| panic!("{bad:?} is accepted")).to_string();
            assert!(!err.is_empty() && !err.contains("short-secret") && !err.contains("0123456789"), "{bad:?}: {err}");
        }
    }
}
