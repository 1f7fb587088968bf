use super::*;

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn defaults_are_first_page_of_the_default_size() {
    let query = ListQuery::from_query(&[]);
    assert_eq!(query.as_ref().map(|q| (q.start_index, q.count)), Ok((1, DEFAULT_PAGE_SIZE)));
}

#[test]
fn start_index_below_one_is_one_and_count_is_capped() {
    let query = ListQuery::from_query(&q(&[("startIndex", "0"), ("count", "100000")]));
    assert_eq!(query.map(|q| (q.start_index, q.count)), Ok((1, MAX_PAGE_SIZE)));
}

#[test]
fn count_zero_is_kept_and_negative_count_is_zero() {
    assert_eq!(ListQuery::from_query(&q(&[("count", "0")])).map(|q| q.count), Ok(0));
    assert_eq!(ListQuery::from_query(&q(&[("count", "-5")])).map(|q| q.count), Ok(0));
}

#[test]
fn non_numeric_paging_is_invalid_value() {
    assert!(matches!(ListQuery::from_query(&q(&[("count", "ten")])), Err(ScimError::InvalidValue(_))));
}

#[test]
fn attributes_are_read_from_repeated_and_comma_separated_parameters() {
    let p = Projection::from_query(&q(&[
        ("attributes", "userName,emails"),
        ("attributes", "active"),
        ("aadOptscim062020", ""),
    ]));
    assert_eq!(p.attributes, vec!["userName", "emails", "active"]);
}

#[test]
fn the_envelope_counts_its_resources() {
    let body = list_response(7, 3, vec![serde_json::json!({"id": "1"})]);
    assert_eq!(body["itemsPerPage"], 1);
    assert_eq!(body["totalResults"], 7);
    assert_eq!(body["startIndex"], 3);
}

fn search(body: serde_json::Value) -> Result<ListQuery, ScimError> {
    ListQuery::from_search_request(body.to_string().as_bytes())
}

#[test]
fn a_search_request_body_is_read_like_the_query_string() {
    let query = search(serde_json::json!({
        "schemas": [SEARCH_REQUEST_SCHEMA],
        "filter": "userName eq \"jo@example.com\"",
        "startIndex": 3,
        "count": 7,
        "attributes": ["userName", "emails"],
        "sortBy": "userName",
        "sortOrder": "descending",
    }));
    let from_get = ListQuery::from_query(&q(&[
        ("filter", "userName eq \"jo@example.com\""),
        ("startIndex", "3"),
        ("count", "7"),
        ("attributes", "userName,emails"),
    ]));
    assert_eq!(query, from_get);
}

#[test]
fn search_members_are_case_insensitive_and_comma_separated_names_are_tolerated() {
    let query =
        search(serde_json::json!({"COUNT": 2, "excludedattributes": "groups, entitlements", "Attributes": ["a,b"]}));
    let query = query.expect("a SearchRequest");
    assert_eq!((query.start_index, query.count), (1, 2));
    assert_eq!(query.projection.excluded, vec!["groups", "entitlements"]);
    assert_eq!(query.projection.attributes, vec!["a", "b"]);
}

#[test]
fn search_paging_is_bounded_like_the_query_string() {
    let query = search(serde_json::json!({"startIndex": -4, "count": 1_000_000}));
    assert_eq!(query.map(|q| (q.start_index, q.count)), Ok((1, MAX_PAGE_SIZE)));
    assert_eq!(search(serde_json::json!({"count": -1})).map(|q| q.count), Ok(0));
    assert_eq!(search(serde_json::json!({})).map(|q| (q.start_index, q.count)), Ok((1, DEFAULT_PAGE_SIZE)));
}

#[test]
fn a_body_that_is_not_a_search_request_is_invalid_syntax() {
    for body in [
        serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}),
        serde_json::json!({"schemas": "urn:ietf:params:scim:schemas:core:2.0:User"}),
        serde_json::json!({"count": "10"}),
        serde_json::json!({"startIndex": 1.5}),
        serde_json::json!({"filter": 3}),
        serde_json::json!({"attributes": [1]}),
        serde_json::json!({"excludedAttributes": {"a": 1}}),
        serde_json::json!({"sortOrder": false}),
        serde_json::json!(["not", "an", "object"]),
    ] {
        assert!(matches!(search(body.clone()), Err(ScimError::InvalidSyntax(_))), "{body}");
    }
    assert!(matches!(ListQuery::from_search_request(b"{not json"), Err(ScimError::InvalidSyntax(_))));
    assert!(matches!(ListQuery::from_search_request(b""), Err(ScimError::InvalidSyntax(_))));
}

#[test]
fn a_search_filter_that_does_not_parse_is_invalid_filter() {
    let query = search(serde_json::json!({"schemas": [SEARCH_REQUEST_SCHEMA], "filter": "userName eq"}));
    assert!(matches!(query, Err(ScimError::InvalidFilter(_))));
}

fn restricted(filter: &str, defined: &[&str]) -> Option<String> {
    let parsed = crate::scim::filter::parse_filter(filter).expect("a filter");
    let defines = |path: &scim_v2::filter::AttrPath| defined.iter().any(|d| d.eq_ignore_ascii_case(&path.name));
    restrict_filter(&parsed, &defines).map(|f| f.to_string())
}

#[test]
fn a_filter_keeps_for_a_resource_type_only_what_its_attributes_can_match() {
    let either = "displayName eq \"a\" or userName eq \"b\"";
    assert_eq!(restricted(either, &["displayName"]).as_deref(), Some("displayName eq \"a\""));
    assert_eq!(restricted(either, &["displayName", "userName"]).as_deref(), Some(either));
    assert_eq!(restricted("displayName eq \"a\" and userName eq \"b\"", &["displayName"]), None);
    assert_eq!(restricted("userName eq \"b\"", &["displayName"]), None);
    assert_eq!(restricted("emails[type eq \"work\"].value eq \"x\"", &["displayName"]), None);
}
