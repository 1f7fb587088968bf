//! What identity platforms really send (docs/identity-platforms.md), as one table. Each case
//! states the client's request as the client sends it (raw JSON; large bodies live in
//! `tests/fixtures/clients/`), the SCIM answer it must get, the exact Databricks calls the
//! bridge may make for it, and — where the case is about the translation — what the bridge
//! sent to Databricks. The table runs in both emulator modes with both gateway event shapes;
//! where the seed-quirks target legitimately differs (docs/design.md §4) the case says so.
//!
//! Placeholders `{{u0}}`, `{{g1}}`, … in paths, queries and bodies stand for the ids of the
//! users and groups the case's setup created. Every case starts from an empty workspace.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};
use tests::Operation::{self, *};
use tests::{Answer, Call, Mode, TestStack, in_every_mode};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const EXT: &str = "urn:ietf:params:scim:schemas:extension:databricks:2.0:Group";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

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

#[derive(Debug, Clone, Copy)]
enum Payload {
    None,
    Inline(&'static str),
    File(Fixture),
}

/// One client request.
#[derive(Debug, Clone)]
struct Req {
    op: Operation,
    path: &'static str,
    query: Vec<(&'static str, &'static str)>,
    body: Payload,
    /// `None`: `application/scim+json`.
    content_type: Option<&'static str>,
    /// `None`: the case's status.
    status: Option<u16>,
}

impl Req {
    fn call(&self, ctx: &Ctx) -> Result<Call, String> {
        let path = ctx.fill(self.path)?;
        let body = match self.body {
            Payload::None => None,
            Payload::Inline(text) => Some(ctx.json(text)?),
            Payload::File(f) => Some(ctx.json(f.text)?),
        };
        let mut call = match (self.op, body) {
            (CreateUser | CreateGroup, Some(b)) => Call::post(&path, b),
            (ReplaceUser | ReplaceGroup, Some(b)) => Call::put(&path, b),
            (PatchUser | PatchGroup, Some(b)) => Call::patch(&path, b),
            (DeleteUser | DeleteGroup, None) => Call::delete(&path),
            (GetUser | ListUsers | GetGroup | ListGroups, None) => Call::get(&path),
            (op, body) => return Err(format!("the table sends {op:?} with body {body:?}")),
        };
        for (key, value) in &self.query {
            call = call.query(key, &ctx.fill(value)?);
        }
        if let Some(content_type) = self.content_type {
            call.content_type = content_type;
        }
        Ok(call)
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

type Check = fn(&Seen) -> Result<(), String>;

impl Seen {
    fn id(&self, key: &str) -> String {
        self.ctx.id(key).unwrap_or("<no such setup>").to_string()
    }

    fn ids(&self, keys: &[&str]) -> Vec<String> {
        sorted(keys.iter().map(|k| self.id(k)).collect())
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

    /// The first Databricks PATCH carried exactly these operations, in this order.
    fn ops_are(&self, expected: &str) -> Result<(), String> {
        let expected = self.json(expected)?;
        let actual = Value::Array(self.ops()?);
        ensure!(actual == expected, "Databricks PATCH operations {actual} instead of {expected}");
        Ok(())
    }

    /// The same, in any order (path-less value objects have no order).
    fn ops_are_in_any_order(&self, expected: &str) -> Result<(), String> {
        let expected = self.json(expected)?;
        let as_set = |v: &[Value]| -> BTreeSet<String> { v.iter().map(Value::to_string).collect() };
        let actual = self.ops()?;
        ensure!(
            as_set(&actual) == as_set(expected.as_array().map_or(&[][..], Vec::as_slice)),
            "Databricks PATCH operations {} instead of {expected} (any order)",
            Value::Array(actual)
        );
        Ok(())
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

    fn user(&self, key: &str) -> Result<&Value, String> {
        let id = self.id(key);
        self.state["users"]
            .as_array()
            .and_then(|us| us.iter().find(|u| u["id"] == id.as_str()))
            .ok_or_else(|| format!("user {key} is not in Databricks"))
    }

    fn group(&self, key: &str) -> Result<&Value, String> {
        let id = self.id(key);
        self.state["groups"]
            .as_array()
            .and_then(|gs| gs.iter().find(|g| g["id"] == id.as_str()))
            .ok_or_else(|| format!("group {key} is not in Databricks"))
    }

    /// Sorted member ids of a group as Databricks holds it.
    fn members(&self, key: &str) -> Result<Vec<String>, String> {
        Ok(values(&self.group(key)?["members"]))
    }
}

/// A group PATCH answer may leave members out (docs/design.md §5; OK-10, EN-12) or show
/// them because the PATCH changed them (README); when it shows them, they are the new list.
fn members_if_answered(s: &Seen, expected: &[&str]) -> Result<(), String> {
    let body = s.body();
    ensure!(body["id"].is_string() && body["displayName"].is_string(), "the group is answered");
    if body.get("members").is_some() {
        ensure!(values(&body["members"]) == s.ids(expected), "the answered members are the new list");
    }
    Ok(())
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
fn listed(body: &Value) -> Vec<String> {
    body["Resources"]
        .as_array()
        .map(|rs| rs.iter().filter_map(|r| r["id"].as_str().map(String::from)).collect())
        .unwrap_or_default()
}

fn decode_query(raw: &str) -> Vec<(String, String)> {
    let url = reqwest::Url::parse(&format!("http://query.invalid/?{raw}")).expect("a query string");
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
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
    body: Option<Check>,
    target: Vec<(&'static str, &'static str)>,
    /// Databricks calls in seed-quirks mode, when its target behaves differently (docs/design.md §4).
    seed_target: Option<Vec<(&'static str, &'static str)>>,
    sent: Option<Check>,
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
        body: None,
        target: Vec::new(),
        seed_target: None,
        sent: None,
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
    fn request(mut self, op: Operation, path: &'static str, body: Payload) -> Case {
        self.calls.push(Req { op, path, query: Vec::new(), body, content_type: None, status: None });
        self
    }
    /// A request without a body (GET, DELETE).
    fn get(self, op: Operation, path: &'static str) -> Case {
        self.request(op, path, Payload::None)
    }
    /// A request with an inline raw JSON body.
    fn send(self, op: Operation, path: &'static str, body: &'static str) -> Case {
        self.request(op, path, Payload::Inline(body))
    }
    /// A request whose body is a fixture file.
    fn send_file(self, op: Operation, path: &'static str, fixture: Fixture) -> Case {
        self.request(op, path, Payload::File(fixture))
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
    fn body(mut self, check: Check) -> Case {
        self.body = Some(check);
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
    fn sent(mut self, check: Check) -> Case {
        self.sent = Some(check);
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
            .send(PatchUser, "/Users/{{u0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Replace","path":"active","value":"False"}]}"#)
            .seed_quirks(204, HIDDEN_AFTER_DEACTIVATION)
            .body(|s| {
                ensure!(s.body()["active"] == false, "the answer shows the user disabled");
                ensure!(s.body()["id"] == s.id("u0").as_str(), "the answer is the user");
                Ok(())
            })
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| {
                s.ops_are(r#"[{"op":"replace","path":"active","value":"false"}]"#)?;
                ensure!(s.user("u0")?["active"] == false, "Databricks holds the user inactive");
                Ok(())
            }),
        case(Entra, "entra_add_on_the_single_valued_active_is_a_replace")
            .users(&["ann.lee@contoso.com"])
            .send(PatchUser, "/Users/{{u0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Add","path":"active","value":"False"}]}"#)
            .seed_quirks(204, HIDDEN_AFTER_DEACTIVATION)
            .body(|s| {
                ensure!(s.body()["active"] == false, "add on active replaces it");
                Ok(())
            })
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| s.ops_are(r#"[{"op":"replace","path":"active","value":"false"}]"#)),
        case(Entra, "entra_multi_valued_update_changes_the_family_name_and_leaves_the_derived_email")
            .users(&["ann.lee@contoso.com"])
            .send_file(PatchUser, "/Users/{{u0}}", fixture!("entra/update-user-multi-valued.json"))
            .body(|s| {
                ensure!(s.body()["name"]["familyName"] == "updatedFamilyName", "the new family name is answered");
                ensure!(s.body()["userName"] == "ann.lee@contoso.com", "the userName (and so the e-mail) is unchanged");
                Ok(())
            })
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| s.ops_are(r#"[{"op":"replace","path":"name.familyName","value":"updatedFamilyName"}]"#)),
        case(Entra, "entra_replace_of_the_user_name_with_the_same_value_in_other_case_is_accepted")
            .users(&["ann.lee@contoso.com"])
            .send(PatchUser, "/Users/{{u0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Replace","path":"userName","value":"Ann.Lee@Contoso.com"}]}"#)
            .body(|s| {
                ensure!(s.body()["userName"] == "ann.lee@contoso.com", "the user is answered unchanged");
                Ok(())
            })
            // Nothing to write: one full read both checks the immutable userName and answers.
            .calls(&[GET_USERS]),
        case(Entra, "entra_changing_the_user_name_is_400_mutability")
            .users(&["ann.lee@contoso.com"])
            .send(PatchUser, "/Users/{{u0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Replace","path":"userName","value":"ann.smith@contoso.com"}]}"#)
            .error(400, "mutability")
            .calls(&[GET_USERS])
            .sent(|s| {
                ensure!(s.user("u0")?["userName"] == "ann.lee@contoso.com", "Databricks keeps the userName");
                Ok(())
            }),
        case(Entra, "entra_adds_members_whose_ref_is_null")
            .users(&["ann.lee@contoso.com", "bo.chen@contoso.com"])
            .group("Sales EMEA", &[])
            .send(PatchGroup, "/Groups/{{g0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"{{u0}}"},{"$ref":null,"value":"{{u1}}"}]}]}"#)
            .body(|s| members_if_answered(s, &["u0", "u1"]))
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                s.ops_are(r#"[{"op":"add","path":"members","value":[{"value":"{{u0}}"},{"value":"{{u1}}"}]}]"#)?;
                ensure!(s.members("g0")? == s.ids(&["u0", "u1"]), "both are members in Databricks");
                Ok(())
            }),
        case(Entra, "entra_value_list_remove_removes_only_the_listed_member")
            .users(&["ann.lee@contoso.com", "bo.chen@contoso.com"])
            .group("Sales EMEA", &["u0", "u1"])
            .send(PatchGroup, "/Groups/{{g0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"{{u0}}"}]}]}"#)
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                s.ops_are(r#"[{"op":"remove","path":"members[value eq \"{{u0}}\"]"}]"#)?;
                ensure!(s.members("g0")? == s.ids(&["u1"]), "only the listed member left the group");
                Ok(())
            }),
        case(Entra, "entra_adds_and_removes_several_members_in_one_patch_with_one_databricks_call")
            .users(&["a@contoso.com", "b@contoso.com", "c@contoso.com", "d@contoso.com", "e@contoso.com"])
            .group("Sales EMEA", &["u0", "u1", "u4"])
            .send_file(PatchGroup, "/Groups/{{g0}}", fixture!("entra/group-add-and-remove-members.json"))
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                s.ops_are(
                    r#"[{"op":"add","path":"members","value":[{"value":"{{u2}}"},{"value":"{{u3}}"}]},
                        {"op":"remove","path":"members[value eq \"{{u0}}\"]"},
                        {"op":"remove","path":"members[value eq \"{{u1}}\"]"}]"#,
                )?;
                ensure!(s.members("g0")? == s.ids(&["u2", "u3", "u4"]), "two joined, two left, one stayed");
                Ok(())
            }),
        case(Entra, "entra_renames_a_group_and_the_answer_leaves_members_out")
            .users(&["ann.lee@contoso.com"])
            .group("Sales EMEA", &["u0"])
            .send(PatchGroup, "/Groups/{{g0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Replace","path":"displayName","value":"Sales EMEA and APAC"}]}"#)
            .body(|s| {
                ensure!(s.body()["displayName"] == "Sales EMEA and APAC", "the new name is answered");
                ensure!(s.body().get("members").is_none(), "a rename answers without the member list");
                Ok(())
            })
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                s.ops_are(r#"[{"op":"replace","path":"displayName","value":"Sales EMEA and APAC"}]"#)?;
                ensure!(s.members("g0")? == s.ids(&["u0"]), "a rename keeps the members");
                Ok(())
            }),
        case(Entra, "entra_creates_a_user_as_the_provisioning_service_sends_it")
            .send_file(CreateUser, "/Users", fixture!("entra/create-user.json"))
            .answers(201)
            .body(|s| {
                let b = s.body();
                ensure!(b["userName"] == "andrew.hallbrook@contoso.com", "Databricks lower-cases the userName");
                ensure!(b["externalId"] == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", "externalId round-trips");
                ensure!(b["displayName"] == "Andrew Hallbrook", "displayName from givenName familyName");
                ensure!(b["active"] == true, "the user is active");
                ensure!(b.get("roles").is_none() && b.get(ENTERPRISE).is_none(), "nothing Databricks cannot hold");
                Ok(())
            })
            .calls(&[POST_USERS])
            .sent(|s| {
                let sent = s.sent("POST")?;
                ensure!(sent["externalId"] == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", "externalId is sent");
                ensure!(sent["name"] == json!({"givenName": "Andrew", "familyName": "Hallbrook"}), "name is sent");
                for key in ["roles", "meta", ENTERPRISE] {
                    ensure!(sent.get(key).is_none(), "'{key}' is not sent to Databricks");
                }
                Ok(())
            }),
        case(Entra, "entra_creates_a_group_without_members_and_with_a_microsoft_schema")
            .send_file(CreateGroup, "/Groups", fixture!("entra/create-group.json"))
            .answers(201)
            .body(|s| {
                ensure!(s.body()["displayName"] == "Sales EMEA", "the group is answered");
                ensure!(s.body()["externalId"] == "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "externalId round-trips");
                ensure!(s.body()["meta"]["resourceType"] == "Group", "meta.resourceType");
                ensure!(s.body().get("members").is_none(), "no members");
                Ok(())
            })
            .calls(&[POST_GROUPS])
            .sent(|s| {
                let sent = s.sent("POST")?;
                ensure!(sent.get("meta").is_none(), "meta is not sent");
                ensure!(values(&sent["members"]).is_empty(), "no members are sent");
                Ok(())
            }),
        case(Entra, "entra_creates_a_disabled_user_when_active_is_the_string_false")
            .send(CreateUser, "/Users", r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName":"leaver@contoso.com","active":"False","externalId":"c2b5f7e3"}"#)
            .answers(201)
            .body(|s| {
                ensure!(s.body()["active"] == false, "the answer shows the final state");
                Ok(())
            })
            // docs/design.md §4: Databricks creates active users; the bridge then deactivates.
            .calls(&[POST_USERS, PATCH_USERS])
            .sent(|s| s.ops_are(r#"[{"op":"replace","path":"active","value":"false"}]"#)),
        case(Entra, "entra_patch_of_an_enterprise_attribute_is_ignored_without_a_databricks_write")
            .users(&["ann.lee@contoso.com"])
            .send(PatchUser, "/Users/{{u0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"4130"}]}"#)
            .body(|s| {
                ensure!(s.body()["id"] == s.id("u0").as_str(), "the user is answered");
                ensure!(s.body().get(ENTERPRISE).is_none(), "no enterprise extension is invented");
                Ok(())
            })
            .calls(&[GET_USERS]),
        case(Entra, "entra_deletes_a_disabled_user_after_the_soft_delete_period")
            .users(&["leaver@contoso.com"])
            .inactive(&[0])
            .get(DeleteUser, "/Users/{{u0}}")
            .answers(204)
            .seed_quirks(404, "docs/design.md §4 (active=false row): the seed target hides inactive users, even from DELETE")
            .calls(&[DELETE_USERS]),
        case(Entra, "entra_re_adding_a_member_that_is_already_there_changes_nothing")
            .users(&["ann.lee@contoso.com"])
            .group("Sales EMEA", &["u0"])
            .send(PatchGroup, "/Groups/{{g0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"{{u0}}"}]}]}"#)
            .body(|s| members_if_answered(s, &["u0"]))
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                ensure!(s.members("g0")? == s.ids(&["u0"]), "the member is there once");
                Ok(())
            }),
        case(Entra, "entra_removing_a_member_that_already_left_changes_nothing")
            .users(&["ann.lee@contoso.com", "bo.chen@contoso.com"])
            .group("Sales EMEA", &["u0"])
            .send(PatchGroup, "/Groups/{{g0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"{{u1}}"}]}]}"#)
            .calls(&[PATCH_GROUPS, GET_GROUPS])
            .sent(|s| {
                s.ops_are(r#"[{"op":"remove","path":"members[value eq \"{{u1}}\"]"}]"#)?;
                ensure!(s.members("g0")? == s.ids(&["u0"]), "the other member stays");
                Ok(())
            }),
        case(Entra, "entra_adding_a_member_databricks_does_not_know_is_400_invalid_value")
            .group("Sales EMEA", &[])
            .send(PatchGroup, "/Groups/{{g0}}", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"123456789012345"}]}]}"#)
            .error(400, "invalidValue")
            .calls(&[PATCH_GROUPS])
            .sent(|s| {
                ensure!(s.members("g0")?.is_empty(), "nothing was added");
                Ok(())
            }),
    ]
}

/// Entra ID with `aadOptscim062020` (docs/identity-platforms.md EN-3, EN-5, EN-7, EN-14).
fn entra_flag_cases() -> Vec<Case> {
    use Client::EntraFlag;
    vec![
        case(EntraFlag, "entra_flag_disables_a_user_with_a_boolean")
            .users(&["ann.lee@contoso.com"])
            .send(
                PatchUser,
                "/Users/{{u0}}",
                r#"{"Operations":[{"op":"replace","path":"active","value":false}],
                "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}"#,
            )
            .seed_quirks(204, HIDDEN_AFTER_DEACTIVATION)
            .body(|s| {
                ensure!(s.body()["active"] == false, "the answer shows the user disabled");
                Ok(())
            })
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| s.ops_are(r#"[{"op":"replace","path":"active","value":"false"}]"#)),
        case(EntraFlag, "entra_flag_removes_a_member_with_a_value_filter_path")
            .users(&["ann.lee@contoso.com", "bo.chen@contoso.com"])
            .group("Sales EMEA", &["u0", "u1"])
            .send(
                PatchGroup,
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"remove","path":"members[value eq \"{{u0}}\"]"}]}"#,
            )
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                s.ops_are(r#"[{"op":"remove","path":"members[value eq \"{{u0}}\"]"}]"#)?;
                ensure!(s.members("g0")? == s.ids(&["u1"]), "only that member left");
                Ok(())
            }),
        case(EntraFlag, "entra_flag_pathless_replace_with_dotted_and_urn_keys_is_one_databricks_patch")
            .users(&["tanya@contoso.com"])
            .send_file(PatchUser, "/Users/{{u0}}", fixture!("entra/flag-pathless-replace.json"))
            .seed_quirks(204, HIDDEN_AFTER_DEACTIVATION)
            .body(|s| {
                let b = s.body();
                ensure!(b["displayName"] == "Tanya Schnabel", "displayName is answered");
                ensure!(b["name"] == json!({"givenName": "Tanya", "familyName": "Schnabel"}), "name.* are answered");
                ensure!(b["active"] == false, "active:false is answered");
                Ok(())
            })
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| {
                s.ops_are_in_any_order(
                    r#"[{"op":"replace","path":"displayName","value":"Tanya Schnabel"},
                        {"op":"replace","path":"name.givenName","value":"Tanya"},
                        {"op":"replace","path":"name.familyName","value":"Schnabel"},
                        {"op":"replace","path":"active","value":"false"}]"#,
                )?;
                ensure!(s.user("u0")?["active"] == false, "Databricks holds the user inactive");
                Ok(())
            }),
        case(EntraFlag, "entra_flag_pathless_add_with_dotted_keys_is_a_replace")
            .users(&["tanya@contoso.com"])
            .send(
                PatchUser,
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"add","value":{"name.givenName":"Tanja","externalId":"7f4bc1a3"}}]}"#,
            )
            .body(|s| {
                ensure!(s.body()["name"]["givenName"] == "Tanja", "the given name is answered");
                ensure!(s.body()["externalId"] == "7f4bc1a3", "the externalId is answered");
                Ok(())
            })
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| {
                s.ops_are_in_any_order(
                    r#"[{"op":"replace","path":"name.givenName","value":"Tanja"},
                        {"op":"replace","path":"externalId","value":"7f4bc1a3"}]"#,
                )
            }),
        case(EntraFlag, "entra_flag_adds_a_member_with_a_lowercase_add")
            .users(&["ann.lee@contoso.com"])
            .group("Sales EMEA", &[])
            .send(
                PatchGroup,
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"add","path":"members","value":[{"value":"{{u0}}"}]}]}"#,
            )
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                s.ops_are(r#"[{"op":"add","path":"members","value":[{"value":"{{u0}}"}]}]"#)?;
                ensure!(s.members("g0")? == s.ids(&["u0"]), "the member joined");
                Ok(())
            }),
        case(EntraFlag, "entra_flag_add_of_the_work_email_by_filter_path_keeps_the_email_derived_from_user_name")
            .users(&["ann.lee@contoso.com"])
            .send(
                PatchUser,
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"add","path":"emails[type eq \"work\"].value","value":"ann.lee@contoso.com"}]}"#,
            )
            .body(|s| {
                let email = &s.body()["emails"][0];
                ensure!(
                    email["value"] == "ann.lee@contoso.com" && email["type"] == "work",
                    "the work e-mail is answered"
                );
                Ok(())
            })
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
            .get(ListUsers, "/Users")
            .query("filter", r#"userName eq "Ann.Lee@contoso.com""#)
            .body(|s| {
                ensure!(s.body()["totalResults"] == 1, "one match");
                ensure!(listed(s.body()) == vec![s.id("u0")], "the match is the user");
                Ok(())
            })
            .calls(&[GET_USERS])
            .sent(|s| {
                let filter = s.param(0, "filter");
                ensure!(filter.as_deref() == Some(r#"userName eq "Ann.Lee@contoso.com""#), "filter sent: {filter:?}");
                Ok(())
            }),
        case(EntraLookup, "entra_looks_a_user_up_by_external_id")
            .users(&[
                r#"{"userName":"bo.chen@contoso.com","externalId":"5b50642d-79fc-4410-9e90-4c077cdd1a59"}"#,
                "x@contoso.com",
            ])
            .get(ListUsers, "/Users")
            .query("filter", r#"externalId eq "5b50642d-79fc-4410-9e90-4c077cdd1a59""#)
            .body(|s| {
                ensure!(listed(s.body()) == vec![s.id("u0")], "the user with that externalId");
                Ok(())
            })
            .calls(&[GET_USERS])
            .sent(|s| {
                let filter = s.param(0, "filter");
                ensure!(
                    filter.as_deref() == Some(r#"externalId eq "5b50642d-79fc-4410-9e90-4c077cdd1a59""#),
                    "filter sent: {filter:?}"
                );
                Ok(())
            }),
        case(EntraLookup, "entra_looks_a_user_up_by_its_non_standard_work_email_filter")
            .users(&["ann.lee@contoso.com", "bo.chen@contoso.com"])
            .get(ListUsers, "/Users")
            .query("filter", r#"emails[type eq "work"].value eq "ann.lee@contoso.com""#)
            .body(|s| {
                ensure!(listed(s.body()) == vec![s.id("u0")], "the user whose work e-mail it is");
                Ok(())
            })
            .calls(&[GET_USERS])
            .sent(|s| {
                let filter = s.param(0, "filter");
                ensure!(filter.as_deref() == Some(r#"userName eq "ann.lee@contoso.com""#), "filter sent: {filter:?}");
                Ok(())
            }),
        case(EntraLookup, "entra_work_email_lookup_ignores_case")
            .users(&["ann.lee@contoso.com"])
            .get(ListUsers, "/Users")
            .query("filter", r#"emails[type eq "work"].value eq "ANN.LEE@Contoso.com""#)
            .body(|s| {
                ensure!(listed(s.body()) == vec![s.id("u0")], "e-mails are caseExact=false");
                Ok(())
            })
            .calls(&[GET_USERS]),
        case(EntraLookup, "entra_test_connection_with_a_random_guid_is_200_with_an_empty_list")
            .users(&["ann.lee@contoso.com"])
            .get(ListUsers, "/Users")
            .query("filter", r#"userName eq "d1a05ab4-7c33-4d2c-a0f8-1f4b4b3c0c6e""#)
            .body(|s| {
                let b = s.body();
                ensure!(b["totalResults"] == 0 && b["Resources"] == json!([]), "an empty ListResponse");
                ensure!(b["startIndex"].is_u64() && b["itemsPerPage"].is_u64(), "integer paging metadata");
                Ok(())
            })
            .calls(&[GET_USERS]),
        case(EntraLookup, "entra_test_connection_on_groups_is_an_empty_list_asked_without_members")
            .group("Sales EMEA", &[])
            .get(ListGroups, "/Groups")
            .query("excludedAttributes", "members")
            .query("filter", r#"displayName eq "8d2f4c61-1f0e-4a43-9a7b-6a3a0f1c7d2b""#)
            .body(|s| {
                ensure!(s.body()["totalResults"] == 0 && s.body()["Resources"] == json!([]), "an empty ListResponse");
                Ok(())
            })
            .calls(&[GET_GROUPS])
            .sent(|s| {
                ensure!(s.excluded(0).iter().any(|a| a == "members"), "Databricks is not asked for members");
                Ok(())
            }),
        case(EntraLookup, "entra_looks_a_group_up_by_display_name_without_members")
            .users(&["ann.lee@contoso.com"])
            .group("Sales EMEA", &["u0"])
            .group("Sales APAC", &[])
            .get(ListGroups, "/Groups")
            .query("excludedAttributes", "members")
            .query("filter", r#"displayName eq "Sales EMEA""#)
            .body(|s| {
                ensure!(listed(s.body()) == vec![s.id("g0")], "the group with that name");
                ensure!(s.body()["Resources"][0].get("members").is_none(), "members are left out");
                Ok(())
            })
            .calls(&[GET_GROUPS])
            .sent(|s| {
                ensure!(s.excluded(0).iter().any(|a| a == "members"), "Databricks is not asked for members");
                let filter = s.param(0, "filter");
                ensure!(filter.as_deref() == Some(r#"displayName eq "Sales EMEA""#), "filter sent: {filter:?}");
                Ok(())
            }),
        case(EntraLookup, "entra_reads_a_group_without_members")
            .users(&["ann.lee@contoso.com"])
            .group("Sales EMEA", &["u0"])
            .get(GetGroup, "/Groups/{{g0}}")
            .query("excludedAttributes", "members")
            .body(|s| {
                ensure!(s.body()["displayName"] == "Sales EMEA", "the group is answered");
                ensure!(s.body().get("members").is_none(), "members are left out");
                Ok(())
            })
            .calls(&[GET_GROUPS])
            .sent(|s| {
                ensure!(s.excluded(0).iter().any(|a| a == "members"), "Databricks is not asked for members");
                Ok(())
            }),
        case(EntraLookup, "entra_tenant_url_flag_in_the_query_string_is_tolerated")
            .users(&["ann.lee@contoso.com"])
            .get(ListUsers, "/Users")
            .query("aadOptscim062020", "")
            .query("filter", r#"userName eq "ann.lee@contoso.com""#)
            .body(|s| {
                ensure!(listed(s.body()) == vec![s.id("u0")], "the lookup works with the flag present");
                Ok(())
            })
            .calls(&[GET_USERS])
            .sent(|s| {
                ensure!(s.param(0, "aadOptscim062020").is_none(), "the flag is not passed on to Databricks");
                Ok(())
            }),
        case(EntraLookup, "entra_reads_a_soft_deleted_user_as_inactive")
            .users(&["leaver@contoso.com"])
            .inactive(&[0])
            .get(GetUser, "/Users/{{u0}}")
            .seed_quirks(404, "docs/design.md §4: a target that hides inactive users shows through as 404")
            .body(|s| {
                if s.mode == Mode::Default {
                    ensure!(s.body()["active"] == false, "the real API keeps the user readable with active:false");
                }
                Ok(())
            })
            .calls(&[GET_USERS]),
        case(EntraLookup, "entra_finds_a_soft_deleted_user_by_user_name")
            .users(&["leaver@contoso.com"])
            .inactive(&[0])
            .get(ListUsers, "/Users")
            .query("filter", r#"userName eq "leaver@contoso.com""#)
            .seed_quirks(200, "docs/design.md §4: a target that hides inactive users lists none (totalResults 0)")
            .body(|s| {
                match s.mode {
                    Mode::Default | Mode::NoContentWrites | Mode::ResourceWrites => {
                        ensure!(listed(s.body()) == vec![s.id("u0")], "the inactive user is found");
                        ensure!(s.body()["Resources"][0]["active"] == false, "and shown inactive");
                    }
                    Mode::SeedQuirks => ensure!(s.body()["totalResults"] == 0, "the seed target hides it"),
                }
                Ok(())
            })
            .calls(&[GET_USERS]),
        case(EntraLookup, "entra_reading_a_user_that_does_not_exist_is_a_scim_404")
            .get(GetUser, "/Users/123456789012345")
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
            .get(ListUsers, "/Users")
            .query("filter", r#"userName eq "test.user@okta.local""#)
            .query("startIndex", "1")
            .query("count", "100")
            .body(|s| {
                let b = s.body();
                ensure!(listed(b) == vec![s.id("u0")], "the user is found");
                ensure!(b["totalResults"] == 1 && b["startIndex"] == 1 && b["itemsPerPage"] == 1, "integer metadata");
                Ok(())
            })
            .calls(&[GET_USERS])
            .sent(|s| {
                ensure!(s.param(0, "startIndex").as_deref() == Some("1"), "startIndex=1 is passed on");
                ensure!(s.param(0, "count").as_deref() == Some("100"), "count=100 is passed on");
                let filter = s.param(0, "filter");
                ensure!(filter.as_deref() == Some(r#"userName eq "test.user@okta.local""#), "filter sent: {filter:?}");
                Ok(())
            }),
        case(Okta, "okta_lookup_of_a_user_not_yet_provisioned_is_200_with_an_empty_list")
            .users(&["other@okta.local"])
            .get(ListUsers, "/Users")
            .query("filter", r#"userName eq "test.user@okta.local""#)
            .query("startIndex", "1")
            .query("count", "100")
            .body(|s| {
                ensure!(s.body()["totalResults"] == 0 && s.body()["Resources"] == json!([]), "an empty ListResponse");
                Ok(())
            })
            .calls(&[GET_USERS]),
        case(Okta, "okta_creates_a_user_with_password_groups_locale_and_external_id")
            .send_file(CreateUser, "/Users", fixture!("okta/create-user.json"))
            .answers(201)
            .body(|s| {
                let b = s.body();
                ensure!(b.get("password").is_none(), "the password is never echoed");
                ensure!(b["externalId"] == "00ujl29u0le5T6Aj10h7", "Okta's id round-trips as externalId");
                ensure!(b["displayName"] == "Test User" && b["active"] == true, "the user is answered");
                ensure!(b.get("groups").is_none(), "no memberships come from the readOnly groups");
                Ok(())
            })
            .calls(&[POST_USERS])
            .sent(|s| {
                let sent = s.sent("POST")?;
                for key in ["password", "groups", "locale"] {
                    ensure!(sent.get(key).is_none(), "'{key}' is not sent to Databricks");
                }
                ensure!(sent["userName"] == "test.user@okta.local", "userName is sent");
                Ok(())
            }),
        case(Okta, "okta_create_of_an_existing_user_name_is_409_uniqueness")
            .users(&["test.user@okta.local"])
            .send_file(CreateUser, "/Users", fixture!("okta/create-user.json"))
            .error(409, "uniqueness")
            .body(|s| {
                let detail = s.body()["detail"].as_str().unwrap_or_default();
                ensure!(!detail.contains("test.user"), "no e-mail address in the detail");
                Ok(())
            })
            // The 409 is checked against the existing user (an inactive one would be reactivated).
            .calls(&[POST_USERS, GET_USERS]),
        case(Okta, "okta_creating_a_user_whose_name_a_deactivated_user_holds_reactivates_it")
            .users(&["test.user@okta.local"])
            .inactive(&[0])
            .send_file(CreateUser, "/Users", fixture!("okta/create-user.json"))
            .answers(201)
            .body(|s| {
                ensure!(s.body()["id"] == s.id("u0").as_str(), "the deactivated user comes back");
                ensure!(s.body()["active"] == true, "active again");
                ensure!(s.body()["displayName"] == "Test User", "with the new displayName");
                Ok(())
            })
            // docs/design.md §4: the real API answers 409 for the inactive user, so the bridge finds it and
            // reactivates it; the seed target reactivates it itself on POST.
            .calls(&[POST_USERS, GET_USERS, PATCH_USERS, READ_USER_AFTER_WRITE])
            .seed_quirks_calls(&[POST_USERS])
            .sent(|s| {
                ensure!(s.user("u0")?["active"] == true, "Databricks holds the user active");
                let users = s.state["users"].as_array().map_or(0, Vec::len);
                ensure!(users == 1, "no second user was made ({users})");
                Ok(())
            }),
        case(Okta, "okta_aiw_put_of_the_whole_object_ignores_id_meta_groups_and_password")
            .users(&["test.user@okta.local"])
            .group("Engineering", &["u0"])
            .send_file(ReplaceUser, "/Users/{{u0}}", fixture!("okta/replace-user.json"))
            .body(|s| {
                let b = s.body();
                ensure!(b["displayName"] == "Another User", "the new displayName is answered");
                ensure!(b["name"] == json!({"givenName": "Another", "familyName": "User"}), "the new name is answered");
                ensure!(b.get("password").is_none(), "the password is never echoed");
                ensure!(values(&b["groups"]) == s.ids(&["g0"]), "readOnly groups:[] does not drop the membership");
                ensure!(b["active"] == true, "the user stays active");
                Ok(())
            })
            .calls(&[GET_USERS, PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| {
                // One PATCH of what changed: nothing about id, meta, password, locale,
                // memberships or active (unchanged) reaches Databricks.
                s.ops_are(
                    r#"[{"op":"replace","path":"displayName","value":"Another User"},
                        {"op":"replace","path":"externalId","value":"00ujl29u0le5T6Aj10h7"},
                        {"op":"replace","path":"name.givenName","value":"Another"},
                        {"op":"replace","path":"name.familyName","value":"User"}]"#,
                )?;
                ensure!(s.requests.iter().all(|r| r["method"] != "PUT"), "no Databricks PUT, which would wipe");
                ensure!(s.members("g0")? == s.ids(&["u0"]), "the membership is kept");
                Ok(())
            }),
        case(Okta, "okta_aiw_deactivates_with_a_whole_object_put")
            .users(&["test.user@okta.local"])
            .group("Engineering", &["u0"])
            .send_file(ReplaceUser, "/Users/{{u0}}", fixture!("okta/deactivate-user-put.json"))
            .seed_quirks(204, HIDDEN_AFTER_DEACTIVATION)
            .body(|s| {
                ensure!(s.body()["active"] == false, "the answer shows the user inactive");
                Ok(())
            })
            .calls(&[GET_USERS, PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| {
                ensure!(
                    s.ops()?.contains(&json!({"op":"replace","path":"active","value":"false"})),
                    "active:false is sent"
                );
                ensure!(s.user("u0")?["active"] == false, "Databricks holds the user inactive");
                ensure!(s.members("g0")? == s.ids(&["u0"]), "the membership is kept");
                Ok(())
            }),
        case(Okta, "okta_put_without_active_never_suspends_the_user")
            .users(&["test.user@okta.local"])
            .send(
                ReplaceUser,
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id":"{{u0}}","userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},
                "displayName":"Test User","groups":[]}"#,
            )
            .body(|s| {
                ensure!(s.body()["active"] == true, "the user stays active");
                Ok(())
            })
            .calls(&[GET_USERS, PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| {
                ensure!(s.ops()?.iter().all(|op| op["path"] != "active"), "active is not touched");
                ensure!(s.user("u0")?["active"] == true, "the user stays active in Databricks");
                Ok(())
            }),
        case(Okta, "okta_oin_deactivates_with_a_pathless_replace")
            .users(&["test.user@okta.local"])
            .send(
                PatchUser,
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"replace","value":{"active":false}}]}"#,
            )
            .plain_json()
            .seed_quirks(204, HIDDEN_AFTER_DEACTIVATION)
            .body(|s| {
                ensure!(s.body()["active"] == false, "the answer shows the user inactive");
                Ok(())
            })
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| s.ops_are(r#"[{"op":"replace","path":"active","value":"false"}]"#)),
        case(Okta, "okta_oin_reactivates_with_a_pathless_replace")
            .users(&["test.user@okta.local"])
            .inactive(&[0])
            .send(
                PatchUser,
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"replace","value":{"active":true}}]}"#,
            )
            .seed_quirks(
                404,
                "docs/design.md §4 (active=false row): the seed target hides inactive users, so the stateless bridge \
                 finds no user to reactivate",
            )
            .body(|s| {
                if !s.mode.is_seed_quirks() {
                    ensure!(s.body()["active"] == true, "the answer shows the user active again");
                }
                Ok(())
            })
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .seed_quirks_calls(&[PATCH_USERS])
            .sent(|s| s.ops_are(r#"[{"op":"replace","path":"active","value":"true"}]"#)),
        case(Okta, "okta_oin_password_patch_is_ignored_and_never_echoed")
            .users(&["test.user@okta.local"])
            .send(
                PatchUser,
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"replace","value":{"password":"t1meMa$heen"}}]}"#,
            )
            .body(|s| {
                ensure!(s.body().get("password").is_none(), "the password is never echoed");
                ensure!(s.body()["id"] == s.id("u0").as_str(), "the user is answered");
                Ok(())
            })
            // Databricks holds no password: nothing to write, the user is re-read for the answer.
            .calls(&[GET_USERS]),
        case(Okta, "okta_pushes_a_group_with_an_empty_member_list")
            .send(
                CreateGroup,
                "/Groups",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName":"Test SCIMv2","members":[]}"#,
            )
            .answers(201)
            .body(|s| {
                ensure!(s.body()["displayName"] == "Test SCIMv2", "the group is answered");
                ensure!(s.body()["id"].as_str().is_some_and(|i| !i.is_empty()), "with its id");
                Ok(())
            })
            .calls(&[POST_GROUPS])
            .sent(|s| {
                ensure!(values(&s.sent("POST")?["members"]).is_empty(), "no members are sent");
                Ok(())
            }),
        case(Okta, "okta_renames_a_group_with_a_pathless_id_and_display_name")
            .users(&["test.user@okta.local"])
            .group("Test SCIMv2", &["u0"])
            .send(
                PatchGroup,
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"replace","value":{"id":"{{g0}}","displayName":"Test SCIMv2 renamed"}}]}"#,
            )
            .body(|s| {
                ensure!(s.body()["displayName"] == "Test SCIMv2 renamed", "the new name is answered");
                ensure!(s.body().get("members").is_none(), "a rename answers without the member list");
                Ok(())
            })
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                s.ops_are(r#"[{"op":"replace","path":"displayName","value":"Test SCIMv2 renamed"}]"#)?;
                ensure!(s.members("g0")? == s.ids(&["u0"]), "the members stay");
                Ok(())
            }),
        case(Okta, "okta_renaming_a_group_to_a_taken_name_is_409_uniqueness")
            .group("Test SCIMv2", &[])
            .group("Engineering", &[])
            .send(
                PatchGroup,
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"replace","value":{"id":"{{g0}}","displayName":"Engineering"}}]}"#,
            )
            .error(409, "uniqueness")
            .calls(&[PATCH_GROUPS])
            .sent(|s| {
                ensure!(s.group("g0")?["displayName"] == "Test SCIMv2", "the group keeps its name");
                Ok(())
            }),
        case(Okta, "okta_membership_patch_with_rename_remove_and_add_is_one_databricks_patch")
            .users(&["alice@okta.local", "bob@okta.local", "carol@okta.local"])
            .group("Test SCIMv2", &["u0", "u1"])
            .send_file(PatchGroup, "/Groups/{{g0}}", fixture!("okta/group-membership.json"))
            .body(|s| members_if_answered(s, &["u1", "u2"]))
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                s.ops_are(
                    r#"[{"op":"replace","path":"displayName","value":"Test SCIMv2"},
                        {"op":"remove","path":"members[value eq \"{{u0}}\"]"},
                        {"op":"add","path":"members","value":[{"value":"{{u2}}"}]}]"#,
                )?;
                ensure!(s.members("g0")? == s.ids(&["u1", "u2"]), "one left, one joined");
                Ok(())
            }),
        case(Okta, "okta_replaces_members_with_the_full_list")
            .users(&["alice@okta.local", "bob@okta.local", "carol@okta.local"])
            .group("Test SCIMv2", &["u0", "u1"])
            .send_file(PatchGroup, "/Groups/{{g0}}", fixture!("okta/replace-members.json"))
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                s.ops_are(r#"[{"op":"replace","path":"members","value":[{"value":"{{u1}}"},{"value":"{{u2}}"}]}]"#)?;
                ensure!(s.members("g0")? == s.ids(&["u1", "u2"]), "the group holds exactly the list");
                Ok(())
            }),
        case(Okta, "okta_replace_of_members_with_an_empty_list_empties_the_group")
            .users(&["alice@okta.local"])
            .group("Test SCIMv2", &["u0"])
            .send(
                PatchGroup,
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"replace","path":"members","value":[]}]}"#,
            )
            .body(|s| {
                ensure!(values(&s.body()["members"]).is_empty(), "no members are answered");
                Ok(())
            })
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                s.ops_are(r#"[{"op":"remove","path":"members"}]"#)?;
                ensure!(s.members("g0")?.is_empty(), "the group is empty");
                Ok(())
            }),
        case(Okta, "okta_aiw_replaces_a_group_with_put")
            .users(&["alice@okta.local", "bob@okta.local"])
            .group("Test SCIMv2", &["u0"])
            .send_file(ReplaceGroup, "/Groups/{{g0}}", fixture!("okta/replace-group.json"))
            .body(|s| {
                ensure!(values(&s.body()["members"]) == s.ids(&["u1"]), "the member list is replaced");
                Ok(())
            })
            .calls(&[GET_GROUPS, PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                s.ops_are(
                    r#"[{"op":"add","path":"members","value":[{"value":"{{u1}}"}]},
                        {"op":"remove","path":"members[value eq \"{{u0}}\"]"}]"#,
                )?;
                ensure!(s.members("g0")? == s.ids(&["u1"]), "Databricks holds the new list");
                Ok(())
            }),
        case(Okta, "okta_unlinks_a_pushed_group_with_delete")
            .group("Test SCIMv2", &[])
            .get(DeleteGroup, "/Groups/{{g0}}")
            .answers(204)
            .calls(&[DELETE_GROUPS])
            .sent(|s| {
                ensure!(s.group("g0").is_err(), "the group is gone from Databricks");
                Ok(())
            }),
        case(Okta, "okta_unlinking_a_group_that_is_already_gone")
            .get(DeleteGroup, "/Groups/123456789012345")
            .answers(404)
            .seed_quirks(204, "docs/design.md §4: a target that answers 204 for an unknown group is taken at its word")
            .calls(&[DELETE_GROUPS]),
        case(Okta, "okta_pages_users_a_hundred_at_a_time_in_a_stable_order")
            .users(&["u1@okta.local", "u2@okta.local", "u3@okta.local"])
            .get(ListUsers, "/Users")
            .query("startIndex", "1")
            .query("count", "100")
            .get(ListUsers, "/Users")
            .query("startIndex", "1")
            .query("count", "100")
            .body(|s| {
                for i in 0..2 {
                    let b = s.answer(i);
                    ensure!(
                        b["totalResults"] == 3 && b["itemsPerPage"] == 3 && b["startIndex"] == 1,
                        "integer metadata on page {i}"
                    );
                }
                ensure!(sorted(listed(s.answer(0))) == s.ids(&["u0", "u1", "u2"]), "every user is listed");
                ensure!(listed(s.answer(0)) == listed(s.answer(1)), "the order is the same on every read");
                Ok(())
            })
            .calls(&[GET_USERS, GET_USERS])
            .sent(|s| {
                ensure!(s.param(0, "count").as_deref() == Some("100"), "count=100 is passed on");
                Ok(())
            }),
        case(Okta, "okta_next_page_past_the_last_user_is_200_and_empty")
            .users(&["u1@okta.local", "u2@okta.local", "u3@okta.local"])
            .get(ListUsers, "/Users")
            .query("startIndex", "101")
            .query("count", "100")
            .body(|s| {
                let b = s.body();
                ensure!(b["Resources"] == json!([]), "an empty page");
                ensure!(b["totalResults"] == 3 && b["startIndex"] == 101 && b["itemsPerPage"] == 0, "integer metadata");
                Ok(())
            })
            .calls(&[GET_USERS])
            .sent(|s| {
                ensure!(s.param(0, "startIndex").as_deref() == Some("101"), "startIndex is passed on");
                Ok(())
            }),
        case(Okta, "okta_finds_a_pushed_group_by_display_name")
            .group("Test SCIMv2", &[])
            .group("Other", &[])
            .get(ListGroups, "/Groups")
            .query("filter", r#"displayName eq "Test SCIMv2""#)
            .query("startIndex", "1")
            .query("count", "100")
            .body(|s| {
                ensure!(listed(s.body()) == vec![s.id("g0")], "the group with that name");
                Ok(())
            })
            .calls(&[GET_GROUPS]),
        case(Okta, "okta_reads_a_user_by_id")
            .users(&["test.user@okta.local"])
            .get(GetUser, "/Users/{{u0}}")
            .body(|s| {
                let b = s.body();
                ensure!(b["schemas"] == json!([USER]), "the core User schema");
                ensure!(b["userName"] == "test.user@okta.local" && b["active"] == true, "the user is answered");
                ensure!(b["emails"][0]["value"] == "test.user@okta.local", "with its work e-mail");
                let location = b["meta"]["location"].as_str().unwrap_or_default();
                ensure!(location.ends_with(&format!("/scim/v2/Users/{}", s.id("u0"))), "meta.location {location}");
                Ok(())
            })
            .calls(&[GET_USERS]),
    ]
}

/// One Identity Starling / Identity Manager (docs/identity-platforms.md OI-1 to OI-6).
fn one_identity_cases() -> Vec<Case> {
    use Client::OneIdentity;
    vec![
        case(OneIdentity, "one_identity_full_sync_pages_users_until_an_empty_page")
            .users(&["a@oi.example", "b@oi.example", "c@oi.example", "d@oi.example", "e@oi.example"])
            .get(ListUsers, "/Users")
            .query("startIndex", "1")
            .query("count", "2")
            .get(ListUsers, "/Users")
            .query("startIndex", "3")
            .query("count", "2")
            .get(ListUsers, "/Users")
            .query("startIndex", "5")
            .query("count", "2")
            .get(ListUsers, "/Users")
            .query("startIndex", "7")
            .query("count", "2")
            .body(|s| {
                let sizes: Vec<usize> = (0..4).map(|i| listed(s.answer(i)).len()).collect();
                ensure!(sizes == vec![2, 2, 1, 0], "page sizes {sizes:?}");
                for i in 0..4 {
                    ensure!(s.answer(i)["totalResults"] == 5, "totalResults on page {i}");
                }
                let all: Vec<String> = (0..4).flat_map(|i| listed(s.answer(i))).collect();
                ensure!(sorted(all) == s.ids(&["u0", "u1", "u2", "u3", "u4"]), "every user exactly once");
                Ok(())
            })
            .calls(&[GET_USERS, GET_USERS, GET_USERS, GET_USERS])
            .sent(|s| {
                let starts: Vec<Option<String>> = (0..4).map(|i| s.param(i, "startIndex")).collect();
                ensure!(starts == ["1", "3", "5", "7"].map(|n| Some(n.to_string())), "startIndex sent: {starts:?}");
                Ok(())
            }),
        case(OneIdentity, "one_identity_full_sync_pages_groups_with_their_typed_members")
            .users(&["a@oi.example", "b@oi.example"])
            .group("alpha", &["u0", "u1"])
            .group("beta", &["g0"])
            .group("gamma", &[])
            .get(ListGroups, "/Groups")
            .query("startIndex", "1")
            .query("count", "2")
            .get(ListGroups, "/Groups")
            .query("startIndex", "3")
            .query("count", "2")
            .get(ListGroups, "/Groups")
            .query("startIndex", "5")
            .query("count", "2")
            .body(|s| {
                let sizes: Vec<usize> = (0..3).map(|i| listed(s.answer(i)).len()).collect();
                ensure!(sizes == vec![2, 1, 0], "page sizes {sizes:?}");
                let all: Vec<Value> =
                    (0..3).flat_map(|i| s.answer(i)["Resources"].as_array().cloned().unwrap_or_default()).collect();
                let ids = sorted(all.iter().filter_map(|g| g["id"].as_str().map(String::from)).collect());
                ensure!(ids == s.ids(&["g0", "g1", "g2"]), "every group exactly once");
                let alpha = all.iter().find(|g| g["id"] == s.id("g0").as_str()).cloned().unwrap_or_default();
                ensure!(values(&alpha["members"]) == s.ids(&["u0", "u1"]), "alpha's members are listed");
                ensure!(alpha["members"][0]["type"] == "User", "members carry their type");
                let beta = all.iter().find(|g| g["id"] == s.id("g1").as_str()).cloned().unwrap_or_default();
                ensure!(beta["members"][0]["type"] == "Group", "a nested group is typed Group");
                Ok(())
            })
            .calls(&[GET_GROUPS, GET_GROUPS, GET_GROUPS])
            .sent(|s| {
                ensure!((0..3).all(|i| !s.excluded(i).iter().any(|a| a == "members")), "members are asked for");
                Ok(())
            }),
        case(OneIdentity, "one_identity_full_sync_sees_disabled_users_as_inactive")
            .users(&["a@oi.example", "b@oi.example"])
            .inactive(&[1])
            .get(ListUsers, "/Users")
            .query("startIndex", "1")
            .query("count", "100")
            .seed_quirks(200, "docs/design.md §4: a target that hides inactive users lists only the active one")
            .body(|s| {
                match s.mode {
                    Mode::Default | Mode::NoContentWrites | Mode::ResourceWrites => {
                        ensure!(s.body()["totalResults"] == 2, "both users are listed");
                        let inactive = s.body()["Resources"]
                            .as_array()
                            .and_then(|rs| rs.iter().find(|r| r["id"] == s.id("u1").as_str()))
                            .map(|r| r["active"].clone());
                        ensure!(inactive == Some(json!(false)), "the disabled user is listed inactive");
                    }
                    Mode::SeedQuirks => {
                        ensure!(listed(s.body()) == vec![s.id("u0")], "only the active user");
                    }
                }
                Ok(())
            })
            .calls(&[GET_USERS]),
        case(OneIdentity, "one_identity_creates_a_user_whose_display_name_wins_over_name")
            .send_file(CreateUser, "/Users", fixture!("oneidentity/create-user.json"))
            .answers(201)
            .body(|s| {
                let b = s.body();
                ensure!(b["displayName"] == "Doe, Jane (IT)", "displayName wins");
                ensure!(b["entitlements"] == json!([{"value": "workspace-access"}]), "entitlements are answered");
                Ok(())
            })
            .calls(&[POST_USERS])
            .sent(|s| {
                let sent = s.sent("POST")?;
                ensure!(sent["entitlements"] == json!([{"value": "workspace-access"}]), "entitlements are sent");
                ensure!(sent["displayName"] == "Doe, Jane (IT)", "displayName is sent");
                Ok(())
            }),
        case(OneIdentity, "one_identity_put_of_a_user_sets_entitlements_and_ignores_read_only_groups")
            .users(&["j.doe@oneidentity.example"])
            .group("engineering", &["u0"])
            .group("finance", &[])
            .send_file(ReplaceUser, "/Users/{{u0}}", fixture!("oneidentity/replace-user.json"))
            .body(|s| {
                let b = s.body();
                ensure!(b["displayName"] == "Doe, Jane (Finance)", "displayName is replaced");
                ensure!(b["entitlements"] == json!([{"value": "databricks-sql-access"}]), "entitlements are replaced");
                ensure!(values(&b["groups"]) == s.ids(&["g0"]), "memberships are unchanged by readOnly groups");
                Ok(())
            })
            .calls(&[GET_USERS, PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| {
                ensure!(s.ops()?.iter().all(|op| op["path"] != "groups"), "memberships are not touched");
                ensure!(s.members("g0")? == s.ids(&["u0"]), "the current membership is kept");
                ensure!(s.members("g1")?.is_empty(), "the user did not join finance");
                Ok(())
            }),
        case(OneIdentity, "one_identity_creates_a_group_with_parent_groups_and_entitlements_in_the_extension")
            .users(&["j.doe@oneidentity.example"])
            .group("data-platform", &[])
            .send_file(CreateGroup, "/Groups", fixture!("oneidentity/create-group.json"))
            .answers(201)
            .body(|s| {
                let b = s.body();
                ensure!(values(&b["members"]) == s.ids(&["u0"]), "the member is answered");
                ensure!(values(&b[EXT]["parentGroups"]) == s.ids(&["g0"]), "parentGroups are answered");
                ensure!(b[EXT]["entitlements"] == json!([{"value": "databricks-sql-access"}]), "entitlements");
                ensure!(b["schemas"].as_array().is_some_and(|a| a.contains(&json!(EXT))), "the extension schema");
                Ok(())
            })
            .calls(&[POST_GROUPS])
            .sent(|s| {
                let sent = s.sent("POST")?;
                ensure!(values(&sent["members"]) == s.ids(&["u0"]), "members are sent");
                ensure!(values(&sent["groups"]) == s.ids(&["g0"]), "parentGroups become Databricks groups");
                ensure!(sent["entitlements"] == json!([{"value": "databricks-sql-access"}]), "entitlements are sent");
                Ok(())
            }),
        case(OneIdentity, "one_identity_put_of_a_group_replaces_members_parent_groups_and_entitlements")
            .users(&["j.doe@oneidentity.example", "k.roe@oneidentity.example"])
            .group("team", &["u0"])
            .group("parent-a", &["g0"])
            .group("parent-b", &[])
            .send_file(ReplaceGroup, "/Groups/{{g0}}", fixture!("oneidentity/replace-group.json"))
            .body(|s| {
                let b = s.body();
                ensure!(values(&b["members"]) == s.ids(&["u1"]), "members are replaced");
                ensure!(values(&b[EXT]["parentGroups"]) == s.ids(&["g2"]), "parentGroups are replaced");
                ensure!(
                    sorted(values(&b[EXT]["entitlements"])) == ["databricks-sql-access", "workspace-access"],
                    "entitlements are replaced"
                );
                Ok(())
            })
            .calls(&[GET_GROUPS, PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                let ops = s.ops()?;
                ensure!(
                    ops.contains(&s.json(r#"{"op":"add","path":"members","value":[{"value":"{{u1}}"}]}"#)?),
                    "u1 joins"
                );
                ensure!(
                    ops.contains(&s.json(r#"{"op":"remove","path":"members[value eq \"{{u0}}\"]"}"#)?),
                    "u0 leaves"
                );
                ensure!(
                    ops.contains(&s.json(r#"{"op":"add","path":"groups","value":[{"value":"{{g2}}"}]}"#)?),
                    "new parent"
                );
                ensure!(s.members("g0")? == s.ids(&["u1"]), "Databricks holds the new members");
                ensure!(s.members("g1")?.is_empty() && s.members("g2")? == s.ids(&["g0"]), "the parent moved");
                Ok(())
            }),
        case(OneIdentity, "one_identity_put_of_a_group_accepts_top_level_entitlements")
            .group("team", &[])
            .send(
                ReplaceGroup,
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "id":"{{g0}}","displayName":"team","members":[],"entitlements":[{"value":"allow-cluster-create"}]}"#,
            )
            .body(|s| {
                ensure!(
                    s.body()[EXT]["entitlements"] == json!([{"value": "allow-cluster-create"}]),
                    "in the extension"
                );
                Ok(())
            })
            .calls(&[GET_GROUPS, PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                s.ops_are(r#"[{"op":"add","path":"entitlements","value":[{"value":"allow-cluster-create"}]}]"#)?;
                Ok(())
            }),
        case(OneIdentity, "one_identity_reads_a_group_with_typed_members")
            .users(&["j.doe@oneidentity.example"])
            .group("team", &["u0"])
            .get(GetGroup, "/Groups/{{g0}}")
            .body(|s| {
                let member = &s.body()["members"][0];
                ensure!(member["value"] == s.id("u0").as_str() && member["type"] == "User", "a typed member");
                let reference = member["$ref"].as_str().unwrap_or_default();
                ensure!(reference.ends_with(&format!("/scim/v2/Users/{}", s.id("u0"))), "$ref {reference}");
                Ok(())
            })
            .calls(&[GET_GROUPS]),
        case(OneIdentity, "one_identity_deletes_a_user")
            .users(&["j.doe@oneidentity.example"])
            .get(DeleteUser, "/Users/{{u0}}")
            .answers(204)
            .calls(&[DELETE_USERS]),
        case(OneIdentity, "one_identity_deletes_a_group")
            .group("team", &[])
            .get(DeleteGroup, "/Groups/{{g0}}")
            .answers(204)
            .calls(&[DELETE_GROUPS]),
    ]
}

/// Any RFC 7644 client: the robustness checklist (docs/identity-platforms.md RFC rows, docs/design.md §5).
fn rfc_cases() -> Vec<Case> {
    use Client::Rfc;
    vec![
        case(Rfc, "rfc_create_accepts_an_application_json_body")
            .send(
                CreateUser,
                "/Users",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"plain@example.com"}"#,
            )
            .plain_json()
            .answers(201)
            .calls(&[POST_USERS]),
        case(Rfc, "rfc_create_accepts_an_application_scim_json_body")
            .send(
                CreateUser,
                "/Users",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"scim@example.com"}"#,
            )
            .answers(201)
            .calls(&[POST_USERS]),
        case(Rfc, "rfc_a_charset_parameter_on_the_content_type_is_accepted")
            .send(
                CreateUser,
                "/Users",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"charset@example.com"}"#,
            )
            .content_type("application/scim+json; charset=utf-8")
            .answers(201)
            .calls(&[POST_USERS]),
        case(Rfc, "rfc_create_without_schemas_is_accepted")
            .send(CreateUser, "/Users", r#"{"userName":"noschemas@example.com","active":true}"#)
            .answers(201)
            .body(|s| {
                ensure!(s.body()["schemas"] == json!([USER]), "the answer carries schemas");
                Ok(())
            })
            .calls(&[POST_USERS]),
        case(Rfc, "rfc_patch_without_schemas_is_accepted")
            .users(&["bjensen@example.com"])
            .send(
                PatchUser,
                "/Users/{{u0}}",
                r#"{"Operations":[{"op":"replace","path":"displayName","value":"Babs"}]}"#,
            )
            .body(|s| {
                ensure!(s.body()["displayName"] == "Babs", "the change is answered");
                Ok(())
            })
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| s.ops_are(r#"[{"op":"replace","path":"displayName","value":"Babs"}]"#)),
        case(Rfc, "rfc_attribute_names_and_ops_are_case_insensitive_in_a_patch")
            .users(&["bjensen@example.com"])
            .send(
                PatchUser,
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "operations":[{"OP":"REPLACE","PATH":"DisplayName","VALUE":"Babs"}]}"#,
            )
            .body(|s| {
                ensure!(s.body()["displayName"] == "Babs", "the change is answered");
                Ok(())
            })
            .calls(&[PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| s.ops_are(r#"[{"op":"replace","path":"displayName","value":"Babs"}]"#)),
        case(Rfc, "rfc_attribute_names_are_case_insensitive_in_a_create")
            .send(
                CreateUser,
                "/Users",
                r#"{"SCHEMAS":["urn:ietf:params:scim:schemas:core:2.0:User"],
                "USERNAME":"upper@example.com","DisplayName":"Upper Case","Active":"true"}"#,
            )
            .answers(201)
            .body(|s| {
                ensure!(s.body()["userName"] == "upper@example.com", "userName is read");
                ensure!(s.body()["displayName"] == "Upper Case", "displayName is read");
                Ok(())
            })
            .calls(&[POST_USERS]),
        case(Rfc, "rfc_pathless_add_of_members_is_a_member_add")
            .users(&["bjensen@example.com"])
            .group("Tour Guides", &[])
            .send(
                PatchGroup,
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"add","value":{"members":[{"value":"{{u0}}","$ref":"Users/{{u0}}"}]}}]}"#,
            )
            .body(|s| members_if_answered(s, &["u0"]))
            .calls(&[PATCH_GROUPS, READ_GROUP_AFTER_WRITE])
            .sent(|s| {
                s.ops_are(r#"[{"op":"add","path":"members","value":[{"value":"{{u0}}"}]}]"#)?;
                ensure!(s.members("g0")? == s.ids(&["u0"]), "the member joined");
                Ok(())
            }),
        case(Rfc, "rfc_unknown_patch_op_on_a_user_is_400_invalid_syntax_with_no_databricks_call")
            .users(&["bjensen@example.com"])
            .send(
                PatchUser,
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"merge","path":"active","value":false}]}"#,
            )
            .error(400, "invalidSyntax")
            .calls(&[]),
        case(Rfc, "rfc_unknown_patch_op_on_a_group_is_400_invalid_syntax_even_after_valid_ops")
            .users(&["bjensen@example.com"])
            .group("Tour Guides", &[])
            .send(
                PatchGroup,
                "/Groups/{{g0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"add","path":"members","value":[{"value":"{{u0}}"}]},
                              {"op":"copy","from":"displayName","path":"externalId"}]}"#,
            )
            .error(400, "invalidSyntax")
            .calls(&[])
            .sent(|s| {
                ensure!(s.members("g0")?.is_empty(), "nothing of the refused PATCH was applied");
                Ok(())
            }),
        case(Rfc, "rfc_remove_without_a_path_is_400_no_target")
            .users(&["bjensen@example.com"])
            .send(
                PatchUser,
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"remove"}]}"#,
            )
            .error(400, "noTarget")
            .calls(&[]),
        case(Rfc, "rfc_filter_on_an_attribute_databricks_cannot_filter_is_400_invalid_filter")
            .get(ListUsers, "/Users")
            .query("filter", "title pr")
            .error(400, "invalidFilter")
            .calls(&[]),
        case(Rfc, "rfc_filter_with_an_operator_databricks_lacks_is_400_invalid_filter")
            .get(ListUsers, "/Users")
            .query("filter", r#"userName gt "m""#)
            .error(400, "invalidFilter")
            .calls(&[]),
        case(Rfc, "rfc_filter_on_meta_last_modified_is_400_invalid_filter")
            .get(ListGroups, "/Groups")
            .query("filter", r#"meta.lastModified gt "2011-05-13T04:42:34Z""#)
            .error(400, "invalidFilter")
            .calls(&[]),
        case(Rfc, "rfc_malformed_filter_is_400_invalid_filter")
            .get(ListUsers, "/Users")
            .query("filter", r#"userName eq"bjensen@example.com""#)
            .error(400, "invalidFilter")
            .calls(&[]),
        case(Rfc, "rfc_filters_joined_by_and_are_passed_on_in_one_call")
            .users(&["bjensen@example.com", "jsmith@example.com"])
            .get(ListUsers, "/Users")
            .query("filter", r#"userName eq "bjensen@example.com" and active eq true"#)
            .body(|s| {
                ensure!(listed(s.body()) == vec![s.id("u0")], "the one match");
                Ok(())
            })
            .calls(&[GET_USERS])
            .sent(|s| {
                let filter = s.param(0, "filter");
                ensure!(
                    filter.as_deref() == Some(r#"userName eq "bjensen@example.com" and active eq true"#),
                    "filter sent: {filter:?}"
                );
                Ok(())
            }),
        case(Rfc, "rfc_filter_attribute_names_and_operators_are_case_insensitive")
            .users(&["bjensen@example.com", "jsmith@example.com"])
            .get(ListUsers, "/Users")
            .query("filter", r#"USERNAME Eq "bjensen@example.com""#)
            .body(|s| {
                ensure!(listed(s.body()) == vec![s.id("u0")], "the one match");
                Ok(())
            })
            .calls(&[GET_USERS])
            .sent(|s| {
                let filter = s.param(0, "filter");
                ensure!(filter.as_deref() == Some(r#"userName eq "bjensen@example.com""#), "filter sent: {filter:?}");
                Ok(())
            }),
        case(Rfc, "rfc_a_filter_value_never_escapes_into_another_query_parameter")
            .users(&["bjensen@example.com"])
            .get(ListUsers, "/Users")
            .query("filter", r#"userName eq "x@example.com&count=1&attributes=id&filter=active eq true""#)
            .body(|s| {
                ensure!(s.body()["totalResults"] == 0, "nothing matches the literal value");
                Ok(())
            })
            .calls(&[GET_USERS])
            .sent(|s| {
                let filter = s.param(0, "filter");
                ensure!(
                    filter.as_deref()
                        == Some(r#"userName eq "x@example.com&count=1&attributes=id&filter=active eq true""#),
                    "the value stays inside the filter: {filter:?}"
                );
                ensure!(s.param(0, "count").as_deref() == Some("100"), "count is the bridge's own");
                ensure!(s.param(0, "attributes").is_none(), "no attributes were injected");
                Ok(())
            }),
        case(Rfc, "rfc_duplicate_user_name_in_another_case_is_409_uniqueness")
            .users(&["bjensen@example.com"])
            .send(
                CreateUser,
                "/Users",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"BJensen@Example.com"}"#,
            )
            .error(409, "uniqueness")
            .calls(&[POST_USERS, GET_USERS]),
        case(Rfc, "rfc_duplicate_group_display_name_is_409_uniqueness")
            .group("Tour Guides", &[])
            .send(
                CreateGroup,
                "/Groups",
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Tour Guides"}"#,
            )
            .error(409, "uniqueness")
            .calls(&[POST_GROUPS]),
        case(Rfc, "rfc_patch_of_a_missing_user_is_404")
            .send(
                PatchUser,
                "/Users/123456789012345",
                r#"{"Operations":[{"op":"replace","path":"active","value":false}]}"#,
            )
            .answers(404)
            .calls(&[PATCH_USERS]),
        case(Rfc, "rfc_put_of_a_missing_user_is_404")
            .send(ReplaceUser, "/Users/123456789012345", r#"{"userName":"ghost@example.com"}"#)
            .answers(404)
            .calls(&[GET_USERS]),
        case(Rfc, "rfc_reading_a_missing_group_is_404")
            .get(GetGroup, "/Groups/123456789012345")
            .answers(404)
            .calls(&[GET_GROUPS]),
        case(Rfc, "rfc_deleting_a_missing_user_is_404")
            .get(DeleteUser, "/Users/123456789012345")
            .answers(404)
            .calls(&[DELETE_USERS]),
        case(Rfc, "rfc_read_only_id_meta_groups_and_password_in_a_create_are_ignored")
            .group("Tour Guides", &[])
            .send_file(CreateUser, "/Users", fixture!("rfc/create-user-read-only.json"))
            .answers(201)
            .body(|s| {
                let b = s.body();
                ensure!(b["id"] != "2819c223-7f76-453a-919d-413861904646", "the id is Databricks' own");
                ensure!(b.get("password").is_none(), "the password is never echoed");
                ensure!(b.get("groups").is_none(), "the readOnly groups made no membership");
                let location = b["meta"]["location"].as_str().unwrap_or_default();
                ensure!(!location.contains("example.com/v2"), "meta is ours, not the client's");
                Ok(())
            })
            .calls(&[POST_USERS])
            .sent(|s| {
                let sent = s.sent("POST")?;
                for key in ["id", "meta", "groups", "password"] {
                    ensure!(sent.get(key).is_none(), "'{key}' is not sent to Databricks");
                }
                ensure!(s.members("g0")?.is_empty(), "the group gained no member");
                Ok(())
            }),
        case(Rfc, "rfc_password_in_a_put_is_neither_sent_nor_echoed")
            .users(&["bjensen@example.com"])
            .send_file(ReplaceUser, "/Users/{{u0}}", fixture!("rfc/replace-user-password.json"))
            .body(|s| {
                ensure!(s.body().get("password").is_none(), "the password is never echoed");
                ensure!(s.body()["displayName"] == "Babs Jensen", "the PUT is applied");
                Ok(())
            })
            .calls(&[GET_USERS, PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| {
                ensure!(s.ops()?.iter().all(|op| op["path"] != "password"), "no password reaches Databricks");
                Ok(())
            }),
        case(Rfc, "rfc_trailing_slash_and_unknown_query_parameters_are_tolerated")
            .users(&["bjensen@example.com"])
            .get(ListUsers, "/Users/")
            .query("vendorFlag", "1")
            .body(|s| {
                ensure!(listed(s.body()) == vec![s.id("u0")], "the list is answered");
                Ok(())
            })
            .calls(&[GET_USERS])
            .sent(|s| {
                ensure!(s.param(0, "vendorFlag").is_none(), "unknown parameters are not passed on");
                Ok(())
            }),
        case(Rfc, "rfc_start_index_below_one_is_read_as_one")
            .users(&["bjensen@example.com"])
            .get(ListUsers, "/Users")
            .query("startIndex", "0")
            .query("count", "10")
            .body(|s| {
                ensure!(s.body()["startIndex"] == 1, "startIndex 0 is interpreted as 1 (RFC 7644 §3.4.2.4)");
                ensure!(listed(s.body()) == vec![s.id("u0")], "the first page");
                Ok(())
            })
            .calls(&[GET_USERS])
            .sent(|s| {
                ensure!(s.param(0, "startIndex").as_deref() == Some("1"), "Databricks is asked from 1");
                Ok(())
            }),
        case(Rfc, "rfc_a_deleted_user_reads_as_404_afterwards")
            .users(&["bjensen@example.com"])
            .get(DeleteUser, "/Users/{{u0}}")
            .answers(204)
            .get(GetUser, "/Users/{{u0}}")
            .then_answers(404)
            .calls(&[DELETE_USERS, GET_USERS]),
        case(Rfc, "rfc_pathless_replace_with_the_whole_user_ignores_its_read_only_attributes")
            .users(&["bjensen@example.com"])
            .group("Tour Guides", &["u0"])
            .send(
                PatchUser,
                "/Users/{{u0}}",
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations":[{"op":"replace","value":{
                    "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "id":"{{u0}}","userName":"bjensen@example.com","displayName":"Babs Jensen","active":true,
                    "groups":[{"value":"{{g0}}","display":"Tour Guides"}],
                    "meta":{"resourceType":"User"}}}]}"#,
            )
            .body(|s| {
                ensure!(s.body()["displayName"] == "Babs Jensen", "the writable attributes are applied");
                Ok(())
            })
            .calls(&[GET_USERS, PATCH_USERS, READ_USER_AFTER_WRITE])
            .sent(|s| {
                s.ops_are_in_any_order(
                    r#"[{"op":"replace","path":"displayName","value":"Babs Jensen"},
                        {"op":"replace","path":"active","value":"true"}]"#,
                )?;
                ensure!(s.members("g0")? == s.ids(&["u0"]), "the membership is unchanged");
                Ok(())
            }),
        case(Rfc, "rfc_count_zero_answers_only_the_total")
            .users(&["bjensen@example.com", "jsmith@example.com"])
            .get(ListUsers, "/Users")
            .query("count", "0")
            .body(|s| {
                let b = s.body();
                ensure!(b["totalResults"] == 2 && b["itemsPerPage"] == 0, "only the total");
                ensure!(b["Resources"] == json!([]), "no resources");
                Ok(())
            })
            .calls(&[GET_USERS]),
        case(Rfc, "rfc_attributes_ask_databricks_only_for_what_is_wanted")
            .users(&["bjensen@example.com"])
            .get(ListUsers, "/Users")
            .query("attributes", "userName")
            .body(|s| {
                let first = &s.body()["Resources"][0];
                let keys: BTreeSet<&str> =
                    first.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
                ensure!(keys == BTreeSet::from(["id", "schemas", "userName"]), "only id, schemas, userName: {keys:?}");
                Ok(())
            })
            .calls(&[GET_USERS])
            .sent(|s| {
                let attributes = s.param(0, "attributes").unwrap_or_default();
                let asked: BTreeSet<&str> = attributes.split(',').collect();
                ensure!(asked == BTreeSet::from(["id", "userName"]), "attributes sent: {attributes}");
                Ok(())
            }),
    ]
}

// ---------------------------------------------------------------------------------------------
// Running the table

async fn prepare(stack: &TestStack, setup: &Setup) -> Result<Ctx, String> {
    stack.admin_post("reset", json!({})).await;
    let mut ctx = Ctx::default();
    for (i, user) in setup.users.iter().enumerate() {
        let body = if user.starts_with('{') { ctx.json(user)? } else { json!({"schemas": [USER], "userName": user}) };
        let a = stack.call(CreateUser, Call::post("/Users", body)).await;
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
        let a = stack.call(CreateGroup, Call::post("/Groups", body)).await;
        let id = a.body["id"].as_str().filter(|_| a.status == 201);
        let id = id.ok_or_else(|| format!("setup: creating group {name} answered {} {}", a.status, a.body))?;
        ctx.ids.insert(format!("g{i}"), id.to_string());
    }
    for i in &setup.inactive {
        let id = ctx.id(&format!("u{i}"))?.to_string();
        let body = json!({"Operations": [{"op": "replace", "path": "active", "value": false}]});
        let a = stack.call(PatchUser, Call::patch(&format!("/Users/{id}"), body)).await;
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

async fn run(stack: &TestStack, case: &Case) -> Result<(), String> {
    let ctx = prepare(stack, &case.setup).await?;
    stack.reset_stats().await;
    let mut answers = Vec::new();
    for req in &case.calls {
        answers.push(stack.call(req.op, req.call(&ctx)?).await);
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
    let target = match (seen.mode.is_seed_quirks(), &case.seed_target) {
        (true, Some(seed)) => seed,
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
    if let Some(check) = case.body.filter(|_| status != 204) {
        check(&seen).map_err(|e| format!("answer: {e}; got {}", seen.body()))?;
    }
    if let Some(check) = case.sent {
        check(&seen).map_err(|e| format!("Databricks: {e}; requests {}", Value::Array(seen.requests.clone())))?;
    }
    Ok(())
}

async fn run_table(stack: &TestStack, clients: &[Client]) {
    let table: Vec<Case> = cases().into_iter().filter(|c| clients.contains(&c.client)).collect();
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
    }
    let mut per_client: BTreeMap<Client, usize> = BTreeMap::new();
    for case in &table {
        *per_client.entry(case.client).or_default() += 1;
    }
    assert_eq!(per_client.len(), 6, "every client has cases: {per_client:?}");
    assert!(table.len() >= 45, "at least 45 cases, found {}", table.len());
}
