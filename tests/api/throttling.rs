//! template.yaml's throttling against Databricks' limits. API Gateway throttles a REST API
//! stage per method ("Per-API, per-stage throttling limits are applied at the API method level
//! for a stage", AWS, "Throttle requests to your REST APIs"): every route/method of the template
//! is a token bucket of its own and there is no bucket for the whole API. The worst case is
//! therefore every bucket drained at once, and its Databricks load is the sum over all methods of
//! the method's rate times the Databricks calls one of its requests makes. This test reads the
//! template's `MethodSettings`, parameter defaults and routes, computes that sum, holds it to the
//! limits docs/databricks-behaviour.md records (rows 31–34) and checks that the README states the
//! same figures.

use serde_json::json;
use tests::Operation;
use tests::{Call, Mode, Shape, TestStack};

/// Databricks workspace SCIM `GET` requests per minute (docs/databricks-behaviour.md row 34:
/// "workspace SCIM GET 255", second hand and without a unit; read as per minute, the stricter
/// reading).
const DATABRICKS_READS_PER_MINUTE: f64 = 255.0;
/// Concurrent SCIM requests per workspace (rows 31, 34: "exceeded the concurrent limit of 4
/// requests", observed).
const DATABRICKS_CONCURRENT_REQUESTS: f64 = 4.0;
/// The design assumption that turns that cap into a rate: a Databricks SCIM call takes at most
/// a second, so 4 in flight are at most 240 calls a minute (Little's law). Writes have no
/// published workspace figure ("far lower" than reads); they count against this total.
const SECONDS_PER_DATABRICKS_CALL: f64 = 1.0;
const DATABRICKS_CALLS_PER_MINUTE: f64 = DATABRICKS_CONCURRENT_REQUESTS * 60.0 / SECONDS_PER_DATABRICKS_CALL;

/// The methods an `ANY` route stands for, each perhaps a bucket of its own (the documentation
/// does not say), so the request totals below count all of them.
const ANY_METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Databricks calls of one request, `(reads, writes)`, by route, when Databricks answers every
/// call: the most of any case and answer shape in the README's "Databricks calls per operation"
/// table (checked against it below). Rarer paths cost more — an absent-member remove re-read and
/// resent (+2), an inactive user's userName reactivated (+3), a service-principal rename read
/// twice more (+2), a create whose outcome is unknown looked up — and retries follow only
/// Databricks' own throttling, with backoff; none of these is in the sum.
const CALLS: &[(&str, &str, u32, u32)] = &[
    ("GET", "/scim/v2/Users", 1, 0),
    ("POST", "/scim/v2/Users/.search", 1, 0),
    ("GET", "/scim/v2/Users/{id}", 1, 0),
    ("POST", "/scim/v2/Users", 0, 2), // POST, and PATCH for active:false
    ("PUT", "/scim/v2/Users/{id}", 2, 1),
    ("PATCH", "/scim/v2/Users/{id}", 1, 1),
    ("DELETE", "/scim/v2/Users/{id}", 0, 1),
    ("GET", "/scim/v2/Groups", 1, 0),
    ("POST", "/scim/v2/Groups/.search", 1, 0),
    ("GET", "/scim/v2/Groups/{id}", 1, 0),
    ("POST", "/scim/v2/Groups", 0, 1),
    ("PUT", "/scim/v2/Groups/{id}", 2, 1),
    ("PATCH", "/scim/v2/Groups/{id}", 1, 1),
    ("DELETE", "/scim/v2/Groups/{id}", 0, 1),
    ("GET", "/scim/v2/ServicePrincipals", 1, 0),
    ("POST", "/scim/v2/ServicePrincipals/.search", 1, 0),
    ("GET", "/scim/v2/ServicePrincipals/{id}", 1, 0),
    ("POST", "/scim/v2/ServicePrincipals", 0, 2),
    ("PUT", "/scim/v2/ServicePrincipals/{id}", 2, 1),
    ("PATCH", "/scim/v2/ServicePrincipals/{id}", 1, 1),
    ("DELETE", "/scim/v2/ServicePrincipals/{id}", 0, 1),
    ("GET", "/admin/partners", 1, 0),
    ("DELETE", "/admin/partners/{partner}", 2, 1), // service principals, tokens, DELETE
    ("ANY", "/scim/v2/{proxy+}", 3, 0),            // POST /.search: one page of each resource type
    ("POST", "/oauth/token", 0, 0),
];

fn template() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).expect("template.yaml")
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README.md")
}

/// The text between `start` (a line of its own) and the next line indented less than
/// `indent` spaces (comments and blank lines do not end it).
fn block<'a>(text: &'a str, start: &str, indent: usize) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("template.yaml has no {start:?}")) + start.len();
    let rest = &text[from..];
    let mut end = 0;
    for line in rest.split_inclusive('\n') {
        let code = line.trim_start();
        let depth = line.len() - code.len();
        if !code.is_empty() && !code.starts_with('#') && depth < indent {
            break;
        }
        end += line.len();
    }
    &rest[..end]
}

/// The value of `key:` in a YAML line or flow mapping (`{ ResourcePath: '/x', HttpMethod: GET }`),
/// quotes and `!Ref ` removed. The key must start a word.
fn value(text: &str, key: &str) -> Option<String> {
    let needle = format!("{key}:");
    let mut from = 0;
    while let Some(at) = text[from..].find(&needle).map(|i| i + from) {
        if text[..at].chars().next_back().is_none_or(|c| c == ' ' || c == '\n' || c == '{' || c == ',') {
            // A `{` in the value (`/Users/{id}`) opens a brace the value closes itself.
            let mut depth = 0usize;
            let raw: String = text[at + needle.len()..]
                .chars()
                .take_while(|&c| match c {
                    '{' => {
                        depth += 1;
                        true
                    }
                    '}' if depth == 0 => false,
                    '}' => {
                        depth -= 1;
                        true
                    }
                    ',' => depth > 0,
                    '\n' => false,
                    _ => true,
                })
                .collect();
            let raw = raw.split(" #").next().unwrap_or_default().trim();
            return Some(raw.trim_start_matches("!Ref ").trim_matches('\'').to_string());
        }
        from = at + needle.len();
    }
    None
}

/// The parameters' defaults.
fn defaults(template: &str) -> Vec<(String, String)> {
    let section = block(template, "\nParameters:\n", 2);
    let mut out = Vec::new();
    let mut name = None;
    for line in section.lines() {
        if line.starts_with("  ") && !line.starts_with("   ") && line.trim_end().ends_with(':') && !line.contains('#') {
            name = Some(line.trim().trim_end_matches(':').to_string());
        } else if let (Some(n), Some(v)) = (&name, line.strip_prefix("    Default: ")) {
            out.push((n.clone(), v.trim().trim_matches('\'').to_string()));
        }
    }
    out
}

/// One `MethodSettings` entry: resource path as written (`/~1scim~1v2~1Users`), method, and the
/// parameters holding its rate and burst.
#[derive(Debug)]
struct Setting {
    path: String,
    method: String,
    rate: String,
    burst: String,
}

fn method_settings(template: &str) -> Vec<Setting> {
    let list = block(template, "\n      MethodSettings:\n", 8);
    let mut entries: Vec<String> = Vec::new();
    for line in list.lines() {
        let code = line.trim_start();
        if code.starts_with('#') || code.is_empty() {
            continue;
        }
        match code.strip_prefix("- ") {
            Some(first) => entries.push(first.to_string()),
            None => entries.last_mut().expect("an entry").push_str(&format!("\n{code}")),
        }
    }
    entries
        .iter()
        .map(|e| Setting {
            path: value(e, "ResourcePath").expect("ResourcePath"),
            method: value(e, "HttpMethod").expect("HttpMethod"),
            rate: value(e, "ThrottlingRateLimit").expect("ThrottlingRateLimit"),
            burst: value(e, "ThrottlingBurstLimit").expect("ThrottlingBurstLimit"),
        })
        .collect()
}

/// A route of the API: (function logical id, path, METHOD).
fn routes(template: &str) -> Vec<(String, String, String)> {
    let resources = block(template, "\nResources:\n", 2);
    let (mut function, mut path, mut out) = (String::new(), None::<String>, Vec::new());
    for line in resources.lines() {
        let code = line.trim_start();
        if code.starts_with('#') {
            continue;
        }
        if line.len() - code.len() == 2 && code.ends_with(':') {
            function = code.trim_end_matches(':').to_string();
        } else if let Some(p) = value(line, "Path") {
            path = Some(p);
        } else if let (Some(m), Some(p)) = (value(line, "Method"), path.take()) {
            out.push((function.clone(), p, m.to_ascii_uppercase()));
        }
    }
    out
}

/// API Gateway's spelling of a resource path in a method setting: `/` is `~1`.
fn encoded(path: &str) -> String {
    format!("/{}", path.replace('/', "~1"))
}

fn number(defaults: &[(String, String)], parameter: &str) -> f64 {
    let (_, v) = defaults.iter().find(|(n, _)| n == parameter).unwrap_or_else(|| panic!("no parameter {parameter}"));
    v.parse().unwrap_or_else(|_| panic!("{parameter}'s default {v} is not a number"))
}

/// The worst case of the defaults, each figure a sum over all methods.
#[derive(Debug, Default)]
struct WorstCase {
    methods: usize,
    databricks_methods: usize,
    reads_per_minute: f64,
    writes_per_minute: f64,
    burst_calls: f64,
    burst_requests: f64,
    requests_per_5_minutes: f64,
}

fn worst_case(template: &str) -> WorstCase {
    let defaults = defaults(template);
    let settings = method_settings(template);
    let routes = routes(template);
    let stage = settings.iter().find(|s| s.path == "/*" && s.method == "*").expect("a '/*' '*' stage default");
    for s in settings.iter().filter(|s| s.path != "/*") {
        assert!(
            routes.iter().any(|(_, p, m)| encoded(p) == s.path && *m == s.method),
            "a MethodSettings entry {} {} names no route of the API",
            s.method,
            s.path
        );
    }
    let mut w = WorstCase::default();
    for (function, path, method) in &routes {
        let setting = settings.iter().find(|s| s.path == encoded(path) && s.method == *method).unwrap_or(stage);
        let (rate, burst) = (number(&defaults, &setting.rate), number(&defaults, &setting.burst));
        let (reads, writes) = match CALLS.iter().find(|(m, p, ..)| m == method && p == path) {
            Some(&(_, _, r, w)) => (f64::from(r), f64::from(w)),
            // Methods the resource paths do not serve: discovery answers 405 without a call
            // (measured below).
            None if function == "DiscoveryFunction" => (0.0, 0.0),
            None => panic!("{method} {path} is not in CALLS: say how many Databricks calls it makes"),
        };
        if writes > 0.0 {
            assert_eq!(setting.rate, "WriteThrottleRateLimit", "{method} {path} writes: it belongs to the write class");
        } else if reads > 0.0 && method != "ANY" {
            assert_eq!(setting.rate, "ReadThrottleRateLimit", "{method} {path} reads: it belongs to the read class");
        }
        // An ANY route may be one bucket per method; only its POST (/.search) calls Databricks.
        let buckets = if method == "ANY" { ANY_METHODS.len() as f64 } else { 1.0 };
        w.methods += buckets as usize;
        w.reads_per_minute += rate * 60.0 * reads;
        w.writes_per_minute += rate * 60.0 * writes;
        w.burst_calls += burst * (reads + writes);
        w.requests_per_5_minutes += buckets * (burst + rate * 300.0);
        if reads + writes > 0.0 {
            w.databricks_methods += 1;
            w.burst_requests += burst;
        }
    }
    for (method, path, ..) in CALLS {
        assert!(
            routes.iter().any(|(_, p, m)| p == path && m == method),
            "CALLS names {method} {path}, no route of the API"
        );
    }
    w
}

#[test]
fn the_worst_case_of_every_method_at_its_limit_stays_inside_databricks_limits() {
    let w = worst_case(&template());
    let calls = w.reads_per_minute + w.writes_per_minute;
    println!(
        "{} method buckets, {} of them call Databricks; all at once: {} reads + {} writes = {} Databricks calls a \
         minute (limits: {DATABRICKS_READS_PER_MINUTE} reads, {DATABRICKS_CALLS_PER_MINUTE} calls); full buckets add \
         {} calls once ({} requests at once); at most {} requests in 5 minutes pass the throttles",
        w.methods,
        w.databricks_methods,
        w.reads_per_minute,
        w.writes_per_minute,
        calls,
        w.burst_calls,
        w.burst_requests,
        w.requests_per_5_minutes
    );
    assert!(
        w.reads_per_minute <= DATABRICKS_READS_PER_MINUTE,
        "{} Databricks reads a minute in the worst case, over {DATABRICKS_READS_PER_MINUTE}",
        w.reads_per_minute
    );
    assert!(
        calls <= DATABRICKS_CALLS_PER_MINUTE,
        "{calls} Databricks calls a minute in the worst case, over {DATABRICKS_CALLS_PER_MINUTE} (4 concurrent at 1 s a call)"
    );
}

#[test]
fn the_readme_and_the_template_state_the_computed_worst_case() {
    let (template, readme) = (template(), readme());
    let w = worst_case(&template);
    let calls = w.reads_per_minute + w.writes_per_minute;
    let figures = format!(
        "at most {} Databricks calls a minute: {} reads and {} writes",
        calls.round(),
        w.reads_per_minute.round(),
        w.writes_per_minute.round()
    );
    assert!(readme.contains(&figures), "README, \"Throttling\", must say: {figures}");
    let short = format!("{} reads and {} writes a minute", w.reads_per_minute.round(), w.writes_per_minute.round());
    assert!(template.contains(&short), "ReadThrottleRateLimit's description must say: {short}");
    let burst =
        format!("{} more calls once, from {} requests at once", w.burst_calls.round(), w.burst_requests.round());
    assert!(readme.contains(&burst), "README must say: {burst}");
    let admitted = format!("{} requests in 5 minutes", w.requests_per_5_minutes.round());
    assert!(readme.contains(&admitted), "README must say: {admitted}");
    let buckets = format!("{} method buckets", w.methods);
    assert!(readme.contains(&buckets), "README must say: {buckets}");
    // The WAF rule recommended in README and template is above what the throttles can admit
    // from one address, so it only blocks a source that ignores the 429s.
    let recommended = readme
        .split("WafRateLimitPerIp=")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse::<f64>().ok())
        .expect("README recommends WafRateLimitPerIp=<n>");
    assert!(recommended >= w.requests_per_5_minutes, "WafRateLimitPerIp={recommended} is below {admitted}");
    assert!(template.contains(&format!("recommends {recommended}")), "the template recommends the README's value");
    for stale in ["all SCIM calls together", "Stage-wide"] {
        assert!(!template.contains(stale) && !readme.contains(stale), "{stale:?}: the limits are per method");
    }
}

/// The README's table of Databricks calls (the `calls` test keeps it true) never shows a request
/// to the workspace API costing more than `CALLS` says.
#[test]
fn calls_per_route_cover_the_readme_table_of_databricks_calls() {
    let readme = readme();
    let table = readme.split("<!-- calls:begin -->").nth(1).and_then(|t| t.split("<!-- calls:end -->").next()).unwrap();
    let mut rows = 0;
    for row in table.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let request = cells[1].trim_matches('`');
        let (method, path) = request.split_once(' ').unwrap();
        let path = if path.starts_with("/admin") { path.to_string() } else { format!("/scim/v2{path}") };
        let &(_, _, reads, writes) = CALLS
            .iter()
            .find(|(m, p, ..)| *m == method && *p == path)
            .unwrap_or_else(|| panic!("{method} {path} of the README table is not in CALLS"));
        // The three workspace columns; the account target's (the last) calls other APIs (account
        // SCIM, permission assignment), whose limits are not public (docs/account-target.md).
        for cell in &cells[3..cells.len() - 2] {
            let names: Vec<&str> = cell.split('—').nth(1).unwrap().split(',').map(str::trim).collect();
            let (r, w) = names.iter().fold((0, 0), |(r, w), n| if *n == "GET" { (r + 1, w) } else { (r, w + 1) });
            assert!(
                r <= reads && w <= writes,
                "{request} ({}) makes {r} reads and {w} writes: CALLS says {reads}, {writes}",
                cells[2]
            );
        }
        rows += 1;
    }
    assert!(rows >= 20, "{rows} rows read from the README table");
}

/// The routes counted as making no Databricks call make none, and a root search makes one per
/// resource type.
#[tokio::test]
async fn discovery_routes_cost_what_the_sum_assumes() {
    let template = template();
    let stack = TestStack::start(Mode::Default, Shape::RestV1).await;
    for (function, path, method) in routes(&template) {
        if function != "DiscoveryFunction" || method == "ANY" {
            continue;
        }
        let below = path.strip_prefix("/scim/v2").unwrap().replace("{id}", "123");
        let method = ANY_METHODS.into_iter().find(|m| *m == method).expect("a known method");
        stack.reset_stats().await;
        let mut call = Call::get(&below);
        call.method = method;
        let answer = stack.call(Operation::Discovery, call).await;
        assert_eq!(answer.status, 405, "{method} {path}");
        assert_eq!(stack.target_calls().await, 0, "{method} {path} called Databricks");
    }
    stack.reset_stats().await;
    let answer = stack.call(Operation::Discovery, Call::post("/.search", json!({"count": 10}))).await;
    assert_eq!(answer.status, 200);
    assert_eq!(stack.target_calls().await, 3, "a root search reads one page of each resource type");
}

#[test]
fn reserved_concurrency_and_the_waf_rate_rule_are_optional_and_wired() {
    let template = template();
    assert!(template.contains(
        "ReservedConcurrentExecutions: !If [ReserveConcurrency, !Ref FunctionReservedConcurrency, !Ref AWS::NoValue]"
    ));
    let defaults = defaults(&template);
    assert_eq!(number(&defaults, "FunctionReservedConcurrency"), 0.0, "no reservation unless asked for");
    assert_eq!(number(&defaults, "WafRateLimitPerIp"), 0.0, "no WAF (billed) unless asked for");
    let acl = block(&template, "\n  ScimWebAcl:\n", 4);
    for needed in [
        "Condition: CreateWebAcl",
        "Scope: REGIONAL",
        "AggregateKeyType: IP",
        "Limit: !Ref WafRateLimitPerIp",
        "ResponseCode: 429",
        "Name: Retry-After",
    ] {
        assert!(acl.contains(needed), "ScimWebAcl: {needed}");
    }
    let association = block(&template, "\n  ScimApiWebAclAssociation:\n", 4);
    assert!(association.contains("Condition: AssociateWebAcl"));
    assert!(association.contains("WebACLArn: !If [AttachWebAcl, !Ref WebAclArn, !GetAtt ScimWebAcl.Arn]"));
    assert!(
        template.contains(
            "CreateWebAcl: !And [!Not [!Condition AttachWebAcl], !Not [!Equals [!Ref WafRateLimitPerIp, '0']]]"
        )
    );
}
