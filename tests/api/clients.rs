//! What identity platforms really send (docs/identity-platforms.md), as data and one runner.
//! Each case states the client's request as the client sends it (raw JSON; large bodies live in
//! `tests/fixtures/clients/`), the SCIM answer it must get, the exact Databricks calls the
//! bridge may make for it, and — where the case is about the translation — what the bridge
//! sent to Databricks, each as an [`Expect`]: a datum the one runner ([`run`]) checks. The
//! table runs in both emulator modes with both gateway event shapes; where the seed-quirks
//! target legitimately differs (docs/design.md §4) the case says so.
//!
//! Placeholders `{{u0}}`, `{{g1}}`, … in paths, queries, bodies and expectations stand for the
//! ids of the users and groups the case's setup created; `&["u0", "g1"]` in an expectation
//! names them too. Every case starts from an empty workspace.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};
use tests::Operation;
use tests::{Answer, Call, Mode, TestStack, in_every_mode};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Where the enterprise extension would be in a User (a JSON pointer).
const ENTERPRISE_AT: &str = "/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

const GET_USERS: (&str, &str) = ("GET", "Users");
const POST_USERS: (&str, &str) = ("POST", "Users");
const PATCH_USERS: (&str, &str) = ("PATCH", "Users");
const DELETE_USERS: (&str, &str) = ("DELETE", "Users");
const GET_GROUPS: (&str, &str) = ("GET", "Groups");
const POST_GROUPS: (&str, &str) = ("POST", "Groups");
const PATCH_GROUPS: (&str, &str) = ("PATCH", "Groups");
const DELETE_GROUPS: (&str, &str) = ("DELETE", "Groups");
/// Marks a read the bridge makes after a write to answer with the resource: Databricks
/// answers PUT and PATCH with `{}` (or 204), so the read happens in every mode but the one
/// where the emulator answers writes with the resource.
const AFTER_WRITE: &str = " after a write";
/// docs/design.md §4: a target that hides inactive users cannot show a user it just deactivated; the
/// applied change answers 204 (RFC 7644 §3.5.2 allows it).
const HIDDEN_AFTER_DEACTIVATION: &str =
    "the seed target hides the user it just deactivated: the applied change answers 204";
const READ_USER_AFTER_WRITE: (&str, &str) = ("GET", "Users after a write");
const READ_GROUP_AFTER_WRITE: (&str, &str) = ("GET", "Groups after a write");
/// The modes whose target keeps inactive users visible (all but seed-quirks).
const SHOWS_INACTIVE: &[Mode] = &[Mode::Default, Mode::NoContentWrites, Mode::ResourceWrites];

/// Who sends the request (the table of docs/identity-platforms.md it comes from).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Client {
    /// Entra ID provisioning without `aadOptscim062020` (rows EN-).
    Entra,
    /// Entra ID with `aadOptscim062020` in the Tenant URL (rows EN-).
    EntraFlag,
    /// Entra ID lookups, Test Connection, soft-deleted users (rows EN-).
    EntraLookup,
    /// Okta OIN and custom (AIW) apps, user and group push (rows OK-).
    Okta,
    /// One Identity Starling / Identity Manager full sync (rows OI-).
    OneIdentity,
    /// Any RFC 7644 client (rows RFC-).
    Rfc,
}

/// A request body kept in `tests/fixtures/clients/`.
#[derive(Debug, Clone, Copy)]
struct Fixture {
    name: &'static str,
    text: &'static str,
}

macro_rules! fixture {
    ($name:literal) => {
        Fixture { name: $name, text: include_str!(concat!("../fixtures/clients/", $name)) }
    };
}

/// A failed expectation, with what was seen.
macro_rules! ensure {
    ($cond:expr, $($why:tt)+) => {
        if !$cond {
            return Err(format!($($why)+));
        }
    };
}

/// A request body: raw JSON in the table, or a fixture file.
#[derive(Debug, Clone, Copy)]
enum Payload {
    None,
    Inline(&'static str),
    File(Fixture),
}

impl From<&'static str> for Payload {
    fn from(text: &'static str) -> Payload {
        Payload::Inline(text)
    }
}

impl From<Fixture> for Payload {
    fn from(fixture: Fixture) -> Payload {
        Payload::File(fixture)
    }
}

/// One client request.
#[derive(Debug, Clone)]
struct Req {
    method: &'static str,
    path: &'static str,
    query: Vec<(&'static str, &'static str)>,
    body: Payload,
    /// `None`: `application/scim+json`.
    content_type: Option<&'static str>,
    /// `None`: the case's status.
    status: Option<u16>,
}

/// The function API Gateway sends a request to (template.yaml), from its method and path.
fn operation(method: &str, path: &str) -> Result<Operation, String> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let operation = match (method, segments.as_slice()) {
        ("GET", ["Users"]) => Operation::ListUsers,
        ("POST", ["Users"]) => Operation::CreateUser,
        ("GET", ["Users", _]) => Operation::GetUser,
        ("PUT", ["Users", _]) => Operation::ReplaceUser,
        ("PATCH", ["Users", _]) => Operation::PatchUser,
        ("DELETE", ["Users", _]) => Operation::DeleteUser,
        ("GET", ["Groups"]) => Operation::ListGroups,
        ("POST", ["Groups"]) => Operation::CreateGroup,
        ("GET", ["Groups", _]) => Operation::GetGroup,
        ("PUT", ["Groups", _]) => Operation::ReplaceGroup,
        ("PATCH", ["Groups", _]) => Operation::PatchGroup,
        ("DELETE", ["Groups", _]) => Operation::DeleteGroup,
        _ => return Err(format!("the table sends {method} {path}, which no client-case function serves")),
    };
    Ok(operation)
}

impl Req {
    fn call(&self, ctx: &Ctx) -> Result<(Operation, Call), String> {
        let path = ctx.fill(self.path)?;
        let body = match self.body {
            Payload::None => None,
            Payload::Inline(text) => Some(ctx.json(text)?),
            Payload::File(f) => Some(ctx.json(f.text)?),
        };
        let mut call = match (self.method, body) {
            ("POST", Some(b)) => Call::post(&path, b),
            ("PUT", Some(b)) => Call::put(&path, b),
            ("PATCH", Some(b)) => Call::patch(&path, b),
            ("DELETE", None) => Call::delete(&path),
            ("GET", None) => Call::get(&path),
            (method, body) => return Err(format!("the table sends {method} with body {body:?}")),
        };
        for (key, value) in &self.query {
            call = call.query(key, &ctx.fill(value)?);
        }
        if let Some(content_type) = self.content_type {
            call.content_type = content_type;
        }
        Ok((operation(self.method, self.path)?, call))
    }
}

/// Users and groups a case needs before its request.
#[derive(Debug, Clone, Default)]
struct Setup {
    /// userNames, or whole `POST /Users` bodies (starting with `{`); ids become `u0`, `u1`, …
    users: Vec<&'static str>,
    /// Users (by index) deactivated after the groups are made.
    inactive: Vec<usize>,
    /// displayName and members (`u0`, `g0`, …); ids become `g0`, `g1`, …
    groups: Vec<(&'static str, Vec<&'static str>)>,
}

/// Ids made by the setup.
#[derive(Debug, Default)]
struct Ctx {
    ids: BTreeMap<String, String>,
}

impl Ctx {
    fn fill(&self, text: &str) -> Result<String, String> {
        let mut out = text.to_string();
        for (key, id) in &self.ids {
            out = out.replace(&format!("{{{{{key}}}}}"), id);
        }
        if out.contains("{{") { Err(format!("a placeholder has no setup: {out}")) } else { Ok(out) }
    }

    fn json(&self, text: &str) -> Result<Value, String> {
        serde_json::from_str(&self.fill(text)?).map_err(|e| format!("the table holds invalid JSON: {e}"))
    }

    fn id(&self, key: &str) -> Result<&str, String> {
        self.ids.get(key).map(String::as_str).ok_or_else(|| format!("no setup for '{key}'"))
    }
}

/// The seed-quirks target's own behaviour showing through (docs/design.md §4).
#[derive(Debug, Clone, Copy)]
struct SeedDifference {
    status: u16,
    why: &'static str,
}

// ---------------------------------------------------------------------------------------------
// What a case expects, as data. `at` is a JSON pointer (RFC 6901) into the answer, the body sent
// to Databricks, or the resource Databricks holds; `json` is JSON text with placeholders; `keys`
// name setup ids (`"u0"`, `"g1"`). Each carries the reason it is stated, shown when it fails.

#[derive(Debug, Clone)]
enum Expect {
    // The (last) answer's body.
    /// The value at `at` equals `json`.
    AnswerIs { at: &'static str, json: &'static str, why: &'static str },
    /// The value at `at` is not `json`.
    AnswerIsNot { at: &'static str, json: &'static str, why: &'static str },
    /// Nothing is at `at`.
    AnswerLacks { at: &'static str, why: &'static str },
    /// A non-empty string is at `at`.
    AnswerHasText { at: &'static str, why: &'static str },
    /// A non-negative integer is at `at`.
    AnswerIsU64 { at: &'static str, why: &'static str },
    /// The text at `at` (empty when absent) does not contain `text`.
    AnswerTextLacks { at: &'static str, text: &'static str, why: &'static str },
    /// The text at `at` ends with `suffix`.
    AnswerTextEndsWith { at: &'static str, suffix: &'static str, why: &'static str },
    /// The array at `at` contains `json`.
    AnswerListContains { at: &'static str, json: &'static str, why: &'static str },
    /// The sorted `value`s of the multi-valued attribute at `at` are the ids of `keys`.
    AnswerValues { at: &'static str, keys: &'static [&'static str], why: &'static str },
    /// The sorted `value`s of the multi-valued attribute at `at` are `values`.
    AnswerValueStrings { at: &'static str, values: &'static [&'static str], why: &'static str },
    /// The object at `at` has exactly these keys.
    AnswerKeys { at: &'static str, keys: &'static [&'static str], why: &'static str },
    /// A ListResponse's resources are the ids of `keys`, in this order.
    Listed { keys: &'static [&'static str], why: &'static str },
    /// The listed resource with the id of `key` has `json` at `at`.
    ListedResourceIs { key: &'static str, at: &'static str, json: &'static str, why: &'static str },
    /// A ListResponse's resources are the ids of `keys`, in any order.
    ListedInAnyOrder { keys: &'static [&'static str], why: &'static str },
    /// A group PATCH answer may leave members out (docs/design.md §5; OK-10, EN-12) or show
    /// them because the PATCH changed them (README); when it shows them, they are the new list.
    MembersIfAnswered { keys: &'static [&'static str] },
    /// The check applied to the `n`-th answer instead of the last.
    OnAnswer { n: usize, expect: Box<Expect> },
    // Pages: answers 0 to `pages - 1` are the pages of one listing.
    /// Two answers list the same ids in the same order.
    SameListing { a: usize, b: usize, why: &'static str },
    /// The pages list this many resources each.
    PageSizes { sizes: &'static [usize] },
    /// Together the pages list the ids of `keys`, each once.
    ListedAcrossPages { pages: usize, keys: &'static [&'static str], why: &'static str },
    /// The resource with the id of `key`, found on one of the pages, has `json` at `at`.
    PagedResourceIs { pages: usize, key: &'static str, at: &'static str, json: &'static str, why: &'static str },
    /// The resource with the id of `key`, found on one of the pages, has these member `value`s.
    PagedResourceValues {
        pages: usize,
        key: &'static str,
        at: &'static str,
        keys: &'static [&'static str],
        why: &'static str,
    },
    // What reached Databricks.
    /// The first Databricks PATCH carried exactly these operations, in this order.
    Ops { json: &'static str },
    /// The same, in any order (path-less value objects have no order).
    OpsInAnyOrder { json: &'static str },
    /// The first Databricks PATCH carried this operation.
    OpSent { json: &'static str, why: &'static str },
    /// No operation of the first Databricks PATCH has this path.
    NoOpOn { path: &'static str, why: &'static str },
    /// The body of the first Databricks request of `method` has `json` at `at`.
    SentIs { method: &'static str, at: &'static str, json: &'static str, why: &'static str },
    /// ... has nothing at `at`.
    SentLacks { method: &'static str, at: &'static str, why: &'static str },
    /// ... has the ids of `keys` as the sorted `value`s at `at`.
    SentValues { method: &'static str, at: &'static str, keys: &'static [&'static str], why: &'static str },
    /// The decoded query parameter `key` of the `n`-th Databricks request (`None`: absent).
    Param { n: usize, key: &'static str, value: Option<&'static str>, why: &'static str },
    /// The `filter` of the `n`-th Databricks request.
    FilterSent { n: usize, filter: &'static str },
    /// The comma-separated parameter `key` of the `n`-th request is this set.
    ParamSet { n: usize, key: &'static str, values: &'static [&'static str], why: &'static str },
    /// The `n`-th request's `excludedAttributes` name (or, `false`, do not name) `attribute`.
    Excluded { n: usize, attribute: &'static str, excluded: bool, why: &'static str },
    /// No Databricks request of this method.
    NoRequest { method: &'static str, why: &'static str },
    // What Databricks holds after the case.
    /// The group of `group` has the ids of `keys` as members.
    Members { group: &'static str, keys: &'static [&'static str], why: &'static str },
    /// The user of `key` has `json` at `at`.
    UserIs { key: &'static str, at: &'static str, json: &'static str, why: &'static str },
    /// The group of `key` has `json` at `at`.
    GroupIs { key: &'static str, at: &'static str, json: &'static str, why: &'static str },
    /// The group of `key` no longer exists.
    GroupGone { key: &'static str, why: &'static str },
    /// Databricks holds this many users.
    UsersHeld { count: usize, why: &'static str },
    // Modes.
    /// The check holds in these emulator modes only (docs/design.md §4).
    InModes { modes: &'static [Mode], expect: Box<Expect> },
}

use Expect::*;

fn answer_is(at: &'static str, json: &'static str, why: &'static str) -> Expect {
    AnswerIs { at, json, why }
}
fn answer_is_not(at: &'static str, json: &'static str, why: &'static str) -> Expect {
    AnswerIsNot { at, json, why }
}
fn answer_lacks(at: &'static str, why: &'static str) -> Expect {
    AnswerLacks { at, why }
}
fn answer_has_text(at: &'static str, why: &'static str) -> Expect {
    AnswerHasText { at, why }
}
fn answer_is_u64(at: &'static str, why: &'static str) -> Expect {
    AnswerIsU64 { at, why }
}
fn listed_resource_is(key: &'static str, at: &'static str, json: &'static str, why: &'static str) -> Expect {
    ListedResourceIs { key, at, json, why }
}
fn answer_text_lacks(at: &'static str, text: &'static str, why: &'static str) -> Expect {
    AnswerTextLacks { at, text, why }
}
fn answer_text_ends_with(at: &'static str, suffix: &'static str, why: &'static str) -> Expect {
    AnswerTextEndsWith { at, suffix, why }
}
fn answer_list_contains(at: &'static str, json: &'static str, why: &'static str) -> Expect {
    AnswerListContains { at, json, why }
}
fn answer_values(at: &'static str, keys: &'static [&'static str], why: &'static str) -> Expect {
    AnswerValues { at, keys, why }
}
fn answer_value_strings(at: &'static str, values: &'static [&'static str], why: &'static str) -> Expect {
    AnswerValueStrings { at, values, why }
}
fn answer_keys(at: &'static str, keys: &'static [&'static str], why: &'static str) -> Expect {
    AnswerKeys { at, keys, why }
}
fn listed(keys: &'static [&'static str], why: &'static str) -> Expect {
    Listed { keys, why }
}
fn listed_in_any_order(keys: &'static [&'static str], why: &'static str) -> Expect {
    ListedInAnyOrder { keys, why }
}
fn members_if_answered(keys: &'static [&'static str]) -> Expect {
    MembersIfAnswered { keys }
}
fn on_answer(n: usize, expect: Expect) -> Expect {
    OnAnswer { n, expect: Box::new(expect) }
}
fn same_listing(a: usize, b: usize, why: &'static str) -> Expect {
    SameListing { a, b, why }
}
fn page_sizes(sizes: &'static [usize]) -> Expect {
    PageSizes { sizes }
}
fn listed_across_pages(pages: usize, keys: &'static [&'static str], why: &'static str) -> Expect {
    ListedAcrossPages { pages, keys, why }
}
fn paged_resource_is(
    pages: usize,
    key: &'static str,
    at: &'static str,
    json: &'static str,
    why: &'static str,
) -> Expect {
    PagedResourceIs { pages, key, at, json, why }
}
fn paged_resource_values(
    pages: usize,
    key: &'static str,
    at: &'static str,
    keys: &'static [&'static str],
    why: &'static str,
) -> Expect {
    PagedResourceValues { pages, key, at, keys, why }
}
fn ops(json: &'static str) -> Expect {
    Ops { json }
}
fn ops_in_any_order(json: &'static str) -> Expect {
    OpsInAnyOrder { json }
}
fn op_sent(json: &'static str, why: &'static str) -> Expect {
    OpSent { json, why }
}
fn no_op_on(path: &'static str, why: &'static str) -> Expect {
    NoOpOn { path, why }
}
fn sent_is(method: &'static str, at: &'static str, json: &'static str, why: &'static str) -> Expect {
    SentIs { method, at, json, why }
}
fn sent_lacks(method: &'static str, at: &'static str, why: &'static str) -> Expect {
    SentLacks { method, at, why }
}
fn sent_values(method: &'static str, at: &'static str, keys: &'static [&'static str], why: &'static str) -> Expect {
    SentValues { method, at, keys, why }
}
fn param(n: usize, key: &'static str, value: Option<&'static str>, why: &'static str) -> Expect {
    Param { n, key, value, why }
}
fn filter_sent(n: usize, filter: &'static str) -> Expect {
    FilterSent { n, filter }
}
fn param_set(n: usize, key: &'static str, values: &'static [&'static str], why: &'static str) -> Expect {
    ParamSet { n, key, values, why }
}
fn excluded(n: usize, attribute: &'static str, why: &'static str) -> Expect {
    Excluded { n, attribute, excluded: true, why }
}
fn not_excluded(n: usize, attribute: &'static str, why: &'static str) -> Expect {
    Excluded { n, attribute, excluded: false, why }
}
fn no_request(method: &'static str, why: &'static str) -> Expect {
    NoRequest { method, why }
}
fn members(group: &'static str, keys: &'static [&'static str], why: &'static str) -> Expect {
    Members { group, keys, why }
}
fn user_is(key: &'static str, at: &'static str, json: &'static str, why: &'static str) -> Expect {
    UserIs { key, at, json, why }
}
fn group_is(key: &'static str, at: &'static str, json: &'static str, why: &'static str) -> Expect {
    GroupIs { key, at, json, why }
}
fn group_gone(key: &'static str, why: &'static str) -> Expect {
    GroupGone { key, why }
}
fn users_held(count: usize, why: &'static str) -> Expect {
    UsersHeld { count, why }
}
fn in_modes(modes: &'static [Mode], expect: Expect) -> Expect {
    InModes { modes, expect: Box::new(expect) }
}

/// One row of the table.
struct Case {
    client: Client,
    name: &'static str,
    setup: Setup,
    calls: Vec<Req>,
    status: u16,
    scim_type: Option<&'static str>,
    seed: Option<SeedDifference>,
    /// Checks of the answer (none for a 204).
    body: Vec<Expect>,
    target: Vec<(&'static str, &'static str)>,
    /// Databricks calls in seed-quirks mode, when its target behaves differently (docs/design.md §4).
    seed_target: Option<Vec<(&'static str, &'static str)>>,
    /// Checks of what reached and what is held in Databricks.
    sent: Vec<Expect>,
    /// How the case goes against the account target (docs/account-target.md).
    account: OnAccount,
}

/// What changes when the bridge provisions the Databricks account instead of the workspace.
#[derive(Clone, Debug, Default)]
enum OnAccount {
    /// Nothing: the same answers and Databricks calls.
    #[default]
    Same,
    /// The case writes a workspace-only attribute (entitlements, parent groups): its first call
    /// is refused `400 invalidValue` and nothing is written.
    Refused,
    /// The same answers, with these Databricks calls (group lists read each group's members).
    Calls(Vec<(&'static str, &'static str)>),
    /// The case checks what only the workspace API holds (a user's `groups`): not run.
    WorkspaceOnly(&'static str),
}

fn case(client: Client, name: &'static str) -> Case {
    Case {
        client,
        name,
        setup: Setup::default(),
        calls: Vec::new(),
        status: 200,
        scim_type: None,
        seed: None,
        body: Vec::new(),
        target: Vec::new(),
        seed_target: None,
        sent: Vec::new(),
        account: OnAccount::Same,
    }
}

impl Case {
    fn users(mut self, users: &[&'static str]) -> Case {
        self.setup.users.extend_from_slice(users);
        self
    }
    fn inactive(mut self, users: &[usize]) -> Case {
        self.setup.inactive.extend_from_slice(users);
        self
    }
    fn group(mut self, name: &'static str, members: &[&'static str]) -> Case {
        self.setup.groups.push((name, members.to_vec()));
        self
    }
    fn request(mut self, method: &'static str, path: &'static str, body: Payload) -> Case {
        self.calls.push(Req { method, path, query: Vec::new(), body, content_type: None, status: None });
        self
    }
    fn get(self, path: &'static str) -> Case {
        self.request("GET", path, Payload::None)
    }
    fn delete(self, path: &'static str) -> Case {
        self.request("DELETE", path, Payload::None)
    }
    fn post(self, path: &'static str, body: impl Into<Payload>) -> Case {
        self.request("POST", path, body.into())
    }
    fn put(self, path: &'static str, body: impl Into<Payload>) -> Case {
        self.request("PUT", path, body.into())
    }
    fn patch(self, path: &'static str, body: impl Into<Payload>) -> Case {
        self.request("PATCH", path, body.into())
    }
    /// A query parameter on the last request.
    fn query(mut self, key: &'static str, value: &'static str) -> Case {
        if let Some(last) = self.calls.last_mut() {
            last.query.push((key, value));
        }
        self
    }
    /// The last request's body goes as `application/json`.
    fn plain_json(self) -> Case {
        self.content_type("application/json")
    }
    /// The last request's body goes with this Content-Type.
    fn content_type(mut self, content_type: &'static str) -> Case {
        if let Some(last) = self.calls.last_mut() {
            last.content_type = Some(content_type);
        }
        self
    }
    /// The last request expects this status instead of the case's.
    fn then_answers(mut self, status: u16) -> Case {
        if let Some(last) = self.calls.last_mut() {
            last.status = Some(status);
        }
        self
    }
    /// Against the account target, the first call is refused (workspace-only attributes).
    fn refused_on_account(mut self) -> Case {
        self.account = OnAccount::Refused;
        self
    }
    /// Against the account target, these Databricks calls.
    fn account_calls(mut self, calls: &[(&'static str, &'static str)]) -> Case {
        self.account = OnAccount::Calls(calls.to_vec());
        self
    }
    /// Not run against the account target, for this reason.
    fn workspace_only(mut self, why: &'static str) -> Case {
        self.account = OnAccount::WorkspaceOnly(why);
        self
    }
    fn answers(mut self, status: u16) -> Case {
        self.status = status;
        self
    }
    fn error(mut self, status: u16, scim_type: &'static str) -> Case {
        self.status = status;
        self.scim_type = Some(scim_type);
        self
    }
    /// The seed-quirks target answers differently, for the reason given (docs/design.md §4).
    fn seed_quirks(mut self, status: u16, why: &'static str) -> Case {
        self.seed = Some(SeedDifference { status, why });
        self
    }
    /// What the answer holds.
    fn body(mut self, checks: impl IntoIterator<Item = Expect>) -> Case {
        self.body.extend(checks);
        self
    }
    /// The exact Databricks calls, in order.
    fn calls(mut self, target: &[(&'static str, &'static str)]) -> Case {
        self.target = target.to_vec();
        self
    }
    /// The exact Databricks calls in seed-quirks mode, where they differ (docs/design.md §4).
    fn seed_quirks_calls(mut self, target: &[(&'static str, &'static str)]) -> Case {
        self.seed_target = Some(target.to_vec());
        self
    }
    /// What reached Databricks and what it holds afterwards.
    fn sent(mut self, checks: impl IntoIterator<Item = Expect>) -> Case {
        self.sent.extend(checks);
        self
    }
    fn fixtures(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.calls.iter().filter_map(|r| match r.body {
            Payload::File(f) => Some(f.name),
            _ => None,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The table

fn cases() -> Vec<Case> {
    let mut all = Vec::new();
    all.extend(entra_cases());
    all.extend(entra_flag_cases());
    all.extend(entra_lookup_cases());
    all.extend(okta_cases());
    all.extend(one_identity_cases());
    all.extend(rfc_cases());
    all
}

/// Entra ID without `aadOptscim062020` (docs/identity-platforms.md EN-1 to EN-8).
fn entra_cases() -> Vec<Case> {
    use Client::Entra;
    vec![
        case(Entra, "entra_disables_a_user_with_capitalised_replace_and_the_string_false")
            .users(&["ann.lee@contoso.com"])
            .patch("/Users/{{u0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Replace","path":"active","value":"False"}]}"#)
            .seed_quirks(204, HIDDEN_AFTER_DEACTIVATION)
            .body([
                answer_is("/active", "false", "the answer shows the user disabled"),
                answer_is("/id", r#""{{u0}}""#, "the answer is the user"),
            ])
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent([
                ops(r#"[{"op":"replace","path":"active","value":"false"}]"#),
                user_is("u0", "/active", "false", "Databricks holds the user inactive"),
            ]),
        case(Entra, "entra_add_on_the_single_valued_active_is_a_replace")
            .users(&["ann.lee@contoso.com"])
            .patch("/Users/{{u0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Add","path":"active","value":"False"}]}"#)
            .seed_quirks(204, HIDDEN_AFTER_DEACTIVATION)
            .body([answer_is("/active", "false", "add on active replaces it")])
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent([ops(r#"[{"op":"replace","path":"active","value":"false"}]"#)]),
        case(Entra, "entra_multi_valued_update_changes_the_family_name_and_leaves_the_derived_email")
            .users(&["ann.lee@contoso.com"])
            .patch("/Users/{{u0}}", fixture!("entra/update-user-multi-valued.json"))
            .body([
                answer_is("/name/familyName", r#""updatedFamilyName""#, "the new family name is answered"),
                answer_is("/userName", r#""ann.lee@contoso.com""#, "the userName (and so the e-mail) is unchanged"),
            ])
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent([ops(r#"[{"op":"replace","path":"name.familyName","value":"updatedFamilyName"}]"#)]),
        case(Entra, "entra_replace_of_the_user_name_with_the_same_value_in_other_case_is_accepted")
            .users(&["ann.lee@contoso.com"])
            .patch("/Users/{{u0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Replace","path":"userName","value":"Ann.Lee@Contoso.com"}]}"#)
            .body([answer_is("/userName", r#""ann.lee@contoso.com""#, "the user is answered unchanged")])
            // Nothing to write: one full read both checks the immutable userName and answers.
            .calls(&[GET_USERS]),
        case(Entra, "entra_changing_the_user_name_is_400_mutability")
            .users(&["ann.lee@contoso.com"])
            .patch("/Users/{{u0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Replace","path":"userName","value":"ann.smith@contoso.com"}]}"#)
            .error(400, "mutability")
            .calls(&[GET_USERS])
            .sent([user_is("u0", "/userName", r#""ann.lee@contoso.com""#, "Databricks keeps the userName")]),
        case(Entra, "entra_adds_members_whose_ref_is_null")
            .users(&["ann.lee@contoso.com", "bo.chen@contoso.com"])
            .group("Sales EMEA", &[])
            .patch("/Groups/{{g0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"{{u0}}"},{"$ref":null,"value":"{{u1}}"}]}]}"#)
            .body([members_if_answered(&["u0", "u1"])])
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([
                ops(r#"[{"op":"add","path":"members","value":[{"value":"{{u0}}"},{"value":"{{u1}}"}]}]"#),
                members("g0", &["u0", "u1"], "both are members in Databricks"),
            ]),
        case(Entra, "entra_value_list_remove_removes_only_the_listed_member")
            .users(&["ann.lee@contoso.com", "bo.chen@contoso.com"])
            .group("Sales EMEA", &["u0", "u1"])
            .patch("/Groups/{{g0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"{{u0}}"}]}]}"#)
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([
                ops(r#"[{"op":"remove","path":"members[value eq \"{{u0}}\"]"}]"#),
                members("g0", &["u1"], "only the listed member left the group"),
            ]),
        case(Entra, "entra_adds_and_removes_several_members_in_one_patch_with_one_databricks_call")
            .users(&["a@contoso.com", "b@contoso.com", "c@contoso.com", "d@contoso.com", "e@contoso.com"])
            .group("Sales EMEA", &["u0", "u1", "u4"])
            .patch("/Groups/{{g0}}", fixture!("entra/group-add-and-remove-members.json"))
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([
                ops(r#"[{"op":"add","path":"members","value":[{"value":"{{u2}}"},{"value":"{{u3}}"}]},
                        {"op":"remove","path":"members[value eq \"{{u0}}\"]"},
                        {"op":"remove","path":"members[value eq \"{{u1}}\"]"}]"#),
                members("g0", &["u2", "u3", "u4"], "two joined, two left, one stayed"),
            ]),
        case(Entra, "entra_renames_a_group_and_the_answer_leaves_members_out")
            .users(&["ann.lee@contoso.com"])
            .group("Sales EMEA", &["u0"])
            .patch("/Groups/{{g0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Replace","path":"displayName","value":"Sales EMEA and APAC"}]}"#)
            .body([
                answer_is("/displayName", r#""Sales EMEA and APAC""#, "the new name is answered"),
                answer_lacks("/members", "a rename answers without the member list"),
            ])
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([
                ops(r#"[{"op":"replace","path":"displayName","value":"Sales EMEA and APAC"}]"#),
                members("g0", &["u0"], "a rename keeps the members"),
            ]),
        case(Entra, "entra_creates_a_user_as_the_provisioning_service_sends_it")
            .post("/Users", fixture!("entra/create-user.json"))
            .answers(201)
            .body([
                answer_is("/userName", r#""andrew.hallbrook@contoso.com""#, "Databricks lower-cases the userName"),
                answer_is("/externalId", r#""0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef""#, "externalId round-trips"),
                answer_is("/displayName", r#""Andrew Hallbrook""#, "displayName from givenName familyName"),
                answer_is("/active", "true", "the user is active"),
                answer_lacks("/roles", "nothing Databricks cannot hold"),
                answer_lacks(ENTERPRISE_AT, "nothing Databricks cannot hold"),
            ])
            .calls(&[POST_USERS])
            .sent([
                sent_is("POST", "/externalId", r#""0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef""#, "externalId is sent"),
                sent_is("POST", "/name", r#"{"givenName":"Andrew","familyName":"Hallbrook"}"#, "name is sent"),
                sent_lacks("POST", "/roles", "'roles' is not sent to Databricks"),
                sent_lacks("POST", "/meta", "'meta' is not sent to Databricks"),
                sent_lacks("POST", ENTERPRISE_AT, "the enterprise extension is not sent to Databricks"),
            ]),
        case(Entra, "entra_creates_a_group_without_members_and_with_a_microsoft_schema")
            .post("/Groups", fixture!("entra/create-group.json"))
            .answers(201)
            .body([
                answer_is("/displayName", r#""Sales EMEA""#, "the group is answered"),
                answer_is("/externalId", r#""8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159""#, "externalId round-trips"),
                answer_is("/meta/resourceType", r#""Group""#, "meta.resourceType"),
                answer_lacks("/members", "no members"),
            ])
            .calls(&[POST_GROUPS])
            .sent([
                sent_lacks("POST", "/meta", "meta is not sent"),
                sent_values("POST", "/members", &[], "no members are sent"),
            ]),
        case(Entra, "entra_creates_a_disabled_user_when_active_is_the_string_false")
            .post("/Users", r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName":"leaver@contoso.com","active":"False","externalId":"c2b5f7e3"}"#)
            .answers(201)
            .body([answer_is("/active", "false", "the answer shows the final state")])
            // docs/design.md §4: Databricks creates active users; the bridge then deactivates.
            .calls(&[POST_USERS, PATCH_USERS])
            .sent([ops(r#"[{"op":"replace","path":"active","value":"false"}]"#)]),
        case(Entra, "entra_patch_of_an_enterprise_attribute_is_ignored_without_a_databricks_write")
            .users(&["ann.lee@contoso.com"])
            .patch("/Users/{{u0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"4130"}]}"#)
            .body([
                answer_is("/id", r#""{{u0}}""#, "the user is answered"),
                answer_lacks(ENTERPRISE_AT, "no enterprise extension is invented"),
            ])
            .calls(&[GET_USERS]),
        case(Entra, "entra_deletes_a_disabled_user_after_the_soft_delete_period")
            .users(&["leaver@contoso.com"])
            .inactive(&[0])
            .delete("/Users/{{u0}}")
            .answers(204)
            .seed_quirks(404, "docs/design.md §4 (active=false row): the seed target hides inactive users, even from DELETE")
            .calls(&[DELETE_USERS]),
        case(Entra, "entra_re_adding_a_member_that_is_already_there_changes_nothing")
            .users(&["ann.lee@contoso.com"])
            .group("Sales EMEA", &["u0"])
            .patch("/Groups/{{g0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"{{u0}}"}]}]}"#)
            .body([members_if_answered(&["u0"])])
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([members("g0", &["u0"], "the member is there once")]),
        case(Entra, "entra_removing_a_member_that_already_left_changes_nothing")
            .users(&["ann.lee@contoso.com", "bo.chen@contoso.com"])
            .group("Sales EMEA", &["u0"])
            .patch("/Groups/{{g0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"{{u1}}"}]}]}"#)
            .calls(&[PATCH_GROUPS, GET_GROUPS])
            .sent([
                ops(r#"[{"op":"remove","path":"members[value eq \"{{u1}}\"]"}]"#),
                members("g0", &["u0"], "the other member stays"),
            ]),
        case(Entra, "entra_adding_a_member_databricks_does_not_know_is_400_invalid_value")
            .group("Sales EMEA", &[])
            .patch("/Groups/{{g0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"123456789012345"}]}]}"#)
            .error(400, "invalidValue")
            .calls(&[PATCH_GROUPS])
            .sent([members("g0", &[], "nothing was added")]),
    ]
}

/// Entra ID with `aadOptscim062020` (docs/identity-platforms.md EN-3, EN-5, EN-7, EN-14).
fn entra_flag_cases() -> Vec<Case> {
    use Client::EntraFlag;
    vec![
        case(EntraFlag, "entra_flag_disables_a_user_with_a_boolean")
            .users(&["ann.lee@contoso.com"])
            .patch(
                "/Users/{{u0}}",
                r#"{"Operations":[{"op":"replace","path":"active","value":false}],
                "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}"#,
            )
            .seed_quirks(204, HIDDEN_AFTER_DEACTIVATION)
            .body([answer_is("/active", "false", "the answer shows the user disabled")])
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent([ops(r#"[{"op":"replace","path":"active","value":"false"}]"#)]),
        case(EntraFlag, "entra_flag_removes_a_member_with_a_value_filter_path")
            .users(&["ann.lee@contoso.com", "bo.chen@contoso.com"])
            .group("Sales EMEA", &["u0", "u1"])
            .patch(
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"remove","path":"members[value eq \"{{u0}}\"]"}]}"#,
            )
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([
                ops(r#"[{"op":"remove","path":"members[value eq \"{{u0}}\"]"}]"#),
                members("g0", &["u1"], "only that member left"),
            ]),
        case(EntraFlag, "entra_flag_pathless_replace_with_dotted_and_urn_keys_is_one_databricks_patch")
            .users(&["tanya@contoso.com"])
            .patch("/Users/{{u0}}", fixture!("entra/flag-pathless-replace.json"))
            .seed_quirks(204, HIDDEN_AFTER_DEACTIVATION)
            .body([
                answer_is("/displayName", r#""Tanya Schnabel""#, "displayName is answered"),
                answer_is("/name", r#"{"givenName":"Tanya","familyName":"Schnabel"}"#, "name.* are answered"),
                answer_is("/active", "false", "active:false is answered"),
            ])
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent([
                ops_in_any_order(
                    r#"[{"op":"replace","path":"displayName","value":"Tanya Schnabel"},
                        {"op":"replace","path":"name.givenName","value":"Tanya"},
                        {"op":"replace","path":"name.familyName","value":"Schnabel"},
                        {"op":"replace","path":"active","value":"false"}]"#,
                ),
                user_is("u0", "/active", "false", "Databricks holds the user inactive"),
            ]),
        case(EntraFlag, "entra_flag_pathless_add_with_dotted_keys_is_a_replace")
            .users(&["tanya@contoso.com"])
            .patch(
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"add","value":{"name.givenName":"Tanja","externalId":"7f4bc1a3"}}]}"#,
            )
            .body([
                answer_is("/name/givenName", r#""Tanja""#, "the given name is answered"),
                answer_is("/externalId", r#""7f4bc1a3""#, "the externalId is answered"),
            ])
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent([ops_in_any_order(
                r#"[{"op":"replace","path":"name.givenName","value":"Tanja"},
                        {"op":"replace","path":"externalId","value":"7f4bc1a3"}]"#,
            )]),
        case(EntraFlag, "entra_flag_adds_a_member_with_a_lowercase_add")
            .users(&["ann.lee@contoso.com"])
            .group("Sales EMEA", &[])
            .patch(
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"add","path":"members","value":[{"value":"{{u0}}"}]}]}"#,
            )
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([
                ops(r#"[{"op":"add","path":"members","value":[{"value":"{{u0}}"}]}]"#),
                members("g0", &["u0"], "the member joined"),
            ]),
        case(EntraFlag, "entra_flag_add_of_the_work_email_by_filter_path_keeps_the_email_derived_from_user_name")
            .users(&["ann.lee@contoso.com"])
            .patch(
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"add","path":"emails[type eq \"work\"].value","value":"ann.lee@contoso.com"}]}"#,
            )
            .body([
                answer_is("/emails/0/value", r#""ann.lee@contoso.com""#, "the work e-mail is answered"),
                answer_is("/emails/0/type", r#""work""#, "the work e-mail is answered"),
            ])
            // README: e-mails are derived from userName; the PATCH is ignored, the user re-read.
            .calls(&[GET_USERS]),
    ]
}

/// Entra ID lookups, Test Connection and soft-deleted users (docs/identity-platforms.md EN-9 to EN-14).
fn entra_lookup_cases() -> Vec<Case> {
    use Client::EntraLookup;
    vec![
        case(EntraLookup, "entra_looks_a_user_up_by_user_name_case_insensitively")
            .users(&["ann.lee@contoso.com", "bo.chen@contoso.com"])
            .get("/Users")
            .query("filter", r#"userName eq "Ann.Lee@contoso.com""#)
            .body([answer_is("/totalResults", "1", "one match"), listed(&["u0"], "the match is the user")])
            .calls(&[GET_USERS])
            .sent([filter_sent(0, r#"userName eq "Ann.Lee@contoso.com""#)]),
        case(EntraLookup, "entra_looks_a_user_up_by_external_id")
            .users(&[
                r#"{"userName":"bo.chen@contoso.com","externalId":"5b50642d-79fc-4410-9e90-4c077cdd1a59"}"#,
                "x@contoso.com",
            ])
            .get("/Users")
            .query("filter", r#"externalId eq "5b50642d-79fc-4410-9e90-4c077cdd1a59""#)
            .body([listed(&["u0"], "the user with that externalId")])
            .calls(&[GET_USERS])
            .sent([filter_sent(0, r#"externalId eq "5b50642d-79fc-4410-9e90-4c077cdd1a59""#)]),
        case(EntraLookup, "entra_looks_a_user_up_by_its_non_standard_work_email_filter")
            .users(&["ann.lee@contoso.com", "bo.chen@contoso.com"])
            .get("/Users")
            .query("filter", r#"emails[type eq "work"].value eq "ann.lee@contoso.com""#)
            .body([listed(&["u0"], "the user whose work e-mail it is")])
            .calls(&[GET_USERS])
            .sent([filter_sent(0, r#"userName eq "ann.lee@contoso.com""#)]),
        case(EntraLookup, "entra_work_email_lookup_ignores_case")
            .users(&["ann.lee@contoso.com"])
            .get("/Users")
            .query("filter", r#"emails[type eq "work"].value eq "ANN.LEE@Contoso.com""#)
            .body([listed(&["u0"], "e-mails are caseExact=false")])
            .calls(&[GET_USERS]),
        case(EntraLookup, "entra_test_connection_with_a_random_guid_is_200_with_an_empty_list")
            .users(&["ann.lee@contoso.com"])
            .get("/Users")
            .query("filter", r#"userName eq "d1a05ab4-7c33-4d2c-a0f8-1f4b4b3c0c6e""#)
            .body([
                answer_is("/totalResults", "0", "an empty ListResponse"),
                answer_is("/Resources", "[]", "an empty ListResponse"),
                answer_is_u64("/startIndex", "integer paging metadata"),
                answer_is_u64("/itemsPerPage", "integer paging metadata"),
            ])
            .calls(&[GET_USERS]),
        case(EntraLookup, "entra_test_connection_on_groups_is_an_empty_list_asked_without_members")
            .group("Sales EMEA", &[])
            .get("/Groups")
            .query("excludedAttributes", "members")
            .query("filter", r#"displayName eq "8d2f4c61-1f0e-4a43-9a7b-6a3a0f1c7d2b""#)
            .body([
                answer_is("/totalResults", "0", "an empty ListResponse"),
                answer_is("/Resources", "[]", "an empty ListResponse"),
            ])
            .calls(&[GET_GROUPS])
            .sent([excluded(0, "members", "Databricks is not asked for members")]),
        case(EntraLookup, "entra_looks_a_group_up_by_display_name_without_members")
            .users(&["ann.lee@contoso.com"])
            .group("Sales EMEA", &["u0"])
            .group("Sales APAC", &[])
            .get("/Groups")
            .query("excludedAttributes", "members")
            .query("filter", r#"displayName eq "Sales EMEA""#)
            .body([
                listed(&["g0"], "the group with that name"),
                answer_lacks("/Resources/0/members", "members are left out"),
            ])
            .calls(&[GET_GROUPS])
            .sent([
                excluded(0, "members", "Databricks is not asked for members"),
                filter_sent(0, r#"displayName eq "Sales EMEA""#),
            ]),
        case(EntraLookup, "entra_reads_a_group_without_members")
            .users(&["ann.lee@contoso.com"])
            .group("Sales EMEA", &["u0"])
            .get("/Groups/{{g0}}")
            .query("excludedAttributes", "members")
            .body([
                answer_is("/displayName", r#""Sales EMEA""#, "the group is answered"),
                answer_lacks("/members", "members are left out"),
            ])
            .calls(&[GET_GROUPS])
            .sent([excluded(0, "members", "Databricks is not asked for members")]),
        case(EntraLookup, "entra_tenant_url_flag_in_the_query_string_is_tolerated")
            .users(&["ann.lee@contoso.com"])
            .get("/Users")
            .query("aadOptscim062020", "")
            .query("filter", r#"userName eq "ann.lee@contoso.com""#)
            .body([listed(&["u0"], "the lookup works with the flag present")])
            .calls(&[GET_USERS])
            .sent([param(0, "aadOptscim062020", None, "the flag is not passed on to Databricks")]),
        case(EntraLookup, "entra_reads_a_soft_deleted_user_as_inactive")
            .users(&["leaver@contoso.com"])
            .inactive(&[0])
            .get("/Users/{{u0}}")
            .seed_quirks(404, "docs/design.md §4: a target that hides inactive users shows through as 404")
            .body([in_modes(
                &[Mode::Default],
                answer_is("/active", "false", "the real API keeps the user readable with active:false"),
            )])
            .calls(&[GET_USERS]),
        case(EntraLookup, "entra_finds_a_soft_deleted_user_by_user_name")
            .users(&["leaver@contoso.com"])
            .inactive(&[0])
            .get("/Users")
            .query("filter", r#"userName eq "leaver@contoso.com""#)
            .seed_quirks(200, "docs/design.md §4: a target that hides inactive users lists none (totalResults 0)")
            .body([
                in_modes(SHOWS_INACTIVE, listed(&["u0"], "the inactive user is found")),
                in_modes(SHOWS_INACTIVE, answer_is("/Resources/0/active", "false", "and shown inactive")),
                in_modes(&[Mode::SeedQuirks], answer_is("/totalResults", "0", "the seed target hides it")),
            ])
            .calls(&[GET_USERS]),
        case(EntraLookup, "entra_reading_a_user_that_does_not_exist_is_a_scim_404")
            .get("/Users/123456789012345")
            .answers(404)
            .calls(&[GET_USERS]),
    ]
}

/// Okta OIN and custom (AIW) apps (docs/identity-platforms.md OK-1 to OK-12).
fn okta_cases() -> Vec<Case> {
    use Client::Okta;
    vec![
        case(Okta, "okta_looks_a_user_up_by_user_name_with_start_index_and_count")
            .users(&["test.user@okta.local", "other@okta.local"])
            .get("/Users")
            .query("filter", r#"userName eq "test.user@okta.local""#)
            .query("startIndex", "1")
            .query("count", "100")
            .body([
                listed(&["u0"], "the user is found"),
                answer_is("/totalResults", "1", "integer metadata"),
                answer_is("/startIndex", "1", "integer metadata"),
                answer_is("/itemsPerPage", "1", "integer metadata"),
            ])
            .calls(&[GET_USERS])
            .sent([
                param(0, "startIndex", Some("1"), "startIndex=1 is passed on"),
                param(0, "count", Some("100"), "count=100 is passed on"),
                filter_sent(0, r#"userName eq "test.user@okta.local""#),
            ]),
        case(Okta, "okta_lookup_of_a_user_not_yet_provisioned_is_200_with_an_empty_list")
            .users(&["other@okta.local"])
            .get("/Users")
            .query("filter", r#"userName eq "test.user@okta.local""#)
            .query("startIndex", "1")
            .query("count", "100")
            .body([
                answer_is("/totalResults", "0", "an empty ListResponse"),
                answer_is("/Resources", "[]", "an empty ListResponse"),
            ])
            .calls(&[GET_USERS]),
        case(Okta, "okta_creates_a_user_with_password_groups_locale_and_external_id")
            .post("/Users", fixture!("okta/create-user.json"))
            .answers(201)
            .body([
                answer_lacks("/password", "the password is never echoed"),
                answer_is("/externalId", r#""00ujl29u0le5T6Aj10h7""#, "Okta's id round-trips as externalId"),
                answer_is("/displayName", r#""Test User""#, "the user is answered"),
                answer_is("/active", "true", "the user is answered"),
                answer_lacks("/groups", "no memberships come from the readOnly groups"),
            ])
            .calls(&[POST_USERS])
            .sent([
                sent_lacks("POST", "/password", "'password' is not sent to Databricks"),
                sent_lacks("POST", "/groups", "'groups' is not sent to Databricks"),
                sent_lacks("POST", "/locale", "'locale' is not sent to Databricks"),
                sent_is("POST", "/userName", r#""test.user@okta.local""#, "userName is sent"),
            ]),
        case(Okta, "okta_create_of_an_existing_user_name_is_409_uniqueness")
            .users(&["test.user@okta.local"])
            .post("/Users", fixture!("okta/create-user.json"))
            .error(409, "uniqueness")
            .body([answer_text_lacks("/detail", "test.user", "no e-mail address in the detail")])
            // The 409 is checked against the existing user (an inactive one would be reactivated).
            .calls(&[POST_USERS, GET_USERS]),
        case(Okta, "okta_creating_a_user_whose_name_a_deactivated_user_holds_reactivates_it")
            .users(&["test.user@okta.local"])
            .inactive(&[0])
            .post("/Users", fixture!("okta/create-user.json"))
            .answers(201)
            .body([
                answer_is("/id", r#""{{u0}}""#, "the deactivated user comes back"),
                answer_is("/active", "true", "active again"),
                answer_is("/displayName", r#""Test User""#, "with the new displayName"),
            ])
            // docs/design.md §4: the real API answers 409 for the inactive user, so the bridge finds it and
            // reactivates it; the seed target reactivates it itself on POST.
            .calls(&[POST_USERS, GET_USERS, PATCH_USERS, READ_USER_AFTER_WRITE])
            .seed_quirks_calls(&[POST_USERS])
            .sent([
                user_is("u0", "/active", "true", "Databricks holds the user active"),
                users_held(1, "no second user was made"),
            ]),
        case(Okta, "okta_aiw_put_of_the_whole_object_ignores_id_meta_groups_and_password")
            .workspace_only("it checks the user's groups, an attribute account users do not have")
            .users(&["test.user@okta.local"])
            .group("Engineering", &["u0"])
            .put("/Users/{{u0}}", fixture!("okta/replace-user.json"))
            .body([
                answer_is("/displayName", r#""Another User""#, "the new displayName is answered"),
                answer_is("/name", r#"{"givenName":"Another","familyName":"User"}"#, "the new name is answered"),
                answer_lacks("/password", "the password is never echoed"),
                answer_values("/groups", &["g0"], "readOnly groups:[] does not drop the membership"),
                answer_is("/active", "true", "the user stays active"),
            ])
            .calls(&[GET_USERS, PATCH_USERS, READ_USER_AFTER_WRITE])
            // One PATCH of what changed: nothing about id, meta, password, locale, memberships or
            // active (unchanged) reaches Databricks.
            .sent([
                ops(r#"[{"op":"replace","path":"displayName","value":"Another User"},
                        {"op":"replace","path":"externalId","value":"00ujl29u0le5T6Aj10h7"},
                        {"op":"replace","path":"name.givenName","value":"Another"},
                        {"op":"replace","path":"name.familyName","value":"User"}]"#),
                no_request("PUT", "no Databricks PUT, which would wipe"),
                members("g0", &["u0"], "the membership is kept"),
            ]),
        case(Okta, "okta_aiw_deactivates_with_a_whole_object_put")
            .users(&["test.user@okta.local"])
            .group("Engineering", &["u0"])
            .put("/Users/{{u0}}", fixture!("okta/deactivate-user-put.json"))
            .seed_quirks(204, HIDDEN_AFTER_DEACTIVATION)
            .body([answer_is("/active", "false", "the answer shows the user inactive")])
            .calls(&[GET_USERS, PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent([
                op_sent(r#"{"op":"replace","path":"active","value":"false"}"#, "active:false is sent"),
                user_is("u0", "/active", "false", "Databricks holds the user inactive"),
                members("g0", &["u0"], "the membership is kept"),
            ]),
        case(Okta, "okta_put_without_active_never_suspends_the_user")
            .users(&["test.user@okta.local"])
            .put(
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id":"{{u0}}","userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},
                "displayName":"Test User","groups":[]}"#,
            )
            .body([answer_is("/active", "true", "the user stays active")])
            .calls(&[GET_USERS, PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent([
                no_op_on("active", "active is not touched"),
                user_is("u0", "/active", "true", "the user stays active in Databricks"),
            ]),
        case(Okta, "okta_oin_deactivates_with_a_pathless_replace")
            .users(&["test.user@okta.local"])
            .patch(
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"replace","value":{"active":false}}]}"#,
            )
            .plain_json()
            .seed_quirks(204, HIDDEN_AFTER_DEACTIVATION)
            .body([answer_is("/active", "false", "the answer shows the user inactive")])
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent([ops(r#"[{"op":"replace","path":"active","value":"false"}]"#)]),
        case(Okta, "okta_oin_reactivates_with_a_pathless_replace")
            .users(&["test.user@okta.local"])
            .inactive(&[0])
            .patch(
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"replace","value":{"active":true}}]}"#,
            )
            .seed_quirks(
                404,
                "docs/design.md §4 (active=false row): the seed target hides inactive users, so the stateless bridge \
                 finds no user to reactivate",
            )
            .body([in_modes(SHOWS_INACTIVE, answer_is("/active", "true", "the answer shows the user active again"))])
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .seed_quirks_calls(&[PATCH_USERS])
            .sent([ops(r#"[{"op":"replace","path":"active","value":"true"}]"#)]),
        case(Okta, "okta_oin_password_patch_is_ignored_and_never_echoed")
            .users(&["test.user@okta.local"])
            .patch(
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"replace","value":{"password":"t1meMa$heen"}}]}"#,
            )
            .body([
                answer_lacks("/password", "the password is never echoed"),
                answer_is("/id", r#""{{u0}}""#, "the user is answered"),
            ])
            // Databricks holds no password: nothing to write, the user is re-read for the answer.
            .calls(&[GET_USERS]),
        case(Okta, "okta_pushes_a_group_with_an_empty_member_list")
            .post(
                "/Groups",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName":"Test SCIMv2","members":[]}"#,
            )
            .answers(201)
            .body([
                answer_is("/displayName", r#""Test SCIMv2""#, "the group is answered"),
                answer_has_text("/id", "with its id"),
            ])
            .calls(&[POST_GROUPS])
            .sent([sent_values("POST", "/members", &[], "no members are sent")]),
        case(Okta, "okta_renames_a_group_with_a_pathless_id_and_display_name")
            .users(&["test.user@okta.local"])
            .group("Test SCIMv2", &["u0"])
            .patch(
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"replace","value":{"id":"{{g0}}","displayName":"Test SCIMv2 renamed"}}]}"#,
            )
            .body([
                answer_is("/displayName", r#""Test SCIMv2 renamed""#, "the new name is answered"),
                answer_lacks("/members", "a rename answers without the member list"),
            ])
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([
                ops(r#"[{"op":"replace","path":"displayName","value":"Test SCIMv2 renamed"}]"#),
                members("g0", &["u0"], "the members stay"),
            ]),
        case(Okta, "okta_renaming_a_group_to_a_taken_name_is_409_uniqueness")
            .group("Test SCIMv2", &[])
            .group("Engineering", &[])
            .patch(
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"replace","value":{"id":"{{g0}}","displayName":"Engineering"}}]}"#,
            )
            .error(409, "uniqueness")
            .calls(&[PATCH_GROUPS])
            .sent([group_is("g0", "/displayName", r#""Test SCIMv2""#, "the group keeps its name")]),
        case(Okta, "okta_membership_patch_with_rename_remove_and_add_is_one_databricks_patch")
            .users(&["alice@okta.local", "bob@okta.local", "carol@okta.local"])
            .group("Test SCIMv2", &["u0", "u1"])
            .patch("/Groups/{{g0}}", fixture!("okta/group-membership.json"))
            .body([members_if_answered(&["u1", "u2"])])
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([
                ops(r#"[{"op":"replace","path":"displayName","value":"Test SCIMv2"},
                        {"op":"remove","path":"members[value eq \"{{u0}}\"]"},
                        {"op":"add","path":"members","value":[{"value":"{{u2}}"}]}]"#),
                members("g0", &["u1", "u2"], "one left, one joined"),
            ]),
        case(Okta, "okta_replaces_members_with_the_full_list")
            .users(&["alice@okta.local", "bob@okta.local", "carol@okta.local"])
            .group("Test SCIMv2", &["u0", "u1"])
            .patch("/Groups/{{g0}}", fixture!("okta/replace-members.json"))
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([
                ops(r#"[{"op":"replace","path":"members","value":[{"value":"{{u1}}"},{"value":"{{u2}}"}]}]"#),
                members("g0", &["u1", "u2"], "the group holds exactly the list"),
            ]),
        case(Okta, "okta_replace_of_members_with_an_empty_list_empties_the_group")
            .users(&["alice@okta.local"])
            .group("Test SCIMv2", &["u0"])
            .patch(
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"replace","path":"members","value":[]}]}"#,
            )
            .body([answer_values("/members", &[], "no members are answered")])
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([ops(r#"[{"op":"remove","path":"members"}]"#), members("g0", &[], "the group is empty")]),
        case(Okta, "okta_aiw_replaces_a_group_with_put")
            .users(&["alice@okta.local", "bob@okta.local"])
            .group("Test SCIMv2", &["u0"])
            .put("/Groups/{{g0}}", fixture!("okta/replace-group.json"))
            .body([answer_values("/members", &["u1"], "the member list is replaced")])
            .calls(&[GET_GROUPS, PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([
                ops(r#"[{"op":"add","path":"members","value":[{"value":"{{u1}}"}]},
                        {"op":"remove","path":"members[value eq \"{{u0}}\"]"}]"#),
                members("g0", &["u1"], "Databricks holds the new list"),
            ]),
        case(Okta, "okta_unlinks_a_pushed_group_with_delete")
            .group("Test SCIMv2", &[])
            .delete("/Groups/{{g0}}")
            .answers(204)
            .calls(&[DELETE_GROUPS])
            .sent([group_gone("g0", "the group is gone from Databricks")]),
        case(Okta, "okta_unlinking_a_group_that_is_already_gone")
            .delete("/Groups/123456789012345")
            .answers(404)
            .seed_quirks(204, "docs/design.md §4: a target that answers 204 for an unknown group is taken at its word")
            .calls(&[DELETE_GROUPS]),
        case(Okta, "okta_pages_users_a_hundred_at_a_time_in_a_stable_order")
            .users(&["u1@okta.local", "u2@okta.local", "u3@okta.local"])
            .get("/Users")
            .query("startIndex", "1")
            .query("count", "100")
            .get("/Users")
            .query("startIndex", "1")
            .query("count", "100")
            .body([
                on_answer(0, answer_is("/totalResults", "3", "integer metadata on page 0")),
                on_answer(0, answer_is("/itemsPerPage", "3", "integer metadata on page 0")),
                on_answer(0, answer_is("/startIndex", "1", "integer metadata on page 0")),
                on_answer(1, answer_is("/totalResults", "3", "integer metadata on page 1")),
                on_answer(1, answer_is("/itemsPerPage", "3", "integer metadata on page 1")),
                on_answer(1, answer_is("/startIndex", "1", "integer metadata on page 1")),
                on_answer(0, listed_in_any_order(&["u0", "u1", "u2"], "every user is listed")),
                same_listing(0, 1, "the order is the same on every read"),
            ])
            .calls(&[GET_USERS, GET_USERS])
            .sent([param(0, "count", Some("100"), "count=100 is passed on")]),
        case(Okta, "okta_next_page_past_the_last_user_is_200_and_empty")
            .users(&["u1@okta.local", "u2@okta.local", "u3@okta.local"])
            .get("/Users")
            .query("startIndex", "101")
            .query("count", "100")
            .body([
                answer_is("/Resources", "[]", "an empty page"),
                answer_is("/totalResults", "3", "integer metadata"),
                answer_is("/startIndex", "101", "integer metadata"),
                answer_is("/itemsPerPage", "0", "integer metadata"),
            ])
            .calls(&[GET_USERS])
            .sent([param(0, "startIndex", Some("101"), "startIndex is passed on")]),
        case(Okta, "okta_finds_a_pushed_group_by_display_name")
            .account_calls(&[GET_GROUPS, GET_GROUPS])
            .group("Test SCIMv2", &[])
            .group("Other", &[])
            .get("/Groups")
            .query("filter", r#"displayName eq "Test SCIMv2""#)
            .query("startIndex", "1")
            .query("count", "100")
            .body([listed(&["g0"], "the group with that name")])
            .calls(&[GET_GROUPS]),
        case(Okta, "okta_reads_a_user_by_id")
            .users(&["test.user@okta.local"])
            .get("/Users/{{u0}}")
            .body([
                answer_is("/schemas", r#"["urn:ietf:params:scim:schemas:core:2.0:User"]"#, "the core User schema"),
                answer_is("/userName", r#""test.user@okta.local""#, "the user is answered"),
                answer_is("/active", "true", "the user is answered"),
                answer_is("/emails/0/value", r#""test.user@okta.local""#, "with its work e-mail"),
                answer_text_ends_with("/meta/location", "/scim/v2/Users/{{u0}}", "meta.location"),
            ])
            .calls(&[GET_USERS]),
    ]
}

/// One Identity Starling / Identity Manager (docs/identity-platforms.md OI-1 to OI-6).
fn one_identity_cases() -> Vec<Case> {
    use Client::OneIdentity;
    vec![
        case(OneIdentity, "one_identity_full_sync_pages_users_until_an_empty_page")
            .users(&["a@oi.example", "b@oi.example", "c@oi.example", "d@oi.example", "e@oi.example"])
            .get("/Users")
            .query("startIndex", "1")
            .query("count", "2")
            .get("/Users")
            .query("startIndex", "3")
            .query("count", "2")
            .get("/Users")
            .query("startIndex", "5")
            .query("count", "2")
            .get("/Users")
            .query("startIndex", "7")
            .query("count", "2")
            .body([
                page_sizes(&[2, 2, 1, 0]),
                on_answer(0, answer_is("/totalResults", "5", "totalResults on page 0")),
                on_answer(1, answer_is("/totalResults", "5", "totalResults on page 1")),
                on_answer(2, answer_is("/totalResults", "5", "totalResults on page 2")),
                on_answer(3, answer_is("/totalResults", "5", "totalResults on page 3")),
                listed_across_pages(4, &["u0", "u1", "u2", "u3", "u4"], "every user exactly once"),
            ])
            .calls(&[GET_USERS, GET_USERS, GET_USERS, GET_USERS])
            .sent([
                param(0, "startIndex", Some("1"), "startIndex sent"),
                param(1, "startIndex", Some("3"), "startIndex sent"),
                param(2, "startIndex", Some("5"), "startIndex sent"),
                param(3, "startIndex", Some("7"), "startIndex sent"),
            ]),
        case(OneIdentity, "one_identity_full_sync_pages_groups_with_their_typed_members")
            .account_calls(&[GET_GROUPS; 6])
            .users(&["a@oi.example", "b@oi.example"])
            .group("alpha", &["u0", "u1"])
            .group("beta", &["g0"])
            .group("gamma", &[])
            .get("/Groups")
            .query("startIndex", "1")
            .query("count", "2")
            .get("/Groups")
            .query("startIndex", "3")
            .query("count", "2")
            .get("/Groups")
            .query("startIndex", "5")
            .query("count", "2")
            .body([
                page_sizes(&[2, 1, 0]),
                listed_across_pages(3, &["g0", "g1", "g2"], "every group exactly once"),
                paged_resource_values(3, "g0", "/members", &["u0", "u1"], "alpha's members are listed"),
                paged_resource_is(3, "g0", "/members/0/type", r#""User""#, "members carry their type"),
                paged_resource_is(3, "g1", "/members/0/type", r#""Group""#, "a nested group is typed Group"),
            ])
            .calls(&[GET_GROUPS, GET_GROUPS, GET_GROUPS])
            .sent([
                not_excluded(0, "members", "members are asked for"),
                not_excluded(1, "members", "members are asked for"),
                not_excluded(2, "members", "members are asked for"),
            ]),
        case(OneIdentity, "one_identity_full_sync_sees_disabled_users_as_inactive")
            .users(&["a@oi.example", "b@oi.example"])
            .inactive(&[1])
            .get("/Users")
            .query("startIndex", "1")
            .query("count", "100")
            .seed_quirks(200, "docs/design.md §4: a target that hides inactive users lists only the active one")
            .body([
                in_modes(SHOWS_INACTIVE, answer_is("/totalResults", "2", "both users are listed")),
                in_modes(
                    SHOWS_INACTIVE,
                    listed_resource_is("u1", "/active", "false", "the disabled user is listed inactive"),
                ),
                in_modes(&[Mode::SeedQuirks], listed(&["u0"], "only the active user")),
            ])
            .calls(&[GET_USERS]),
        case(OneIdentity, "one_identity_creates_a_user_whose_display_name_wins_over_name")
            .refused_on_account()
            .post("/Users", fixture!("oneidentity/create-user.json"))
            .answers(201)
            .body([
                answer_is("/displayName", r#""Doe, Jane (IT)""#, "displayName wins"),
                answer_is("/entitlements", r#"[{"value":"workspace-access"}]"#, "entitlements are answered"),
            ])
            .calls(&[POST_USERS])
            .sent([
                sent_is("POST", "/entitlements", r#"[{"value":"workspace-access"}]"#, "entitlements are sent"),
                sent_is("POST", "/displayName", r#""Doe, Jane (IT)""#, "displayName is sent"),
            ]),
        case(OneIdentity, "one_identity_put_of_a_user_sets_entitlements_and_ignores_read_only_groups")
            .refused_on_account()
            .users(&["j.doe@oneidentity.example"])
            .group("engineering", &["u0"])
            .group("finance", &[])
            .put("/Users/{{u0}}", fixture!("oneidentity/replace-user.json"))
            .body([
                answer_is("/displayName", r#""Doe, Jane (Finance)""#, "displayName is replaced"),
                answer_is("/entitlements", r#"[{"value":"databricks-sql-access"}]"#, "entitlements are replaced"),
                answer_values("/groups", &["g0"], "memberships are unchanged by readOnly groups"),
            ])
            .calls(&[GET_USERS, PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent([
                no_op_on("groups", "memberships are not touched"),
                members("g0", &["u0"], "the current membership is kept"),
                members("g1", &[], "the user did not join finance"),
            ]),
        case(OneIdentity, "one_identity_creates_a_group_with_parent_groups_and_entitlements_in_the_extension")
            .refused_on_account()
            .users(&["j.doe@oneidentity.example"])
            .group("data-platform", &[])
            .post("/Groups", fixture!("oneidentity/create-group.json"))
            .answers(201)
            .body([
                answer_values("/members", &["u0"], "the member is answered"),
                answer_values(
                    "/urn:ietf:params:scim:schemas:extension:databricks:2.0:Group/parentGroups",
                    &["g0"],
                    "parentGroups are answered",
                ),
                answer_is(
                    "/urn:ietf:params:scim:schemas:extension:databricks:2.0:Group/entitlements",
                    r#"[{"value":"databricks-sql-access"}]"#,
                    "entitlements",
                ),
                answer_list_contains(
                    "/schemas",
                    r#""urn:ietf:params:scim:schemas:extension:databricks:2.0:Group""#,
                    "the extension schema",
                ),
            ])
            .calls(&[POST_GROUPS])
            .sent([
                sent_values("POST", "/members", &["u0"], "members are sent"),
                sent_values("POST", "/groups", &["g0"], "parentGroups become Databricks groups"),
                sent_is("POST", "/entitlements", r#"[{"value":"databricks-sql-access"}]"#, "entitlements are sent"),
            ]),
        case(OneIdentity, "one_identity_put_of_a_group_replaces_members_parent_groups_and_entitlements")
            .refused_on_account()
            .users(&["j.doe@oneidentity.example", "k.roe@oneidentity.example"])
            .group("team", &["u0"])
            .group("parent-a", &["g0"])
            .group("parent-b", &[])
            .put("/Groups/{{g0}}", fixture!("oneidentity/replace-group.json"))
            .body([
                answer_values("/members", &["u1"], "members are replaced"),
                answer_values(
                    "/urn:ietf:params:scim:schemas:extension:databricks:2.0:Group/parentGroups",
                    &["g2"],
                    "parentGroups are replaced",
                ),
                answer_value_strings(
                    "/urn:ietf:params:scim:schemas:extension:databricks:2.0:Group/entitlements",
                    &["databricks-sql-access", "workspace-access"],
                    "entitlements are replaced",
                ),
            ])
            .calls(&[GET_GROUPS, PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([
                members("g0", &["u1"], "Databricks holds the new members"),
                members("g1", &[], "the parent moved"),
                members("g2", &["g0"], "the parent moved"),
                op_sent(r#"{"op":"add","path":"members","value":[{"value":"{{u1}}"}]}"#, "u1 joins"),
                op_sent(r#"{"op":"remove","path":"members[value eq \"{{u0}}\"]"}"#, "u0 leaves"),
                op_sent(r#"{"op":"add","path":"groups","value":[{"value":"{{g2}}"}]}"#, "new parent"),
            ]),
        case(OneIdentity, "one_identity_put_of_a_group_accepts_top_level_entitlements")
            .refused_on_account()
            .group("team", &[])
            .put(
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "id":"{{g0}}","displayName":"team","members":[],"entitlements":[{"value":"allow-cluster-create"}]}"#,
            )
            .body([answer_is(
                "/urn:ietf:params:scim:schemas:extension:databricks:2.0:Group/entitlements",
                r#"[{"value":"allow-cluster-create"}]"#,
                "in the extension",
            )])
            .calls(&[GET_GROUPS, PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([ops(r#"[{"op":"add","path":"entitlements","value":[{"value":"allow-cluster-create"}]}]"#)]),
        case(OneIdentity, "one_identity_reads_a_group_with_typed_members")
            .users(&["j.doe@oneidentity.example"])
            .group("team", &["u0"])
            .get("/Groups/{{g0}}")
            .body([
                answer_is("/members/0/value", r#""{{u0}}""#, "a typed member"),
                answer_is("/members/0/type", r#""User""#, "a typed member"),
                answer_text_ends_with("/members/0/$ref", "/scim/v2/Users/{{u0}}", "$ref"),
            ])
            .calls(&[GET_GROUPS]),
        case(OneIdentity, "one_identity_deletes_a_user")
            .users(&["j.doe@oneidentity.example"])
            .delete("/Users/{{u0}}")
            .answers(204)
            .calls(&[DELETE_USERS]),
        case(OneIdentity, "one_identity_deletes_a_group")
            .group("team", &[])
            .delete("/Groups/{{g0}}")
            .answers(204)
            .calls(&[DELETE_GROUPS]),
    ]
}

/// Any RFC 7644 client: the robustness checklist (docs/identity-platforms.md RFC rows, docs/design.md §5).
fn rfc_cases() -> Vec<Case> {
    use Client::Rfc;
    vec![
        case(Rfc, "rfc_create_accepts_an_application_json_body")
            .post(
                "/Users",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"plain@example.com"}"#,
            )
            .plain_json()
            .answers(201)
            .calls(&[POST_USERS]),
        case(Rfc, "rfc_create_accepts_an_application_scim_json_body")
            .post(
                "/Users",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"scim@example.com"}"#,
            )
            .answers(201)
            .calls(&[POST_USERS]),
        case(Rfc, "rfc_a_charset_parameter_on_the_content_type_is_accepted")
            .post(
                "/Users",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"charset@example.com"}"#,
            )
            .content_type("application/scim+json; charset=utf-8")
            .answers(201)
            .calls(&[POST_USERS]),
        case(Rfc, "rfc_create_without_schemas_is_accepted")
            .post("/Users", r#"{"userName":"noschemas@example.com","active":true}"#)
            .answers(201)
            .body([answer_is(
                "/schemas",
                r#"["urn:ietf:params:scim:schemas:core:2.0:User"]"#,
                "the answer carries schemas",
            )])
            .calls(&[POST_USERS]),
        case(Rfc, "rfc_patch_without_schemas_is_accepted")
            .users(&["bjensen@example.com"])
            .patch("/Users/{{u0}}", r#"{"Operations":[{"op":"replace","path":"displayName","value":"Babs"}]}"#)
            .body([answer_is("/displayName", r#""Babs""#, "the change is answered")])
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent([ops(r#"[{"op":"replace","path":"displayName","value":"Babs"}]"#)]),
        case(Rfc, "rfc_attribute_names_and_ops_are_case_insensitive_in_a_patch")
            .users(&["bjensen@example.com"])
            .patch(
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "operations":[{"OP":"REPLACE","PATH":"DisplayName","VALUE":"Babs"}]}"#,
            )
            .body([answer_is("/displayName", r#""Babs""#, "the change is answered")])
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent([ops(r#"[{"op":"replace","path":"displayName","value":"Babs"}]"#)]),
        case(Rfc, "rfc_attribute_names_are_case_insensitive_in_a_create")
            .post(
                "/Users",
                r#"{"SCHEMAS":["urn:ietf:params:scim:schemas:core:2.0:User"],
                "USERNAME":"upper@example.com","DisplayName":"Upper Case","Active":"true"}"#,
            )
            .answers(201)
            .body([
                answer_is("/userName", r#""upper@example.com""#, "userName is read"),
                answer_is("/displayName", r#""Upper Case""#, "displayName is read"),
            ])
            .calls(&[POST_USERS]),
        case(Rfc, "rfc_pathless_add_of_members_is_a_member_add")
            .users(&["bjensen@example.com"])
            .group("Tour Guides", &[])
            .patch(
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"add","value":{"members":[{"value":"{{u0}}","$ref":"Users/{{u0}}"}]}}]}"#,
            )
            .body([members_if_answered(&["u0"])])
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent([
                ops(r#"[{"op":"add","path":"members","value":[{"value":"{{u0}}"}]}]"#),
                members("g0", &["u0"], "the member joined"),
            ]),
        case(Rfc, "rfc_unknown_patch_op_on_a_user_is_400_invalid_syntax_with_no_databricks_call")
            .users(&["bjensen@example.com"])
            .patch(
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"merge","path":"active","value":false}]}"#,
            )
            .error(400, "invalidSyntax")
            .calls(&[]),
        case(Rfc, "rfc_unknown_patch_op_on_a_group_is_400_invalid_syntax_even_after_valid_ops")
            .users(&["bjensen@example.com"])
            .group("Tour Guides", &[])
            .patch(
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"add","path":"members","value":[{"value":"{{u0}}"}]},
                              {"op":"copy","from":"displayName","path":"externalId"}]}"#,
            )
            .error(400, "invalidSyntax")
            .calls(&[])
            .sent([members("g0", &[], "nothing of the refused PATCH was applied")]),
        case(Rfc, "rfc_remove_without_a_path_is_400_no_target")
            .users(&["bjensen@example.com"])
            .patch(
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"remove"}]}"#,
            )
            .error(400, "noTarget")
            .calls(&[]),
        case(Rfc, "rfc_filter_on_an_attribute_databricks_cannot_filter_is_400_invalid_filter")
            .get("/Users")
            .query("filter", "title pr")
            .error(400, "invalidFilter")
            .calls(&[]),
        case(Rfc, "rfc_filter_with_an_operator_databricks_lacks_is_400_invalid_filter")
            .get("/Users")
            .query("filter", r#"userName gt "m""#)
            .error(400, "invalidFilter")
            .calls(&[]),
        case(Rfc, "rfc_filter_on_meta_last_modified_is_400_invalid_filter")
            .get("/Groups")
            .query("filter", r#"meta.lastModified gt "2011-05-13T04:42:34Z""#)
            .error(400, "invalidFilter")
            .calls(&[]),
        case(Rfc, "rfc_malformed_filter_is_400_invalid_filter")
            .get("/Users")
            .query("filter", r#"userName eq"bjensen@example.com""#)
            .error(400, "invalidFilter")
            .calls(&[]),
        case(Rfc, "rfc_filters_joined_by_and_are_passed_on_in_one_call")
            .users(&["bjensen@example.com", "jsmith@example.com"])
            .get("/Users")
            .query("filter", r#"userName eq "bjensen@example.com" and active eq true"#)
            .body([listed(&["u0"], "the one match")])
            .calls(&[GET_USERS])
            .sent([filter_sent(0, r#"userName eq "bjensen@example.com" and active eq true"#)]),
        case(Rfc, "rfc_filter_attribute_names_and_operators_are_case_insensitive")
            .users(&["bjensen@example.com", "jsmith@example.com"])
            .get("/Users")
            .query("filter", r#"USERNAME Eq "bjensen@example.com""#)
            .body([listed(&["u0"], "the one match")])
            .calls(&[GET_USERS])
            .sent([filter_sent(0, r#"userName eq "bjensen@example.com""#)]),
        case(Rfc, "rfc_a_filter_value_never_escapes_into_another_query_parameter")
            .users(&["bjensen@example.com"])
            .get("/Users")
            .query("filter", r#"userName eq "x@example.com&count=1&attributes=id&filter=active eq true""#)
            .body([answer_is("/totalResults", "0", "nothing matches the literal value")])
            .calls(&[GET_USERS])
            .sent([
                param(0, "count", Some("100"), "count is the bridge's own"),
                param(0, "attributes", None, "no attributes were injected"),
                param(
                    0,
                    "filter",
                    Some(r#"userName eq "x@example.com&count=1&attributes=id&filter=active eq true""#),
                    "the value stays inside the filter",
                ),
            ]),
        case(Rfc, "rfc_duplicate_user_name_in_another_case_is_409_uniqueness")
            .users(&["bjensen@example.com"])
            .post(
                "/Users",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"BJensen@Example.com"}"#,
            )
            .error(409, "uniqueness")
            .calls(&[POST_USERS, GET_USERS]),
        case(Rfc, "rfc_duplicate_group_display_name_is_409_uniqueness")
            .group("Tour Guides", &[])
            .post(
                "/Groups",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Tour Guides"}"#,
            )
            .error(409, "uniqueness")
            .calls(&[POST_GROUPS]),
        case(Rfc, "rfc_patch_of_a_missing_user_is_404")
            .patch("/Users/123456789012345", r#"{"Operations":[{"op":"replace","path":"active","value":false}]}"#)
            .answers(404)
            .calls(&[PATCH_USERS]),
        case(Rfc, "rfc_put_of_a_missing_user_is_404")
            .put("/Users/123456789012345", r#"{"userName":"ghost@example.com"}"#)
            .answers(404)
            .calls(&[GET_USERS]),
        case(Rfc, "rfc_reading_a_missing_group_is_404")
            .get("/Groups/123456789012345")
            .answers(404)
            .calls(&[GET_GROUPS]),
        case(Rfc, "rfc_deleting_a_missing_user_is_404")
            .delete("/Users/123456789012345")
            .answers(404)
            .calls(&[DELETE_USERS]),
        case(Rfc, "rfc_read_only_id_meta_groups_and_password_in_a_create_are_ignored")
            .group("Tour Guides", &[])
            .post("/Users", fixture!("rfc/create-user-read-only.json"))
            .answers(201)
            .body([
                answer_lacks("/password", "the password is never echoed"),
                answer_lacks("/groups", "the readOnly groups made no membership"),
                answer_is_not("/id", r#""2819c223-7f76-453a-919d-413861904646""#, "the id is Databricks' own"),
                answer_text_lacks("/meta/location", "example.com/v2", "meta is ours, not the client's"),
            ])
            .calls(&[POST_USERS])
            .sent([
                sent_lacks("POST", "/id", "'id' is not sent to Databricks"),
                sent_lacks("POST", "/meta", "'meta' is not sent to Databricks"),
                sent_lacks("POST", "/groups", "'groups' is not sent to Databricks"),
                sent_lacks("POST", "/password", "'password' is not sent to Databricks"),
                members("g0", &[], "the group gained no member"),
            ]),
        case(Rfc, "rfc_password_in_a_put_is_neither_sent_nor_echoed")
            .users(&["bjensen@example.com"])
            .put("/Users/{{u0}}", fixture!("rfc/replace-user-password.json"))
            .body([
                answer_lacks("/password", "the password is never echoed"),
                answer_is("/displayName", r#""Babs Jensen""#, "the PUT is applied"),
            ])
            .calls(&[GET_USERS, PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent([no_op_on("password", "no password reaches Databricks")]),
        case(Rfc, "rfc_trailing_slash_and_unknown_query_parameters_are_tolerated")
            .users(&["bjensen@example.com"])
            .get("/Users/")
            .query("vendorFlag", "1")
            .body([listed(&["u0"], "the list is answered")])
            .calls(&[GET_USERS])
            .sent([param(0, "vendorFlag", None, "unknown parameters are not passed on")]),
        case(Rfc, "rfc_start_index_below_one_is_read_as_one")
            .users(&["bjensen@example.com"])
            .get("/Users")
            .query("startIndex", "0")
            .query("count", "10")
            .body([
                answer_is("/startIndex", "1", "startIndex 0 is interpreted as 1 (RFC 7644 §3.4.2.4)"),
                listed(&["u0"], "the first page"),
            ])
            .calls(&[GET_USERS])
            .sent([param(0, "startIndex", Some("1"), "Databricks is asked from 1")]),
        case(Rfc, "rfc_a_deleted_user_reads_as_404_afterwards")
            .users(&["bjensen@example.com"])
            .delete("/Users/{{u0}}")
            .answers(204)
            .get("/Users/{{u0}}")
            .then_answers(404)
            .calls(&[DELETE_USERS, GET_USERS]),
        case(Rfc, "rfc_pathless_replace_with_the_whole_user_ignores_its_read_only_attributes")
            .users(&["bjensen@example.com"])
            .group("Tour Guides", &["u0"])
            .patch(
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"replace","value":{
                    "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "id":"{{u0}}","userName":"bjensen@example.com","displayName":"Babs Jensen","active":true,
                    "groups":[{"value":"{{g0}}","display":"Tour Guides"}],
                    "meta":{"resourceType":"User"}}}]}"#,
            )
            .body([answer_is("/displayName", r#""Babs Jensen""#, "the writable attributes are applied")])
            .calls(&[GET_USERS, PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent([
                ops_in_any_order(
                    r#"[{"op":"replace","path":"displayName","value":"Babs Jensen"},
                        {"op":"replace","path":"active","value":"true"}]"#,
                ),
                members("g0", &["u0"], "the membership is unchanged"),
            ]),
        case(Rfc, "rfc_count_zero_answers_only_the_total")
            .users(&["bjensen@example.com", "jsmith@example.com"])
            .get("/Users")
            .query("count", "0")
            .body([
                answer_is("/totalResults", "2", "only the total"),
                answer_is("/itemsPerPage", "0", "only the total"),
                answer_is("/Resources", "[]", "no resources"),
            ])
            .calls(&[GET_USERS]),
        case(Rfc, "rfc_attributes_ask_databricks_only_for_what_is_wanted")
            .users(&["bjensen@example.com"])
            .get("/Users")
            .query("attributes", "userName")
            .body([answer_keys("/Resources/0", &["id", "schemas", "userName"], "only id, schemas, userName")])
            .calls(&[GET_USERS])
            .sent([param_set(0, "attributes", &["id", "userName"], "attributes sent")]),
    ]
}

// ---------------------------------------------------------------------------------------------
// Running the table

/// What a case's checks see.
struct Seen {
    mode: Mode,
    ctx: Ctx,
    answers: Vec<Answer>,
    /// The emulator's request log: `{"method","resource","path","query","body"}`.
    requests: Vec<Value>,
    /// The emulator's state after the case.
    state: Value,
}

/// The value at a JSON pointer, `null` when there is none.
fn at<'a>(value: &'a Value, pointer: &str) -> &'a Value {
    value.pointer(pointer).unwrap_or(&Value::Null)
}

/// Sorted `value`s of a multi-valued attribute.
fn values(list: &Value) -> Vec<String> {
    sorted(
        list.as_array()
            .map(|items| items.iter().filter_map(|i| i["value"].as_str().map(String::from)).collect())
            .unwrap_or_default(),
    )
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Ids of a ListResponse's resources, in the order given.
fn listed_ids(body: &Value) -> Vec<String> {
    body["Resources"]
        .as_array()
        .map(|rs| rs.iter().filter_map(|r| r["id"].as_str().map(String::from)).collect())
        .unwrap_or_default()
}

fn decode_query(raw: &str) -> Vec<(String, String)> {
    let url = reqwest::Url::parse(&format!("http://query.invalid/?{raw}")).expect("a query string");
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

impl Seen {
    fn ids(&self, keys: &[&str]) -> Result<Vec<String>, String> {
        Ok(sorted(self.ids_in_order(keys)?))
    }

    fn ids_in_order(&self, keys: &[&str]) -> Result<Vec<String>, String> {
        keys.iter().map(|k| self.ctx.id(k).map(String::from)).collect()
    }

    fn json(&self, text: &str) -> Result<Value, String> {
        self.ctx.json(text)
    }

    /// The body of the (last) answer.
    fn body(&self) -> &Value {
        self.answers.last().map_or(&Value::Null, |a| &a.body)
    }

    fn answer(&self, i: usize) -> &Value {
        self.answers.get(i).map_or(&Value::Null, |a| &a.body)
    }

    /// The body the bridge sent with its first Databricks request of this method.
    fn sent(&self, method: &str) -> Result<&Value, String> {
        self.requests
            .iter()
            .find(|r| r["method"] == method)
            .map(|r| &r["body"])
            .ok_or_else(|| format!("no {method} reached Databricks"))
    }

    /// The operations of the first Databricks PATCH.
    fn ops(&self) -> Result<Vec<Value>, String> {
        self.sent("PATCH")?["Operations"].as_array().cloned().ok_or_else(|| "a PATCH without Operations".to_string())
    }

    /// A decoded query parameter of the i-th Databricks request.
    fn param(&self, i: usize, key: &str) -> Option<String> {
        let raw = self.requests.get(i)?["query"].as_str()?.to_string();
        decode_query(&raw).into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn excluded(&self, i: usize) -> Vec<String> {
        self.param(i, "excludedAttributes")
            .map(|e| e.split(',').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default()
    }

    fn held(&self, list: &str, noun: &str, key: &str) -> Result<&Value, String> {
        let id = self.ctx.id(key)?;
        self.state[list]
            .as_array()
            .and_then(|all| all.iter().find(|o| o["id"] == id))
            .ok_or_else(|| format!("{noun} {key} is not in Databricks"))
    }

    /// The resources the first `pages` answers list.
    fn paged(&self, pages: usize) -> Vec<Value> {
        (0..pages).flat_map(|i| self.answer(i)["Resources"].as_array().cloned().unwrap_or_default()).collect()
    }

    fn paged_resource(&self, pages: usize, key: &str) -> Result<Value, String> {
        let id = self.ctx.id(key)?;
        Ok(self.paged(pages).into_iter().find(|r| r["id"] == id).unwrap_or_default())
    }

    /// Checks one expectation; `body` is the answer it concerns.
    fn check(&self, body: &Value, expect: &Expect) -> Result<(), String> {
        match expect {
            AnswerIs { at: p, json, why } => {
                let (actual, expected) = (at(body, p), self.json(json)?);
                ensure!(*actual == expected, "{why}: {p} is {actual}, not {expected}");
            }
            AnswerIsNot { at: p, json, why } => {
                let actual = at(body, p);
                ensure!(*actual != self.json(json)?, "{why}: {p} is {actual}");
            }
            AnswerLacks { at: p, why } => ensure!(body.pointer(p).is_none(), "{why}: {p} is {}", at(body, p)),
            AnswerHasText { at: p, why } => {
                ensure!(at(body, p).as_str().is_some_and(|t| !t.is_empty()), "{why}: {p} is {}", at(body, p));
            }
            AnswerIsU64 { at: p, why } => ensure!(at(body, p).is_u64(), "{why}: {p} is {}", at(body, p)),
            ListedResourceIs { key, at: p, json, why } => {
                let id = self.ctx.id(key)?;
                let resource = body["Resources"].as_array().and_then(|rs| rs.iter().find(|r| r["id"] == id));
                let actual = resource.map(|r| at(r, p));
                ensure!(actual == Some(&self.json(json)?), "{why}: {key}'s {p} is {actual:?}");
            }
            AnswerTextLacks { at: p, text, why } => {
                let actual = at(body, p).as_str().unwrap_or_default();
                ensure!(!actual.contains(&self.ctx.fill(text)?), "{why}: {p} is {actual:?}");
            }
            AnswerTextEndsWith { at: p, suffix, why } => {
                let actual = at(body, p).as_str().unwrap_or_default();
                ensure!(actual.ends_with(&self.ctx.fill(suffix)?), "{why}: {p} is {actual:?}");
            }
            AnswerListContains { at: p, json, why } => {
                let item = self.json(json)?;
                ensure!(at(body, p).as_array().is_some_and(|a| a.contains(&item)), "{why}: {p} is {}", at(body, p));
            }
            AnswerValues { at: p, keys, why } => {
                let actual = values(at(body, p));
                ensure!(actual == self.ids(keys)?, "{why}: {p} holds {actual:?}, not {keys:?}");
            }
            AnswerValueStrings { at: p, values: expected, why } => {
                let actual = values(at(body, p));
                ensure!(
                    actual == sorted(expected.iter().map(|v| v.to_string()).collect()),
                    "{why}: {p} holds {actual:?}"
                );
            }
            AnswerKeys { at: p, keys, why } => {
                let actual: BTreeSet<&str> =
                    at(body, p).as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
                ensure!(actual == keys.iter().copied().collect(), "{why}: {p} has {actual:?}");
            }
            Listed { keys, why } => {
                let actual = listed_ids(body);
                ensure!(actual == self.ids_in_order(keys)?, "{why}: listed {actual:?}, not {keys:?}");
            }
            ListedInAnyOrder { keys, why } => {
                let actual = sorted(listed_ids(body));
                ensure!(actual == self.ids(keys)?, "{why}: listed {actual:?}, not {keys:?}");
            }
            MembersIfAnswered { keys } => {
                ensure!(body["id"].is_string() && body["displayName"].is_string(), "the group is answered");
                if body.get("members").is_some() {
                    ensure!(values(&body["members"]) == self.ids(keys)?, "the answered members are the new list");
                }
            }
            OnAnswer { n, expect } => self.check(self.answer(*n), expect).map_err(|e| format!("answer {n}: {e}"))?,
            SameListing { a, b, why } => {
                ensure!(listed_ids(self.answer(*a)) == listed_ids(self.answer(*b)), "{why}");
            }
            PageSizes { sizes } => {
                let actual: Vec<usize> = (0..sizes.len()).map(|i| listed_ids(self.answer(i)).len()).collect();
                ensure!(actual == *sizes, "page sizes {actual:?}");
            }
            ListedAcrossPages { pages, keys, why } => {
                let all: Vec<String> = (0..*pages).flat_map(|i| listed_ids(self.answer(i))).collect();
                ensure!(sorted(all.clone()) == self.ids(keys)?, "{why}: listed {all:?}");
            }
            PagedResourceIs { pages, key, at: p, json, why } => {
                let resource = self.paged_resource(*pages, key)?;
                ensure!(*at(&resource, p) == self.json(json)?, "{why}: {key}'s {p} is {}", at(&resource, p));
            }
            PagedResourceValues { pages, key, at: p, keys, why } => {
                let resource = self.paged_resource(*pages, key)?;
                ensure!(values(at(&resource, p)) == self.ids(keys)?, "{why}: {key}'s {p} is {}", at(&resource, p));
            }
            Ops { json } => {
                let expected = self.json(json)?;
                let actual = Value::Array(self.ops()?);
                ensure!(actual == expected, "Databricks PATCH operations {actual} instead of {expected}");
            }
            OpsInAnyOrder { json } => {
                let expected = self.json(json)?;
                let as_set = |v: &[Value]| -> BTreeSet<String> { v.iter().map(Value::to_string).collect() };
                let actual = self.ops()?;
                ensure!(
                    as_set(&actual) == as_set(expected.as_array().map_or(&[][..], Vec::as_slice)),
                    "Databricks PATCH operations {} instead of {expected} (any order)",
                    Value::Array(actual)
                );
            }
            OpSent { json, why } => ensure!(self.ops()?.contains(&self.json(json)?), "{why}"),
            NoOpOn { path, why } => ensure!(self.ops()?.iter().all(|op| op["path"] != *path), "{why}"),
            SentIs { method, at: p, json, why } => {
                let actual = at(self.sent(method)?, p);
                ensure!(*actual == self.json(json)?, "{why}: {p} is {actual}");
            }
            SentLacks { method, at: p, why } => ensure!(self.sent(method)?.pointer(p).is_none(), "{why}"),
            SentValues { method, at: p, keys, why } => {
                let actual = values(at(self.sent(method)?, p));
                ensure!(actual == self.ids(keys)?, "{why}: {p} holds {actual:?}");
            }
            Param { n, key, value, why } => {
                let actual = self.param(*n, key);
                ensure!(actual.as_deref() == *value, "{why}: {key} is {actual:?}");
            }
            FilterSent { n, filter } => {
                let filter_sent = self.param(*n, "filter");
                ensure!(filter_sent.as_deref() == Some(*filter), "filter sent: {filter_sent:?}");
            }
            ParamSet { n, key, values: expected, why } => {
                let actual = self.param(*n, key).unwrap_or_default();
                let asked: BTreeSet<&str> = actual.split(',').collect();
                ensure!(asked == expected.iter().copied().collect(), "{why}: {actual}");
            }
            Excluded { n, attribute, excluded, why } => {
                ensure!(self.excluded(*n).iter().any(|a| a == attribute) == *excluded, "{why}");
            }
            NoRequest { method, why } => ensure!(self.requests.iter().all(|r| r["method"] != *method), "{why}"),
            Members { group, keys, why } => {
                let actual = values(&self.held("groups", "group", group)?["members"]);
                ensure!(actual == self.ids(keys)?, "{why}: {group} holds {actual:?}");
            }
            UserIs { key, at: p, json, why } => {
                let actual = at(self.held("users", "user", key)?, p);
                ensure!(*actual == self.json(json)?, "{why}: {key}'s {p} is {actual}");
            }
            GroupIs { key, at: p, json, why } => {
                let actual = at(self.held("groups", "group", key)?, p);
                ensure!(*actual == self.json(json)?, "{why}: {key}'s {p} is {actual}");
            }
            GroupGone { key, why } => ensure!(self.held("groups", "group", key).is_err(), "{why}"),
            UsersHeld { count, why } => {
                let users = self.state["users"].as_array().map_or(0, Vec::len);
                ensure!(users == *count, "{why} ({users})");
            }
            InModes { modes, expect } => {
                if modes.contains(&self.mode) {
                    self.check(body, expect)?;
                }
            }
        }
        Ok(())
    }
}

async fn prepare(stack: &TestStack, setup: &Setup) -> Result<Ctx, String> {
    stack.admin_post("reset", json!({})).await;
    let mut ctx = Ctx::default();
    for (i, user) in setup.users.iter().enumerate() {
        let body = if user.starts_with('{') { ctx.json(user)? } else { json!({"schemas": [USER], "userName": user}) };
        let a = stack.call(Operation::CreateUser, Call::post("/Users", body)).await;
        let id = a.body["id"].as_str().filter(|_| a.status == 201);
        let id = id.ok_or_else(|| format!("setup: creating user {user} answered {} {}", a.status, a.body))?;
        ctx.ids.insert(format!("u{i}"), id.to_string());
    }
    for (i, (name, members)) in setup.groups.iter().enumerate() {
        let mut values = Vec::new();
        for m in members {
            values.push(json!({"value": ctx.id(m)?}));
        }
        let body =
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name, "members": values});
        let a = stack.call(Operation::CreateGroup, Call::post("/Groups", body)).await;
        let id = a.body["id"].as_str().filter(|_| a.status == 201);
        let id = id.ok_or_else(|| format!("setup: creating group {name} answered {} {}", a.status, a.body))?;
        ctx.ids.insert(format!("g{i}"), id.to_string());
    }
    for i in &setup.inactive {
        let id = ctx.id(&format!("u{i}"))?.to_string();
        let body = json!({"Operations": [{"op": "replace", "path": "active", "value": false}]});
        let a = stack.call(Operation::PatchUser, Call::patch(&format!("/Users/{id}"), body)).await;
        // 204 where the target hides inactive users (docs/design.md §4).
        ensure!(a.status == 200 || a.status == 204, "setup: deactivating u{i} answered {} {}", a.status, a.body);
    }
    Ok(ctx)
}

/// What every answer must look like, whatever the case.
fn check_answer(n: usize, a: &Answer, status: u16, scim_type: Option<&str>, why: &str) -> Result<(), String> {
    let note = if why.is_empty() { String::new() } else { format!(" ({why})") };
    ensure!(a.status == status, "call {n}: status {} instead of {status}{note}: {}", a.status, a.body);
    if a.status == 204 {
        ensure!(a.body.is_null(), "call {n}: a 204 has no body");
        return Ok(());
    }
    ensure!(a.header("content-type") == Some("application/scim+json"), "call {n}: Content-Type application/scim+json");
    if a.status == 201 {
        let location = a.header("location");
        ensure!(
            location.is_some() && location == a.body["meta"]["location"].as_str(),
            "call {n}: a 201 has a Location equal to meta.location"
        );
    }
    if a.status >= 400 {
        ensure!(a.body["schemas"] == json!([ERROR]), "call {n}: a SCIM Error body: {}", a.body);
        ensure!(
            a.body["status"].as_str() == Some(a.status.to_string().as_str()),
            "call {n}: the Error's status is a string: {}",
            a.body
        );
        if let Some(t) = scim_type {
            ensure!(a.body["scimType"] == t, "call {n}: scimType {} instead of {t}", a.body["scimType"]);
        }
    }
    Ok(())
}

/// What every Databricks request must look like (docs/databricks-behaviour.md rows 25, 26, 29): lower-case ops, a
/// remove never carries `value`, and no password ever leaves the bridge.
fn check_target_requests(requests: &[Value]) -> Result<(), String> {
    for r in requests {
        ensure!(!r["body"].to_string().contains("password"), "a password reached Databricks: {r}");
        if r["method"] != "PATCH" {
            continue;
        }
        for op in r["body"]["Operations"].as_array().map_or(&[][..], Vec::as_slice) {
            let name = op["op"].as_str().unwrap_or_default();
            ensure!(["add", "remove", "replace"].contains(&name), "a Databricks op is add/remove/replace: {op}");
            ensure!(name != "remove" || op.get("value").is_none(), "a Databricks remove carries no value: {op}");
        }
    }
    Ok(())
}

/// Runs one case: its setup, its requests, then every check of its row.
async fn run(stack: &TestStack, case: &Case) -> Result<(), String> {
    let ctx = prepare(stack, &case.setup).await?;
    stack.reset_stats().await;
    if stack.is_account() && matches!(case.account, OnAccount::Refused) {
        let first = case.calls.first().ok_or("a refused case has a call")?;
        let (operation, call) = first.call(&ctx)?;
        let a = stack.call(operation, call).await;
        let detail = a.body["detail"].as_str().unwrap_or_default();
        ensure!(
            a.status == 400
                && a.body["scimType"] == "invalidValue"
                && detail.contains("cannot be set through the Databricks account API"),
            "on the account target the first call is 400 invalidValue, not {} {}",
            a.status,
            a.body
        );
        let writes: Vec<Value> = stack.target_requests().await.into_iter().filter(|r| r["method"] != "GET").collect();
        ensure!(writes.is_empty(), "nothing is written when refused: {writes:?}");
        return Ok(());
    }
    let mut answers = Vec::new();
    for req in &case.calls {
        let (operation, call) = req.call(&ctx)?;
        answers.push(stack.call(operation, call).await);
    }
    let seen = Seen {
        mode: stack.mode,
        ctx,
        answers,
        requests: stack.target_requests().await,
        state: stack.target_state().await,
    };
    let (status, why) = match (seen.mode.is_seed_quirks(), case.seed) {
        (true, Some(d)) => (d.status, d.why),
        _ => (case.status, ""),
    };
    for (n, (a, req)) in seen.answers.iter().zip(&case.calls).enumerate() {
        match req.status {
            Some(own) => check_answer(n, a, own, None, "")?,
            None => check_answer(n, a, status, case.scim_type, why)?,
        }
    }
    let recorded: Vec<(String, String)> = seen
        .requests
        .iter()
        .map(|r| (r["method"].as_str().unwrap_or_default().into(), r["resource"].as_str().unwrap_or_default().into()))
        .collect();
    let target = match (seen.mode.is_seed_quirks(), &case.seed_target, &case.account) {
        (true, Some(seed), _) => seed,
        (_, _, OnAccount::Calls(calls)) if stack.is_account() => calls,
        _ => &case.target,
    };
    // A read after a write happens unless Databricks answered the write with the resource.
    let expected: Vec<(String, String)> = target
        .iter()
        .filter_map(|(m, r)| match r.strip_suffix(AFTER_WRITE) {
            Some(_) if seen.mode.read_after_write() == 0 => None,
            Some(resource) => Some((m.to_string(), resource.to_string())),
            None => Some((m.to_string(), r.to_string())),
        })
        .collect();
    ensure!(recorded == expected, "Databricks calls {recorded:?} instead of {expected:?}");
    check_target_requests(&seen.requests)?;
    // A 204 has no body to check.
    if status != 204 {
        for check in &case.body {
            seen.check(seen.body(), check).map_err(|e| format!("answer: {e}; got {}", seen.body()))?;
        }
    }
    for check in &case.sent {
        seen.check(seen.body(), check)
            .map_err(|e| format!("Databricks: {e}; requests {}", Value::Array(seen.requests.clone())))?;
    }
    Ok(())
}

async fn run_table(stack: &TestStack, clients: &[Client]) {
    let (table, workspace_only): (Vec<Case>, Vec<Case>) = cases()
        .into_iter()
        .filter(|c| clients.contains(&c.client))
        .partition(|c| !(stack.is_account() && matches!(c.account, OnAccount::WorkspaceOnly(_))));
    // A case left out of the account target says why.
    for case in &workspace_only {
        assert!(matches!(case.account, OnAccount::WorkspaceOnly(why) if !why.is_empty()), "{}", case.name);
    }
    let mut failures = Vec::new();
    for case in &table {
        if let Err(why) = run(stack, case).await {
            failures.push(format!("- {} ({:?}): {why}", case.name, case.client));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} client cases failed ({:?} mode, {:?} events):\n{}",
        failures.len(),
        table.len(),
        stack.mode,
        stack.shape,
        failures.join("\n")
    );
}

async fn entra_id_requests_get_the_stated_answers_and_databricks_calls(stack: &TestStack) {
    run_table(stack, &[Client::Entra, Client::EntraFlag, Client::EntraLookup]).await;
}
in_every_mode!(entra_id_requests_get_the_stated_answers_and_databricks_calls);

async fn okta_requests_get_the_stated_answers_and_databricks_calls(stack: &TestStack) {
    run_table(stack, &[Client::Okta]).await;
}
in_every_mode!(okta_requests_get_the_stated_answers_and_databricks_calls);

async fn one_identity_requests_get_the_stated_answers_and_databricks_calls(stack: &TestStack) {
    run_table(stack, &[Client::OneIdentity]).await;
}
in_every_mode!(one_identity_requests_get_the_stated_answers_and_databricks_calls);

async fn rfc7644_requests_get_the_stated_answers_and_databricks_calls(stack: &TestStack) {
    run_table(stack, &[Client::Rfc]).await;
}
in_every_mode!(rfc7644_requests_get_the_stated_answers_and_databricks_calls);

// ---------------------------------------------------------------------------------------------
// The table itself

fn files_under(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("the fixtures directory is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files_under(root, &path, out);
        } else if let Ok(relative) = path.strip_prefix(root) {
            out.insert(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn every_client_fixture_is_used_by_a_case_and_listed_in_the_readme() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/clients");
    let mut on_disk = BTreeSet::new();
    files_under(&root, &root, &mut on_disk);
    assert!(on_disk.remove("README.md"), "tests/fixtures/clients/README.md lists the fixtures");
    let used: BTreeSet<String> = cases().iter().flat_map(|c| c.fixtures()).map(String::from).collect();
    let unused: Vec<&String> = on_disk.difference(&used).collect();
    assert!(unused.is_empty(), "fixtures no case uses (use them or delete them): {unused:?}");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md is readable");
    let unlisted: Vec<&String> = on_disk.iter().filter(|f| !readme.contains(&format!("`{f}`"))).collect();
    assert!(unlisted.is_empty(), "fixtures the README does not list: {unlisted:?}");
}

#[test]
fn the_client_table_has_unique_case_names_and_covers_every_client() {
    let table = cases();
    let mut names = BTreeSet::new();
    for case in &table {
        assert!(names.insert(case.name), "two cases are named {}", case.name);
        assert!(!case.calls.is_empty(), "{} sends a request", case.name);
        for req in &case.calls {
            assert!(
                operation(req.method, req.path).is_ok(),
                "{}: {} {} reaches a function",
                case.name,
                req.method,
                req.path
            );
        }
    }
    let mut per_client: BTreeMap<Client, usize> = BTreeMap::new();
    for case in &table {
        *per_client.entry(case.client).or_default() += 1;
    }
    assert_eq!(per_client.len(), 6, "every client has cases: {per_client:?}");
    assert!(table.len() >= 45, "at least 45 cases, found {}", table.len());
}
