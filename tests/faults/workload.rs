//! The provisioning workload: users, groups and service principals, each with a script of
//! SCIM requests an identity platform would send (create, updates, PUTs, membership changes,
//! deactivations, deletes), plus lists, all generated from one seed. Each object's script runs
//! in order, as identity platforms keep one object's changes in order; different objects run
//! side by side. The client re-sends what the bridge refused with 429 or 5xx (at most
//! `ATTEMPTS` times), and records what it was told, which is what the final state must show.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::{Value, json};
use shared::scim::{GROUP_SCHEMA, PATCH_OP_SCHEMA, SERVICE_PRINCIPAL_SCHEMA, USER_SCHEMA};
use tests::Call;
use tests::Operation::{self, *};

use crate::bridge::{Bridge, Reply};

/// Sends of one request before the client gives up on it for this run.
pub const ATTEMPTS: u32 = 8;

/// Users created first, which groups draw their members from (never deleted).
const POOL: usize = 16;
const OTHER_USERS: usize = 32;
const GROUPS: usize = 12;
const PRINCIPALS: usize = 10;
const LISTERS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    Group,
    ServicePrincipal,
}

#[derive(Debug, Clone)]
pub enum Step {
    CreateUser {
        display: String,
        active: bool,
    },
    RenameUser(String),
    PutUser(String),
    SetActive(bool),
    CreateGroup(BTreeSet<usize>),
    /// Adds and removes members in one PATCH, chosen at run time from this seed.
    PatchMembers(u64),
    /// Sets the members with a PUT, chosen at run time from this seed.
    PutMembers(u64),
    CreatePrincipal {
        display: String,
        active: bool,
    },
    RenamePrincipal(String),
    Delete,
}

/// One object and what is done to it.
#[derive(Debug, Clone)]
pub struct Entity {
    pub kind: Kind,
    /// `userName`, group `displayName`, or service principal `externalId`: how the client
    /// matches it.
    pub key: String,
    pub steps: Vec<Step>,
    pub seed: u64,
}

/// What the client was told, hence what Databricks must hold at the end.
#[derive(Debug, Clone, Default)]
pub struct Intent {
    pub id: Option<String>,
    pub exists: bool,
    pub display: String,
    pub active: bool,
    /// Pool user indexes.
    pub members: BTreeSet<usize>,
    /// Attributes whose outcome the client never learned (it gave up, or was told a 4xx):
    /// either value is right.
    pub unsure: BTreeSet<&'static str>,
    /// Why, for the report.
    pub notes: Vec<String>,
}

pub struct Plan {
    pub entities: Vec<Entity>,
}

impl Plan {
    pub fn new(seed: u64) -> Plan {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut entities = Vec::new();
        for i in 0..POOL + OTHER_USERS {
            let pooled = i < POOL;
            let display = format!("User {i}");
            let mut steps = vec![Step::CreateUser { display, active: pooled || rng.f64() < 0.8 }];
            for n in 0..rng.usize(1..4) {
                steps.push(match rng.usize(0..4) {
                    0 => Step::RenameUser(format!("User {i} r{n}")),
                    1 => Step::PutUser(format!("User {i} p{n}")),
                    _ => Step::SetActive(rng.bool()),
                });
            }
            if !pooled && rng.f64() < 0.5 {
                steps.push(Step::Delete);
            }
            entities.push(Entity {
                kind: Kind::User,
                key: format!("fault-user-{i}@example.com"),
                steps,
                seed: rng.u64(..),
            });
        }
        for g in 0..GROUPS {
            let members: BTreeSet<usize> = (0..rng.usize(1..5)).map(|_| rng.usize(0..POOL)).collect();
            let mut steps = vec![Step::CreateGroup(members)];
            for _ in 0..rng.usize(0..3) {
                steps.push(if rng.bool() { Step::PatchMembers(rng.u64(..)) } else { Step::PutMembers(rng.u64(..)) });
            }
            if rng.f64() < 0.35 {
                steps.push(Step::Delete);
            }
            entities.push(Entity { kind: Kind::Group, key: format!("fault-group-{g}"), steps, seed: rng.u64(..) });
        }
        for s in 0..PRINCIPALS {
            let mut steps = vec![Step::CreatePrincipal { display: format!("fault-sp-{s}"), active: rng.f64() < 0.8 }];
            for n in 0..rng.usize(1..3) {
                steps.push(if rng.bool() {
                    Step::RenamePrincipal(format!("fault-sp-{s}-r{n}"))
                } else {
                    Step::SetActive(rng.bool())
                });
            }
            if rng.f64() < 0.35 {
                steps.push(Step::Delete);
            }
            entities.push(Entity {
                kind: Kind::ServicePrincipal,
                key: format!("fault-sp-ext-{s}"),
                steps,
                seed: rng.u64(..),
            });
        }
        Plan { entities }
    }

    /// The pool users, created before anything else.
    pub fn pool(&self) -> std::ops::Range<usize> {
        0..POOL
    }

    pub fn listers(&self) -> usize {
        LISTERS
    }
}

/// The pool users' ids, once created (index → id).
pub type PoolIds = BTreeMap<usize, String>;

fn patch(operations: Value) -> Value {
    json!({"schemas": [PATCH_OP_SCHEMA], "Operations": operations})
}

fn member_values(members: &BTreeSet<usize>, pool: &PoolIds) -> Vec<Value> {
    members.iter().filter_map(|m| pool.get(m)).map(|id| json!({"value": id})).collect()
}

fn path_of(kind: Kind) -> &'static str {
    match kind {
        Kind::User => "/Users",
        Kind::Group => "/Groups",
        Kind::ServicePrincipal => "/ServicePrincipals",
    }
}

/// Runs `steps` of one entity, updating its intent.
pub async fn run(bridge: &Bridge, entity: &Entity, steps: &[Step], intent: &mut Intent, pool: &PoolIds) {
    let mut rng = fastrand::Rng::with_seed(entity.seed ^ steps.len() as u64);
    for step in steps {
        match step {
            Step::CreateUser { display, active } => {
                let body = json!({"schemas": [USER_SCHEMA], "userName": entity.key, "displayName": display,
                                  "name": {"givenName": "Fault", "familyName": display}, "active": active});
                intent.display.clone_from(display);
                intent.active = *active;
                create(bridge, entity, CreateUser, body, intent, pool, &mut rng).await
            }
            Step::CreateGroup(members) => {
                let body = json!({"schemas": [GROUP_SCHEMA], "displayName": entity.key,
                                  "members": member_values(members, pool)});
                intent.display.clone_from(&entity.key);
                intent.members.clone_from(members);
                create(bridge, entity, CreateGroup, body, intent, pool, &mut rng).await
            }
            Step::CreatePrincipal { display, active } => {
                let body = json!({"schemas": [SERVICE_PRINCIPAL_SCHEMA], "displayName": display,
                                  "externalId": entity.key, "active": active});
                intent.display.clone_from(display);
                intent.active = *active;
                create(bridge, entity, CreateServicePrincipal, body, intent, pool, &mut rng).await
            }
            _ if !intent.exists || intent.id.is_none() => {
                // Never created (the client gave up on the create): nothing to change.
                false
            }
            Step::RenameUser(display) | Step::RenamePrincipal(display) => {
                let operation = if entity.kind == Kind::User { PatchUser } else { PatchServicePrincipal };
                let body = patch(json!([{"op": "replace", "path": "displayName", "value": display}]));
                let ok = write(bridge, entity, operation, "PATCH", body, intent, &mut rng, &["display"]).await;
                if ok {
                    intent.display.clone_from(display);
                }
                ok
            }
            Step::PutUser(display) => {
                let body = json!({"schemas": [USER_SCHEMA], "userName": entity.key, "displayName": display,
                                  "name": {"givenName": "Fault", "familyName": display}, "active": intent.active});
                let ok = write(bridge, entity, ReplaceUser, "PUT", body, intent, &mut rng, &["display"]).await;
                if ok {
                    intent.display.clone_from(display);
                }
                ok
            }
            Step::SetActive(active) => {
                let operation = if entity.kind == Kind::User { PatchUser } else { PatchServicePrincipal };
                let body = patch(json!([{"op": "replace", "path": "active", "value": active}]));
                let ok = write(bridge, entity, operation, "PATCH", body, intent, &mut rng, &["active"]).await;
                if ok {
                    intent.active = *active;
                }
                ok
            }
            Step::PatchMembers(seed) => {
                let mut pick = fastrand::Rng::with_seed(*seed);
                let add: BTreeSet<usize> = (0..pick.usize(0..3)).map(|_| pick.usize(pool_range(pool))).collect();
                let add: BTreeSet<usize> = add.difference(&intent.members).copied().collect();
                let remove: BTreeSet<usize> = intent.members.iter().copied().filter(|_| pick.f64() < 0.4).collect();
                let mut operations = Vec::new();
                if !add.is_empty() {
                    operations.push(json!({"op": "add", "path": "members", "value": member_values(&add, pool)}));
                }
                for m in &remove {
                    if let Some(id) = pool.get(m) {
                        operations.push(json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")}));
                    }
                }
                if operations.is_empty() {
                    continue;
                }
                let ok = write(
                    bridge,
                    entity,
                    PatchGroup,
                    "PATCH",
                    patch(Value::Array(operations)),
                    intent,
                    &mut rng,
                    &["members"],
                )
                .await;
                if ok {
                    intent.members.extend(add);
                    intent.members.retain(|m| !remove.contains(m));
                }
                ok
            }
            Step::PutMembers(seed) => {
                let mut pick = fastrand::Rng::with_seed(*seed);
                let members: BTreeSet<usize> = (0..pick.usize(0..5)).map(|_| pick.usize(pool_range(pool))).collect();
                let body = json!({"schemas": [GROUP_SCHEMA], "displayName": entity.key,
                                  "members": member_values(&members, pool)});
                let ok = write(bridge, entity, ReplaceGroup, "PUT", body, intent, &mut rng, &["members"]).await;
                if ok {
                    intent.members = members;
                }
                ok
            }
            Step::Delete => delete(bridge, entity, intent, &mut rng).await,
        };
    }
}

fn pool_range(pool: &PoolIds) -> std::ops::Range<usize> {
    0..pool.len().max(1)
}

fn operation_of_delete(kind: Kind) -> Operation {
    match kind {
        Kind::User => DeleteUser,
        Kind::Group => DeleteGroup,
        Kind::ServicePrincipal => DeleteServicePrincipal,
    }
}

/// A request to the entity itself (`PATCH`/`PUT` `/{Resource}/{id}`), re-sent while refused.
/// True when the client was told it succeeded.
#[allow(clippy::too_many_arguments)]
async fn write(
    bridge: &Bridge,
    entity: &Entity,
    operation: Operation,
    method: &'static str,
    body: Value,
    intent: &mut Intent,
    rng: &mut fastrand::Rng,
    attributes: &[&'static str],
) -> bool {
    let id = intent.id.clone().unwrap_or_default();
    let path = format!("{}/{id}", path_of(entity.kind));
    let call = if method == "PUT" { Call::put(&path, body) } else { Call::patch(&path, body) };
    match until_answered(bridge, operation, &call, rng).await {
        Some(reply) if (200..300).contains(&reply.status) => {
            for attribute in attributes {
                intent.unsure.remove(attribute);
            }
            true
        }
        Some(reply) => {
            unsure(intent, attributes, format!("{method} {path} answered {}: {}", reply.status, reply.body));
            false
        }
        None => {
            unsure(intent, attributes, format!("{method} {path}: gave up after {ATTEMPTS} refusals"));
            false
        }
    }
}

fn unsure(intent: &mut Intent, attributes: &[&'static str], why: String) {
    intent.unsure.extend(attributes);
    intent.notes.push(why);
}

/// Sends until the answer is not a refusal; `None` after `ATTEMPTS` refusals.
async fn until_answered(bridge: &Bridge, operation: Operation, call: &Call, rng: &mut fastrand::Rng) -> Option<Reply> {
    for _ in 0..ATTEMPTS {
        let reply = bridge.send(operation, call, rng).await;
        if !reply.refused() {
            return Some(reply);
        }
        bridge.pause(&reply, rng).await;
    }
    None
}

async fn delete(bridge: &Bridge, entity: &Entity, intent: &mut Intent, rng: &mut fastrand::Rng) -> bool {
    let path = format!("{}/{}", path_of(entity.kind), intent.id.clone().unwrap_or_default());
    match until_answered(bridge, operation_of_delete(entity.kind), &Call::delete(&path), rng).await {
        // 404: an earlier send did it (its answer was a refusal); identity platforms take it as done.
        Some(reply) if reply.status == 204 || reply.status == 404 => {
            intent.exists = false;
            intent.unsure.remove("exists");
            true
        }
        Some(reply) => {
            unsure(intent, &["exists"], format!("DELETE {path} answered {}: {}", reply.status, reply.body));
            false
        }
        None => {
            unsure(intent, &["exists"], format!("DELETE {path}: gave up after {ATTEMPTS} refusals"));
            false
        }
    }
}

/// The object the client would match: by `userName`, group `displayName` or `externalId`.
/// `Err` when the look-up itself got no answer.
async fn look_up(bridge: &Bridge, entity: &Entity, rng: &mut fastrand::Rng) -> Result<Option<String>, ()> {
    let (operation, attribute) = match entity.kind {
        Kind::User => (ListUsers, "userName"),
        Kind::Group => (ListGroups, "displayName"),
        Kind::ServicePrincipal => (ListServicePrincipals, "externalId"),
    };
    let call = Call::get(path_of(entity.kind))
        .query("filter", &format!("{attribute} eq \"{}\"", entity.key))
        .query("excludedAttributes", "members");
    match until_answered(bridge, operation, &call, rng).await {
        Some(reply) if reply.status == 200 => Ok(reply.body["Resources"]
            .as_array()
            .and_then(|r| r.first())
            .and_then(|r| r["id"].as_str())
            .map(String::from)),
        _ => Err(()),
    }
}

/// A create, as identity platforms do it: re-sent as is after a 429/503 (nothing was done);
/// after any other refusal the client looks the object up first and re-creates only when it is
/// not there; a 409 is matched by name. An object found by look-up is then brought to what the
/// create asked with one PUT (or PATCH for a service principal).
#[allow(clippy::too_many_arguments)]
async fn create(
    bridge: &Bridge,
    entity: &Entity,
    operation: Operation,
    body: Value,
    intent: &mut Intent,
    pool: &PoolIds,
    rng: &mut fastrand::Rng,
) -> bool {
    let call = Call::post(path_of(entity.kind), body);
    for _ in 0..ATTEMPTS {
        let reply = bridge.send(operation, &call, rng).await;
        let found = match reply.status {
            201 => {
                intent.id = reply.id();
                intent.exists = true;
                return true;
            }
            409 => match look_up(bridge, entity, rng).await {
                Ok(Some(id)) => id,
                _ => break,
            },
            _ if reply.refused() && !reply.nothing_done() => match look_up(bridge, entity, rng).await {
                Ok(Some(id)) => id,
                Ok(None) => {
                    bridge.pause(&reply, rng).await;
                    continue;
                }
                Err(()) => break,
            },
            _ if reply.refused() => {
                bridge.pause(&reply, rng).await;
                continue;
            }
            status => {
                unsure(intent, &["exists"], format!("POST {} answered {status}: {}", path_of(entity.kind), reply.body));
                return false;
            }
        };
        intent.id = Some(found);
        intent.exists = true;
        converge(bridge, entity, intent, pool, rng).await;
        return true;
    }
    unsure(
        intent,
        &["exists"],
        format!("POST {} {}: no answer the client could settle", path_of(entity.kind), entity.key),
    );
    intent.notes.push("create not settled".into());
    false
}

/// After matching an existing object, the client sets what its create asked for.
async fn converge(bridge: &Bridge, entity: &Entity, intent: &mut Intent, pool: &PoolIds, rng: &mut fastrand::Rng) {
    let (operation, method, body, attributes): (_, _, _, &[&'static str]) = match entity.kind {
        Kind::User => (
            ReplaceUser,
            "PUT",
            json!({"schemas": [USER_SCHEMA], "userName": entity.key, "displayName": intent.display,
                   "name": {"givenName": "Fault", "familyName": intent.display}, "active": intent.active}),
            &["display", "active"],
        ),
        Kind::Group => (
            ReplaceGroup,
            "PUT",
            json!({"schemas": [GROUP_SCHEMA], "displayName": entity.key, "members": member_values(&intent.members, pool)}),
            &["members"],
        ),
        Kind::ServicePrincipal => (
            PatchServicePrincipal,
            "PATCH",
            patch(json!([{"op": "add", "path": "displayName", "value": intent.display},
                         {"op": "replace", "path": "active", "value": intent.active}])),
            &["display", "active"],
        ),
    };
    write(bridge, entity, operation, method, body, intent, rng, attributes).await;
}

/// Lists an identity platform runs while it provisions (imports, match checks), re-sent while
/// refused.
pub async fn list(bridge: &Bridge, seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(rng.u64(100..1500))).await;
        let (operation, call) = match rng.usize(0..4) {
            0 => (ListUsers, Call::get("/Users").query("filter", "userName sw \"fault-user-1\"").query("count", "5")),
            1 => (ListUsers, Call::get("/Users").query("startIndex", &rng.u32(1..20).to_string()).query("count", "10")),
            2 => (ListGroups, Call::get("/Groups").query("excludedAttributes", "members").query("count", "10")),
            _ => {
                (ListServicePrincipals, Call::get("/ServicePrincipals").query("filter", "displayName sw \"fault-sp\""))
            }
        };
        let _ = until_answered(bridge, operation, &call, &mut rng).await;
    }
}
