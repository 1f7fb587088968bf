use serde_json::json;

use super::*;

#[test]
fn text_up_to_the_limit_passes_whatever_its_characters() {
    for text in ["a".repeat(MAX_TEXT_CHARS), "é".repeat(MAX_TEXT_CHARS), "𠀀".repeat(MAX_TEXT_CHARS)] {
        assert_eq!(check_text("userName", &text), Ok(()), "{} bytes", text.len());
    }
    assert_eq!(check_text("displayName", "Zoë O'Brien-Łukasiewicz 山田"), Ok(()));
}

#[test]
fn text_over_the_limit_in_characters_is_invalid_value() {
    for text in ["a".repeat(MAX_TEXT_CHARS + 1), "𠀀".repeat(MAX_TEXT_CHARS + 1), "a".repeat(2_000_000)] {
        let refused = check_text("userName", &text);
        assert!(
            matches!(&refused, Err(ScimError::InvalidValue(d)) if d.contains("userName") && d.contains("512")),
            "{refused:?}"
        );
    }
}

#[test]
fn every_control_character_is_invalid_value_wherever_it_stands() {
    for c in (0u8..0x20).chain([0x7f]) {
        let text = format!("a{}b@example.com", char::from(c));
        let refused = check_text("userName", &text);
        assert!(matches!(&refused, Err(ScimError::InvalidValue(d)) if d.contains("control")), "U+{c:04X}");
    }
    assert!(check_text("externalId", "\u{0}").is_err(), "a lone NUL");
    assert_eq!(check_text("displayName", "\u{80}\u{a0}"), Ok(()), "C1 controls and NBSP are not refused");
}

#[test]
fn counts_over_their_limit_are_invalid_value_and_name_the_limit() {
    assert_eq!(check_count("PATCH operations", MAX_PATCH_OPERATIONS, MAX_PATCH_OPERATIONS), Ok(()));
    let refused = check_count("PATCH operations", MAX_PATCH_OPERATIONS + 1, MAX_PATCH_OPERATIONS);
    assert!(matches!(&refused, Err(ScimError::InvalidValue(d)) if d.contains("15100")), "{refused:?}");
}

#[test]
fn the_carried_size_counts_the_escapes_of_the_proxy_response() {
    let text = json!({"a": "x\"y\\z"}).to_string();
    assert_eq!(carried_len(&text), text.len() + 8, "4 quotes around the keys and values, 2 escaped, 2 backslashes");
    let large = json!({"displayName": "\"".repeat(MAX_RESPONSE_BYTES / 3)}).to_string();
    assert!(large.len() < MAX_RESPONSE_BYTES && carried_len(&large) > MAX_RESPONSE_BYTES, "quotes count twice");
}

#[test]
fn a_list_answer_written_from_serialised_resources_is_the_list_response() {
    let resources = [json!({"id": "1"}).to_string(), json!({"id": "2", "a": "\""}).to_string()];
    let answer: Result<Value, _> = serde_json::from_str(&list_answer(7, 3, &resources));
    assert_eq!(
        answer.ok(),
        Some(crate::scim::list::list_response(7, 3, vec![json!({"id": "1"}), json!({"id": "2", "a": "\""})]))
    );
    let empty: Result<Value, _> = serde_json::from_str(&list_answer(0, 1, &[]));
    assert_eq!(empty.ok().map(|e| e["Resources"].clone()), Some(json!([])));
}

#[test]
fn the_list_budget_takes_resources_until_the_next_one_does_not_fit() {
    let mut budget = AnswerBudget::for_list();
    let resource = MAX_RESPONSE_BYTES / 4;
    assert!(budget.take(resource));
    assert!(budget.take(resource));
    assert!(budget.take(resource));
    assert!(!budget.take(resource), "the envelope needs room too");
    assert!(budget.take(100), "a smaller one still fits");
    assert!(!AnswerBudget::for_list().take(MAX_RESPONSE_BYTES), "nothing fits the whole budget");
}

#[test]
fn a_resource_too_large_is_named_by_type_and_id_never_by_name() {
    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "42", "displayName": "Finance",
        "meta": {"resourceType": "Group"}});
    assert_eq!(resource_named_by(&group), "Group 42");
    let projected = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "7"});
    assert_eq!(resource_named_by(&projected), "User 7");
    assert_eq!(resource_named_by(&json!({"Resources": []})), "answer");
    let refused = too_large(&resource_named_by(&group), 5_000_000, false);
    assert!(
        matches!(&refused, ScimError::TooMany(d) if d.contains("Group 42") && d.contains("excludedAttributes=members")
            && !d.contains("Finance") && !d.contains("applied")),
        "{refused:?}"
    );
    assert!(
        matches!(too_large("User 7", 5_000_000, true), ScimError::TooMany(d) if d.starts_with("the change was applied"))
    );
}

#[test]
fn the_limits_keep_their_stated_relations() {
    const { assert!(MAX_BODY_BYTES < 4_500_000, "a base64-encoded body must fit Lambda's 6 MB payload") };
    const { assert!(MAX_RESPONSE_BYTES < 6_000_000, "Lambda's response limit") };
    const { assert!(MAX_PATCH_OPERATIONS >= MAX_MEMBERS_PER_REQUEST) };
    const { assert!(2 * MAX_FILTER_COMPARISONS <= 200, "Databricks' 200 filter nodes") };
    // The largest member list, Okta-style with a display name, fits in one body.
    let member = json!({"value": "1234567890123456789", "display": "someone.with.a.long.name@example.com"});
    assert!(MAX_MEMBERS_PER_REQUEST * (member.to_string().len() + 1) < MAX_BODY_BYTES);
}

mod enforced {
    //! Each limit where it is enforced: the reader that refuses it, before any Databricks call.
    use serde_json::{Value, json};

    use super::super::*;
    use crate::scim::filter::parse_filter;
    use crate::scim::list::ListQuery;
    use crate::scim::patch::{parse_patch_request, parse_path};

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn body(value: &Value) -> crate::scim::values::ClientObject {
        value.as_object().cloned().unwrap_or_default().into()
    }

    fn comparisons(n: usize) -> String {
        (0..n).map(|i| format!("id eq \"{i}\"")).collect::<Vec<_>>().join(" or ")
    }

    #[test]
    fn a_filter_of_up_to_100_comparisons_parses_and_one_more_is_invalid_filter() {
        assert!(parse_filter(&comparisons(MAX_FILTER_COMPARISONS)).is_ok());
        let refused = parse_filter(&comparisons(MAX_FILTER_COMPARISONS + 1));
        assert!(matches!(&refused, Err(ScimError::InvalidFilter(d)) if d.contains("101 comparisons")), "{refused:?}");
    }

    #[test]
    fn a_filter_nested_deeper_than_8_levels_is_invalid_filter() {
        let nest = |levels: usize| {
            (0..levels).fold("userName eq \"x\"".to_string(), |inner, i| {
                if i % 2 == 0 {
                    format!("(displayName eq \"d\" or {inner})")
                } else {
                    format!("(id eq \"1\" and {inner})")
                }
            })
        };
        assert!(parse_filter(&nest(MAX_FILTER_DEPTH - 1)).is_ok());
        let refused = parse_filter(&nest(MAX_FILTER_DEPTH));
        assert!(matches!(&refused, Err(ScimError::InvalidFilter(d)) if d.contains("levels")), "{refused:?}");
        let entra = parse_filter(r#"emails[type eq "work"].value eq "a@b.c""#);
        assert!(entra.is_ok(), "Entra's value path is 3 levels");
        let hostile = format!("{}userName eq \"x\"{}", "not (".repeat(40), ")".repeat(40));
        assert!(matches!(parse_filter(&hostile), Err(ScimError::InvalidFilter(_))));
    }

    #[test]
    fn a_patch_path_is_held_to_the_filter_limits() {
        let values = |n: usize| (0..n).map(|i| format!("value eq \"{i}\"")).collect::<Vec<_>>().join(" or ");
        assert!(parse_path(&format!("members[{}]", values(MAX_FILTER_COMPARISONS))).is_ok());
        let refused = parse_path(&format!("members[{}]", values(MAX_FILTER_COMPARISONS + 1)));
        assert!(matches!(refused, Err(ScimError::InvalidFilter(_))));
        let long = format!("members[value eq \"{}\"]", "1".repeat(MAX_FILTER_LEN));
        assert!(matches!(parse_path(&long), Err(ScimError::InvalidPath(_))));
    }

    #[test]
    fn a_patch_of_more_operations_than_the_limit_is_invalid_value() {
        let ops = |n: usize| {
            let op = json!({"op": "remove", "path": "members[value eq \"1\"]"});
            json!({"Operations": vec![op; n]}).to_string().into_bytes()
        };
        assert_eq!(parse_patch_request(&ops(MAX_PATCH_OPERATIONS)).map(|o| o.len()), Ok(MAX_PATCH_OPERATIONS));
        assert!(matches!(parse_patch_request(&ops(MAX_PATCH_OPERATIONS + 1)), Err(ScimError::InvalidValue(_))));
        // A path-less operation counts once per key it expands to.
        let keys: serde_json::Map<String, Value> =
            (0..=MAX_PATCH_OPERATIONS).map(|i| (format!("urn:x:k{i}"), json!("v"))).collect();
        let pathless = json!({"Operations": [{"op": "add", "value": keys}]}).to_string().into_bytes();
        assert!(matches!(parse_patch_request(&pathless), Err(ScimError::InvalidValue(_))));
    }

    #[test]
    fn start_index_below_one_is_one_and_above_the_java_integer_range_is_invalid_value() {
        let start = |s: &str| ListQuery::from_query(&q(&[("startIndex", s)])).map(|q| q.start_index);
        assert_eq!(start("-5"), Ok(1));
        assert_eq!(start("0"), Ok(1));
        assert_eq!(start("2147483647"), Ok(MAX_START_INDEX));
        assert_eq!(start("-99999999999999999999999"), Ok(1));
        for absurd in ["2147483648", "9223372036854775807", "99999999999999999999999"] {
            assert!(matches!(start(absurd), Err(ScimError::InvalidValue(d)) if d.contains("2147483647")), "{absurd}");
        }
        assert!(matches!(start("1e3"), Err(ScimError::InvalidValue(_))));
    }

    #[test]
    fn count_is_clamped_to_the_page_range_however_absurd() {
        let count = |s: &str| ListQuery::from_query(&q(&[("count", s)])).map(|q| q.count);
        assert_eq!(count("99999999999999999999999"), Ok(MAX_PAGE_SIZE));
        assert_eq!(count("-99999999999999999999999"), Ok(0));
        assert_eq!(count(" 7 "), Ok(7));
    }

    #[test]
    fn a_search_request_is_held_to_the_same_paging_limits() {
        let search =
            |v: Value| ListQuery::from_search_request(v.to_string().as_bytes()).map(|q| (q.start_index, q.count));
        assert_eq!(search(json!({"startIndex": -3, "count": 5000})), Ok((1, MAX_PAGE_SIZE)));
        assert_eq!(search(json!({"count": -1e30})), Ok((1, 0)));
        assert!(matches!(search(json!({"startIndex": 1e30})), Err(ScimError::InvalidValue(_))));
        assert!(matches!(search(json!({"startIndex": 3_000_000_000u64})), Err(ScimError::InvalidValue(_))));
        assert!(matches!(search(json!({"count": 1.5})), Err(ScimError::InvalidSyntax(_))));
    }

    #[test]
    fn every_string_attribute_of_a_user_is_held_to_length_and_control_characters() {
        use crate::mapping::user::create_request;
        let long = "a".repeat(MAX_TEXT_CHARS + 1);
        for (attribute, user) in [
            ("userName", json!({"userName": format!("{long}@example.com")})),
            ("userName", json!({"userName": "nul\u{0}@example.com"})),
            ("displayName", json!({"userName": "u@example.com", "displayName": long})),
            ("displayName", json!({"userName": "u@example.com", "displayName": "tab\there"})),
            ("externalId", json!({"userName": "u@example.com", "externalId": "x\u{7f}"})),
            ("givenName", json!({"userName": "u@example.com", "name": {"givenName": long}})),
            ("familyName", json!({"userName": "u@example.com", "name": {"familyName": "line\nbreak"}})),
        ] {
            let refused = create_request(&body(&user));
            assert!(
                matches!(&refused, Err(ScimError::InvalidValue(d)) if d.contains(attribute)),
                "{attribute}: {refused:?}"
            );
        }
        let longest = "é".repeat(MAX_TEXT_CHARS - "@example.com".len()) + "@example.com";
        assert!(
            create_request(&body(&json!({"userName": longest, "displayName": "é".repeat(MAX_TEXT_CHARS)}))).is_ok()
        );
    }

    #[test]
    fn strings_set_by_patch_are_held_to_the_same_limits() {
        use crate::mapping::group::patch_request as group_patch;
        use crate::mapping::user::patch_request as user_patch;
        let ops = |v: Value| parse_patch_request(json!({"Operations": [v]}).to_string().as_bytes());
        let nul = ops(json!({"op": "replace", "path": "displayName", "value": "a\u{0}b"})).expect("the PATCH parses");
        assert!(matches!(user_patch(&nul), Err(ScimError::InvalidValue(_))));
        assert!(matches!(group_patch(&nul), Err(ScimError::InvalidValue(_))));
        let pathless = ops(json!({"op": "replace", "value": {"name.familyName": "x".repeat(MAX_TEXT_CHARS + 1)}}))
            .expect("the path-less PATCH parses");
        assert!(matches!(user_patch(&pathless), Err(ScimError::InvalidValue(_))));
    }

    fn members(n: usize) -> Value {
        Value::Array((1..=n).map(|i| json!({"value": i.to_string(), "display": "someone@example.com"})).collect())
    }

    #[test]
    fn a_group_may_be_created_with_up_to_15000_members_and_not_one_more() {
        use crate::mapping::group::create_request;
        let group = |n: usize| body(&json!({"displayName": "g", "members": members(n)}));
        assert!(create_request(&group(MAX_MEMBERS_PER_REQUEST)).is_ok());
        let refused = create_request(&group(MAX_MEMBERS_PER_REQUEST + 1));
        assert!(matches!(&refused, Err(ScimError::InvalidValue(d)) if d.contains("15001")), "{refused:?}");
        let with_parents = body(&json!({"displayName": "g", "members": members(MAX_MEMBERS_PER_REQUEST),
            "urn:ietf:params:scim:schemas:extension:databricks:2.0:Group": {"parentGroups": [{"value": "9"}]}}));
        assert!(matches!(create_request(&with_parents), Err(ScimError::InvalidValue(_))), "all elements count");
    }

    #[test]
    fn a_group_patch_may_name_up_to_15000_members_across_its_operations() {
        use crate::mapping::group::patch_request;
        let patch = |adds: usize, removes: usize| {
            let mut operations = vec![json!({"op": "add", "path": "members", "value": members(adds)})];
            operations.extend(
                (0..removes).map(|i| json!({"op": "remove", "path": format!("members[value eq \"{}\"]", 90_000 + i)})),
            );
            parse_patch_request(json!({"Operations": operations}).to_string().as_bytes())
                .and_then(|ops| patch_request(&ops))
        };
        assert!(patch(MAX_MEMBERS_PER_REQUEST - 10, 10).is_ok());
        assert!(matches!(patch(MAX_MEMBERS_PER_REQUEST - 10, 11), Err(ScimError::InvalidValue(_))));
        let entra_remove =
            json!({"Operations": [{"op": "Remove", "path": "members", "value": members(MAX_MEMBERS_PER_REQUEST + 1)}]});
        let refused = parse_patch_request(entra_remove.to_string().as_bytes()).and_then(|ops| patch_request(&ops));
        assert!(matches!(refused, Err(ScimError::InvalidValue(_))));
    }

    #[test]
    fn a_group_put_that_would_change_more_than_15000_memberships_is_invalid_value() {
        use crate::mapping::group::replace_operations;
        let current = json!({"id": "1", "displayName": "g", "members": members(MAX_MEMBERS_PER_REQUEST)});
        let keep_one = body(&json!({"displayName": "g", "members": [{"value": "1"}]}));
        assert!(
            replace_operations(&keep_one, &crate::mapping::databricks(current.clone())).is_ok(),
            "14,999 removes fit"
        );
        let none_kept = body(&json!({"displayName": "g", "members": [{"value": "99999"}, {"value": "99998"}]}));
        let refused = replace_operations(&none_kept, &crate::mapping::databricks(current.clone()));
        assert!(matches!(&refused, Err(ScimError::InvalidValue(d)) if d.contains("PATCH in steps")), "{refused:?}");
    }
}
