//! The token-management API (`/api/2.0/token-management/tokens`) and the admin calls behind
//! it: personal access tokens per principal, Partner Connect style.

use databricks_emulator::Config;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Harness, Reply};

const TOKENS: &str = "/api/2.0/token-management/tokens";

/// A token the owner created itself (`on_behalf_of: false`: `created_by_id` is the owner).
async fn issue(h: &Harness, owner_id: &str, comment: &str, lifetime_seconds: Option<u64>) -> String {
    let r = h
        .admin(
            Method::POST,
            "tokens",
            Some(json!({"owner_id": owner_id, "comment": comment, "lifetime_seconds": lifetime_seconds,
                        "on_behalf_of": false})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["token_id"].as_str().unwrap().to_owned()
}

async fn forbid(h: &Harness, forbidden: bool) {
    let r = h.admin(Method::POST, "token-management", Some(json!({"forbidden": forbidden}))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
}

fn token_ids(list: &Value) -> Vec<&str> {
    list["token_infos"]
        .as_array()
        .map(|a| a.iter().map(|t| t["token_id"].as_str().unwrap()).collect())
        .unwrap_or_default()
}

fn numeric(id: &str) -> u64 {
    id.parse().unwrap()
}

fn assert_forbidden(r: &Reply) {
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(
        r.body,
        json!({"error_code": "PERMISSION_DENIED", "message": "Only Admins can access token management APIs."})
    );
}

#[tokio::test]
async fn tokens_list_filtered_by_created_by_id_shows_only_that_principals_tokens() {
    let h = Harness::new().await;
    let (sp, app_id) = h.create_sp("FIVETRAN_USER").await;
    let user = h.create_user("admin@x.com", None).await;
    let partner_token = issue(&h, &sp, "Partner Connect", None).await;
    let user_token = issue(&h, &user, "laptop", None).await;

    let all = h.get(TOKENS).await;
    let filtered = h.get(&format!("{TOKENS}?created_by_id={sp}")).await;

    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(token_ids(&all.body), [partner_token.as_str(), user_token.as_str()], "creation order");
    assert_eq!(filtered.status, StatusCode::OK);
    let infos = filtered.body["token_infos"].as_array().unwrap();
    assert_eq!(infos.len(), 1);
    let info = &infos[0];
    let created = info["creation_time"].as_i64().unwrap();
    assert!(created > 1_600_000_000_000, "epoch milliseconds: {created}");
    assert_eq!(
        info,
        &json!({"token_id": partner_token, "creation_time": created, "expiry_time": -1, "comment": "Partner Connect",
                "created_by_id": numeric(&sp), "created_by_username": app_id, "owner_id": numeric(&sp)})
    );
}

#[tokio::test]
async fn token_infos_carry_principal_ids_as_json_numbers_not_strings() {
    let h = Harness::new().await;
    let user = h.create_user("n@x.com", None).await;
    let token = issue(&h, &user, "", None).await;

    let listed = h.get(TOKENS).await.body;
    let one = h.get(&format!("{TOKENS}/{token}")).await.body;

    for info in [&listed["token_infos"][0], &one["token_info"]] {
        assert!(info["created_by_id"].is_u64(), "{info}");
        assert!(info["owner_id"].is_u64(), "{info}");
        assert!(info["creation_time"].is_i64(), "{info}");
        assert!(info["expiry_time"].is_i64(), "{info}");
        assert_eq!(info["created_by_id"], json!(numeric(&user)));
        assert_eq!(info["created_by_username"], "n@x.com");
    }
}

#[tokio::test]
async fn with_no_tokens_the_list_is_an_empty_object() {
    let h = Harness::new().await;
    let user = h.create_user("lonely@x.com", None).await;

    let empty = h.get(TOKENS).await;
    issue(&h, &user, "", None).await;
    let unmatched = h.get(&format!("{TOKENS}?created_by_id=1")).await;

    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.body, json!({}));
    assert_eq!(unmatched.status, StatusCode::OK);
    assert_eq!(unmatched.body, json!({}), "no token_infos key when nothing matches");
}

#[tokio::test]
async fn created_by_username_matches_a_user_name_or_an_application_id() {
    let h = Harness::new().await;
    let (sp, app_id) = h.create_sp("RIVERY_USER").await;
    let user = h.create_user("dev@x.com", None).await;
    let sp_token = issue(&h, &sp, "", None).await;
    let user_token = issue(&h, &user, "", None).await;

    let by_app = h.get(&format!("{TOKENS}?created_by_username={app_id}")).await.body;
    let by_user = h.get(&format!("{TOKENS}?created_by_username=dev%40x.com&created_by_id={user}")).await.body;
    let both_mismatch = h.get(&format!("{TOKENS}?created_by_username=dev%40x.com&created_by_id={sp}")).await.body;
    let not_a_number = h.get(&format!("{TOKENS}?created_by_id=abc")).await;

    assert_eq!(token_ids(&by_app), [sp_token.as_str()]);
    assert_eq!(token_ids(&by_user), [user_token.as_str()]);
    assert_eq!(both_mismatch, json!({}));
    assert_eq!(not_a_number.status, StatusCode::BAD_REQUEST);
    assert_eq!(not_a_number.body["error_code"], "INVALID_PARAMETER_VALUE");
}

#[tokio::test]
async fn a_token_is_read_by_id_and_an_unknown_id_answers_404_resource_does_not_exist() {
    let h = Harness::new().await;
    let (sp, _) = h.create_sp("HEVO_USER").await;
    let token = issue(&h, &sp, "hevo", Some(3600)).await;

    let found = h.get(&format!("{TOKENS}/{token}")).await;
    let missing = h.get(&format!("{TOKENS}/0123abcd")).await;

    assert_eq!(found.status, StatusCode::OK);
    let info = &found.body["token_info"];
    assert_eq!(info["token_id"], token.as_str());
    assert_eq!(info["comment"], "hevo");
    assert_eq!(
        info["expiry_time"].as_i64().unwrap() - info["creation_time"].as_i64().unwrap(),
        3_600_000,
        "lifetime_seconds sets the expiry"
    );
    assert_eq!(token.len(), 64);
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.body,
        json!({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Token with id 0123abcd does not exist."})
    );
}

#[tokio::test]
async fn deleting_a_service_principal_deletes_its_tokens_like_a_partner_connect_disconnect() {
    let h = Harness::new().await;
    let (fivetran, _) = h.create_sp("FIVETRAN_USER").await;
    let (dbt, _) = h.create_sp("DBT_CLOUD_USER").await;
    let fivetran_token = issue(&h, &fivetran, "Partner Connect", None).await;
    issue(&h, &fivetran, "second", None).await;
    let dbt_token = issue(&h, &dbt, "Partner Connect", None).await;

    let deleted = h.delete(&format!("ServicePrincipals/{fivetran}")).await;
    let left = h.get(TOKENS).await.body;
    let gone = h.get(&format!("{TOKENS}/{fivetran_token}")).await;

    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(token_ids(&left), [dbt_token.as_str()]);
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(h.get(&format!("{TOKENS}?created_by_id={fivetran}")).await.body, json!({}));
}

#[tokio::test]
async fn deleting_a_user_deletes_its_tokens_also_when_the_delete_is_soft() {
    for quirks in [false, true] {
        let h = if quirks { Harness::quirks().await } else { Harness::new().await };
        let user = h.create_user("leaver@x.com", None).await;
        let stayer = h.create_user("stayer@x.com", None).await;
        issue(&h, &user, "", None).await;
        let kept = issue(&h, &stayer, "", None).await;

        let deleted = h.delete(&format!("Users/{user}")).await;
        let left = h.get(TOKENS).await.body;
        let reissue = h
            .admin(Method::POST, "tokens", Some(json!({"owner_id": user, "comment": "", "lifetime_seconds": null})))
            .await;

        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "quirks={quirks}");
        assert_eq!(token_ids(&left), [kept.as_str()], "quirks={quirks}");
        assert_eq!(reissue.status, StatusCode::NOT_FOUND, "quirks={quirks}: a deleted user gets no token");
    }
}

#[tokio::test]
async fn when_token_management_is_forbidden_both_routes_answer_403_until_allowed_again() {
    let h = Harness::new().await;
    let user = h.create_user("u@x.com", None).await;
    let token = issue(&h, &user, "", None).await;

    forbid(&h, true).await;
    let list = h.get(TOKENS).await;
    let item = h.get(&format!("{TOKENS}/{token}")).await;
    let unknown_item = h.get(&format!("{TOKENS}/nope")).await;
    forbid(&h, false).await;
    let allowed = h.get(TOKENS).await;

    assert_forbidden(&list);
    assert_forbidden(&item);
    assert_forbidden(&unknown_item);
    assert_eq!(allowed.status, StatusCode::OK);
    assert_eq!(token_ids(&allowed.body), [token.as_str()]);
    assert_eq!(h.get("Users").await.status, StatusCode::OK, "SCIM is unaffected");
}

#[tokio::test]
async fn reset_restores_the_startup_permission_and_clears_tokens() {
    let h = Harness::with(Config { token_management_forbidden: true, ..Config::default() }).await;
    let user = h.create_user("u@x.com", None).await;
    issue(&h, &user, "", None).await;

    let at_start = h.get(TOKENS).await;
    forbid(&h, false).await;
    let before_reset = h.get(TOKENS).await;
    h.admin(Method::POST, "reset", None).await;
    let after_reset = h.get(TOKENS).await;
    forbid(&h, false).await;
    let emptied = h.get(TOKENS).await;

    assert_forbidden(&at_start);
    assert_eq!(before_reset.body["token_infos"].as_array().unwrap().len(), 1);
    assert_forbidden(&after_reset);
    assert_eq!(emptied.body, json!({}));
}

#[tokio::test]
async fn token_management_requests_are_authenticated_counted_and_logged_as_token_management() {
    let h = Harness::new().await;
    h.get(TOKENS).await;
    h.get(&format!("{TOKENS}?created_by_id=42")).await;
    h.get(&format!("{TOKENS}/abc")).await;
    let unauthenticated = h.call_as("wrong", Method::GET, TOKENS, None).await;

    let stats = h.admin(Method::GET, "stats", None).await.body;
    let log = h.admin(Method::GET, "requests", None).await.body;

    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
    assert_eq!(stats, json!({"total": 4, "counts": {"GET token-management": 4}}));
    assert_eq!(
        log[1],
        json!({"method": "GET", "resource": "token-management", "path": TOKENS, "query": "created_by_id=42", "body": null})
    );
}

#[tokio::test]
async fn a_fault_on_token_management_hits_only_token_management_in_the_platform_error_shape() {
    let h = Harness::new().await;
    h.fault(json!({"method": "GET", "resource": "token-management", "count": 1,
                   "fault": {"kind": "status", "status": 503, "detail": "busy", "retry_after": 3}}))
        .await;

    let users = h.get("Users").await;
    let faulted = h.get(TOKENS).await;
    let next = h.get(TOKENS).await;

    assert_eq!(users.status, StatusCode::OK, "SCIM requests do not consume the rule");
    assert_eq!(faulted.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(faulted.headers["retry-after"], "3");
    assert_eq!(faulted.body, json!({"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"}));
    assert_eq!(next.status, StatusCode::OK);
    assert_eq!(next.body, json!({}));
}

#[tokio::test]
async fn throttling_counts_token_management_as_its_own_endpoint() {
    let h = Harness::new().await;
    h.admin(Method::POST, "throttle", Some(json!({"per_minute": 1, "style": "500"}))).await;

    let first = h.get(TOKENS).await;
    let second = h.get(TOKENS).await;
    let scim = h.get("Users").await;

    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(second.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(second.body["error_code"], "REQUEST_LIMIT_EXCEEDED");
    assert!(second.body["message"].as_str().unwrap().contains("GET token-management"), "{}", second.body);
    assert_eq!(scim.status, StatusCode::OK);
}

#[tokio::test]
async fn other_methods_and_paths_under_token_management_answer_endpoint_not_found() {
    let h = Harness::new().await;

    let post = h.post(TOKENS, json!({"comment": "x"})).await;
    let other = h.get("/api/2.0/token-management/on-behalf-of/tokens").await;

    for r in [&post, &other] {
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body["error_code"], "ENDPOINT_NOT_FOUND");
    }
    assert_eq!(post.body["message"], "No API found for 'POST /token-management/tokens'");
}

#[tokio::test]
async fn admin_token_creation_needs_an_existing_user_or_service_principal() {
    let h = Harness::new().await;
    let gid = h.create_group("team", &[]).await;
    let (sp, _) = h.create_sp("SIGMA_USER").await;

    let for_group = h.admin(Method::POST, "tokens", Some(json!({"owner_id": gid, "comment": "x"}))).await;
    let for_nobody = h.admin(Method::POST, "tokens", Some(json!({"owner_id": "123", "comment": "x"}))).await;
    let malformed = h.admin(Method::POST, "tokens", Some(json!({"comment": "x"}))).await;
    let minimal = h.admin(Method::POST, "tokens", Some(json!({"owner_id": sp}))).await;

    assert_eq!(for_group.status, StatusCode::NOT_FOUND);
    assert!(for_group.body["error"].is_string());
    assert_eq!(for_nobody.status, StatusCode::NOT_FOUND);
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(minimal.status, StatusCode::OK);
    let info = h.get(&format!("{TOKENS}/{}", minimal.body["token_id"].as_str().unwrap())).await.body;
    assert_eq!((&info["token_info"]["comment"], &info["token_info"]["expiry_time"]), (&json!(""), &json!(-1)));
}

#[tokio::test]
async fn the_state_dump_includes_tokens() {
    let h = Harness::new().await;
    let (sp, app_id) = h.create_sp("CENSUS_USER").await;
    let token = issue(&h, &sp, "census", None).await;

    let state = h.admin(Method::GET, "state", None).await.body;

    let tokens = state["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["token_id"], token.as_str());
    assert_eq!(tokens[0]["owner_id"], json!(numeric(&sp)));
    assert_eq!(tokens[0]["created_by_username"], app_id.as_str());
}

#[tokio::test]
async fn bulk_creating_200_service_principals_lists_them_all_by_prefix() {
    let h = Harness::new().await;
    h.create_sp("other").await;

    let created = h.admin(Method::POST, "service-principals/bulk", Some(json!({"prefix": "sp-", "count": 200}))).await;
    let listed = h.get("ServicePrincipals?filter=displayName%20sw%20%22sp-%22&count=1000").await;

    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(created.body, json!({"created": 200}));
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["totalResults"], 200);
    assert_eq!(listed.body["itemsPerPage"], 200);
    let resources = listed.body["Resources"].as_array().unwrap();
    let mut names: Vec<&str> = resources.iter().map(|r| r["displayName"].as_str().unwrap()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 200);
    assert!(names.contains(&"sp-1") && names.contains(&"sp-200"));
    let mut app_ids: Vec<&str> = resources.iter().map(|r| r["applicationId"].as_str().unwrap()).collect();
    app_ids.sort_unstable();
    app_ids.dedup();
    assert_eq!(app_ids.len(), 200, "application ids are distinct");
    assert_eq!(resources[0]["schemas"], json!(["urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"]));
    assert_eq!(resources[0]["active"], true);
}

const ADMIN_ID: u64 = 1_000_000_000_000_001;

#[tokio::test]
async fn by_default_a_token_is_created_on_behalf_of_its_owner_by_the_emulator_admin() {
    let h = Harness::new().await;
    let (sp, _) = h.create_sp("FIVETRAN_USER").await;
    let r = h.admin(Method::POST, "tokens", Some(json!({"owner_id": sp, "comment": "Partner Connect"}))).await;
    let token = r.body["token_id"].as_str().unwrap();

    let info = h.get(&format!("{TOKENS}/{token}")).await.body["token_info"].clone();
    let by_owner = h.get(&format!("{TOKENS}?created_by_id={sp}")).await.body;
    let by_admin = h.get(&format!("{TOKENS}?created_by_id={ADMIN_ID}")).await.body;
    let by_admin_name = h.get(&format!("{TOKENS}?created_by_username=admin%40emulator.invalid")).await.body;
    let unfiltered = h.get(TOKENS).await.body;

    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(info["owner_id"], json!(numeric(&sp)));
    assert_eq!(info["created_by_id"], json!(ADMIN_ID));
    assert_eq!(info["created_by_username"], "admin@emulator.invalid");
    assert_eq!(by_owner, json!({}), "created_by_id filters on the creator, not the owner");
    assert_eq!(token_ids(&by_admin), [token]);
    assert_eq!(token_ids(&by_admin_name), [token]);
    assert_eq!(token_ids(&unfiltered), [token]);
    assert_eq!(h.get("Users").await.body["totalResults"], 0, "the admin is no SCIM user");
}

#[tokio::test]
async fn a_token_made_on_behalf_of_its_owner_can_name_a_user_as_its_creator() {
    let h = Harness::new().await;
    let (sp, _) = h.create_sp("HEVO_USER").await;
    let admin = h.create_user("workspace-admin@x.com", None).await;
    let r = h
        .admin(Method::POST, "tokens", Some(json!({"owner_id": sp, "created_by_id": admin, "on_behalf_of": true})))
        .await;
    let token = r.body["token_id"].as_str().unwrap().to_owned();

    let by_creator = h.get(&format!("{TOKENS}?created_by_id={admin}")).await.body;
    h.delete(&format!("Users/{admin}")).await;
    let after_creator_left = h.get(TOKENS).await.body;
    h.delete(&format!("ServicePrincipals/{sp}")).await;
    let after_owner_left = h.get(TOKENS).await.body;

    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let info = &by_creator["token_infos"][0];
    assert_eq!(info["token_id"], token.as_str());
    assert_eq!(info["created_by_id"], json!(numeric(&admin)));
    assert_eq!(info["created_by_username"], "workspace-admin@x.com");
    assert_eq!(info["owner_id"], json!(numeric(&sp)));
    assert_eq!(token_ids(&after_creator_left), [token.as_str()], "the owner's token stays");
    assert_eq!(after_owner_left, json!({}), "deleting the owner deletes its tokens");
}

#[tokio::test]
async fn a_token_not_made_on_behalf_of_its_owner_is_created_by_the_owner() {
    let h = Harness::new().await;
    let user = h.create_user("self@x.com", None).await;
    let other = h.create_user("other@x.com", None).await;

    let own = h.admin(Method::POST, "tokens", Some(json!({"owner_id": user, "on_behalf_of": false}))).await;
    let explicit = h
        .admin(Method::POST, "tokens", Some(json!({"owner_id": user, "created_by_id": user, "on_behalf_of": false})))
        .await;
    let contradictory = h
        .admin(Method::POST, "tokens", Some(json!({"owner_id": user, "created_by_id": other, "on_behalf_of": false})))
        .await;
    let unknown_creator =
        h.admin(Method::POST, "tokens", Some(json!({"owner_id": user, "created_by_id": "123456789012345"}))).await;
    let listed = h.get(&format!("{TOKENS}?created_by_id={user}")).await.body;

    assert_eq!((own.status, explicit.status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(contradictory.status, StatusCode::BAD_REQUEST);
    assert!(contradictory.body["error"].is_string());
    assert_eq!(unknown_creator.status, StatusCode::NOT_FOUND);
    let infos = listed["token_infos"].as_array().unwrap();
    assert_eq!(infos.len(), 2);
    for info in infos {
        assert_eq!(info["created_by_id"], info["owner_id"]);
        assert_eq!(info["created_by_username"], "self@x.com");
    }
}

#[tokio::test]
async fn bulk_creating_users_gives_each_the_attributes_and_can_gather_them_in_one_group() {
    let h = Harness::new().await;
    let long = "é".repeat(300);
    let body = json!({"prefix": "Bulk-", "count": 120, "displayName": long, "externalId": "ext", "givenName": "G",
        "familyName": "F", "group": "everyone"});

    let created = h.admin(Method::POST, "users/bulk", Some(body.clone())).await;
    let listed = h.get("Users?filter=userName%20sw%20%22bulk-%22&count=1000").await;
    let again = h.admin(Method::POST, "users/bulk", Some(body)).await;

    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(created.body["created"], 120);
    assert_eq!(listed.body["totalResults"], 120);
    let first = &listed.body["Resources"][0];
    assert!(first["userName"].as_str().unwrap().starts_with("bulk-"), "lower-cased: {first}");
    assert_eq!(first["displayName"], long.as_str());
    assert_eq!(first["externalId"], "ext");
    assert_eq!(first["name"], json!({"givenName": "G", "familyName": "F"}));
    let group = h.get(&format!("Groups/{}", created.body["group"].as_str().unwrap())).await;
    assert_eq!(group.body["displayName"], "everyone");
    assert_eq!(group.body["members"].as_array().map(Vec::len), Some(120));
    assert_eq!(again.status, StatusCode::CONFLICT, "the same userNames again: {}", again.body);
    let too_many = h.admin(Method::POST, "users/bulk", Some(json!({"prefix": "x", "count": 100_001}))).await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
}
