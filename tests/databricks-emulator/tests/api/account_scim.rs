//! The account SCIM API of the account target (`--target account`):
//! `/api/2.0/accounts/{account_id}/scim/v2/{Users,Groups,ServicePrincipals}[/{id}]`.

use databricks_emulator::{Config, Target, WriteAnswers};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ACCOUNT_ID, Harness, Reply, account, ids, patch_op};

const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

fn id_of(r: &Reply) -> String {
    assert!(r.status.is_success(), "{} {}", r.status, r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

fn assert_refused(r: &Reply, detail: &str) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body, json!({"schemas": [ERROR_URN], "status": "400", "scimType": "invalidValue", "detail": detail}));
}

const NO_ENTITLEMENTS: &str =
    "entitlements is not an attribute of an account user; entitlements are set in the workspace";

#[tokio::test]
async fn account_routes_are_unknown_paths_with_the_workspace_target() {
    let h = Harness::new().await;

    let users = h.get(&account("Users")).await;
    let assignments = h.get("/api/2.0/accounts/a/workspaces/1/permissionassignments").await;
    let stats = h.admin(Method::GET, "stats", None).await.body;
    let state = h.admin(Method::GET, "state", None).await.body;

    for r in [&users, &assignments] {
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert_eq!(r.detail(), "Endpoint not supported.");
    }
    assert_eq!(stats["counts"], json!({"GET other": 2}));
    assert!(state.get("permission_assignments").is_none(), "{state}");
}

#[tokio::test]
async fn the_account_target_serves_account_routes_over_the_workspace_principals() {
    let h = Harness::account().await;
    let from_workspace = h.create_user("ws@x.com", Some("From Workspace")).await;

    let created = h.post(&account("Users"), json!({"userName": "acc@x.com", "displayName": "From Account"})).await;
    let from_account = id_of(&created);
    let listed = h.get(&account("Users")).await;
    let read_in_workspace = h.get(&format!("Users/{from_account}")).await;
    let read_in_account = h.get(&account(&format!("Users/{from_workspace}"))).await;
    let log = h.admin(Method::GET, "requests", None).await.body;
    let stats = h.admin(Method::GET, "stats", None).await.body;

    assert_eq!(created.status, StatusCode::OK, "the create_status default applies");
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["totalResults"], 2);
    assert_eq!(read_in_workspace.body["userName"], "acc@x.com");
    assert_eq!(read_in_account.body["displayName"], "From Workspace");
    assert_eq!(stats["counts"]["POST Users"], 2);
    assert_eq!(stats["counts"]["GET Users"], 3);
    let paths: Vec<(&str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["resource"].as_str().unwrap(), e["path"].as_str().unwrap()))
        .collect();
    assert_eq!(paths[1], ("Users", "/api/2.0/accounts/9c2f0a1e-account/scim/v2/Users"));
    assert_eq!(paths[3], ("Users", format!("/api/2.0/preview/scim/v2/Users/{from_account}").as_str()));
}

#[tokio::test]
async fn with_an_account_id_set_another_account_answers_404_resource_does_not_exist() {
    let h = Harness::account().await;
    let open = Harness::with(Config { target: Target::Account, ..Config::default() }).await;

    let wrong = h.get("/api/2.0/accounts/other-account/scim/v2/Users").await;
    let wrong_assignment = h
        .call(
            Method::PUT,
            "/api/2.0/accounts/other-account/workspaces/1/permissionassignments/principals/2",
            Some(json!({"permissions": ["USER"]})),
        )
        .await;
    let right = h.get(&format!("/api/2.0/accounts/{ACCOUNT_ID}/scim/v2/Users")).await;
    let any = open.get("/api/2.0/accounts/other-account/scim/v2/Users").await;

    for r in [&wrong, &wrong_assignment] {
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            r.body,
            json!({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Account other-account does not exist"})
        );
    }
    assert_eq!(right.status, StatusCode::OK);
    assert_eq!(any.status, StatusCode::OK, "without --account-id any account id is accepted");
}

#[tokio::test]
async fn account_principals_never_render_entitlements_or_groups() {
    let h = Harness::account_with(Config { write_answers: WriteAnswers::Resource, ..Config::default() }).await;
    let user =
        h.post("Users", json!({"userName": "u@x.com", "entitlements": [{"value": "allow-cluster-create"}]})).await.body
            ["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let (sp, _) = h.create_sp("robot").await;
    let parent = h.create_group("parent", &[&user, &sp]).await;
    let child = h.post(&account("Groups"), json!({"displayName": "child"})).await;
    let child = id_of(&child);
    h.patch(
        &format!("Groups/{parent}"),
        patch_op(json!([{"op": "add", "path": "members", "value": [{"value": child}]}])),
    )
    .await;
    let in_workspace = h.get(&format!("Users/{user}")).await.body;

    let mut shown: Vec<Value> = vec![
        h.get(&account(&format!("Users/{user}"))).await.body,
        h.get(&account(&format!("ServicePrincipals/{sp}"))).await.body,
        h.get(&account(&format!("Groups/{child}"))).await.body,
        h.get(&account("Users?attributes=groups,entitlements,userName")).await.body["Resources"][0].clone(),
        h.get(&account("ServicePrincipals")).await.body["Resources"][0].clone(),
        h.put(&account(&format!("Users/{user}")), json!({"displayName": "U"})).await.body,
        h.patch(
            &account(&format!("Groups/{child}")),
            patch_op(json!([{"op": "replace", "path": "displayName", "value": "kid"}])),
        )
        .await
        .body,
        h.post(&account("Users"), json!({"userName": "new@x.com"})).await.body,
    ];
    for listed in h.get(&account("Groups")).await.body["Resources"].as_array().unwrap() {
        shown.push(listed.clone());
    }

    assert!(in_workspace.get("entitlements").is_some() && in_workspace.get("groups").is_some(), "{in_workspace}");
    for resource in &shown {
        assert!(resource["id"].is_string(), "{resource}");
        assert!(resource.get("entitlements").is_none(), "{resource}");
        assert!(resource.get("groups").is_none(), "{resource}");
    }
    assert_eq!(shown[3]["userName"], "u@x.com", "the projection still applies");
}

#[tokio::test]
async fn account_writes_carrying_entitlements_or_groups_are_refused_and_change_nothing() {
    let h = Harness::account().await;
    let gid = h.create_group("team", &[]).await;
    let uid = h.create_user("u@x.com", None).await;
    let user = account(&format!("Users/{uid}"));
    let before = h.admin(Method::GET, "state", None).await.body;

    let post_entitlements = h
        .post(&account("Users"), json!({"userName": "v@x.com", "entitlements": [{"value": "workspace-access"}]}))
        .await;
    let post_groups = h.post(&account("Users"), json!({"userName": "v@x.com", "groups": [{"value": gid}]})).await;
    let post_sp_groups =
        h.post(&account("ServicePrincipals"), json!({"displayName": "r", "Groups": [{"value": gid}]})).await;
    let put_cleared = h.put(&user, json!({"userName": "u@x.com", "entitlements": [{"value": ""}]})).await;
    let patch_path = h
        .patch(
            &user,
            patch_op(json!([{"op": "add", "path": "entitlements", "value": [{"value": "workspace-access"}]}])),
        )
        .await;
    let patch_filter =
        h.patch(&user, patch_op(json!([{"op": "remove", "path": format!("groups[value eq \"{gid}\"]")}]))).await;
    let patch_urn = h
        .patch(
            &user,
            patch_op(json!([{"op": "add", "path": "urn:ietf:params:scim:schemas:core:2.0:User:groups", "value": [{"value": gid}]}])),
        )
        .await;
    let patch_pathless = h
        .patch(&user, patch_op(json!([{"op": "replace", "value": {"displayName": "X", "groups": [{"value": gid}]}}])))
        .await;
    let group_entitlements =
        h.patch(&account(&format!("Groups/{gid}")), patch_op(json!([{"op": "remove", "path": "entitlements"}]))).await;
    let after = h.admin(Method::GET, "state", None).await.body;

    assert_refused(&post_entitlements, NO_ENTITLEMENTS);
    let no_groups =
        "groups is not an attribute of an account user; group membership is set through the members of the group";
    assert_refused(&post_groups, no_groups);
    assert_refused(
        &post_sp_groups,
        "groups is not an attribute of an account service principal; group membership is set through the members of the group",
    );
    assert_refused(&put_cleared, NO_ENTITLEMENTS);
    assert_refused(&patch_path, NO_ENTITLEMENTS);
    assert_refused(&patch_filter, no_groups);
    assert_refused(&patch_urn, no_groups);
    assert_refused(&patch_pathless, no_groups);
    assert_refused(
        &group_entitlements,
        "entitlements is not an attribute of an account group; entitlements are set in the workspace",
    );
    assert_eq!(after, before, "nothing changed");
}

#[tokio::test]
async fn empty_entitlements_or_groups_pass_and_the_same_writes_work_through_the_workspace() {
    let h = Harness::account().await;
    let gid = h.create_group("team", &[]).await;

    let empty = h.post(&account("Users"), json!({"userName": "e@x.com", "entitlements": [], "groups": null})).await;
    let workspace = h
        .post(
            "Users",
            json!({"userName": "w@x.com", "entitlements": [{"value": "workspace-access"}], "groups": [{"value": gid}]}),
        )
        .await;

    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert_eq!(workspace.status, StatusCode::OK, "{}", workspace.body);
    assert_eq!(workspace.body["groups"][0]["value"], gid.as_str());
}

#[tokio::test]
async fn an_account_put_keeps_the_workspace_entitlements_and_group_memberships_it_cannot_name() {
    let h = Harness::account().await;
    let created =
        h.post("Users", json!({"userName": "u@x.com", "entitlements": [{"value": "databricks-sql-access"}]})).await;
    let uid = id_of(&created);
    let gid = h.create_group("team", &[&uid]).await;

    let put = h.put(&account(&format!("Users/{uid}")), json!({"userName": "u@x.com", "displayName": "Renamed"})).await;
    let seen = h.get(&format!("Users/{uid}")).await.body;

    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(seen["displayName"], "Renamed");
    assert_eq!(seen["entitlements"], json!([{"value": "databricks-sql-access"}]));
    assert_eq!(seen["groups"][0]["value"], gid.as_str());
}

#[tokio::test]
async fn user_name_and_emails_changes_are_ignored_by_account_put_and_patch_while_other_changes_apply() {
    let h = Harness::account().await;
    let uid = id_of(&h.post(&account("Users"), json!({"userName": "keep@x.com", "displayName": "Before"})).await);
    let path = account(&format!("Users/{uid}"));

    let put = h
        .put(
            &path,
            json!({"userName": "other@x.com", "emails": [{"value": "other@x.com", "primary": true}],
                   "displayName": "Put Name", "active": false}),
        )
        .await;
    let after_put = h.get(&path).await.body;
    let patch = h
        .patch(
            &path,
            patch_op(json!([
                {"op": "replace", "path": "userName", "value": "third@x.com"},
                {"op": "replace", "path": "emails", "value": [{"value": "third@x.com"}]},
                {"op": "replace", "value": {"userName": "fourth@x.com", "displayName": "Patched"}},
                {"op": "replace", "path": "active", "value": true}
            ])),
        )
        .await;
    let after_patch = h.get(&path).await.body;

    assert_eq!((put.status, put.body.clone()), (StatusCode::OK, json!({})));
    assert_eq!(after_put["userName"], "keep@x.com");
    assert_eq!(after_put["emails"][0]["value"], "keep@x.com");
    assert_eq!((after_put["displayName"].clone(), after_put["active"].clone()), (json!("Put Name"), json!(false)));
    assert_eq!((patch.status, patch.body.clone()), (StatusCode::OK, json!({})));
    assert_eq!(after_patch["userName"], "keep@x.com");
    assert_eq!(after_patch["emails"][0]["value"], "keep@x.com");
    assert_eq!((after_patch["displayName"].clone(), after_patch["active"].clone()), (json!("Patched"), json!(true)));
}

#[tokio::test]
async fn account_group_lists_leave_out_members_even_when_asked_while_reading_one_group_shows_them() {
    let h = Harness::account().await;
    let uid = h.create_user("m@x.com", Some("Member")).await;
    let gid = id_of(&h.post(&account("Groups"), json!({"displayName": "g", "members": [{"value": uid}]})).await);

    let listed = h.get(&account("Groups")).await.body;
    let asked = h.get(&account("Groups?attributes=members,displayName")).await.body;
    let filtered = h.get(&account("Groups?filter=displayName+eq+g")).await.body;
    let one = h.get(&account(&format!("Groups/{gid}"))).await.body;
    let in_workspace = h.get("Groups?attributes=members").await.body;

    for list in [&listed, &asked, &filtered] {
        assert_eq!(ids(list), [gid.as_str()]);
        assert!(list["Resources"][0].get("members").is_none(), "{list}");
    }
    assert_eq!(asked["Resources"][0]["displayName"], "g");
    assert_eq!(one["members"], json!([{"display": "Member", "value": uid, "$ref": format!("Users/{uid}")}]));
    assert_eq!(in_workspace["Resources"][0]["members"][0]["value"], uid.as_str(), "the workspace list keeps them");
}

#[tokio::test]
async fn a_group_created_through_the_account_is_an_account_group_patched_there_but_refused_through_the_workspace() {
    let h = Harness::account().await;
    let a = h.create_user("a@x.com", None).await;
    let b = h.create_user("b@x.com", None).await;
    let gid = id_of(&h.post(&account("Groups"), json!({"displayName": "acct", "members": [{"value": a}]})).await);
    let add_b = patch_op(json!([{"op": "add", "path": "members", "value": [{"value": b}]}]));

    let via_workspace = h.patch(&format!("Groups/{gid}"), add_b.clone()).await;
    let put_via_workspace = h.put(&format!("Groups/{gid}"), json!({"displayName": "acct"})).await;
    let via_account = h.patch(&account(&format!("Groups/{gid}")), add_b).await;
    let remove_a = h
        .patch(
            &account(&format!("Groups/{gid}")),
            patch_op(json!([{"op": "remove", "path": format!("members[value eq \"{a}\"]")}])),
        )
        .await;
    let put_via_account = h
        .put(
            &account(&format!("Groups/{gid}")),
            json!({"displayName": "acct-renamed", "members": [{"value": a}, {"value": b}]}),
        )
        .await;
    let group = h.get(&format!("Groups/{gid}")).await.body;
    let state = h.admin(Method::GET, "state", None).await.body;

    for r in [&via_workspace, &put_via_workspace] {
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.detail(), "Group membership cannot be updated through PATCH/PUT requests");
    }
    for r in [&via_account, &remove_a, &put_via_account] {
        assert_eq!((r.status, r.body.clone()), (StatusCode::OK, json!({})));
    }
    assert_eq!(group["meta"], json!({"resourceType": "Group"}));
    assert_eq!(group["displayName"], "acct-renamed");
    let members: Vec<&str> =
        group["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    assert_eq!(members, [a.as_str(), b.as_str()]);
    assert_eq!(state["groups"][0]["account"], true);
}

#[tokio::test]
async fn a_taken_user_name_on_the_account_answers_the_account_409_text_and_other_kinds_keep_theirs() {
    let h = Harness::account().await;
    h.create_user("taken@x.com", None).await;
    h.create_group("taken", &[]).await;

    let user = h.post(&account("Users"), json!({"userName": "Taken@X.com"})).await;
    let in_workspace = h.post("Users", json!({"userName": "taken@x.com"})).await;
    let group = h.post(&account("Groups"), json!({"displayName": "taken"})).await;

    assert_eq!(user.status, StatusCode::CONFLICT);
    assert_eq!(
        user.body,
        json!({"schemas": [ERROR_URN], "status": "409", "detail": "User with email taken@x.com already exists in this account"})
    );
    assert_eq!(in_workspace.detail(), "User with username taken@x.com already exists.");
    assert_eq!(group.status, StatusCode::CONFLICT);
    assert_eq!(group.detail(), "Group with name taken already exists.");
}

#[tokio::test]
async fn behaviour_switches_faults_and_flaky_reads_apply_to_account_routes_alike() {
    let h = Harness::account_with(Config {
        create_status: 201,
        write_answers: WriteAnswers::NoContent,
        flaky_reads: 2,
        ..Config::default()
    })
    .await;
    h.fault(
        json!({"method": "POST", "resource": "Groups", "fault": {"kind": "status", "status": 503, "detail": "busy"}}),
    )
    .await;

    let faulted = h.post(&account("Groups"), json!({"displayName": "g"})).await;
    let created = h.post(&account("Groups"), json!({"displayName": "g"})).await;
    let gid = id_of(&created);
    let patched = h
        .patch(
            &account(&format!("Groups/{gid}")),
            patch_op(json!([{"op": "replace", "path": "displayName", "value": "h"}])),
        )
        .await;
    let first_read = h.get(&account("Groups")).await;
    let second_read = h.get(&account(&format!("Groups/{gid}"))).await;
    let strict_removal =
        h.patch(&account(&format!("Groups/{gid}")), patch_op(json!([{"op": "remove", "path": "members"}]))).await;

    assert_eq!(faulted.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(faulted.detail(), "busy");
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!((patched.status, patched.body), (StatusCode::NO_CONTENT, Value::Null));
    assert_eq!(first_read.status, StatusCode::OK);
    assert_eq!(second_read.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        second_read.body,
        json!({"error_code": "TEMPORARILY_UNAVAILABLE",
               "message": "The service at /api/2.0/accounts/9c2f0a1e-account/scim/v2/Groups is temporarily unavailable. Please try again later."})
    );
    assert_eq!(strict_removal.status, StatusCode::BAD_REQUEST);
    assert_eq!(strict_removal.detail(), "No such attribute with the name : members in the current resource");
}

#[tokio::test]
async fn deleting_through_the_account_removes_the_principal_everywhere() {
    let h = Harness::account().await;
    let uid = h.create_user("gone@x.com", None).await;
    let gid = h.create_group("team", &[&uid]).await;

    let deleted = h.delete(&account(&format!("Users/{uid}"))).await;
    let again = h.get(&format!("Users/{uid}")).await;
    let group = h.get(&account(&format!("Groups/{gid}"))).await.body;

    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.detail(), format!("User with id {uid} not found."));
    assert!(group.get("members").is_none(), "{group}");
}
