//! Databricks calls per SCIM operation, measured against the emulator in its default (strict)
//! mode — writes answered `{}` — and with writes answered with the resource, with
//! `SCIM_PATCH_RESPONSE=no-content`, and against the account target assigning to one workspace. The README's table between `<!-- calls:begin -->` and
//! `<!-- calls:end -->` is this test's output: it fails when they differ, and
//! `UPDATE_README=1 cargo test -p tests --test api calls::` rewrites the table.

use serde_json::{Value, json};
use tests::Operation::{self, *};
use tests::{Call, Mode, Shape, Target, TestStack};

const BEGIN: &str = "<!-- calls:begin -->";
const END: &str = "<!-- calls:end -->";

/// One measured request: what the client sends, after a setup that is not counted.
#[derive(Debug, Clone, Copy)]
enum Scenario {
    CreateUser,
    CreateInactiveUser,
    GetUser,
    ListUsersByUserName,
    ReplaceUserDisplayName,
    ReplaceUserUnchanged,
    DeactivateUser,
    DeleteUser,
    CreateGroupWithMember,
    GetGroupWithoutMembers,
    ListGroups,
    ReplaceGroupMembers,
    AddMember,
    AddAndRemoveMembers,
    EmptyPushOnEmptyGroup,
    DeleteGroup,
    CreateServicePrincipal,
    RenameServicePrincipal,
    DeactivateServicePrincipal,
    ReplaceServicePrincipal,
    ListPartners,
    DisconnectPartner,
}

impl Scenario {
    const ALL: [Scenario; 22] = [
        Scenario::CreateUser,
        Scenario::CreateInactiveUser,
        Scenario::GetUser,
        Scenario::ListUsersByUserName,
        Scenario::ReplaceUserDisplayName,
        Scenario::ReplaceUserUnchanged,
        Scenario::DeactivateUser,
        Scenario::DeleteUser,
        Scenario::CreateGroupWithMember,
        Scenario::GetGroupWithoutMembers,
        Scenario::ListGroups,
        Scenario::ReplaceGroupMembers,
        Scenario::AddMember,
        Scenario::AddAndRemoveMembers,
        Scenario::EmptyPushOnEmptyGroup,
        Scenario::DeleteGroup,
        Scenario::CreateServicePrincipal,
        Scenario::RenameServicePrincipal,
        Scenario::DeactivateServicePrincipal,
        Scenario::ReplaceServicePrincipal,
        Scenario::ListPartners,
        Scenario::DisconnectPartner,
    ];

    fn describe(self) -> (&'static str, &'static str) {
        match self {
            Scenario::CreateUser => ("`POST /Users`", "create"),
            Scenario::CreateInactiveUser => ("`POST /Users`", "create with `active:false`"),
            Scenario::GetUser => ("`GET /Users/{id}`", "read"),
            Scenario::ListUsersByUserName => ("`GET /Users`", "`filter=userName eq …`"),
            Scenario::ReplaceUserDisplayName => ("`PUT /Users/{id}`", "new displayName"),
            Scenario::ReplaceUserUnchanged => ("`PUT /Users/{id}`", "nothing changed"),
            Scenario::DeactivateUser => ("`PATCH /Users/{id}`", "`replace active false`"),
            Scenario::DeleteUser => ("`DELETE /Users/{id}`", "delete"),
            Scenario::CreateGroupWithMember => ("`POST /Groups`", "with a member"),
            Scenario::GetGroupWithoutMembers => ("`GET /Groups/{id}`", "`excludedAttributes=members`"),
            Scenario::ListGroups => ("`GET /Groups`", "a page"),
            Scenario::ReplaceGroupMembers => ("`PUT /Groups/{id}`", "one member in, one out"),
            Scenario::AddMember => ("`PATCH /Groups/{id}`", "add a member"),
            Scenario::AddAndRemoveMembers => ("`PATCH /Groups/{id}`", "add two, remove one"),
            Scenario::EmptyPushOnEmptyGroup => ("`PATCH /Groups/{id}`", "Okta `replace members []` on an empty group"),
            Scenario::DeleteGroup => ("`DELETE /Groups/{id}`", "delete"),
            Scenario::CreateServicePrincipal => ("`POST /ServicePrincipals`", "create"),
            Scenario::RenameServicePrincipal => ("`PATCH /ServicePrincipals/{id}`", "new displayName (checked)"),
            Scenario::DeactivateServicePrincipal => ("`PATCH /ServicePrincipals/{id}`", "`replace active false`"),
            Scenario::ReplaceServicePrincipal => ("`PUT /ServicePrincipals/{id}`", "new displayName (checked)"),
            Scenario::ListPartners => ("`GET /admin/partners`", "list"),
            Scenario::DisconnectPartner => ("`DELETE /admin/partners/{partner}`", "disconnect"),
        }
    }

    /// Sets up, then sends the measured request; returns the operation and the answer status.
    async fn run(self, stack: &TestStack) -> (Operation, u16) {
        let patch =
            |ops: Value| json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
        let (op, call) = match self {
            Scenario::CreateUser => (CreateUser, Call::post("/Users", json!({"userName": "new@example.com"}))),
            Scenario::CreateInactiveUser => {
                (CreateUser, Call::post("/Users", json!({"userName": "new@example.com", "active": false})))
            }
            Scenario::GetUser => (GetUser, Call::get(&format!("/Users/{}", user(stack).await))),
            Scenario::ListUsersByUserName => {
                user(stack).await;
                (ListUsers, Call::get("/Users").query("filter", "userName eq \"measured@example.com\""))
            }
            Scenario::ReplaceUserDisplayName | Scenario::ReplaceUserUnchanged => {
                let id = user(stack).await;
                let name = if matches!(self, Scenario::ReplaceUserUnchanged) { "measured@example.com" } else { "New" };
                let body = json!({"userName": "measured@example.com", "displayName": name});
                (ReplaceUser, Call::put(&format!("/Users/{id}"), body))
            }
            Scenario::DeactivateUser => {
                let id = user(stack).await;
                let body = patch(json!([{"op": "replace", "path": "active", "value": false}]));
                (PatchUser, Call::patch(&format!("/Users/{id}"), body))
            }
            Scenario::DeleteUser => (DeleteUser, Call::delete(&format!("/Users/{}", user(stack).await))),
            Scenario::CreateGroupWithMember => {
                let member = user(stack).await;
                (CreateGroup, Call::post("/Groups", json!({"displayName": "g", "members": [{"value": member}]})))
            }
            Scenario::GetGroupWithoutMembers => {
                let id = stack.create_group("g", &[]).await;
                (GetGroup, Call::get(&format!("/Groups/{id}")).query("excludedAttributes", "members"))
            }
            Scenario::ListGroups => {
                stack.create_group("g", &[]).await;
                (ListGroups, Call::get("/Groups"))
            }
            Scenario::ReplaceGroupMembers => {
                let (stays, joins) = (user(stack).await, stack.create_user("joins@example.com").await);
                let id = stack.create_group("g", &[&stays]).await;
                let body = json!({"displayName": "g", "members": [{"value": joins}]});
                (ReplaceGroup, Call::put(&format!("/Groups/{id}"), body))
            }
            Scenario::AddMember => {
                let member = user(stack).await;
                let id = stack.create_group("g", &[]).await;
                let body = patch(json!([{"op": "add", "path": "members", "value": [{"value": member}]}]));
                (PatchGroup, Call::patch(&format!("/Groups/{id}"), body))
            }
            Scenario::AddAndRemoveMembers => {
                let (a, b, c) = (
                    user(stack).await,
                    stack.create_user("b@example.com").await,
                    stack.create_user("c@example.com").await,
                );
                let id = stack.create_group("g", &[&a]).await;
                let body = patch(json!([
                    {"op": "add", "path": "members", "value": [{"value": b}, {"value": c}]},
                    {"op": "remove", "path": format!("members[value eq \"{a}\"]")}
                ]));
                (PatchGroup, Call::patch(&format!("/Groups/{id}"), body))
            }
            Scenario::EmptyPushOnEmptyGroup => {
                let id = stack.create_group("g", &[]).await;
                let body = patch(json!([{"op": "replace", "path": "members", "value": []}]));
                (PatchGroup, Call::patch(&format!("/Groups/{id}"), body))
            }
            Scenario::DeleteGroup => {
                (DeleteGroup, Call::delete(&format!("/Groups/{}", stack.create_group("g", &[]).await)))
            }
            Scenario::CreateServicePrincipal => {
                (CreateServicePrincipal, Call::post("/ServicePrincipals", json!({"displayName": "etl"})))
            }
            Scenario::RenameServicePrincipal => {
                let id = principal(stack, "etl").await;
                let body = patch(json!([{"op": "replace", "path": "displayName", "value": "etl-2"}]));
                (PatchServicePrincipal, Call::patch(&format!("/ServicePrincipals/{id}"), body))
            }
            Scenario::DeactivateServicePrincipal => {
                let id = principal(stack, "etl").await;
                let body = patch(json!([{"op": "replace", "path": "active", "value": "False"}]));
                (PatchServicePrincipal, Call::patch(&format!("/ServicePrincipals/{id}"), body))
            }
            Scenario::ReplaceServicePrincipal => {
                let id = principal(stack, "etl").await;
                (
                    ReplaceServicePrincipal,
                    Call::put(&format!("/ServicePrincipals/{id}"), json!({"displayName": "etl-2"})),
                )
            }
            Scenario::ListPartners => {
                principal(stack, "FIVETRAN_USER").await;
                (ListPartners, Call::get("/admin/partners"))
            }
            Scenario::DisconnectPartner => {
                let id = principal(stack, "FIVETRAN_USER").await;
                stack.admin_post("tokens", json!({"owner_id": id})).await;
                (DisconnectPartner, Call::delete("/admin/partners/fivetran"))
            }
        };
        stack.reset_stats().await;
        (op, stack.call(op, call).await.status)
    }
}

async fn user(stack: &TestStack) -> String {
    stack.create_user("measured@example.com").await
}

async fn principal(stack: &TestStack, name: &str) -> String {
    let a = stack.call(CreateServicePrincipal, Call::post("/ServicePrincipals", json!({"displayName": name}))).await;
    let id = a.body["id"].as_str();
    id.unwrap_or_else(|| panic!("creating service principal {name} answered {} {}", a.status, a.body)).to_string()
}

/// The Databricks calls of one scenario on a fresh stack, as `PATCH, GET`.
async fn measure(scenario: Scenario, mode: Mode, env: &[(&str, &str)]) -> String {
    measure_on(Target::Workspace, scenario, mode, env).await
}

/// The same against a target.
async fn measure_on(target: Target, scenario: Scenario, mode: Mode, env: &[(&str, &str)]) -> String {
    let stack = TestStack::start_for(target, mode, Shape::RestV1, |c| c, env).await;
    let (op, status) = scenario.run(&stack).await;
    assert!((200..300).contains(&status), "{scenario:?} ({}) answered {status} in {mode:?} {env:?}", op.name());
    let calls: Vec<String> =
        stack.target_requests().await.iter().map(|r| r["method"].as_str().unwrap_or_default().to_string()).collect();
    format!("{} — {}", calls.len(), calls.join(", "))
}

async fn table() -> String {
    let mut out = String::from(
        "| request | case | Databricks answers writes `{}` (real API) | answers writes with the resource | `SCIM_PATCH_RESPONSE=no-content` | account target, one workspace assigned |\n|---|---|---|---|---|---|\n",
    );
    for scenario in Scenario::ALL {
        let (request, case) = scenario.describe();
        let strict = measure(scenario, Mode::Default, &[]).await;
        let resource = measure(scenario, Mode::ResourceWrites, &[]).await;
        let no_content = measure(scenario, Mode::Default, &[("SCIM_PATCH_RESPONSE", "no-content")]).await;
        let account = measure_on(
            Target::Account,
            scenario,
            Mode::Default,
            &[("DATABRICKS_ASSIGN_WORKSPACES", tests::WORKSPACE_ID)],
        )
        .await;
        out.push_str(&format!("| {request} | {case} | {strict} | {resource} | {no_content} | {account} |\n"));
    }
    out
}

#[tokio::test]
async fn the_readme_table_of_databricks_calls_per_operation_is_what_the_bridge_does() {
    let measured = table().await;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let (Some(begin), Some(end)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md has no {BEGIN} … {END} section");
    };
    let current = &readme[begin + BEGIN.len()..end];
    let wanted = format!("\n{measured}");
    if std::env::var("UPDATE_README").is_ok_and(|v| v == "1") {
        let updated = format!("{}{wanted}{}", &readme[..begin + BEGIN.len()], &readme[end..]);
        std::fs::write(&path, updated).expect("README.md is writable");
        return;
    }
    assert_eq!(
        current, wanted,
        "the README's calls table is not what the bridge does; rerun with UPDATE_README=1 and review the diff"
    );
}
