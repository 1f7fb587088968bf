use serde_json::{Value, json};
use tests::Operation::*;
use tests::{Call, TestStack, in_every_mode};

async fn create_principal(stack: &TestStack, name: &str) -> (String, String) {
    let a = stack.call(CreateServicePrincipal, Call::post("/ServicePrincipals", json!({"displayName": name}))).await;
    assert_eq!(a.status, 201, "{}", a.body);
    (a.body["id"].as_str().unwrap().to_string(), a.body["applicationId"].as_str().unwrap().to_string())
}

fn principal_names(state: &Value) -> Vec<String> {
    state["servicePrincipals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["displayName"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn disconnecting_a_partner_deletes_exactly_its_principal_and_reports_its_tokens(stack: &TestStack) {
    let (fivetran, fivetran_app) = create_principal(stack, "FIVETRAN_USER").await;
    create_principal(stack, "DBT_CLOUD_USER").await;
    create_principal(stack, "etl-bot").await;
    stack.admin_post("tokens", json!({"owner_id": fivetran, "comment": "Partner Connect token for Fivetran"})).await;

    let a = stack.call(DisconnectPartner, Call::delete("/admin/partners/fivetran")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["partner"], "FIVETRAN");
    assert_eq!(a.body["deleted"]["servicePrincipalId"], fivetran.as_str());
    assert_eq!(a.body["deleted"]["applicationId"], fivetran_app.as_str());
    assert_eq!(a.body["tokens"]["visible"], true);
    assert_eq!(a.body["tokens"]["deleted"][0]["comment"], "Partner Connect token for Fivetran", "{}", a.body);

    let mut names = principal_names(&stack.target_state().await);
    names.sort();
    assert_eq!(names, vec!["DBT_CLOUD_USER", "etl-bot"], "only FIVETRAN_USER is gone");
    assert!(stack.target_state().await["tokens"].as_array().is_none_or(|t| t.is_empty()), "its token went with it");

    let again = stack.call(DisconnectPartner, Call::delete("/admin/partners/fivetran")).await;
    assert_eq!(again.status, 404, "{}", again.body);
    assert_eq!(again.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
}
in_every_mode!(disconnecting_a_partner_deletes_exactly_its_principal_and_reports_its_tokens);

async fn two_principals_with_the_partner_name_are_a_409_and_nothing_is_deleted(stack: &TestStack) {
    create_principal(stack, "TABLEAU_USER").await;
    create_principal(stack, "tableau_user").await;
    let a = stack.call(DisconnectPartner, Call::delete("/admin/partners/TABLEAU_USER")).await;
    assert_eq!(a.status, 409, "{}", a.body);
    assert!(a.body["detail"].as_str().unwrap().contains("nothing was deleted"));
    assert_eq!(principal_names(&stack.target_state().await).len(), 2);
}
in_every_mode!(two_principals_with_the_partner_name_are_a_409_and_nothing_is_deleted);

async fn without_token_management_rights_the_partner_is_still_disconnected_and_says_so(stack: &TestStack) {
    create_principal(stack, "POWER_BI_USER").await;
    stack.admin_post("token-management", json!({"forbidden": true})).await;
    let a = stack.call(DisconnectPartner, Call::delete("/admin/partners/power-bi")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["tokens"]["visible"], false);
    assert!(principal_names(&stack.target_state().await).is_empty());
}
in_every_mode!(without_token_management_rights_the_partner_is_still_disconnected_and_says_so);

async fn listing_three_partners_among_two_hundred_principals_costs_one_call(stack: &TestStack) {
    stack.admin_post("service-principals/bulk", json!({"prefix": "sp-", "count": 200})).await;
    for name in ["FIVETRAN_USER", "DBT_CLOUD_USER", "TABLEAU_USER"] {
        create_principal(stack, name).await;
    }
    stack.reset_stats().await;
    let a = stack.call(ListPartners, Call::get("/admin/partners")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(stack.target_calls().await, 1);
    let partners: Vec<&str> =
        a.body["partners"].as_array().unwrap().iter().map(|p| p["partner"].as_str().unwrap()).collect();
    assert_eq!(partners, vec!["DBT_CLOUD", "FIVETRAN", "TABLEAU"]);
    assert_eq!(a.body["partners"][0]["displayName"], "DBT_CLOUD_USER");
    assert!(a.body["partners"][0]["applicationId"].as_str().is_some());
}
in_every_mode!(listing_three_partners_among_two_hundred_principals_costs_one_call);

async fn a_partner_name_that_is_not_a_name_is_400_without_a_databricks_call(stack: &TestStack) {
    stack.reset_stats().await;
    let a = stack.call(DisconnectPartner, Call::delete("/admin/partners/x%22%20or%20displayName%20pr")).await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (400, Some("invalidValue")), "{}", a.body);
    assert_eq!(stack.target_calls().await, 0);
}
in_every_mode!(a_partner_name_that_is_not_a_name_is_400_without_a_databricks_call);
