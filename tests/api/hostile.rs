//! The hostile corpus (issue 9, item 3): malformed and hostile requests, generated as families ×
//! variants, each sent as a raw gateway event to the function the gateway route would hit (or,
//! to be hostile to the function itself, to the one its path names), with the answer class it
//! must get:
//!
//! * [`Expect::Refused`]: this SCIM error; with `edge`, Databricks receives nothing (the
//!   emulator's request count is 0 after the reset that precedes every case);
//! * [`Expect::AnyRefusal`]: some SCIM 4xx, same `edge`;
//! * [`Expect::Ok`]: a legitimate success (a weird but valid unicode displayName);
//! * [`Expect::AnyNon5xx`]: either is legitimate; a refusal is still held to `edge`.
//!
//! Every case, whatever its class: an answer within [`CASE_TIMEOUT`] (the handler runs in a task
//! of its own on a multi-threaded runtime, so a spinning handler is reported, not waited for), no
//! panic, a status below 500, a SCIM Error body (`schemas`, `status` a string equal to the HTTP
//! status, `Content-Type: application/scim+json`, a short `detail`: hostile input is never echoed
//! whole) for every 4xx, and no Databricks request outside the shapes the bridge may send (ids of
//! digits only, no query parameter a client could add). The run reports every failing case at
//! once, grouped by family.
//!
//! The whole corpus runs in the default emulator mode with REST (v1) events, and all of it but the
//! 10 000-member PATCHes (which take half the time and do not depend on the event shape) with
//! HTTP API (v2) events. In the other three modes (writes answered 204 or with the resource, seed
//! quirks) × both shapes, six runs share the cases whose answer may depend on how Databricks
//! answers (all but the huge bodies and those PATCHes): each sends every sixth of them, so each
//! such case runs once more in one other mode ([`Selection::Sixth`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lambda_http::Body;
use serde_json::{Value, json};
use shared::oauth::token::{self, SigningKey};
use shared::scim::limits::{
    MAX_BODY_BYTES, MAX_FILTER_COMPARISONS, MAX_FILTER_LEN, MAX_MEMBERS_PER_REQUEST, MAX_PATCH_OPERATIONS,
    MAX_RESPONSE_BYTES, MAX_START_INDEX, MAX_TEXT_CHARS,
};
use shared::scim::{GROUP_SCHEMA, PATCH_OP_SCHEMA, SERVICE_PRINCIPAL_SCHEMA, USER_SCHEMA};
use tests::Operation::{self, *};
use tests::{Call, Mode, SCIM_TOKEN, Shape, TestStack};

const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The longest a handler may take to answer one case.
const CASE_TIMEOUT: Duration = Duration::from_secs(10);

/// The signing key of the OAuth access tokens the corpus's stack accepts (the verifier is on,
/// so JWT-shaped garbage meets it).
const SIGNING_KEY: &str = "hostile-corpus-signing-key-0123456789abcdef";

/// Members of the large PATCHes (issue 9: "10 000-member PATCHes").
const BIG: usize = 10_000;

/// `scimType`s of RFC 7644 §3.12, Table 9.
const SCIM_TYPES: [&str; 10] = [
    "invalidFilter",
    "tooMany",
    "uniqueness",
    "mutability",
    "invalidSyntax",
    "invalidPath",
    "noTarget",
    "invalidValue",
    "invalidVers",
    "sensitive",
];

/// Longest `detail` an error may carry: a hostile input is echoed truncated, never whole.
const MAX_DETAIL_BYTES: usize = 2048;

// ---------------------------------------------------------------------------------------------
// The table

/// The families of the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Family {
    /// Syntax errors, truncations, invalid UTF-8, a BOM, two documents.
    BrokenJson,
    /// Arrays, strings, numbers, `null`, `true`, empty and blank bodies.
    NonObjectJson,
    /// 10 000 and 100 000 levels of nesting, and just under serde_json's limit.
    DeepJson,
    /// Bodies over and at the body limit, huge strings, arrays, objects and numbers.
    HugeJson,
    /// Numbers, booleans, arrays and objects where strings go, and the reverse.
    WrongTypes,
    /// RTL and zero-width marks, combining marks, emoji, surrogate escapes, control characters.
    OddUnicode,
    /// Ids in paths with `/`, `..`, `?`, `#`, `%00`, CR/LF, spaces, signs, non-ASCII digits, very long.
    PathIds,
    /// Filters that try to leave their quotes or add query parameters.
    FilterInjection,
    /// Filters over the length, depth and comparison limits.
    HugeFilters,
    /// `startIndex` and `count` negative, zero, huge, fractional, non-numeric, repeated.
    Paging,
    /// PATCHes adding, removing and replacing 10 000 members, and over the limits.
    BigPatches,
    /// Unknown PATCH ops, paths and schemas; malformed `Operations`.
    PatchOps,
    /// Unknown resource types, discovery paths and path spellings.
    UnknownPaths,
    /// Missing, empty, foreign-scheme, wrong, odd and JWT-shaped bearer tokens.
    Auth,
    /// `text/plain`, `application/xml`, form, multipart and missing Content-Types.
    ContentTypes,
    /// HEAD, OPTIONS, TRACE, CONNECT, PROPFIND, unknown and lower-case methods on every route.
    OddMethods,
}

/// The answer a case must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// This SCIM error (`scim_type` checked when given); `edge`: Databricks receives nothing.
    Refused { status: u16, scim_type: Option<&'static str>, edge: bool },
    /// Any SCIM 4xx error; `edge` as above.
    AnyRefusal { edge: bool },
    /// A success (2xx).
    Ok,
    /// A success or a SCIM 4xx; a refusal is held to `edge_if_refused`.
    AnyNon5xx { edge_if_refused: bool },
}

impl Expect {
    /// Whether Databricks must receive nothing for an answer with this status.
    fn edge(self, status: u16) -> bool {
        match self {
            Expect::Refused { edge, .. } | Expect::AnyRefusal { edge } => edge,
            Expect::AnyNon5xx { edge_if_refused } => edge_if_refused && status >= 400,
            Expect::Ok => false,
        }
    }

    fn check(self, status: u16, body: &Value) -> Result<(), String> {
        let scim_type = body.get("scimType").and_then(Value::as_str);
        match self {
            Expect::Refused { status: want, scim_type: want_type, .. } => {
                ensure(status == want, || format!("status {status} instead of {want}"))?;
                match want_type {
                    Some(t) => ensure(scim_type == Some(t), || format!("scimType {scim_type:?} instead of {t}")),
                    None => Ok(()),
                }
            }
            Expect::AnyRefusal { .. } => ensure((400..500).contains(&status), || format!("status {status}, not a 4xx")),
            Expect::Ok => ensure((200..300).contains(&status), || format!("status {status}, not a success")),
            Expect::AnyNon5xx { .. } => Ok(()),
        }
    }
}

/// Refused with this status and `scimType`, Databricks receiving nothing.
const fn refused(status: u16, scim_type: Option<&'static str>) -> Expect {
    Expect::Refused { status, scim_type, edge: true }
}
const INVALID_SYNTAX: Expect = refused(400, Some("invalidSyntax"));
const INVALID_VALUE: Expect = refused(400, Some("invalidValue"));
const INVALID_FILTER: Expect = refused(400, Some("invalidFilter"));
const UNAUTHORIZED: Expect = refused(401, None);
const NOT_FOUND: Expect = refused(404, None);
const TOO_LARGE: Expect = refused(413, None);
const ANY_EDGE_REFUSAL: Expect = Expect::AnyRefusal { edge: true };
/// Either answer is legitimate; a refusal comes before any Databricks call.
const ANY: Expect = Expect::AnyNon5xx { edge_if_refused: true };
/// Either answer is legitimate, and a refusal may come from Databricks (an id of digits that
/// names nothing, a member Databricks does not know).
const ANY_AFTER_READ: Expect = Expect::AnyNon5xx { edge_if_refused: false };

fn ensure(ok: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(why()) }
}

/// One hostile request.
struct Case {
    family: Family,
    name: String,
    op: Operation,
    call: Call,
    expect: Expect,
}

/// What the corpus's stack holds before the first case: ids the cases aim at.
#[derive(Debug, Clone)]
struct World {
    /// A user (its userName is [`World::USER_NAME`]).
    user: String,
    /// A group holding the user.
    group: String,
    /// A service principal.
    sp: String,
    /// An empty group the 10 000-member PATCHes fill and empty.
    empty_group: String,
    /// Ids of [`BIG`] users for those PATCHes (seeded only when they run).
    big_members: Vec<String>,
}

impl World {
    const USER_NAME: &str = "hostile.fixture@example.com";

    /// Ids of the right shape, for the table's own tests (no stack).
    fn placeholder() -> World {
        World {
            user: "101".into(),
            group: "102".into(),
            sp: "103".into(),
            empty_group: "104".into(),
            big_members: (0..BIG).map(|i| (1_000_000 + i).to_string()).collect(),
        }
    }

    /// Creates the world through the bridge, with [`BIG`] users seeded in the emulator when
    /// `big` (they make every listing of the workspace larger, so only when used).
    async fn build(stack: &TestStack, big: bool) -> World {
        let user = stack.create_user(World::USER_NAME).await;
        let group = stack.create_group("hostile-fixture-group", &[user.as_str()]).await;
        let a = stack
            .call(
                CreateServicePrincipal,
                Call::post(
                    "/ServicePrincipals",
                    json!({"schemas": [SERVICE_PRINCIPAL_SCHEMA], "displayName": "hostile-fixture-sp"}),
                ),
            )
            .await;
        assert_eq!(a.status, 201, "the fixture service principal: {}", a.body);
        let sp = a.body["id"].as_str().expect("an id").to_string();
        let empty_group = stack.create_group("hostile-fixture-empty", &[]).await;
        // Without them, the (unsent) large PATCHes name ids of the right shape.
        let mut big_members = World::placeholder().big_members;
        if big {
            stack.admin_post("users/bulk", json!({"prefix": "hostile-big-", "count": BIG})).await;
            let state = stack.target_state().await;
            big_members = state["users"]
                .as_array()
                .expect("users")
                .iter()
                .filter(|u| u["userName"].as_str().is_some_and(|n| n.starts_with("hostile-big-")))
                .filter_map(|u| u["id"].as_str().map(String::from))
                .collect();
            assert_eq!(big_members.len(), BIG);
        }
        World { user, group, sp, empty_group, big_members }
    }
}

/// A route that takes a body (its valid body: [`Corpus::valid_body`]).
#[derive(Clone)]
struct Route {
    name: &'static str,
    op: Operation,
    method: &'static str,
    path: String,
}

impl Route {
    /// This route with these bytes as the body.
    fn raw(&self, body: impl Into<Vec<u8>>) -> Call {
        let call = match self.method {
            "POST" => Call::post(&self.path, Value::Null),
            "PUT" => Call::put(&self.path, Value::Null),
            _ => Call::patch(&self.path, Value::Null),
        };
        call.raw_body(body)
    }

    fn json(&self, body: Value) -> Call {
        self.raw(body.to_string())
    }
}

/// The table under construction: unique names and fresh userNames.
struct Corpus {
    world: World,
    cases: Vec<Case>,
    fresh: usize,
}

impl Corpus {
    fn add(&mut self, family: Family, name: impl Into<String>, op: Operation, call: Call, expect: Expect) {
        self.cases.push(Case { family, name: name.into(), op, call, expect });
    }

    /// A userName or displayName no other case uses.
    fn fresh(&mut self, what: &str) -> String {
        self.fresh += 1;
        format!("hostile-{what}-{}", self.fresh)
    }

    fn fresh_user_name(&mut self) -> String {
        format!("{}@example.com", self.fresh("user"))
    }

    /// Every route that takes a JSON body.
    fn body_routes(&self) -> Vec<Route> {
        let w = &self.world;
        let route = |name, op, method, path: String| Route { name, op, method, path };
        vec![
            route("POST /Users", CreateUser, "POST", "/Users".into()),
            route("PUT /Users/{id}", ReplaceUser, "PUT", format!("/Users/{}", w.user)),
            route("PATCH /Users/{id}", PatchUser, "PATCH", format!("/Users/{}", w.user)),
            route("POST /Groups", CreateGroup, "POST", "/Groups".into()),
            route("PUT /Groups/{id}", ReplaceGroup, "PUT", format!("/Groups/{}", w.group)),
            route("PATCH /Groups/{id}", PatchGroup, "PATCH", format!("/Groups/{}", w.group)),
            route("POST /ServicePrincipals", CreateServicePrincipal, "POST", "/ServicePrincipals".into()),
            route(
                "PUT /ServicePrincipals/{id}",
                ReplaceServicePrincipal,
                "PUT",
                format!("/ServicePrincipals/{}", w.sp),
            ),
            route(
                "PATCH /ServicePrincipals/{id}",
                PatchServicePrincipal,
                "PATCH",
                format!("/ServicePrincipals/{}", w.sp),
            ),
            route("POST /Users/.search", ListUsers, "POST", "/Users/.search".into()),
            route("POST /Groups/.search", ListGroups, "POST", "/Groups/.search".into()),
            route(
                "POST /ServicePrincipals/.search",
                ListServicePrincipals,
                "POST",
                "/ServicePrincipals/.search".into(),
            ),
            route("POST /.search", Discovery, "POST", "/.search".into()),
        ]
    }

    /// A valid body for a route, changing nothing that matters (fresh names on creates, the
    /// fixture's own names on replaces).
    fn valid_body(&mut self, route: &Route) -> Value {
        match route.op {
            CreateUser => json!({"schemas": [USER_SCHEMA], "userName": self.fresh_user_name(),
                "name": {"givenName": "Ada", "familyName": "Lovelace"}, "active": true}),
            ReplaceUser => json!({"schemas": [USER_SCHEMA], "userName": World::USER_NAME, "active": true}),
            CreateGroup => json!({"schemas": [GROUP_SCHEMA], "displayName": self.fresh("group"), "members": []}),
            ReplaceGroup => json!({"schemas": [GROUP_SCHEMA], "displayName": "hostile-fixture-group",
                "members": [{"value": self.world.user}]}),
            CreateServicePrincipal => {
                json!({"schemas": [SERVICE_PRINCIPAL_SCHEMA], "displayName": self.fresh("sp"), "active": true})
            }
            ReplaceServicePrincipal => {
                json!({"schemas": [SERVICE_PRINCIPAL_SCHEMA], "displayName": "hostile-fixture-sp", "active": true})
            }
            PatchUser | PatchGroup | PatchServicePrincipal => json!({"schemas": [PATCH_OP_SCHEMA],
                "Operations": [{"op": "replace", "path": "externalId", "value": "hostile-external-id"}]}),
            _ => {
                json!({"schemas": [SEARCH_REQUEST], "filter": "displayName eq \"nobody\"", "startIndex": 1, "count": 5})
            }
        }
    }
}

/// The corpus for a world.
fn corpus(world: World) -> Vec<Case> {
    let mut c = Corpus { world, cases: Vec::new(), fresh: 0 };
    broken_json(&mut c);
    non_object_json(&mut c);
    deep_json(&mut c);
    huge_json(&mut c);
    wrong_types(&mut c);
    odd_unicode(&mut c);
    path_ids(&mut c);
    filter_injection(&mut c);
    huge_filters(&mut c);
    paging(&mut c);
    patch_ops(&mut c);
    unknown_paths(&mut c);
    auth(&mut c);
    content_types(&mut c);
    odd_methods(&mut c);
    // Last: afterwards every group listing carries 10 000 members more.
    big_patches(&mut c);
    c.cases
}

// ---------------------------------------------------------------------------------------------
// Families

fn broken_json(c: &mut Corpus) {
    let broken: [(&str, &[u8]); 16] = [
        ("an open brace", b"{"),
        ("an unclosed object", br#"{"userName": "broken@example.com""#),
        ("a trailing comma", br#"{"userName": "broken@example.com",}"#),
        ("single quotes", br#"{'userName': 'broken@example.com'}"#),
        ("an extra closing brace", br#"{"userName": "broken@example.com"}}"#),
        ("two documents", br#"{"userName": "a@example.com"} {"userName": "b@example.com"}"#),
        ("a missing colon", br#"{"userName" "broken@example.com"}"#),
        ("a missing comma", br#"{"userName": "a@example.com" "displayName": "b"}"#),
        ("an unterminated string", br#"{"userName": "broken@example.com}"#),
        ("an invalid escape", br#"{"userName": "bad \q escape"}"#),
        ("a leading zero", br#"{"userName": "a@example.com", "x": 01}"#),
        ("NaN and Infinity", br#"{"userName": "a@example.com", "x": NaN, "y": -Infinity}"#),
        ("a comment", b"// a comment\n{\"userName\": \"a@example.com\"}"),
        ("a UTF-8 byte-order mark", b"\xef\xbb\xbf{\"userName\": \"bom@example.com\"}"),
        ("invalid UTF-8 in a string", b"{\"userName\": \"\xff\xfe\xc0\xaf@example.com\"}"),
        ("a trailing NUL", b"{\"userName\": \"nul@example.com\"}\x00"),
    ];
    for route in c.body_routes() {
        for (what, body) in broken {
            c.add(Family::BrokenJson, format!("{}: {what}", route.name), route.op, route.raw(body), INVALID_SYNTAX);
        }
        // The route's own valid body, cut short.
        let valid = c.valid_body(&route).to_string();
        for cut in [1, valid.len() / 3, valid.len() / 2, valid.len() - 1] {
            let body = valid.as_bytes()[..cut].to_vec();
            c.add(
                Family::BrokenJson,
                format!("{}: truncated to {cut} of {} bytes", route.name, valid.len()),
                route.op,
                route.raw(body),
                INVALID_SYNTAX,
            );
        }
    }
}

fn non_object_json(c: &mut Corpus) {
    let bodies: [(&str, &str); 10] = [
        ("an empty array", "[]"),
        ("an array holding a valid body", r#"[{"userName": "array@example.com", "displayName": "a"}]"#),
        ("a string", r#""userName""#),
        ("a number", "42"),
        ("a huge negative float", "-1.5e300"),
        ("null", "null"),
        ("true", "true"),
        ("an empty body", ""),
        ("white space only", " \n\t\r "),
        ("a JSON-encoded object in a string", r#""{\"userName\": \"a@example.com\"}""#),
    ];
    for route in c.body_routes() {
        for (what, body) in bodies {
            c.add(Family::NonObjectJson, format!("{}: {what}", route.name), route.op, route.raw(body), INVALID_SYNTAX);
        }
    }
}

/// `depth` arrays around `inner`.
fn nested_arrays(depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth))
}

/// `depth` objects around `inner`: `{"a":{"a":…inner…}}`.
fn nested_objects(depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))
}

fn deep_json(c: &mut Corpus) {
    for route in c.body_routes() {
        let mut valid = c.valid_body(&route).to_string();
        valid.pop(); // the closing brace: attributes are appended below
        let forms: [(&str, String); 6] = [
            ("10 000 nested arrays", nested_arrays(10_000, "1")),
            ("10 000 unclosed arrays", "[".repeat(10_000)),
            ("10 000 nested objects", nested_objects(10_000, "1")),
            ("100 000 nested arrays", nested_arrays(100_000, "")),
            ("10 000 nested arrays inside an attribute", format!(r#"{valid},"x":{}}}"#, nested_arrays(10_000, "0"))),
            ("10 000 nested objects inside the body", format!(r#"{valid},"x":{}}}"#, nested_objects(10_000, "null"))),
        ];
        for (what, body) in forms {
            c.add(Family::DeepJson, format!("{}: {what}", route.name), route.op, route.raw(body), INVALID_SYNTAX);
        }
        // Within serde_json's limit of 128: parsed, and the nested attribute is either ignored
        // or refused, never a crash of whatever walks it.
        let body = format!(r#"{valid},"{ENTERPRISE}":{{"department":{}}}}}"#, nested_arrays(120, "\"x\""));
        c.add(
            Family::DeepJson,
            format!("{}: 120 nested arrays in an extension", route.name),
            route.op,
            route.raw(body),
            ANY_AFTER_READ,
        );
    }
    // Nesting where a value is read.
    let w = c.world.clone();
    let deep_value = |depth| -> String {
        format!(
            r#"{{"Operations":[{{"op":"replace","path":"displayName","value":{}}}]}}"#,
            nested_objects(depth, "\"x\"")
        )
    };
    for (name, op, path) in [
        ("PATCH /Users/{id}", PatchUser, format!("/Users/{}", w.user)),
        ("PATCH /Groups/{id}", PatchGroup, format!("/Groups/{}", w.group)),
    ] {
        c.add(
            Family::DeepJson,
            format!("{name}: a value 100 objects deep"),
            op,
            Call::patch(&path, Value::Null).raw_body(deep_value(100)),
            ANY,
        );
        c.add(
            Family::DeepJson,
            format!("{name}: a value 127 arrays deep"),
            op,
            Call::patch(&path, Value::Null).raw_body(format!(
                r#"{{"Operations":[{{"op":"add","path":"members","value":{}}}]}}"#,
                nested_arrays(125, r#"{"value":"1"}"#)
            )),
            ANY,
        );
    }
    let filter = format!(r#"{{"filter":{}}}"#, nested_objects(100, "\"x\""));
    c.add(
        Family::DeepJson,
        "POST /.search: a filter 100 objects deep",
        Discovery,
        Call::post("/.search", Value::Null).raw_body(filter),
        INVALID_SYNTAX,
    );
}

fn huge_json(c: &mut Corpus) {
    // One byte over the limit, as valid JSON: refused for its size, unread.
    for route in c.body_routes() {
        let mut body = c.valid_body(&route);
        let room = MAX_BODY_BYTES + 1 - body.to_string().len() - r#","padding":"""#.len();
        body["padding"] = json!("p".repeat(room));
        let text = body.to_string();
        assert_eq!(text.len(), MAX_BODY_BYTES + 1);
        c.add(
            Family::HugeJson,
            format!("{}: valid JSON one byte over the body limit", route.name),
            route.op,
            route.raw(text),
            TOO_LARGE,
        );
    }
    let routes = c.body_routes();
    let at = |i: usize| routes[i % routes.len()].clone();
    // Exactly at the limit: read and answered (the padding is an attribute nobody reads).
    let user_name = c.fresh_user_name();
    let mut body = json!({"schemas": [USER_SCHEMA], "userName": user_name, ENTERPRISE: {"department": ""}});
    let room = MAX_BODY_BYTES - body.to_string().len();
    body[ENTERPRISE]["department"] = json!("d".repeat(room));
    assert_eq!(body.to_string().len(), MAX_BODY_BYTES);
    c.add(
        Family::HugeJson,
        "POST /Users: exactly at the body limit",
        CreateUser,
        Call::post("/Users", body),
        Expect::Ok,
    );
    let garbage = vec![b'<'; MAX_BODY_BYTES + 1];
    c.add(
        Family::HugeJson,
        "POST /Users: garbage one byte over the limit",
        CreateUser,
        Call::post("/Users", Value::Null).raw_body(garbage),
        TOO_LARGE,
    );
    let ten = format!(r#"{{"userName":"{}"}}"#, "a".repeat(10 * 1024 * 1024));
    c.add(
        Family::HugeJson,
        "POST /Users: 10 MiB",
        CreateUser,
        Call::post("/Users", Value::Null).raw_body(ten),
        TOO_LARGE,
    );
    // Under the limit, but huge where it is read.
    let long_name = format!("{}@example.com", "a".repeat(1_900_000));
    c.add(
        Family::HugeJson,
        "POST /Users: a 1.9 MB userName",
        CreateUser,
        Call::post("/Users", json!({"userName": long_name})),
        INVALID_VALUE,
    );
    let escaped = format!(r#"{{"displayName":"{}"}}"#, "\\u00e9".repeat(300_000));
    c.add(
        Family::HugeJson,
        "POST /Groups: a displayName of 300 000 escapes",
        CreateGroup,
        Call::post("/Groups", Value::Null).raw_body(escaped),
        INVALID_VALUE,
    );
    let many: Vec<Value> = (0..100_000).map(|i| json!(i.to_string())).collect();
    c.add(
        Family::HugeJson,
        "POST /Groups: 100 000 bare members",
        CreateGroup,
        Call::post("/Groups", json!({"displayName": "many", "members": many})),
        INVALID_VALUE,
    );
    let ones = format!("[{}1]", "1,".repeat(1_000_000));
    c.add(
        Family::HugeJson,
        "POST /Users: an array of a million numbers",
        CreateUser,
        Call::post("/Users", Value::Null).raw_body(ones),
        INVALID_SYNTAX,
    );
    let mut keys = serde_json::Map::new();
    for i in 0..100_000 {
        keys.insert(format!("k{i}"), json!(i));
    }
    keys.insert("userName".into(), json!(c.fresh_user_name()));
    c.add(
        Family::HugeJson,
        "POST /Users: 100 000 unknown attributes",
        CreateUser,
        Call::post("/Users", Value::Object(keys)),
        ANY,
    );
    let digits = format!(r#"{{"userName":"{}","x":{}}}"#, c.fresh_user_name(), "9".repeat(100_000));
    c.add(
        Family::HugeJson,
        "POST /Users: a number of 100 000 digits",
        CreateUser,
        Call::post("/Users", Value::Null).raw_body(digits),
        ANY,
    );
    let exponent = r#"{"userName":"e@example.com","x":1e999999}"#;
    c.add(
        Family::HugeJson,
        "POST /Users: a number out of range",
        CreateUser,
        Call::post("/Users", Value::Null).raw_body(exponent),
        INVALID_SYNTAX,
    );
    let key = format!(r#"{{"{}":1,"userName":"{}"}}"#, "k".repeat(1_500_000), c.fresh_user_name());
    c.add(
        Family::HugeJson,
        "POST /Users: a 1.5 MB attribute name",
        CreateUser,
        Call::post("/Users", Value::Null).raw_body(key),
        ANY,
    );
    let path = format!(r#"{{"Operations":[{{"op":"replace","path":"{}","value":"x"}}]}}"#, "p".repeat(1_500_000));
    c.add(
        Family::HugeJson,
        "PATCH /Users/{id}: a 1.5 MB path",
        PatchUser,
        at(2).raw(path),
        refused(400, Some("invalidPath")),
    );
    let filter = json!({"filter": format!("userName eq \"{}\"", "f".repeat(1_500_000))});
    c.add(
        Family::HugeJson,
        "POST /.search: a 1.5 MB filter",
        Discovery,
        Call::post("/.search", filter),
        INVALID_FILTER,
    );
    let value = json!({"Operations": [{"op": "replace", "path": "displayName", "value": "v".repeat(1_500_000)}]});
    c.add(Family::HugeJson, "PATCH /Groups/{id}: a 1.5 MB value", PatchGroup, at(5).json(value), INVALID_VALUE);
    let ops = json!({"Operations": vec![json!({"op": "replace", "path": "externalId", "value": "x"}); 20_000]});
    c.add(
        Family::HugeJson,
        "PATCH /ServicePrincipals/{id}: 20 000 operations",
        PatchServicePrincipal,
        at(8).json(ops),
        INVALID_VALUE,
    );
}

/// Values of every JSON type; each attribute meets those of the types it does not take.
fn wrong_values() -> [(&'static str, Value); 10] {
    [
        ("a string", json!("not-a-boolean")),
        ("a number", json!(42)),
        ("a float", json!(1.5)),
        ("true", json!(true)),
        ("an empty array", json!([])),
        ("an array of strings", json!(["a", "b"])),
        ("an empty object", json!({})),
        ("an object with a value", json!({"value": "x"})),
        ("a very negative number", json!(-9.9e300)),
        ("null", Value::Null),
    ]
}

fn wrong_types(c: &mut Corpus) {
    let w = c.world.clone();
    // Users: every attribute of a create, with each wrong type.
    let user_attributes = [
        "userName",
        "displayName",
        "externalId",
        "name",
        "name.givenName",
        "name.familyName",
        "active",
        "emails",
        "entitlements",
        "groups",
        "roles",
        "schemas",
    ];
    let strings = ["userName", "displayName", "externalId", "name.givenName", "name.familyName"];
    for attribute in user_attributes {
        for (what, value) in wrong_values() {
            if (value.is_string() && strings.contains(&attribute)) || (value.is_boolean() && attribute == "active") {
                continue;
            }
            let mut body = json!({"schemas": [USER_SCHEMA], "userName": c.fresh_user_name()});
            match attribute.split_once('.') {
                Some((outer, inner)) => body[outer] = json!({inner: value}),
                None => body[attribute] = value.clone(),
            }
            // `active` is read leniently (`"True"`, `[{"value": "false"}]`), but none of these.
            let expect = match (strings.contains(&attribute) || attribute == "active", value.is_null()) {
                (true, false) => INVALID_VALUE,
                _ => ANY,
            };
            c.add(
                Family::WrongTypes,
                format!("POST /Users: {attribute} is {what}"),
                CreateUser,
                Call::post("/Users", body),
                expect,
            );
        }
    }
    // Groups.
    for attribute in ["displayName", "externalId", "members", "members.value", "members.type", "schemas"] {
        for (what, value) in wrong_values() {
            if value.is_string() && ["displayName", "externalId", "members.value", "members.type"].contains(&attribute)
            {
                continue;
            }
            let mut body = json!({"schemas": [GROUP_SCHEMA], "displayName": c.fresh("group")});
            match attribute.split_once('.') {
                Some((outer, inner)) => body[outer] = json!([{"value": w.user, inner: value}]),
                None => body[attribute] = value.clone(),
            }
            // A member's `value` may be a number (some clients send ids so); Databricks then
            // says whether it names a member.
            let expect = match (attribute, value.is_null()) {
                ("displayName" | "externalId", false) => INVALID_VALUE,
                ("members" | "members.value" | "members.type", _) => ANY_AFTER_READ,
                _ => ANY,
            };
            c.add(
                Family::WrongTypes,
                format!("POST /Groups: {attribute} is {what}"),
                CreateGroup,
                Call::post("/Groups", body),
                expect,
            );
        }
    }
    // Service principals.
    for attribute in ["displayName", "applicationId", "active", "entitlements"] {
        for (what, value) in wrong_values() {
            if (value.is_string() && ["displayName", "applicationId"].contains(&attribute))
                || (value.is_boolean() && attribute == "active")
            {
                continue;
            }
            let mut body = json!({"schemas": [SERVICE_PRINCIPAL_SCHEMA], "displayName": c.fresh("sp")});
            body[attribute] = value.clone();
            let expect = match (["displayName", "applicationId", "active"].contains(&attribute), value.is_null()) {
                (true, false) => INVALID_VALUE,
                _ => ANY,
            };
            let call = Call::post("/ServicePrincipals", body);
            c.add(
                Family::WrongTypes,
                format!("POST /ServicePrincipals: {attribute} is {what}"),
                CreateServicePrincipal,
                call,
                expect,
            );
        }
    }
    // PUT reads the resource before it translates the body (it writes only what changed), so
    // a wrong type is refused after that one read — never written.
    for (what, value) in wrong_values().into_iter().filter(|(_, v)| !(v.is_null() || v.is_string())) {
        let body = json!({"schemas": [USER_SCHEMA], "userName": World::USER_NAME, "displayName": value});
        let expect = Expect::Refused { status: 400, scim_type: Some("invalidValue"), edge: false };
        c.add(
            Family::WrongTypes,
            format!("PUT /Users/{{id}}: displayName is {what}"),
            ReplaceUser,
            Call::put(&format!("/Users/{}", w.user), body),
            expect,
        );
    }
    // PATCH values.
    for (name, op, path, attribute) in [
        ("PATCH /Users/{id}", PatchUser, format!("/Users/{}", w.user), "displayName"),
        ("PATCH /Users/{id}", PatchUser, format!("/Users/{}", w.user), "active"),
        ("PATCH /Users/{id}", PatchUser, format!("/Users/{}", w.user), "name.givenName"),
        ("PATCH /Groups/{id}", PatchGroup, format!("/Groups/{}", w.group), "displayName"),
        ("PATCH /Groups/{id}", PatchGroup, format!("/Groups/{}", w.group), "members"),
        ("PATCH /ServicePrincipals/{id}", PatchServicePrincipal, format!("/ServicePrincipals/{}", w.sp), "active"),
    ] {
        for (what, value) in wrong_values() {
            if (value.is_string() && ["displayName", "name.givenName"].contains(&attribute))
                || (value.is_boolean() && attribute == "active")
            {
                continue;
            }
            let body = json!({"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "path": attribute, "value": value}]});
            let expect = match (attribute, &value) {
                // `replace members` with nothing, or with a list of no real members: Databricks
                // may refuse a member it does not know.
                ("members", _) => ANY_AFTER_READ,
                (_, Value::Null) => ANY,
                _ => INVALID_VALUE,
            };
            c.add(
                Family::WrongTypes,
                format!("{name}: replace {attribute} with {what}"),
                op,
                Call::patch(&path, body),
                expect,
            );
        }
    }
    // SearchRequest members.
    for member in ["filter", "startIndex", "count", "attributes", "excludedAttributes", "sortBy", "schemas"] {
        for (what, value) in wrong_values() {
            let mut body = json!({"schemas": [SEARCH_REQUEST]});
            body[member] = value.clone();
            c.add(
                Family::WrongTypes,
                format!("POST /Users/.search: {member} is {what}"),
                ListUsers,
                Call::post("/Users/.search", body),
                ANY,
            );
        }
    }
    // The same attribute twice: the last one counts, or the body is refused.
    let twice = format!(r#"{{"userName":"{}","userName":"{}"}}"#, c.fresh_user_name(), c.fresh_user_name());
    c.add(
        Family::WrongTypes,
        "POST /Users: userName twice",
        CreateUser,
        Call::post("/Users", Value::Null).raw_body(twice),
        ANY,
    );
    let twice = format!(r#"{{"userName":"{}","USERNAME":42}}"#, c.fresh_user_name());
    c.add(
        Family::WrongTypes,
        "POST /Users: userName twice in two cases, one a number",
        CreateUser,
        Call::post("/Users", Value::Null).raw_body(twice),
        ANY,
    );
}

/// README "Limits": at most 512 characters, none of them U+0000–U+001F or U+007F.
fn acceptable_text(text: &str) -> bool {
    text.chars().count() <= MAX_TEXT_CHARS && !text.chars().any(|ch| ch < '\u{20}' || ch == '\u{7f}')
}

fn odd_unicode(c: &mut Corpus) {
    let w = c.world.clone();
    let long_emoji = "😀".repeat(MAX_TEXT_CHARS);
    let longer_emoji = "😀".repeat(MAX_TEXT_CHARS + 1);
    let zalgo = format!("Z{}", "\u{0301}\u{0316}\u{0337}".repeat(100));
    // (what, text, accepted): README "Limits": U+0000–U+001F and U+007F are refused, and more
    // than 512 characters; everything else is a legitimate name.
    let texts: Vec<(&str, String, bool)> = vec![
        ("a Latin name with a diaeresis and an apostrophe", "Zoë O'Brien".into(), true),
        ("right-to-left marks", "\u{200f}rtl\u{200f}name".into(), true),
        ("a right-to-left override", "\u{202e}gnp.exe".into(), true),
        ("left-to-right and pop directional marks", "\u{202a}a\u{202c}b\u{2066}c\u{2069}".into(), true),
        ("a zero-width joiner", "a\u{200d}b".into(), true),
        ("a family emoji built with joiners", "👨\u{200d}👩\u{200d}👧\u{200d}👦".into(), true),
        ("only a zero-width space", "\u{200b}".into(), true),
        ("a combining acute accent", "e\u{0301}".into(), true),
        ("300 combining marks", zalgo, true),
        ("512 emoji", long_emoji, true),
        ("513 emoji", longer_emoji, false),
        ("a byte-order mark inside", "a\u{feff}b".into(), true),
        ("line and paragraph separators", "a\u{2028}b\u{2029}c".into(), true),
        ("C1 control NEL (allowed by the limits)", "a\u{85}b".into(), true),
        ("C1 control U+009F", "a\u{9f}b".into(), true),
        ("the replacement character", "\u{fffd}".into(), true),
        ("the noncharacter U+FFFF", "a\u{ffff}".into(), true),
        ("a private-use character", "\u{e000}".into(), true),
        ("the last code point", "\u{10ffff}".into(), true),
        ("CJK", "山田太郎".into(), true),
        ("Arabic", "مرحبا".into(), true),
        ("a NUL", "nul\u{0}name".into(), false),
        ("a tab", "tab\tname".into(), false),
        ("a line feed", "line\nname".into(), false),
        ("a carriage return and line feed", "crlf\r\nX-Injected: 1".into(), false),
        ("an ANSI escape", "\u{1b}[31mred".into(), false),
        ("DEL", "del\u{7f}".into(), false),
        ("a unit separator", "a\u{1f}b".into(), false),
    ];
    for (i, (what, text, accepted)) in texts.iter().enumerate() {
        assert_eq!(acceptable_text(text), *accepted, "{what}");
        let expect = if *accepted { Expect::Ok } else { INVALID_VALUE };
        // The displayName of a new group and of a new service principal (each text once, so
        // the names are unique), and a user's new one.
        c.add(
            Family::OddUnicode,
            format!("POST /Groups: displayName with {what}"),
            CreateGroup,
            Call::post("/Groups", json!({"schemas": [GROUP_SCHEMA], "displayName": text})),
            expect,
        );
        c.add(
            Family::OddUnicode,
            format!("POST /ServicePrincipals: displayName with {what}"),
            CreateServicePrincipal,
            Call::post("/ServicePrincipals", json!({"schemas": [SERVICE_PRINCIPAL_SCHEMA], "displayName": text})),
            expect,
        );
        let patch = json!({"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "path": "displayName", "value": text}]});
        c.add(
            Family::OddUnicode,
            format!("PATCH /Users/{{id}}: displayName with {what}"),
            PatchUser,
            Call::patch(&format!("/Users/{}", w.user), patch),
            expect,
        );
        let given = json!({"schemas": [USER_SCHEMA], "userName": c.fresh_user_name(), "name": {"givenName": text, "familyName": "X"}});
        c.add(
            Family::OddUnicode,
            format!("POST /Users: givenName with {what}"),
            CreateUser,
            Call::post("/Users", given),
            expect,
        );
        // In a userName: Databricks may refuse what is not an e-mail address, never a crash.
        let user_name = format!("{text}{}@example.com", c.fresh("u"));
        let expect = if acceptable_text(&user_name) { ANY_AFTER_READ } else { INVALID_VALUE };
        c.add(
            Family::OddUnicode,
            format!("POST /Users: userName with {what}"),
            CreateUser,
            Call::post("/Users", json!({"schemas": [USER_SCHEMA], "userName": user_name})),
            expect,
        );
        // In a filter value: a listing, quoted.
        if i % 3 == 0 {
            let filter =
                format!("displayName eq \"{}\"", text.chars().take(200).collect::<String>().replace('"', "\\\""));
            c.add(
                Family::OddUnicode,
                format!("GET /Groups: a filter value with {what}"),
                ListGroups,
                Call::get("/Groups").query("filter", &filter),
                ANY,
            );
        }
    }
    // Escapes written in the JSON text itself.
    let escapes: [(&str, String, Expect); 7] = [
        ("a lone high surrogate escape", r"\ud800".into(), INVALID_SYNTAX),
        ("a lone low surrogate escape", r"\udc00".into(), INVALID_SYNTAX),
        ("reversed surrogate escapes", r"\ude00\ud83d".into(), INVALID_SYNTAX),
        ("a high surrogate escape before a letter", r"\ud83dx".into(), INVALID_SYNTAX),
        ("a valid surrogate pair escape", r"\ud83d\ude00".into(), Expect::Ok),
        ("a NUL escape", r"\u0000".into(), INVALID_VALUE),
        ("an escaped quote and backslash", r#"\"\\"#.into(), Expect::Ok),
    ];
    for (what, escape, expect) in escapes {
        let group = format!(r#"{{"schemas":["{GROUP_SCHEMA}"],"displayName":"esc{escape}{}"}}"#, c.fresh("g"));
        c.add(
            Family::OddUnicode,
            format!("POST /Groups: displayName with {what}"),
            CreateGroup,
            Call::post("/Groups", Value::Null).raw_body(group),
            expect,
        );
        let patch = format!(r#"{{"Operations":[{{"op":"replace","path":"displayName","value":"esc{escape}"}}]}}"#);
        c.add(
            Family::OddUnicode,
            format!("PATCH /ServicePrincipals/{{id}}: displayName with {what}"),
            PatchServicePrincipal,
            Call::patch(&format!("/ServicePrincipals/{}", w.sp), Value::Null).raw_body(patch),
            expect,
        );
    }
    // The fixtures get their names back.
    let restore = json!({"Operations": [{"op": "replace", "path": "displayName", "value": "hostile-fixture-sp"}]});
    c.add(
        Family::OddUnicode,
        "PATCH /ServicePrincipals/{id}: the name back",
        PatchServicePrincipal,
        Call::patch(&format!("/ServicePrincipals/{}", w.sp), restore),
        Expect::Ok,
    );
}

/// Hostile `{id}`s: none is 1–19 ASCII digits, so none may reach a Databricks URL.
fn hostile_ids() -> Vec<(&'static str, String)> {
    vec![
        ("a slash", "1/2".into()),
        ("a trailing slash and more", "1/extra".into()),
        ("dot-dot", "..".into()),
        ("dot-dot then an id", "../1".into()),
        ("an id then dot-dot", "1/..".into()),
        ("a traversal to another resource", "../Groups/1".into()),
        ("an encoded traversal", "..%2F..%2FGroups%2F1".into()),
        ("an encoded slash", "1%2F2".into()),
        ("a lone encoded slash", "%2F".into()),
        ("a question mark", "1?attributes=password".into()),
        ("an encoded question mark", "1%3Fcount%3D0".into()),
        ("a hash", "1#fragment".into()),
        ("an encoded hash", "1%23x".into()),
        ("an encoded NUL", "%00".into()),
        ("a digit then an encoded NUL", "1%00".into()),
        ("a raw NUL", "1\u{0}".into()),
        ("encoded CR/LF", "1%0D%0ALocation:%20x".into()),
        ("raw CR/LF", "1\r\nX-Injected: 1".into()),
        ("a tab", "1\t2".into()),
        ("a leading space", " 1".into()),
        ("an encoded space", "1%20".into()),
        ("a plus sign", "+1".into()),
        ("a minus sign", "-1".into()),
        ("hexadecimal", "0x1F".into()),
        ("an exponent", "1e3".into()),
        ("a decimal point", "1.0".into()),
        ("Arabic-Indic digits", "١٢٣".into()),
        ("fullwidth digits", "１２３".into()),
        ("mathematical digits", "𝟏𝟐".into()),
        ("superscript digits", "¹²³".into()),
        ("20 digits", "99999999999999999999".into()),
        ("5 000 digits", "7".repeat(5000)),
        ("5 000 letters", "x".repeat(5000)),
        ("a lone percent", "%".into()),
        ("a broken percent escape", "%zz".into()),
        ("a double-encoded slash", "1%252F2".into()),
        ("a semicolon parameter", "1;jsessionid=x".into()),
        ("an SQL injection", "1' OR '1'='1".into()),
        ("a filter", "1 or 1 eq 1".into()),
        ("a template", "{id}".into()),
        ("an asterisk", "*".into()),
        ("an e-mail address", "someone@example.com".into()),
        ("a right-to-left override", "\u{202e}1".into()),
        (".search in another case", ".Search".into()),
        ("a user-info URL", "@evil.example.com".into()),
    ]
}

fn path_ids(c: &mut Corpus) {
    let ids = hostile_ids();
    let patch = json!({"Operations": [{"op": "replace", "path": "externalId", "value": "x"}]});
    for (i, (what, id)) in ids.iter().enumerate() {
        // Rotate the resource per verb, so each id meets each function of one resource family
        // in turn and each verb of every resource.
        let resources = ["Users", "Groups", "ServicePrincipals"];
        let r = |k: usize| resources[(i + k) % 3];
        let get = match r(0) {
            "Users" => GetUser,
            "Groups" => GetGroup,
            _ => GetServicePrincipal,
        };
        let put = match r(1) {
            "Users" => ReplaceUser,
            "Groups" => ReplaceGroup,
            _ => ReplaceServicePrincipal,
        };
        let patch_op = match r(2) {
            "Users" => PatchUser,
            "Groups" => PatchGroup,
            _ => PatchServicePrincipal,
        };
        let delete = match r(0) {
            "Users" => DeleteUser,
            "Groups" => DeleteGroup,
            _ => DeleteServicePrincipal,
        };
        let put_body = match r(1) {
            "Users" => json!({"userName": World::USER_NAME}),
            "Groups" => json!({"displayName": "hostile-fixture-group"}),
            _ => json!({"displayName": "hostile-fixture-sp"}),
        };
        let calls = [
            (get, Call::get(&format!("/{}/{id}", r(0)))),
            (put, Call::put(&format!("/{}/{id}", r(1)), put_body)),
            (patch_op, Call::patch(&format!("/{}/{id}", r(2)), patch.clone())),
            (delete, Call::delete(&format!("/{}/{id}", r(0)))),
        ];
        for (op, call) in calls {
            let name = format!("{} {}: {what}", call.method, op.name());
            c.add(Family::PathIds, name, op, call, NOT_FOUND);
        }
        // What the gateway routes a path with more segments to: discovery, a SCIM 404 or 405.
        if id.contains('/') {
            c.add(
                Family::PathIds,
                format!("GET discovery: {what}"),
                Discovery,
                Call::get(&format!("/Users/{id}")),
                ANY_EDGE_REFUSAL,
            );
            c.add(
                Family::PathIds,
                format!("DELETE discovery: {what}"),
                Discovery,
                Call::delete(&format!("/Groups/{id}")),
                ANY_EDGE_REFUSAL,
            );
        }
    }
    // Ids of the right shape that name nothing: Databricks is asked, and its 404 passes on.
    for (what, id) in [
        ("zero", "0"),
        ("19 zeros and a one", "0000000000000000001"),
        ("i64::MAX", "9223372036854775807"),
        ("19 nines", "9999999999999999999"),
    ] {
        let found_nothing = Expect::Refused { status: 404, scim_type: None, edge: false };
        c.add(
            Family::PathIds,
            format!("GET get-user: {what}"),
            GetUser,
            Call::get(&format!("/Users/{id}")),
            found_nothing,
        );
        // The seed document's target answers 204 to a delete of an unknown group.
        c.add(
            Family::PathIds,
            format!("DELETE delete-group: {what}"),
            DeleteGroup,
            Call::delete(&format!("/Groups/{id}")),
            ANY_AFTER_READ,
        );
    }
    // The partner route takes a name, not an id.
    for (what, partner) in [
        ("dot-dot", ".."),
        ("an encoded slash", "a%2Fb"),
        ("a NUL", "a%00"),
        ("CR/LF", "a%0D%0Ab"),
        ("a quote", "a\"b"),
        ("a filter", "x\" or displayName pr or \""),
    ] {
        // `..` is a name of the allowed characters: looked up (quoted) and not found.
        c.add(
            Family::PathIds,
            format!("DELETE disconnect-partner: {what}"),
            DisconnectPartner,
            Call::delete(&format!("/admin/partners/{partner}")),
            ANY_AFTER_READ,
        );
    }
}

/// Filters that try to leave their quotes, add parameters or smuggle syntax.
fn injected_filters() -> Vec<(&'static str, String)> {
    vec![
        ("a closing parenthesis and pr", r#"userName eq "a" ) or (userName pr"#.into()),
        ("an escaped quote then or", r#"userName eq "a\" or 1 eq 1"#.into()),
        ("an escaped quote then a complete or", r#"userName eq "a\" or userName pr or userName eq \"b""#.into()),
        ("an escaped backslash then or", r#"userName eq "a\\" or userName pr"#.into()),
        ("an ampersand parameter", r#"userName eq "a"&count=0"#.into()),
        ("an ampersand inside quotes", r#"userName eq "a&count=0&startIndex=5""#.into()),
        ("an encoded ampersand", r#"userName eq "a%26count%3D0""#.into()),
        ("a unicode-escaped quote", r#"userName eq "a\u0022 or userName pr""#.into()),
        ("a raw unicode-escaped quote", "userName eq \"a\\u0022\" or userName pr".into()),
        ("an SQL comment", r#"userName eq "a"; DROP TABLE users; --"#.into()),
        ("SQL quotes", r#"userName eq "' or '1'='1""#.into()),
        ("a line feed then or", "userName eq \"a\"\nor userName pr".into()),
        ("CR/LF and a header", "userName eq \"a\"\r\nX-Injected: 1".into()),
        ("a NUL in the value", "userName eq \"a\u{0}b\"".into()),
        ("a second filter parameter", r#"userName eq "a"&filter=displayName pr"#.into()),
        ("a hash in the value", r#"userName eq "a#frag""#.into()),
        ("a query in the value", r#"userName eq "a?count=1""#.into()),
        ("a bracket escape", r#"userName eq "a" ] or ["#.into()),
        ("a JNDI lookup", r#"userName eq "${jndi:ldap://x/a}""#.into()),
        ("a traversal in the value", r#"id eq "1/../2""#.into()),
        ("an ampersand in an id", r#"id eq "1&count=0""#.into()),
        ("two operators", r#"userName eq "a" sw "b""#.into()),
        ("a quoted attribute", r#""userName" eq "a""#.into()),
        ("an unquoted value", "userName eq a".into()),
        ("an unterminated value", r#"userName eq "a"#.into()),
        ("an empty value", r#"userName eq """#.into()),
        ("a lone backslash value", r#"userName eq "\\""#.into()),
        ("Entra's form with an escaped quote", r#"emails[type eq "work"].value eq "a\" or 1 eq 1""#.into()),
        ("a value path on userName", r#"userName[value eq "x"]"#.into()),
        ("not", r#"not (userName eq "a")"#.into()),
        ("an or of two values", r#"userName eq "a" or userName eq "b""#.into()),
        ("white space only", "   ".into()),
        ("an unknown operator", r#"userName like "a%""#.into()),
        ("a regular expression", r#"userName eq ".*""#.into()),
        ("a percent wildcard", r#"userName co "%""#.into()),
        ("a sub-attribute of meta", r#"meta.lastModified gt "2011-05-13T04:42:34Z""#.into()),
        ("a URN attribute", r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a""#.into()),
        ("a number compared", "userName eq 1".into()),
        ("a boolean compared with a string", r#"active eq "true""#.into()),
        ("null compared", "displayName eq null".into()),
    ]
}

fn filter_injection(c: &mut Corpus) {
    let group = format!("/Groups/{}", c.world.group);
    let lists: [(&str, Operation, &str); 4] = [
        ("GET /Users", ListUsers, "/Users"),
        ("GET /Groups", ListGroups, "/Groups"),
        ("GET /ServicePrincipals", ListServicePrincipals, "/ServicePrincipals"),
        ("POST /.search", Discovery, "/.search"),
    ];
    for (i, (what, filter)) in injected_filters().into_iter().enumerate() {
        for k in 0..2 {
            let (name, op, path) = lists[(i + k) % lists.len()];
            let call = if op == Discovery {
                Call::post(path, json!({"filter": filter}))
            } else {
                Call::get(path).query("filter", &filter)
            };
            c.add(Family::FilterInjection, format!("{name}: {what}"), op, call, ANY);
        }
    }
    // A .search of a resource type, where the filter sits in the body with the query string ignored.
    let call = Call::post("/Users/.search", json!({"filter": r#"userName eq "a""#}))
        .query("count", "0")
        .query("filter", "userName pr");
    c.add(Family::FilterInjection, "POST /Users/.search: a query string beside the body", ListUsers, call, Expect::Ok);
    // The parameter given twice.
    let call = Call::get("/Users").query("filter", r#"userName eq "a""#).query("filter", r#"userName eq "b""#);
    c.add(Family::FilterInjection, "GET /Users: two filter parameters", ListUsers, call, ANY);
    let call = Call::get("/Users").query("filter", r#"userName eq "a""#).query("FILTER", "userName pr");
    c.add(Family::FilterInjection, "GET /Users: filter and FILTER", ListUsers, call, ANY);
    // Projection parameters that try the same.
    for (what, attributes) in [
        ("an ampersand parameter", "userName&count=0"),
        ("an encoded ampersand", "userName%26filter%3DuserName%20pr"),
        ("a traversal", "../password"),
        ("a NUL", "userName\u{0}"),
        ("5 000 names", &"a,".repeat(2500)),
    ] {
        c.add(
            Family::FilterInjection,
            format!("GET /Users: attributes with {what}"),
            ListUsers,
            Call::get("/Users").query("attributes", attributes),
            ANY,
        );
        c.add(
            Family::FilterInjection,
            format!("GET /Groups/{{id}}: excludedAttributes with {what}"),
            GetGroup,
            Call::get(&group).query("excludedAttributes", attributes),
            ANY_AFTER_READ,
        );
    }
}

fn huge_filters(c: &mut Corpus) {
    let lists: [(&str, Operation, &str); 3] = [
        ("GET /Users", ListUsers, "/Users"),
        ("GET /Groups", ListGroups, "/Groups"),
        ("POST /.search", Discovery, "/.search"),
    ];
    let at_limit = format!("userName eq \"{}\"", "a".repeat(MAX_FILTER_LEN - "userName eq \"\"".len()));
    let over_limit = format!("userName eq \"{}\"", "a".repeat(MAX_FILTER_LEN + 1 - "userName eq \"\"".len()));
    let grouped = |depth: usize| format!("{}userName eq \"a\"{}", "(".repeat(depth), ")".repeat(depth));
    // `and` and `or` nested: each level is a level of the parsed filter (parentheses alone are not).
    let logic = |depth: usize| {
        (0..depth).fold("userName eq \"x\"".to_string(), |inner, level| {
            format!("(id eq \"1\" {} {inner})", if level % 2 == 0 { "and" } else { "or" })
        })
    };
    let nots = |depth: usize| format!("{}userName eq \"a\"{}", "not (".repeat(depth), ")".repeat(depth));
    let ors = |n: usize| (0..n).map(|i| format!("id eq \"{i}\"")).collect::<Vec<_>>().join(" or ");
    let filters: Vec<(&str, String, Expect)> = vec![
        ("exactly 2048 bytes", at_limit, Expect::Ok),
        ("2049 bytes", over_limit, INVALID_FILTER),
        ("100 KB", format!("userName eq \"{}\"", "b".repeat(100_000)), INVALID_FILTER),
        ("a million parentheses", "(".repeat(1_000_000), INVALID_FILTER),
        ("and/or nested 7 levels", logic(7), ANY),
        ("and/or nested 8 levels", logic(8), INVALID_FILTER),
        ("and/or nested 40 levels", logic(40), INVALID_FILTER),
        ("in 9 parentheses", grouped(9), ANY),
        ("in 64 parentheses", grouped(64), ANY),
        ("in 65 parentheses", grouped(65), ANY),
        ("in 1000 parentheses, under 2048 bytes", grouped(1000), ANY),
        ("1000 open parentheses", format!("{}userName eq \"a\"", "(".repeat(1000)), INVALID_FILTER),
        ("1000 closing parentheses", format!("userName eq \"a\"{}", ")".repeat(1000)), INVALID_FILTER),
        ("not 9 levels", nots(9), INVALID_FILTER),
        ("not 300 levels", nots(300), INVALID_FILTER),
        ("100 comparisons", ors(MAX_FILTER_COMPARISONS), ANY),
        ("101 comparisons", ors(MAX_FILTER_COMPARISONS + 1), INVALID_FILTER),
        ("600 short comparisons", (0..600).map(|_| "id pr").collect::<Vec<_>>().join(" or "), INVALID_FILTER),
        ("300 ands without parentheses", (0..300).map(|_| "id pr").collect::<Vec<_>>().join(" and "), INVALID_FILTER),
        ("nested value paths", format!("{}value eq \"a\"{}", "emails[".repeat(100), "]".repeat(100)), INVALID_FILTER),
        ("a value path in 7 parentheses", format!("emails[{}value eq \"a\"{}]", "(".repeat(7), ")".repeat(7)), ANY),
    ];
    for (i, (what, filter, expect)) in filters.into_iter().enumerate() {
        // API Gateway takes at most 10 240 bytes of request line and headers (and the runtime's
        // URI at most 65 534): a longer filter can only come in a SearchRequest body.
        let routes: Vec<usize> = if filter.len() > 8192 { vec![2] } else { vec![i % 3, (i + 1) % 3] };
        for k in routes {
            let (name, op, path) = lists[k];
            // The 2048-byte filter compares userName: a root search matches users only.
            let call = if op == Discovery {
                Call::post(path, json!({"filter": filter}))
            } else {
                Call::get(path).query("filter", &filter)
            };
            let expect = match (expect, op) {
                (Expect::Ok, ListGroups) => ANY,
                (e, _) => e,
            };
            c.add(Family::HugeFilters, format!("{name}: {what}"), op, call, expect);
        }
    }
}

fn paging(c: &mut Corpus) {
    let query_values: [&str; 26] = [
        "-1",
        "0",
        "1",
        "-9223372036854775808",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551616",
        "99999999999999999999999",
        "1.5",
        "1e3",
        "abc",
        "",
        "  ",
        "0x10",
        "+5",
        "５",
        "NaN",
        "Infinity",
        "2147483647",
        "2147483648",
        "1,2",
        "--1",
        "1 ",
        "\u{0}1",
        "1\r\n",
        "٣",
    ];
    for value in query_values {
        for (parameter, op, path) in [("startIndex", ListUsers, "/Users"), ("count", ListGroups, "/Groups")] {
            let call = Call::get(path).query(parameter, value);
            let expect = match (parameter, value.trim().parse::<i128>()) {
                ("startIndex", Ok(n)) if n > i128::from(MAX_START_INDEX) => INVALID_VALUE,
                (_, Ok(_)) => Expect::Ok,
                _ => ANY,
            };
            c.add(Family::Paging, format!("GET {path}: {parameter}={value:?}"), op, call, expect);
        }
    }
    let body_values: [(&str, Value); 14] = [
        ("-1", json!(-1)),
        ("0", json!(0)),
        ("1.5", json!(1.5)),
        ("1e308", json!(1e308)),
        ("-1e308", json!(-1e308)),
        ("2^63", json!(9_223_372_036_854_775_808_u64)),
        ("u64::MAX", json!(u64::MAX)),
        ("the string \"5\"", json!("5")),
        ("the string \"abc\"", json!("abc")),
        ("null", Value::Null),
        ("true", json!(true)),
        ("an array", json!([1])),
        ("an object", json!({"n": 1})),
        ("2^31", json!(2_147_483_648_u64)),
    ];
    for (what, value) in body_values {
        for (member, op, path) in
            [("startIndex", ListServicePrincipals, "/ServicePrincipals/.search"), ("count", Discovery, "/.search")]
        {
            let call = Call::post(path, json!({"schemas": [SEARCH_REQUEST], member: value}));
            c.add(Family::Paging, format!("POST {path}: {member} {what}"), op, call, ANY);
        }
    }
    let call = Call::get("/Users").query("startIndex", "1").query("startIndex", "99999999999");
    c.add(Family::Paging, "GET /Users: startIndex twice", ListUsers, call, ANY);
    let call = Call::get("/Users").query("count", "5").query("Count", "-5").query("COUNT", "x");
    c.add(Family::Paging, "GET /Users: count three times in three cases", ListUsers, call, ANY);
    let call = Call::get("/Groups").query("startIndex", "0").query("count", "0");
    c.add(Family::Paging, "GET /Groups: startIndex and count 0", ListGroups, call, Expect::Ok);
}

/// `{"value": id}` for each id.
fn member_values(ids: &[String]) -> Vec<Value> {
    ids.iter().map(|id| json!({"value": id})).collect()
}

fn big_patches(c: &mut Corpus) {
    let w = c.world.clone();
    let empty = format!("/Groups/{}", w.empty_group);
    let patch = |ops: Vec<Value>| json!({"schemas": [PATCH_OP_SCHEMA], "Operations": ops});
    let members = member_values(&w.big_members);
    let add = patch(vec![json!({"op": "add", "path": "members", "value": members})]);
    c.add(
        Family::BigPatches,
        "PATCH /Groups/{id}: add 10 000 members",
        PatchGroup,
        Call::patch(&empty, add),
        Expect::Ok,
    );
    let removes: Vec<Value> =
        w.big_members.iter().map(|id| json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")})).collect();
    c.add(
        Family::BigPatches,
        "PATCH /Groups/{id}: remove 10 000 members, one operation each",
        PatchGroup,
        Call::patch(&empty, patch(removes)),
        Expect::Ok,
    );
    let replace = patch(vec![json!({"op": "replace", "path": "members", "value": members})]);
    c.add(
        Family::BigPatches,
        "PATCH /Groups/{id}: replace members with 10 000",
        PatchGroup,
        Call::patch(&empty, replace),
        Expect::Ok,
    );
    let half = member_values(&w.big_members[..BIG / 2]);
    let entra = patch(vec![json!({"op": "Remove", "path": "members", "value": half})]);
    c.add(
        Family::BigPatches,
        "PATCH /Groups/{id}: Entra's removal of 5 000 listed members",
        PatchGroup,
        Call::patch(&empty, entra),
        Expect::Ok,
    );
    let mixed: Vec<Value> = w
        .big_members
        .iter()
        .enumerate()
        .map(|(i, id)| {
            if i % 2 == 0 {
                json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")})
            } else {
                json!({"op": "add", "path": "members", "value": [{"value": id}]})
            }
        })
        .collect();
    c.add(
        Family::BigPatches,
        "PATCH /Groups/{id}: 10 000 operations, adds and removes interleaved",
        PatchGroup,
        Call::patch(&empty, patch(mixed)),
        Expect::Ok,
    );
    let remove_all = patch(vec![json!({"op": "remove", "path": "members"})]);
    c.add(
        Family::BigPatches,
        "PATCH /Groups/{id}: remove all members",
        PatchGroup,
        Call::patch(&empty, remove_all),
        Expect::Ok,
    );
    let add_back = patch(vec![json!({"op": "add", "path": "members", "value": members})]);
    c.add(
        Family::BigPatches,
        "PATCH /Groups/{id}: add them back",
        PatchGroup,
        Call::patch(&empty, add_back),
        Expect::Ok,
    );
    // Over the limits: refused before anything reaches Databricks.
    let ids: Vec<String> = (0..=MAX_MEMBERS_PER_REQUEST).map(|i| (2_000_000 + i).to_string()).collect();
    let over = patch(vec![json!({"op": "add", "path": "members", "value": member_values(&ids)})]);
    c.add(
        Family::BigPatches,
        "PATCH /Groups/{id}: add 15 001 members",
        PatchGroup,
        Call::patch(&empty, over),
        INVALID_VALUE,
    );
    let split: Vec<Value> =
        ids.chunks(5000).map(|chunk| json!({"op": "add", "path": "members", "value": member_values(chunk)})).collect();
    c.add(
        Family::BigPatches,
        "PATCH /Groups/{id}: 15 001 members over four operations",
        PatchGroup,
        Call::patch(&empty, patch(split)),
        INVALID_VALUE,
    );
    let too_many: Vec<Value> =
        (0..=MAX_PATCH_OPERATIONS).map(|_| json!({"op": "replace", "path": "displayName", "value": "x"})).collect();
    c.add(
        Family::BigPatches,
        "PATCH /Groups/{id}: 15 101 operations",
        PatchGroup,
        Call::patch(&empty, patch(too_many)),
        INVALID_VALUE,
    );
    let create = json!({"schemas": [GROUP_SCHEMA], "displayName": c.fresh("big"), "members": member_values(&ids)});
    c.add(
        Family::BigPatches,
        "POST /Groups: 15 001 members",
        CreateGroup,
        Call::post("/Groups", create),
        INVALID_VALUE,
    );
    let put =
        json!({"schemas": [GROUP_SCHEMA], "displayName": "hostile-fixture-empty", "members": member_values(&ids)});
    c.add(Family::BigPatches, "PUT /Groups/{id}: 15 001 members", ReplaceGroup, Call::put(&empty, put), INVALID_VALUE);
    let unknown: Vec<Value> = (0..BIG).map(|_| json!({"op": "copy", "path": "members"})).collect();
    c.add(
        Family::BigPatches,
        "PATCH /Groups/{id}: 10 000 unknown operations",
        PatchGroup,
        Call::patch(&empty, patch(unknown)),
        ANY_EDGE_REFUSAL,
    );
    let users = patch(vec![json!({"op": "add", "path": "groups", "value": member_values(&w.big_members)})]);
    c.add(
        Family::BigPatches,
        "PATCH /Users/{id}: add 10 000 groups",
        PatchUser,
        Call::patch(&format!("/Users/{}", w.user), users),
        ANY,
    );
}

fn patch_ops(c: &mut Corpus) {
    let w = c.world.clone();
    let targets: [(&str, Operation, String); 3] = [
        ("PATCH /Users/{id}", PatchUser, format!("/Users/{}", w.user)),
        ("PATCH /Groups/{id}", PatchGroup, format!("/Groups/{}", w.group)),
        ("PATCH /ServicePrincipals/{id}", PatchServicePrincipal, format!("/ServicePrincipals/{}", w.sp)),
    ];
    let op = |name: Value, path: Value, value: Value| json!({"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": name, "path": path, "value": value}]});
    let bodies: Vec<(&str, Value, Expect)> = vec![
        ("op copy", op(json!("copy"), json!("displayName"), json!("x")), ANY_EDGE_REFUSAL),
        ("op move", op(json!("move"), json!("displayName"), json!("x")), ANY_EDGE_REFUSAL),
        ("op test", op(json!("test"), json!("displayName"), json!("x")), ANY_EDGE_REFUSAL),
        ("op delete", op(json!("delete"), json!("displayName"), json!("x")), ANY_EDGE_REFUSAL),
        ("op with spaces", op(json!(" add "), json!("externalId"), json!("x")), ANY),
        ("op empty", op(json!(""), json!("displayName"), json!("x")), ANY_EDGE_REFUSAL),
        ("op null", op(Value::Null, json!("displayName"), json!("x")), ANY_EDGE_REFUSAL),
        ("op a number", op(json!(1), json!("displayName"), json!("x")), ANY_EDGE_REFUSAL),
        ("op an array", op(json!(["add"]), json!("displayName"), json!("x")), ANY_EDGE_REFUSAL),
        ("op in mixed case", op(json!("rEpLaCe"), json!("externalId"), json!("hostile-external-id")), Expect::Ok),
        ("path unknown", op(json!("replace"), json!("unknownAttribute"), json!("x")), ANY),
        (
            "path an unclosed bracket",
            op(json!("remove"), json!("members[value eq \"1\""), Value::Null),
            ANY_EDGE_REFUSAL,
        ),
        ("path an empty filter", op(json!("remove"), json!("members[]"), Value::Null), ANY_EDGE_REFUSAL),
        (
            "path a filter without a value",
            op(json!("remove"), json!("members[value eq]"), Value::Null),
            ANY_EDGE_REFUSAL,
        ),
        (
            "path a sub-attribute of a filter",
            op(json!("replace"), json!("members[value eq \"1\"].display"), json!("x")),
            ANY,
        ),
        ("path two dots", op(json!("replace"), json!("name..givenName"), json!("x")), ANY),
        (
            "path an unknown schema URN",
            op(json!("replace"), json!("urn:example:unknown:2.0:User:foo"), json!("x")),
            ANY,
        ),
        ("path three levels", op(json!("replace"), json!("emails[type eq \"work\"].value.x"), json!("x")), ANY),
        ("path $ref", op(json!("replace"), json!("$ref"), json!("x")), ANY),
        ("path id", op(json!("replace"), json!("id"), json!("1")), ANY),
        ("path meta.created", op(json!("replace"), json!("meta.created"), json!("x")), ANY),
        ("path schemas", op(json!("replace"), json!("schemas"), json!(["x"])), ANY),
        ("path __proto__", op(json!("add"), json!("__proto__.admin"), json!(true)), ANY),
        (
            "path over 2048 bytes",
            op(json!("replace"), json!("a".repeat(3000)), json!("x")),
            refused(400, Some("invalidPath")),
        ),
        ("path with a NUL", op(json!("replace"), json!("display\u{0}Name"), json!("x")), ANY),
        ("path a number", op(json!("replace"), json!(5), json!("x")), ANY_EDGE_REFUSAL),
        ("path an object", op(json!("replace"), json!({"a": 1}), json!("x")), ANY_EDGE_REFUSAL),
        (
            "path with an or filter",
            op(json!("remove"), json!("members[value eq \"1\" or value eq \"2\"]"), Value::Null),
            ANY_AFTER_READ,
        ),
        (
            "path filter breaking its quotes",
            op(json!("remove"), json!("members[value eq \"1\" ] or [ value pr \"\"]"), Value::Null),
            ANY_EDGE_REFUSAL,
        ),
        ("remove without a path", op(json!("remove"), Value::Null, Value::Null), ANY_EDGE_REFUSAL),
        ("add without a value", json!({"Operations": [{"op": "add", "path": "displayName"}]}), ANY_EDGE_REFUSAL),
        ("a path-less add of an unknown key", op(json!("add"), Value::Null, json!({"unknown": "x"})), ANY),
        ("a path-less replace of a string", op(json!("replace"), Value::Null, json!("x")), ANY_EDGE_REFUSAL),
        (
            "a path-less replace of a URN key with a NUL",
            op(json!("replace"), Value::Null, json!({format!("{ENTERPRISE}:department"): "a\u{0}"})),
            ANY,
        ),
        (
            "schemas missing",
            json!({"Operations": [{"op": "replace", "path": "externalId", "value": "hostile-external-id"}]}),
            ANY,
        ),
        (
            "schemas wrong",
            json!({"schemas": ["urn:example:wrong"], "Operations": [{"op": "replace", "path": "externalId", "value": "x"}]}),
            ANY,
        ),
        (
            "schemas a string",
            json!({"schemas": PATCH_OP_SCHEMA, "Operations": [{"op": "replace", "path": "externalId", "value": "x"}]}),
            ANY,
        ),
        (
            "schemas a number",
            json!({"schemas": [42], "Operations": [{"op": "replace", "path": "externalId", "value": "x"}]}),
            ANY,
        ),
        ("Operations missing", json!({"schemas": [PATCH_OP_SCHEMA]}), ANY_EDGE_REFUSAL),
        ("Operations empty", json!({"schemas": [PATCH_OP_SCHEMA], "Operations": []}), ANY),
        ("Operations an object", json!({"Operations": {"op": "replace", "path": "externalId", "value": "x"}}), ANY),
        ("Operations a string", json!({"Operations": "replace"}), ANY_EDGE_REFUSAL),
        ("Operations holding null", json!({"Operations": [null]}), ANY_EDGE_REFUSAL),
        ("Operations holding a number", json!({"Operations": [42]}), ANY_EDGE_REFUSAL),
        ("Operations holding an array", json!({"Operations": [[{"op": "add"}]]}), ANY_EDGE_REFUSAL),
        (
            "operations in lower case",
            json!({"operations": [{"op": "replace", "path": "externalId", "value": "hostile-external-id"}]}),
            ANY,
        ),
        (
            "a change of userName",
            op(json!("replace"), json!("userName"), json!("someone.else@example.com")),
            ANY_AFTER_READ,
        ),
        ("a change of id", op(json!("replace"), Value::Null, json!({"id": "1"})), ANY),
    ];
    for (i, (what, body, expect)) in bodies.into_iter().enumerate() {
        for k in 0..2 {
            let (name, op, path) = &targets[(i + k) % targets.len()];
            c.add(Family::PatchOps, format!("{name}: {what}"), *op, Call::patch(path, body.clone()), expect);
        }
    }
    // The fixtures keep their names.
    for (name, op, path) in &targets {
        let restore = json!({"Operations": [{"op": "replace", "path": "externalId", "value": "hostile-external-id"}]});
        c.add(
            Family::PatchOps,
            format!("{name}: a plain replace still works"),
            *op,
            Call::patch(path, restore),
            Expect::Ok,
        );
    }
}

fn unknown_paths(c: &mut Corpus) {
    let paths: Vec<(&str, String, &'static str)> = vec![
        ("an unknown resource type", "/Foo".into(), "GET"),
        ("an unknown resource type with an id", "/Foo/1".into(), "DELETE"),
        ("a lower-case resource name", "/users".into(), "GET"),
        ("an upper-case resource name with an id", "/USERS/1".into(), "PATCH"),
        ("Bulk (not offered)", "/Bulk".into(), "POST"),
        ("Me (not offered)", "/Me".into(), "GET"),
        ("Me, deleted", "/Me".into(), "DELETE"),
        ("the SCIM root", "".into(), "GET"),
        ("the SCIM root with a slash", "/".into(), "POST"),
        ("two slashes", "//".into(), "GET"),
        ("an encoded traversal", "/%2e%2e/%2e%2e/etc/passwd".into(), "GET"),
        ("a raw traversal", "/../../etc/passwd".into(), "GET"),
        ("a NUL after the resource", "/Users%00".into(), "GET"),
        ("a .search below an id", "/Users/1/.search".into(), "POST"),
        ("a .search with more", "/.search/x".into(), "POST"),
        ("a .search of an unknown type", "/Foo/.search".into(), "POST"),
        ("a Schemas id that is no schema", "/Schemas/urn:example:unknown".into(), "GET"),
        ("a Schemas id with a traversal", "/Schemas/..%2F..%2FUsers".into(), "GET"),
        ("a very long Schemas id", format!("/Schemas/{}", "s".repeat(10_000)), "GET"),
        ("an unknown ResourceType", "/ResourceTypes/Nope".into(), "GET"),
        ("ResourceTypes of a lower-case type", "/ResourceTypes/uSeR".into(), "GET"),
        ("more below ServiceProviderConfig", "/ServiceProviderConfig/x".into(), "GET"),
        ("ServiceProviderConfigs (RFC 7644's plural)", "/ServiceProviderConfigs".into(), "GET"),
        ("a 10 000-character path", format!("/{}", "p".repeat(10_000)), "GET"),
        ("a deep path", "/a".repeat(2000), "GET"),
        ("a non-ASCII path", "/Üsers/١".into(), "GET"),
        ("an emoji path", "/😀".into(), "PUT"),
        ("a query-looking path", "/Users?filter=userName pr".into(), "GET"),
        ("a fragment-looking path", "/Users#x".into(), "GET"),
        ("a path with CR/LF", "/Users\r\nX-Injected: 1".into(), "GET"),
    ];
    for (what, path, method) in paths {
        // Resource type ids are matched without regard to case: answered.
        let expect = if path == "/ResourceTypes/uSeR" { ANY } else { ANY_EDGE_REFUSAL };
        let call = match method {
            "GET" => Call::get(&path),
            "DELETE" => Call::delete(&path),
            "POST" => Call::post(&path, json!({"schemas": [SEARCH_REQUEST]})),
            "PUT" => Call::put(&path, json!({})),
            _ => Call::patch(&path, json!({"Operations": []})),
        };
        c.add(Family::UnknownPaths, format!("{method} {what}"), Discovery, call, expect);
    }
    // Known discovery endpoints with bodies and parameters they do not take: still answered.
    let call = Call::get("/ServiceProviderConfig").query("filter", "(((((").query("attributes", "\u{0}");
    c.add(Family::UnknownPaths, "GET /ServiceProviderConfig with a broken filter", Discovery, call, ANY);
    let call = Call::get("/Schemas").query("startIndex", "-5").query("count", "abc");
    c.add(Family::UnknownPaths, "GET /Schemas with broken paging", Discovery, call, ANY);
    let call = Call::get("/ResourceTypes/User").raw_body("{{{{");
    c.add(Family::UnknownPaths, "GET /ResourceTypes/User with a broken body", Discovery, call, ANY);
    // The administration routes with odd partners and parameters.
    let call = Call::get("/admin/partners").query("filter", r#"displayName eq "x" or displayName pr"#);
    c.add(Family::UnknownPaths, "GET /admin/partners with a filter", ListPartners, call, ANY_AFTER_READ);
    let call = Call::delete(&format!("/admin/partners/{}", "p".repeat(5000)));
    c.add(
        Family::UnknownPaths,
        "DELETE /admin/partners/{partner}: 5 000 characters",
        DisconnectPartner,
        call,
        INVALID_VALUE,
    );
    let call = Call::delete("/admin/partners/%F0%9F%98%80");
    c.add(Family::UnknownPaths, "DELETE /admin/partners/{partner}: an encoded emoji", DisconnectPartner, call, ANY);
}

/// A JWT-shaped bearer value of this header and payload whose signature is not one.
fn unsigned_jwt(header: &Value, payload: &Value) -> String {
    let encode = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string().as_bytes());
    format!("{}.{}.{}", encode(header), encode(payload), URL_SAFE_NO_PAD.encode(b"not a signature"))
}

fn auth(c: &mut Corpus) {
    let key = SigningKey::new(SIGNING_KEY).expect("the corpus's signing key");
    let other = SigningKey::new("another-signing-key-not-accepted-0123456789").expect("a key");
    let now = token::now();
    let kid = key.kid().to_string();
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": kid});
    let claims = json!({"client_id": "hostile", "iat": now, "exp": now + 600});
    let valid = token::issue(&key, "hostile", now, 600);
    let mut altered = valid.clone();
    altered.pop();
    altered.push(if valid.ends_with('A') { 'B' } else { 'A' });
    let bearer = |t: &str| format!("Bearer {t}");
    let deep_header: Value =
        serde_json::from_str(&format!(r#"{{"alg":"HS256","kid":{}}}"#, nested_arrays(120, "1"))).expect("a header");
    let refusals: Vec<(&str, Option<String>)> = vec![
        ("no Authorization header", None),
        ("an empty header", Some(String::new())),
        ("Bearer alone", Some("Bearer".into())),
        ("Bearer and a space", Some("Bearer ".into())),
        ("Bearer and spaces", Some("Bearer    ".into())),
        ("Basic credentials", Some("Basic c2NpbTpzY2ltLXRlc3QtdG9rZW4=".into())),
        ("the token without a scheme", Some(SCIM_TOKEN.into())),
        ("another scheme", Some(format!("Token {SCIM_TOKEN}"))),
        ("Digest", Some(format!("Digest username=\"{SCIM_TOKEN}\""))),
        ("a tab instead of a space", Some(format!("Bearer\t{SCIM_TOKEN}"))),
        ("Bearer twice", Some(format!("Bearer Bearer {SCIM_TOKEN}"))),
        ("a wrong token", Some(bearer("wrong"))),
        ("the token with one more character", Some(bearer(&format!("{SCIM_TOKEN}x")))),
        ("the token with one character less", Some(bearer(&SCIM_TOKEN[..SCIM_TOKEN.len() - 1]))),
        ("the token in upper case", Some(bearer(&SCIM_TOKEN.to_ascii_uppercase()))),
        ("the token then a comma and another", Some(format!("Bearer {SCIM_TOKEN}, Bearer x"))),
        ("the token with a space inside", Some(bearer(&SCIM_TOKEN.replace('-', " ")))),
        ("the token with a zero-width space", Some(bearer(&format!("{SCIM_TOKEN}\u{200b}")))),
        ("a non-ASCII token", Some(bearer("tökén"))),
        ("a 64 KB token", Some(bearer(&"t".repeat(65_536)))),
        ("a 1 MB token", Some(bearer(&"t".repeat(1_048_576)))),
        ("a JWT-looking garbage token", Some(bearer("eyJhbGciOiJIUzI1NiJ9.eyJjbGllbnRfaWQiOiJ4In0.c2ln"))),
        ("three dots", Some(bearer("..."))),
        ("a.b.c", Some(bearer("a.b.c"))),
        ("a JWT with alg none", Some(bearer(&unsigned_jwt(&json!({"alg": "none", "kid": kid}), &claims)))),
        ("a JWT without a signature", Some(bearer(&format!("{}.", valid.rsplit_once('.').map_or("", |(a, _)| a))))),
        ("a JWT with alg RS256", Some(bearer(&unsigned_jwt(&json!({"alg": "RS256", "kid": kid}), &claims)))),
        ("a JWT with a wrong signature", Some(bearer(&unsigned_jwt(&header, &claims)))),
        ("an altered JWT", Some(bearer(&altered))),
        ("a JWT signed with another key", Some(bearer(&token::issue(&other, "hostile", now, 600)))),
        ("an expired JWT", Some(bearer(&token::issue(&key, "hostile", now - 7200, 600)))),
        ("a JWT issued in the future", Some(bearer(&token::issue(&key, "hostile", now + 86_400, 600)))),
        ("a JWT living a century", Some(bearer(&token::issue(&key, "hostile", now, 100 * 365 * 86_400)))),
        ("a JWT expiring at u64::MAX", Some(bearer(&token::issue(&key, "hostile", u64::MAX - 10, 5)))),
        ("a JWT with a deeply nested header", Some(bearer(&unsigned_jwt(&deep_header, &claims)))),
        (
            "a JWT with a 4 KB kid",
            Some(bearer(&unsigned_jwt(&json!({"alg": "HS256", "kid": "k".repeat(4096)}), &claims))),
        ),
        ("a JWT with four parts", Some(bearer(&format!("{valid}.x")))),
        ("a JWT with padding", Some(bearer(&format!("{}==", valid)))),
        ("a JWT with a non-JSON header", Some(bearer(&format!("{}.e30.x", URL_SAFE_NO_PAD.encode(b"alg"))))),
    ];
    // Every function refuses alike; spread the refusals over all of them.
    for (i, (what, authorization)) in refusals.into_iter().enumerate() {
        for k in 0..2 {
            let op = Operation::ALL[(i * 2 + k) % Operation::ALL.len()];
            let call = sample_call(op, &c.world).authorization(authorization.as_deref());
            c.add(Family::Auth, format!("{}: {what}", op.name()), op, call, UNAUTHORIZED);
        }
    }
    let accepted: Vec<(&str, String)> = vec![
        ("a lower-case scheme", format!("bearer {SCIM_TOKEN}")),
        ("an upper-case scheme", format!("BEARER {SCIM_TOKEN}")),
        ("two spaces", format!("Bearer  {SCIM_TOKEN}")),
        ("a trailing space", format!("Bearer {SCIM_TOKEN} ")),
        ("the next token of a rotation", format!("Bearer next-{SCIM_TOKEN}")),
        ("an access token of the token endpoint", format!("Bearer {valid}")),
    ];
    for (what, authorization) in accepted {
        c.add(
            Family::Auth,
            format!("list-users: {what}"),
            ListUsers,
            Call::get("/Users").authorization(Some(&authorization)),
            Expect::Ok,
        );
    }
    // The header name in odd cases; a second Authorization header beside the right one.
    let call = Call::get("/Users").authorization(None).header("AUTHORIZATION", &format!("Bearer {SCIM_TOKEN}"));
    c.add(Family::Auth, "list-users: the header name in upper case", ListUsers, call, Expect::Ok);
    let call = Call::get("/Users").authorization(None).header("X-Authorization", &format!("Bearer {SCIM_TOKEN}"));
    c.add(Family::Auth, "list-users: the token in another header", ListUsers, call, UNAUTHORIZED);
    let call = Call::get("/Users").query("access_token", SCIM_TOKEN).authorization(None);
    c.add(Family::Auth, "list-users: the token in the query string", ListUsers, call, UNAUTHORIZED);
}

/// A harmless request for each function: the auth cases need the route, not the change.
fn sample_call(op: Operation, w: &World) -> Call {
    match op {
        CreateUser => Call::post("/Users", json!({"userName": "auth-refused@example.com"})),
        GetUser => Call::get(&format!("/Users/{}", w.user)),
        ListUsers => Call::get("/Users"),
        ReplaceUser => Call::put(&format!("/Users/{}", w.user), json!({"userName": World::USER_NAME})),
        PatchUser => Call::patch(
            &format!("/Users/{}", w.user),
            json!({"Operations": [{"op": "replace", "path": "active", "value": false}]}),
        ),
        DeleteUser => Call::delete(&format!("/Users/{}", w.user)),
        CreateGroup => Call::post("/Groups", json!({"displayName": "auth-refused"})),
        GetGroup => Call::get(&format!("/Groups/{}", w.group)),
        ListGroups => Call::get("/Groups"),
        ReplaceGroup => Call::put(&format!("/Groups/{}", w.group), json!({"displayName": "auth-refused"})),
        PatchGroup => {
            Call::patch(&format!("/Groups/{}", w.group), json!({"Operations": [{"op": "remove", "path": "members"}]}))
        }
        DeleteGroup => Call::delete(&format!("/Groups/{}", w.group)),
        CreateServicePrincipal => Call::post("/ServicePrincipals", json!({"displayName": "auth-refused"})),
        GetServicePrincipal => Call::get(&format!("/ServicePrincipals/{}", w.sp)),
        ListServicePrincipals => Call::get("/ServicePrincipals"),
        ReplaceServicePrincipal => {
            Call::put(&format!("/ServicePrincipals/{}", w.sp), json!({"displayName": "auth-refused"}))
        }
        PatchServicePrincipal => Call::patch(
            &format!("/ServicePrincipals/{}", w.sp),
            json!({"Operations": [{"op": "replace", "path": "active", "value": false}]}),
        ),
        DeleteServicePrincipal => Call::delete(&format!("/ServicePrincipals/{}", w.sp)),
        ListPartners => Call::get("/admin/partners"),
        DisconnectPartner => Call::delete("/admin/partners/FIVETRAN"),
        Discovery => Call::post("/.search", json!({"filter": "userName pr"})),
    }
}

fn content_types(c: &mut Corpus) {
    let w = c.world.clone();
    // (what, content type or None for none, whether the body is the valid JSON or the type's own text)
    let long_type = "application/".repeat(700);
    let types: [(&str, Option<&str>, Option<&str>); 12] = [
        ("text/plain with JSON", Some("text/plain"), None),
        ("no Content-Type with JSON", None, None),
        ("application/xml with JSON", Some("application/xml"), None),
        ("application/xml with XML", Some("application/xml"), Some("<User><userName>x@example.com</userName></User>")),
        (
            "a form with a form body",
            Some("application/x-www-form-urlencoded"),
            Some("userName=x%40example.com&displayName=x"),
        ),
        (
            "multipart with a part",
            Some("multipart/form-data; boundary=b"),
            Some("--b\r\nContent-Disposition: form-data; name=\"userName\"\r\n\r\nx\r\n--b--"),
        ),
        ("UTF-16 announced, UTF-8 sent", Some("application/scim+json; charset=utf-16"), None),
        ("a bogus parameter", Some("application/scim+json; boundary=\"x\"; q=0"), None),
        ("a wildcard", Some("*/*"), None),
        ("an empty Content-Type", Some(""), None),
        ("an 8 KB Content-Type", Some(long_type.as_str()), None),
        ("YAML with YAML", Some("application/yaml"), Some("userName: x@example.com\n")),
    ];
    for (what, content_type, text) in types {
        let user_name = c.fresh_user_name();
        let targets: [(&str, Operation, String, Value); 3] = [
            ("POST /Users", CreateUser, "/Users".into(), json!({"schemas": [USER_SCHEMA], "userName": user_name})),
            (
                "PATCH /Groups/{id}",
                PatchGroup,
                format!("/Groups/{}", w.group),
                json!({"Operations": [{"op": "replace", "path": "externalId", "value": "hostile-external-id"}]}),
            ),
            ("POST /.search", Discovery, "/.search".into(), json!({"filter": "displayName eq \"nobody\""})),
        ];
        for (name, op, path, json) in targets {
            let body = text.map_or_else(|| json.to_string(), String::from);
            let mut call = if name.starts_with("PATCH") {
                Call::patch(&path, Value::Null)
            } else {
                Call::post(&path, Value::Null)
            };
            call = call.raw_body(body);
            call = match content_type {
                Some(t) => call.header("Content-Type", t),
                None => call.without_header("Content-Type"),
            };
            // The body is read as JSON whatever the Content-Type says (README): JSON is served,
            // anything else is invalidSyntax.
            let expect = if text.is_some() { INVALID_SYNTAX } else { Expect::Ok };
            c.add(Family::ContentTypes, format!("{name}: {what}"), op, call, expect);
        }
    }
}

fn odd_methods(c: &mut Corpus) {
    let methods = ["HEAD", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "FOO", "get", "delete", "patch"];
    // Every route, with the function the path reaches for its own methods (ids that name
    // nothing, so that no odd method changes a fixture).
    let routes: Vec<(String, Operation)> = vec![
        ("/Users".into(), ListUsers),
        ("/Users/999999999".into(), GetUser),
        ("/Users/.search".into(), ListUsers),
        ("/Groups".into(), ListGroups),
        (format!("/Groups/{}", 999_999_998), GetGroup),
        ("/Groups/.search".into(), ListGroups),
        ("/ServicePrincipals".into(), ListServicePrincipals),
        ("/ServicePrincipals/999999997".into(), GetServicePrincipal),
        ("/ServicePrincipals/.search".into(), ListServicePrincipals),
        ("/ServiceProviderConfig".into(), Discovery),
        ("/Schemas".into(), Discovery),
        ("/ResourceTypes/User".into(), Discovery),
        ("/.search".into(), Discovery),
        ("/admin/partners".into(), ListPartners),
        ("/admin/partners/NOBODY".into(), DisconnectPartner),
    ];
    for method in methods {
        for (path, op) in &routes {
            let call = Call::get(path).method(method);
            // A function handed a method its route does not serve (the gateway never sends one)
            // answers as for its own: a read of an id that names nothing, or of a partner that
            // does not exist, is Databricks' 404.
            let expect = match op {
                DisconnectPartner | GetUser | GetGroup | GetServicePrincipal => ANY_AFTER_READ,
                _ => ANY,
            };
            c.add(Family::OddMethods, format!("{method} {path} to {}", op.name()), *op, call.clone(), expect);
            if !path.starts_with("/admin") && *op != Discovery {
                // What the SCIM proxy route serves: a SCIM 405/404, or the discovery answer.
                c.add(Family::OddMethods, format!("{method} {path} to discovery"), Discovery, call, ANY);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running it

/// What went wrong with one case, if anything.
async fn run(stack: &TestStack, case: &Case) -> Result<(), String> {
    stack.reset_stats().await;
    let event = std::panic::catch_unwind(AssertUnwindSafe(|| stack.event(case.op, &case.call)))
        .map_err(|_| "the gateway event could not be built".to_string())?;
    let (state, op) = (stack.state.clone(), case.op);
    let task = tokio::spawn(async move { op.handle(&state, event).await });
    let response = match tokio::time::timeout(CASE_TIMEOUT, task).await {
        Err(_) => return Err(format!("no answer within {CASE_TIMEOUT:?}")),
        Ok(Err(e)) => return Err(format!("the handler panicked: {e}")),
        Ok(Ok(response)) => response,
    };
    let status = response.status().as_u16();
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from);
    let text = match response.body() {
        Body::Empty => None,
        Body::Text(t) => Some(t.clone()),
        Body::Binary(b) => Some(String::from_utf8(b.clone()).map_err(|_| "a body that is not UTF-8".to_string())?),
        _ => None,
    };
    ensure(status < 500, || format!("status {status}: {}", text.as_deref().unwrap_or_default()))?;
    ensure(status >= 200 && !(300..400).contains(&status), || format!("status {status}"))?;
    let body = match &text {
        Some(t) => {
            ensure(header("content-type").as_deref() == Some("application/scim+json"), || {
                format!("Content-Type {:?}", header("content-type"))
            })?;
            ensure(t.len() <= MAX_RESPONSE_BYTES, || format!("an answer of {} bytes", t.len()))?;
            serde_json::from_str::<Value>(t).map_err(|e| format!("a body that is not JSON ({e})"))?
        }
        None => Value::Null,
    };
    if status >= 400 {
        ensure(body["schemas"] == json!([ERROR]), || format!("not a SCIM Error: {body}"))?;
        ensure(body["status"].as_str() == Some(status.to_string().as_str()), || {
            format!("Error status {}", body["status"])
        })?;
        if let Some(t) = body.get("scimType") {
            ensure(t.as_str().is_some_and(|t| SCIM_TYPES.contains(&t)), || format!("scimType {t}"))?;
        }
        let detail = body["detail"].as_str().unwrap_or_default();
        ensure(detail.len() <= MAX_DETAIL_BYTES, || format!("a detail of {} bytes", detail.len()))?;
        if status == 401 {
            ensure(header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")), || {
                "401 without WWW-Authenticate".into()
            })?;
        }
    }
    if status == 201 {
        ensure(header("location").is_some(), || "201 without Location".into())?;
    }
    if status == 204 {
        ensure(text.is_none(), || "204 with a body".into())?;
    }
    let checked = case.expect.check(status, &body).map_err(|e| format!("{e}; got {status} {}", brief(&body)));
    let requests = stack.target_requests().await;
    checked?;
    check_target_requests(&requests)?;
    if case.expect.edge(status) {
        let calls = stack.target_calls().await;
        ensure(calls == 0, || {
            format!(
                "refused with {status}, but Databricks received {calls} requests: {}",
                brief(&Value::Array(requests))
            )
        })?;
    }
    Ok(())
}

/// A value cut for a failure message.
fn brief(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= 300 { text } else { format!("{}…", text.chars().take(300).collect::<String>()) }
}

/// Databricks requests may only have the shapes the bridge builds: a resource path with an id of
/// 1–19 digits, and query parameters the bridge sets, each once.
fn check_target_requests(requests: &[Value]) -> Result<(), String> {
    const RESOURCES: [&str; 3] = ["Users", "Groups", "ServicePrincipals"];
    const PARAMETERS: [&str; 7] =
        ["filter", "startIndex", "count", "attributes", "excludedAttributes", "created_by_id", "created_by_username"];
    for r in requests {
        let path = r["path"].as_str().unwrap_or_default();
        let account_scim = format!("/api/2.0/accounts/{}/scim/v2/", tests::ACCOUNT_ID);
        let shaped = if let Some(rest) =
            path.strip_prefix("/api/2.0/preview/scim/v2/").or_else(|| path.strip_prefix(account_scim.as_str()))
        {
            let mut parts = rest.split('/');
            let resource = parts.next().unwrap_or_default();
            let id = parts.next();
            RESOURCES.contains(&resource)
                && id.is_none_or(|id| !id.is_empty() && id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit()))
                && parts.next().is_none()
        } else {
            path == "/api/2.0/token-management/tokens"
        };
        ensure(shaped, || format!("Databricks received a request for {path:?}"))?;
        let query = r["query"].as_str().unwrap_or_default();
        let url = reqwest::Url::parse(&format!("http://emulator.invalid/?{query}"))
            .map_err(|e| format!("query {query:?}: {e}"))?;
        let mut seen = Vec::new();
        for (key, _) in url.query_pairs() {
            ensure(PARAMETERS.contains(&key.as_ref()), || {
                format!("Databricks received a query parameter {key:?}: {query}")
            })?;
            ensure(!seen.contains(&key), || format!("Databricks received {key:?} twice: {query}"))?;
            seen.push(key);
        }
    }
    Ok(())
}

/// Which cases of the corpus a run sends.
#[derive(Debug, Clone, Copy)]
enum Selection {
    /// Every case.
    All,
    /// Every case but the 10 000-member PATCHes.
    AllButBigPatches,
    /// Of the cases whose answer may depend on how Databricks answers — all but the huge bodies
    /// and the 10 000-member PATCHes, whose refusals and writes do not — the `n`th of every six:
    /// the six runs of the three other emulator modes × two event shapes send each such case once.
    Sixth(usize),
}

impl Selection {
    fn families(self, family: Family) -> bool {
        match self {
            Selection::All => true,
            Selection::AllButBigPatches => family != Family::BigPatches,
            Selection::Sixth(_) => !matches!(family, Family::BigPatches | Family::HugeJson),
        }
    }

    fn keeps(self, index: usize) -> bool {
        match self {
            Selection::Sixth(n) => index % 6 == n,
            Selection::All | Selection::AllButBigPatches => true,
        }
    }
}

/// Runs the selected cases of the corpus and reports every failing case at once, by family.
async fn run_corpus(mode: Mode, shape: Shape, selection: Selection) {
    let keys = json!({"current": SIGNING_KEY}).to_string();
    let stack = TestStack::start_with(mode, shape, |c| c, &[("OAUTH_SIGNING_KEYS", &keys)]).await;
    let world = World::build(&stack, selection.families(Family::BigPatches)).await;
    let table: Vec<Case> = corpus(world)
        .into_iter()
        .filter(|c| selection.families(c.family))
        .enumerate()
        .filter(|(i, _)| selection.keeps(*i))
        .map(|(_, c)| c)
        .collect();
    let started = Instant::now();
    let mut failures: BTreeMap<Family, Vec<String>> = BTreeMap::new();
    let mut slowest = (Duration::ZERO, String::new());
    for case in &table {
        let one = Instant::now();
        if let Err(why) = run(&stack, case).await {
            failures.entry(case.family).or_default().push(format!("  - {}: {why}", case.name));
        }
        if one.elapsed() > slowest.0 {
            slowest = (one.elapsed(), case.name.clone());
        }
    }
    let failed: usize = failures.values().map(Vec::len).sum();
    let mut report = String::new();
    for (family, lines) in &failures {
        let _ = writeln!(report, "{family:?} ({} failed):\n{}", lines.len(), lines.join("\n"));
    }
    assert!(
        failed == 0,
        "{failed} of {} hostile cases failed ({mode:?} mode, {shape:?} events, {selection:?}; {:.1} s, slowest {:.1?} {}):\n{report}",
        table.len(),
        started.elapsed().as_secs_f64(),
        slowest.0,
        slowest.1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hostile_corpus_default_mode_rest_api() {
    run_corpus(Mode::Default, Shape::RestV1, Selection::All).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hostile_corpus_default_mode_http_api() {
    run_corpus(Mode::Default, Shape::HttpV2, Selection::AllButBigPatches).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sixth_of_the_hostile_corpus_no_content_writes_rest_api() {
    run_corpus(Mode::NoContentWrites, Shape::RestV1, Selection::Sixth(0)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sixth_of_the_hostile_corpus_no_content_writes_http_api() {
    run_corpus(Mode::NoContentWrites, Shape::HttpV2, Selection::Sixth(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sixth_of_the_hostile_corpus_resource_writes_rest_api() {
    run_corpus(Mode::ResourceWrites, Shape::RestV1, Selection::Sixth(2)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sixth_of_the_hostile_corpus_resource_writes_http_api() {
    run_corpus(Mode::ResourceWrites, Shape::HttpV2, Selection::Sixth(3)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sixth_of_the_hostile_corpus_seed_quirks_mode_rest_api() {
    run_corpus(Mode::SeedQuirks, Shape::RestV1, Selection::Sixth(4)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sixth_of_the_hostile_corpus_seed_quirks_mode_http_api() {
    run_corpus(Mode::SeedQuirks, Shape::HttpV2, Selection::Sixth(5)).await;
}

#[test]
fn the_corpus_has_at_least_300_cases_with_unique_names_in_every_family() {
    let table = corpus(World::placeholder());
    let mut names = std::collections::BTreeSet::new();
    let mut per_family: BTreeMap<Family, usize> = BTreeMap::new();
    for case in &table {
        assert!(names.insert(format!("{:?}/{}", case.family, case.name)), "two cases are named {}", case.name);
        *per_family.entry(case.family).or_default() += 1;
    }
    assert_eq!(per_family.len(), 16, "every family has cases: {per_family:?}");
    assert!(table.len() >= 300, "at least 300 cases, found {}", table.len());
}
