use databricks_emulator::{Cloud, Config};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Harness, Reply, patch_op};

/// The 400 of terraform-provider-databricks issues #556/#630: the generic detail, the reason in
/// `scimType`.
fn assert_application_id_refused(r: &Reply) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        r.body,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
               "detail": "Request is unparsable, syntactically incorrect, or violates schema.",
               "scimType": "Attribute applicationID cannot be specified for the SCIM Object", "status": "400"})
    );
}

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

    assert_eq!(r.status, StatusCode::OK);
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
async fn on_azure_a_duplicate_application_id_answers_409_with_the_documented_text() {
    let h = Harness::azure().await;
    let app_id = "b4647a57-063a-43e3-a6b4-c9a4e9f9f0b7";
    let first = h.post("ServicePrincipals", json!({"applicationId": app_id, "displayName": "one"})).await;

    let second = h.post("ServicePrincipals", json!({"applicationId": app_id, "displayName": "two"})).await;

    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body["applicationId"], app_id);
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(
        second.detail(),
        "Service principal with application ID b4647a57-063a-43e3-a6b4-c9a4e9f9f0b7 already exists."
    );
}

#[tokio::test]
async fn on_azure_a_service_principal_can_be_read_replaced_patched_and_deleted_and_keeps_its_application_id() {
    let h = Harness::azure().await;
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
    let h = Harness::answering_resources().await;
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

#[tokio::test]
async fn on_azure_a_service_principal_created_without_display_name_is_named_after_its_application_id() {
    let h = Harness::azure().await;
    let app_id = "22222222-0000-4000-8000-222222222222";

    let r = h
        .post(
            "ServicePrincipals",
            json!({"applicationId": app_id, "externalId": "entra-1", "active": false,
                   "entitlements": [{"value": "workspace-access"}]}),
        )
        .await;

    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.body["id"].as_str().unwrap();
    assert_eq!(
        r.body,
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"], "id": id,
               "applicationId": app_id, "displayName": app_id, "externalId": "entra-1", "active": false,
               "entitlements": [{"value": "workspace-access"}]})
    );
}

#[tokio::test]
async fn service_principals_filter_by_id_external_id_active_and_every_display_name_operator() {
    let h = Harness::new().await;
    let (fivetran, _) = h.create_sp("FIVETRAN_USER").await;
    let (rivery, _) = h.create_sp("RIVERY_USER").await;
    h.create_sp("etl-bot").await;
    h.patch(
        &format!("ServicePrincipals/{rivery}"),
        patch_op(json!([{"op": "add", "path": "externalId", "value": "ext-r"},
                        {"op": "replace", "path": "active", "value": false}])),
    )
    .await;
    let names = |q: &'static str| {
        let h = &h;
        async move {
            let r = h.get(&format!("ServicePrincipals?{q}")).await;
            assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
            let mut names: Vec<String> = r.body["Resources"]
                .as_array()
                .map(|a| a.iter().map(|s| s["displayName"].as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            names.sort();
            names
        }
    };

    let by_id = h.get(&format!("ServicePrincipals?filter=id%20eq%20%22{fivetran}%22")).await.body;

    assert_eq!(by_id["totalResults"], 1);
    assert_eq!(by_id["Resources"][0]["id"], fivetran.as_str());
    assert_eq!(names("filter=displayName%20eq%20%22FIVETRAN_USER%22").await, ["FIVETRAN_USER"]);
    assert_eq!(names("filter=displayName%20sw%20%22rivery%22").await, ["RIVERY_USER"], "case-insensitive");
    assert_eq!(names("filter=displayName%20co%20%22_USER%22").await, ["FIVETRAN_USER", "RIVERY_USER"]);
    assert_eq!(names("filter=displayName%20ne%20%22etl-bot%22").await, ["FIVETRAN_USER", "RIVERY_USER"]);
    assert_eq!(names("filter=externalId%20eq%20%22ext-r%22").await, ["RIVERY_USER"]);
    assert_eq!(names("filter=active%20eq%20false").await, ["RIVERY_USER"]);
    assert_eq!(names("filter=active%20eq%20true").await, ["FIVETRAN_USER", "etl-bot"]);
    assert_eq!(h.get("ServicePrincipals?filter=userName%20eq%20%22x%22").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn patch_replaces_external_id_and_entitlements_and_leaves_a_group_from_the_members_side() {
    let h = Harness::answering_resources().await;
    let (id, _) = h.create_sp("prophecy").await;
    let parent = h.create_group("parent", &[]).await;
    let child = h.create_group("child", &[]).await;
    h.patch(
        &format!("Groups/{parent}"),
        patch_op(json!([{"op": "add", "path": "members", "value": [{"value": child}]}])),
    )
    .await;
    let path = format!("ServicePrincipals/{id}");

    let joined = h
        .patch(
            &path,
            patch_op(json!([
                {"op": "add", "path": "groups", "value": [{"value": child}]},
                {"op": "add", "path": "externalId", "value": "e-1"},
                {"op": "add", "path": "entitlements", "value": [{"value": "allow-cluster-create"}]},
            ])),
        )
        .await;
    let replaced = h
        .patch(
            &path,
            patch_op(json!([
                {"op": "replace", "path": "externalId", "value": "e-2"},
                {"op": "add", "path": "displayName", "value": "PROPHECY_USER"},
                {"op": "replace", "path": "entitlements", "value": [{"value": "workspace-access"}, {"value": "databricks-sql-access"}]},
            ])),
        )
        .await;
    let left =
        h.patch(&path, patch_op(json!([{"op": "remove", "path": format!("groups[value eq \"{child}\"]")}]))).await;

    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    assert_eq!(
        joined.body["groups"],
        json!([{"display": "child", "type": "direct", "value": child, "$ref": format!("Groups/{child}")},
               {"display": "parent", "type": "indirect", "value": parent, "$ref": format!("Groups/{parent}")}])
    );
    assert_eq!(joined.body["externalId"], "e-1");
    assert_eq!(joined.body["entitlements"], json!([{"value": "allow-cluster-create"}]));
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    assert_eq!(replaced.body["externalId"], "e-2");
    assert_eq!(replaced.body["displayName"], "PROPHECY_USER");
    assert_eq!(
        replaced.body["entitlements"],
        json!([{"value": "workspace-access"}, {"value": "databricks-sql-access"}])
    );
    assert_eq!(left.status, StatusCode::OK, "{}", left.body);
    assert!(left.body.get("groups").is_none(), "{}", left.body);
    assert!(h.get(&format!("Groups/{child}")).await.body.get("members").is_none());
}

#[tokio::test]
async fn put_resets_omitted_service_principal_attributes_and_unknown_ids_answer_404() {
    let h = Harness::answering_resources().await;
    let r = h
        .post(
            "ServicePrincipals",
            json!({"displayName": "full", "externalId": "x", "active": false, "entitlements": [{"value": "workspace-access"}]}),
        )
        .await;
    let id = r.body["id"].as_str().unwrap();
    let app_id = r.body["applicationId"].as_str().unwrap();

    let put = h
        .put(
            &format!("ServicePrincipals/{id}"),
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"]}),
        )
        .await;
    let missing_put = h.put("ServicePrincipals/123", json!({"displayName": "x"})).await;
    let missing_patch =
        h.patch("ServicePrincipals/123", patch_op(json!([{"op": "replace", "path": "active", "value": true}]))).await;

    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(
        put.body,
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"], "id": id,
               "applicationId": app_id, "displayName": app_id, "active": true})
    );
    for r in [&missing_put, &missing_patch] {
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.detail(), "Service principal with id 123 not found.");
    }
}

#[tokio::test]
async fn on_aws_a_post_carrying_an_application_id_in_any_case_is_refused_and_creates_nothing() {
    let h = Harness::new().await;
    let app_id = "00000000-1234-5678-0000-000000000001";

    let camel = h.post("ServicePrincipals", json!({"applicationId": app_id, "displayName": "airflow"})).await;
    let upper = h.post("ServicePrincipals", json!({"ApplicationID": app_id, "displayName": "airflow"})).await;
    let empty = h.post("ServicePrincipals", json!({"applicationId": "", "displayName": "generated"})).await;

    assert_application_id_refused(&camel);
    assert_application_id_refused(&upper);
    assert_eq!(empty.status, StatusCode::OK, "an empty applicationId is no applicationId");
    assert_ne!(empty.body["applicationId"], "");
    assert_eq!(h.get("ServicePrincipals").await.body["totalResults"], 1);
}

#[tokio::test]
async fn on_aws_put_and_patch_carrying_an_application_id_are_refused_and_change_nothing() {
    let h = Harness::new().await;
    let (id, app_id) = h.create_sp("robot").await;
    let path = format!("ServicePrincipals/{id}");

    let put = h.put(&path, json!({"applicationId": app_id, "displayName": "renamed"})).await;
    let with_path = h
        .patch(
            &path,
            patch_op(json!([{"op": "replace", "path": "displayName", "value": "renamed"},
                            {"op": "replace", "path": "applicationId", "value": app_id}])),
        )
        .await;
    let pathless = h.patch(&path, patch_op(json!([{"op": "add", "value": {"applicationId": app_id}}]))).await;
    let removal = h.patch(&path, patch_op(json!([{"op": "remove", "path": "applicationId"}]))).await;

    for r in [&put, &with_path, &pathless, &removal] {
        assert_application_id_refused(r);
    }
    assert_eq!(h.get(&path).await.body["displayName"], "robot", "the PATCH is atomic");
}

#[tokio::test]
async fn on_gcp_application_ids_are_refused_like_on_aws() {
    let h = Harness::with(Config { cloud: Cloud::Gcp, ..Config::default() }).await;
    let (id, _) = h.create_sp("robot").await;

    let post = h.post("ServicePrincipals", json!({"applicationId": "x", "displayName": "y"})).await;
    let patch = h
        .patch(
            &format!("ServicePrincipals/{id}"),
            patch_op(json!([{"op": "add", "path": "applicationId", "value": "x"}])),
        )
        .await;

    assert_application_id_refused(&post);
    assert_application_id_refused(&patch);
}

#[tokio::test]
async fn on_azure_an_application_id_is_taken_on_create_and_ignored_on_put_and_patch() {
    let h = Harness::new().await;
    h.behaviour(json!({"cloud": "azure"})).await;
    let app_id = "3f2c1a52-0d3e-4c1b-9a57-2b8d7c4e1f00";

    let created = h.post("ServicePrincipals", json!({"applicationId": app_id, "displayName": "entra-app"})).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("ServicePrincipals/{id}");
    let put = h.put(&path, json!({"applicationId": "other", "displayName": "entra-app"})).await;
    let patch = h.patch(&path, patch_op(json!([{"op": "replace", "path": "applicationId", "value": "other"}]))).await;
    let duplicate = h.post("ServicePrincipals", json!({"applicationId": app_id.to_uppercase()})).await;

    assert_eq!(created.status, StatusCode::OK);
    assert_eq!(created.body["applicationId"], app_id);
    assert_eq!((put.status, patch.status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(h.get(&path).await.body["applicationId"], app_id);
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(
        duplicate.detail(),
        format!("Service principal with application ID {} already exists.", app_id.to_uppercase())
    );
}

#[tokio::test]
async fn application_id_is_only_an_invalid_path_for_users_whatever_the_cloud() {
    let h = Harness::new().await;
    let uid = h.create_user("u@x.com", None).await;

    let r =
        h.patch(&format!("Users/{uid}"), patch_op(json!([{"op": "add", "path": "applicationId", "value": "x"}]))).await;

    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["scimType"], "invalidPath");
}

async fn display_name(h: &Harness, path: &str) -> Value {
    h.get(path).await.body["displayName"].clone()
}

#[tokio::test]
async fn with_sp_rename_ignored_a_replace_of_the_display_name_succeeds_and_changes_nothing() {
    let h = Harness::with(Config { sp_rename_ignored: true, ..Config::default() }).await;
    let (id, _) = h.create_sp("FIVETRAN_USER").await;
    let path = format!("ServicePrincipals/{id}");

    let with_path =
        h.patch(&path, patch_op(json!([{"op": "replace", "path": "displayName", "value": "renamed"}]))).await;
    let after_path = display_name(&h, &path).await;
    let pathless = h
        .patch(&path, patch_op(json!([{"op": "replace", "value": {"displayName": "renamed", "externalId": "e-1"}}])))
        .await;
    let after_pathless = h.get(&path).await.body;
    let added = h.patch(&path, patch_op(json!([{"op": "add", "path": "displayName", "value": "added"}]))).await;

    assert_eq!((with_path.status, pathless.status, added.status), (StatusCode::OK, StatusCode::OK, StatusCode::OK));
    assert_eq!(after_path, "FIVETRAN_USER");
    assert_eq!(after_pathless["displayName"], "FIVETRAN_USER");
    assert_eq!(after_pathless["externalId"], "e-1", "the other attributes still change");
    assert_eq!(display_name(&h, &path).await, "added", "add still renames");
}

#[tokio::test]
async fn with_sp_rename_ignored_users_and_groups_are_still_renamed_by_replace() {
    let h = Harness::new().await;
    h.behaviour(json!({"sp_rename_ignored": true})).await;
    let uid = h.create_user("u@x.com", None).await;
    let gid = h.create_group("g", &[]).await;
    let op = patch_op(json!([{"op": "replace", "path": "displayName", "value": "new-name"}]));

    h.patch(&format!("Users/{uid}"), op.clone()).await;
    h.patch(&format!("Groups/{gid}"), op).await;

    assert_eq!(display_name(&h, &format!("Users/{uid}")).await, "new-name");
    assert_eq!(display_name(&h, &format!("Groups/{gid}")).await, "new-name");
}

#[tokio::test]
async fn by_default_a_replace_of_a_service_principal_display_name_is_ignored_and_add_renames() {
    let h = Harness::new().await;
    let (id, _) = h.create_sp("old").await;
    let path = format!("ServicePrincipals/{id}");

    let r = h.patch(&path, patch_op(json!([{"op": "replace", "path": "displayName", "value": "new"}]))).await;
    let after_replace = display_name(&h, &path).await;
    let behaviour = h.admin(Method::GET, "behaviour", None).await.body;
    h.patch(&path, patch_op(json!([{"op": "add", "path": "displayName", "value": "added"}]))).await;

    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(after_replace, "old", "community thread 139696: 200 and nothing changes");
    assert_eq!(behaviour["sp_rename_ignored"], true);
    assert_eq!(display_name(&h, &path).await, "added");
}

#[tokio::test]
async fn with_sp_rename_ignored_off_a_replace_renames_and_with_add_ignored_nothing_renames() {
    let h = Harness::with(Config { sp_rename_ignored: false, ..Config::default() }).await;
    let (id, _) = h.create_sp("old").await;
    let path = format!("ServicePrincipals/{id}");
    h.patch(&path, patch_op(json!([{"op": "replace", "path": "displayName", "value": "new"}]))).await;
    let renamed = display_name(&h, &path).await;

    h.behaviour(json!({"sp_rename_ignored": true, "sp_rename_add_ignored": true})).await;
    let added = h.patch(&path, patch_op(json!([{"op": "add", "path": "displayName", "value": "added"}]))).await;

    assert_eq!(renamed, "new");
    assert_eq!(added.status, StatusCode::OK);
    assert_eq!(display_name(&h, &path).await, "new", "add is ignored too");
}
