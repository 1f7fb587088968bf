//! The limits of `shared/src/scim/limits.rs` through the real handlers: a request over a limit
//! is a SCIM error and Databricks receives nothing; an answer never exceeds the byte budget,
//! and a listing cut by it pages on without skipping anyone.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use shared::scim::limits::{
    MAX_BODY_BYTES, MAX_FILTER_COMPARISONS, MAX_MEMBERS_PER_REQUEST, MAX_PATCH_OPERATIONS, MAX_RESPONSE_BYTES,
    MAX_TEXT_CHARS,
};
use tests::Operation::*;
use tests::{Answer, Call, TestStack, in_every_mode, in_every_workspace_mode};

/// Asserts a SCIM error with this status and `scimType`.
fn assert_error(a: &Answer, status: u16, scim_type: Option<&str>, case: &str) {
    assert_eq!(a.status, status, "{case}: {}", a.body);
    assert_eq!(a.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error", "{case}");
    assert_eq!(a.body["status"], status.to_string(), "{case}");
    assert_eq!(a.body.get("scimType").and_then(Value::as_str), scim_type, "{case}: {}", a.body);
}

/// Sends each call, expects the SCIM error, and that Databricks received nothing.
async fn refused_at_the_edge(stack: &TestStack, calls: Vec<(&str, tests::Operation, Call, u16, Option<&str>)>) {
    for (case, operation, call, status, scim_type) in calls {
        stack.reset_stats().await;
        let a = stack.call(operation, call).await;
        assert_error(&a, status, scim_type, case);
        assert_eq!(stack.target_calls().await, 0, "{case}: nothing reaches Databricks");
    }
}

async fn a_two_million_character_user_name_is_refused_and_nothing_reaches_databricks(stack: &TestStack) {
    let user_name = format!("{}@example.com", "a".repeat(2_000_000));
    stack.reset_stats().await;
    let a = stack.call(CreateUser, Call::post("/Users", json!({"userName": user_name}))).await;
    assert_error(&a, 400, Some("invalidValue"), "2 000 000-character userName");
    assert!(a.body["detail"].as_str().is_some_and(|d| d.contains("userName") && d.len() < 200), "{}", a.body);
    assert_eq!(stack.target_calls().await, 0, "nothing reaches Databricks");
    assert_eq!(stack.target_state().await["users"], json!([]));
}
in_every_mode!(a_two_million_character_user_name_is_refused_and_nothing_reaches_databricks);

async fn a_user_name_with_a_nul_byte_is_refused_and_nothing_reaches_databricks(stack: &TestStack) {
    stack.reset_stats().await;
    let a = stack.call(CreateUser, Call::post("/Users", json!({"userName": "nul\u{0}@example.com"}))).await;
    assert_error(&a, 400, Some("invalidValue"), "NUL in userName");
    assert!(a.body["detail"].as_str().is_some_and(|d| d.contains("control character")), "{}", a.body);
    assert_eq!(stack.target_calls().await, 0, "nothing reaches Databricks");
    assert_eq!(stack.target_state().await["users"], json!([]));
}
in_every_mode!(a_user_name_with_a_nul_byte_is_refused_and_nothing_reaches_databricks);

async fn a_body_over_two_mebibytes_is_413_and_nothing_reaches_databricks(stack: &TestStack) {
    let padding = "x".repeat(MAX_BODY_BYTES);
    let over = |mut body: Value| {
        body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] = json!({"department": padding});
        body
    };
    let patch = json!({"Operations": [{"op": "add", "path": "externalId", "value": padding}]});
    refused_at_the_edge(
        stack,
        vec![
            ("POST /Users", CreateUser, Call::post("/Users", over(json!({"userName": "u@example.com"}))), 413, None),
            ("PUT /Users", ReplaceUser, Call::put("/Users/1", over(json!({"userName": "u@example.com"}))), 413, None),
            ("PATCH /Groups", PatchGroup, Call::patch("/Groups/1", patch), 413, None),
            ("POST /.search", Discovery, Call::post("/.search", json!({"filter": padding})), 413, None),
        ],
    )
    .await;
}
in_every_mode!(a_body_over_two_mebibytes_is_413_and_nothing_reaches_databricks);

async fn string_attributes_over_the_limit_or_with_control_characters_are_refused_in_every_write(stack: &TestStack) {
    let long = "é".repeat(MAX_TEXT_CHARS + 1);
    let replace = |path: &str, value: Value| json!({"Operations": [{"op": "replace", "path": path, "value": value}]});
    let invalid = Some("invalidValue");
    refused_at_the_edge(
        stack,
        vec![
            (
                "POST /Groups long displayName",
                CreateGroup,
                Call::post("/Groups", json!({"displayName": long})),
                400,
                invalid,
            ),
            (
                "POST /ServicePrincipals tab in displayName",
                CreateServicePrincipal,
                Call::post("/ServicePrincipals", json!({"displayName": "etl\tbot"})),
                400,
                invalid,
            ),
            (
                "PUT /Users DEL in familyName (refused before the read)",
                ReplaceUser,
                Call::put("/Users/1", json!({"userName": "u@example.com", "name": {"familyName": "x\u{7f}"}})),
                400,
                invalid,
            ),
            (
                "PUT /Groups long externalId (refused before the read)",
                ReplaceGroup,
                Call::put("/Groups/1", json!({"displayName": "g", "externalId": long})),
                400,
                invalid,
            ),
            (
                "PATCH /Users NUL displayName",
                PatchUser,
                Call::patch("/Users/1", replace("displayName", json!("a\u{0}"))),
                400,
                invalid,
            ),
            (
                "PATCH /ServicePrincipals long externalId",
                PatchServicePrincipal,
                Call::patch("/ServicePrincipals/1", replace("externalId", json!(long))),
                400,
                invalid,
            ),
            (
                "long partner name",
                DisconnectPartner,
                Call::delete(&format!("/admin/partners/{}", "p".repeat(101))),
                400,
                invalid,
            ),
        ],
    )
    .await;
}
in_every_mode!(string_attributes_over_the_limit_or_with_control_characters_are_refused_in_every_write);

fn members(n: usize) -> Value {
    Value::Array((1..=n).map(|i| json!({"value": (1_000_000 + i).to_string()})).collect())
}

async fn too_many_patch_operations_or_members_are_refused_and_nothing_reaches_databricks(stack: &TestStack) {
    let remove = json!({"op": "remove", "path": "members[value eq \"1\"]"});
    let too_many_ops = json!({"Operations": vec![remove; MAX_PATCH_OPERATIONS + 1]});
    let too_many_members =
        json!({"Operations": [{"op": "add", "path": "members", "value": members(MAX_MEMBERS_PER_REQUEST + 1)}]});
    let invalid = Some("invalidValue");
    refused_at_the_edge(
        stack,
        vec![
            ("PATCH of 15,101 operations", PatchGroup, Call::patch("/Groups/1", too_many_ops), 400, invalid),
            ("PATCH adding 15,001 members", PatchGroup, Call::patch("/Groups/1", too_many_members), 400, invalid),
            (
                "POST /Groups with 15,001 members",
                CreateGroup,
                Call::post("/Groups", json!({"displayName": "g", "members": members(MAX_MEMBERS_PER_REQUEST + 1)})),
                400,
                invalid,
            ),
            (
                "PUT /Groups with 15,001 members (refused before the read)",
                ReplaceGroup,
                Call::put("/Groups/1", json!({"displayName": "g", "members": members(MAX_MEMBERS_PER_REQUEST + 1)})),
                400,
                invalid,
            ),
        ],
    )
    .await;
}
in_every_mode!(too_many_patch_operations_or_members_are_refused_and_nothing_reaches_databricks);

async fn filters_and_paging_over_their_limits_are_refused_and_nothing_reaches_databricks(stack: &TestStack) {
    let comparisons = (0..=MAX_FILTER_COMPARISONS).map(|i| format!("id eq \"{i}\"")).collect::<Vec<_>>().join(" or ");
    let deep = (0..9).fold("userName eq \"x\"".to_string(), |inner, level| {
        let op = if level % 2 == 0 { "and" } else { "or" };
        format!("(id eq \"1\" {op} {inner})")
    });
    let long = format!("userName eq \"{}\"", "a".repeat(2048));
    let filter = Some("invalidFilter");
    refused_at_the_edge(
        stack,
        vec![
            ("101 comparisons", ListUsers, Call::get("/Users").query("filter", &comparisons), 400, filter),
            ("nested 10 levels", ListGroups, Call::get("/Groups").query("filter", &deep), 400, filter),
            (
                "over 2048 bytes",
                ListServicePrincipals,
                Call::get("/ServicePrincipals").query("filter", &long),
                400,
                filter,
            ),
            (
                "101 comparisons in .search",
                Discovery,
                Call::post("/.search", json!({"filter": comparisons})),
                400,
                filter,
            ),
            (
                "startIndex 2^31",
                ListUsers,
                Call::get("/Users").query("startIndex", "2147483648"),
                400,
                Some("invalidValue"),
            ),
            (
                "startIndex beyond 64 bits",
                ListUsers,
                Call::post("/Users/.search", json!({"startIndex": 1e30})),
                400,
                Some("invalidValue"),
            ),
        ],
    )
    .await;
    for (filter, detail) in [(&comparisons, "101 comparisons"), (&deep, "levels deep"), (&long, "2048 bytes")] {
        let a = stack.call(ListUsers, Call::get("/Users").query("filter", filter)).await;
        assert!(a.body["detail"].as_str().is_some_and(|d| d.contains(detail)), "{detail}: {}", a.body);
    }
    // An absurd count is lowered, not refused (RFC 7644 §3.4.2.4).
    stack.reset_stats().await;
    let a = stack
        .call(ListUsers, Call::get("/Users").query("count", "99999999999999999999").query("startIndex", "-4"))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["startIndex"], 1);
    assert_eq!(stack.target_requests().await[0]["query"].as_str().map(|q| q.contains("count=1000")), Some(true));
}
in_every_mode!(filters_and_paging_over_their_limits_are_refused_and_nothing_reaches_databricks);

async fn what_real_clients_send_stays_well_inside_the_limits(stack: &TestStack) {
    let user_name = format!("{}@example.com", "long.name".repeat(30));
    let a = stack
        .call(CreateUser, Call::post("/Users", json!({"userName": user_name, "displayName": "Zoë O'Brien 山田"})))
        .await;
    assert_eq!(a.status, 201, "a 282-character userName: {}", a.body);
    let id = a.body["id"].as_str().unwrap_or_else(|| panic!("a created user without an id: {}", a.body)).to_string();
    let okta_members: Vec<Value> = vec![json!({"value": id, "display": user_name})];
    let a =
        stack.call(CreateGroup, Call::post("/Groups", json!({"displayName": "team", "members": okta_members}))).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let a = stack.call(ListUsers, Call::get("/Users").query("filter", &format!("userName eq \"{user_name}\""))).await;
    assert_eq!((a.status, a.body["totalResults"].as_u64()), (200, Some(1)), "{}", a.body);
}
in_every_mode!(what_real_clients_send_stays_well_inside_the_limits);

/// How many maximum-size users the listing test seeds: a little over two pages of the byte
/// budget (about 340 each), so that paging crosses two cuts.
const MAX_SIZE_USERS: usize = 700;

/// Seeds users whose every string attribute has the most characters allowed, each the widest
/// character UTF-8 has (4 bytes): about 12 KB of SCIM JSON per user.
async fn seed_maximum_size_users(stack: &TestStack) {
    let wide = |n: usize| "𠀀".repeat(n);
    let prefix = format!("{}-", wide(MAX_TEXT_CHARS - "-700@example.com".len()));
    let body = json!({"prefix": prefix, "count": MAX_SIZE_USERS, "displayName": wide(MAX_TEXT_CHARS),
        "externalId": wide(MAX_TEXT_CHARS), "givenName": wide(MAX_TEXT_CHARS), "familyName": wide(MAX_TEXT_CHARS)});
    stack.admin_post("users/bulk", body).await;
}

async fn a_listing_of_maximum_size_users_answers_under_the_byte_budget_and_pages_on_without_skipping(
    stack: &TestStack,
) {
    seed_maximum_size_users(stack).await;
    let total = MAX_SIZE_USERS as u64;
    let (mut seen, mut start, mut pages) = (BTreeSet::new(), 1u64, 0);
    loop {
        let call = Call::get("/Users").query("startIndex", &start.to_string()).query("count", "1000");
        let a = stack.call(ListUsers, call).await;
        assert_eq!(a.status, 200, "page at {start}: {}", a.body);
        let text = a.body.to_string();
        let carried = shared::scim::limits::carried_len(&text);
        assert!(carried <= MAX_RESPONSE_BYTES, "page at {start}: {carried} bytes");
        assert_eq!((a.body["startIndex"].as_u64(), a.body["totalResults"].as_u64()), (Some(start), Some(total)));
        let resources = a.body["Resources"].as_array().cloned().unwrap_or_default();
        assert_eq!(a.body["itemsPerPage"].as_u64(), Some(resources.len() as u64));
        if pages == 0 {
            assert!(resources.len() < MAX_SIZE_USERS, "the first page is cut by the byte budget, not by count");
            assert!(carried > MAX_RESPONSE_BYTES * 9 / 10, "and filled close to it: {carried}");
        }
        for r in &resources {
            assert!(seen.insert(r["id"].as_str().unwrap_or_default().to_string()), "a user listed twice");
            assert_eq!(r["displayName"].as_str().map(|d| d.chars().count()), Some(MAX_TEXT_CHARS));
        }
        pages += 1;
        start += resources.len() as u64;
        if resources.is_empty() || start > total {
            break;
        }
    }
    assert_eq!(seen.len(), MAX_SIZE_USERS, "every user once, in {pages} pages");
    assert!(pages >= 3, "{pages} pages");
    // A root search cuts the same way.
    let a = stack.call(Discovery, Call::post("/.search", json!({"count": 1000}))).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(shared::scim::limits::carried_len(&a.body.to_string()) <= MAX_RESPONSE_BYTES);
    let cut = a.body["itemsPerPage"].as_u64().is_some_and(|n| n > 0 && n < MAX_SIZE_USERS as u64);
    assert!(cut, "{}", a.body["itemsPerPage"]);
}
in_every_mode!(a_listing_of_maximum_size_users_answers_under_the_byte_budget_and_pages_on_without_skipping);

/// Members of the large group: more than Databricks' documented workspace limits allow, so
/// that its SCIM JSON (about 6 MB) is over the byte budget.
const LARGE_GROUP: usize = 50_000;

async fn a_group_of_50000_members_is_a_too_many_error_naming_it_and_is_served_without_its_members(stack: &TestStack) {
    let seeded: Value = reqwest::Client::new()
        .post(format!("{}/_emulator/users/bulk", stack.emulator.base_url()))
        .json(&json!({"prefix": "m", "count": LARGE_GROUP, "group": "everyone"}))
        .send()
        .await
        .expect("bulk users")
        .json()
        .await
        .expect("bulk answer");
    let id = seeded["group"].as_str().unwrap_or_else(|| panic!("the group id: {seeded}")).to_string();
    let path = format!("/Groups/{id}");

    let read = stack.call(GetGroup, Call::get(&path)).await;
    assert_error(&read, 400, Some("tooMany"), "GET of a 50,000-member group");
    let detail = read.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(&format!("Group {id}")) && detail.contains("excludedAttributes=members"), "{detail}");
    let without = stack.call(GetGroup, Call::get(&path).query("excludedAttributes", "members")).await;
    assert_eq!((without.status, &without.body["displayName"]), (200, &json!("everyone")), "{}", without.body);

    let listed = stack.call(ListGroups, Call::get("/Groups")).await;
    assert_error(&listed, 400, Some("tooMany"), "a page starting with it");
    let listed = stack.call(ListGroups, Call::get("/Groups").query("excludedAttributes", "members")).await;
    assert_eq!((listed.status, listed.body["totalResults"].as_u64()), (200, Some(1)), "Entra's listing");

    let user = stack.create_user("one.more@example.com").await;
    let add = json!({"Operations": [{"op": "add", "path": "members", "value": [{"value": user}]}]});
    let patched = stack.call(PatchGroup, Call::patch(&path, add)).await;
    assert_eq!(patched.status, 204, "the member was added; the group is too large to answer: {}", patched.body);
    let member = stack.call(GetUser, Call::get(&format!("/Users/{user}"))).await;
    let groups = member.body["groups"].as_array().cloned().unwrap_or_default();
    assert!(groups.iter().any(|g| g["value"] == id.as_str()), "{}", member.body);
}
in_every_workspace_mode!(a_group_of_50000_members_is_a_too_many_error_naming_it_and_is_served_without_its_members);
