//! `--seed-quirks`: the seed document's claims (docs/design.md §4), against the default behaviour.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Harness, patch_op};

async fn deactivate(h: &Harness, id: &str) -> crate::helpers::Reply {
    h.patch(&format!("Users/{id}"), patch_op(json!([{"op": "replace", "path": "active", "value": "false"}]))).await
}

#[tokio::test]
async fn with_quirks_an_inactive_user_is_hidden_everywhere() {
    let h = Harness::quirks().await;
    let id = h.create_user("idle@x.com", Some("Idle User")).await;
    let gid = h.create_group("team", &[&id]).await;

    let deactivated = deactivate(&h, &id).await;
    let got = h.get(&format!("Users/{id}")).await;
    let listed = h.get("Users").await;
    let filtered = h.get("Users?filter=userName+eq+idle@x.com").await;
    let group = h.get(&format!("Groups/{gid}")).await;

    assert_eq!(deactivated.status, StatusCode::OK);
    assert_eq!(got.status, StatusCode::NOT_FOUND);
    assert_eq!(got.detail(), format!("User with id {id} not found."));
    assert_eq!(listed.body["totalResults"], 0);
    assert_eq!(filtered.body["totalResults"], 0);
    assert!(group.body.get("members").is_none());
    let state = h.admin(Method::GET, "state", None).await.body;
    assert_eq!(state["users"][0]["active"], false);
    assert_eq!(state["groups"][0]["members"][0]["value"], id.as_str(), "membership is kept");
}

#[tokio::test]
async fn with_quirks_delete_is_soft_and_post_reactivates_the_same_user() {
    let h = Harness::quirks().await;
    let id = h.create_user("back@x.com", Some("Old Name")).await;

    let deleted = h.delete(&format!("Users/{id}")).await;
    let state = h.admin(Method::GET, "state", None).await.body;
    let again = h.post("Users", json!({"userName": "Back@x.com", "displayName": "New Name"})).await;

    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(state["users"][0]["deleted"], true);
    assert_eq!(state["users"][0]["active"], false);
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["id"], id.as_str(), "the same user comes back");
    assert_eq!(again.body["active"], true);
    assert_eq!(again.body["displayName"], "New Name");
    assert_eq!(h.get(&format!("Users/{id}")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn with_quirks_post_reactivates_an_inactive_user_but_an_active_one_is_still_409() {
    let h = Harness::quirks().await;
    let idle = h.create_user("idle@x.com", None).await;
    h.create_user("busy@x.com", None).await;
    deactivate(&h, &idle).await;

    let reactivated = h.post("Users", json!({"userName": "idle@x.com"})).await;
    let conflict = h.post("Users", json!({"userName": "busy@x.com"})).await;

    assert_eq!(reactivated.status, StatusCode::OK);
    assert_eq!(reactivated.body["id"], idle.as_str());
    assert_eq!(conflict.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn with_quirks_deleting_an_unknown_group_answers_204() {
    let h = Harness::quirks().await;

    let r = h.delete("Groups/162842259944930").await;

    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn without_quirks_delete_is_hard_and_post_creates_a_new_user() {
    let h = Harness::new().await;
    let id = h.create_user("back@x.com", None).await;

    h.delete(&format!("Users/{id}")).await;
    let state = h.admin(Method::GET, "state", None).await.body;
    let again = h.create_user("back@x.com", None).await;

    assert_eq!(state["users"], json!([]));
    assert_ne!(again, id);
}

#[tokio::test]
async fn quirks_can_be_switched_at_runtime_and_reset_restores_the_startup_mode() {
    let h = Harness::new().await;
    let id = h.create_user("idle@x.com", None).await;
    deactivate(&h, &id).await;

    h.admin(Method::POST, "quirks", Some(json!({"seed_quirks": true}))).await;
    let hidden = h.get(&format!("Users/{id}")).await.status;
    h.admin(Method::POST, "reset", None).await;
    let unknown_group_delete = h.delete("Groups/162842259944930").await.status;

    assert_eq!(hidden, StatusCode::NOT_FOUND);
    assert_eq!(unknown_group_delete, StatusCode::NOT_FOUND);
}
