//! What the emulator is made to do wrong: faults queued just before requests (throttling in
//! each form Databricks uses, 5xx, connection resets before and after the write, latency past
//! the Lambda deadline, writes done behind a 500), and rotations of the bridge's OAuth
//! credential, which the bridge must pick up after a 401 by reading its secret again.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use shared::databricks::DatabricksError;
use shared::databricks::TokenSource;
use shared::databricks::credentials::{BearerToken, BoxFuture};
use shared::databricks::error::CredentialError;
use tests::{Call, TestStack};

use crate::bridge::LAMBDA_TIMEOUT;

/// The bridge's OAuth client in the emulator.
pub const CLIENT_ID: &str = "scim-bridge-faults";

const RATE: &str = "Workspace 1234 exceeded the rate limit of 255 requests per minute for POST Users.";
const CONCURRENT: &str = "REQUEST_LIMIT_EXCEEDED: Workspace 1234 exceeded the concurrent limit of 4 requests.";

/// Queues faults and counts what was queued.
pub struct Chaos {
    /// Chance that a request is preceded by a fault rule.
    pub rate: f64,
    /// Uses queued, by kind.
    pub queued: Mutex<BTreeMap<&'static str, u64>>,
    pub rotations: AtomicU64,
}

impl Chaos {
    pub fn new(rate: f64) -> Chaos {
        Chaos { rate, queued: Mutex::new(BTreeMap::new()), rotations: AtomicU64::new(0) }
    }

    /// Uses queued in all.
    pub fn queued_total(&self) -> u64 {
        self.queued.lock().expect("the queued faults").values().sum()
    }

    /// With probability `rate`, queues one fault rule aimed at this request's method and
    /// resource, or at the reads that follow it (re-reads, look-ups).
    pub async fn maybe_inject(&self, stack: &TestStack, call: &Call, rng: &mut fastrand::Rng) {
        let resource = call.path.trim_start_matches('/').split('/').next().unwrap_or("Users").to_string();
        // The partial failures Databricks is known for get their own, higher chance.
        let partial = match (call.method, resource.as_str()) {
            ("POST", "Groups") => Some(("group created without its members behind a 500", 0.4)),
            ("DELETE", _) => Some(("delete done behind a 500", 0.3)),
            _ => None,
        };
        // On the account target a create is followed by a permission-assignment PUT and a delete
        // preceded by its DELETE: those are faulted too.
        let assignment = match call.method {
            "POST" if resource != ".search" => Some("PUT"),
            "DELETE" => Some("DELETE"),
            _ => None,
        };
        // Besides the request's own faults below; a create that finds its principal lists the
        // workspace's assignments first, so those reads are faulted too.
        if let Some(method) = assignment.filter(|_| stack.is_account() && rng.f64() < 0.3) {
            let method = if method == "PUT" && rng.f64() < 0.3 { "GET" } else { method };
            let (kind, fault, count) = pick(method, "permissionassignments", rng);
            stack
                .inject_fault(
                    json!({"method": method, "resource": "permissionassignments", "count": count, "fault": fault}),
                )
                .await;
            if let Ok(mut queued) = self.queued.lock() {
                *queued.entry(kind).or_insert(0) += u64::from(count);
            }
        }
        let (method, (kind, fault, count)) = match partial {
            Some((kind, chance)) if rng.f64() < chance => (call.method, partial_failure(kind)),
            _ if rng.f64() >= self.rate => return,
            _ => {
                let method = if call.method != "GET" && rng.f64() < 0.3 { "GET" } else { call.method };
                (method, pick(method, &resource, rng))
            }
        };
        stack.inject_fault(json!({"method": method, "resource": resource, "count": count, "fault": fault})).await;
        if let Ok(mut queued) = self.queued.lock() {
            *queued.entry(kind).or_insert(0) += u64::from(count);
        }
    }

    /// Rotates the bridge's Databricks credential the way an operator does: a new OAuth secret
    /// in Databricks (the old one can no longer be exchanged), the new value in the secret the
    /// bridge reads, then every access token issued so far expires. The bridge meets a 401 and
    /// must read the secret again.
    pub async fn rotate(&self, stack: &TestStack, secret: &OAuthSecret) {
        let n = self.rotations.fetch_add(1, Ordering::SeqCst) + 1;
        let new_secret = format!("rotated-secret-{n}");
        stack.admin_post("oauth-clients", json!({"client_id": CLIENT_ID, "client_secret": new_secret})).await;
        secret.put(&new_secret);
        stack.admin_post("oauth-tokens/expire", json!({})).await;
    }
}

/// One fault for a request of `method` on `resource`: (kind, fault, uses).
fn pick(method: &str, resource: &str, rng: &mut fastrand::Rng) -> (&'static str, Value, u32) {
    let write = method != "GET";
    let mut table: Vec<(&'static str, u32)> = vec![
        ("throttle 429 Retry-After", 4),
        ("throttle 429 without Retry-After", 4),
        ("throttle 500 REQUEST_LIMIT_EXCEEDED", 4),
        ("throttle error_code at 400", 4),
        ("500", 2),
        ("502", 2),
        ("503", 2),
        ("504", 1),
        ("500 TEMPORARILY_UNAVAILABLE", 2),
        ("reset before the write", 3),
        ("latency past the deadline", 1),
    ];
    if write {
        table.push(("reset after the write", 3));
    }
    if method == "PATCH" {
        table.push(("write done behind a 500", 3));
    }
    if method == "POST" && resource != "Groups" {
        table.push(("create done behind a 500", 3));
    }
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut roll = rng.u32(0..total);
    let kind = table
        .iter()
        .find(|(_, w)| {
            if roll < *w {
                true
            } else {
                roll -= w;
                false
            }
        })
        .map_or("500", |(k, _)| k);
    // Throttling comes in bursts, sometimes longer than the bridge's retry budget.
    let throttle_burst = rng.u32(1..5);
    let status = |status: u16| json!({"kind": "status", "status": status});
    match kind {
        "throttle 429 Retry-After" => (
            kind,
            json!({"kind": "status", "status": 429, "error_code": "REQUEST_LIMIT_EXCEEDED", "detail": RATE, "retry_after": 1}),
            throttle_burst,
        ),
        "throttle 429 without Retry-After" => (
            kind,
            json!({"kind": "status", "status": 429, "error_code": "REQUEST_LIMIT_EXCEEDED", "detail": RATE}),
            throttle_burst,
        ),
        "throttle 500 REQUEST_LIMIT_EXCEEDED" => {
            (kind, json!({"kind": "status", "status": 500, "detail": CONCURRENT}), throttle_burst)
        }
        "throttle error_code at 400" => (
            kind,
            json!({"kind": "status", "status": 400, "error_code": "REQUEST_LIMIT_EXCEEDED", "detail": RATE}),
            throttle_burst,
        ),
        "502" => (kind, status(502), 1),
        "503" => (kind, status(503), rng.u32(1..3)),
        "504" => (kind, status(504), 1),
        "500 TEMPORARILY_UNAVAILABLE" => (
            kind,
            json!({"kind": "status", "status": 500, "error_code": "TEMPORARILY_UNAVAILABLE",
                   "detail": "The service is temporarily unavailable. Please try again later."}),
            1,
        ),
        "reset before the write" => (kind, json!({"kind": "drop"}), 1),
        "reset after the write" => (kind, json!({"kind": "drop", "after_write": true}), 1),
        "latency past the deadline" => {
            let ms = LAMBDA_TIMEOUT.as_millis() as u64 + 1000;
            (kind, json!({"kind": "latency", "ms": ms}), 1)
        }
        "write done behind a 500" | "create done behind a 500" => (kind, json!({"kind": "write_then_500"}), 1),
        _ => ("500", status(500), 1),
    }
}

/// A partial failure: the write is done, the answer is a 500.
fn partial_failure(kind: &'static str) -> (&'static str, Value, u32) {
    let fault = if kind.starts_with("group") {
        json!({"kind": "write_then_500", "without_members": true})
    } else {
        json!({"kind": "write_then_500"})
    };
    (kind, fault, 1)
}

/// The bridge's Databricks credential as the deployed functions hold it: an OAuth client id
/// and secret in a secret store, exchanged at the workspace's `/oidc/v1/token`, the access
/// token cached until Databricks refuses it. Deployed, `SecretsManagerToken` does this over
/// AWS Secrets Manager; here the "secret store" is a value the suite rotates.
pub struct OAuthSecret {
    http: reqwest::Client,
    token_url: String,
    secret: Mutex<String>,
    cache: Mutex<Option<BearerToken>>,
    pub exchanges: AtomicU64,
}

impl OAuthSecret {
    pub fn new(host: &str, secret: &str) -> OAuthSecret {
        OAuthSecret {
            http: reqwest::Client::new(),
            token_url: format!("{host}/oidc/v1/token"),
            secret: Mutex::new(secret.to_string()),
            cache: Mutex::new(None),
            exchanges: AtomicU64::new(0),
        }
    }

    fn put(&self, secret: &str) {
        if let Ok(mut s) = self.secret.lock() {
            *s = secret.to_string();
        }
    }

    async fn exchange(&self) -> Result<BearerToken, DatabricksError> {
        self.exchanges.fetch_add(1, Ordering::Relaxed);
        let refused = DatabricksError::Credential;
        let secret = self.secret.lock().map_err(|_| refused(CredentialError::TokenEndpointUnreachable))?.clone();
        let response = self
            .http
            .post(&self.token_url)
            .basic_auth(CLIENT_ID, Some(secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&scope=all-apis")
            .send()
            .await
            .map_err(|_| refused(CredentialError::TokenEndpointUnreachable))?;
        if !response.status().is_success() {
            return Err(refused(CredentialError::TokenEndpointStatus(response.status().as_u16())));
        }
        let body: Value = response.json().await.map_err(|_| refused(CredentialError::TokenEndpointBody))?;
        let token = body["access_token"].as_str().ok_or(refused(CredentialError::TokenEndpointBody))?;
        Ok(BearerToken::new(token))
    }
}

impl TokenSource for OAuthSecret {
    fn token(&self) -> BoxFuture<'_, Result<BearerToken, DatabricksError>> {
        Box::pin(async move {
            if let Some(token) = self.cache.lock().ok().and_then(|c| c.clone()) {
                return Ok(token);
            }
            let token = self.exchange().await?;
            if let Ok(mut cache) = self.cache.lock() {
                *cache = Some(token.clone());
            }
            Ok(token)
        })
    }

    fn invalidate(&self) -> bool {
        if let Ok(mut cache) = self.cache.lock() {
            *cache = None;
        }
        true
    }
}
