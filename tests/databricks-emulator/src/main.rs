//! `databricks-emulator [--host 127.0.0.1] [--port 8787] [--token T] [--seed-quirks]
//! [--throttle-per-minute N] [--throttle-burst N] [--max-concurrent N]
//! [--throttle-style 429|500|error-code] [--throttle-status N] [--retry-after none|SECS]
//! [--oauth-client ID:SECRET]… [--oauth-token-ttl SECS] [--token-management-forbidden]
//! [--write-answers empty|no-content|resource] [--create-status 200|201] [--cloud aws|azure|gcp]
//! [--lenient-removal] [--value-filter-or] [--flaky-reads N] [--sp-rename-ignored[=false]] [--sp-rename-add-ignored]
//! [--account-group-refusal 400|500] [--target workspace|account] [--account-id ID]`
//!
//! `--oauth-client` may be repeated (a later one with the same id replaces the secret); the
//! secret is everything after the first colon.
//!
//! Throttling (on when a limit is given): `--throttle-style 429` (default) answers `429` with
//! `Retry-After: SECS` (`--retry-after`, default 1; `none` sends no header); `500` answers the
//! legacy SCIM `500 REQUEST_LIMIT_EXCEEDED`; `error-code` answers `--throttle-status` (400–599,
//! default 400) with `{"error_code": "REQUEST_LIMIT_EXCEEDED", …}` and no `Retry-After`.
//!
//! Behaviour switches (defaults are the strictest variant; all can be changed at runtime
//! through `POST /_emulator/behaviour`, see the library documentation):
//!
//! * `--write-answers` — a successful PUT/PATCH answers `200 {}` (`empty`, default), `204`
//!   (`no-content`) or `200` + the resource (`resource`);
//! * `--create-status` — a successful POST answers `200` (default) or `201`;
//! * `--cloud` — `aws` (default) and `gcp` refuse a service principal's `applicationId` on
//!   POST, PUT and PATCH; `azure` accepts it on POST and ignores it on PUT/PATCH;
//! * `--lenient-removal` — a PATCH `remove` of an absent attribute or of a value filter that
//!   matches nothing succeeds silently instead of answering `400 invalidPath` / `noTarget`;
//! * `--value-filter-or` — PATCH value filters may use `or` (default: `400 InvalidFilter`);
//! * `--flaky-reads N` — every Nth SCIM `GET` answers `500 TEMPORARILY_UNAVAILABLE` (0: off);
//! * `--sp-rename-ignored` — PATCH `replace` of a service principal's `displayName` succeeds
//!   and changes nothing;
//! * `--account-group-refusal` — PATCH/PUT on an account group answers `400` (default) or `500`.
//!
//! Target (fixed at startup):
//!
//! * `--target workspace` (default) — the workspace SCIM API alone; `--target account` adds the
//!   account SCIM API (`/api/2.0/accounts/{account_id}/scim/v2/…`) and the workspace
//!   permission-assignment API (`/api/2.0/accounts/{account_id}/workspaces/{workspace_id}/
//!   permissionassignments…`) over the same principals (see the library documentation);
//! * `--account-id ID` (account target only) — the one account id those routes answer for; any
//!   other answers `404 RESOURCE_DOES_NOT_EXIST`. Without it any account id is accepted.
//!
//! Prints `databricks-emulator listening on http://HOST:PORT` and serves until killed.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use databricks_emulator::{Config, DEFAULT_TOKEN, Emulator, OAuthClient, Throttle, ThrottleStyle};

const USAGE: &str = "usage: databricks-emulator [--host 127.0.0.1] [--port 8787] [--token T | env DATABRICKS_EMULATOR_TOKEN] [--seed-quirks] [--throttle-per-minute N] [--throttle-burst N] [--max-concurrent N] [--throttle-style 429|500|error-code] [--throttle-status N] [--retry-after none|SECS] [--oauth-client ID:SECRET]... [--oauth-token-ttl SECS] [--token-management-forbidden] [--write-answers empty|no-content|resource] [--create-status 200|201] [--cloud aws|azure|gcp] [--lenient-removal] [--value-filter-or] [--flaky-reads N] [--sp-rename-ignored] [--account-group-refusal 400|500] [--target workspace|account] [--account-id ID]";

#[derive(Debug)]
struct Args {
    addr: SocketAddr,
    config: Config,
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value.parse().map_err(|_| format!("{flag} expects a number, got {value:?}"))
}

/// A `FromStr` value (`--cloud`, `--write-answers`, `--target`), the flag named in the error.
fn choice<T: std::str::FromStr<Err = String>>(flag: &str, value: &str) -> Result<T, String> {
    value.parse().map_err(|e| format!("{flag}: {e}"))
}

/// A switch flag (`--seed-quirks`): it takes no `=value`.
fn switch(flag: &str, inline: Option<&String>) -> Result<bool, String> {
    match inline {
        None => Ok(true),
        Some(v) => Err(format!("{flag} takes no value, got {v:?}")),
    }
}

/// A switch that is on by default: `--flag` or `--flag=true` turns it on, `--flag=false` off.
fn on_off(flag: &str, inline: Option<&String>) -> Result<bool, String> {
    match inline.map(String::as_str) {
        None | Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(v) => Err(format!("{flag} takes =true or =false, got {v:?}")),
    }
}

/// `--retry-after none|SECS`.
fn retry_after(value: &str) -> Result<Option<u64>, String> {
    if value == "none" { Ok(None) } else { number("--retry-after", value).map(Some) }
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

/// The throttling flags, gathered while parsing.
#[derive(Default)]
struct ThrottleFlags {
    per_minute: Option<u32>,
    burst: Option<u32>,
    max_concurrent: Option<usize>,
    style: Option<String>,
    status: Option<u16>,
    retry_after: Option<Option<u64>>,
}

impl ThrottleFlags {
    /// `None` unless a limit was given.
    fn build(self) -> Result<Option<Throttle>, String> {
        let style = match self.style.as_deref() {
            None | Some("429") => {
                ThrottleStyle::TooManyRequests { retry_after_secs: self.retry_after.unwrap_or(Some(1)) }
            }
            Some("500") => ThrottleStyle::RequestLimitExceeded500,
            Some("error-code") => ThrottleStyle::ErrorCode { status: self.status.unwrap_or(400) },
            Some(other) => return Err(format!("--throttle-style expects 429, 500 or error-code, got {other:?}")),
        };
        if self.status.is_some() && !matches!(style, ThrottleStyle::ErrorCode { .. }) {
            return Err("--throttle-status applies to --throttle-style error-code only".to_owned());
        }
        if self.per_minute.is_none() && self.burst.is_none() && self.max_concurrent.is_none() {
            return Ok(None);
        }
        let per_minute = self.per_minute.unwrap_or(0);
        Ok(Some(Throttle {
            per_minute,
            burst: self.burst.unwrap_or(per_minute),
            max_concurrent: self.max_concurrent.unwrap_or(0),
            style,
        }))
    }
}

fn parse_args(args: impl IntoIterator<Item = String>, env_token: Option<String>) -> Result<Args, String> {
    let mut host: IpAddr = IpAddr::from([127, 0, 0, 1]);
    let mut port: u16 = 8787;
    let mut token = env_token.filter(|t| !t.is_empty());
    let mut throttle = ThrottleFlags::default();
    let mut config = Config::default();

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
            "--seed-quirks" => config.seed_quirks = switch(&flag, inline.as_ref())?,
            "--throttle-per-minute" => throttle.per_minute = Some(number(&flag, &value()?)?),
            "--throttle-burst" => throttle.burst = Some(number(&flag, &value()?)?),
            "--max-concurrent" => throttle.max_concurrent = Some(number(&flag, &value()?)?),
            "--throttle-style" => throttle.style = Some(value()?),
            "--throttle-status" => throttle.status = Some(number(&flag, &value()?)?),
            "--retry-after" => throttle.retry_after = Some(retry_after(&value()?)?),
            "--oauth-client" => config.oauth_clients.push(oauth_client(&value()?)?),
            "--oauth-token-ttl" => config.oauth_token_ttl_secs = number(&flag, &value()?)?,
            "--token-management-forbidden" => config.token_management_forbidden = switch(&flag, inline.as_ref())?,
            "--write-answers" => config.write_answers = choice(&flag, &value()?)?,
            "--create-status" => config.create_status = number(&flag, &value()?)?,
            "--cloud" => config.cloud = choice(&flag, &value()?)?,
            "--lenient-removal" => config.lenient_removal = switch(&flag, inline.as_ref())?,
            "--value-filter-or" => config.value_filter_or = switch(&flag, inline.as_ref())?,
            "--flaky-reads" => config.flaky_reads = number(&flag, &value()?)?,
            "--sp-rename-ignored" => config.sp_rename_ignored = on_off(&flag, inline.as_ref())?,
            "--sp-rename-add-ignored" => config.sp_rename_add_ignored = switch(&flag, inline.as_ref())?,
            "--account-group-refusal" => config.account_group_refusal = number(&flag, &value()?)?,
            "--target" => config.target = choice(&flag, &value()?)?,
            "--account-id" => config.account_id = Some(value()?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }

    config.token = token.unwrap_or_else(|| DEFAULT_TOKEN.to_owned());
    config.throttle = throttle.build()?;
    config.validate()?;
    Ok(Args { addr: SocketAddr::new(host, port), config })
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
    use databricks_emulator::{Cloud, Target, WriteAnswers};

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
    fn without_behaviour_flags_every_switch_is_at_its_strict_default() {
        let c = args(&[]).unwrap().config;
        assert_eq!(c.write_answers, WriteAnswers::Empty);
        assert_eq!(c.create_status, 200);
        assert_eq!(c.cloud, Cloud::Aws);
        assert!(!c.lenient_removal && !c.value_filter_or && !c.sp_rename_add_ignored);
        assert!(c.sp_rename_ignored, "the 2025 observation is the default");
        assert_eq!(c.flaky_reads, 0);
        assert_eq!(c.account_group_refusal, 400);
    }

    #[test]
    fn behaviour_flags_set_every_switch() {
        let c = args(&[
            "--write-answers",
            "no-content",
            "--create-status=201",
            "--cloud",
            "azure",
            "--lenient-removal",
            "--value-filter-or",
            "--flaky-reads",
            "3",
            "--sp-rename-ignored=false",
            "--sp-rename-add-ignored",
            "--account-group-refusal",
            "500",
        ])
        .unwrap()
        .config;
        assert_eq!(c.write_answers, WriteAnswers::NoContent);
        assert_eq!(c.create_status, 201);
        assert_eq!(c.cloud, Cloud::Azure);
        assert!(c.lenient_removal && c.value_filter_or && !c.sp_rename_ignored && c.sp_rename_add_ignored);
        assert_eq!(c.flaky_reads, 3);
        assert_eq!(c.account_group_refusal, 500);
        assert_eq!(args(&["--write-answers", "resource", "--cloud=gcp"]).unwrap().config.cloud, Cloud::Gcp);
    }

    #[test]
    fn behaviour_flags_with_values_outside_their_choices_are_refused() {
        for bad in [
            &["--write-answers", "full"][..],
            &["--create-status", "204"],
            &["--cloud", "AWS"],
            &["--flaky-reads", "-1"],
            &["--account-group-refusal", "403"],
            &["--lenient-removal=yes"],
            &["--seed-quirks=false"],
        ] {
            assert!(args(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn without_target_flags_the_emulator_is_a_workspace_that_takes_any_account_id() {
        let c = args(&[]).unwrap().config;
        assert_eq!(c.target, Target::Workspace);
        assert_eq!(c.account_id, None);
    }

    #[test]
    fn target_flags_pick_the_account_and_its_id() {
        let c = args(&["--target", "account", "--account-id", "acc-1"]).unwrap().config;
        assert_eq!((c.target, c.account_id.as_deref()), (Target::Account, Some("acc-1")));
        let c = args(&["--target=account"]).unwrap().config;
        assert_eq!((c.target, c.account_id), (Target::Account, None));
        assert_eq!(args(&["--target", "workspace"]).unwrap().config.target, Target::Workspace);
    }

    #[test]
    fn target_flags_outside_their_choices_or_without_the_account_target_are_refused() {
        for bad in [
            &["--target", "Account"][..],
            &["--target", "accounts"],
            &["--target"],
            &["--account-id", "acc-1"],
            &["--target", "workspace", "--account-id", "acc-1"],
            &["--target", "account", "--account-id", ""],
            &["--target", "account", "--account-id", "a/b"],
        ] {
            assert!(args(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn throttle_styles_cover_retry_after_none_and_the_error_code_status() {
        let style = |list: &[&str]| args(list).unwrap().config.throttle.unwrap().style;
        assert_eq!(style(&["--throttle-burst", "1"]), ThrottleStyle::TooManyRequests { retry_after_secs: Some(1) });
        assert_eq!(
            style(&["--throttle-burst", "1", "--retry-after", "none"]),
            ThrottleStyle::TooManyRequests { retry_after_secs: None }
        );
        assert_eq!(
            style(&["--throttle-burst", "1", "--retry-after=7"]),
            ThrottleStyle::TooManyRequests { retry_after_secs: Some(7) }
        );
        assert_eq!(
            style(&["--throttle-burst", "1", "--throttle-style", "error-code"]),
            ThrottleStyle::ErrorCode { status: 400 }
        );
        assert_eq!(
            style(&["--throttle-burst", "1", "--throttle-style", "error-code", "--throttle-status", "503"]),
            ThrottleStyle::ErrorCode { status: 503 }
        );
        assert!(
            args(&["--throttle-burst", "1", "--throttle-style", "error-code", "--throttle-status", "200"]).is_err()
        );
        assert!(args(&["--throttle-burst", "1", "--throttle-status", "503"]).is_err(), "status needs error-code");
        assert!(args(&["--retry-after", "never"]).is_err());
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
        assert_eq!(t.style, ThrottleStyle::RequestLimitExceeded500);
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
