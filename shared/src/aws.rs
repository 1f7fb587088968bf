//! AWS Secrets Manager: the one module that talks to AWS. Values are returned to the
//! caller and never logged; errors name the secret and the reason only.
//!
//! Cold start and size (BENCHMARKS.md): the Secrets Manager client is built from the variables
//! Lambda sets (region and the function role's keys), not by the SDK's whole default
//! configuration chain, and not at init but by the first read; it sends its calls through the
//! function's one reqwest client (one TLS stack and one load of the trust store per instance,
//! [`ReqwestConnector`]); and the first read also starts reading the other secrets the instance's
//! first request needs ([`SecretStore::read_together`]), so that request waits for one Secrets
//! Manager round trip, not one per secret.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::config::http::{HttpRequest, HttpResponse};
use aws_sdk_secretsmanager::error::SdkError;
use aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueError;
use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorFuture, SharedHttpConnector, http_client_fn};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::body::SdkBody;
use tokio::sync::OnceCell;
use tokio::task::JoinHandle;

/// Why a secret could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// No such secret (or no current version).
    #[error("the secret does not exist")]
    NotFound,
    /// The function's role may not read it, or KMS refused to decrypt it.
    #[error("the function is not allowed to read the secret ({0})")]
    AccessDenied(String),
    /// The secret holds binary data or nothing.
    #[error("the secret has no string value")]
    NoString,
    /// Secrets Manager could not be reached or failed.
    #[error("Secrets Manager failed: {0}")]
    Service(String),
}

/// How long a value read ahead ([`SecretStore::read_together`]) may wait for its reader; an older
/// one is dropped and the secret read again, so a read-ahead never serves a value older than
/// this (when the first request is refused before it needs the other secret, say).
pub const READ_AHEAD_FRESH: Duration = Duration::from_secs(5);

/// Reads secrets. Clones share the client and the read-ahead.
#[derive(Clone)]
pub struct SecretStore {
    inner: Arc<Inner>,
}

struct Inner {
    client: OnceCell<Client>,
    /// How the client is built when it is not given.
    source: ClientSource,
    /// The secrets read together by the instance's first read.
    together: Mutex<Vec<String>>,
    /// Whether the first read happened (reading ahead happens once per instance).
    started: AtomicBool,
    /// Reads started ahead, by secret id, each taken by the first read of its secret.
    ahead: Mutex<HashMap<String, (Instant, Pending)>>,
}

/// Why a secret cannot be read outside Lambda without the variables Lambda sets.
const NOT_ON_LAMBDA: &str =
    "no AWS region and keys in the environment (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)";

/// A read started ahead.
type Pending = JoinHandle<Result<String, SecretError>>;

enum ClientSource {
    /// Given (tests: an SDK configuration aimed at moto).
    Given,
    /// On Lambda: the region, the role's keys and an endpoint override from the environment.
    Lambda(LambdaEnv),
    /// Not on Lambda: no region or no keys in the environment.
    Missing,
}

struct LambdaEnv {
    region: String,
    credentials: aws_sdk_secretsmanager::config::Credentials,
    endpoint_url: Option<String>,
    http: reqwest::Client,
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match self.inner.source {
            ClientSource::Given => "given",
            ClientSource::Lambda(_) => "lambda environment",
            ClientSource::Missing => "no AWS region or keys in the environment",
        };
        f.debug_struct("SecretStore").field("client", &source).finish_non_exhaustive()
    }
}

impl SecretStore {
    /// A store over an SDK configuration (aimed at moto in tests).
    pub fn new(config: &aws_config::SdkConfig) -> SecretStore {
        Self::with_source(OnceCell::new_with(Some(Client::new(config))), ClientSource::Given)
    }

    /// A store whose client is built on the first read from the variables Lambda sets
    /// (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, and
    /// `AWS_ENDPOINT_URL_SECRETS_MANAGER` / `AWS_ENDPOINT_URL` as the SDK reads them), its calls
    /// sent over `http`. Without a region and keys (not on Lambda) every read fails with a
    /// [`SecretError::Service`] naming the variables: the SDK's whole default chain (profiles,
    /// SSO, STS, IMDS) is not in the functions, a megabyte of each binary.
    pub fn from_env(http: reqwest::Client) -> SecretStore {
        Self::from_lookup(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()), http)
    }

    fn from_lookup(get: impl Fn(&str) -> Option<String>, http: reqwest::Client) -> SecretStore {
        use aws_sdk_secretsmanager::config::Credentials;
        let region = get("AWS_REGION").or_else(|| get("AWS_DEFAULT_REGION"));
        let keys = get("AWS_ACCESS_KEY_ID").zip(get("AWS_SECRET_ACCESS_KEY"));
        let source = match (region, keys) {
            (Some(region), Some((key, secret))) => {
                let ignore = get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_some_and(|v| v.eq_ignore_ascii_case("true"));
                let endpoint_url = if ignore {
                    None
                } else {
                    get("AWS_ENDPOINT_URL_SECRETS_MANAGER").or_else(|| get("AWS_ENDPOINT_URL"))
                };
                let credentials = Credentials::new(key, secret, get("AWS_SESSION_TOKEN"), None, "Environment");
                ClientSource::Lambda(LambdaEnv { region, credentials, endpoint_url, http })
            }
            _ => ClientSource::Missing,
        };
        Self::with_source(OnceCell::new(), source)
    }

    fn with_source(client: OnceCell<Client>, source: ClientSource) -> SecretStore {
        SecretStore {
            inner: Arc::new(Inner {
                client,
                source,
                together: Mutex::new(Vec::new()),
                started: AtomicBool::new(false),
                ahead: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Declares the secrets the instance's first request reads (the Databricks credential and
    /// the inbound tokens): the first read of one of them starts reading the others too,
    /// concurrently, and each value is taken by the first read of its secret within
    /// [`READ_AHEAD_FRESH`]. A read-ahead that failed or is older is read again, so callers get
    /// what a read of their own would have given them; later reads are not affected.
    pub fn read_together(&self, secret_ids: impl IntoIterator<Item = String>) {
        if let Ok(mut together) = self.inner.together.lock() {
            together.extend(secret_ids);
            together.sort();
            together.dedup();
        }
    }

    /// The current string value of a secret.
    pub async fn read(&self, secret_id: &str) -> Result<String, SecretError> {
        if let Some(ahead) = self.take_ahead(secret_id)
            && let Ok(Ok(value)) = ahead.await
        {
            return Ok(value);
        }
        self.start_reading_ahead(secret_id);
        self.read_now(secret_id).await
    }

    /// On the instance's first read, starts reading the other declared secrets.
    fn start_reading_ahead(&self, secret_id: &str) {
        if self.inner.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let others: Vec<String> = match self.inner.together.lock() {
            Ok(together) if together.iter().any(|id| id == secret_id) => {
                together.iter().filter(|id| *id != secret_id).cloned().collect()
            }
            _ => return,
        };
        let Ok(mut ahead) = self.inner.ahead.lock() else { return };
        for id in others {
            let store = self.clone();
            let read_id = id.clone();
            ahead.insert(id, (Instant::now(), tokio::spawn(async move { store.read_now(&read_id).await })));
        }
    }

    fn take_ahead(&self, secret_id: &str) -> Option<Pending> {
        let (started, read) = self.inner.ahead.lock().ok()?.remove(secret_id)?;
        if started.elapsed() <= READ_AHEAD_FRESH {
            Some(read)
        } else {
            read.abort();
            None
        }
    }

    async fn read_now(&self, secret_id: &str) -> Result<String, SecretError> {
        if matches!(self.inner.source, ClientSource::Missing) {
            return Err(SecretError::Service(NOT_ON_LAMBDA.into()));
        }
        let client = self.client().await;
        let output = client.get_secret_value().secret_id(secret_id).send().await.map_err(classify)?;
        output.secret_string().map(str::to_string).ok_or(SecretError::NoString)
    }

    async fn client(&self) -> &Client {
        self.inner
            .client
            .get_or_init(|| async {
                match &self.inner.source {
                    ClientSource::Lambda(env) => lambda_client(env),
                    // Given: set at construction; Missing: never read (read_now refuses first).
                    ClientSource::Given | ClientSource::Missing => Client::from_conf(
                        aws_sdk_secretsmanager::Config::builder()
                            .behavior_version(aws_config::BehaviorVersion::latest())
                            .build(),
                    ),
                }
            })
            .await
    }
}

/// The client Lambda needs: region and credentials from the environment (the function role's
/// keys, which Lambda sets for the life of the instance), calls over the function's reqwest
/// client, the SDK's defaults for the rest (retries, timeouts).
fn lambda_client(env: &LambdaEnv) -> Client {
    let connector = SharedHttpConnector::new(ReqwestConnector(env.http.clone()));
    let mut config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(env.region.clone()))
        .credentials_provider(env.credentials.clone())
        .http_client(http_client_fn(move |_, _| connector.clone()));
    if let Some(url) = &env.endpoint_url {
        config = config.endpoint_url(url);
    }
    Client::from_conf(config.build())
}

/// Sends the SDK's requests with reqwest. Connection failures and timeouts are reported as the
/// SDK's own client reports them (I/O and timeout errors, which its retry policy retries).
#[derive(Debug)]
struct ReqwestConnector(reqwest::Client);

impl HttpConnector for ReqwestConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let http = self.0.clone();
        HttpConnectorFuture::new(async move {
            let request = request.try_into_http1x().map_err(|e| ConnectorError::other(e.into(), None))?;
            let (parts, body) = request.into_parts();
            let body = body.bytes().map(<[u8]>::to_vec).unwrap_or_default();
            let request = reqwest::Request::try_from(http::Request::from_parts(parts, body))
                .map_err(|e| ConnectorError::other(e.into(), None))?;
            let failed = |e: reqwest::Error| {
                if e.is_timeout() {
                    ConnectorError::timeout(e.into())
                } else if e.is_connect() || e.is_request() || e.is_body() {
                    ConnectorError::io(e.into())
                } else {
                    ConnectorError::other(e.into(), None)
                }
            };
            let response = http.execute(request).await.map_err(failed)?;
            let mut answer = http::Response::builder().status(response.status());
            if let Some(headers) = answer.headers_mut() {
                headers.extend(response.headers().iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            let body = response.bytes().await.map_err(failed)?;
            let answer = answer.body(SdkBody::from(body)).map_err(|e| ConnectorError::other(e.into(), None))?;
            HttpResponse::try_from(answer).map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

fn classify(err: SdkError<GetSecretValueError>) -> SecretError {
    match &err {
        SdkError::ServiceError(service) => match service.err() {
            GetSecretValueError::ResourceNotFoundException(_) => SecretError::NotFound,
            GetSecretValueError::DecryptionFailure(_) => SecretError::AccessDenied("KMS could not decrypt it".into()),
            other => {
                use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
                let code = other.code().unwrap_or("unknown error").to_string();
                if code.contains("AccessDenied") { SecretError::AccessDenied(code) } else { SecretError::Service(code) }
            }
        },
        SdkError::TimeoutError(_) => SecretError::Service("timed out".into()),
        SdkError::DispatchFailure(_) => SecretError::Service("could not connect".into()),
        _ => SecretError::Service("unexpected response".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};

    /// A Secrets Manager stand-in on loopback (GetSecretValue only, JSON protocol): the values it
    /// holds, and the secret id of every call in order.
    struct FakeSecretsManager {
        url: String,
        values: Arc<Mutex<HashMap<String, String>>>,
        calls: Arc<Mutex<Vec<String>>>,
    }

    impl FakeSecretsManager {
        fn start() -> FakeSecretsManager {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
            let url = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
            let values: Arc<Mutex<HashMap<String, String>>> = Arc::default();
            let calls: Arc<Mutex<Vec<String>>> = Arc::default();
            let (v, c) = (values.clone(), calls.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let (v, c) = (v.clone(), c.clone());
                    std::thread::spawn(move || serve(stream, &v, &c));
                }
            });
            FakeSecretsManager { url, values, calls }
        }

        fn set(&self, id: &str, value: &str) {
            self.values.lock().unwrap_or_else(|e| e.into_inner()).insert(id.into(), value.into());
        }

        fn calls(&self) -> Vec<String> {
            self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
        }

        fn store(&self) -> SecretStore {
            let url = self.url.clone();
            SecretStore::from_lookup(
                |k| match k {
                    "AWS_REGION" => Some("us-east-1".into()),
                    "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" => Some("testing".into()),
                    "AWS_ENDPOINT_URL" => Some(url.clone()),
                    _ => None,
                },
                reqwest::Client::new(),
            )
        }
    }

    fn serve(stream: std::net::TcpStream, values: &Mutex<HashMap<String, String>>, calls: &Mutex<Vec<String>>) {
        let mut writer = match stream.try_clone() {
            Ok(w) => w,
            Err(_) => return,
        };
        let mut reader = BufReader::new(stream);
        loop {
            let mut length = 0usize;
            let mut line = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
            let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let id = request["SecretId"].as_str().unwrap_or_default().to_string();
            calls.lock().unwrap_or_else(|e| e.into_inner()).push(id.clone());
            let value = values.lock().unwrap_or_else(|e| e.into_inner()).get(&id).cloned();
            let (status, answer) = match value {
                Some(v) => ("200 OK", serde_json::json!({"ARN": id, "Name": id, "SecretString": v, "VersionId": "v1"})),
                None => (
                    "400 Bad Request",
                    serde_json::json!({"__type": "ResourceNotFoundException", "message": "not found"}),
                ),
            };
            let answer = answer.to_string();
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\r\n",
                answer.len()
            );
            if writer.write_all(format!("{head}{answer}").as_bytes()).is_err() {
                return;
            }
        }
    }

    async fn settle() {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_first_read_also_reads_the_other_secret_and_later_reads_go_to_secrets_manager() {
        let sm = FakeSecretsManager::start();
        sm.set("inbound", "tok-1");
        sm.set("databricks", "dapi-1");
        let store = sm.store();
        store.read_together(["databricks".to_string(), "inbound".to_string()]);

        assert_eq!(store.read("inbound").await, Ok("tok-1".into()));
        settle().await;
        let mut first = sm.calls();
        first.sort();
        assert_eq!(first, ["databricks", "inbound"], "both secrets read by the first read");

        sm.set("databricks", "dapi-2");
        assert_eq!(store.read("databricks").await, Ok("dapi-1".into()), "the value read ahead, no new call");
        assert_eq!(sm.calls().len(), 2);
        assert_eq!(store.read("databricks").await, Ok("dapi-2".into()), "a later read (a rotation) is a call");
        assert_eq!(store.read("inbound").await, Ok("tok-1".into()));
        assert_eq!(sm.calls().len(), 4);
    }

    #[tokio::test]
    async fn without_the_variables_lambda_sets_a_read_fails_and_names_them() {
        let store = SecretStore::from_lookup(|_| None, reqwest::Client::new());
        let err = store.read("databricks").await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("AWS_REGION") && err.contains("AWS_ACCESS_KEY_ID"), "{err}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_read_ahead_is_read_again_and_undeclared_secrets_are_read_alone() {
        let sm = FakeSecretsManager::start();
        sm.set("inbound", "tok-1");
        let store = sm.store();
        store.read_together(["databricks".to_string(), "inbound".to_string()]);
        assert_eq!(store.read("inbound").await, Ok("tok-1".into()));
        settle().await;
        sm.set("databricks", "dapi-1");
        assert_eq!(store.read("databricks").await, Ok("dapi-1".into()), "the failed read-ahead is not served");
        assert_eq!(sm.calls().iter().filter(|id| *id == "databricks").count(), 2);

        let alone = sm.store();
        assert_eq!(alone.read("inbound").await, Ok("tok-1".into()));
        assert_eq!(alone.read("databricks").await, Ok("dapi-1".into()));
        assert_eq!(sm.calls().len(), 5, "no secret declared, no read ahead");
        assert_eq!(alone.read("missing").await, Err(SecretError::NotFound));
    }
}
