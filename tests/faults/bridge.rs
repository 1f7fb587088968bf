//! Requests through the real handlers as Lambda runs them — each in a task of its own, with a
//! deadline in its context, a bounded number in flight — and every answer checked for what
//! counts as a crash: a panic, a body that is not `application/scim+json`, or no answer within
//! the Lambda timeout.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use lambda_http::{Body, RequestExt};
use serde_json::Value;
use tests::Operation;
use tests::{Call, TestStack};
use tokio::sync::Semaphore;

use crate::chaos::Chaos;

/// The function timeout the suite gives every invocation. Shorter than the template's 15 s so
/// that latency past it costs seconds, not minutes; the bridge derives its per-call timeouts
/// and retry cut-off from the remaining time either way (`shared/src/http/mod.rs`).
pub const LAMBDA_TIMEOUT: Duration = Duration::from_secs(8);

/// Requests handled at once (concurrent Lambda invocations).
pub const IN_FLIGHT: usize = 6;

/// A SCIM answer as the client saw it. `status` 0: no usable answer (a crash).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub retry_after: Option<u64>,
}

impl Reply {
    /// Refused for now: 429 or 5xx (or no answer). An identity platform sends it again later.
    pub fn refused(&self) -> bool {
        self.status == 0 || self.status == 429 || self.status >= 500
    }

    /// Refused in a way that says nothing was done (429 throttled, 503 unavailable): sent again
    /// as it is. Any other refusal leaves the outcome open: the client looks before it re-creates.
    pub fn nothing_done(&self) -> bool {
        self.status == 429 || self.status == 503
    }

    pub fn id(&self) -> Option<String> {
        self.body["id"].as_str().map(String::from)
    }
}

/// What the client side saw.
#[derive(Debug, Default)]
pub struct Tally {
    pub requests: u64,
    pub client_errors: BTreeMap<u16, u64>,
    pub crashes: Vec<String>,
    pub resent: u64,
}

pub struct Bridge {
    pub stack: TestStack,
    pub chaos: Chaos,
    pub tally: Mutex<Tally>,
    slots: Semaphore,
    /// `FAULTS_TRACE=1`: every request and its answer on stderr.
    trace: bool,
}

impl Bridge {
    pub fn new(stack: TestStack, chaos: Chaos) -> Bridge {
        let trace = std::env::var("FAULTS_TRACE").is_ok_and(|v| v == "1");
        Bridge { stack, chaos, tally: Mutex::new(Tally::default()), slots: Semaphore::new(IN_FLIGHT), trace }
    }

    fn note(&self, f: impl FnOnce(&mut Tally)) {
        if let Ok(mut tally) = self.tally.lock() {
            f(&mut tally);
        }
    }

    /// One request to one function's handler, after the chaos monkey had its say.
    pub async fn send(&self, operation: Operation, call: &Call, rng: &mut fastrand::Rng) -> Reply {
        self.chaos.maybe_inject(&self.stack, call, rng).await;
        let _slot = self.slots.acquire().await.expect("the semaphore is never closed");
        self.note(|t| t.requests += 1);
        let mut context = lambda_http::Context::default();
        let deadline = SystemTime::now() + LAMBDA_TIMEOUT;
        context.deadline = deadline.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        let request = self.stack.event(operation, call).with_lambda_context(context);
        let state = self.stack.state.clone();
        let what = format!("{} {}", call.method, call.path);
        let started = Instant::now();
        let task = tokio::spawn(async move { operation.handle(&state, request).await });
        let response = match tokio::time::timeout(LAMBDA_TIMEOUT + Duration::from_secs(2), task).await {
            Err(_) => return self.crash(format!("{what}: no answer within the Lambda timeout (hang)")),
            Ok(Err(e)) => return self.crash(format!("{what}: the handler panicked: {e}")),
            Ok(Ok(response)) => response,
        };
        let took = started.elapsed();
        if took > LAMBDA_TIMEOUT {
            return self.crash(format!("{what}: answered after {took:?}, past the Lambda timeout"));
        }
        let status = response.status().as_u16();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from);
        let bytes: &[u8] = match response.body() {
            Body::Text(t) => t.as_bytes(),
            Body::Binary(b) => b,
            _ => &[],
        };
        let body = if bytes.is_empty() {
            Value::Null
        } else if header("content-type").as_deref() != Some(shared::http::SCIM_CONTENT_TYPE) {
            return self.crash(format!("{what}: {status} answered with Content-Type {:?}", header("content-type")));
        } else {
            match serde_json::from_slice(bytes) {
                Ok(body) => body,
                Err(_) => return self.crash(format!("{what}: {status} answered a body that is not JSON")),
            }
        };
        if status >= 400 {
            self.note(|t| *t.client_errors.entry(status).or_insert(0) += 1);
        }
        let retry_after = header("retry-after").and_then(|v| v.parse().ok());
        if self.trace {
            let query: Vec<String> = call.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let sent = call.body.as_ref().map(Value::to_string).unwrap_or_default();
            let answered = if status >= 400 { body.to_string() } else { String::new() };
            eprintln!("faults: {what}?{} {sent} → {status} in {took:?} {answered}", query.join("&"));
        }
        Reply { status, body, retry_after }
    }

    fn crash(&self, why: String) -> Reply {
        eprintln!("faults: CRASH {why}");
        self.note(|t| t.crashes.push(why));
        Reply { status: 0, body: Value::Null, retry_after: None }
    }

    /// The client waits before sending again: `Retry-After` (at most a second, as the bridge
    /// answers it) or a short jittered pause.
    pub async fn pause(&self, reply: &Reply, rng: &mut fastrand::Rng) {
        self.note(|t| t.resent += 1);
        let ms = match reply.retry_after {
            Some(secs) => secs.min(1) * 1000,
            None => 100 + rng.u64(0..300),
        };
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}
