//! The workspace permission-assignment API of the account target:
//! `/api/2.0/accounts/{account_id}/workspaces/{workspace_id}/permissionassignments[/principals/{principal_id}]`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ACCOUNT_ID, Harness, Reply, account};

const WORKSPACE: &str = "1234567890123456";

fn assignments(workspace: &str) -> String {
    format!("/api/2.0/accounts/{ACCOUNT_ID}/workspaces/{workspace}/permissionassignments")
}

fn principal_path(workspace: &str, principal: &str) -> String {
    format!("{}/principals/{principal}", assignments(workspace))
}

async fn assign(h: &Harness, workspace: &str, principal: &str, body: Value) -> Reply {
    h.call(Method::PUT, &principal_path(workspace, principal), Some(body)).await
}

fn number(id: &str) -> Value {
    json!(id.parse::<u64>().unwrap())
}

#[tokio::test]
async fn put_assigns_users_groups_and_service_principals_and_the_list_names_each_its_way() {
    let h = Harness::account().await;
    let uid = h.create_user("u@x.com", Some("User U")).await;
    let gid = h.create_group("team", &[]).await;
    let (sid, application_id) = h.create_sp("robot").await;

    let user = assign(&h, WORKSPACE, &uid, json!({"permissions": ["USER"]})).await;
    let group = assign(&h, WORKSPACE, &gid, json!({"permissions": ["USER"]})).await;
    let sp = assign(&h, WORKSPACE, &sid, json!({"permissions": ["ADMIN"]})).await;
    let listed = h.get(&assignments(WORKSPACE)).await;

    assert_eq!(user.status, StatusCode::OK);
    assert_eq!(
        user.body,
        json!({"principal": {"principal_id": number(&uid), "display_name": "User U", "user_name": "u@x.com"},
               "permissions": ["USER"]})
    );
    assert_eq!(
        group.body,
        json!({"principal": {"principal_id": number(&gid), "display_name": "team", "group_name": "team"},
               "permissions": ["USER"]})
    );
    assert_eq!(
        sp.body,
        json!({"principal": {"principal_id": number(&sid), "display_name": "robot", "service_principal_name": application_id},
               "permissions": ["ADMIN"]})
    );
    assert_eq!(listed.status, StatusCode::OK);
    let mut expected = vec![user.body, group.body, sp.body];
    expected.sort_by_key(|a| a["principal"]["principal_id"].as_u64());
    assert_eq!(listed.body, json!({"permission_assignments": expected}), "one page in principal-id order, no token");
}

#[tokio::test]
async fn admin_wins_over_user_and_unknown_or_lower_case_values_are_ignored() {
    let h = Harness::account().await;
    let uid = h.create_user("u@x.com", None).await;

    let both = assign(&h, WORKSPACE, &uid, json!({"permissions": ["ADMIN", "USER", "OWNER"]})).await;
    let lower = assign(&h, "42", &uid, json!({"permissions": ["admin", "USER"]})).await;
    let state = h.admin(Method::GET, "state", None).await.body;

    assert_eq!(both.body["permissions"], json!(["ADMIN"]));
    assert_eq!(lower.body["permissions"], json!(["USER"]));
    assert_eq!(
        state["permission_assignments"],
        json!([{"workspace_id": "42", "principal_id": uid, "permissions": ["USER"]},
               {"workspace_id": WORKSPACE, "principal_id": uid, "permissions": ["ADMIN"]}]),
        "ordered by workspace id as a number"
    );
}

#[tokio::test]
async fn an_empty_absent_or_unsupported_permission_list_removes_the_assignment() {
    let h = Harness::account().await;
    let uid = h.create_user("u@x.com", None).await;

    let mut removals = Vec::new();
    for body in [json!({"permissions": []}), json!({}), json!({"permissions": ["OWNER", "user"]})] {
        assign(&h, WORKSPACE, &uid, json!({"permissions": ["ADMIN"]})).await;
        let removed = assign(&h, WORKSPACE, &uid, body.clone()).await;
        let listed = h.get(&assignments(WORKSPACE)).await;
        removals.push((body, removed.status, removed.body.get("permissions").cloned(), listed.body));
    }

    for (body, status, permissions, listed) in removals {
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(permissions, None, "{body}: an empty list is left out");
        assert_eq!(listed, json!({}), "{body}: nobody is assigned any more");
    }
}

#[tokio::test]
async fn put_refuses_unknown_principals_bad_workspace_ids_and_malformed_bodies() {
    let h = Harness::account().await;
    let uid = h.create_user("u@x.com", None).await;

    let unknown = assign(&h, WORKSPACE, "111111111111111", json!({"permissions": ["USER"]})).await;
    let not_a_number = assign(&h, WORKSPACE, "someone", json!({"permissions": ["USER"]})).await;
    let bad_workspaces = [
        assign(&h, "12345678901234567890", &uid, json!({"permissions": ["USER"]})).await,
        assign(&h, "ws-1", &uid, json!({"permissions": ["USER"]})).await,
    ];
    let text = h
        .http
        .put(h.url(&principal_path(WORKSPACE, &uid)))
        .bearer_auth(databricks_emulator::DEFAULT_TOKEN)
        .body("permissions=USER")
        .send()
        .await
        .unwrap();
    let text = crate::helpers::reply(text).await;
    let not_an_array = assign(&h, WORKSPACE, &uid, json!({"permissions": "USER"})).await;
    let state = h.admin(Method::GET, "state", None).await.body;

    for r in [&unknown, &not_a_number] {
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert_eq!(r.body["error_code"], "RESOURCE_DOES_NOT_EXIST");
    }
    assert_eq!(unknown.body["message"], "Principal 111111111111111 does not exist.");
    for r in &bad_workspaces {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["error_code"], "INVALID_PARAMETER_VALUE");
    }
    for r in [&text, &not_an_array] {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["error_code"], "MALFORMED_REQUEST");
    }
    assert_eq!(state["permission_assignments"], json!([]));
}

#[tokio::test]
async fn delete_removes_an_assignment_and_answers_404_when_there_was_none() {
    let h = Harness::account().await;
    let uid = h.create_user("u@x.com", None).await;
    let gid = h.create_group("team", &[]).await;
    assign(&h, WORKSPACE, &uid, json!({"permissions": ["USER"]})).await;
    assign(&h, WORKSPACE, &gid, json!({"permissions": ["USER"]})).await;

    let deleted = h.delete(&principal_path(WORKSPACE, &uid)).await;
    let again = h.delete(&principal_path(WORKSPACE, &uid)).await;
    let other_workspace = h.delete(&principal_path("7", &gid)).await;
    let unknown = h.delete(&principal_path(WORKSPACE, "111111111111111")).await;
    let bad_workspace = h.delete(&principal_path("x", &gid)).await;
    let listed = h.get(&assignments(WORKSPACE)).await.body;

    assert_eq!((deleted.status, deleted.body), (StatusCode::OK, json!({})));
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(
        again.body,
        json!({"error_code": "RESOURCE_DOES_NOT_EXIST",
               "message": format!("Principal {uid} is not assigned to workspace {WORKSPACE}.")})
    );
    assert_eq!(other_workspace.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(bad_workspace.status, StatusCode::BAD_REQUEST);
    assert_eq!(listed["permission_assignments"].as_array().unwrap().len(), 1);
    assert_eq!(listed["permission_assignments"][0]["principal"]["group_name"], "team");
}

#[tokio::test]
async fn deleting_a_principal_through_either_scim_api_removes_its_assignments_in_every_workspace() {
    let h = Harness::account().await;
    let a = h.create_user("a@x.com", None).await;
    let b = h.create_user("b@x.com", None).await;
    let keep = h.create_group("keep", &[]).await;
    for (workspace, principal) in [("1", &a), ("2", &a), ("1", &b), ("2", &b), ("2", &keep)] {
        let r = assign(&h, workspace, principal, json!({"permissions": ["USER"]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    assert_eq!(h.delete(&account(&format!("Users/{a}"))).await.status, StatusCode::NO_CONTENT);
    assert_eq!(h.delete(&format!("Users/{b}")).await.status, StatusCode::NO_CONTENT);
    let state = h.admin(Method::GET, "state", None).await.body;
    let one = h.get(&assignments("1")).await.body;

    assert_eq!(
        state["permission_assignments"],
        json!([{"workspace_id": "2", "principal_id": keep, "permissions": ["USER"]}])
    );
    assert_eq!(one, json!({}));
}

#[tokio::test]
async fn reset_clears_the_permission_assignments() {
    let h = Harness::account().await;
    let uid = h.create_user("u@x.com", None).await;
    assign(&h, WORKSPACE, &uid, json!({"permissions": ["USER"]})).await;

    let reset = h.admin(Method::POST, "reset", None).await;
    let state = h.admin(Method::GET, "state", None).await.body;

    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert_eq!(state["permission_assignments"], json!([]));
    assert_eq!(h.get(&assignments(WORKSPACE)).await.body, json!({}));
}

#[tokio::test]
async fn permission_assignments_are_counted_authenticated_and_faulted_as_permissionassignments() {
    let h = Harness::account().await;
    let uid = h.create_user("u@x.com", None).await;
    h.fault(json!({"method": "PUT", "resource": "permissionassignments",
                   "fault": {"kind": "status", "status": 503, "detail": "busy"}}))
        .await;

    let faulted = assign(&h, WORKSPACE, &uid, json!({"permissions": ["USER"]})).await;
    let assigned = assign(&h, WORKSPACE, &uid, json!({"permissions": ["USER"]})).await;
    let anonymous = h.call_as("wrong", Method::GET, &assignments(WORKSPACE), None).await;
    let listed = h.get(&assignments(WORKSPACE)).await;
    let stats = h.admin(Method::GET, "stats", None).await.body;
    let log = h.admin(Method::GET, "requests", None).await.body;

    assert_eq!(faulted.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(faulted.body, json!({"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"}));
    assert_eq!(assigned.status, StatusCode::OK);
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(stats["counts"]["PUT permissionassignments"], 2);
    assert_eq!(stats["counts"]["GET permissionassignments"], 2);
    assert_eq!(log[1]["resource"], "permissionassignments");
    assert_eq!(log[1]["body"], json!({"permissions": ["USER"]}));
}

#[tokio::test]
async fn throttling_answers_permission_assignments_in_the_platform_shape() {
    let h = Harness::account().await;
    h.admin(Method::POST, "throttle", Some(json!({"per_minute": 1, "style": "500"}))).await;

    let first = h.get(&assignments(WORKSPACE)).await;
    let second = h.get(&assignments(WORKSPACE)).await;

    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(second.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(second.body["error_code"], "REQUEST_LIMIT_EXCEEDED");
    assert!(second.body["message"].as_str().unwrap().contains("GET permissionassignments"), "{}", second.body);
}

#[tokio::test]
async fn other_methods_and_paths_below_permissionassignments_answer_endpoint_not_found() {
    let h = Harness::account().await;
    let uid = h.create_user("u@x.com", None).await;

    let post = h.call(Method::POST, &assignments(WORKSPACE), Some(json!({}))).await;
    let get_one = h.get(&principal_path(WORKSPACE, &uid)).await;
    let permissions = h.get(&format!("{}/permissions", assignments(WORKSPACE))).await;

    for r in [&post, &get_one, &permissions] {
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert_eq!(r.body["error_code"], "ENDPOINT_NOT_FOUND");
    }
    assert_eq!(
        post.body["message"],
        format!("No API found for 'POST /accounts/{ACCOUNT_ID}/workspaces/{WORKSPACE}/permissionassignments'")
    );
}
