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
