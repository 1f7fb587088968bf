//! moto's Secrets Manager server (PyPI `moto[server]`) on loopback, started once per test
//! process and stopped when the process ends (a watchdog shell kills it).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_secretsmanager::config::Credentials;

/// A running moto server.
#[derive(Debug)]
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The watchdog shell that owns moto_server and ends it when this process ends.
    _watchdog: std::process::Child,
}

fn moto_server_binary() -> PathBuf {
    if let Ok(path) = std::env::var("MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/moto_server");
    if venv.exists() { venv } else { PathBuf::from("moto_server") }
}

/// The shared moto server, started on first use.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let binary = moto_server_binary();
        let script = format!(
            "{} -H 127.0.0.1 -p {port} >/dev/null 2>&1 & m=$!; trap 'kill $m 2>/dev/null' EXIT; \
             while kill -0 {parent} 2>/dev/null && kill -0 $m 2>/dev/null; do sleep 0.5; done",
            binary.display(),
            parent = std::process::id()
        );
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sh starts moto_server (pip install 'moto[server]'; scripts/test-all.sh does it)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "moto_server did not start on port {port}: is `moto[server]` installed in .venv? ({})",
                binary.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto { url: format!("http://127.0.0.1:{port}"), _watchdog: watchdog }
    })
}

/// An AWS SDK configuration aimed at moto, with dummy credentials (never the instance metadata service).
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(&moto().url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .load()
        .await
}

/// Creates a secret (or puts a new value into an existing one) and returns its ARN.
pub async fn put_secret(config: &SdkConfig, name: &str, value: &str) -> String {
    let client = aws_sdk_secretsmanager::Client::new(config);
    match client.create_secret().name(name).secret_string(value).send().await {
        Ok(out) => out.arn().expect("an ARN").to_string(),
        Err(_) => {
            let out =
                client.put_secret_value().secret_id(name).secret_string(value).send().await.expect("put_secret_value");
            out.arn().expect("an ARN").to_string()
        }
    }
}
