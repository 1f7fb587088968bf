//! Strict PATCH removal (`lenient_removal`) and `or` inside value filters (`value_filter_or`).

use databricks_emulator::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Harness, Reply, patch_op};

const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

fn remove(path: &str) -> Value {
    patch_op(json!([{"op": "remove", "path": path}]))
}

fn assert_no_such_attribute(r: &Reply, attr: &str) {
    assert_eq!(
        r.body,
        json!({"schemas": [ERROR], "scimType": "invalidPath", "status": "400",
               "detail": format!("No such attribute with the name : {attr} in the current resource")}),
        "{attr}"
    );
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn removing_entitlements_a_group_does_not_have_answers_the_invalid_path_text_terraform_tolerates() {
    let h = Harness::new().await;
    let gid = h.create_group("no-entitlements", &[]).await;

    let r = h.patch(&format!("Groups/{gid}"), remove("entitlements")).await;

    assert_no_such_attribute(&r, "entitlements");
}

#[tokio::test]
async fn removing_a_member_of_an_empty_group_names_the_attribute_as_written_before_the_filter() {
    let h = Harness::new().await;
    let gid = h.create_group("empty", &[]).await;

    let filtered = h.patch(&format!("Groups/{gid}"), remove(r#"members[value eq "123456789012345"]"#)).await;
    let whole = h.patch(&format!("Groups/{gid}"), remove("members")).await;

    assert_no_such_attribute(&filtered, "members");
    assert_no_such_attribute(&whole, "members");
}

#[tokio::test]
async fn removing_unset_single_valued_or_empty_multi_valued_user_attributes_answers_invalid_path() {
    let h = Harness::new().await;
    let uid = h.create_user("solo@x.com", Some("Solo")).await;
    let path = format!("Users/{uid}");

    for (written, attr) in [
        ("externalId", "externalId"),
        ("name.familyName", "name.familyName"),
        ("roles", "roles"),
        ("entitlements[value eq \"workspace-access\"]", "entitlements"),
        ("groups[value eq \"123456789012345\"]", "groups"),
    ] {
        let r = h.patch(&path, remove(written)).await;
        assert_no_such_attribute(&r, attr);
    }
}

#[tokio::test]
async fn removing_present_attributes_still_works_by_default() {
    let h = Harness::new().await;
    let uid = h.create_user("full@x.com", Some("Full Name")).await;
    let gid = h.create_group("g", &[&uid]).await;
    let path = format!("Users/{uid}");
    h.patch(&path, patch_op(json!([{"op": "add", "path": "externalId", "value": "e-1"}]))).await;

    let r = h
        .patch(
            &path,
            patch_op(json!([
                {"op": "remove", "path": "externalId"},
                {"op": "remove", "path": "name.givenName"},
                {"op": "remove", "path": format!("groups[value eq \"{gid}\"]")},
            ])),
        )
        .await;

    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let user = h.get(&path).await.body;
    assert!(user.get("externalId").is_none());
    assert_eq!(user["name"], json!({"familyName": "Name"}));
    assert!(user.get("groups").is_none());
}

#[tokio::test]
async fn a_value_filter_matching_no_element_of_a_non_empty_attribute_answers_no_target() {
    let h = Harness::new().await;
    let uid = h.create_user("m@x.com", None).await;
    let gid = h.create_group("g", &[&uid]).await;
    let written = r#"members[value eq "123456789012345"]"#;

    let r = h.patch(&format!("Groups/{gid}"), remove(written)).await;

    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"schemas": [ERROR], "scimType": "noTarget", "status": "400",
               "detail": format!("No target found for path {written}")})
    );
}

#[tokio::test]
async fn a_failing_removal_rolls_back_the_whole_patch() {
    let h = Harness::new().await;
    let uid = h.create_user("m@x.com", None).await;
    let gid = h.create_group("g", &[]).await;
    let path = format!("Groups/{gid}");

    let r = h
        .patch(
            &path,
            patch_op(json!([
                {"op": "add", "path": "members", "value": [{"value": uid}]},
                {"op": "add", "path": "entitlements", "value": [{"value": "workspace-access"}]},
                {"op": "remove", "path": "roles"},
            ])),
        )
        .await;

    assert_no_such_attribute(&r, "roles");
    let group = h.get(&path).await.body;
    assert!(group.get("members").is_none(), "{group}");
    assert!(group.get("entitlements").is_none(), "{group}");
}

#[tokio::test]
async fn with_lenient_removal_absent_attributes_and_unmatched_filters_are_removed_silently() {
    let h = Harness::with(Config { lenient_removal: true, ..Config::default() }).await;
    let uid = h.create_user("m@x.com", None).await;
    let gid = h.create_group("g", &[&uid]).await;

    let absent = h.patch(&format!("Groups/{gid}"), remove("entitlements")).await;
    let unmatched = h.patch(&format!("Groups/{gid}"), remove(r#"members[value eq "123456789012345"]"#)).await;
    let unset = h.patch(&format!("Users/{uid}"), remove("externalId")).await;

    for r in [&absent, &unmatched, &unset] {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    assert_eq!(h.get(&format!("Groups/{gid}")).await.body["members"][0]["value"], uid.as_str());
}

#[tokio::test]
async fn lenient_removal_can_be_switched_at_runtime() {
    let h = Harness::new().await;
    let gid = h.create_group("g", &[]).await;

    let strict = h.patch(&format!("Groups/{gid}"), remove("entitlements")).await.status;
    h.behaviour(json!({"lenient_removal": true})).await;
    let lenient = h.patch(&format!("Groups/{gid}"), remove("entitlements")).await.status;

    assert_eq!((strict, lenient), (StatusCode::BAD_REQUEST, StatusCode::OK));
}

#[tokio::test]
async fn an_or_inside_a_patch_value_filter_answers_invalid_filter_by_default_and_changes_nothing() {
    let h = Harness::new().await;
    let a = h.create_user("a@x.com", None).await;
    let b = h.create_user("b@x.com", None).await;
    let gid = h.create_group("g", &[&a, &b]).await;

    let r = h.patch(&format!("Groups/{gid}"), remove(&format!(r#"members[value eq "{a}" or value eq "{b}"]"#))).await;

    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body, json!({"schemas": [ERROR], "detail": "InvalidFilter request failed", "status": "400"}));
    assert_eq!(h.get(&format!("Groups/{gid}")).await.body["members"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn with_value_filter_or_an_or_inside_a_value_filter_removes_every_match() {
    let h = Harness::new().await;
    h.behaviour(json!({"value_filter_or": true})).await;
    let a = h.create_user("a@x.com", None).await;
    let b = h.create_user("b@x.com", None).await;
    let c = h.create_user("c@x.com", None).await;
    let gid = h.create_group("g", &[&a, &b, &c]).await;

    let r = h.patch(&format!("Groups/{gid}"), remove(&format!(r#"members[value eq "{a}" or value eq "{c}"]"#))).await;

    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        h.get(&format!("Groups/{gid}")).await.body["members"],
        json!([{"display": "b@x.com", "value": b, "$ref": format!("Users/{b}")}])
    );
}
