use databricks_emulator::{Cloud, Config as EmulatorConfig};
use serde_json::json;
use tests::Operation::*;
use tests::{Call, TestStack, in_every_mode, in_every_workspace_mode};

const SP: &str = "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal";

async fn a_service_principal_round_trips_create_get_list_put_patch_delete(stack: &TestStack) {
    let a = stack
        .call(CreateServicePrincipal, Call::post("/ServicePrincipals", json!({"schemas": [SP], "displayName": "etl-bot", "entitlements": [{"value": "workspace-access"}], "externalId": "ext-1"})))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a.body["id"].as_str().unwrap().to_string();
    let app = a.body["applicationId"].as_str().unwrap().to_string();
    assert_eq!(app.len(), 36, "Databricks generated a UUID applicationId");
    assert!(a.header("location").unwrap().ends_with(&format!("/scim/v2/ServicePrincipals/{id}")));
    assert_eq!(a.body["meta"]["resourceType"], "ServicePrincipal");

    stack.reset_stats().await;
    let a = stack
        .call(
            ListServicePrincipals,
            Call::get("/ServicePrincipals").query("filter", &format!("applicationId eq \"{app}\"")),
        )
        .await;
    assert_eq!((a.status, a.body["totalResults"].as_u64()), (200, Some(1)), "{}", a.body);
    let a = stack
        .call(ListServicePrincipals, Call::get("/ServicePrincipals").query("filter", "displayName sw \"etl\""))
        .await;
    assert_eq!(a.body["totalResults"], 1, "{}", a.body);
    assert_eq!(stack.target_calls().await, 2);

    let a = stack.call(PatchServicePrincipal, Call::patch(&format!("/ServicePrincipals/{id}"), json!({"Operations": [{"op": "add", "path": "displayName", "value": "etl-bot-2"}, {"op": "Replace", "path": "active", "value": "False"}]}))).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!((a.body["displayName"].as_str(), a.body["active"].as_bool()), (Some("etl-bot-2"), Some(false)));

    let a = stack.call(ReplaceServicePrincipal, Call::put(&format!("/ServicePrincipals/{id}"), json!({"schemas": [SP], "displayName": "etl-bot-3", "applicationId": app, "active": true, "entitlements": [{"value": "databricks-sql-access"}]}))).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["entitlements"], json!([{"value": "databricks-sql-access"}]));
    let a = stack
        .call(
            ReplaceServicePrincipal,
            Call::put(
                &format!("/ServicePrincipals/{id}"),
                json!({"displayName": "x", "applicationId": "22222222-0000-4000-8000-222222222222"}),
            ),
        )
        .await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (400, Some("mutability")), "{}", a.body);

    let a = stack.call(GetServicePrincipal, Call::get(&format!("/ServicePrincipals/{id}"))).await;
    assert_eq!((a.status, a.body["displayName"].as_str()), (200, Some("etl-bot-3")));
    let a = stack.call(DeleteServicePrincipal, Call::delete(&format!("/ServicePrincipals/{id}"))).await;
    assert_eq!(a.status, 204);
    assert_eq!(stack.call(GetServicePrincipal, Call::get(&format!("/ServicePrincipals/{id}"))).await.status, 404);
}
in_every_workspace_mode!(a_service_principal_round_trips_create_get_list_put_patch_delete);

async fn on_azure_a_duplicate_application_id_is_409_uniqueness(stack: &TestStack) {
    let azure = |c: EmulatorConfig| EmulatorConfig { cloud: Cloud::Azure, ..c };
    let stack = TestStack::start_with(stack.mode, stack.shape, azure, &[("DATABRICKS_CLOUD", "azure")]).await;
    let body = json!({"displayName": "a", "applicationId": "33333333-0000-4000-8000-333333333333"});
    assert_eq!(stack.call(CreateServicePrincipal, Call::post("/ServicePrincipals", body.clone())).await.status, 201);
    let a = stack.call(CreateServicePrincipal, Call::post("/ServicePrincipals", body)).await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (409, Some("uniqueness")), "{}", a.body);
}
in_every_mode!(on_azure_a_duplicate_application_id_is_409_uniqueness);

async fn on_aws_an_application_id_is_refused_before_databricks_and_never_sent_in_a_write(stack: &TestStack) {
    stack.reset_stats().await;
    let body = json!({"displayName": "a", "applicationId": "33333333-0000-4000-8000-333333333333"});
    let a = stack.call(CreateServicePrincipal, Call::post("/ServicePrincipals", body)).await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (400, Some("invalidValue")), "{}", a.body);
    assert!(a.body["detail"].as_str().unwrap().contains("generates it on AWS"), "{}", a.body);
    assert_eq!(stack.target_calls().await, 0, "refused before any Databricks call");
    // A PUT naming the principal's own applicationId (as clients echo it) works and never sends it.
    let created =
        stack.call(CreateServicePrincipal, Call::post("/ServicePrincipals", json!({"displayName": "b"}))).await;
    let (id, app) = (created.body["id"].as_str().unwrap(), created.body["applicationId"].as_str().unwrap());
    let put = json!({"schemas": [SP], "displayName": "b2", "applicationId": app});
    let a = stack.call(ReplaceServicePrincipal, Call::put(&format!("/ServicePrincipals/{id}"), put)).await;
    assert_eq!((a.status, a.body["displayName"].as_str()), (200, Some("b2")), "{}", a.body);
    let requests = stack.target_requests().await;
    assert!(
        requests.iter().all(|r| !r["body"].to_string().contains("applicationId")),
        "no write to an AWS workspace carries applicationId: {requests:?}"
    );
}
in_every_mode!(on_aws_an_application_id_is_refused_before_databricks_and_never_sent_in_a_write);

async fn a_service_principal_in_a_group_is_a_member_of_type_service_principal(stack: &TestStack) {
    let sp = stack
        .call(CreateServicePrincipal, Call::post("/ServicePrincipals", json!({"displayName": "member-bot"})))
        .await;
    let sp_id = sp.body["id"].as_str().unwrap().to_string();
    let group = stack.create_group("bots", &[&sp_id]).await;
    let a = stack.call(GetGroup, Call::get(&format!("/Groups/{group}"))).await;
    assert_eq!(a.body["members"][0]["type"], "ServicePrincipal", "{}", a.body);
    assert!(a.body["members"][0]["$ref"].as_str().unwrap().ends_with(&format!("/ServicePrincipals/{sp_id}")));
    let a = stack.call(GetServicePrincipal, Call::get(&format!("/ServicePrincipals/{sp_id}"))).await;
    assert_eq!(a.body["groups"][0]["value"], group.as_str(), "{}", a.body);
}
in_every_workspace_mode!(a_service_principal_in_a_group_is_a_member_of_type_service_principal);

async fn a_service_principal_rename_databricks_ignores_is_an_error_never_a_200_with_the_old_name(stack: &TestStack) {
    let ignoring = |c: EmulatorConfig| EmulatorConfig { sp_rename_ignored: true, sp_rename_add_ignored: true, ..c };
    let stack = TestStack::start_with(stack.mode, stack.shape, ignoring, &[]).await;
    let created =
        stack.call(CreateServicePrincipal, Call::post("/ServicePrincipals", json!({"displayName": "old"}))).await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let rename = json!({"Operations": [{"op": "replace", "path": "displayName", "value": "new"}]});
    let a = stack.call(PatchServicePrincipal, Call::patch(&format!("/ServicePrincipals/{id}"), rename)).await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (400, Some("mutability")), "{}", a.body);
    assert!(a.body["detail"].as_str().unwrap().contains("did not apply"), "{}", a.body);
    let put = json!({"schemas": [SP], "displayName": "new"});
    let a = stack.call(ReplaceServicePrincipal, Call::put(&format!("/ServicePrincipals/{id}"), put)).await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (400, Some("mutability")), "{}", a.body);
}
in_every_mode!(a_service_principal_rename_databricks_ignores_is_an_error_never_a_200_with_the_old_name);

async fn a_service_principal_is_renamed_with_add_where_databricks_ignores_replace(stack: &TestStack) {
    let created =
        stack.call(CreateServicePrincipal, Call::post("/ServicePrincipals", json!({"displayName": "old"}))).await;
    let id = created.body["id"].as_str().unwrap().to_string();
    stack.reset_stats().await;
    let rename = json!({"Operations": [{"op": "replace", "path": "displayName", "value": "new"}]});
    let a = stack.call(PatchServicePrincipal, Call::patch(&format!("/ServicePrincipals/{id}"), rename)).await;
    assert_eq!((a.status, a.body["displayName"].as_str()), (200, Some("new")), "{}", a.body);
    let requests = stack.target_requests().await;
    assert_eq!(requests[0]["body"]["Operations"], json!([{"op": "add", "path": "displayName", "value": "new"}]));
    assert_eq!(stack.target_calls().await, 1 + stack.mode.read_after_write(), "the PATCH and the checking read");
}
in_every_mode!(a_service_principal_is_renamed_with_add_where_databricks_ignores_replace);
