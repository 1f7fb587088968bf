use super::*;

#[test]
fn every_client_error_carries_the_rfc_scim_type_and_a_string_status() {
    let cases = [
        (ScimError::InvalidSyntax("x".into()), 400, Some("invalidSyntax")),
        (ScimError::InvalidFilter("x".into()), 400, Some("invalidFilter")),
        (ScimError::InvalidValue("x".into()), 400, Some("invalidValue")),
        (ScimError::Mutability("x".into()), 400, Some("mutability")),
        (ScimError::Uniqueness("x".into()), 409, Some("uniqueness")),
        (ScimError::NotFound("x".into()), 404, None),
        (ScimError::MethodNotAllowed("x".into()), 405, None),
        (ScimError::Throttled { retry_after_secs: 3 }, 429, None),
    ];
    for (err, status, scim_type) in cases {
        let body = err.to_body();
        assert_eq!(body["status"], status.to_string(), "{err:?}");
        assert_eq!(body["schemas"][0], ERROR_SCHEMA, "{err:?}");
        assert_eq!(body.get("scimType").and_then(Value::as_str), scim_type, "{err:?}");
    }
}

#[test]
fn an_oversized_body_is_413_without_a_scim_type_and_an_oversized_answer_is_too_many() {
    let body = ScimError::PayloadTooLarge("x".into()).to_body();
    assert_eq!((body["status"].as_str(), body.get("scimType")), (Some("413"), None));
    let body = ScimError::TooMany("x".into()).to_body();
    assert_eq!((body["status"].as_str(), body["scimType"].as_str()), (Some("400"), Some("tooMany")));
}
