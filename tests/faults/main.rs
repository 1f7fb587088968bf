//! The fault suite (`make faults`; issue 9): a seeded provisioning workload — creates, updates,
//! PUTs, membership changes, deactivations, deletes and lists of users, groups and service
//! principals, several requests in flight — through the real handlers, while the Databricks
//! emulator throttles in every form Databricks uses, answers 5xx, resets connections before
//! and after the write, stalls past the Lambda deadline, does writes behind a 500 (a group
//! created without its members, a delete done), and the bridge's OAuth credential is rotated
//! under it. Then the emulator's final state is compared with what the client was told.
//!
//! `cargo run -p tests --example faults -- [--seed N] [--mode default|no-content|resource] [--rate R] [--target workspace|account]`
//! (`FAULTS_SEED` also sets the seed; without one a random seed is used and printed; `--mode`
//! picks how the emulator answers writes; `--rate` the chance of a fault before a request,
//! default 0.3; `FAULTS_TRACE=1` prints every request, its answer and every Databricks call).
//! Seed-quirks mode is not offered: there inactive users are invisible, so an identity
//! platform's view of them is not the state the suite compares. The last line is
//! `faults: requests N, injected N, retries N, client errors {429: n, …}, lost N, duplicated N, crashes N`:
//! requests = SCIM requests the client sent (re-sends and look-ups included); injected = faults
//! the emulator applied plus credential rotations; retries = Databricks calls the bridge
//! retried; client errors = the non-2xx answers by status; lost = writes the client was told
//! succeeded that the final state does not show; duplicated = extra Databricks objects for one
//! intended object; crashes = panics, non-SCIM answers, answers past the Lambda timeout. With
//! `--target account` (the account SCIM API, everything created assigned to one workspace, the
//! assignment calls faulted too) the line ends with `unassigned N`: principals the client
//! knows that hold no workspace assignment. It is a figure, not a failure: it counts principals
//! (mostly service principals, whose creates cannot be re-sent safely) whose create or
//! assignment stayed unsettled and that the client then adopted by look-up
//! (docs/account-target.md, "Workspace assignment"). The exit status is 1 when lost, duplicated
//! or crashes is not 0.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod bridge;
mod chaos;
mod workload;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shared::AppState;
use tests::{Mode, Shape, Target, TestStack};

use bridge::{Bridge, IN_FLIGHT, LAMBDA_TIMEOUT};
use chaos::{CLIENT_ID, Chaos, OAuthSecret};
use workload::{Intent, Kind, Plan, PoolIds};

/// Chance that a request is preceded by a queued fault (`--rate`).
const FAULT_RATE: f64 = 0.4;
/// How often the credential is rotated while the workload runs.
const ROTATE_EVERY: Duration = Duration::from_secs(4);

fn main() -> ExitCode {
    let (seed, mode, rate, target) = match arguments() {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("faults: {message}");
            eprintln!(
                "usage: faults [--seed N] [--mode default|no-content|resource] [--rate 0.3] [--target workspace|account]"
            );
            return ExitCode::from(2);
        }
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime");
    runtime.block_on(run(seed, mode, rate, target))
}

fn arguments() -> Result<(u64, Mode, f64, Target), String> {
    let mut seed =
        std::env::var("FAULTS_SEED").ok().map(|s| s.parse::<u64>()).transpose().map_err(|e| e.to_string())?;
    let mut mode = Mode::Default;
    let mut rate = FAULT_RATE;
    let mut target = Target::Workspace;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => {
                seed = Some(args.next().ok_or("--seed needs a number")?.parse().map_err(|_| "--seed needs a number")?)
            }
            "--mode" => {
                mode = match args.next().as_deref() {
                    Some("default") => Mode::Default,
                    Some("no-content") => Mode::NoContentWrites,
                    Some("resource") => Mode::ResourceWrites,
                    other => return Err(format!("unknown mode {other:?}")),
                }
            }
            "--rate" => {
                rate = args
                    .next()
                    .and_then(|r| r.parse().ok())
                    .filter(|r| (0.0..=1.0).contains(r))
                    .ok_or("--rate needs 0..1")?;
            }
            "--target" => {
                target = match args.next().as_deref() {
                    Some("workspace") => Target::Workspace,
                    Some("account") => Target::Account,
                    other => return Err(format!("unknown target {other:?}")),
                }
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok((seed.unwrap_or_else(|| fastrand::u64(..1_000_000)), mode, rate, target))
}

async fn run(seed: u64, mode: Mode, rate: f64, target: Target) -> ExitCode {
    let started = Instant::now();
    // The account target assigns everything it creates to one workspace.
    let assign: &[(&str, &str)] = match target {
        Target::Workspace => &[],
        Target::Account => &[("DATABRICKS_ASSIGN_WORKSPACES", tests::WORKSPACE_ID)],
    };
    let mut stack = TestStack::start_for(target, mode, Shape::RestV1, |c| c, assign).await;
    // The bridge's credential: an OAuth client whose secret the suite rotates.
    stack.admin_post("oauth-clients", json!({"client_id": CLIENT_ID, "client_secret": "initial-secret"})).await;
    let secret = Arc::new(OAuthSecret::new(&stack.emulator.base_url(), "initial-secret"));
    let config = (*stack.state.config).clone();
    let http = shared::databricks::client::http_client().expect("an HTTP client");
    stack.state =
        AppState::with_parts(config, http, secret.clone(), stack.state.inbound.clone()).expect("bridge state");

    let plan = Plan::new(seed);
    println!(
        "faults: seed {seed}, mode {mode:?}, target {target:?}, {} objects, {IN_FLIGHT} requests in flight, Lambda timeout {}s, fault before {}% of requests, credential rotated every {}s",
        plan.entities.len(),
        LAMBDA_TIMEOUT.as_secs(),
        (rate * 100.0) as u32,
        ROTATE_EVERY.as_secs()
    );
    let bridge = Arc::new(Bridge::new(stack, Chaos::new(rate)));

    let rotations = {
        let (bridge, secret) = (bridge.clone(), secret.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(ROTATE_EVERY).await;
                bridge.chaos.rotate(&bridge.stack, &secret).await;
            }
        })
    };

    // The pool users first (the groups' members), then everything else at once.
    let mut intents: Vec<Intent> = vec![Intent::default(); plan.entities.len()];
    let pool_steps = |i: usize| &plan.entities[i].steps[..1];
    run_all(&bridge, &plan, plan.pool().map(|i| (i, pool_steps(i))), &PoolIds::new(), &mut intents).await;
    let pool: PoolIds = plan.pool().filter_map(|i| intents[i].id.clone().map(|id| (i, id))).collect();
    let listers: Vec<_> = (0..plan.listers())
        .map(|n| {
            let bridge = bridge.clone();
            tokio::spawn(async move { workload::list(&bridge, seed.wrapping_add(n as u64)).await })
        })
        .collect();
    let rest = (0..plan.entities.len()).map(|i| {
        let steps = &plan.entities[i].steps;
        (i, if plan.pool().contains(&i) { &steps[1..] } else { &steps[..] })
    });
    run_all(&bridge, &plan, rest, &pool, &mut intents).await;
    for lister in listers {
        lister.await.expect("a lister never panics");
    }
    rotations.abort();

    // Faults still queued were never applied.
    let remaining: u64 = admin_get(&bridge.stack, "faults")
        .await
        .as_array()
        .map(|rules| rules.iter().filter_map(|r| r["count"].as_u64()).sum())
        .expect("the emulator lists its faults");
    bridge.stack.clear_faults().await;
    if std::env::var("FAULTS_TRACE").is_ok_and(|v| v == "1") {
        for request in bridge.stack.target_requests().await {
            eprintln!("faults: databricks {request}");
        }
    }
    let state = bridge.stack.target_state().await;
    let verdict = compare(&plan, &intents, &pool, &state);

    let (requests, client_errors, crashes, resent) = {
        let t = bridge.tally.lock().expect("the tally");
        (t.requests, t.client_errors.clone(), t.crashes.len() as u64, t.resent)
    };
    let counters = bridge.stack.state.databricks.counters().snapshot();
    let (calls, retries) = (counters.0, counters.1);
    let rotated = bridge.chaos.rotations.load(Ordering::SeqCst);
    let injected = bridge.chaos.queued_total().saturating_sub(remaining) + rotated;
    let queued = bridge.chaos.queued.lock().expect("the queued faults").clone();
    println!("faults: queued by kind {}", brace(&queued.iter().map(|(k, v)| (k.to_string(), *v)).collect()));
    println!(
        "faults: {calls} Databricks calls, {} OAuth exchanges, {rotated} credential rotations, {} client re-sends, {} attributes the client never learned the outcome of, {:.1}s",
        secret.exchanges.load(Ordering::Relaxed),
        resent,
        verdict.unsure,
        started.elapsed().as_secs_f64()
    );
    for line in &verdict.findings {
        println!("faults: {line}");
    }
    println!(
        "faults: requests {}, injected {injected}, retries {retries}, client errors {}, lost {}, duplicated {}, crashes {}{}",
        requests,
        brace(&client_errors.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
        verdict.lost,
        verdict.duplicated,
        crashes,
        if target == Target::Account { format!(", unassigned {}", verdict.unassigned) } else { String::new() }
    );
    let clean = verdict.lost == 0 && verdict.duplicated == 0 && crashes == 0;
    if clean { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Runs the given steps of each entity, one task per entity, and stores the intents.
async fn run_all<'a>(
    bridge: &Arc<Bridge>,
    plan: &Plan,
    work: impl Iterator<Item = (usize, &'a [workload::Step])>,
    pool: &PoolIds,
    intents: &mut [Intent],
) {
    let tasks: Vec<_> = work
        .map(|(i, steps)| {
            let (bridge, entity, steps, pool) =
                (bridge.clone(), plan.entities[i].clone(), steps.to_vec(), pool.clone());
            let mut intent = intents[i].clone();
            (
                i,
                tokio::spawn(async move {
                    workload::run(&bridge, &entity, &steps, &mut intent, &pool).await;
                    intent
                }),
            )
        })
        .collect();
    for (i, task) in tasks {
        intents[i] = task.await.expect("a script never panics");
    }
}

async fn admin_get(stack: &TestStack, path: &str) -> Value {
    let url = format!("{}/_emulator/{path}", stack.emulator.base_url());
    reqwest::get(url).await.expect("the emulator answers").json().await.expect("JSON")
}

/// `{409: 2, 429: 5}`.
fn brace(counts: &BTreeMap<String, u64>) -> String {
    let inner: Vec<String> = counts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{{}}}", inner.join(", "))
}

struct Verdict {
    lost: u64,
    duplicated: u64,
    /// Account target: principals the client knows that hold no assignment to the workspace
    /// (a figure; see the module documentation).
    unassigned: u64,
    unsure: usize,
    findings: Vec<String>,
}

/// Compares Databricks' final state with what the client was told.
fn compare(plan: &Plan, intents: &[Intent], pool: &PoolIds, state: &Value) -> Verdict {
    let mut verdict = Verdict { lost: 0, duplicated: 0, unassigned: 0, unsure: 0, findings: Vec::new() };
    let assigned: Option<Vec<&str>> = state.get("permission_assignments").and_then(Value::as_array).map(|list| {
        list.iter()
            .filter(|a| a["workspace_id"] == tests::WORKSPACE_ID)
            .filter_map(|a| a["principal_id"].as_str())
            .collect()
    });
    let live = |list: &str| -> Vec<Value> {
        let all = state[list].as_array().unwrap_or_else(|| panic!("the emulator's state has no list of {list}"));
        all.iter().filter(|o| o["deleted"] != true).cloned().collect()
    };
    let (users, groups, principals) = (live("users"), live("groups"), live("servicePrincipals"));
    for (entity, intent) in plan.entities.iter().zip(intents) {
        verdict.unsure += intent.unsure.len();
        let (objects, key) = match entity.kind {
            Kind::User => (&users, "userName"),
            Kind::Group => (&groups, "displayName"),
            Kind::ServicePrincipal => (&principals, "externalId"),
        };
        let found: Vec<&Value> = objects.iter().filter(|o| o[key] == entity.key.as_str()).collect();
        let what = format!("{:?} {}", entity.kind, entity.key);
        // Objects for this key besides the one the client knows: made behind its back (when the
        // client knows none, all but one).
        let known = |o: &&&Value| intent.id.is_some() && o["id"].as_str() == intent.id.as_deref();
        let strangers: Vec<&&Value> = found.iter().filter(|o| !known(o)).collect();
        let extra = if intent.id.is_some() { strangers.len() } else { found.len().saturating_sub(1) };
        if extra > 0 {
            verdict.duplicated += extra as u64;
            let ids: Vec<&Value> = found.iter().map(|o| &o["id"]).collect();
            verdict.findings.push(format!(
                "DUPLICATED {what}: {} objects in Databricks {ids:?}, the client knows {:?}",
                found.len(),
                intent.id
            ));
        }
        let found: Vec<&Value> = if intent.id.is_some() && extra > 0 {
            found.iter().copied().filter(|o| o["id"].as_str() == intent.id.as_deref()).collect()
        } else {
            found
        };
        let mut lost = |why: String| {
            verdict.lost += 1;
            verdict.findings.push(format!("LOST {what}: {why} (client notes: {:?})", intent.notes));
        };
        if intent.unsure.contains("exists") {
            continue;
        }
        let Some(object) = found.first() else {
            if intent.exists {
                lost("told it was created, but Databricks has no such object".into());
            }
            continue;
        };
        if !intent.exists {
            if intent.id.is_some() {
                lost("told it was deleted, but it is still in Databricks".into());
            }
            continue;
        }
        if intent.id.as_deref() != object["id"].as_str() {
            lost(format!("told id {:?}, Databricks holds {}", intent.id, object["id"]));
        }
        if entity.kind != Kind::Group
            && !intent.unsure.contains("display")
            && object["displayName"] != intent.display.as_str()
        {
            lost(format!("displayName {} where the client was told {:?}", object["displayName"], intent.display));
        }
        if entity.kind != Kind::Group && !intent.unsure.contains("active") && object["active"] != intent.active {
            lost(format!("active {} where the client was told {}", object["active"], intent.active));
        }
        if entity.kind == Kind::Group && !intent.unsure.contains("members") {
            let mut held: Vec<&str> = object["members"]
                .as_array()
                .map(|m| m.iter().filter_map(|m| m["value"].as_str()).collect())
                .unwrap_or_default();
            held.sort_unstable();
            let mut wanted: Vec<&str> = intent.members.iter().filter_map(|m| pool.get(m)).map(String::as_str).collect();
            wanted.sort_unstable();
            if held != wanted {
                lost(format!("members {held:?} where the client was told {wanted:?}"));
            }
        }
        if let Some(assigned) = &assigned
            && !object["id"].as_str().is_some_and(|id| assigned.contains(&id))
        {
            verdict.unassigned += 1;
            verdict.findings.push(format!(
                "UNASSIGNED {what}: the client knows it, the workspace does not (notes: {:?})",
                intent.notes
            ));
        }
    }
    for (entity, intent) in plan.entities.iter().zip(intents) {
        for note in intent.notes.iter().filter(|n| !n.contains("gave up")) {
            verdict.findings.push(format!("note {:?} {}: {note}", entity.kind, entity.key));
        }
    }
    verdict
}
