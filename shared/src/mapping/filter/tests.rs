use super::*;
use crate::mapping::user::USER_FILTERS;
use crate::scim::filter::parse_filter;

fn users(raw: &str) -> Result<String, ScimError> {
    translate(&parse_filter(raw)?, &USER_FILTERS)
}

#[test]
fn supported_user_filters_translate_to_databricks_names() {
    let cases = [
        (r#"userName eq "Ann@Example.com""#, r#"userName eq "Ann@Example.com""#),
        (r#"USERNAME Eq "a""#, r#"userName eq "a""#),
        (r#"externalId eq "abc" and active eq true"#, r#"externalId eq "abc" and active eq true"#),
        (r#"displayName sw "A" or displayName co "b""#, r#"displayName sw "A" or displayName co "b""#),
        (r#"emails[type eq "work"].value eq "x@y.z""#, r#"userName eq "x@y.z""#),
        (r#"emails.value eq "x@y.z""#, r#"userName eq "x@y.z""#),
        (r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a""#, r#"userName eq "a""#),
        (r#"id eq "123""#, r#"id eq "123""#),
    ];
    for (input, expected) in cases {
        assert_eq!(users(input), Ok(expected.to_string()), "{input}");
    }
}

#[test]
fn unsupported_filters_are_invalid_filter_with_a_helpful_detail() {
    for input in [
        r#"title eq "x""#,
        r#"userName gt "a""#,
        r#"not (userName eq "a")"#,
        "userName pr",
        r#"userName eq "a" and (displayName eq "b" or displayName eq "c")"#,
        r#"active co true"#,
        r#"emails[type eq "home"].value eq "x""#,
    ] {
        match users(input) {
            Err(ScimError::InvalidFilter(detail)) => {
                assert!(detail.contains("supported") || detail.contains("work"), "{input}: {detail}")
            }
            other => panic!("{input}: expected invalidFilter, got {other:?}"),
        }
    }
}

#[test]
fn quotes_in_values_stay_inside_the_literal() {
    let out = users(r#"userName eq "a\" or userName ne \"b""#);
    assert_eq!(out, Ok(r#"userName eq "a\" or userName ne \"b""#.to_string()));
}

#[test]
fn the_tables_hold_every_row_once_in_the_order_error_details_name_them() {
    use crate::mapping::group::GROUP_FILTERS;
    use crate::mapping::service_principal::SERVICE_PRINCIPAL_FILTERS;
    let rows = |table: &FilterTable| -> Vec<(&str, &str, AttrKind)> {
        table.attributes.iter().map(|a| (a.scim, a.databricks, a.kind)).collect()
    };
    let text = AttrKind::Text;
    let common = [("displayname", "displayName", text), ("externalid", "externalId", text), ("id", "id", text)];
    let active = ("active", "active", AttrKind::Boolean);
    let user: Vec<_> = [("username", "userName", text)]
        .into_iter()
        .chain(common)
        .chain([active, ("emails", "userName", text), ("emails.value", "userName", text)])
        .collect();
    assert_eq!(rows(&USER_FILTERS), user);
    assert_eq!(rows(&GROUP_FILTERS), common.to_vec());
    let service_principal: Vec<_> =
        [("applicationid", "applicationId", text)].into_iter().chain(common).chain([active]).collect();
    assert_eq!(rows(&SERVICE_PRINCIPAL_FILTERS), service_principal);
    assert!(
        USER_FILTERS
            .supported()
            .ends_with("on username, displayname, externalid, id, active, emails, emails.value joined by and/or")
    );
}
