//! The one log line per request, which is also the request's CloudWatch metrics: a JSON object
//! in the embedded metric format (EMF), so CloudWatch Logs extracts the metrics from the line
//! itself with no API call. Namespace `DatabricksScimBridge/<stack>` (`METRICS_NAMESPACE`),
//! dimension sets `[Operation]` and `[]` (every operation together), one value per metric.
//!
//! The line carries ids, counts and the error kind — never a body, a token, an e-mail address
//! or a name.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

/// Where the request line is written: its `tracing` target. The JSON log format writes an
/// event of this target as the bare EMF object (see [`super::init_logging`]).
pub const TARGET: &str = "scim_request";

/// The metric namespace when `METRICS_NAMESPACE` is not set (local runs).
pub const DEFAULT_NAMESPACE: &str = "DatabricksScimBridge";

/// A metric's value for one request.
pub type MetricValue = fn(&RequestRecord) -> u64;

/// Every metric of the line: its name, CloudWatch unit, and value for one request.
pub const METRICS: [(&str, &str, MetricValue); 8] = [
    ("Requests", "Count", |_| 1),
    ("Latency", "Milliseconds", |r| r.latency_ms),
    ("DatabricksCalls", "Count", |r| r.databricks_calls),
    ("DatabricksRetries", "Count", |r| r.databricks_retries),
    ("Throttled", "Count", |r| u64::from(r.status == 429)),
    ("ClientErrors", "Count", |r| u64::from((400..=499).contains(&r.status))),
    ("ServerErrors", "Count", |r| u64::from((500..=599).contains(&r.status))),
    ("CredentialFailures", "Count", |r| u64::from(r.credential_failure)),
];

/// What one request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// Function name (`patch-user`), the `Operation` dimension.
    pub operation: &'static str,
    /// HTTP method.
    pub method: String,
    /// The status answered.
    pub status: u16,
    /// Time from the event to the answer.
    pub latency_ms: u64,
    /// Databricks calls made.
    pub databricks_calls: u64,
    /// Of those, retries.
    pub databricks_retries: u64,
    /// The credential failed: Databricks refused it (401 after a re-read, 403) or a secret could
    /// not be read.
    pub credential_failure: bool,
    /// `ScimError::kind()` of an error answer.
    pub error: Option<&'static str>,
    /// The Lambda request id (`requestId` in Lambda's own lines).
    pub request_id: Option<String>,
    /// API Gateway's request id (`requestId` in its access log).
    pub api_request_id: Option<String>,
    /// The first request of this execution environment.
    pub cold_start: bool,
}

/// The EMF document of one request (CloudWatch embedded metric format): the request's fields,
/// one value per metric, and the `_aws` metadata naming the metrics and their dimensions.
#[derive(Debug, Serialize)]
pub struct EmfDocument<'a> {
    #[serde(rename = "_aws")]
    aws: EmfMetadata<'a>,
    level: &'static str,
    message: &'static str,
    timestamp: u64,
    #[serde(rename = "requestId")]
    request_id: Option<&'a str>,
    #[serde(rename = "apiGatewayRequestId")]
    api_gateway_request_id: Option<&'a str>,
    #[serde(rename = "coldStart")]
    cold_start: bool,
    #[serde(rename = "Operation")]
    operation: &'a str,
    method: &'a str,
    status: u16,
    error: Option<&'a str>,
    /// One root member per metric of [`METRICS`], by its name.
    #[serde(flatten)]
    metrics: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct EmfMetadata<'a> {
    timestamp: u64,
    cloud_watch_metrics: [MetricDirective<'a>; 1],
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct MetricDirective<'a> {
    namespace: &'a str,
    /// `[Operation]` and `[]`: each metric per function and for every function together.
    dimensions: [&'static [&'static str]; 2],
    metrics: Vec<MetricDefinition>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct MetricDefinition {
    name: &'static str,
    unit: &'static str,
}

impl std::fmt::Display for EmfDocument<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let line = serde_json::to_string(self).map_err(|_| std::fmt::Error)?;
        f.write_str(&line)
    }
}

impl RequestRecord {
    /// The EMF document of this request.
    pub fn to_emf<'a>(&'a self, namespace: &'a str, timestamp_ms: u64) -> EmfDocument<'a> {
        EmfDocument {
            aws: EmfMetadata {
                timestamp: timestamp_ms,
                cloud_watch_metrics: [MetricDirective {
                    namespace,
                    dimensions: [&["Operation"], &[]],
                    metrics: METRICS.iter().map(|&(name, unit, _)| MetricDefinition { name, unit }).collect(),
                }],
            },
            level: "INFO",
            message: "scim request",
            timestamp: timestamp_ms,
            request_id: self.request_id.as_deref(),
            api_gateway_request_id: self.api_request_id.as_deref(),
            cold_start: self.cold_start,
            operation: self.operation,
            method: &self.method,
            status: self.status,
            error: self.error,
            metrics: METRICS.iter().map(|(name, _, value)| (*name, value(self))).collect(),
        }
    }
}

/// The ids of the request being served. Lambda hands an execution environment one request at
/// a time, so one slot serves every log line of the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestIds {
    /// The Lambda request id.
    pub request_id: Option<String>,
    /// API Gateway's request id.
    pub api_request_id: Option<String>,
    /// The first request of this execution environment.
    pub cold_start: bool,
}

static CURRENT: std::sync::Mutex<Option<RequestIds>> = std::sync::Mutex::new(None);
static SERVED_ONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Starts a request: its ids go on every JSON log line until [`end`]. Returns them.
pub fn begin(request_id: Option<String>, api_request_id: Option<String>) -> RequestIds {
    let cold_start = !SERVED_ONE.swap(true, std::sync::atomic::Ordering::Relaxed);
    let ids = RequestIds { request_id, api_request_id, cold_start };
    if let Ok(mut slot) = CURRENT.lock() {
        *slot = Some(ids.clone());
    }
    ids
}

/// Ends the request begun by [`begin`].
pub fn end() {
    if let Ok(mut slot) = CURRENT.lock() {
        *slot = None;
    }
}

fn current() -> Option<RequestIds> {
    CURRENT.lock().ok().and_then(|slot| slot.clone())
}

/// The namespace of the metrics: `METRICS_NAMESPACE` (set by the template to
/// `DatabricksScimBridge/<stack>`), read once.
pub fn namespace() -> &'static str {
    static NAMESPACE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAMESPACE.get_or_init(|| {
        std::env::var("METRICS_NAMESPACE")
            .ok()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_NAMESPACE.into())
    })
}

/// The JSON log format: an event of [`TARGET`] is written as its bare `emf` field (the EMF
/// document); every other event as `inner` writes it, with the current request's ids added at
/// the top level.
pub struct JsonLines<F> {
    inner: F,
}

impl<F> JsonLines<F> {
    /// Wraps the JSON event format.
    pub fn new(inner: F) -> JsonLines<F> {
        JsonLines { inner }
    }
}

#[derive(Default)]
struct EmfField(Option<String>);

impl tracing::field::Visit for EmfField {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "emf" {
            self.0 = Some(value.to_string());
        }
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "emf" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl<S, N, F> tracing_subscriber::fmt::FormatEvent<S, N> for JsonLines<F>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
    F: tracing_subscriber::fmt::FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut writer: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        if event.metadata().target() == TARGET {
            let mut emf = EmfField::default();
            event.record(&mut emf);
            if let Some(line) = emf.0 {
                return writeln!(writer, "{line}");
            }
        }
        let mut formatted = String::new();
        self.inner.format_event(ctx, tracing_subscriber::fmt::format::Writer::new(&mut formatted), event)?;
        match (serde_json::from_str::<Value>(formatted.trim_end()), current()) {
            (Ok(Value::Object(mut line)), Some(ids)) => {
                line.insert("requestId".into(), json!(ids.request_id));
                line.insert("apiGatewayRequestId".into(), json!(ids.api_request_id));
                line.insert("coldStart".into(), json!(ids.cold_start));
                writeln!(writer, "{}", Value::Object(line))
            }
            _ => write!(writer, "{formatted}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(status: u16) -> RequestRecord {
        RequestRecord {
            operation: "patch-user",
            method: "PATCH".into(),
            status,
            latency_ms: 12,
            databricks_calls: 2,
            databricks_retries: 1,
            credential_failure: false,
            error: None,
            request_id: Some("lambda-1".into()),
            api_request_id: Some("apigw-1".into()),
            cold_start: true,
        }
    }

    /// The EMF document as written.
    fn emf(record: &RequestRecord, namespace: &str, timestamp_ms: u64) -> Value {
        match serde_json::to_value(record.to_emf(namespace, timestamp_ms)) {
            Ok(line) => line,
            Err(e) => panic!("the EMF document cannot be serialised: {e}"),
        }
    }

    #[test]
    fn the_line_is_an_emf_document_whose_every_metric_and_dimension_is_a_root_member() {
        let line = emf(&record(200), "DatabricksScimBridge/prod", 1_700_000_000_000);
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(line["_aws"]["Timestamp"], 1_700_000_000_000_u64);
        assert_eq!(directive["Namespace"], "DatabricksScimBridge/prod");
        assert_eq!(directive["Dimensions"], json!([["Operation"], []]));
        let names: Vec<&str> =
            directive["Metrics"].as_array().into_iter().flatten().filter_map(|m| m["Name"].as_str()).collect();
        assert_eq!(names.len(), METRICS.len());
        for name in names {
            assert!(line[name].is_u64(), "metric {name} is a number on the root: {line}");
        }
        assert_eq!(line["Operation"], "patch-user", "the dimension is a string on the root");
        assert_eq!(
            (line["requestId"].as_str(), line["apiGatewayRequestId"].as_str()),
            (Some("lambda-1"), Some("apigw-1"))
        );
        assert_eq!(line["coldStart"], true);
    }

    #[test]
    fn in_json_mode_the_request_line_is_the_bare_emf_document_and_every_other_line_carries_the_ids() {
        let buffer = super::super::tests::Captured::default();
        let writer = buffer.clone();
        let format = tracing_subscriber::fmt::format().json().flatten_event(true).with_target(false);
        let subscriber = tracing_subscriber::fmt()
            .fmt_fields(tracing_subscriber::fmt::format::JsonFields::new())
            .event_format(JsonLines::new(format))
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let ids = begin(Some("lambda-7".into()), Some("apigw-7".into()));
            tracing::info!(ignored = 1, "PATCH attributes Databricks cannot hold were ignored");
            let record =
                RequestRecord { request_id: ids.request_id, api_request_id: ids.api_request_id, ..record(201) };
            tracing::info!(target: TARGET, emf = %record.to_emf(DEFAULT_NAMESPACE, 5));
            end();
        });
        let text =
            String::from_utf8_lossy(&buffer.0.lock().expect("the log buffer (poisoned by a panic while logging)"))
                .into_owned();
        let lines: Vec<Value> = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(lines[0]["requestId"], "lambda-7", "an ordinary line gets the ids: {}", lines[0]);
        assert_eq!(lines[0]["apiGatewayRequestId"], "apigw-7");
        assert!(lines[0]["timestamp"].is_string(), "and a timestamp: {}", lines[0]);
        assert_eq!(lines[1]["_aws"]["CloudWatchMetrics"][0]["Namespace"], DEFAULT_NAMESPACE, "{}", lines[1]);
        assert_eq!((lines[1]["requestId"].as_str(), lines[1]["status"].as_u64()), (Some("lambda-7"), Some(201)));
        assert!(lines[1].get("fields").is_none() && lines[1].get("emf").is_none(), "bare, not wrapped: {}", lines[1]);
    }

    #[test]
    fn status_classes_count_once_in_their_metric() {
        let counts = |status| {
            let l = emf(&record(status), DEFAULT_NAMESPACE, 0);
            (l["Throttled"].as_u64(), l["ClientErrors"].as_u64(), l["ServerErrors"].as_u64())
        };
        assert_eq!(counts(200), (Some(0), Some(0), Some(0)));
        assert_eq!(counts(404), (Some(0), Some(1), Some(0)));
        assert_eq!(counts(429), (Some(1), Some(1), Some(0)));
        assert_eq!(counts(502), (Some(0), Some(0), Some(1)));
    }
}
