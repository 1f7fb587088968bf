//! `databricks-emulator [--host 127.0.0.1] [--port 8787] [--token T] [--seed-quirks]
//! [--throttle-per-minute N] [--throttle-burst N] [--max-concurrent N]
//! [--throttle-style 429|500] [--retry-after N] [--oauth-client ID:SECRET]… [--oauth-token-ttl SECS]
//! [--token-management-forbidden]`
//!
//! `--oauth-client` may be repeated (a later one with the same id replaces the secret); the
//! secret is everything after the first colon.
//!
//! Prints `databricks-emulator listening on http://HOST:PORT` and serves until killed.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use databricks_emulator::{
    Config, DEFAULT_OAUTH_TOKEN_TTL_SECS, DEFAULT_TOKEN, Emulator, OAuthClient, Throttle, ThrottleStyle,
};

const USAGE: &str = "usage: databricks-emulator [--host 127.0.0.1] [--port 8787] [--token T | env DATABRICKS_EMULATOR_TOKEN] [--seed-quirks] [--throttle-per-minute N] [--throttle-burst N] [--max-concurrent N] [--throttle-style 429|500] [--retry-after SECS] [--oauth-client ID:SECRET]... [--oauth-token-ttl SECS] [--token-management-forbidden]";

#[derive(Debug)]
struct Args {
    addr: SocketAddr,
    config: Config,
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value.parse().map_err(|_| format!("{flag} expects a number, got {value:?}"))
}

fn oauth_client(value: &str) -> Result<OAuthClient, String> {
    match value.split_once(':') {
        Some((id, secret)) if !id.is_empty() && !secret.is_empty() => {
            Ok(OAuthClient { client_id: id.to_owned(), client_secret: secret.to_owned() })
        }
        // Never echo the value: it holds a secret.
        _ => Err("--oauth-client expects ID:SECRET with both parts non-empty".to_owned()),
    }
}

fn parse_args(args: impl IntoIterator<Item = String>, env_token: Option<String>) -> Result<Args, String> {
    let mut host: IpAddr = IpAddr::from([127, 0, 0, 1]);
    let mut port: u16 = 8787;
    let mut token = env_token.filter(|t| !t.is_empty());
    let mut seed_quirks = false;
    let mut per_minute: Option<u32> = None;
    let mut burst: Option<u32> = None;
    let mut max_concurrent: Option<usize> = None;
    let mut style: Option<String> = None;
    let mut retry_after: u64 = 1;
    let mut oauth_clients: Vec<OAuthClient> = Vec::new();
    let mut oauth_token_ttl_secs = DEFAULT_OAUTH_TOKEN_TTL_SECS;
    let mut token_management_forbidden = false;

    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => {
                let v = value()?;
                host = if v == "localhost" {
                    IpAddr::from([127, 0, 0, 1])
                } else {
                    v.parse().map_err(|_| format!("--host expects an IP address, got {v:?}"))?
                };
            }
            "--port" => port = number("--port", &value()?)?,
            "--token" => token = Some(value()?),
            "--seed-quirks" => seed_quirks = true,
            "--throttle-per-minute" => per_minute = Some(number(&flag, &value()?)?),
            "--throttle-burst" => burst = Some(number(&flag, &value()?)?),
            "--max-concurrent" => max_concurrent = Some(number(&flag, &value()?)?),
            "--throttle-style" => style = Some(value()?),
            "--retry-after" => retry_after = number(&flag, &value()?)?,
            "--oauth-client" => oauth_clients.push(oauth_client(&value()?)?),
            "--oauth-token-ttl" => oauth_token_ttl_secs = number(&flag, &value()?)?,
            "--token-management-forbidden" => token_management_forbidden = true,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }

    let style = match style.as_deref() {
        None | Some("429") => ThrottleStyle::TooManyRequests { retry_after_secs: retry_after },
        Some("500") => ThrottleStyle::RequestLimitExceeded500,
        Some(other) => return Err(format!("--throttle-style expects 429 or 500, got {other:?}")),
    };
    let throttle = (per_minute.is_some() || burst.is_some() || max_concurrent.is_some()).then(|| {
        let per_minute = per_minute.unwrap_or(0);
        Throttle { per_minute, burst: burst.unwrap_or(per_minute), max_concurrent: max_concurrent.unwrap_or(0), style }
    });
    Ok(Args {
        addr: SocketAddr::new(host, port),
        config: Config {
            token: token.unwrap_or_else(|| DEFAULT_TOKEN.to_owned()),
            seed_quirks,
            throttle,
            oauth_clients,
            oauth_token_ttl_secs,
            token_management_forbidden,
        },
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1), std::env::var("DATABRICKS_EMULATOR_TOKEN").ok()) {
        Ok(args) => args,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "{message}");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::start_on(args.addr, args.config).await {
        Ok(emulator) => emulator,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "databricks-emulator: cannot listen on {}: {err}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "databricks-emulator listening on {}", emulator.base_url());
        let _ = out.flush();
    }
    match emulator.serve_forever().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "databricks-emulator: {err}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, String> {
        parse_args(list.iter().map(|s| (*s).to_owned()), None)
    }

    #[test]
    fn defaults_listen_on_loopback_8787_with_the_default_token() {
        let a = args(&[]).unwrap();
        assert_eq!(a.addr.to_string(), "127.0.0.1:8787");
        assert_eq!(a.config.token, DEFAULT_TOKEN);
        assert!(!a.config.seed_quirks);
        assert!(a.config.throttle.is_none());
        assert!(a.config.oauth_clients.is_empty());
        assert_eq!(a.config.oauth_token_ttl_secs, 3600);
        assert!(!a.config.token_management_forbidden);
    }

    #[test]
    fn oauth_clients_repeat_and_their_secret_is_everything_after_the_first_colon() {
        let a = args(&["--oauth-client", "sp-1:dose:a", "--oauth-client=sp-2:b=c", "--oauth-token-ttl", "60"]).unwrap();
        let pairs: Vec<(&str, &str)> =
            a.config.oauth_clients.iter().map(|c| (c.client_id.as_str(), c.client_secret.as_str())).collect();
        assert_eq!(pairs, [("sp-1", "dose:a"), ("sp-2", "b=c")]);
        assert_eq!(a.config.oauth_token_ttl_secs, 60);
        assert!(!format!("{:?}", a.config).contains("dose:a"), "Debug hides secrets");
    }

    #[test]
    fn flags_set_token_quirks_throttling_and_the_token_management_switch() {
        let a = args(&[
            "--port=0",
            "--token",
            "t",
            "--seed-quirks",
            "--throttle-per-minute",
            "255",
            "--max-concurrent",
            "4",
            "--throttle-style",
            "500",
            "--token-management-forbidden",
        ])
        .unwrap();
        assert_eq!(a.addr.port(), 0);
        assert_eq!(a.config.token, "t");
        assert!(a.config.seed_quirks);
        assert!(a.config.token_management_forbidden);
        let t = a.config.throttle.unwrap();
        assert_eq!((t.per_minute, t.burst, t.max_concurrent), (255, 255, 4));
        assert!(matches!(t.style, ThrottleStyle::RequestLimitExceeded500));
    }

    #[test]
    fn the_environment_token_applies_unless_a_flag_overrides_it() {
        let a = parse_args(Vec::<String>::new(), Some("env-tok".into())).unwrap();
        assert_eq!(a.config.token, "env-tok");
        let a = parse_args(vec!["--token".into(), "flag".into()], Some("env-tok".into())).unwrap();
        assert_eq!(a.config.token, "flag");
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert!(args(&["--port", "x"]).is_err());
        assert!(args(&["--throttle-style", "503"]).is_err());
        assert!(args(&["--bogus"]).is_err());
        assert!(args(&["--oauth-client", "no-secret"]).is_err());
        assert!(args(&["--oauth-client", ":secret"]).is_err());
        let err = args(&["--oauth-client", "id:"]).unwrap_err();
        assert!(!err.contains("id:"), "{err}");
        assert!(args(&["--oauth-token-ttl", "-1"]).is_err());
    }
}
