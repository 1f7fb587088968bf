//! The account target (docs/account-target.md): the bridge provisions the Databricks account
//! SCIM API, assigns what it creates to the configured workspaces through the
//! permission-assignment API, unassigns before deleting, refuses workspace-only attributes
//! before sending anything, reads group members the account list leaves out, and keeps
//! Partner Connect on the workspace API. These run against the account target whatever the
//! suite's target is.

use serde_json::{Value, json};
use tests::Operation::*;
use tests::{ACCOUNT_ID, Call, Mode, Shape, Target, TestStack, WORKSPACE_ID};

const OTHER_WORKSPACE: &str = "987654321";

fn account_scim(resource: &str) -> String {
    format!("/api/2.0/accounts/{ACCOUNT_ID}/scim/v2/{resource}")
}

fn assignment_path(workspace: &str, principal: &str) -> String {
    format!("/api/2.0/accounts/{ACCOUNT_ID}/workspaces/{workspace}/permissionassignments/principals/{principal}")
}

async fn account_stack(mode: Mode, env: &[(&str, &str)]) -> TestStack {
    TestStack::start_for(Target::Account, mode, Shape::RestV1, |c| c, env).await
}

async fn assigning_stack(mode: Mode) -> TestStack {
    account_stack(mode, &[("DATABRICKS_ASSIGN_WORKSPACES", WORKSPACE_ID)]).await
}

/// The emulator's request log as (method, path) pairs.
async fn requests(stack: &TestStack) -> Vec<(String, String)> {
    stack
        .target_requests()
        .await
        .iter()
        .map(|r| (r["method"].as_str().unwrap().to_string(), r["path"].as_str().unwrap().to_string()))
        .collect()
}

async fn post_user(stack: &TestStack, user_name: &str) -> tests::Answer {
    stack
        .call(CreateUser, Call::post("/Users", json!({"schemas": [shared::scim::USER_SCHEMA], "userName": user_name})))
        .await
}

/// Unassigns a principal from the workspace in Databricks itself (an admin, or a create whose
/// outcome the bridge never learned).
async fn unassign_in_databricks(stack: &TestStack, id: &str) {
    let answer = reqwest::Client::new()
        .delete(format!("{}{}", stack.emulator.base_url(), assignment_path(WORKSPACE_ID, id)))
        .bearer_auth(tests::DATABRICKS_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
}

/// Sets a principal's permission in the workspace in Databricks itself (an admin).
async fn set_in_databricks(stack: &TestStack, id: &str, permission: &str) {
    let answer = reqwest::Client::new()
        .put(format!("{}{}", stack.emulator.base_url(), assignment_path(WORKSPACE_ID, id)))
        .bearer_auth(tests::DATABRICKS_TOKEN)
        .json(&json!({"permissions": [permission]}))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
}

async fn assignments(stack: &TestStack) -> Vec<Value> {
    stack.target_state().await["permission_assignments"].as_array().cloned().unwrap_or_default()
}

fn assigned(list: &[Value], workspace: &str, principal: &str) -> Option<Value> {
    list.iter()
        .find(|a| a["workspace_id"] == workspace && a["principal_id"] == principal)
        .map(|a| a["permissions"].clone())
}

#[tokio::test]
async fn creating_a_user_and_a_group_with_assignment_makes_one_account_create_and_one_assignment_each() {
    for mode in Mode::ALL {
        let stack = assigning_stack(mode).await;
        stack.reset_stats().await;
        let user = stack.create_user("ada@example.com").await;
        let log = requests(&stack).await;
        assert_eq!(
            log,
            vec![("POST".into(), account_scim("Users")), ("PUT".into(), assignment_path(WORKSPACE_ID, &user))],
            "{mode:?}"
        );
        let put = stack.target_requests().await.into_iter().find(|r| r["method"] == "PUT").unwrap();
        assert_eq!(put["body"], json!({"permissions": ["USER"]}));

        stack.reset_stats().await;
        let group = stack.create_group("data-engineers", &[&user]).await;
        assert_eq!(
            requests(&stack).await,
            vec![("POST".into(), account_scim("Groups")), ("PUT".into(), assignment_path(WORKSPACE_ID, &group))],
            "{mode:?}"
        );
        let list = assignments(&stack).await;
        assert_eq!(assigned(&list, WORKSPACE_ID, &user), Some(json!(["USER"])), "{list:?}");
        assert_eq!(assigned(&list, WORKSPACE_ID, &group), Some(json!(["USER"])), "{list:?}");
    }
}

#[tokio::test]
async fn deleting_them_removes_the_assignment_and_then_the_principal() {
    let stack = assigning_stack(Mode::Default).await;
    let user = stack.create_user("grace@example.com").await;
    let group = stack.create_group("analysts", &[]).await;
    stack.reset_stats().await;

    let a = stack.call(DeleteUser, Call::delete(&format!("/Users/{user}"))).await;
    assert_eq!(a.status, 204, "{}", a.body);
    let b = stack.call(DeleteGroup, Call::delete(&format!("/Groups/{group}"))).await;
    assert_eq!(b.status, 204, "{}", b.body);
    assert_eq!(
        requests(&stack).await,
        vec![
            ("DELETE".into(), assignment_path(WORKSPACE_ID, &user)),
            ("DELETE".into(), format!("{}/{user}", account_scim("Users"))),
            ("DELETE".into(), assignment_path(WORKSPACE_ID, &group)),
            ("DELETE".into(), format!("{}/{group}", account_scim("Groups"))),
        ]
    );
    assert_eq!(assignments(&stack).await, Vec::<Value>::new());
    assert!(stack.target_user(&user).await.is_none());
    assert!(stack.target_group(&group).await.is_none());
}

#[tokio::test]
async fn a_principal_an_admin_already_unassigned_is_still_deleted() {
    let stack = assigning_stack(Mode::Default).await;
    let user = stack.create_user("unassigned@example.com").await;
    stack.inject_fault(json!({"method": "DELETE", "resource": "permissionassignments", "fault": {"kind": "status", "status": 404}})).await;
    let a = stack.call(DeleteUser, Call::delete(&format!("/Users/{user}"))).await;
    assert_eq!(a.status, 204, "{}", a.body);
    assert!(stack.target_user(&user).await.is_none());
}

#[tokio::test]
async fn service_principals_are_assigned_to_every_configured_workspace_with_the_configured_permission() {
    let workspaces = format!("{WORKSPACE_ID}, {OTHER_WORKSPACE}");
    let stack = account_stack(
        Mode::Default,
        &[("DATABRICKS_ASSIGN_WORKSPACES", &workspaces), ("DATABRICKS_ASSIGN_PERMISSION", "admin")],
    )
    .await;
    let a =
        stack.call(CreateServicePrincipal, Call::post("/ServicePrincipals", json!({"displayName": "etl-bot"}))).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a.body["id"].as_str().unwrap();
    let list = assignments(&stack).await;
    assert_eq!(assigned(&list, WORKSPACE_ID, id), Some(json!(["ADMIN"])), "{list:?}");
    assert_eq!(assigned(&list, OTHER_WORKSPACE, id), Some(json!(["ADMIN"])), "{list:?}");
}

#[tokio::test]
async fn a_failed_assignment_deletes_the_principal_just_created_and_answers_the_failure() {
    let stack = assigning_stack(Mode::Default).await;
    stack.inject_fault(json!({"method": "PUT", "resource": "permissionassignments", "count": 50, "fault": {"kind": "status", "status": 429}})).await;
    let a = post_user(&stack, "x@example.com").await;
    assert_eq!(a.status, 429, "a throttled assignment leaves nothing behind, so the client may retry: {}", a.body);
    assert_eq!(stack.target_state().await["users"], json!([]), "the user just created was deleted again");
    // The client's retry, once Databricks stops throttling, succeeds and assigns.
    stack.clear_faults().await;
    let id = stack.create_user("x@example.com").await;
    assert_eq!(assigned(&assignments(&stack).await, WORKSPACE_ID, &id), Some(json!(["USER"])));
}

/// An inactive user of that userName, unassigned: a create finds and reactivates it.
async fn inactive_unassigned_user(stack: &TestStack, user_name: &str) -> String {
    let id = stack.create_user(user_name).await;
    let off = stack
        .call(
            PatchUser,
            Call::patch(
                &format!("/Users/{id}"),
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                       "Operations": [{"op": "replace", "path": "active", "value": false}]}),
            ),
        )
        .await;
    assert!(off.status == 200 || off.status == 204, "{}", off.body);
    unassign_in_databricks(stack, &id).await;
    id
}

#[tokio::test]
async fn a_refused_assignment_of_a_principal_that_was_there_before_is_a_502_and_it_is_kept() {
    let stack = assigning_stack(Mode::Default).await;
    let id = inactive_unassigned_user(&stack, "back@example.com").await;
    stack
        .inject_fault(
            json!({"method": "PUT", "resource": "permissionassignments", "fault": {"kind": "status", "status": 403}}),
        )
        .await;
    let a = post_user(&stack, "back@example.com").await;
    assert_eq!(a.status, 502, "{}", a.body);
    assert!(a.body["detail"].as_str().unwrap().contains("did not assign it"), "{}", a.body);
    assert!(stack.target_user(&id).await.is_some(), "a user that was there before is never deleted");
}

#[tokio::test]
async fn an_unsettled_assignment_of_a_user_that_was_there_before_asks_for_the_create_again_which_assigns_it() {
    let stack = assigning_stack(Mode::Default).await;
    let id = inactive_unassigned_user(&stack, "again@example.com").await;
    stack
        .inject_fault(
            json!({"method": "PUT", "resource": "permissionassignments", "fault": {"kind": "status", "status": 500}}),
        )
        .await;
    let a = post_user(&stack, "again@example.com").await;
    assert_eq!(a.status, 503, "re-send, never 'read before retrying' (a client would adopt it unassigned): {}", a.body);
    assert!(a.body["detail"].as_str().unwrap().contains("re-send"), "{}", a.body);
    assert!(stack.target_user(&id).await.is_some(), "kept");
    let b = post_user(&stack, "again@example.com").await;
    assert_eq!(b.status, 409, "the re-sent create finds it active now: {}", b.body);
    assert_eq!(assigned(&assignments(&stack).await, WORKSPACE_ID, &id), Some(json!(["USER"])), "and assigns it");
}

#[tokio::test]
async fn a_create_whose_outcome_stays_unknown_asks_to_be_sent_again_for_users_and_groups_only() {
    let stack = assigning_stack(Mode::Default).await;
    // The create is done behind a 500, and the look-up that follows fails too.
    let behind = json!({"kind": "write_then_500"});
    stack.inject_fault(json!({"method": "POST", "resource": "Users", "fault": behind})).await;
    stack
        .inject_fault(
            json!({"method": "GET", "resource": "Users", "count": 3, "fault": {"kind": "status", "status": 500}}),
        )
        .await;
    let a = post_user(&stack, "unknown@example.com").await;
    assert_eq!(a.status, 503, "{}", a.body);
    stack.clear_faults().await;
    let b = post_user(&stack, "unknown@example.com").await;
    assert_eq!(b.status, 409, "{}", b.body);
    let id = stack.target_state().await["users"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(assigned(&assignments(&stack).await, WORKSPACE_ID, &id), Some(json!(["USER"])));

    // A service principal's name is not unique: a re-sent create would make a second one.
    stack.inject_fault(json!({"method": "POST", "resource": "ServicePrincipals", "fault": behind})).await;
    stack
        .inject_fault(json!({"method": "GET", "resource": "ServicePrincipals", "count": 3, "fault": {"kind": "status", "status": 500}}))
        .await;
    let c = stack
        .call(
            CreateServicePrincipal,
            Call::post("/ServicePrincipals", json!({"displayName": "bot", "externalId": "ext-1"})),
        )
        .await;
    assert_eq!(c.status, 502, "{}", c.body);
}

#[tokio::test]
async fn without_configured_workspaces_nothing_is_assigned_or_unassigned() {
    let stack = account_stack(Mode::Default, &[]).await;
    stack.reset_stats().await;
    let user = stack.create_user("plain@example.com").await;
    let a = stack.call(DeleteUser, Call::delete(&format!("/Users/{user}"))).await;
    assert_eq!(a.status, 204);
    assert_eq!(
        requests(&stack).await,
        vec![("POST".into(), account_scim("Users")), ("DELETE".into(), format!("{}/{user}", account_scim("Users")))]
    );
}

#[tokio::test]
async fn entitlements_are_refused_on_the_account_target_before_anything_is_sent() {
    let stack = assigning_stack(Mode::Default).await;
    stack.reset_stats().await;
    let create = stack
        .call(
            CreateUser,
            Call::post(
                "/Users",
                json!({"schemas": [shared::scim::USER_SCHEMA], "userName": "e@example.com",
                       "entitlements": [{"value": "allow-cluster-create"}]}),
            ),
        )
        .await;
    assert_eq!(create.status, 400, "{}", create.body);
    assert_eq!(create.body["scimType"], "invalidValue");
    assert!(create.body["detail"].as_str().unwrap().contains("workspace admin"), "{}", create.body);
    assert_eq!(stack.target_calls().await, 0);

    let group = stack.create_group("g", &[]).await;
    stack.reset_stats().await;
    let patch = stack
        .call(
            PatchGroup,
            Call::patch(
                &format!("/Groups/{group}"),
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                       "Operations": [{"op": "add", "path": "displayName", "value": "g2"},
                                      {"op": "add", "path": "entitlements", "value": [{"value": "workspace-access"}]}]}),
            ),
        )
        .await;
    assert_eq!(patch.status, 400, "{}", patch.body);
    assert_eq!(stack.target_group(&group).await.unwrap()["displayName"], "g", "nothing of the PATCH applied");
}

#[tokio::test]
async fn a_group_list_reads_each_group_for_the_members_the_account_list_leaves_out() {
    let stack = account_stack(Mode::Default, &[]).await;
    let ada = stack.create_user("ada@example.com").await;
    let bob = stack.create_user("bob@example.com").await;
    stack.create_group("one", &[&ada]).await;
    stack.create_group("two", &[&ada, &bob]).await;
    stack.reset_stats().await;

    let a = stack.call(ListGroups, Call::get("/Groups")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let mut sizes: Vec<(String, usize)> = a.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["displayName"].as_str().unwrap().to_string(), g["members"].as_array().map_or(0, Vec::len)))
        .collect();
    sizes.sort();
    assert_eq!(sizes, vec![("one".to_string(), 1), ("two".to_string(), 2)]);
    assert_eq!(stack.target_calls().await, 3, "one list and one read per group");

    stack.reset_stats().await;
    let lean = stack.call(ListGroups, Call::get("/Groups").query("excludedAttributes", "members")).await;
    assert_eq!(lean.status, 200);
    assert_eq!(stack.target_calls().await, 1, "without members a list is one call");
}

#[tokio::test]
async fn partner_connect_stays_on_the_workspace_api_with_the_account_target() {
    let stack = assigning_stack(Mode::Default).await;
    let a = stack
        .call(CreateServicePrincipal, Call::post("/ServicePrincipals", json!({"displayName": "FIVETRAN_USER"})))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a.body["id"].as_str().unwrap().to_string();
    stack.reset_stats().await;

    let list = stack.call(ListPartners, Call::get("/admin/partners")).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["partners"][0]["partner"], "FIVETRAN", "{}", list.body);
    let gone = stack.call(DisconnectPartner, Call::delete("/admin/partners/fivetran")).await;
    assert_eq!(gone.status, 200, "{}", gone.body);
    for (method, path) in requests(&stack).await {
        assert!(
            path.starts_with("/api/2.0/preview/scim/v2/ServicePrincipals")
                || path.starts_with("/api/2.0/token-management"),
            "{method} {path} is not the workspace's API"
        );
    }
    assert!(
        requests(&stack).await.contains(&("DELETE".into(), format!("/api/2.0/preview/scim/v2/ServicePrincipals/{id}")))
    );
}

#[tokio::test]
async fn the_account_target_s_schemas_offer_no_entitlements_or_groups_and_the_workspace_s_do() {
    let names = |answer: &Value| -> Vec<String> {
        answer["attributes"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_string()).collect()
    };
    let user_schema = format!("/Schemas/{}", shared::scim::USER_SCHEMA);
    let account = account_stack(Mode::Default, &[]).await;
    let a = account.call(Discovery, Call::get(&user_schema)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let account_names = names(&a.body);
    assert!(account_names.contains(&"userName".to_string()), "{account_names:?}");
    assert!(!account_names.iter().any(|n| n == "entitlements" || n == "groups"), "{account_names:?}");
    let list = account.call(Discovery, Call::get("/Schemas")).await;
    assert!(!list.body.to_string().contains("\"entitlements\""), "{}", list.body);
    assert_eq!(list.body["totalResults"], 3, "no group extension: nothing of it is left");
    let extension = format!("/Schemas/{}", shared::scim::GROUP_EXTENSION_SCHEMA);
    assert_eq!(account.call(Discovery, Call::get(&extension)).await.status, 404);
    let group_type = account.call(Discovery, Call::get("/ResourceTypes/Group")).await;
    assert_eq!(group_type.status, 200);
    assert!(group_type.body.get("schemaExtensions").is_none(), "{}", group_type.body);

    let workspace = TestStack::start_for(Target::Workspace, Mode::Default, Shape::RestV1, |c| c, &[]).await;
    let w = workspace.call(Discovery, Call::get(&user_schema)).await;
    assert!(names(&w.body).contains(&"entitlements".to_string()));
    assert_eq!(workspace.call(Discovery, Call::get(&extension)).await.status, 200);
    let group_type = workspace.call(Discovery, Call::get("/ResourceTypes/Group")).await;
    assert!(group_type.body["schemaExtensions"].is_array(), "{}", group_type.body);
}

#[tokio::test]
async fn an_unsettled_assignment_of_a_new_principal_is_a_503_with_nothing_kept_or_a_502_if_it_cannot_be_undone() {
    let stack = assigning_stack(Mode::Default).await;
    let unsettled =
        json!({"method": "PUT", "resource": "permissionassignments", "fault": {"kind": "status", "status": 500}});
    stack.inject_fault(unsettled.clone()).await;
    let a = post_user(&stack, "first@example.com").await;
    assert_eq!(a.status, 503, "{}", a.body);
    assert!(a.body["detail"].as_str().unwrap().contains("nothing was kept"), "{}", a.body);
    assert_eq!(stack.target_state().await["users"], json!([]));

    // The undo fails too: the user stays, and the client is asked to send the create again,
    // which finds it (409) and assigns it.
    stack.inject_fault(unsettled).await;
    stack
        .inject_fault(json!({"method": "DELETE", "resource": "Users", "fault": {"kind": "status", "status": 500}}))
        .await;
    let b = post_user(&stack, "second@example.com").await;
    assert_eq!(b.status, 503, "{}", b.body);
    assert!(b.body["detail"].as_str().unwrap().contains("re-send"), "{}", b.body);
    let users = stack.target_state().await["users"].as_array().cloned().unwrap_or_default();
    assert_eq!(users.len(), 1);
    let again = post_user(&stack, "second@example.com").await;
    assert_eq!(again.status, 409, "{}", again.body);
    let id = users[0]["id"].as_str().unwrap();
    assert_eq!(assigned(&assignments(&stack).await, WORKSPACE_ID, id), Some(json!(["USER"])));

    // A service principal (names not unique) is told it exists unassigned instead.
    stack
        .inject_fault(
            json!({"method": "PUT", "resource": "permissionassignments", "fault": {"kind": "status", "status": 500}}),
        )
        .await;
    stack
        .inject_fault(
            json!({"method": "DELETE", "resource": "ServicePrincipals", "fault": {"kind": "status", "status": 500}}),
        )
        .await;
    let c = stack.call(CreateServicePrincipal, Call::post("/ServicePrincipals", json!({"displayName": "bot"}))).await;
    assert_eq!(c.status, 502, "{}", c.body);
    assert!(c.body["detail"].as_str().unwrap().contains("exists in the Databricks account"), "{}", c.body);
}

#[tokio::test]
async fn updates_never_touch_assignments_and_a_create_that_finds_a_principal_keeps_what_an_admin_gave_it() {
    let stack = assigning_stack(Mode::Default).await;
    let user = stack.create_user("admin-made@example.com").await;
    // An admin makes the user a workspace admin.
    set_in_databricks(&stack, &user, "ADMIN").await;
    stack.reset_stats().await;

    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                       "Operations": [{"op": "replace", "path": "active", "value": false}]});
    let a = stack.call(PatchUser, Call::patch(&format!("/Users/{user}"), patch)).await;
    assert!(a.status == 200 || a.status == 204, "{}", a.body);
    let b = stack
        .call(
            ReplaceUser,
            Call::put(&format!("/Users/{user}"), json!({"userName": "admin-made@example.com", "active": false})),
        )
        .await;
    assert!(b.status == 200 || b.status == 204, "{}", b.body);
    assert!(
        !requests(&stack).await.iter().any(|(_, p)| p.contains("permissionassignments")),
        "updates leave assignments alone"
    );

    // The create reactivates the inactive user: it is found, so it is assigned only where it
    // holds nothing, and the ADMIN an admin gave it stays.
    stack.reset_stats().await;
    let c = post_user(&stack, "admin-made@example.com").await;
    assert_eq!(c.status, 201, "{}", c.body);
    assert_eq!(assigned(&assignments(&stack).await, WORKSPACE_ID, &user), Some(json!(["ADMIN"])));
    let log = requests(&stack).await;
    assert!(
        log.contains(&(
            "GET".into(),
            format!("/api/2.0/accounts/{ACCOUNT_ID}/workspaces/{WORKSPACE_ID}/permissionassignments")
        )),
        "{log:?}"
    );
    assert!(
        !log.iter().any(|(m, p)| m == "PUT" && p.contains("permissionassignments")),
        "no PUT that would replace ADMIN: {log:?}"
    );
}

#[tokio::test]
async fn a_create_answered_409_assigns_the_principal_holding_the_name_first() {
    let stack = assigning_stack(Mode::Default).await;
    let user = stack.create_user("taken@example.com").await;
    let group = stack.create_group("taken", &[]).await;
    for id in [&user, &group] {
        unassign_in_databricks(&stack, id).await;
    }
    let a = post_user(&stack, "taken@example.com").await;
    assert_eq!(a.status, 409, "{}", a.body);
    let b = stack.call(CreateGroup, Call::post("/Groups", json!({"displayName": "taken"}))).await;
    assert_eq!(b.status, 409, "{}", b.body);
    let list = assignments(&stack).await;
    assert_eq!(assigned(&list, WORKSPACE_ID, &user), Some(json!(["USER"])), "{list:?}");
    assert_eq!(assigned(&list, WORKSPACE_ID, &group), Some(json!(["USER"])), "{list:?}");

    // A holder that is a workspace admin stays one.
    set_in_databricks(&stack, &group, "ADMIN").await;
    let again = stack.call(CreateGroup, Call::post("/Groups", json!({"displayName": "taken"}))).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(assigned(&assignments(&stack).await, WORKSPACE_ID, &group), Some(json!(["ADMIN"])));
}

#[tokio::test]
async fn a_root_search_pages_groups_read_one_by_one_without_skipping_or_repeating_any() {
    let stack = account_stack(Mode::Default, &[]).await;
    let mut wanted = Vec::new();
    for n in 0..22 {
        wanted.push(stack.create_group(&format!("acct-g-{n:02}"), &[]).await);
    }
    for n in 0..2 {
        let a = stack
            .call(
                CreateServicePrincipal,
                Call::post("/ServicePrincipals", json!({"displayName": format!("acct-sp-{n}")})),
            )
            .await;
        wanted.push(a.body["id"].as_str().unwrap().to_string());
    }
    let (mut seen, mut start) = (Vec::new(), 1);
    loop {
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                          "filter": "displayName sw \"acct-\"", "startIndex": start, "count": 30});
        let a = stack.call(Discovery, Call::post("/.search", body)).await;
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.body["totalResults"], 24, "{}", a.body);
        let page = a.body["Resources"].as_array().unwrap().clone();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 20 || start > 1, "the first page ends where the groups read one by one end");
        seen.extend(page.iter().map(|r| r["id"].as_str().unwrap().to_string()));
        start += a.body["itemsPerPage"].as_u64().unwrap();
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "nothing repeated: {seen:?}");
    wanted.sort();
    assert_eq!(sorted, wanted, "nothing skipped");
}

#[tokio::test]
async fn a_group_found_after_an_unknown_create_whose_members_cannot_be_added_is_a_502_never_a_resend() {
    let stack = assigning_stack(Mode::Default).await;
    let ada = stack.create_user("ada@example.com").await;
    // The group is created without its members behind a 500; adding them is then throttled
    // past the retry budget. A "re-send" would end in a 409 and an empty group adopted.
    stack.inject_fault(json!({"method": "POST", "resource": "Groups", "fault": {"kind": "write_then_500", "without_members": true}})).await;
    stack
        .inject_fault(
            json!({"method": "PATCH", "resource": "Groups", "count": 50, "fault": {"kind": "status", "status": 429}}),
        )
        .await;
    let a = stack
        .call(CreateGroup, Call::post("/Groups", json!({"displayName": "half-made", "members": [{"value": ada}]})))
        .await;
    assert_eq!(a.status, 502, "{}", a.body);
    assert!(a.body["detail"].as_str().unwrap().contains("was created"), "{}", a.body);
}
