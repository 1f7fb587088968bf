use super::*;

#[test]
fn entras_email_value_path_comparison_is_rewritten_to_the_rfc_form() {
    let parsed = parse_filter(r#"emails[type eq "work"].value eq "a@b.c""#).map(|f| f.to_string());
    assert_eq!(parsed, Ok(r#"emails[type eq "work" and value eq "a@b.c"]"#.to_string()));
}

#[test]
fn plain_filters_parse_unchanged() {
    for f in [r#"userName eq "x""#, r#"displayName sw "eng" and externalId eq "1""#, r#"userName Eq "x""#] {
        assert!(parse_filter(f).is_ok(), "{f}");
    }
}

#[test]
fn garbage_is_invalid_filter() {
    for f in ["userName eq", "((", "userName eq\"x\"", "random-garbage!"] {
        assert!(matches!(parse_filter(f), Err(ScimError::InvalidFilter(_))), "{f}");
    }
}

#[test]
fn an_overlong_filter_is_refused_before_parsing() {
    let long = format!("userName eq \"{}\"", "a".repeat(MAX_FILTER_LEN));
    assert!(matches!(parse_filter(&long), Err(ScimError::InvalidFilter(_))));
}

#[test]
fn brackets_inside_quoted_values_are_not_taken_for_entras_value_path() {
    // Found by the filter properties (tests/properties): `].` inside a value was rewritten.
    for f in [
        r#"emails[value eq "]." and type eq "work"]"#,
        r#"emails[value eq "x].y z"]"#,
        r#"emails[value eq "x"] or userName eq "].y z""#,
    ] {
        let unchanged = f.parse::<Filter>().ok();
        assert!(unchanged.is_some(), "{f}");
        assert_eq!(parse_filter(f).ok(), unchanged, "{f}");
    }
    let entra = parse_filter(r#"emails[type eq "work"].value eq "a].b c""#).map(|f| f.to_string());
    assert_eq!(entra, Ok(r#"emails[type eq "work" and value eq "a].b c"]"#.to_string()));
}
