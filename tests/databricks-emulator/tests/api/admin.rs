use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Harness, patch_op};

#[tokio::test]
async fn stats_count_every_api_request_by_method_and_resource() {
    let h = Harness::new().await;
    let uid = h.create_user("s@x.com", None).await;
    h.get("Users").await;
    h.get(&format!("Users/{uid}")).await;
    h.call_as("bad", Method::GET, "Groups", None).await;
    h.get("Me").await;

    let stats = h.admin(Method::GET, "stats", None).await;

    assert_eq!(stats.status, StatusCode::OK);
    assert_eq!(
        stats.body,
        json!({"total": 5, "counts": {"POST Users": 1, "GET Users": 2, "GET Groups": 1, "GET other": 1}})
    );
}

#[tokio::test]
async fn the_request_log_records_path_query_and_parsed_body_in_order() {
    let h = Harness::new().await;
    let uid = h.create_user("log@x.com", None).await;
    h.get("Users?filter=userName+eq+log@x.com").await;
    h.delete(&format!("Users/{uid}")).await;

    let log = h.admin(Method::GET, "requests", None).await.body;

    assert_eq!(
        log,
        json!([
            {"method": "POST", "resource": "Users", "path": "/api/2.0/preview/scim/v2/Users", "query": "",
             "body": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "log@x.com"}},
            {"method": "GET", "resource": "Users", "path": "/api/2.0/preview/scim/v2/Users",
             "query": "filter=userName+eq+log@x.com", "body": null},
            {"method": "DELETE", "resource": "Users", "path": format!("/api/2.0/preview/scim/v2/Users/{uid}"),
             "query": "", "body": null},
        ])
    );
}

#[tokio::test]
async fn reset_stats_keeps_the_workspace_while_reset_empties_everything() {
    let h = Harness::new().await;
    h.create_user("keep@x.com", None).await;
    h.admin(Method::POST, "token", Some(json!({"token": "rotated"}))).await;
    h.fault(json!({"fault": {"kind": "status", "status": 503}})).await;

    h.admin(Method::POST, "reset-stats", None).await;
    let after_stats_reset = h.admin(Method::GET, "state", None).await.body;
    let stats = h.admin(Method::GET, "stats", None).await.body;
    let reset = h.admin(Method::POST, "reset", None).await;
    let state = h.admin(Method::GET, "state", None).await.body;

    assert_eq!(after_stats_reset["users"].as_array().unwrap().len(), 1);
    assert_eq!(stats, json!({"total": 0, "counts": {}}));
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert_eq!(state, json!({"users": [], "groups": [], "servicePrincipals": [], "tokens": []}));
    let r = h.get("Users").await;
    assert_eq!(r.status, StatusCode::OK, "startup token again and the fault is gone");
    assert_eq!(h.admin(Method::GET, "faults", None).await.body, json!([]));
}

#[tokio::test]
async fn the_state_dump_shows_every_resource_as_the_api_renders_it() {
    let h = Harness::new().await;
    let uid = h.create_user("idle@x.com", Some("Idle One")).await;
    h.patch(&format!("Users/{uid}"), patch_op(json!([{"op": "replace", "path": "active", "value": "false"}]))).await;
    let gid = h.create_group("g", &[&uid]).await;
    let (sid, _) = h.create_sp("robot").await;

    let state = h.admin(Method::GET, "state", None).await.body;

    assert_eq!(state["users"][0], h.get(&format!("Users/{uid}")).await.body);
    assert_eq!(state["users"][0]["active"], false);
    assert_eq!(state["groups"][0], h.get(&format!("Groups/{gid}")).await.body);
    assert_eq!(state["servicePrincipals"][0]["id"], sid.as_str());
}

#[tokio::test]
async fn admin_bodies_are_validated() {
    let h = Harness::new().await;

    let empty_token = h.admin(Method::POST, "token", Some(json!({"token": ""}))).await;
    let bad_fault = h.admin(Method::POST, "faults", Some(json!({"fault": {"kind": "explode"}}))).await;
    let bad_style = h.admin(Method::POST, "throttle", Some(json!({"burst": 1, "style": "418"}))).await;

    for r in [empty_token, bad_fault, bad_style] {
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body["error"].is_string());
    }
}

#[tokio::test]
async fn dropping_the_emulator_stops_the_server() {
    let h = Harness::new().await;
    let url = h.url("/_emulator/health");
    assert_eq!(h.http.get(&url).send().await.unwrap().status(), StatusCode::OK);

    let Harness { emulator, .. } = h;
    drop(emulator);

    // A fresh client: no pooled keep-alive connection.
    let mut refused = false;
    for _ in 0..50 {
        if reqwest::Client::new().get(&url).send().await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused, "the port still answers after drop");
}

#[tokio::test]
async fn the_binary_prints_its_address_and_serves() {
    use std::io::BufRead;

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_databricks-emulator"))
        .args(["--port", "0", "--token", "bin-token"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let stdout = child.stdout.take().unwrap();
    std::io::BufReader::new(stdout).read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("databricks-emulator listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();

    let status = reqwest::Client::new()
        .get(format!("{base}/api/2.0/preview/scim/v2/Users"))
        .bearer_auth("bin-token")
        .send()
        .await
        .map(|r| r.status());
    child.kill().unwrap();
    child.wait().unwrap();

    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert_eq!(status.unwrap(), StatusCode::OK);
}
