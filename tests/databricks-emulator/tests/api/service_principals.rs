use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Harness, patch_op};

fn is_uuid_v4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && s.chars().all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
        && parts[2].starts_with('4')
}

#[tokio::test]
async fn creating_a_service_principal_generates_a_lower_case_application_id() {
    let h = Harness::new().await;

    let r = h
        .post(
            "ServicePrincipals",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"], "displayName": "FIVETRAN_USER",
                   "entitlements": [{"value": "allow-cluster-create"}]}),
        )
        .await;

    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.body["id"].as_str().unwrap();
    let app_id = r.body["applicationId"].as_str().unwrap();
    assert!(is_uuid_v4(app_id), "{app_id}");
    assert_eq!(
        r.body,
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"], "id": id,
               "applicationId": app_id, "displayName": "FIVETRAN_USER", "active": true,
               "entitlements": [{"value": "allow-cluster-create"}]})
    );
}

#[tokio::test]
async fn a_duplicate_application_id_answers_409_with_the_documented_text() {
    let h = Harness::new().await;
    let app_id = "b4647a57-063a-43e3-a6b4-c9a4e9f9f0b7";
    let first = h.post("ServicePrincipals", json!({"applicationId": app_id, "displayName": "one"})).await;

    let second = h.post("ServicePrincipals", json!({"applicationId": app_id, "displayName": "two"})).await;

    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.body["applicationId"], app_id);
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(
        second.detail(),
        "Service principal with application ID b4647a57-063a-43e3-a6b4-c9a4e9f9f0b7 already exists."
    );
}

#[tokio::test]
async fn a_service_principal_can_be_read_replaced_patched_and_deleted() {
    let h = Harness::new().await;
    let (id, app_id) = h.create_sp("test-service-principal").await;
    let gid = h.create_group("123456", &[]).await;
    let path = format!("ServicePrincipals/{id}");

    let put = h
        .put(
            &path,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"], "applicationId": "ignored",
                   "displayName": "renamed", "groups": [{"value": gid}], "entitlements": [{"value": "allow-cluster-create"}]}),
        )
        .await;
    let patched = h
        .patch(
            &path,
            patch_op(json!([
                {"op": "add", "path": "displayName", "value": "new"},
                {"op": "remove", "path": "entitlements[value eq \"allow-cluster-create\"]"},
                {"op": "replace", "path": "active", "value": "false"},
            ])),
        )
        .await;
    let got = h.get(&path).await;
    let deleted = h.delete(&path).await;
    let gone = h.get(&path).await;

    assert_eq!(put.status, StatusCode::OK);
    assert_eq!(put.body["applicationId"], app_id.as_str(), "applicationId is immutable");
    assert_eq!(
        put.body["groups"][0],
        json!({"display": "123456", "type": "direct", "value": gid, "$ref": format!("Groups/{gid}")})
    );
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["displayName"], "new");
    assert_eq!(patched.body["active"], false);
    assert!(patched.body.get("entitlements").is_none());
    assert_eq!(got.body, patched.body);
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.detail(), format!("Service principal with id {id} not found."));
    assert!(h.get(&format!("Groups/{gid}")).await.body.get("members").is_none());
}

#[tokio::test]
async fn a_service_principal_joins_groups_from_its_own_side() {
    let h = Harness::new().await;
    let (id, _) = h.create_sp("joiner").await;
    let gid = h.create_group("g", &[]).await;

    let r = h
        .patch(
            &format!("ServicePrincipals/{id}"),
            patch_op(json!([{"op": "add", "path": "groups", "value": [{"value": gid}]}])),
        )
        .await;

    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["groups"][0]["type"], "direct");
    let group = h.get(&format!("Groups/{gid}")).await.body;
    assert_eq!(group["members"][0]["$ref"], format!("ServicePrincipals/{id}"));
}

#[tokio::test]
async fn service_principals_filter_by_application_id_and_display_name() {
    let h = Harness::new().await;
    let (_, app_id) = h.create_sp("abcdef").await;
    h.create_sp("xyz").await;

    let by_app = h.get(&format!("ServicePrincipals?filter=applicationId+eq+{app_id}")).await;
    let by_name = h.get("ServicePrincipals?excludedAttributes=roles&filter=displayName%20co%20%22def%22").await;

    assert_eq!(by_app.body["totalResults"], 1);
    assert_eq!(by_app.body["Resources"][0]["applicationId"], app_id.as_str());
    assert_eq!(by_name.body["totalResults"], 1);
    assert_eq!(by_name.body["Resources"][0]["displayName"], "abcdef");
}
