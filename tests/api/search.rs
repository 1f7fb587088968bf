//! `POST /.search` (RFC 7644 §3.4.3) on each resource and on the root, collection URLs with a
//! trailing slash, and resource names in the wrong case.

use serde_json::{Value, json};
use tests::Operation::{self, *};
use tests::{Answer, Call, TestStack, in_every_mode, in_every_workspace_mode};

const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const SERVICE_PRINCIPAL: &str = "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal";

/// One SCIM call and the Databricks requests it made, as `[method, path, query]`.
async fn with_calls(stack: &TestStack, operation: Operation, call: Call) -> (Answer, Vec<Value>) {
    stack.reset_stats().await;
    let answer = stack.call(operation, call).await;
    let requests = stack.target_requests().await;
    (answer, requests.iter().map(|r| json!([r["method"], r["path"], r["query"]])).collect())
}

/// The decoded query parameters of one recorded Databricks request.
fn query_of(request: &Value) -> Vec<(String, String)> {
    let raw = request[2].as_str().unwrap_or_default();
    let url = reqwest::Url::parse(&format!("http://databricks.invalid/?{raw}")).expect("a query string");
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn param(request: &Value, name: &str) -> Option<String> {
    query_of(request).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn ids(answer: &Answer) -> Vec<String> {
    answer.body["Resources"]
        .as_array()
        .map(|items| items.iter().map(|r| r["id"].as_str().unwrap_or_default().to_string()).collect())
        .unwrap_or_default()
}

async fn create_service_principal(stack: &TestStack, name: &str) -> String {
    let a = stack
        .call(
            CreateServicePrincipal,
            Call::post("/ServicePrincipals", json!({"schemas": [SERVICE_PRINCIPAL], "displayName": name})),
        )
        .await;
    assert_eq!(a.status, 201, "creating {name}: {}", a.body);
    a.body["id"].as_str().expect("an id").to_string()
}

async fn a_user_search_answers_what_the_get_list_answers_with_the_same_databricks_call(stack: &TestStack) {
    let jo = stack.create_user("jo@example.com").await;
    stack.create_user("kim@example.com").await;
    let filter = "userName eq \"JO@example.com\"";

    let (searched, search_calls) = with_calls(
        stack,
        ListUsers,
        Call::post(
            "/Users/.search",
            json!({"schemas": [SEARCH_REQUEST], "filter": filter, "startIndex": 1, "count": 10,
                   "attributes": ["userName", "displayName"], "sortBy": "userName", "sortOrder": "ascending"}),
        ),
    )
    .await;
    let (listed, list_calls) = with_calls(
        stack,
        ListUsers,
        Call::get("/Users")
            .query("filter", filter)
            .query("startIndex", "1")
            .query("count", "10")
            .query("attributes", "userName,displayName"),
    )
    .await;

    assert_eq!(searched.status, 200, "{}", searched.body);
    assert_eq!(searched.header("content-type"), Some("application/scim+json"));
    assert_eq!(searched.body, listed.body, "the search answers exactly what the GET list answers");
    assert_eq!(ids(&searched), vec![jo]);
    assert!(searched.body["Resources"][0].get("emails").is_none(), "attributes are honoured");
    assert_eq!(search_calls.len(), 1, "one Databricks call: {search_calls:?}");
    assert_eq!(search_calls, list_calls, "the same Databricks call as the GET list");
    assert_eq!(search_calls[0][1], "/api/2.0/preview/scim/v2/Users");
}
in_every_workspace_mode!(a_user_search_answers_what_the_get_list_answers_with_the_same_databricks_call);

async fn group_and_service_principal_searches_answer_what_their_get_lists_answer(stack: &TestStack) {
    let user = stack.create_user("ann@example.com").await;
    let eng = stack.create_group("eng", &[&user]).await;
    stack.create_group("ops", &[]).await;
    let bot = create_service_principal(stack, "etl-bot").await;
    create_service_principal(stack, "other").await;

    let (searched, search_calls) = with_calls(
        stack,
        ListGroups,
        Call::post(
            "/Groups/.search",
            json!({"schemas": [SEARCH_REQUEST], "filter": "displayName eq \"eng\"", "excludedAttributes": "members"}),
        ),
    )
    .await;
    let (listed, list_calls) = with_calls(
        stack,
        ListGroups,
        Call::get("/Groups").query("filter", "displayName eq \"eng\"").query("excludedAttributes", "members"),
    )
    .await;
    assert_eq!(searched.status, 200, "{}", searched.body);
    assert_eq!((&searched.body, &search_calls), (&listed.body, &list_calls));
    assert_eq!(ids(&searched), vec![eng]);
    assert!(searched.body["Resources"][0].get("members").is_none(), "excludedAttributes as a comma string");
    assert_eq!(search_calls.len(), 1);

    let (searched, search_calls) = with_calls(
        stack,
        ListServicePrincipals,
        Call::post(
            "/ServicePrincipals/.search",
            json!({"filter": "displayName sw \"etl\"", "count": 5, "startIndex": 1}),
        ),
    )
    .await;
    let (listed, list_calls) = with_calls(
        stack,
        ListServicePrincipals,
        Call::get("/ServicePrincipals").query("filter", "displayName sw \"etl\"").query("count", "5"),
    )
    .await;
    assert_eq!(searched.status, 200, "a body without 'schemas' is read too: {}", searched.body);
    assert_eq!((&searched.body, &search_calls), (&listed.body, &list_calls));
    assert_eq!(ids(&searched), vec![bot]);
    assert_eq!(search_calls.len(), 1);
}
in_every_mode!(group_and_service_principal_searches_answer_what_their_get_lists_answer);

async fn query_parameters_on_a_search_are_ignored_in_favour_of_the_body(stack: &TestStack) {
    let jo = stack.create_user("jo@example.com").await;
    stack.create_user("kim@example.com").await;

    let (a, calls) = with_calls(
        stack,
        ListUsers,
        Call::post("/Users/.search", json!({"filter": "userName eq \"jo@example.com\""}))
            .query("filter", "userName eq \"kim@example.com\"")
            .query("count", "0"),
    )
    .await;

    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(ids(&a), vec![jo], "the body's filter and page size, not the query string's");
    assert_eq!(calls.len(), 1);
    assert_eq!(param(&calls[0], "filter").as_deref(), Some("userName eq \"jo@example.com\""));
    assert_eq!(param(&calls[0], "count").as_deref(), Some("100"));
}
in_every_mode!(query_parameters_on_a_search_are_ignored_in_favour_of_the_body);

async fn a_search_body_that_is_not_a_search_request_is_invalid_syntax_and_a_bad_filter_invalid_filter(
    stack: &TestStack,
) {
    stack.create_user("jo@example.com").await;
    stack.reset_stats().await;
    let not_search_requests = [
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "filter": "userName pr"}),
        json!({"schemas": [SEARCH_REQUEST], "count": "10"}),
        json!({"schemas": [SEARCH_REQUEST], "startIndex": true}),
        json!({"schemas": [SEARCH_REQUEST], "attributes": [7]}),
        json!({"schemas": [SEARCH_REQUEST], "filter": {"userName": "jo"}}),
        json!("userName eq \"jo@example.com\""),
    ];
    for (operation, path) in [(ListUsers, "/Users/.search"), (ListGroups, "/Groups/.search"), (Discovery, "/.search")] {
        for body in &not_search_requests {
            let a = stack.call(operation, Call::post(path, body.clone())).await;
            assert_eq!(
                (a.status, a.body["scimType"].as_str()),
                (400, Some("invalidSyntax")),
                "{path} {body}: {}",
                a.body
            );
            assert_eq!(a.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
        }
        for filter in ["userName eq", "title pr", "userName gt \"a\""] {
            let a =
                stack.call(operation, Call::post(path, json!({"schemas": [SEARCH_REQUEST], "filter": filter}))).await;
            assert_eq!(
                (a.status, a.body["scimType"].as_str()),
                (400, Some("invalidFilter")),
                "{path} {filter}: {}",
                a.body
            );
        }
    }
    assert_eq!(stack.target_calls().await, 0, "no refused search reaches Databricks");
}
in_every_mode!(a_search_body_that_is_not_a_search_request_is_invalid_syntax_and_a_bad_filter_invalid_filter);

/// Every resource, in the order a root search pages them: users, groups, service principals.
async fn everything_in_search_order(stack: &TestStack) -> Vec<String> {
    let mut all = Vec::new();
    for (operation, path) in
        [(ListUsers, "/Users"), (ListGroups, "/Groups"), (ListServicePrincipals, "/ServicePrincipals")]
    {
        let a = stack.call(operation, Call::get(path)).await;
        assert_eq!(a.status, 200, "{}", a.body);
        all.extend(ids(&a));
    }
    all
}

async fn a_root_search_pages_across_users_then_groups_then_service_principals(stack: &TestStack) {
    let u1 = stack.create_user("u1@example.com").await;
    let u2 = stack.create_user("u2@example.com").await;
    let g1 = stack.create_group("g1", &[&u1]).await;
    let g2 = stack.create_group("g2", &[]).await;
    let s1 = create_service_principal(stack, "s1").await;
    let all = everything_in_search_order(stack).await;
    let mut created = vec![u1, u2, g1, g2, s1];
    let mut sorted = all.clone();
    created.sort();
    sorted.sort();
    assert_eq!(sorted, created, "an empty workspace to start");

    for (start, count) in [(1, 100), (2, 3), (3, 0), (4, 1), (5, 10), (6, 2), (1, 5)] {
        let (a, calls) = with_calls(
            stack,
            Discovery,
            Call::post("/.search", json!({"schemas": [SEARCH_REQUEST], "startIndex": start, "count": count})),
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.body);
        let expected: Vec<String> = all.iter().skip(start - 1).take(count).cloned().collect();
        assert_eq!(ids(&a), expected, "startIndex {start}, count {count}");
        assert_eq!(a.body["totalResults"], all.len(), "startIndex {start}, count {count}");
        assert_eq!(a.body["startIndex"], start);
        assert_eq!(a.body["itemsPerPage"], expected.len());
        let paths: Vec<&str> = calls.iter().map(|c| c[1].as_str().unwrap_or_default()).collect();
        assert_eq!(
            paths,
            [
                "/api/2.0/preview/scim/v2/Users",
                "/api/2.0/preview/scim/v2/Groups",
                "/api/2.0/preview/scim/v2/ServicePrincipals"
            ],
            "one Databricks list call per resource type, startIndex {start}, count {count}"
        );
        assert!(calls.iter().all(|c| c[0] == "GET"));
    }

    // Page 2..4 of 5: the users' page starts at their 2nd, the groups' at their 1st, and the
    // service principals are asked only for their total.
    let (a, calls) = with_calls(stack, Discovery, Call::post("/.search", json!({"startIndex": 2, "count": 3}))).await;
    assert_eq!(ids(&a), all[1..4].to_vec());
    let paging: Vec<(Option<String>, Option<String>)> =
        calls.iter().map(|c| (param(c, "startIndex"), param(c, "count"))).collect();
    let page = |s: &str, c: &str| (Some(s.to_string()), Some(c.to_string()));
    assert_eq!(paging, vec![page("2", "3"), page("1", "2"), page("1", "1")]);
    let types: Vec<&str> =
        a.body["Resources"].as_array().unwrap().iter().map(|r| r["meta"]["resourceType"].as_str().unwrap()).collect();
    assert_eq!(types, ["User", "Group", "Group"]);
}
in_every_workspace_mode!(a_root_search_pages_across_users_then_groups_then_service_principals);

async fn a_root_search_asks_only_the_resource_types_its_filter_can_match(stack: &TestStack) {
    let jo = stack.create_user("jo@example.com").await;
    let eng = stack.create_group("eng", &[&jo]).await;
    let bot = create_service_principal(stack, "eng-bot").await;
    let searched_types = |calls: &[Value]| -> Vec<String> {
        calls
            .iter()
            .map(|c| c[1].as_str().unwrap_or_default().rsplit('/').next().unwrap_or_default().to_string())
            .collect()
    };

    let (a, calls) =
        with_calls(stack, Discovery, Call::post("/.search", json!({"filter": "userName eq \"jo@example.com\""}))).await;
    assert_eq!((a.status, ids(&a)), (200, vec![jo.clone()]), "{}", a.body);
    assert_eq!(searched_types(&calls), ["Users"], "only users have a userName");

    let (a, calls) = with_calls(
        stack,
        Discovery,
        Call::post("/.search", json!({"filter": "displayName sw \"eng\" or userName eq \"nobody@example.com\""})),
    )
    .await;
    assert_eq!((a.status, ids(&a)), (200, vec![eng.clone(), bot.clone()]), "{}", a.body);
    assert_eq!(searched_types(&calls), ["Users", "Groups", "ServicePrincipals"]);
    assert_eq!(param(&calls[1], "filter").as_deref(), Some("displayName sw \"eng\""), "groups have no userName");

    let (a, calls) = with_calls(
        stack,
        Discovery,
        Call::post("/.search", json!({"filter": "displayName eq \"eng\"", "attributes": ["displayName"]})),
    )
    .await;
    assert_eq!((a.status, ids(&a)), (200, vec![eng]), "{}", a.body);
    assert_eq!(a.body["totalResults"], 1);
    assert!(a.body["Resources"][0].get("members").is_none(), "attributes apply to every type");
    assert_eq!(calls.len(), 3);

    let (a, calls) =
        with_calls(stack, Discovery, Call::post("/.search", json!({"filter": "name.givenName eq \"Jo\""}))).await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (400, Some("invalidFilter")), "{}", a.body);
    assert!(calls.is_empty(), "a filter Databricks cannot run on users is refused before any call");

    let (a, calls) =
        with_calls(stack, Discovery, Call::post("/.search", json!({"filter": "nickName eq \"jo\""}))).await;
    assert_eq!((a.status, a.body["scimType"].as_str()), (400, Some("invalidFilter")), "{}", a.body);
    assert!(calls.is_empty());
}
in_every_workspace_mode!(a_root_search_asks_only_the_resource_types_its_filter_can_match);

async fn a_collection_url_with_a_trailing_slash_is_served_like_the_url_without_it(stack: &TestStack) {
    let jo = stack.create_user("jo@example.com").await;
    let (with_slash, slash_calls) = with_calls(stack, ListUsers, Call::get("/Users/").query("count", "5")).await;
    let (without, calls) = with_calls(stack, ListUsers, Call::get("/Users").query("count", "5")).await;
    assert_eq!(with_slash.status, 200, "{}", with_slash.body);
    assert_eq!((&with_slash.body, &slash_calls), (&without.body, &calls));
    assert_eq!(ids(&with_slash), vec![jo]);

    let (created, calls) = with_calls(
        stack,
        CreateGroup,
        Call::post(
            "/Groups/",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "eng"}),
        ),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    let location = created.header("location").unwrap();
    assert!(location.ends_with(&format!("/scim/v2/Groups/{id}")), "{location}");
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0][0], "POST");

    let (a, _) =
        with_calls(stack, ListGroups, Call::post("/Groups/.search/", json!({"filter": "displayName eq \"eng\""})))
            .await;
    assert_eq!((a.status, ids(&a)), (200, vec![id.to_string()]), "{}", a.body);
}
in_every_mode!(a_collection_url_with_a_trailing_slash_is_served_like_the_url_without_it);

async fn a_resource_name_in_the_wrong_case_answers_a_scim_404_naming_the_right_path(stack: &TestStack) {
    stack.reset_stats().await;
    for (call, right) in [
        (Call::get("/users"), "/Users"),
        (Call::post("/groups", json!({"displayName": "eng"})), "/Groups"),
        (Call::get("/serviceprincipals/123"), "/ServicePrincipals/123"),
        (Call::patch("/USERS/123", json!({"Operations": []})), "/Users/123"),
        (Call::post("/users/.search", json!({})), "/Users/.search"),
        (Call::get("/users/").query("filter", "userName eq \"x\""), "/Users"),
    ] {
        let what = format!("{} {}", call.method, call.path);
        let a = stack.call(Discovery, call).await;
        assert_eq!(a.status, 404, "{what}: {}", a.body);
        assert_eq!(a.body["status"], "404");
        assert_eq!(a.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
        assert_eq!(a.body["detail"], format!("no such endpoint; did you mean {right}?"), "{what}");
        assert_eq!(a.header("content-type"), Some("application/scim+json"));
    }
    let a = stack.call(Discovery, Call::put("/Users", json!({}))).await;
    assert_eq!(a.status, 405, "the right name with a method it does not serve stays 405: {}", a.body);
    assert_eq!(stack.target_calls().await, 0);
}
in_every_mode!(a_resource_name_in_the_wrong_case_answers_a_scim_404_naming_the_right_path);

async fn a_search_endpoint_takes_only_post(stack: &TestStack) {
    for call in [
        Call::get("/.search"),
        Call::delete("/.search"),
        Call::get("/Users/.search"),
        Call::put("/Groups/.search", json!({})),
        Call::patch("/ServicePrincipals/.search", json!({})),
    ] {
        let what = format!("{} {}", call.method, call.path);
        let a = stack.call(Discovery, call).await;
        assert_eq!((a.status, a.body["status"].as_str()), (405, Some("405")), "{what}: {}", a.body);
    }
}
in_every_mode!(a_search_endpoint_takes_only_post);
